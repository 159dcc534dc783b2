"""Subject access actions: open a request, and generate its pack (a disclosure to the subject)."""

from __future__ import annotations

import secrets
import uuid
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from joinedup.access.actor import Actor
from joinedup.access.context import rows_beyond_reach
from joinedup.audit.events import AuditEvent
from joinedup.audit.service import record
from joinedup.common import clock
from joinedup.common.errors import Conflict, NotFound
from joinedup.db import atomic
from joinedup.partners.schemas import Role
from joinedup.subject_access import queries, rules
from joinedup.subject_access.models import SubjectAccessRequest
from joinedup.subject_access.schemas import Pack, PackFormat, SarIn, SarOut

RECIPIENT = "data subject"


def _check(actor: Actor | None, organisation_id: uuid.UUID) -> None:
    """Only the handling organisation's IG lead (or the command line) works on its requests."""
    if actor is None:
        return
    if actor.role is not Role.IG_LEAD or actor.organisation_id != organisation_id:
        raise NotFound()


def _event(name: str, actor: Actor | None, organisation_id: uuid.UUID, **fields: Any) -> AuditEvent:
    return AuditEvent(
        name=name,
        actor_user_id=actor.user_id if actor else None,
        actor_organisation_id=organisation_id,
        actor_role=actor.role.value if actor else "system",
        **fields,
    )


def _reference(today: date) -> str:
    return f"SAR-{today:%Y%m%d}-{secrets.token_hex(3).upper()}"


def create(
    *,
    session: Session,
    actor: Actor | None,
    organisation_id: uuid.UUID,
    sar_in: SarIn,
) -> SarOut:
    """Open a request anchored on a record ``organisation_id`` holds; due in one month."""
    _check(actor, organisation_id)
    with atomic(session):
        if queries.anchor_organisation(session, sar_in.person_record_id) != organisation_id:
            raise NotFound()
        today = clock.london(clock.utc_now()).date()
        received = sar_in.received_on or today
        sar = SubjectAccessRequest(
            reference=_reference(today),
            organisation_id=organisation_id,
            person_record_id=sar_in.person_record_id,
            received_on=received,
            due_on=rules.due_on(received),
            created_by_user_id=actor.user_id if actor else None,
            created_at=clock.utc_now(),
        )
        session.add(sar)
        session.flush()
        record(
            session,
            _event(
                "sar.created",
                actor,
                organisation_id,
                record_type="person_record",
                record_id=str(sar_in.person_record_id),
                record_organisation_id=organisation_id,
                details={"sar_id": str(sar.id), "due_on": sar.due_on.isoformat()},
            ),
        )
        out = SarOut.model_validate(sar)
        out.overdue = rules.is_overdue(sar.due_on, today, sar.status)
        return out


def generate_pack(
    *,
    session: Session,
    actor: Actor | None,
    organisation_id: uuid.UUID,
    reference: str,
    fmt: PackFormat,
) -> Pack:
    """Build the pack and write one disclosure event per record in it (AUD-3)."""
    _check(actor, organisation_id)
    with atomic(session), rows_beyond_reach(session):
        sar = queries.get(session, actor, reference, organisation_id)
        pack = queries.build_pack(session, sar)
        counts = {r.record_id: len(r.incidents) for r in pack.records}
        for record_id, holder in queries.record_holders(pack, session):
            record(
                session,
                _event(
                    "sar.pack_generated",
                    actor,
                    organisation_id,
                    record_type="person_record",
                    record_id=str(record_id),
                    record_organisation_id=holder,
                    purpose="subject_access",
                    recipient_organisation_id=organisation_id,
                    recipient_person=RECIPIENT,
                    details={
                        "sar_id": str(sar.id),
                        "format": fmt.value,
                        "incidents": counts.get(record_id, 0),
                    },
                ),
            )
    return pack


def complete(
    *, session: Session, actor: Actor | None, organisation_id: uuid.UUID, reference: str
) -> SarOut:
    """Mark a request answered: it leaves the overdue list (audited)."""
    _check(actor, organisation_id)
    with atomic(session):
        sar = queries.get(session, actor, reference, organisation_id)
        if sar.status == "completed":
            raise Conflict("This request is already completed")
        sar.status = "completed"
        sar.completed_at = clock.utc_now()
        record(
            session,
            _event(
                "sar.completed",
                actor,
                organisation_id,
                record_type="subject_access_request",
                record_id=str(sar.id),
                details={"sar_id": str(sar.id)},
            ),
        )
        session.flush()
        return SarOut.model_validate(sar)
