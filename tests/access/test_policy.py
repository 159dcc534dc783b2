"""The pure policy as a generated matrix (AC-1, AC-6): role x action x holding organisation x
agreement state x purpose covered, plus live and expired grants and "known to" signposting."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from joinedup.access.actor import Actor
from joinedup.access.policy import Action, Resource, can
from joinedup.access.rules import AgreementFacts, Facts, GrantFacts
from joinedup.agreements.schemas import AgreementStatus, DataCategory, Purpose
from joinedup.partners.schemas import Role

OWN = uuid.uuid4()
OTHER = uuid.uuid4()
RECORD = uuid.uuid4()
NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)
CATEGORY = DataCategory.MENTAL_HEALTH.value

READERS = {Role.PRACTITIONER, Role.SUPERVISOR, Role.COORDINATOR, Role.IG_LEAD}
WRITERS = {Role.PRACTITIONER, Role.SUPERVISOR}
STATES = ["active", "expired", "revoked", "draft", "none"]
HOLDERS = {"own": OWN, "other": OTHER, "none": None}


def _actor(role: Role) -> Actor:
    return Actor(uuid.uuid4(), "u", "U", OWN, "Own org", role)


def _facts(state: str, purpose_covered: bool, known_to: bool = True) -> Facts:
    agreements: tuple[AgreementFacts, ...] = ()
    if state != "none":
        agreements = (
            AgreementFacts(
                id=uuid.uuid4(),
                parties=frozenset({OWN, OTHER}),
                data_categories=frozenset({CATEGORY, DataCategory.IDENTITY.value}),
                purposes=frozenset({Purpose.SAFEGUARDING.value}),
                known_to_allowed=known_to,
                state=AgreementStatus(state),
            ),
        )
    purpose = Purpose.SAFEGUARDING if purpose_covered else Purpose.STATISTICS
    return Facts(agreements=agreements, purpose=purpose.value, now=NOW)


def _expected(role: Role, action: Action, holder: str, state: str, covered: bool) -> bool:
    if action in (Action.READ_PERSON, Action.READ_INCIDENT):
        if role not in READERS or holder == "none":
            return False
        return holder == "own" or (state == "active" and covered)
    if action in (Action.WRITE_PERSON, Action.WRITE_INCIDENT):
        return role in WRITERS and holder == "own"
    if action is Action.KNOW_EXISTENCE:
        return role in READERS and holder == "other" and state == "active"
    if action is Action.READ_DIRECTORY:
        return True
    if action is Action.MANAGE_AGREEMENTS:
        return role in (Role.ADMIN, Role.IG_LEAD)
    return role is Role.ADMIN


MATRIX = list(itertools.product(Role, Action, HOLDERS, STATES, [True, False]))


@pytest.mark.parametrize(
    ("role", "action", "holder", "state", "covered"),
    MATRIX,
    ids=["-".join(str(getattr(v, "value", v)) for v in row) for row in MATRIX],
)
def test_ac1_policy_matrix(
    role: Role, action: Action, holder: str, state: str, covered: bool
) -> None:
    resource = Resource("person_record", HOLDERS[holder], CATEGORY, RECORD)
    decision = can(_actor(role), action, resource, _facts(state, covered))
    assert decision.allowed is _expected(role, action, holder, state, covered)
    assert decision.reason and "Canary" not in decision.reason


def test_ac6_records_of_another_organisation_are_denied_by_default() -> None:
    for role in Role:
        assert not can(_actor(role), Action.READ_PERSON, Resource("person_record", OTHER))


def test_ac1_an_agreement_covers_only_its_data_categories() -> None:
    facts = _facts("active", True)
    other_category = Resource("incident", OTHER, DataCategory.DOMESTIC_ABUSE.value, RECORD)
    assert not can(_actor(Role.PRACTITIONER), Action.READ_INCIDENT, other_category, facts)


def test_ac1_an_agreement_between_other_organisations_does_not_apply() -> None:
    third = uuid.uuid4()
    facts = Facts(
        agreements=(
            AgreementFacts(
                uuid.uuid4(),
                frozenset({OTHER, third}),
                frozenset({CATEGORY}),
                frozenset({Purpose.SAFEGUARDING.value}),
                True,
                AgreementStatus.ACTIVE,
            ),
        ),
        purpose=Purpose.SAFEGUARDING.value,
        now=NOW,
    )
    resource = Resource("person_record", OTHER, CATEGORY, RECORD)
    assert not can(_actor(Role.PRACTITIONER), Action.READ_PERSON, resource, facts)
    assert not can(_actor(Role.PRACTITIONER), Action.KNOW_EXISTENCE, resource, facts)


@pytest.mark.parametrize(
    ("expires", "record", "category", "allowed"),
    [
        (NOW + timedelta(days=1), RECORD, CATEGORY, True),
        (NOW - timedelta(seconds=1), RECORD, CATEGORY, False),  # expired
        (NOW + timedelta(days=1), uuid.uuid4(), CATEGORY, False),  # another record
        (NOW + timedelta(days=1), RECORD, DataCategory.HOUSING.value, False),  # not covered
    ],
)
def test_ac5_a_grant_allows_only_its_record_and_categories_until_it_expires(
    expires: datetime, record: uuid.UUID, category: str, allowed: bool
) -> None:
    grant = GrantFacts(record, OTHER, frozenset({CATEGORY}), expires)
    facts = Facts(grants=(grant,), purpose=Purpose.SAFEGUARDING.value, now=NOW)
    resource = Resource("person_record", OTHER, category, RECORD)
    assert can(_actor(Role.PRACTITIONER), Action.READ_PERSON, resource, facts).allowed is allowed


def test_known_to_needs_the_agreement_to_allow_signposting() -> None:
    facts = _facts("active", True, known_to=False)
    resource = Resource("person_record", OTHER, CATEGORY, RECORD)
    assert not can(_actor(Role.PRACTITIONER), Action.KNOW_EXISTENCE, resource, facts)
