"""Recording partners' incidents (form, API, batch API, JoinedUp incident CSV) in bulk.

One path for every way a partner sends incidents: the items are checked against the policy,
matched to what the organisation already holds by its own reference, and written with their
people, places and one ``incident.created`` collection event each (plus one
``incident.involvement_added`` per person and role, and ``person.created`` for new people),
all in the caller's transaction (AUD-5).

Idempotency: the organisation's reference is unique. The same incident sent again (same
content digest) is ``already_present`` and changes nothing; a different incident under a
reference already used is refused, never overwritten.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import cast

from sqlalchemy import Connection, Table, insert, select
from sqlalchemy.orm import Session

from joinedup.access.actor import Actor
from joinedup.access.policy import Action, Resource, can
from joinedup.audit.events import AuditEvent
from joinedup.audit.service import record_many
from joinedup.common.clock import utc_now
from joinedup.common.errors import Forbidden
from joinedup.common.ids import new_id
from joinedup.db import atomic
from joinedup.incidents.models import Incident, Involvement
from joinedup.incidents.schemas import (
    IncidentIn,
    IncidentSource,
    IntakeError,
    IntakeResult,
    IntakeStatus,
    InvolvementRole,
    LocationIn,
)
from joinedup.people.models import PersonRecord
from joinedup.people.schemas import PersonIn
from joinedup.places.rules import normalise_postcode
from joinedup.places.service import LocationKey, PlaceWriter

_CHUNK = 500


@dataclass(frozen=True, slots=True)
class Recorder:
    """Who is recording: the holding organisation and, for people, the user and role."""

    organisation_id: uuid.UUID
    user_id: uuid.UUID | None = None
    role: str = ""


def may_record(actor: Actor) -> bool:
    """Whether the policy lets ``actor`` record incidents of their own organisation."""
    return bool(can(actor, Action.WRITE_INCIDENT, Resource("incident", actor.organisation_id)))


def recorder_for(actor: Actor) -> Recorder:
    """``actor`` as the recorder of their organisation's incidents; ``Forbidden`` when the
    policy refuses their role."""
    if not may_record(actor):
        raise Forbidden("Your role may not record incidents")
    return Recorder(actor.organisation_id, actor.user_id, actor.role.value)


def content_hash(item: IncidentIn) -> str:
    """A digest of what was sent: the validated incident serialised in its fields' fixed order,
    so neither key order nor how a datetime was written changes it."""
    return hashlib.sha256(item.model_dump_json().encode()).hexdigest()


def _chunks(values: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


@dataclass(slots=True)
class _Plan:
    """The writes one call will make, built before anything is written."""

    incidents: list[dict[str, object]] = field(default_factory=list)
    people: list[dict[str, object]] = field(default_factory=list)
    involvements: list[dict[str, object]] = field(default_factory=list)
    events: list[AuditEvent] = field(default_factory=list)


def _event(
    by: Recorder,
    name: str,
    record_type: str,
    record_id: uuid.UUID,
    **details: str | int | bool | None,
) -> AuditEvent:
    return AuditEvent(
        name=name,
        actor_user_id=by.user_id,
        actor_organisation_id=by.organisation_id,
        actor_role=by.role,
        record_type=record_type,
        record_id=str(record_id),
        record_organisation_id=by.organisation_id,
        details=details,
    )


class _Writer:
    """Plans and writes one organisation's incidents; each item carries its own recorder."""

    def __init__(
        self,
        conn: Connection,
        organisation_id: uuid.UUID,
        source: IncidentSource,
        h3_resolution: int,
    ) -> None:
        self._conn = conn
        self._org = organisation_id
        self._source = source
        self._places = PlaceWriter(conn, h3_resolution)
        self._now = utc_now()
        self._plan = _Plan()
        self._new_people: dict[str, uuid.UUID] = {}

    # --- look-ups, one query per chunk -------------------------------------------------------

    def existing_incidents(self, references: list[str]) -> dict[str, tuple[uuid.UUID, str | None]]:
        found: dict[str, tuple[uuid.UUID, str | None]] = {}
        for chunk in _chunks(sorted(set(references))):
            rows = self._conn.execute(
                select(Incident.reference, Incident.id, Incident.content_hash).where(
                    Incident.organisation_id == self._org,
                    Incident.reference.in_(chunk),
                )
            )
            found.update({ref: (iid, digest) for ref, iid, digest in rows})
        return found

    def existing_people(
        self, items: Sequence[IncidentIn]
    ) -> tuple[set[uuid.UUID], dict[str, uuid.UUID]]:
        ids = sorted({str(p.person_id) for i in items for p in i.people if p.person_id})
        refs = sorted({p.person.reference for i in items for p in i.people if p.person})
        own_ids: set[uuid.UUID] = set()
        by_ref: dict[str, uuid.UUID] = {}
        org = self._org
        for chunk in _chunks(ids):
            own_ids.update(
                self._conn.scalars(
                    select(PersonRecord.id).where(
                        PersonRecord.organisation_id == org,
                        PersonRecord.id.in_([uuid.UUID(c) for c in chunk]),
                    )
                )
            )
        for chunk in _chunks(refs):
            rows = self._conn.execute(
                select(PersonRecord.reference, PersonRecord.id).where(
                    PersonRecord.organisation_id == org, PersonRecord.reference.in_(chunk)
                )
            )
            by_ref.update({ref: pid for ref, pid in rows})
        return own_ids, by_ref

    # --- planning ----------------------------------------------------------------------------

    def _person_id(self, person: PersonIn, by_ref: dict[str, uuid.UUID], by: Recorder) -> uuid.UUID:
        known = by_ref.get(person.reference) or self._new_people.get(person.reference)
        if known is not None:
            return known
        person_id = new_id()
        self._new_people[person.reference] = person_id
        values = person.model_dump()
        values["postcode"] = normalise_postcode(person.postcode)
        values["vulnerability_markers"] = [m.value for m in person.vulnerability_markers]
        values.update(
            id=person_id,
            organisation_id=self._org,
            location_id=None,
            created_at=self._now,
            updated_at=self._now,
        )
        self._plan.people.append(values)
        self._plan.events.append(_event(by, "person.created", "person_record", person_id))
        return person_id

    def plan(
        self,
        item: IncidentIn,
        digest: str,
        own_ids: set[uuid.UUID],
        by_ref: dict[str, uuid.UUID],
        by: Recorder,
    ) -> uuid.UUID:
        incident_id = new_id()
        roles: set[tuple[uuid.UUID, InvolvementRole]] = set()
        for involvement in item.people:
            if involvement.person is not None:
                person_id = self._person_id(involvement.person, by_ref, by)
            else:
                assert involvement.person_id is not None and involvement.person_id in own_ids
                person_id = involvement.person_id
            roles.add((person_id, involvement.role))
        self._plan.incidents.append(self._incident_values(item, incident_id, digest, by))
        self._plan.events.append(
            _event(
                by,
                "incident.created",
                "incident",
                incident_id,
                source=self._source.value,
                people=len(roles),
            )
        )
        for person_id, role in sorted(roles, key=lambda pr: (str(pr[0]), pr[1].value)):
            self._plan.involvements.append(
                {"incident_id": incident_id, "person_record_id": person_id, "role": role}
            )
            self._plan.events.append(
                _event(
                    by,
                    "incident.involvement_added",
                    "person_record",
                    person_id,
                    incident_id=str(incident_id),
                    role=role.value,
                )
            )
        return incident_id

    def _incident_values(
        self, item: IncidentIn, incident_id: uuid.UUID, digest: str, by: Recorder
    ) -> dict[str, object]:
        location = item.location if item.location is not None and not item.location.empty else None
        return {
            "id": incident_id,
            "organisation_id": self._org,
            "reference": item.reference,
            "category": item.category,
            "occurred_at": item.occurred_at,
            "occurred_precision": item.occurred_precision,
            "reported_at": item.reported_at,
            "location": location,
            "narrative": item.narrative,
            "clinical_notes": item.clinical_notes,
            "source": self._source,
            "outcome": item.outcome,
            "context": "",
            "no_location": location is None,
            "outside_area": False,
            "recorded_by_id": by.user_id,
            "content_hash": digest,
            "created_at": self._now,
            "updated_at": self._now,
        }

    # --- writing -----------------------------------------------------------------------------

    def write(self, session: Session) -> None:
        plan = self._plan
        keys = {_location_key(v["location"]) for v in plan.incidents if v["location"] is not None}
        location_ids = self._places.location_ids(keys) if keys else {}
        for values in plan.incidents:
            location = values.pop("location")
            values["location_id"] = (
                location_ids[_location_key(location)] if isinstance(location, LocationIn) else None
            )
        # Core inserts (executemany): the unit of work would only slow a bulk write down.
        for model, rows in (
            (PersonRecord, plan.people),
            (Incident, plan.incidents),
            (Involvement, plan.involvements),
        ):
            if rows:
                self._conn.execute(insert(cast(Table, model.__table__)), rows)
        record_many(session, plan.events)


