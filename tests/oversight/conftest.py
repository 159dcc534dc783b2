"""Fixtures for the oversight tests."""

from tests.auth.fixtures import clock

__all__ = ["clock"]
