"""Small helpers shared by every domain's routes."""

from __future__ import annotations

import uuid

from joinedup.common.errors import NotFound
from joinedup.common.ids import parse_id


def record_id(value: str) -> uuid.UUID:
    """A record id from a URL; anything that is not an id is simply not found (AC-1)."""
    parsed = parse_id(value)
    if parsed is None:
        raise NotFound()
    return parsed
