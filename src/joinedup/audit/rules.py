"""Pure ledger logic: the canonical form of an entry, its chained hash, and text escaping.

The canonical form is the 16 fields of ``CANONICAL_FIELDS``, each already a string, joined by
the unit separator (``\\x1f``) and encoded as UTF-8. ``record()`` builds the strings from Python
values with the ``*_text`` helpers below; ``verify`` asks the database for the same strings
(see ``audit.verify``), so both hash exactly the same bytes. docs/audit.md describes the form.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

GENESIS_HASH = "0" * 64
SEPARATOR = "\x1f"
CANONICAL_FIELDS = (
    "seq",
    "at",
    "operation",
    "name",
    "actor_user_id",
    "actor_organisation_id",
    "actor_role",
    "record_type",
    "record_id",
    "record_organisation_id",
    "purpose",
    "justification",
    "recipient_organisation_id",
    "recipient_person",
    "details",
    "prev_hash",
)
_SEPARATORS = len(CANONICAL_FIELDS) - 1
# A leading character that makes a spreadsheet read a cell as a formula (AUD-7).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "|", "%")
DetailValue = str | int | bool | None


class CanonicalFormError(ValueError):
    """A field holds the separator or the wrong number of fields was given."""


def canonical(fields: Sequence[str]) -> bytes:
    """The bytes hashed for one entry: its canonical field strings joined by ``SEPARATOR``."""
    data = SEPARATOR.join(fields)
    if len(fields) != len(CANONICAL_FIELDS) or data.count(SEPARATOR) != _SEPARATORS:
        raise CanonicalFormError("a field holds the separator")
    return data.encode()


def chain_hash(fields: Sequence[str]) -> str:
    """SHA-256 (hex) of the canonical form; ``fields`` ends with the previous entry's hash."""
    return hashlib.sha256(canonical(fields)).hexdigest()


def at_text(value: datetime) -> str:
    """A timestamp as UTC ``YYYY-MM-DD HH:MM:SS.ffffff`` (how SQLite stores it; microseconds)."""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def uuid_text(value: uuid.UUID | None) -> str:
    """A UUID as 32 lower-case hex digits; no UUID is the empty string."""
    return "" if value is None else value.hex


def sorted_details(details: Mapping[str, DetailValue]) -> dict[str, DetailValue]:
    """``details`` with keys in sorted order; values must be str, int, bool or None."""
    for key, value in details.items():
        if not isinstance(key, str) or not (value is None or isinstance(value, str | int)):
            raise TypeError(f"audit details hold ids and counts only, not {type(value)!r}")
    return dict(sorted(details.items()))


def details_text(details: Mapping[str, DetailValue]) -> str:
    """The JSON text stored for ``details`` (``json.dumps`` of the key-sorted mapping)."""
    return json.dumps(sorted_details(details))


def clean_text(value: str, limit: int = 2000) -> str:
    """Neutralise control characters and line breaks in free text kept in the ledger (AUD-7)."""
    cleaned = "".join(ch if ch.isprintable() else " " for ch in value)
    return cleaned[:limit]


def csv_safe(value: object) -> str:
    """A CSV cell no spreadsheet runs as a formula: control characters out, quote added (AUD-7)."""
    text = "" if value is None else clean_text(str(value), 10_000)
    stripped = text.lstrip()
    if stripped and stripped[0] in FORMULA_TRIGGERS:
        return "'" + text
    return text
