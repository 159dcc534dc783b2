"""Row filters: the one place that decides which records a read path may return (AC-3).

Every query of personal data goes through a function here. Default deny: an actor sees the
records their own organisation holds, in roles that work with records; nothing else until an
information-sharing agreement grants it.
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Select, false

from joinedup.access.actor import Actor
from joinedup.access.policy import RECORD_ROLES
from joinedup.incidents.models import Incident
from joinedup.people.models import PersonRecord

S = TypeVar("S", bound=Select[*tuple[Any, ...]])


def visible_person_records(stmt: S, actor: Actor) -> S:
    """Limit ``stmt`` to the person records ``actor`` may see."""
    if actor.role not in RECORD_ROLES:
        return stmt.where(false())
    return stmt.where(PersonRecord.organisation_id == actor.organisation_id)


def visible_incidents(stmt: S, actor: Actor) -> S:
    """Limit ``stmt`` to the incidents ``actor`` may see."""
    if actor.role not in RECORD_ROLES:
        return stmt.where(false())
    return stmt.where(Incident.organisation_id == actor.organisation_id)
