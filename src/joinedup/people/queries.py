"""Reads of person records, always through ``access.scope`` and audited as consultation.

Lists and searches use the access context for any purpose; opening a record needs a stated
purpose (AUD-2) and shows another organisation's record only for the data categories the
agreement (or a live grant) covers for that purpose. Confidential addresses are masked in
every payload unless the holder's practitioner or supervisor reveals one (SHR-4, SHR-5).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from joinedup.access.actor import Actor
from joinedup.access.context import AccessContext, load_context
from joinedup.access.policy import RECORD_WRITE_ROLES
from joinedup.access.purposes import StatedPurpose
from joinedup.access.scope import visible_incidents, visible_person_records
from joinedup.agreements.schemas import DataCategory
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
from joinedup.people.schemas import MASKED, PersonOut, PersonSummary
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
    """A person record as the reader may see it, with the incidents it is involved in."""

    person: PersonOut
    organisation_name: str
    own_record: bool
    shared_categories: list[DataCategory]
    involvements: list[PersonInvolvement]


def _context(session: Session, who: Actor | AccessContext) -> AccessContext:
    return who if isinstance(who, AccessContext) else load_context(session, who)


def may_reveal_role(actor: Actor) -> bool:
    """Whether the actor's role may reveal a confidential address of its own organisation."""
    return actor.role in RECORD_WRITE_ROLES


def may_reveal(ctx: AccessContext, person: PersonRecord) -> bool:
    """Only the holder's practitioners and supervisors may reveal a confidential address."""
    return person.organisation_id == ctx.actor.organisation_id and may_reveal_role(ctx.actor)


def _address_shown(ctx: AccessContext, person: PersonRecord) -> bool:
    if person.address_confidential:
        return False
    cats = ctx.categories_of(person.organisation_id, person.id)
    return DataCategory.CONTACT_ADDRESS in cats


def summary(ctx: AccessContext, person: PersonRecord) -> PersonSummary:
    """A list row: the postcode masked unless the reader may see the address."""
    out = PersonSummary.model_validate(person)
    if not _address_shown(ctx, person):
        out = out.model_copy(update={"postcode": MASKED, "address_masked": True})
    return out


def person_out(ctx: AccessContext, person: PersonRecord, reveal: bool = False) -> PersonOut:
    """The full record, masked to what the reader may see (``reveal``: for this response)."""
    out = PersonOut.model_validate(person)
    own = person.organisation_id == ctx.actor.organisation_id
    update: dict[str, object] = {}
    if not (_address_shown(ctx, person) or (reveal and may_reveal(ctx, person))):
        update.update(address_line=MASKED, postcode=MASKED, address_masked=True)
        if not own:
            update["town"] = MASKED
    if not own:
        update["vulnerability_markers"] = []
    return out.model_copy(update=update) if update else out


def list_for(
    session: Session, actor: Actor | AccessContext, page: int = 1, per_page: int = PER_PAGE
) -> Page[PersonSummary]:
    """The person records the actor may see, by surname."""
    ctx = _context(session, actor)
    stmt = visible_person_records(select(PersonRecord), ctx).order_by(
        PersonRecord.surname, PersonRecord.first_name, PersonRecord.id
    )
    result = paginate(session, stmt, page, per_page)
    return Page(
        items=[summary(ctx, p) for p in result.items],
        page=result.page,
        per_page=result.per_page,
        total=result.total,
    )


def name_or_reference_starts(stmt: Select[Any], words: list[str]) -> Select[Any]:
    """``stmt`` narrowed to person records whose surname, first name or reference starts with
    each of ``words`` (LIKE wildcards escaped, so "GBC_ASB_12" matches itself only)."""
    for word in words:
        pattern = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(
            or_(
                PersonRecord.surname.ilike(pattern, escape="\\"),
                PersonRecord.first_name.ilike(pattern, escape="\\"),
                PersonRecord.reference.ilike(pattern, escape="\\"),
            )
        )
    return stmt


