"""Row filters: the one place that decides which records a read path may return (AC-3).

Every query of personal data goes through a function here. Default deny: an actor sees the
records their own organisation holds, in roles that work with records; another organisation's
records only where an active information-sharing agreement covers them for the purpose of the
read (``access.context``), or a live access grant does. Given a bare ``Actor`` (no context),
only the actor's own organisation's records are visible.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from functools import lru_cache
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, and_, false, or_, select

from joinedup.access.actor import Actor
from joinedup.access.context import AccessContext, own_only
from joinedup.access.policy import RECORD_ROLES
from joinedup.agreements.schemas import DataCategory
from joinedup.incidents.models import Incident, Involvement
from joinedup.incidents.taxonomy import CATEGORIES
from joinedup.people.models import PersonRecord

S = TypeVar("S", bound=Select[*tuple[Any, ...]])


def _ctx(who: Actor | AccessContext) -> AccessContext:
    return who if isinstance(who, AccessContext) else own_only(who)


def category_codes(data_categories: Iterable[str]) -> list[str]:
    """Incident category codes whose data category is one of ``data_categories``."""
    return list(_codes(frozenset(data_categories)))


@lru_cache(maxsize=256)
def _codes(wanted: frozenset[str]) -> tuple[str, ...]:
    return tuple(sorted(c.code for c in CATEGORIES if c.data_category.value in wanted))


def person_condition(who: Actor | AccessContext) -> ColumnElement[bool]:
    """The SQL condition for person records ``who`` may see."""
    ctx = _ctx(who)
    if ctx.actor.role not in RECORD_ROLES:
        return false()
    identity_holders = [h for h, cats in ctx.shared.items() if DataCategory.IDENTITY in cats]
    terms: list[ColumnElement[bool]] = [PersonRecord.organisation_id == ctx.actor.organisation_id]
    if identity_holders:
        terms.append(PersonRecord.organisation_id.in_(identity_holders))
    granted = [r for r, g in ctx.grants.items() if DataCategory.IDENTITY in g.data_categories]
    if granted:
        terms.append(PersonRecord.id.in_(granted))
    return or_(*terms)


def _granted_incidents(ctx: AccessContext, holder: uuid.UUID | None) -> list[ColumnElement[bool]]:
    terms: list[ColumnElement[bool]] = []
    for record_id, grant in ctx.grants.items():
        codes = category_codes(grant.data_categories)
        if not codes or holder not in (None, grant.holder_organisation_id):
            continue
        involved = select(Involvement.incident_id).where(Involvement.person_record_id == record_id)
        terms.append(
            and_(
                Incident.organisation_id == grant.holder_organisation_id,
                Incident.category.in_(codes),
                Incident.id.in_(involved),
            )
        )
    return terms


def incident_condition(
    who: Actor | AccessContext, holder: uuid.UUID | None = None
) -> ColumnElement[bool]:
    """The SQL condition for incidents ``who`` may see (only ``holder``'s, when given)."""
    ctx = _ctx(who)
    if ctx.actor.role not in RECORD_ROLES:
        return false()
    own = ctx.actor.organisation_id
    terms: list[ColumnElement[bool]] = []
    if holder in (None, own):
        terms.append(Incident.organisation_id == own)
    shared = sorted(ctx.shared.items()) if holder is None else [(holder, ctx.shared.get(holder))]
    for org, cats in shared:
        codes = category_codes(cats) if cats else []
        if codes:
            terms.append(and_(Incident.organisation_id == org, Incident.category.in_(codes)))
    terms += _granted_incidents(ctx, holder)
    return or_(*terms) if terms else false()


def visible_person_records(stmt: S, who: Actor | AccessContext) -> S:
    """Limit ``stmt`` to the person records ``who`` may see."""
    return stmt.where(person_condition(who))


def visible_incidents(stmt: S, who: Actor | AccessContext, holder: uuid.UUID | None = None) -> S:
    """Limit ``stmt`` to the incidents ``who`` may see; ``holder`` narrows the filter to one
    organisation's incidents (a smaller statement when the caller already knows it)."""
    stmt = stmt.where(incident_condition(who, holder))
    return stmt if holder is None else stmt.where(Incident.organisation_id == holder)


def granted_record_ids(who: Actor | AccessContext) -> list[uuid.UUID]:
    """Ids of the records the actor holds a live grant for."""
    return list(_ctx(who).grants)
