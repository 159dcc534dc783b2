"""The access context: the sharing facts loaded once per read, for scope and policy.

``load_context(session, actor, purpose)`` reads the agreements in force today and the actor's
live access grants. Nothing is cached across requests, so a revoked or expired agreement or an
expired grant denies on the very next request (AC-5).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from joinedup.access.actor import Actor
from joinedup.access.models import AccessGrant
from joinedup.access.policy import Action, Decision, Resource, can
from joinedup.access.rules import (
    AgreementFacts,
    Facts,
    GrantFacts,
    agreement_facts,
    known_to_allowed,
    shared_categories,
)
from joinedup.access.schemas import GrantKind
from joinedup.agreements.models import SharingAgreement, SharingAgreementParty
from joinedup.agreements.schemas import AgreementStatus, DataCategory
from joinedup.common import clock
from joinedup.db import apply_row_security

ALL_CATEGORIES = frozenset(c.value for c in DataCategory)


@dataclass(frozen=True, slots=True)
class AccessContext:
    """Who is reading, why, and what the agreements and grants in force let them see."""

    actor: Actor
    purpose: str | None
    facts: Facts
    now: datetime
    # holder organisation -> data categories it shares with the actor's for this purpose
    shared: dict[uuid.UUID, frozenset[str]] = field(default_factory=dict)
    # person record id -> the live grant of this user for it
    grants: dict[uuid.UUID, GrantFacts] = field(default_factory=dict)

    def can(self, action: Action, resource: Resource) -> Decision:
        """The policy decision for ``resource`` under this context."""
        return can(self.actor, action, resource, self.facts)

    def categories_of(
        self, holder: uuid.UUID, record_id: uuid.UUID | None = None
    ) -> frozenset[str]:
        """Data categories of ``holder``'s records (or one record) the actor may see."""
        cats = self.shared.get(holder, frozenset())
        if holder == self.actor.organisation_id:
            return ALL_CATEGORIES
        grant = self.grants.get(record_id) if record_id else None
        if grant is not None and grant.holder_organisation_id == holder:
            cats = cats | grant.data_categories
        return cats

    def known_to(self, holder: uuid.UUID) -> bool:
        """Whether ``holder`` signposts its records to the actor's organisation."""
        return known_to_allowed(self.facts.agreements, holder, self.actor.organisation_id)

    def readable_organisations(self) -> frozenset[uuid.UUID]:
        """Own organisation and every one sharing any category with it today (for RLS)."""
        own = self.actor.organisation_id
        others = {
            p
            for a in self.facts.agreements
            if a.state is AgreementStatus.ACTIVE and own in a.parties
            for p in a.parties
        }
        return frozenset(others | {own})


def row_security_values(ctx: AccessContext) -> dict[str, str]:
    """The PostgreSQL row-security settings that back this context (AC-4): the organisations
    sharing anything with the actor's, the records and holders of the actor's live grants."""
    return {
        "joinedup.system": "off",
        "joinedup.actor_org": str(ctx.actor.organisation_id),
        "joinedup.readable_orgs": ",".join(sorted(str(o) for o in ctx.readable_organisations())),
        "joinedup.granted_records": ",".join(sorted(str(r) for r in ctx.grants)),
        "joinedup.grant_orgs": ",".join(
            sorted({str(g.holder_organisation_id) for g in ctx.grants.values()})
        ),
    }


@contextmanager
def rows_beyond_reach(session: Session) -> Iterator[None]:
    """Let this transaction see rows beyond the actor's reach, where the caller limits what
    leaves: existence-only checks ("known to" signposts), the target of a break-glass request,
    and the DPO's subject access pack (the subject's own data). Row security resumes after."""
    values = session.info.get("row_security")
    if values:
        apply_row_security(session, {**values, "joinedup.system": "on"})
    try:
        yield
    finally:
        if values:
            apply_row_security(session, values)


