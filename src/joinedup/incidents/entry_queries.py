"""Reads for the incident entry and import pages: the recorder's OWN organisation only.

Picking a person for a new incident searches only the records the user's organisation holds
(never a partner's shared record: an incident involves its holder's records only), through
``access.scope`` like every other read of personal data.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from joinedup.access.actor import Actor
from joinedup.access.context import own_only
from joinedup.access.scope import visible_incidents, visible_person_records
from joinedup.common.errors import NotFound
from joinedup.incidents.models import ImportRun, Incident
from joinedup.people.models import PersonRecord
from joinedup.people.queries import name_or_reference_starts, summary
from joinedup.people.schemas import PersonSummary

PROBLEMS_SHOWN = 50


def search_own_people(
    session: Session, actor: Actor, words: list[str], born: date | None, limit: int = 25
) -> list[PersonSummary]:
    """The organisation's own person records whose name or reference starts with each word
    and, when given, born on ``born``."""
    if not words and born is None:
        return []
    stmt = visible_person_records(
        select(PersonRecord).where(PersonRecord.organisation_id == actor.organisation_id), actor
    )
    stmt = name_or_reference_starts(stmt, words)
    if born is not None:
        stmt = stmt.where(PersonRecord.date_of_birth == born)
    stmt = stmt.order_by(PersonRecord.surname, PersonRecord.first_name, PersonRecord.id)
    ctx = own_only(actor)
    return [summary(ctx, p) for p in session.scalars(stmt.limit(limit))]


def own_people(
    session: Session, actor: Actor, ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, PersonSummary]:
    """The organisation's own records among ``ids`` (another organisation's are absent)."""
    wanted = sorted(set(ids), key=str)
    if not wanted:
        return {}
    stmt = visible_person_records(
        select(PersonRecord).where(
            PersonRecord.organisation_id == actor.organisation_id, PersonRecord.id.in_(wanted)
        ),
        actor,
    )
    ctx = own_only(actor)
    return {p.id: summary(ctx, p) for p in session.scalars(stmt)}


def person_reference_taken(session: Session, actor: Actor, reference: str) -> bool:
    """Whether the organisation already holds a person record with this reference."""
    stmt = visible_person_records(
        select(PersonRecord.id).where(
            PersonRecord.organisation_id == actor.organisation_id,
            PersonRecord.reference == reference,
        ),
        actor,
    )
    return session.scalar(stmt.limit(1)) is not None


def incident_reference_taken(session: Session, actor: Actor, reference: str) -> bool:
    """Whether the organisation already holds an incident with this reference."""
    stmt = visible_incidents(
        select(Incident.id).where(Incident.reference == reference), actor, actor.organisation_id
    )
    return session.scalar(stmt.limit(1)) is not None


# --- import runs ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem row of an import: where, and why (never the row's content)."""

    file: str
    line: str
    column: str
    reason: str


@dataclass(frozen=True, slots=True)
class RunView:
    """An import run as its page shows it."""

    id: uuid.UUID
    file_format: str
    file_name: str
    strict: bool
    started_at: datetime
    finished_at: datetime | None
    outcome: str
    counts: dict[str, int]
    problem_count: int
    problems: list[Problem]
    notices: list[str]


def _problems(report: str) -> list[Problem]:
    rows = list(csv.reader(io.StringIO(report)))
    return [Problem(*(r + ["", "", "", ""])[:4]) for r in rows[1:] if r]


def _view(run: ImportRun, problems: bool) -> RunView:
    found = _problems(run.report_csv) if problems else []
    return RunView(
        id=run.id,
        file_format=run.file_format,
        file_name=run.file_name,
        strict=run.strict,
        started_at=run.started_at,
        finished_at=run.finished_at,
        outcome=run.outcome,
        counts=dict(run.counts or {}),
        problem_count=len(found) if problems else 0,
        problems=found[:PROBLEMS_SHOWN],
        notices=list(run.notices or []),
    )


def recent_runs(session: Session, actor: Actor, limit: int = 20) -> list[RunView]:
    """The organisation's latest import runs, newest first."""
    stmt = (
        select(ImportRun)
        .where(ImportRun.organisation_id == actor.organisation_id)
        .order_by(ImportRun.started_at.desc(), ImportRun.id)
        .limit(limit)
    )
    return [_view(run, problems=False) for run in session.scalars(stmt)]


def _run(session: Session, actor: Actor, run_id: uuid.UUID) -> ImportRun:
    run = session.scalar(
        select(ImportRun).where(
            ImportRun.id == run_id, ImportRun.organisation_id == actor.organisation_id
        )
    )
    if run is None:
        raise NotFound()
    return run


def run_for(session: Session, actor: Actor, run_id: uuid.UUID) -> RunView:
    """One of the organisation's import runs with its first problems; another organisation's
    run is not found."""
    return _view(_run(session, actor, run_id), problems=True)


def problems_csv(session: Session, actor: Actor, run_id: uuid.UUID) -> tuple[str, str]:
    """A run's problem report (CSV: file, line, column, reason) and a file name for it."""
    run = _run(session, actor, run_id)
    report = run.report_csv or "file,line,column,reason\n"
    return report, f"import-{str(run.id)[:8]}-problems.csv"
