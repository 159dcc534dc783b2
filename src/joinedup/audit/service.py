"""``record()``: the one way to write an audit event, inside the caller's transaction (AUD-5)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from joinedup.audit.events import EVENT_NAMES, AuditEvent
from joinedup.audit.models import LedgerEntry, LedgerHead
from joinedup.audit.rules import GENESIS_HASH, chain_hash, clean_text
from joinedup.common.clock import utc_now


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
    now = utc_now()
    fields: dict[str, object] = {
        "seq": head.seq + 1,
        "at": now.isoformat(),
        "operation": event.operation.value,
        "name": event.name,
        "actor_user_id": str(event.actor_user_id or ""),
        "actor_organisation_id": str(event.actor_organisation_id or ""),
        "actor_role": event.actor_role,
        "record_type": event.record_type,
        "record_id": event.record_id,
        "record_organisation_id": str(event.record_organisation_id or ""),
        "purpose": event.purpose,
        "justification": clean_text(event.justification),
        "recipient_organisation_id": str(event.recipient_organisation_id or ""),
        "recipient_person": clean_text(event.recipient_person, 200),
        "details": dict(event.details),
    }
    entry_hash = chain_hash(head.entry_hash, fields)
    entry = LedgerEntry(
        seq=head.seq + 1,
        at=now,
        operation=event.operation,
        name=event.name,
        actor_user_id=event.actor_user_id,
        actor_organisation_id=event.actor_organisation_id,
        actor_role=event.actor_role,
        record_type=event.record_type,
        record_id=event.record_id,
        record_organisation_id=event.record_organisation_id,
        purpose=event.purpose,
        justification=str(fields["justification"]),
        recipient_organisation_id=event.recipient_organisation_id,
        recipient_person=str(fields["recipient_person"]),
        details=dict(event.details),
        prev_hash=head.entry_hash,
        entry_hash=entry_hash,
    )
    session.add(entry)
    head.seq = entry.seq
    head.entry_hash = entry_hash
    session.flush()
    return entry