def _agreements(session: Session, organisation_id: uuid.UUID) -> tuple[AgreementFacts, ...]:
    # Plain rows, not ORM objects: this runs on every request that reads personal data. Only
    # agreements the reader's organisation is party to can ever allow it anything.
    today = clock.london(clock.utc_now()).date()
    mine = select(SharingAgreementParty.agreement_id).where(
        SharingAgreementParty.organisation_id == organisation_id
    )
    parties: dict[uuid.UUID, list[uuid.UUID]] = {}
    for agreement_id, org_id in session.execute(
        select(SharingAgreementParty.agreement_id, SharingAgreementParty.organisation_id).where(
            SharingAgreementParty.agreement_id.in_(mine)
        )
    ):
        parties.setdefault(agreement_id, []).append(org_id)
    agreements = session.execute(
        select(
            SharingAgreement.id,
            SharingAgreement.data_categories,
            SharingAgreement.purposes,
            SharingAgreement.known_to_allowed,
            SharingAgreement.status,
            SharingAgreement.valid_from,
            SharingAgreement.valid_to,
        ).where(SharingAgreement.id.in_(mine))
    ).all()
    return tuple(
        agreement_facts(
            agreement_id=a.id,
            parties=parties.get(a.id, ()),
            data_categories=a.data_categories,
            purposes=a.purposes,
            known_to_allowed=a.known_to_allowed,
            status=a.status,
            valid_from=a.valid_from,
            valid_to=a.valid_to,
            today=today,
        )
        for a in agreements
    )


def _grants(session: Session, actor: Actor, now: datetime) -> tuple[GrantFacts, ...]:
    stmt = select(AccessGrant).where(
        AccessGrant.grantee_user_id == actor.user_id,
        AccessGrant.revoked_at.is_(None),
        AccessGrant.starts_at <= now,
        AccessGrant.expires_at > now,
    )
    out = []
    for g in session.scalars(stmt):
        cats = frozenset(g.data_categories)
        if g.kind is GrantKind.BREAK_GLASS and not cats:
            cats = ALL_CATEGORIES  # break-glass without a category list opens the whole record
        out.append(GrantFacts(g.person_record_id, g.holder_organisation_id, cats, g.expires_at))
    return tuple(out)


def _by_record(grants: tuple[GrantFacts, ...]) -> dict[uuid.UUID, GrantFacts]:
    """One grant per record: several live grants for the same record add up."""
    out: dict[uuid.UUID, GrantFacts] = {}
    for g in grants:
        seen = out.get(g.person_record_id)
        if seen is not None:
            g = GrantFacts(
                g.person_record_id,
                g.holder_organisation_id,
                seen.data_categories | g.data_categories,
                max(seen.expires_at, g.expires_at),
            )
        out[g.person_record_id] = g
    return out


def load_context(session: Session, actor: Actor, purpose: str | None = None) -> AccessContext:
    """The access context for one read by ``actor`` for ``purpose`` (``None``: any purpose)."""
    now = clock.utc_now()
    agreements = _agreements(session, actor.organisation_id)
    grants = _grants(session, actor, now)
    facts = Facts(agreements=agreements, grants=grants, purpose=purpose, now=now)
    holders = {p for a in agreements for p in a.parties} - {actor.organisation_id}
    shared = {
        h: cats
        for h in holders
        if (cats := shared_categories(agreements, h, actor.organisation_id, purpose))
    }
    ctx = AccessContext(
        actor=actor,
        purpose=purpose,
        facts=facts,
        now=now,
        shared=shared,
        grants=_by_record(grants),
    )
    apply_row_security(session, row_security_values(ctx))
    return ctx


def own_only(actor: Actor) -> AccessContext:
    """A context that shares nothing: the actor's own organisation's records only."""
    now = clock.utc_now()
    return AccessContext(actor=actor, purpose=None, facts=Facts(now=now), now=now)
