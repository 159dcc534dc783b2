"""Reads for the retention job: which records are past their period (ids and holders only).

The retention job is a system job over every organisation's records: it reads no personal
values, only ids, holders and timestamps, and its output is counts.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from joinedup.common.clock import as_utc
from joinedup.incidents.models import Incident, Involvement
from joinedup.people.models import PersonRecord
from joinedup.retention import rules


@dataclass(frozen=True, slots=True)
class Candidate:
    """A record past its retention period."""

    record_type: str
    record_id: uuid.UUID
    organisation_id: uuid.UUID


def incidents_past(session: Session, cutoff: datetime) -> list[Candidate]:
    """Incidents whose latest update and occurrence are before ``cutoff``."""
    stmt = select(
        Incident.id, Incident.organisation_id, Incident.updated_at, Incident.occurred_at
    ).where(Incident.updated_at < cutoff)
    return [
        Candidate("incident", iid, org)
        for iid, org, updated, occurred in session.execute(stmt)
        if rules.is_past_retention(rules.latest_activity(updated, occurred), cutoff)
    ]


def persons_past(session: Session, cutoff: datetime) -> list[Candidate]:
    """Person records whose latest update and latest incident involvement precede ``cutoff``."""
    last_incident = (
        select(
            Involvement.person_record_id.label("pid"),
            func.max(Incident.updated_at).label("updated"),
            func.max(Incident.occurred_at).label("occurred"),
        )
        .join(Incident, Incident.id == Involvement.incident_id)
        .group_by(Involvement.person_record_id)
        .subquery()
    )
    stmt = (
        select(
            PersonRecord.id,
            PersonRecord.organisation_id,
            PersonRecord.updated_at,
            last_incident.c.updated,
            last_incident.c.occurred,
        )
        .outerjoin(last_incident, last_incident.c.pid == PersonRecord.id)
        .where(PersonRecord.updated_at < cutoff)
    )
    found = []
    for pid, org, updated, inc_updated, inc_occurred in session.execute(stmt):
        latest = rules.latest_activity(updated, _aware(inc_updated), _aware(inc_occurred))
        if rules.is_past_retention(latest, cutoff):
            found.append(Candidate("person_record", pid, org))
    return found


def _aware(value: datetime | None) -> datetime | None:
    """Aggregates bypass the column type on SQLite: make them timezone-aware UTC again."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return as_utc(value)