def search(
    session: Session, actor: Actor | AccessContext, text: str, limit: int = 50
) -> list[PersonSummary]:
    """Person records the actor may see whose name or reference starts with ``text``."""
    words = [w for w in text.strip().split() if w][:3]
    if not words:
        return []
    ctx = _context(session, actor)
    stmt = visible_person_records(select(PersonRecord), ctx)
    stmt = name_or_reference_starts(stmt, words)
    stmt = stmt.order_by(PersonRecord.surname, PersonRecord.first_name).limit(limit)
    return [summary(ctx, p) for p in session.scalars(stmt)]


def count_for(session: Session, actor: Actor | AccessContext) -> int:
    """How many person records the actor may see."""
    return list_for(session, actor, 1, per_page=1).total


def _involvements(
    session: Session, ctx: AccessContext, person: PersonRecord
) -> list[PersonInvolvement]:
    # A person record's incidents are its holder's (an incident involves only its own
    # organisation's records), so the filter is narrowed to that holder.
    stmt = visible_incidents(
        select(Incident, Involvement.role, Location.description)
        .join(Involvement, Involvement.incident_id == Incident.id)
        .outerjoin(Location, Location.id == Incident.location_id)
        .where(Involvement.person_record_id == person.id),
        ctx,
        person.organisation_id,
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
        for inc, role, where in session.execute(stmt).all()
    ]


def _visible_row(
    session: Session, ctx: AccessContext, person_id: uuid.UUID
) -> tuple[PersonRecord, str] | None:
    row = session.execute(
        visible_person_records(
            select(PersonRecord, Organisation.name)
            .join(Organisation, Organisation.id == PersonRecord.organisation_id)
            .where(PersonRecord.id == person_id),
            ctx,
        )
    ).first()
    return None if row is None else (row[0], row[1])


def exists_for(session: Session, actor: Actor, person_id: uuid.UUID) -> bool:
    """Whether the actor may open this record for some purpose (unknown and forbidden alike)."""
    return _visible_row(session, load_context(session, actor), person_id) is not None


def _event(
    ctx: AccessContext, name: str, person: PersonRecord, stated: StatedPurpose, shown: int
) -> AuditEvent:
    return AuditEvent(
        name=name,
        actor_user_id=ctx.actor.user_id,
        actor_organisation_id=ctx.actor.organisation_id,
        actor_role=ctx.actor.role.value,
        record_type="person_record",
        record_id=str(person.id),
        record_organisation_id=person.organisation_id,
        purpose=stated.purpose.value,
        justification=stated.justification,
        details={"incidents_shown": shown},
    )


def profile(
    session: Session,
    actor: Actor,
    person_id: uuid.UUID,
    *,
    stated: StatedPurpose,
    reveal_address: bool = False,
    ctx: AccessContext | None = None,
) -> PersonProfile:
    """One person record with its incidents for ``stated`` purpose; the read is audited.

    ``ctx`` is the access context of this request for ``stated`` when the caller has it already
    (it must be loaded in this request: contexts are never reused across requests, AC-5)."""
    with atomic(session):
        if ctx is None or ctx.purpose != stated.purpose.value or ctx.actor != actor:
            ctx = load_context(session, actor, stated.purpose.value)
        row = _visible_row(session, ctx, person_id)
        if row is None or (reveal_address and not may_reveal(ctx, row[0])):
            raise NotFound()
        person, org_name = row
        # Held for the rest of the request: the page's "known to" signposts start from this
        # record, and the session's identity map alone holds it only weakly.
        session.info.setdefault("person_records_read", {})[person.id] = person
        own = person.organisation_id == actor.organisation_id
        result = PersonProfile(
            person=person_out(ctx, person, reveal=reveal_address),
            organisation_name=org_name,
            own_record=own,
            shared_categories=sorted(
                DataCategory(c) for c in ctx.categories_of(person.organisation_id, person.id)
            ),
            involvements=_involvements(session, ctx, person),
        )
        # A reveal is itself the consultation: one event, of its own name (AUD-1, SHR-5).
        name = "person.address_revealed" if reveal_address else "person.viewed"
        record(session, _event(ctx, name, person, stated, len(result.involvements)))
    return result
