"""Commands on person records: create and update, each audited in its own transaction."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from joinedup.access.actor import Actor
from joinedup.access.policy import Action, Resource, can
from joinedup.audit.events import AuditEvent
from joinedup.audit.service import record
from joinedup.common.errors import Conflict, Forbidden, NotFound
from joinedup.db import atomic
from joinedup.people.models import PersonRecord
from joinedup.people.schemas import PersonIn, PersonOut
from joinedup.places.rules import normalise_postcode


def _event(actor: Actor, name: str, person_id: uuid.UUID, changed: int = 0) -> AuditEvent:
    return AuditEvent(
        name=name,
        actor_user_id=actor.user_id,
        actor_organisation_id=actor.organisation_id,
        actor_role=actor.role.value,
        record_type="person_record",
        record_id=str(person_id),
        details={"fields_changed": changed} if changed else {},
    )


def _values(person_in: PersonIn) -> dict[str, object]:
    values = person_in.model_dump()
    values["postcode"] = normalise_postcode(person_in.postcode)
    values["vulnerability_markers"] = [m.value for m in person_in.vulnerability_markers]
    return values


def create(*, session: Session, actor: Actor, person_in: PersonIn) -> PersonOut:
    """Record a person held by the actor's organisation (audited as collection)."""
    if not can(actor, Action.WRITE_PERSON, Resource("person_record", actor.organisation_id)):
        raise Forbidden()
    with atomic(session):
        clash = session.scalar(
            select(PersonRecord.id).where(
                PersonRecord.organisation_id == actor.organisation_id,
                PersonRecord.reference == person_in.reference,
            )
        )
        if clash is not None:
            raise Conflict("Your organisation already has a person with that reference")
        person = PersonRecord(organisation_id=actor.organisation_id, **_values(person_in))
        session.add(person)
        session.flush()
        record(session, _event(actor, "person.created", person.id))
    return PersonOut.model_validate(person)


def update(
    *, session: Session, actor: Actor, person_id: uuid.UUID, person_in: PersonIn
) -> PersonOut:
    """Change a person record the actor's organisation holds (audited as alteration)."""
    with atomic(session):
        person = session.get(PersonRecord, person_id)
        resource = Resource("person_record", person.organisation_id if person else None)
        if person is None or not can(actor, Action.READ_PERSON, resource):
            raise NotFound()
        if not can(actor, Action.WRITE_PERSON, resource):
            raise Forbidden()
        changed = 0
        for key, value in _values(person_in).items():
            if getattr(person, key) != value:
                setattr(person, key, value)
                changed += 1
        if changed:
            try:
                session.flush()
            except IntegrityError as exc:  # the unique reference is the only one a user can hit
                raise Conflict(
                    "Your organisation already has a person with that reference"
                ) from exc
            record(session, _event(actor, "person.updated", person.id, changed))
    return PersonOut.model_validate(person)
