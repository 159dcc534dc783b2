"""``record()``: the one way to write an audit event, inside the caller's transaction (AUD-5)."""

from __future__ import annotations

from sqlalchemy import select
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
    head = session.scalars(select(LedgerHead).where(LedgerHead.id == 1).with_for_update()).first()
    if head is None:
        head = LedgerHead(id=1, seq=0, entry_hash=GENESIS_HASH)
        session.add(head)
        session.flush()
    return head


def record(session: Session, event: AuditEvent) -> LedgerEntry:
    """Append ``event`` to the ledger in the caller's transaction; an unknown name is refused."""
    if event.name not in EVENT_NAMES:
        raise ValueError(f"undocumented audit event {event.name!r}")
    head = _lock_head(session)
    now = clock.utc_now()
    seq = head.seq + 1
    details = sorted_details(event.details)
    entry = LedgerEntry(
        seq=seq,
        at=now,
        operation=event.operation,
        name=event.name,
        actor_user_id=event.actor_user_id,
        actor_organisation_id=event.actor_organisation_id,
        actor_role=clean_text(event.actor_role, 40),
        record_type=clean_text(event.record_type, 40),
        record_id=clean_text(event.record_id, 64),
        record_organisation_id=event.record_organisation_id,
        purpose=clean_text(event.purpose, 40),
        justification=clean_text(event.justification),
        recipient_organisation_id=event.recipient_organisation_id,
        recipient_person=clean_text(event.recipient_person, 200),
        details=details,
        prev_hash=head.entry_hash,
    )
    entry.entry_hash = chain_hash(
        (
            str(seq),
            at_text(now),
            event.operation.value,
            event.name,
            uuid_text(entry.actor_user_id),
            uuid_text(entry.actor_organisation_id),
            entry.actor_role,
            entry.record_type,
            entry.record_id,
            uuid_text(entry.record_organisation_id),
            entry.purpose,
            entry.justification,
            uuid_text(entry.recipient_organisation_id),
            entry.recipient_person,
            details_text(details),
            entry.prev_hash,
        )
    )
    session.add(entry)
    head.seq = seq
    head.entry_hash = entry.entry_hash
    session.flush()
    return entry
