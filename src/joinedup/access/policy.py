"""The pure authorisation policy: ``can(actor, action, resource) -> Decision``.

No database or web code here. Default deny: an action not listed, or a resource outside the
actor's reach, is refused with a reason that names no personal data.
"""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass

from joinedup.access.actor import Actor
from joinedup.partners.schemas import Role


class Action(enum.StrEnum):
    """Things an actor may try to do."""

    READ_PERSON = "person.read"
    WRITE_PERSON = "person.write"
    READ_INCIDENT = "incident.read"
    WRITE_INCIDENT = "incident.write"
    READ_DIRECTORY = "directory.read"
    MANAGE_ORGANISATIONS = "organisations.manage"
    MANAGE_USERS = "users.manage"
    MANAGE_AGREEMENTS = "agreements.manage"


@dataclass(frozen=True, slots=True)
class Resource:
    """What an action is aimed at: its kind and the organisation that holds it, if any."""

    kind: str
    organisation_id: uuid.UUID | None = None


@dataclass(frozen=True, slots=True)
class Decision:
    """The outcome of a policy check with its reason (safe to log)."""

    allowed: bool
    reason: str

    def __bool__(self) -> bool:
        return self.allowed


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


def can(actor: Actor, action: Action, resource: Resource) -> Decision:
    """Decide whether ``actor`` may do ``action`` to ``resource``."""
    if action in (Action.READ_PERSON, Action.READ_INCIDENT):
        return _own_record(actor, resource, RECORD_ROLES)
    if action in (Action.WRITE_PERSON, Action.WRITE_INCIDENT):
        return _own_record(actor, resource, RECORD_WRITE_ROLES)
    if action is Action.READ_DIRECTORY:
        return Decision(True, "every signed-in user may read the partner directory")
    allowed_roles = ADMIN_ACTIONS.get(action)
    if allowed_roles is not None and actor.role in allowed_roles:
        return Decision(True, f"role {actor.role.value} may {action.value}")
    return Decision(False, f"role {actor.role.value} may not {action.value}")
