"""Pure ledger logic: the canonical form of an entry and its chained hash."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping

GENESIS_HASH = "0" * 64


def canonical(fields: Mapping[str, object]) -> bytes:
    """A stable byte form of an entry's fields (sorted keys, no spaces, str for odd types)."""
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), default=str).encode()


def chain_hash(prev_hash: str, fields: Mapping[str, object]) -> str:
    """SHA-256 over the previous entry's hash and this entry's canonical form."""
    return hashlib.sha256(prev_hash.encode() + b"\n" + canonical(fields)).hexdigest()


def clean_text(value: str, limit: int = 2000) -> str:
    """Neutralise control characters and line breaks in free text kept in the ledger (AUD-7)."""
    cleaned = "".join(ch if ch.isprintable() else " " for ch in value)
    return cleaned[:limit]
