"""Fixtures for the retention tests."""

from tests.auth.fixtures import clock

__all__ = ["clock"]
