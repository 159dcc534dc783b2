"""Reads of incidents, always through ``access.scope``; opening one is audited as consultation."""

from __future__ import annotations

import uuid

from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from joinedup.access.actor import Actor
from joinedup.access.scope import visible_incidents, visible_person_records
from joinedup.audit.events import AuditEvent
from joinedup.audit.service import record
from joinedup.common.errors import NotFound
from joinedup.common.pagination import PER_PAGE, Page, paginate
from joinedup.db import atomic
from joinedup.incidents.models import Incident, Involvement
from joinedup.incidents.schemas import IncidentSummary, InvolvementOut
from joinedup.incidents.taxonomy import BY_CODE, label
from joinedup.partners.models import Organisation
from joinedup.people.models import PersonRecord
from joinedup.places.models import Location
from joinedup.places.queries import location_out
from joinedup.places.schemas import LocationOut


class IncidentDetail(BaseModel):
    """An incident as its holder sees it."""

    summary: IncidentSummary
    organisation_name: str
    narrative: str
    reported_at_iso: str | None
    source: str
    outcome: str
    context: str
    no_location: bool
    outside_area: bool
    harm_weight: float | None
    location: LocationOut | None
    people: list[InvolvementOut]


def _summary(inc: Incident, loc: Location | None) -> IncidentSummary:
    return IncidentSummary(
        id=inc.id,
        organisation_id=inc.organisation_id,
        reference=inc.reference,
        category=inc.category,
        category_label=label(inc.category),
        occurred_at=inc.occurred_at,
        occurred_precision=inc.occurred_precision,
        location_description=loc.description if loc else "",
        district=loc.district_name if loc else None,
    )


def list_for(
    session: Session,
    actor: Actor,
    page: int = 1,
    category: str | None = None,
    per_page: int = PER_PAGE,
) -> Page[IncidentSummary]:
    """The incidents the actor may see, newest first, optionally of one category."""
    stmt = visible_incidents(
        select(Incident, Location).outerjoin(Location, Location.id == Incident.location_id), actor
    )
    if category:
        stmt = stmt.where(Incident.category == category)
    stmt = stmt.order_by(Incident.occurred_at.desc(), Incident.id)
    result = paginate(session, stmt, page, per_page)
    return Page(
        items=[_summary(inc, loc) for inc, loc in result.items],
        page=result.page,
        per_page=result.per_page,
        total=result.total,
    )


def counts_by_category(session: Session, actor: Actor) -> dict[str, int]:
    """How many visible incidents there are of each category."""
    stmt = visible_incidents(
        select(Incident.category, func.count()).group_by(Incident.category), actor
    )
    return {cat: n for cat, n in session.execute(stmt)}


def _people(session: Session, actor: Actor, incident_id: uuid.UUID) -> list[InvolvementOut]:
    stmt = visible_person_records(
        select(PersonRecord, Involvement.role)
        .join(Involvement, Involvement.person_record_id == PersonRecord.id)
        .where(Involvement.incident_id == incident_id),
        actor,
    ).order_by(Involvement.role, PersonRecord.surname)
    return [
        InvolvementOut(
            person_id=p.id, name=f"{p.first_name} {p.surname}".strip() or p.reference, role=role
        )
        for p, role in session.execute(stmt)
    ]


def detail(session: Session, actor: Actor, incident_id: uuid.UUID) -> IncidentDetail:
    """One incident with its location and the people involved; the read is audited."""
    with atomic(session):
        row = session.execute(
            visible_incidents(
                select(Incident, Location, Organisation.name)
                .outerjoin(Location, Location.id == Incident.location_id)
                .join(Organisation, Organisation.id == Incident.organisation_id)
                .where(Incident.id == incident_id),
                actor,
            )
        ).first()
        if row is None:
            raise NotFound()
        inc, loc, org_name = row
        cat = BY_CODE.get(inc.category)
        result = IncidentDetail(
            summary=_summary(inc, loc),
            organisation_name=org_name,
            narrative=inc.narrative,
            reported_at_iso=inc.reported_at.isoformat() if inc.reported_at else None,
            source=inc.source.value,
            outcome=inc.outcome,
            context=inc.context,
            no_location=inc.no_location,
            outside_area=inc.outside_area,
            harm_weight=cat.harm_weight if cat else None,
            location=location_out(loc) if loc else None,
            people=_people(session, actor, inc.id),
        )
        record(
            session,
            AuditEvent(
                name="incident.viewed",
                actor_user_id=actor.user_id,
                actor_organisation_id=actor.organisation_id,
                actor_role=actor.role.value,
                record_type="incident",
                record_id=str(inc.id),
                purpose="own_organisation_record",
            ),
        )
    return result
