"""Reads of access requests: the holder's queue and the requester's own requests."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from joinedup.access.actor import Actor
from joinedup.access.models import AccessGrant, AccessRequest
from joinedup.access.schemas import AccessRequestStatus
from joinedup.access.scope import visible_person_records
from joinedup.agreements.schemas import DataCategory, Purpose
from joinedup.common import clock
from joinedup.partners.models import Organisation, User
from joinedup.people.models import PersonRecord


class RequestForHolder(BaseModel):
    """A request in the holding organisation's queue (the holder's own record named)."""

    id: uuid.UUID
    requester_name: str
    requester_organisation: str
    record_reference: str
    record_name: str
    data_categories: list[DataCategory]
    purpose: Purpose
    justification: str
    created_at: datetime
    status: AccessRequestStatus
    decision_reason: str


class MyRequest(BaseModel):
    """A request as its requester sees it: no content of the other record."""

    id: uuid.UUID
    holder_organisation: str
    data_categories: list[DataCategory]
    purpose: Purpose
    created_at: datetime
    status: AccessRequestStatus
    decision_reason: str
    access_until: datetime | None
    # Only while access lasts: the record the requester may now open.
    record_id: uuid.UUID | None = None


def for_holder(session: Session, actor: Actor) -> list[RequestForHolder]:
    """Requests for the actor's organisation's records, pending first, newest first."""
    requester_org = aliased(Organisation)
    stmt = visible_person_records(
        select(AccessRequest, User.display_name, requester_org.name, PersonRecord)
        .join(User, User.id == AccessRequest.requester_user_id)
        .join(requester_org, requester_org.id == AccessRequest.requester_organisation_id)
        .join(PersonRecord, PersonRecord.id == AccessRequest.person_record_id)
        .where(
            AccessRequest.holder_organisation_id == actor.organisation_id,
            AccessRequest.holder_reference.is_(None),
        ),
        actor,
    ).order_by(AccessRequest.created_at.desc())
    rows = [
        RequestForHolder(
            id=req.id,
            requester_name=name,
            requester_organisation=org,
            record_reference=person.reference,
            record_name=f"{person.first_name} {person.surname}".strip(),
            data_categories=req.data_categories,
            purpose=req.purpose,
            justification=req.justification,
            created_at=req.created_at,
            status=req.status,
            decision_reason=req.decision_reason,
        )
        for req, name, org, person in session.execute(stmt)
    ]
    rows += _encoded_for_holder(session, actor)
    rows.sort(key=lambda r: r.created_at, reverse=True)
    return sorted(rows, key=lambda r: r.status is not AccessRequestStatus.PENDING)


ENCODED_RECORD = "Matched on encodings"


def _encoded_for_holder(session: Session, actor: Actor) -> list[RequestForHolder]:
    """Requests from signposts matched on encodings: the holder's own reference is the only
    name of the record (the requester's record is not shown to the holder)."""
    requester_org = aliased(Organisation)
    stmt = (
        select(AccessRequest, User.display_name, requester_org.name)
        .join(User, User.id == AccessRequest.requester_user_id)
        .join(requester_org, requester_org.id == AccessRequest.requester_organisation_id)
        .where(
            AccessRequest.holder_organisation_id == actor.organisation_id,
            AccessRequest.holder_reference.is_not(None),
        )
    )
    return [
        RequestForHolder(
            id=req.id,
            requester_name=name,
            requester_organisation=org,
            record_reference=req.holder_reference or "",
            record_name=ENCODED_RECORD,
            data_categories=req.data_categories,
            purpose=req.purpose,
            justification=req.justification,
            created_at=req.created_at,
            status=req.status,
            decision_reason=req.decision_reason,
        )
        for req, name, org in session.execute(stmt)
    ]


def mine(session: Session, actor: Actor) -> list[MyRequest]:
    """The actor's own requests with their status and, when approved, until when."""
    now = clock.utc_now()
    stmt = (
        select(AccessRequest, Organisation.name, AccessGrant.expires_at)
        .join(Organisation, Organisation.id == AccessRequest.holder_organisation_id)
        .outerjoin(AccessGrant, AccessGrant.request_id == AccessRequest.id)
        .where(AccessRequest.requester_user_id == actor.user_id)
        .order_by(AccessRequest.created_at.desc())
    )
    return [
        MyRequest(
            id=req.id,
            holder_organisation=org,
            data_categories=req.data_categories,
            purpose=req.purpose,
            created_at=req.created_at,
            status=req.status,
            decision_reason=req.decision_reason,
            access_until=until if until is not None and until > now else None,
            record_id=req.person_record_id if until is not None and until > now else None,
        )
        for req, org, until in session.execute(stmt)
    ]
