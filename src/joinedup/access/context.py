"""The access context: the sharing facts loaded once per read, for scope and policy.

``load_context(session, actor, purpose)`` gives the agreements in force today and the actor's
live access grants. The process keeps what it loaded under the database's policy token
(``policy_generation``, given a new random value by trigger, in the same transaction, with every
change to an agreement, its parties or a grant) and uses it only while the token read in the
request itself is unchanged; whether an agreement is in force today and whether a grant is live
now are decided per read. So a revoked or expired agreement or a revoked or expired grant
denies on the very next request, whichever process made the change (AC-5).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ColumnElement,
    CompoundSelect,
    Date,
    Row,
    String,
    Uuid,
    bindparam,
    cast,
    literal_column,
    null,
    select,
    text,
    union_all,
)
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeEngine

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
from joinedup.db import UTCDateTime, apply_row_security, atomic

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


def row_security_values(ctx: AccessContext, readable: str | None = None) -> dict[str, str]:
    """The PostgreSQL row-security settings that back this context (AC-4): the organisations
    sharing anything with the actor's, the records and holders of the actor's live grants.
    ``readable``: the readable organisations' setting when the caller has it already."""
    if readable is None:
        readable = ",".join(sorted(str(o) for o in ctx.readable_organisations()))
    return {
        "joinedup.system": "off",
        "joinedup.actor_org": str(ctx.actor.organisation_id),
        "joinedup.readable_orgs": readable,
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


@contextmanager
def transaction_beyond_reach(session: Session) -> Iterator[None]:
    """``rows_beyond_reach`` for a whole transaction (``atomic``) whose caller limits what
    leaves (signposts and their audit events). Outermost, it ends by committing, and the
    widened settings, being transaction-local, end with it: the session's settings are put
    back for its next transaction without a round trip. Nested, it restores them at once."""
    if session.info.get("atomic_depth", 0):
        with atomic(session), rows_beyond_reach(session):
            yield
        return
    values = session.info.get("row_security")
    try:
        with atomic(session):
            if values:
                apply_row_security(session, {**values, "joinedup.system": "on"})
            yield
    finally:
        if values:
            session.info["row_security"] = values


# The agreements the reader's organisation is party to, their parties and the reader's
# unrevoked, unexpired grants, in one statement (built once; plain rows, not ORM objects).
_ORG = bindparam("organisation_id", type_=Uuid())
_USER = bindparam("user_id", type_=Uuid())
_NOW = bindparam("now", type_=UTCDateTime())


def _null(type_: TypeEngine[Any]) -> ColumnElement[Any]:
    """A typed NULL, so the arms of a UNION agree on every database."""
    return cast(null(), type_)


def _policy_statement() -> CompoundSelect[Any]:
    mine = select(SharingAgreementParty.agreement_id).where(
        SharingAgreementParty.organisation_id == _ORG
    )
    no_json, no_date, no_time = _null(JSON()), _null(Date()), _null(UTCDateTime())
    agreements = select(
        literal_column("'a'").label("kind"),
        SharingAgreement.id.label("id"),
        _null(Uuid()).label("org"),
        SharingAgreement.data_categories.label("categories"),
        SharingAgreement.purposes.label("purposes"),
        cast(SharingAgreement.known_to_allowed, Boolean).label("known_to"),
        cast(SharingAgreement.status, String()).label("state"),
        SharingAgreement.valid_from.label("valid_from"),
        SharingAgreement.valid_to.label("valid_to"),
        no_time.label("starts_at"),
        no_time.label("expires_at"),
    ).where(SharingAgreement.id.in_(mine))
    parties = select(
        literal_column("'p'"),
        SharingAgreementParty.agreement_id,
        SharingAgreementParty.organisation_id,
        no_json,
        no_json,
        _null(Boolean()),
        _null(String()),
        no_date,
        no_date,
        no_time,
        no_time,
    ).where(SharingAgreementParty.agreement_id.in_(mine))
    # Grants not yet started are kept too: whether a grant is live is decided per read.
    grants = select(
        literal_column("'g'"),
        AccessGrant.person_record_id,
        AccessGrant.holder_organisation_id,
        AccessGrant.data_categories,
        no_json,
        _null(Boolean()),
        cast(AccessGrant.kind, String()),
        no_date,
        no_date,
        AccessGrant.starts_at,
        AccessGrant.expires_at,
    ).where(
        AccessGrant.grantee_user_id == _USER,
        AccessGrant.revoked_at.is_(None),
        AccessGrant.expires_at > _NOW,
    )
    return union_all(agreements, parties, grants)


_POLICY = _policy_statement()
_TOKEN = "SELECT token FROM policy_generation WHERE id = 1"


@dataclass(frozen=True, slots=True)
class _Grant:
    facts: GrantFacts
    starts_at: datetime


@dataclass(frozen=True, slots=True)
class _Agreement:
    id: uuid.UUID
    parties: frozenset[uuid.UUID]
    data_categories: frozenset[str]
    purposes: frozenset[str]
    known_to_allowed: bool
    status: AgreementStatus
    valid_from: date
    valid_to: date | None


@dataclass(frozen=True, slots=True)
class _Kept:
    """One reader's agreements and grants as loaded under the policy ``token`` (None: the
    database has no token row, so nothing is kept)."""

    token: str | None
    agreements: tuple[_Agreement, ...]
    grants: tuple[_Grant, ...]
    # (London day, purpose) -> agreement facts of that day and the categories shared
    derived: dict[tuple[date, str | None], _Derived] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _Derived:
    agreements: tuple[AgreementFacts, ...]
    shared: dict[uuid.UUID, frozenset[str]]
    readable: str  # the readable organisations' row-security setting


# (engine, organisation, user) -> what was loaded, and under which token. A process cache:
# used only while a fresh read of the token in the same request still returns it (AC-5).
_KEPT: dict[tuple[object, uuid.UUID, uuid.UUID], _Kept] = {}
_KEPT_MAX = 4096


def _load(session: Session, actor: Actor, now: datetime, token: str | None) -> _Kept:
    rows = session.execute(
        _POLICY, {"organisation_id": actor.organisation_id, "user_id": actor.user_id, "now": now}
    ).all()
    parties: dict[uuid.UUID, set[uuid.UUID]] = {}
    agreements: list[Row[Any]] = []
    grants: list[_Grant] = []
    for row in rows:
        if row.kind == "p":
            parties.setdefault(row.id, set()).add(row.org)
        elif row.kind == "a":
            agreements.append(row)
        else:
            cats = frozenset(row.categories or ())
            if row.state == GrantKind.BREAK_GLASS.value and not cats:
                cats = ALL_CATEGORIES  # break-glass without a category list opens the record
            grants.append(_Grant(GrantFacts(row.id, row.org, cats, row.expires_at), row.starts_at))
    return _Kept(
        token=token,
        agreements=tuple(
            _Agreement(
                id=a.id,
                parties=frozenset(parties.get(a.id, ())),
                data_categories=frozenset(a.categories or ()),
                purposes=frozenset(a.purposes or ()),
                known_to_allowed=bool(a.known_to),
                status=AgreementStatus(a.state),
                valid_from=a.valid_from,
                valid_to=a.valid_to,
            )
            for a in agreements
        ),
        grants=tuple(grants),
    )


def _derive(kept: _Kept, actor: Actor, now: datetime, purpose: str | None) -> _Derived:
    """What the kept agreements allow on ``now``'s London day for ``purpose`` (kept too)."""
    today = clock.london(now).date()
    derived = kept.derived.get((today, purpose))
    if derived is not None:
        return derived
    agreements = tuple(
        agreement_facts(
            agreement_id=a.id,
            parties=a.parties,
            data_categories=a.data_categories,
            purposes=a.purposes,
            known_to_allowed=a.known_to_allowed,
            status=a.status,  # the state on ``today`` is computed here: expiry needs no change
            valid_from=a.valid_from,
            valid_to=a.valid_to,
            today=today,
        )
        for a in kept.agreements
    )
    holders = {p for a in agreements for p in a.parties} - {actor.organisation_id}
    shared = {
        h: cats
        for h in holders
        if (cats := shared_categories(agreements, h, actor.organisation_id, purpose))
    }
    day = AccessContext(actor=actor, purpose=purpose, facts=Facts(agreements=agreements), now=now)
    readable = ",".join(sorted(str(o) for o in day.readable_organisations()))
    derived = _Derived(agreements, shared, readable)
    kept.derived[(today, purpose)] = derived
    return derived


def _context(
    kept: _Kept, actor: Actor, purpose: str | None, now: datetime
) -> tuple[AccessContext, dict[str, str]]:
    """The context for one read and its row-security settings."""
    derived = _derive(kept, actor, now, purpose)
    # Live now: started and not expired (a grant's expiry needs no change to deny).
    grants = tuple(g.facts for g in kept.grants if g.starts_at <= now < g.facts.expires_at)
    facts = Facts(agreements=derived.agreements, grants=grants, purpose=purpose, now=now)
    ctx = AccessContext(
        actor=actor,
        purpose=purpose,
        facts=facts,
        now=now,
        shared=derived.shared,
        grants=_by_record(grants),
    )
    return ctx, row_security_values(ctx, derived.readable)


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
    """The access context for one read by ``actor`` for ``purpose`` (``None``: any purpose).

    The agreements and grants are those committed when this request reads the policy token:
    a kept copy is used only if the token read now, in this request, is the one it was loaded
    under; every agreement or grant change gives the token a new random value in the same
    transaction (migration ``0010_policy_generation``). So a revocation by any process denies
    on the next request (AC-5); validity dates and grant expiry are evaluated here, per read.
    On PostgreSQL the token is read in the same statement that sets the row-security values."""
    now = clock.utc_now()
    key = (session.get_bind(), actor.organisation_id, actor.user_id)
    kept = _KEPT.get(key)
    if kept is not None:
        ctx, values = _context(kept, actor, purpose, now)
        token = apply_row_security(session, values, scalar_sql=_TOKEN)
        if token is not None and token == kept.token:
            return ctx
    else:
        token = session.execute(text(_TOKEN)).scalar()
    # Loaded after the token was read: at least as new as the token says (never older).
    kept = _load(session, actor, now, token)
    if token is not None:
        if len(_KEPT) >= _KEPT_MAX:
            _KEPT.clear()
        _KEPT[key] = kept
    else:
        _KEPT.pop(key, None)
    ctx, values = _context(kept, actor, purpose, now)
    apply_row_security(session, values)
    return ctx


def own_only(actor: Actor) -> AccessContext:
    """A context that shares nothing: the actor's own organisation's records only."""
    now = clock.utc_now()
    return AccessContext(actor=actor, purpose=None, facts=Facts(now=now), now=now)
