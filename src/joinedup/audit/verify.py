"""Checking the whole ledger: recomputed hashes, links, contiguous numbers and the head (AUD-6).

Rows are streamed as plain tuples (a server-side cursor on PostgreSQL, batched fetches on
SQLite); the database renders every field as the canonical string ``record()`` hashed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Engine

from joinedup.audit.rules import GENESIS_HASH, CanonicalFormError, chain_hash

BATCH = 20_000


def _uuid_sql(column: str, dialect: str) -> str:
    if dialect == "postgresql":
        return f"COALESCE(replace({column}::text, '-', ''), '')"
    return f"COALESCE({column}, '')"


def select_sql(dialect: str) -> str:
    """The query returning seq, the 16 canonical strings and entry_hash, in seq order."""
    pg = dialect == "postgresql"
    at = "to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')" if pg else "at"
    columns = [
        "seq",
        "CAST(seq AS TEXT) AS seq_text",
        at,
        "operation",
        "name",
        _uuid_sql("actor_user_id", dialect),
        _uuid_sql("actor_organisation_id", dialect),
        "actor_role",
        "record_type",
        "record_id",
        _uuid_sql("record_organisation_id", dialect),
        "purpose",
        "justification",
        _uuid_sql("recipient_organisation_id", dialect),
        "recipient_person",
        "details::text" if pg else "details",
        "prev_hash",
        "entry_hash",
    ]
    return (
        f"SELECT {', '.join(columns)} FROM audit_ledger "
        "WHERE audit_ledger.seq >= :start ORDER BY audit_ledger.seq"
    )


@dataclass(frozen=True, slots=True)
class VerifyResult:
    """The outcome: entries checked and, when broken, the first bad seq and why."""

    checked: int
    broken_seq: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        """True when the checked part of the ledger is whole."""
        return self.broken_seq is None


def _stream(engine: Engine, start: int) -> Iterator[list[Any]]:
    """Batches of raw rows from ``start`` in seq order, without ORM objects."""
    dialect = engine.dialect.name
    raw = engine.raw_connection()
    try:
        if dialect == "postgresql":
            sql = select_sql(dialect).replace(":start", "%s")
            cursor = raw.driver_connection.cursor(name="audit_verify")  # type: ignore[union-attr]
            cursor.itersize = BATCH
        else:
            sql = select_sql(dialect).replace(":start", "?")
            cursor = raw.cursor()
        cursor.execute(sql, (start,))
        while batch := cursor.fetchmany(BATCH):
            yield batch
        cursor.close()
    finally:
        raw.rollback()
        raw.close()


def _start(engine: Engine, from_seq: int) -> tuple[str | None, int, str]:
    """The hash preceding ``from_seq``, the head's seq and the head's hash."""
    with engine.connect() as conn:
        head = conn.execute(text("SELECT seq, entry_hash FROM audit_ledger_head WHERE id = 1"))
        head_row = head.first()
        prev: str | None = GENESIS_HASH
        if from_seq > 1:
            prev = conn.scalar(
                text("SELECT entry_hash FROM audit_ledger WHERE seq = :s"), {"s": from_seq - 1}
            )
    if head_row is None:
        return prev, 0, GENESIS_HASH
    return prev, int(head_row[0]), str(head_row[1])


def _check_batch(batch: list[Any], expected: int, prev: str) -> tuple[int, str, str]:
    """Check one batch; returns the next expected seq, the last hash and a failure reason."""
    for row in batch:
        if row[0] != expected:
            return expected, prev, "missing seq"
        if row[16] != prev:
            return expected, prev, "broken link"
        try:
            digest = chain_hash(row[1:17])
        except CanonicalFormError:
            return expected, prev, "hash mismatch"
        if digest != row[17]:
            return expected, prev, "hash mismatch"
        prev = digest
        expected += 1
    return expected, prev, ""


def verify_ledger(
    engine: Engine, *, from_seq: int = 1, progress: Callable[[int], None] | None = None
) -> VerifyResult:
    """Verify the ledger from ``from_seq`` to the head; the first broken entry is named."""
    prev, head_seq, head_hash = _start(engine, max(1, from_seq))
    expected = max(1, from_seq)
    if prev is None:
        return VerifyResult(0, expected - 1, "missing seq")
    first = expected
    for batch in _stream(engine, expected):
        expected, prev, reason = _check_batch(batch, expected, prev)
        if reason:
            return VerifyResult(expected - first, expected, reason)
        if progress is not None:
            progress(len(batch))
    checked = expected - first
    if expected - 1 < head_seq:
        return VerifyResult(checked, expected, "missing seq")
    if expected - 1 != head_seq or (head_seq and prev != head_hash):
        return VerifyResult(checked, expected - 1, "head mismatch")
    return VerifyResult(checked)