def _location_key(location: object) -> LocationKey:
    assert isinstance(location, LocationIn)
    return LocationKey(
        location.latitude,
        location.longitude,
        location.description.strip(),
        None,
        normalise_postcode(location.postcode),
    )


def record_incidents(
    session: Session,
    *,
    recorder: Recorder,
    items: Sequence[IncidentIn],
    source: IncidentSource,
    h3_resolution: int,
) -> list[IntakeResult]:
    """Record ``items`` for ``recorder``'s organisation in the caller's transaction (or one of
    its own), returning one result per item in order. Nothing is written for a refused item."""
    return record_entries(
        session,
        entries=[(recorder, item) for item in items],
        source=source,
        h3_resolution=h3_resolution,
    )


def record_entries(
    session: Session,
    *,
    entries: Sequence[tuple[Recorder, IncidentIn]],
    source: IncidentSource,
    h3_resolution: int,
) -> list[IntakeResult]:
    """Record incidents sent by several recorders of one organisation (each audited as its own
    recorder) in the caller's transaction (or one of its own), deciding each in order as if
    sent one after another: one result per entry. Nothing is written for a refused entry."""
    if not entries:
        return []
    organisation_id = entries[0][0].organisation_id
    if any(by.organisation_id != organisation_id for by, _ in entries):
        raise ValueError("record_entries takes the incidents of one organisation")
    items = [item for _, item in entries]
    results: list[IntakeResult] = []
    with atomic(session):
        conn = session.connection()
        writer = _Writer(conn, organisation_id, source, h3_resolution)
        existing = writer.existing_incidents([i.reference for i in items])
        own_ids, by_ref = writer.existing_people(items)
        sent: dict[str, tuple[uuid.UUID, str]] = {}
        for index, (by, item) in enumerate(entries):
            digest = content_hash(item)
            result = _decide(index, item, digest, existing, sent, own_ids)
            if result is None:
                incident_id = writer.plan(item, digest, own_ids, by_ref, by)
                sent[item.reference] = (incident_id, digest)
                result = IntakeResult(
                    index=index,
                    reference=item.reference,
                    status=IntakeStatus.CREATED,
                    id=incident_id,
                )
            results.append(result)
        writer.write(session)
    return results


