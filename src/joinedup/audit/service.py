"""``record()``: the one way to write an audit event, inside the caller's transaction (AUD-5)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.orm import Session

from joinedup.audit.events import EVENT_NAMES, AuditEvent
from joinedup.audit.models import LedgerEntry, LedgerHead
from joinedup.audit.rules import (
    GENESIS_HASH,
    at_text,
    chain_hash,
    clean_text,
    details_text,
    sorted_details,
    uuid_text,
)
from joinedup.common import clock


def _lock_head(session: Session) -> LedgerHead:
    # populate_existing: ``record`` moves the head with Core statements, so a head object
    # already in this session may be stale; the locked row is the truth.
    head = session.scalars(
        select(LedgerHead)
        .where(LedgerHead.id == 1)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if head is None:
        head = LedgerHead(id=1, seq=0, entry_hash=GENESIS_HASH)
        session.add(head)
        session.flush()
    return head


def _check(event: AuditEvent) -> None:
    if event.name not in EVENT_NAMES:
        raise ValueError(f"undocumented audit event {event.name!r}")


def _values(event: AuditEvent, seq: int, prev_hash: str, now: datetime) -> dict[str, Any]:
    """The ledger row for ``event`` at ``seq``, chained to ``prev_hash`` (column -> value)."""
    details = sorted_details(event.details)
    row: dict[str, Any] = {
        "seq": seq,
        "at": now,
        "operation": event.operation,
        "name": event.name,
        "actor_user_id": event.actor_user_id,
        "actor_organisation_id": event.actor_organisation_id,
        "actor_role": clean_text(event.actor_role, 40),
        "record_type": clean_text(event.record_type, 40),
        "record_id": clean_text(event.record_id, 64),
        "record_organisation_id": event.record_organisation_id,
        "purpose": clean_text(event.purpose, 40),
        "justification": clean_text(event.justification),
        "recipient_organisation_id": event.recipient_organisation_id,
        "recipient_person": clean_text(event.recipient_person, 200),
        "details": details,
        "prev_hash": prev_hash,
    }
    row["entry_hash"] = chain_hash(
        (
            str(seq),
            at_text(now),
            event.operation.value,
            event.name,
            uuid_text(row["actor_user_id"]),
            uuid_text(row["actor_organisation_id"]),
            row["actor_role"],
            row["record_type"],
            row["record_id"],
            uuid_text(row["record_organisation_id"]),
            row["purpose"],
            row["justification"],
            uuid_text(row["recipient_organisation_id"]),
            row["recipient_person"],
            details_text(details),
            prev_hash,
        )
    )
    return row


def _entry(event: AuditEvent, seq: int, prev_hash: str, now: datetime) -> LedgerEntry:
    """The ledger entry for ``event`` at ``seq``, chained to ``prev_hash``."""
    return LedgerEntry(**_values(event, seq, prev_hash, now))


_HEAD = cast(Table, LedgerHead.__table__)
_LEDGER = cast(Table, LedgerEntry.__table__)
# Built once: lock the head row and claim the next sequence number in one statement (the row
# lock is held to the end of the transaction, as ``SELECT ... FOR UPDATE`` held it) ...
_CLAIM = (
    update(_HEAD)
    .where(_HEAD.c.id == 1)
    .values(seq=_HEAD.c.seq + 1)
    .returning(_HEAD.c.seq, _HEAD.c.entry_hash)
)
# ... then insert the entry and move the head's hash to it (on PostgreSQL in one statement).
_INSERT = insert(_LEDGER)
_MOVE = update(_HEAD).where(_HEAD.c.id == 1).values(entry_hash=bindparam("head_hash"))
_INSERT_AND_MOVE = _MOVE.add_cte(
    insert(_LEDGER)
    .values({c.key: bindparam(f"e_{c.key}", type_=c.type) for c in _LEDGER.columns})
    .cte("appended")
)


_CLAIM_MANY = (
    update(_HEAD)
    .where(_HEAD.c.id == 1)
    .values(seq=_HEAD.c.seq + bindparam("count"))
    .returning(_HEAD.c.seq, _HEAD.c.entry_hash)
)


def _claim(session: Session, count: int = 1) -> tuple[int, str]:
    """The last of ``count`` new sequence numbers and the previous entry's hash, with the head
    row locked."""
    statement, params = (_CLAIM, {}) if count == 1 else (_CLAIM_MANY, {"count": count})
    row = session.execute(statement, params).first()
    if row is None:  # an empty ledger: create the genesis head, then claim
        _lock_head(session)
        row = session.execute(statement, params).one()
    return int(row[0]), str(row[1])


def _append(session: Session, values: dict[str, Any]) -> None:
    """Insert the ledger row ``values`` and point the head at it: one round trip on PostgreSQL."""
    if session.get_bind().dialect.name == "postgresql":
        params = {f"e_{name}": value for name, value in values.items()}
        session.execute(_INSERT_AND_MOVE, {**params, "head_hash": values["entry_hash"]})
    else:
        session.execute(_INSERT, values)
        session.execute(_MOVE, {"head_hash": values["entry_hash"]})


def record(session: Session, event: AuditEvent) -> LedgerEntry:
    """Append ``event`` to the ledger in the caller's transaction; an unknown name is refused.

    Core statements, not the unit of work: claim the next number (head row locked), then insert
    the entry and move the head's hash. Any failure raises into the caller's transaction, so
    the action fails with it (AUD-5). The returned entry is not attached to the session."""
    _check(event)
    session.flush()  # the action's own pending writes go first, as they always have
    seq, prev_hash = _claim(session)
    values = _values(event, seq, prev_hash, clock.utc_now())
    _append(session, values)
    return LedgerEntry(**values)


_MANY_CHUNK = 1000


def record_many(session: Session, events: Sequence[AuditEvent]) -> int:
    """Append several events in order under one lock of the ledger head (bulk intake).

    The same entries, chain and transaction rule as ``record`` (AUD-5): one statement claims
    the numbers, one multi-row insert per thousand events writes them, one moves the head's
    hash. Returns the number written."""
    if not events:
        return 0
    for event in events:
        _check(event)
    session.flush()  # the action's own pending writes go first, as in ``record``
    last, prev = _claim(session, len(events))
    now = clock.utc_now()
    rows: list[dict[str, Any]] = []
    for seq, event in enumerate(events, start=last - len(events) + 1):
        row = _values(event, seq, prev, now)
        prev = row["entry_hash"]
        rows.append(row)
    for start in range(0, len(rows), _MANY_CHUNK):
        session.execute(_INSERT, rows[start : start + _MANY_CHUNK])
    session.execute(_MOVE, {"head_hash": prev})
    return len(rows)
