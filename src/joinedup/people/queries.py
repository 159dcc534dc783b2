"""Reads of person records, always through ``access.scope`` and audited as consultation."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from joinedup.access.actor import Actor
from joinedup.access.scope import visible_incidents, visible_person_records
from joinedup.audit.events import AuditEvent
from joinedup.audit.service import record
from joinedup.common.errors import NotFound
from joinedup.common.pagination import PER_PAGE, Page, paginate
from joinedup.db import atomic
from joinedup.incidents.models import Incident, Involvement
from joinedup.incidents.schemas import InvolvementRole
from joinedup.incidents.taxonomy import label
from joinedup.partners.models import Organisation
from joinedup.people.models import PersonRecord
from joinedup.people.schemas import PersonOut, PersonSummary
from joinedup.places.models import Location


class PersonInvolvement(BaseModel):
    """An incident a person was involved in, with their role."""

    incident_id: uuid.UUID
    reference: str
    category: str
    category_label: str
    occurred_at: datetime | None
    role: InvolvementRole
    location: str


class PersonProfile(BaseModel):
    """A person record as its holder sees it, with the incidents it is involved in."""

    person: PersonOut
    organisation_name: str
    involvements: list[PersonInvolvement]


def list_for(
    session: Session, actor: Actor, page: int = 1, per_page: int = PER_PAGE
) -> Page[PersonSummary]:
    """The person records the actor may see, by surname."""
    stmt = visible_person_records(select(PersonRecord), actor).order_by(
        PersonRecord.surname, PersonRecord.first_name, PersonRecord.id
    )
    result = paginate(session, stmt, page, per_page)
    return Page(
        items=[PersonSummary.model_validate(p) for p in result.items],
        page=result.page,
        per_page=result.per_page,
        total=result.total,
    )


def search(session: Session, actor: Actor, text: str, limit: int = 50) -> list[PersonSummary]:
    """Person records the actor may see whose name or reference starts with ``text``."""
    words = [w for w in text.strip().split() if w][:3]
    if not words:
        return []
    stmt = visible_person_records(select(PersonRecord), actor)
    for word in words:
        # Escape LIKE wildcards so a reference such as "GBC_ASB_12" matches itself only.
        pattern = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(
            or_(
                PersonRecord.surname.ilike(pattern, escape="\\"),
                PersonRecord.first_name.ilike(pattern, escape="\\"),
                PersonRecord.reference.ilike(pattern, escape="\\"),
            )
        )
    stmt = stmt.order_by(PersonRecord.surname, PersonRecord.first_name).limit(limit)
    return [PersonSummary.model_validate(p) for p in session.scalars(stmt)]


def _involvements(session: Session, actor: Actor, person_id: uuid.UUID) -> list[PersonInvolvement]:
    stmt = visible_incidents(
        select(Incident, Involvement.role, Location.description)
        .join(Involvement, Involvement.incident_id == Incident.id)
        .outerjoin(Location, Location.id == Incident.location_id)
        .where(Involvement.person_record_id == person_id),
        actor,
    ).order_by(Incident.occurred_at.desc(), Incident.id)
    return [
        PersonInvolvement(
            incident_id=inc.id,
            reference=inc.reference,
            category=inc.category,
            category_label=label(inc.category),
            occurred_at=inc.occurred_at,
            role=role,
            location=where or "",
        )
        for inc, role, where in session.execute(stmt)
    ]


def profile(session: Session, actor: Actor, person_id: uuid.UUID) -> PersonProfile:
    """One person record with its incidents; the read is written to the ledger."""
    with atomic(session):
        row = session.execute(
            visible_person_records(
                select(PersonRecord, Organisation.name)
                .join(Organisation, Organisation.id == PersonRecord.organisation_id)
                .where(PersonRecord.id == person_id),
                actor,
            )
        ).first()
        if row is None:
            raise NotFound()
        person, org_name = row
        result = PersonProfile(
            person=PersonOut.model_validate(person),
            organisation_name=org_name,
            involvements=_involvements(session, actor, person.id),
        )
        record(
            session,
            AuditEvent(
                name="person.viewed",
                actor_user_id=actor.user_id,
                actor_organisation_id=actor.organisation_id,
                actor_role=actor.role.value,
                record_type="person_record",
                record_id=str(person.id),
                purpose="own_organisation_record",
                details={"incidents_shown": len(result.involvements)},
            ),
        )
    return result
