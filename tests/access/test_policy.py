"""The pure policy: a generated matrix of role x action x holding organisation (AC-1, AC-6)."""

from __future__ import annotations

import itertools
import uuid

import pytest

from joinedup.access.actor import Actor
from joinedup.access.policy import Action, Resource, can
from joinedup.partners.schemas import Role

OWN = uuid.uuid4()
OTHER = uuid.uuid4()

READERS = {Role.PRACTITIONER, Role.SUPERVISOR, Role.COORDINATOR, Role.IG_LEAD}
WRITERS = {Role.PRACTITIONER, Role.SUPERVISOR}


def _actor(role: Role) -> Actor:
    return Actor(uuid.uuid4(), "u", "U", OWN, "Own org", role)


def _expected(role: Role, action: Action, holder: uuid.UUID | None) -> bool:
    if action in (Action.READ_PERSON, Action.READ_INCIDENT):
        return role in READERS and holder == OWN
    if action in (Action.WRITE_PERSON, Action.WRITE_INCIDENT):
        return role in WRITERS and holder == OWN
    if action is Action.READ_DIRECTORY:
        return True
    if action is Action.MANAGE_AGREEMENTS:
        return role in (Role.ADMIN, Role.IG_LEAD)
    return role is Role.ADMIN


@pytest.mark.parametrize(
    ("role", "action", "holder"),
    list(itertools.product(Role, Action, [OWN, OTHER, None])),
    ids=lambda v: getattr(v, "value", None) or ("own" if v == OWN else "other" if v else "none"),
)
def test_ac1_policy_matrix(role: Role, action: Action, holder: uuid.UUID | None) -> None:
    decision = can(_actor(role), action, Resource("record", holder))
    assert decision.allowed is _expected(role, action, holder)
    assert decision.reason


def test_ac6_records_of_another_organisation_are_denied_by_default() -> None:
    for role in Role:
        assert not can(_actor(role), Action.READ_PERSON, Resource("person_record", OTHER))