def _decide(
    index: int,
    item: IncidentIn,
    digest: str,
    existing: dict[str, tuple[uuid.UUID, str | None]],
    sent: dict[str, tuple[uuid.UUID, str]],
    own_ids: set[uuid.UUID],
) -> IntakeResult | None:
    """The result for an item that will not be written, or ``None`` to write it."""
    ref = item.reference
    earlier = existing.get(ref) or sent.get(ref)
    if earlier is not None:
        incident_id, stored = earlier
        if stored == digest:
            return IntakeResult(
                index=index, reference=ref, status=IntakeStatus.ALREADY_PRESENT, id=incident_id
            )
        return _refused(
            index,
            ref,
            "reference",
            "your organisation already has a different incident with this reference",
        )
    for n, involvement in enumerate(item.people):
        if involvement.person_id is not None and involvement.person_id not in own_ids:
            return _refused(
                index,
                ref,
                f"people.{n}.person_id",
                "not a person record your organisation holds",
            )
    return None


def _refused(index: int, reference: str | None, where: str, message: str) -> IntakeResult:
    return IntakeResult(
        index=index,
        reference=reference,
        status=IntakeStatus.REJECTED,
        errors=[IntakeError(field=where, message=message)],
    )


def refused(index: int, reference: str | None, errors: list[IntakeError]) -> IntakeResult:
    """The result for an item that did not validate."""
    return IntakeResult(
        index=index, reference=reference, status=IntakeStatus.REJECTED, errors=errors
    )
