"""Reads of incidents, always through ``access.scope``; opening one is audited as consultation.

Another organisation's incidents are visible only for the data categories an agreement shares
for the purpose (or a live grant covers); clinical notes reach only the holder's clinical staff
(AC-2) and are otherwise absent from the payload.
"""

from __future__ import annotations

import uuid

from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from joinedup.access.actor import Actor
from joinedup.access.context import AccessContext, load_context
from joinedup.access.policy import RECORD_WRITE_ROLES
from joinedup.access.purposes import StatedPurpose
from joinedup.access.scope import visible_incidents, visible_person_records
from joinedup.audit.events import AuditEvent
from joinedup.audit.service import record
from joinedup.common.errors import NotFound
from joinedup.common.pagination import PER_PAGE, Page, paginate
from joinedup.config import get_settings
from joinedup.db import atomic
from joinedup.incidents.models import Incident, Involvement
from joinedup.incidents.schemas import IncidentSummary, InvolvementOut
from joinedup.incidents.taxonomy import BY_CODE, harm_weight, label
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


class ClinicalIncidentDetail(IncidentDetail):
    """An incident as the holder's clinical staff see it, with the clinical notes."""

    clinical_notes: str


CLINICAL_KINDS = frozenset({"mental_health_trust", "nhs_icb"})


def sees_clinical_notes(session: Session, ctx: AccessContext, holder: uuid.UUID) -> bool:
    """Clinical notes: the holder's practitioners and supervisors in a clinical organisation."""
    if holder != ctx.actor.organisation_id or ctx.actor.role not in RECORD_WRITE_ROLES:
        return False
    kind = session.scalar(select(Organisation.kind).where(Organisation.id == holder))
    return kind is not None and kind.value in CLINICAL_KINDS


def _context(session: Session, who: Actor | AccessContext) -> AccessContext:
    return who if isinstance(who, AccessContext) else load_context(session, who)


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
    actor: Actor | AccessContext,
    page: int = 1,
    category: str | None = None,
    per_page: int = PER_PAGE,
) -> Page[IncidentSummary]:
    """The incidents the actor may see, newest first, optionally of one category."""
    ctx = _context(session, actor)
    stmt = visible_incidents(
        select(Incident, Location).outerjoin(Location, Location.id == Incident.location_id), ctx
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


def counts_by_category(session: Session, actor: Actor | AccessContext) -> dict[str, int]:
    """How many visible incidents there are of each category."""
    stmt = visible_incidents(
        select(Incident.category, func.count()).group_by(Incident.category),
        _context(session, actor),
    )
    return {cat: n for cat, n in session.execute(stmt)}


def _people(session: Session, actor: AccessContext, incident_id: uuid.UUID) -> list[InvolvementOut]:
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


def exists_for(session: Session, actor: Actor, incident_id: uuid.UUID) -> bool:
    """Whether the actor may open this incident for some purpose (unknown and forbidden alike)."""
    stmt = visible_incidents(
        select(Incident.id).where(Incident.id == incident_id), _context(session, actor)
    )
    return session.scalar(stmt) is not None


def detail(
    session: Session, actor: Actor, incident_id: uuid.UUID, *, stated: StatedPurpose
) -> IncidentDetail:
    """One incident with its location and the people involved; the read is audited."""
    with atomic(session):
        ctx = load_context(session, actor, stated.purpose.value)
        row = session.execute(
            visible_incidents(
                select(Incident, Location, Organisation.name)
                .outerjoin(Location, Location.id == Incident.location_id)
                .join(Organisation, Organisation.id == Incident.organisation_id)
                .where(Incident.id == incident_id),
                ctx,
            )
        ).first()
        if row is None:
            raise NotFound()
        inc, loc, org_name = row
        cat = BY_CODE.get(inc.category)
        fields = dict(
            summary=_summary(inc, loc),
            organisation_name=org_name,
            narrative=inc.narrative,
            reported_at_iso=inc.reported_at.isoformat() if inc.reported_at else None,
            source=inc.source.value,
            outcome=inc.outcome,
            context=inc.context,
            no_location=inc.no_location,
            outside_area=inc.outside_area,
            harm_weight=harm_weight(inc.category, get_settings().harm_weights) if cat else None,
            location=location_out(loc) if loc else None,
            people=_people(session, ctx, inc.id),
        )
        result = (
            ClinicalIncidentDetail(**fields, clinical_notes=inc.clinical_notes)
            if sees_clinical_notes(session, ctx, inc.organisation_id)
            else IncidentDetail(**fields)
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
                record_organisation_id=inc.organisation_id,
                purpose=stated.purpose.value,
                justification=stated.justification,
            ),
        )
    return result


def involved_record_ids(session: Session, incident_id: uuid.UUID) -> list[uuid.UUID]:
    """Ids of the person records involved in an incident (ids only: used to find the reader's
    own stated purpose, never shown)."""
    stmt = select(Involvement.person_record_id).where(Involvement.incident_id == incident_id)
    return list(session.scalars(stmt))
