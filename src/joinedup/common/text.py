"""Checks on text that comes in from outside (pure)."""

from __future__ import annotations


def refuse_nul(value: object) -> object:
    """``value`` unchanged, unless it is text holding a NUL character, which no partner means
    to send and PostgreSQL cannot store: then ``ValueError`` (a clear 422, not a 500)."""
    if isinstance(value, str) and "\x00" in value:
        raise ValueError("must not contain a NUL character")
    return value
