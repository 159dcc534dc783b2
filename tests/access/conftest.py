"""Fixtures for the access tests."""

from tests.auth.fixtures import clock, make_user, org

__all__ = ["clock", "make_user", "org"]
