""" "Known to" signposting: that a linked record exists elsewhere, never what it holds.

For each record linked to the one being read (``people.linking``) whose content the reader may
not fully see, and whose holder signposts to the reader's organisation under an active
agreement, the reader learns the organisation, the data categories held and a month-precision
date range. Signposts are numbered and recomputed server-side: the other record's id never
leaves the server.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from joinedup.access.context import (
    AccessContext,
    rows_beyond_reach,
    transaction_beyond_reach,
)
from joinedup.access.policy import Action, Resource
from joinedup.access.rules import month_range
from joinedup.agreements.schemas import DataCategory
from joinedup.audit.events import AuditEvent
from joinedup.audit.service import record
from joinedup.common.clock import london
from joinedup.incidents.models import Incident, Involvement
from joinedup.incidents.taxonomy import BY_CODE
from joinedup.partners.models import Organisation
from joinedup.people.linking import linked_record_ids
from joinedup.people.models import PersonRecord


class Signpost(BaseModel):
    """A linked record held elsewhere: organisation, categories and dates, no content."""

    number: int
    organisation_name: str
    data_categories: list[DataCategory]
    category_labels: list[str]
    date_range: str


@dataclass(frozen=True, slots=True)
class SignpostTarget:
    """What a signpost points at, kept server-side."""

    signpost: Signpost
    record_id: uuid.UUID
    holder_organisation_id: uuid.UUID


def _held(session: Session, record: PersonRecord) -> tuple[set[str], str]:
    rows = session.execute(
        select(Incident.category, func.min(Incident.occurred_at), func.max(Incident.occurred_at))
        .join(Involvement, Involvement.incident_id == Incident.id)
        .where(
            Involvement.person_record_id == record.id,
            Incident.organisation_id == record.organisation_id,
        )
        .group_by(Incident.category)
    ).all()
    cats = {DataCategory.IDENTITY.value}
    firsts = [r[1] for r in rows if r[1] is not None]
    lasts = [r[2] for r in rows if r[2] is not None]
    for code, _first, _last in rows:
        cat = BY_CODE.get(code)
        if cat is not None:
            cats.add(cat.data_category.value)
    first = london(min(firsts)).date() if firsts else None
    last = london(max(lasts)).date() if lasts else None
    return cats, month_range(first, last)


def targets(session: Session, ctx: AccessContext, person_id: uuid.UUID) -> list[SignpostTarget]:
    """The signposts for ``person_id`` as ``ctx``'s actor may see them, in a stable order."""
    with rows_beyond_reach(session):
        return _targets(session, ctx, person_id)


def _targets(session: Session, ctx: AccessContext, person_id: uuid.UUID) -> list[SignpostTarget]:
    linked = linked_record_ids(session, person_id)
    if not linked:
        return []
    rows = session.execute(
        select(PersonRecord, Organisation.name)
        .join(Organisation, Organisation.id == PersonRecord.organisation_id)
        .where(PersonRecord.id.in_(linked))
        .order_by(Organisation.name, PersonRecord.id)
    ).all()
    out: list[SignpostTarget] = []
    for other, org_name in rows:
        holder = other.organisation_id
        resource = Resource("person_record", holder, record_id=other.id)
        if holder == ctx.actor.organisation_id or not ctx.can(Action.KNOW_EXISTENCE, resource):
            continue
        held, dates = _held(session, other)
        if not held - ctx.categories_of(holder, other.id):
            continue  # nothing is hidden from the reader: no signpost needed
        cats = sorted(DataCategory(c) for c in held)
        sign = Signpost(
            number=len(out) + 1,
            organisation_name=org_name,
            data_categories=cats,
            category_labels=[c.label for c in cats],
            date_range=dates,
        )
        out.append(SignpostTarget(sign, other.id, holder))
    return out


def shown(session: Session, ctx: AccessContext, person_id: uuid.UUID) -> list[Signpost]:
    """The signposts for a person page; each one shown is audited as a consultation."""
    # One transaction: the existence checks and the audit events of what was shown.
    with transaction_beyond_reach(session):
        found = _targets(session, ctx, person_id)
        for t in found:
            record(
                session,
                AuditEvent(
                    name="sharing.signpost_shown",
                    actor_user_id=ctx.actor.user_id,
                    actor_organisation_id=ctx.actor.organisation_id,
                    actor_role=ctx.actor.role.value,
                    record_type="person_record",
                    record_id=str(t.record_id),
                    record_organisation_id=t.holder_organisation_id,
                    purpose=ctx.purpose or "",
                    details={"categories": len(t.signpost.data_categories)},
                ),
            )
    return [t.signpost for t in found]
