"""Property: no read path returns a record the pure policy denies, and counts match (AC-3).

Hypothesis builds random worlds — 2 to 5 organisations, agreements with random parties,
categories, purposes and states, person records and incidents, live and expired grants — and a
reader with a random role and purpose. Every read path is compared with ``access.policy.can``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from joinedup.access.models import AccessGrant
from joinedup.access.policy import Action, Resource, can
from joinedup.access.purposes import StatedPurpose
from joinedup.access.rules import Facts, GrantFacts, agreement_facts
from joinedup.access.schemas import GrantKind
from joinedup.agreements.models import SharingAgreement, SharingAgreementParty
from joinedup.agreements.schemas import AgreementStatus, DataCategory, Purpose
from joinedup.common.errors import NotFound
from joinedup.db import session_factory
from joinedup.incidents import queries as incidents
from joinedup.incidents.schemas import InvolvementRole
from joinedup.incidents.taxonomy import BY_CODE
from joinedup.partners.schemas import Role
from joinedup.people import queries as people
from joinedup.web.home import overview
from tests import factories as f
from tests.conftest import _empty_all_tables

CODES = ["asb_personal", "mental_health_crisis", "domestic_abuse", "burglary", "tenancy_breach"]
CATS = [
    DataCategory.IDENTITY,
    DataCategory.ASB,
    DataCategory.MENTAL_HEALTH,
    DataCategory.DOMESTIC_ABUSE,
    DataCategory.INCIDENT,
    DataCategory.HOUSING,
]
STATES = ["active", "expired", "revoked", "draft", "future"]
TODAY = datetime.now(UTC).date()


@dataclass(frozen=True)
class AgreementSpec:
    parties: frozenset[int]
    categories: frozenset[DataCategory]
    purposes: frozenset[Purpose]
    state: str


agreement_specs = st.builds(
    AgreementSpec,
    parties=st.frozensets(st.integers(0, 4), min_size=2, max_size=4),
    categories=st.frozensets(st.sampled_from(CATS), min_size=1, max_size=4),
    purposes=st.frozensets(st.sampled_from(list(Purpose)), min_size=1, max_size=3),
    state=st.sampled_from(STATES),
)
worlds = st.fixed_dictionaries(
    {
        "orgs": st.integers(2, 5),
        "agreements": st.lists(agreement_specs, max_size=4),
        # (holder organisation, incident category codes) per person record
        "people": st.lists(
            st.tuples(st.integers(0, 4), st.lists(st.sampled_from(CODES), max_size=2)),
            min_size=1,
            max_size=8,
        ),
        # (person index, categories, live?) per grant to the reader
        "grants": st.lists(
            st.tuples(st.integers(0, 7), st.frozensets(st.sampled_from(CATS)), st.booleans()),
            max_size=2,
        ),
        "reader_org": st.integers(0, 4),
        "role": st.sampled_from(list(Role)),
        "purpose": st.sampled_from(list(Purpose)),
    }
)


def _dates(state: str) -> tuple[AgreementStatus, date, date | None]:
    long_ago = TODAY - timedelta(days=400)
    return {
        "active": (AgreementStatus.ACTIVE, long_ago, None),
        "expired": (AgreementStatus.ACTIVE, long_ago, TODAY - timedelta(days=2)),
        "revoked": (AgreementStatus.REVOKED, long_ago, None),
        "draft": (AgreementStatus.DRAFT, long_ago, None),
        "future": (AgreementStatus.ACTIVE, TODAY + timedelta(days=2), None),
    }[state]


def _build(session: Session, w: dict):  # type: ignore[no-untyped-def, type-arg]
    orgs = [f.organisation(session) for _ in range(w["orgs"])]
    facts = []
    for spec in w["agreements"]:
        status, start, end = _dates(spec.state)
        parties = sorted({orgs[i % len(orgs)].id for i in spec.parties})
        isa = SharingAgreement(
            title="Property agreement",
            reference=uuid.uuid4().hex[:20],
            data_categories=[c.value for c in spec.categories],
            purposes=[p.value for p in spec.purposes],
            lawful_bases=["cda_1998_s115"],
            known_to_allowed=True,
            valid_from=start,
            valid_to=end,
            status=status,
        )
        isa.parties = [SharingAgreementParty(organisation_id=p) for p in parties]
        session.add(isa)
        facts.append(
            agreement_facts(
                agreement_id=uuid.uuid4(),
                parties=parties,
                data_categories=isa.data_categories,
                purposes=isa.purposes,
                known_to_allowed=True,
                status=status,
                valid_from=start,
                valid_to=end,
                today=TODAY,
            )
        )
    reader_org = orgs[w["reader_org"] % len(orgs)]
    user = f.user(session, reader_org, w["role"])
    actor = f.actor_for(user, reader_org)
    persons, incs = [], []
    for holder, codes in w["people"]:
        org = orgs[holder % len(orgs)]
        p = f.person(session, org, surname="Canary")
        persons.append(p)
        for code in codes:
            incs.append((f.incident(session, org, [(p, InvolvementRole.VICTIM)], code), p))
    grants = []
    now = datetime.now(UTC)
    for index, cats, live in w["grants"]:
        p = persons[index % len(persons)]
        expires = now + timedelta(days=1) if live else now - timedelta(minutes=1)
        session.add(
            AccessGrant(
                kind=GrantKind.REQUEST,
                grantee_user_id=user.id,
                grantee_organisation_id=reader_org.id,
                holder_organisation_id=p.organisation_id,
                person_record_id=p.id,
                data_categories=[c.value for c in cats],
                purpose="safeguarding",
                starts_at=now - timedelta(days=2),
                expires_at=expires,
            )
        )
        grants.append(
            GrantFacts(p.id, p.organisation_id, frozenset(c.value for c in cats), expires)
        )
    session.commit()
    return actor, persons, incs, tuple(facts), tuple(grants)


def _check(session: Session, w: dict) -> None:  # type: ignore[type-arg]
    actor, persons, incs, agreements, grants = _build(session, w)
    now = datetime.now(UTC)
    stated = StatedPurpose(w["purpose"], "property")

    def person_ok(p, purpose: str | None) -> bool:  # type: ignore[no-untyped-def]
        facts = Facts(agreements, grants, purpose, now)
        res = Resource("person_record", p.organisation_id, DataCategory.IDENTITY.value, p.id)
        return can(actor, Action.READ_PERSON, res, facts).allowed

    def incident_ok(inc, p, purpose: str | None) -> bool:  # type: ignore[no-untyped-def]
        facts = Facts(agreements, grants, purpose, now)
        cat = BY_CODE[inc.category].data_category.value
        res = Resource("incident", inc.organisation_id, cat, p.id)
        return can(actor, Action.READ_INCIDENT, res, facts).allowed

    allowed_people = {p.id for p in persons if person_ok(p, None)}
    allowed_incs = {i.id for i, p in incs if incident_ok(i, p, None)}
    listed = people.list_for(session, actor, 1, per_page=100)
    assert {p.id for p in listed.items} == allowed_people and listed.total == len(allowed_people)
    assert {p.id for p in people.search(session, actor, "canary")} == allowed_people
    page = incidents.list_for(session, actor, 1, per_page=100)
    assert {i.id for i in page.items} == allowed_incs and page.total == len(allowed_incs)
    assert sum(incidents.counts_by_category(session, actor).values()) == len(allowed_incs)
    home = overview(session, actor)
    assert (home.people_held, home.incidents_held) == (len(allowed_people), len(allowed_incs))
    assert {i.id for i in home.recent_incidents} <= allowed_incs
    for p in persons:
        try:
            prof = people.profile(session, actor, p.id, stated=stated)
            opened = True
            shown = {i.incident_id for i in prof.involvements}
            assert shown <= {i.id for i, q in incs if incident_ok(i, q, stated.purpose.value)}
        except NotFound:
            opened = False
        assert opened is person_ok(p, stated.purpose.value)
    for inc, p in incs:
        try:
            detail = incidents.detail(session, actor, inc.id, stated=stated)
            opened = True
            assert {x.person_id for x in detail.people} <= {
                q.id for q in persons if person_ok(q, stated.purpose.value)
            }
        except NotFound:
            opened = False
        assert opened is incident_ok(inc, p, stated.purpose.value)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(w=worlds)
def test_ac3_no_read_path_returns_a_record_the_policy_denies(engine: Engine, w: dict) -> None:  # type: ignore[type-arg]
    with session_factory(engine)() as session:
        try:
            _check(session, w)
        finally:
            session.rollback()
            _empty_all_tables(engine)
