"""Break-glass emergency access (SHR-2): a reason, a fresh password (SES-2), a time limit, and
an immediate item on the holder's review queue that names no personal data."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from joinedup.access.actor import Actor
from joinedup.access.context import rows_beyond_reach
from joinedup.access.models import AccessGrant
from joinedup.access.policy import RECORD_ROLES
from joinedup.access.schemas import GrantKind
from joinedup.agreements.schemas import DataCategory, Purpose
from joinedup.audit.events import AuditEvent
from joinedup.audit.service import record
from joinedup.common import clock
from joinedup.common.errors import Conflict, NotFound
from joinedup.db import atomic
from joinedup.oversight import service as oversight
from joinedup.oversight.schemas import ReviewKind
from joinedup.people.models import PersonRecord


class BreakGlassIn(BaseModel):
    """Why emergency access is needed: kept on the grant and shown to the reviewer only."""

    reason: str = Field(min_length=10, max_length=1000)


class BreakGlassOut(BaseModel):
    """The emergency grant: which record, until when."""

    grant_id: uuid.UUID
    review_id: uuid.UUID
    person_record_id: uuid.UUID
    expires_at: datetime


def _target(session: Session, actor: Actor, person_record_id: uuid.UUID) -> PersonRecord:
    with rows_beyond_reach(session):  # the record is by definition outside the actor's reach
        person = session.get(PersonRecord, person_record_id)
    if person is None or actor.role not in RECORD_ROLES:
        raise NotFound()
    if person.organisation_id == actor.organisation_id:
        raise Conflict("Your organisation holds this record: open it from the person page")
    return person


def active_grant(session: Session, actor: Actor, person_record_id: uuid.UUID) -> AccessGrant | None:
    """The actor's live break-glass grant for the record, if any."""
    now = clock.utc_now()
    stmt = select(AccessGrant).where(
        AccessGrant.kind == GrantKind.BREAK_GLASS,
        AccessGrant.grantee_user_id == actor.user_id,
        AccessGrant.person_record_id == person_record_id,
        AccessGrant.revoked_at.is_(None),
        AccessGrant.starts_at <= now,
        AccessGrant.expires_at > now,
    )
    return session.scalars(stmt.order_by(AccessGrant.expires_at.desc())).first()


def check_target(*, session: Session, actor: Actor, person_record_id: uuid.UUID) -> None:
    """Refuse unknown records, the actor's own organisation's records, and non-record roles."""
    _target(session, actor, person_record_id)


def invoke(
    *,
    session: Session,
    actor: Actor,
    person_record_id: uuid.UUID,
    break_glass_in: BreakGlassIn,
    hours: int,
) -> BreakGlassOut:
    """Grant the actor emergency access to another organisation's record for ``hours``."""
    with atomic(session):
        person = _target(session, actor, person_record_id)
        now = clock.utc_now()
        grant = AccessGrant(
            kind=GrantKind.BREAK_GLASS,
            grantee_user_id=actor.user_id,
            grantee_organisation_id=actor.organisation_id,
            holder_organisation_id=person.organisation_id,
            person_record_id=person.id,
            data_categories=[c.value for c in DataCategory],
            purpose=Purpose.SAFEGUARDING.value,
            reason=break_glass_in.reason.strip(),
            starts_at=now,
            expires_at=now + timedelta(hours=hours),
        )
        session.add(grant)
        session.flush()
        item = oversight.raise_item(
            session=session,
            kind=ReviewKind.BREAK_GLASS,
            organisation_id=person.organisation_id,
            subject_user_id=actor.user_id,
            grant_id=grant.id,
            details={
                "grant_id": str(grant.id),
                "record_type": "person_record",
                "record_id": str(person.id),
                "grantee_organisation_id": str(actor.organisation_id),
                "hours": hours,
            },
        )
        assert item is not None
        record(
            session,
            AuditEvent(
                name="access.break_glass",
                actor_user_id=actor.user_id,
                actor_organisation_id=actor.organisation_id,
                actor_role=actor.role.value,
                record_type="person_record",
                record_id=str(person.id),
                record_organisation_id=person.organisation_id,
                purpose="break_glass",
                justification=grant.reason,
                details={"grant_id": str(grant.id), "review_id": str(item.id), "hours": hours},
            ),
        )
        return BreakGlassOut(
            grant_id=grant.id,
            review_id=item.id,
            person_record_id=person.id,
            expires_at=grant.expires_at,
        )
