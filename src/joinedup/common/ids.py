"""Identifiers: random UUIDs for records, so ids in URLs reveal nothing and cannot be guessed."""

from __future__ import annotations

import hashlib
import secrets
import uuid


def new_id() -> uuid.UUID:
    """A new random record id."""
    return uuid.uuid4()


def parse_id(value: str) -> uuid.UUID | None:
    """Parse a record id from a URL; ``None`` when it is not a UUID (treated as not found)."""
    try:
        return uuid.UUID(value)
    except (ValueError, AttributeError, TypeError):
        return None


def new_token(nbytes: int = 32) -> str:
    """A URL-safe random secret of ``nbytes`` bytes (256 bits by default)."""
    return secrets.token_urlsafe(nbytes)


def token_digest(token: str) -> str:
    """The SHA-256 hex digest under which a secret token is stored."""
    return hashlib.sha256(token.encode()).hexdigest()
