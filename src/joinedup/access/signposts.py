""" "Known to" signposting: that a linked record exists elsewhere, never what it holds.

For each record linked to the one being read (``people.linking``) whose content the reader may
not fully see, and whose holder signposts to the reader's organisation under an active
agreement, the reader learns the organisation, the data categories held and a month-precision
date range. Signposts are numbered and recomputed server-side: the other record's id never
leaves the server.

A holder that shares no identities (the mental-health trust) raises signposts from Bloom-filter
encodings instead (``linkage.pprl_models``, docs/pprl.md): a "known to" flag on any record of
the person's entity signposts the holder under the same check (an active agreement letting the
holder signpost to the reader's organisation, and a role that may see signposts). Such a
signpost names the holder and the categories a holder of its kind keeps (or, for other kinds,
those its signposting agreements name) and nothing else: no date, no holder reference, no score.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace

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
from joinedup.agreements.schemas import AgreementStatus, DataCategory
from joinedup.audit.events import AuditEvent
from joinedup.audit.service import record
from joinedup.common.clock import london
from joinedup.incidents.models import Incident, Involvement
from joinedup.incidents.taxonomy import BY_CODE
from joinedup.linkage.pprl_models import PprlFlag
from joinedup.partners.models import Organisation
from joinedup.partners.schemas import OrgKind
from joinedup.people.linking import linked_record_ids
from joinedup.people.models import PersonRecord


class Signpost(BaseModel):
    """A linked record held elsewhere: organisation, categories and dates, no content."""

    number: int
    organisation_name: str
    data_categories: list[DataCategory]
    category_labels: list[str]
    date_range: str
    # Matched on encodings: the holder keeps the record off the platform (no emergency access).
    matched_on_encodings: bool = False


@dataclass(frozen=True, slots=True)
class SignpostTarget:
    """What a signpost points at, kept server-side.

    For a signpost matched on encodings, ``record_id`` is the record of the person's entity that
    was matched (not the holder's: the holder has none here), ``holder_reference`` the holder's
    own id for its record (named to the holder alone, in an access request) and ``flag_id`` the
    match."""

    signpost: Signpost
    record_id: uuid.UUID
    holder_organisation_id: uuid.UUID
    holder_reference: str | None = None
    flag_id: uuid.UUID | None = None


# What a holder of these kinds keeps about a person, for a signpost matched on encodings.
HELD_BY_KIND = {
    OrgKind.MENTAL_HEALTH_TRUST: DataCategory.MENTAL_HEALTH,
    OrgKind.NHS_ICB: DataCategory.PHYSICAL_HEALTH,
    OrgKind.DOMESTIC_ABUSE_SERVICE: DataCategory.DOMESTIC_ABUSE,
    OrgKind.HOUSING_PROVIDER: DataCategory.HOUSING,
}
NOT_SHARED = "Not shared"


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
    found = _record_targets(session, ctx, linked)
    # A holder already signposted by a linked record needs no second signpost.
    signposted = {t.holder_organisation_id for t in found}
    found += _encoded_targets(session, ctx, [person_id, *linked], signposted)
    # One numbering over both kinds, by organisation: the same on every computation.
    found.sort(key=lambda t: (t.signpost.organisation_name, t.signpost.matched_on_encodings))
    return [
        replace(t, signpost=t.signpost.model_copy(update={"number": n}))
        for n, t in enumerate(found, start=1)
    ]


def _record_targets(
    session: Session, ctx: AccessContext, linked: list[uuid.UUID]
) -> list[SignpostTarget]:
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


def _encoded_categories(ctx: AccessContext, holder: uuid.UUID, kind: OrgKind) -> list[DataCategory]:
    """Identity and what a holder of ``kind`` keeps; for other kinds, the categories of the
    agreements that let ``holder`` signpost to the reader."""
    cats = {DataCategory.IDENTITY}
    held = HELD_BY_KIND.get(kind)
    if held is not None:
        cats.add(held)
    else:
        reader = ctx.actor.organisation_id
        for a in ctx.facts.agreements:
            if (
                a.state is AgreementStatus.ACTIVE
                and a.known_to_allowed
                and {holder, reader} <= a.parties
            ):
                cats |= {DataCategory(c) for c in a.data_categories}
    return sorted(cats)


def _encoded_targets(
    session: Session, ctx: AccessContext, records: list[uuid.UUID], skip: set[uuid.UUID]
) -> list[SignpostTarget]:
    """One signpost per holder with a "known to" flag on any of ``records`` (the entity)."""
    rows = session.execute(
        select(PprlFlag, Organisation.name, Organisation.kind)
        .join(Organisation, Organisation.id == PprlFlag.holder_organisation_id)
        .where(PprlFlag.person_record_id.in_(records))
        .order_by(Organisation.name, PprlFlag.score.desc(), PprlFlag.id)
    ).all()
    out: list[SignpostTarget] = []
    seen = {ctx.actor.organisation_id, *skip}
    for flag, org_name, kind in rows:
        holder = flag.holder_organisation_id
        if holder in seen:
            continue
        seen.add(holder)
        if not ctx.can(Action.KNOW_EXISTENCE, Resource("pprl_flag", holder)):
            continue
        cats = _encoded_categories(ctx, holder, kind)
        sign = Signpost(
            number=0,
            organisation_name=org_name,
            data_categories=cats,
            category_labels=[c.label for c in cats],
            date_range=NOT_SHARED,
            matched_on_encodings=True,
        )
        out.append(
            SignpostTarget(sign, flag.person_record_id, holder, flag.holder_reference, flag.id)
        )
    return out


def shown(session: Session, ctx: AccessContext, person_id: uuid.UUID) -> list[Signpost]:
    """The signposts for a person page; each one shown is audited as a consultation."""
    # One transaction: the existence checks and the audit events of what was shown.
    with transaction_beyond_reach(session):
        found = _targets(session, ctx, person_id)
        for t in found:
            record(session, _shown_event(ctx, t))
    return [t.signpost for t in found]


def _shown_event(ctx: AccessContext, t: SignpostTarget) -> AuditEvent:
    """``sharing.signpost_shown``: the holder's record, or the holder's match on encodings (the
    flag, and the entity's record it is on; never the holder's reference or the score)."""
    details: dict[str, str | int | bool | None] = {"categories": len(t.signpost.data_categories)}
    record_type, record_id = "person_record", str(t.record_id)
    if t.flag_id is not None:
        record_type, record_id = "pprl_flag", str(t.flag_id)
        details |= {"matched_on_encodings": True, "person_record_id": str(t.record_id)}
    return AuditEvent(
        name="sharing.signpost_shown",
        actor_user_id=ctx.actor.user_id,
        actor_organisation_id=ctx.actor.organisation_id,
        actor_role=ctx.actor.role.value,
        record_type=record_type,
        record_id=record_id,
        record_organisation_id=t.holder_organisation_id,
        purpose=ctx.purpose or "",
        details=details,
    )
