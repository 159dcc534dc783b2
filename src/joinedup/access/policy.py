"""The pure authorisation policy: ``can(actor, action, resource, facts) -> Decision``.

No database or web code here. Default deny: an action not listed, or a resource outside the
actor's reach, is refused with a reason that names no personal data. Records of another
organisation are reachable only through an active information-sharing agreement that covers
the record's data category and the stated purpose, or a live access grant (request or
break-glass) for that user and record.
"""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass

from joinedup.access.actor import Actor
from joinedup.access.rules import Facts, known_to_allowed, live_grant, shared_categories
from joinedup.partners.schemas import Role


class Action(enum.StrEnum):
    """Things an actor may try to do."""

    READ_PERSON = "person.read"
    WRITE_PERSON = "person.write"
    READ_INCIDENT = "incident.read"
    WRITE_INCIDENT = "incident.write"
    KNOW_EXISTENCE = "person.known_to"
    READ_DIRECTORY = "directory.read"
    MANAGE_ORGANISATIONS = "organisations.manage"
    MANAGE_USERS = "users.manage"
    MANAGE_AGREEMENTS = "agreements.manage"


@dataclass(frozen=True, slots=True)
class Resource:
    """What an action is aimed at: its kind, holder, data category and record id, if any."""

    kind: str
    organisation_id: uuid.UUID | None = None
    data_category: str | None = None
    record_id: uuid.UUID | None = None


@dataclass(frozen=True, slots=True)
class Decision:
    """The outcome of a policy check with its reason (safe to log)."""

    allowed: bool
    reason: str

    def __bool__(self) -> bool:
        return self.allowed


NO_FACTS = Facts()
RECORD_ROLES = frozenset({Role.PRACTITIONER, Role.SUPERVISOR, Role.COORDINATOR, Role.IG_LEAD})
RECORD_WRITE_ROLES = frozenset({Role.PRACTITIONER, Role.SUPERVISOR})
ADMIN_ACTIONS = {
    Action.MANAGE_ORGANISATIONS: frozenset({Role.ADMIN}),
    Action.MANAGE_USERS: frozenset({Role.ADMIN}),
    Action.MANAGE_AGREEMENTS: frozenset({Role.ADMIN, Role.IG_LEAD}),
}


def _own_record(actor: Actor, resource: Resource, roles: frozenset[Role]) -> Decision:
    if actor.role not in roles:
        return Decision(False, f"role {actor.role.value} may not do this to {resource.kind}")
    if resource.organisation_id is None:
        return Decision(False, f"{resource.kind} has no holding organisation")
    if resource.organisation_id != actor.organisation_id:
        return Decision(False, f"{resource.kind} is held by another organisation")
    return Decision(True, f"{resource.kind} held by the actor's organisation")


def _shared_read(actor: Actor, resource: Resource, facts: Facts) -> Decision:
    """Another organisation's record: an agreement for this category and purpose, or a grant."""
    holder = resource.organisation_id
    assert holder is not None
    category = resource.data_category
    if category is None:
        return Decision(False, f"{resource.kind} has no data category")
    shared = shared_categories(facts.agreements, holder, actor.organisation_id, facts.purpose)
    if category in shared:
        return Decision(True, f"an active agreement shares {category} for this purpose")
    if facts.now is not None and live_grant(facts.grants, resource.record_id, category, facts.now):
        return Decision(True, f"a live access grant covers {category}")
    return Decision(False, f"no active agreement or live grant covers {category}")


def _read(actor: Actor, resource: Resource, facts: Facts) -> Decision:
    own = _own_record(actor, resource, RECORD_ROLES)
    if own.allowed or actor.role not in RECORD_ROLES or resource.organisation_id is None:
        return own
    return _shared_read(actor, resource, facts)


def _know_existence(actor: Actor, resource: Resource, facts: Facts) -> Decision:
    if actor.role not in RECORD_ROLES or resource.organisation_id is None:
        return Decision(False, f"role {actor.role.value} may not see signposts")
    if known_to_allowed(facts.agreements, resource.organisation_id, actor.organisation_id):
        return Decision(True, "an active agreement allows known-to signposting")
    return Decision(False, "no active agreement allows known-to signposting")


def can(actor: Actor, action: Action, resource: Resource, facts: Facts = NO_FACTS) -> Decision:
    """Decide whether ``actor`` may do ``action`` to ``resource`` given ``facts``."""
    if action in (Action.READ_PERSON, Action.READ_INCIDENT):
        return _read(actor, resource, facts)
    if action in (Action.WRITE_PERSON, Action.WRITE_INCIDENT):
        return _own_record(actor, resource, RECORD_WRITE_ROLES)
    if action is Action.KNOW_EXISTENCE:
        return _know_existence(actor, resource, facts)
    if action is Action.READ_DIRECTORY:
        return Decision(True, "every signed-in user may read the partner directory")
    allowed_roles = ADMIN_ACTIONS.get(action)
    if allowed_roles is not None and actor.role in allowed_roles:
        return Decision(True, f"role {actor.role.value} may {action.value}")
    return Decision(False, f"role {actor.role.value} may not {action.value}")
