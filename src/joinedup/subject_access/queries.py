"""Reads for subject access: the request list and the pack across linked records.

The pack is the one read that crosses organisations without an agreement: it is the data
subject's own data, gathered by an information-governance lead to disclose to the subject
(UK GDPR Art 15). It never goes to a practitioner, and every record in it is written to the
ledger as a disclosure. Other people are redacted here, before anything is rendered.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from joinedup.access.actor import Actor
from joinedup.common import clock
from joinedup.common.errors import NotFound
from joinedup.incidents.models import Incident, Involvement
from joinedup.incidents.taxonomy import label
from joinedup.partners.models import Organisation
from joinedup.partners.schemas import Role
from joinedup.people.linking import linked_record_ids
from joinedup.people.models import PersonRecord
from joinedup.places.models import Location
from joinedup.subject_access import rules
from joinedup.subject_access.models import SubjectAccessRequest
from joinedup.subject_access.schemas import OtherPerson, Pack, PackIncident, PackRecord, SarOut


def _out(sar: SubjectAccessRequest, today: date) -> SarOut:
    out = SarOut.model_validate(sar)
    out.overdue = rules.is_overdue(sar.due_on, today, sar.status)
    return out


def _check(actor: Actor | None) -> None:
    if actor is not None and actor.role is not Role.IG_LEAD:
        raise NotFound()


def list_for(session: Session, actor: Actor) -> list[SarOut]:
    """The actor's organisation's requests, soonest due first (IG leads only)."""
    _check(actor)
    today = clock.london(clock.utc_now()).date()
    stmt = (
        select(SubjectAccessRequest)
        .where(SubjectAccessRequest.organisation_id == actor.organisation_id)
        .order_by(SubjectAccessRequest.status.desc(), SubjectAccessRequest.due_on)
    )
    return [_out(s, today) for s in session.scalars(stmt)]


def get(
    session: Session, actor: Actor | None, reference: str, organisation_id: uuid.UUID
) -> SubjectAccessRequest:
    """One request of ``organisation_id`` by its reference or id."""
    _check(actor)
    stmt = select(SubjectAccessRequest).where(
        SubjectAccessRequest.organisation_id == organisation_id,
        SubjectAccessRequest.reference == reference.strip().upper(),
    )
    sar = session.scalars(stmt).first()
    if sar is None:
        raise NotFound()
    return sar


def anchor_organisation(session: Session, person_record_id: uuid.UUID) -> uuid.UUID | None:
    """The organisation holding a person record (ids only; for the create check)."""
    return session.scalar(
        select(PersonRecord.organisation_id).where(PersonRecord.id == person_record_id)
    )


def record_by_reference(session: Session, organisation_id: uuid.UUID, reference: str) -> uuid.UUID:
    """The id of the person record ``organisation_id`` holds under ``reference``."""
    found = session.scalar(
        select(PersonRecord.id).where(
            PersonRecord.organisation_id == organisation_id, PersonRecord.reference == reference
        )
    )
    if found is None:
        raise NotFound()
    return found


def _others_terms(
    session: Session, incident_ids: list[uuid.UUID], subject: set[uuid.UUID]
) -> tuple[dict[uuid.UUID, list[OtherPerson]], dict[uuid.UUID, list[str]]]:
    others: dict[uuid.UUID, list[OtherPerson]] = defaultdict(list)
    terms: dict[uuid.UUID, list[str]] = defaultdict(list)
    stmt = (
        select(Involvement.incident_id, Involvement.role, PersonRecord)
        .join(PersonRecord, PersonRecord.id == Involvement.person_record_id)
        .where(Involvement.incident_id.in_(incident_ids))
        .order_by(Involvement.role)
    )
    for incident_id, role, person in session.execute(stmt):
        if person.id in subject:
            continue
        others[incident_id].append(
            OtherPerson(role=role.value, text=rules.other_person_text(role.label))
        )
        terms[incident_id] += rules.third_party_terms(
            person.first_name,
            person.middle_names,
            person.surname,
            person.address_line,
            person.town,
            person.postcode,
        )
    return others, terms


def _incidents(session: Session, record_ids: set[uuid.UUID]) -> dict[uuid.UUID, list[PackIncident]]:
    stmt = (
        select(Involvement.person_record_id, Involvement.role, Incident, Organisation.name)
        .join(Incident, Incident.id == Involvement.incident_id)
        .join(Organisation, Organisation.id == Incident.organisation_id)
        .where(Involvement.person_record_id.in_(record_ids))
        .order_by(Incident.occurred_at, Incident.id)
    )
    rows = list(session.execute(stmt))
    incident_ids = list({inc.id for _, _, inc, _ in rows})
    others, terms = _others_terms(session, incident_ids, record_ids)
    places = {
        loc.id: loc.description
        for loc in session.scalars(
            select(Location).where(Location.id.in_({i.location_id for _, _, i, _ in rows}))
        )
    }
    found: dict[uuid.UUID, list[PackIncident]] = defaultdict(list)
    for record_id, role, inc, org_name in rows:
        hide = terms.get(inc.id, [])
        found[record_id].append(
            PackIncident(
                reference=inc.reference,
                organisation_name=org_name,
                category=label(inc.category),
                occurred_at=inc.occurred_at,
                subject_role=role.label,
                location=rules.redact(
                    places.get(inc.location_id, "") if inc.location_id else "", hide
                ),
                others=others.get(inc.id, []),
                narrative=rules.redact(inc.narrative, hide),
                clinical_notes=rules.redact(inc.clinical_notes, hide),
            )
        )
    return found


def _place(places: dict[uuid.UUID, str], location_id: uuid.UUID | None) -> str:
    return (places.get(location_id) or "") if location_id else ""


def build_pack(session: Session, sar: SubjectAccessRequest) -> Pack:
    """The pack for ``sar``: the anchor and every record linked to it, across organisations."""
    if sar.person_record_id is None:
        raise NotFound("The record this request was anchored on has been erased")
    ids = {sar.person_record_id, *linked_record_ids(session, sar.person_record_id)}
    incidents = _incidents(session, ids)
    stmt = (
        select(PersonRecord, Organisation.name)
        .join(Organisation, Organisation.id == PersonRecord.organisation_id)
        .where(PersonRecord.id.in_(ids))
        .order_by(Organisation.name, PersonRecord.reference)
    )
    records = [
        PackRecord(
            record_id=p.id,
            organisation_name=org_name,
            reference=p.reference,
            name=" ".join(x for x in (p.first_name, p.middle_names, p.surname) if x),
            date_of_birth=p.date_of_birth,
            gender=p.gender.value.replace("_", " "),
            address=", ".join(x for x in (p.address_line, p.town, p.postcode) if x),
            incidents=incidents.get(p.id, []),
        )
        for p, org_name in session.execute(stmt)
    ]
    handler = session.get(Organisation, sar.organisation_id)
    return Pack(
        sar_reference=sar.reference,
        handling_organisation=handler.name if handler else "",
        received_on=sar.received_on,
        due_on=sar.due_on,
        generated_at=clock.utc_now(),
        records=records,
        redaction_note=rules.REDACTION_NOTE,
    )


def record_holders(pack: Pack, session: Session) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """(record id, holding organisation id) for each record in ``pack``, for the ledger."""
    ids = [r.record_id for r in pack.records]
    stmt = select(PersonRecord.id, PersonRecord.organisation_id).where(PersonRecord.id.in_(ids))
    return [(rid, org) for rid, org in session.execute(stmt)]


def sar_organisation(session: Session, reference: str) -> uuid.UUID | None:
    """The handling organisation of the request with ``reference``."""
    return session.scalar(
        select(SubjectAccessRequest.organisation_id).where(
            SubjectAccessRequest.reference == reference.strip().upper()
        )
    )
