"""Small builders for test data, written straight through the ORM."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.orm import Session

from joinedup.access.actor import Actor
from joinedup.incidents.models import Incident, Involvement
from joinedup.incidents.schemas import InvolvementRole
from joinedup.partners.models import Organisation, User
from joinedup.partners.schemas import OrgKind, Role
from joinedup.people.models import PersonRecord
from joinedup.places.models import Location

_seq = itertools.count(1)


def organisation(
    session: Session, name: str | None = None, kind: OrgKind = OrgKind.POLICE
) -> Organisation:
    """An organisation."""
    org = Organisation(name=name or f"Organisation {next(_seq)}", kind=kind)
    session.add(org)
    session.flush()
    return org


def user(
    session: Session, org: Organisation, role: Role = Role.PRACTITIONER, username: str | None = None
) -> User:
    """A user whose password hash is a placeholder (these users never sign in)."""
    u = User(
        username=username or f"user{next(_seq)}",
        display_name="Test User",
        organisation_id=org.id,
        role=role,
        password_hash="not-a-real-hash",
    )
    session.add(u)
    session.flush()
    return u


def actor_for(u: User, org: Organisation) -> Actor:
    """The Actor a signed-in ``u`` would be."""
    return Actor(
        user_id=u.id,
        username=u.username,
        display_name=u.display_name,
        organisation_id=org.id,
        organisation_name=org.name,
        role=u.role,
    )


def person(session: Session, org: Organisation, **fields: object) -> PersonRecord:
    """A person record held by ``org``."""
    values: dict[str, object] = {
        "reference": f"P-{next(_seq)}",
        "first_name": "Alex",
        "surname": "Canary",
        "date_of_birth": date(1980, 5, 17),
        "postcode": "GU1 1AA",
    }
    values.update(fields)
    p = PersonRecord(organisation_id=org.id, **values)
    session.add(p)
    session.flush()
    return p


def incident(
    session: Session,
    org: Organisation,
    people: list[tuple[PersonRecord, InvolvementRole]] = (),  # type: ignore[assignment]
    category: str = "asb_personal",
    when: datetime | None = None,
) -> Incident:
    """An incident held by ``org`` with a location and the given people involved."""
    loc = Location(description="On or near High Street", latitude=51.236, longitude=-0.57)
    session.add(loc)
    session.flush()
    inc = Incident(
        organisation_id=org.id,
        reference=f"INC-{next(_seq)}",
        category=category,
        occurred_at=when or datetime(2025, 3, 1, 12, 0, tzinfo=UTC) + timedelta(minutes=next(_seq)),
        location_id=loc.id,
        narrative="Neighbour reports shouting late at night.",
    )
    session.add(inc)
    session.flush()
    for p, role in people:
        session.add(Involvement(incident_id=inc.id, person_record_id=p.id, role=role))
    session.flush()
    return inc


def any_id() -> uuid.UUID:
    """A random id that no record has."""
    return uuid.uuid4()
