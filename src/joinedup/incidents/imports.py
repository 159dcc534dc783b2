"""Running a file import: the JoinedUp incident CSV (and police.uk, through ``police_uk``), each
run stored with its counts and problem report (``ImportRun``).

A JoinedUp incident CSV is written in chunks, each its own transaction: a run killed part-way
leaves whole incidents only, and running it again adds exactly the rest (each incident's
reference is unique in its organisation). ``strict`` writes all or nothing.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path

from sqlalchemy.orm import Session

from joinedup.audit.events import AuditEvent
from joinedup.audit.service import record
from joinedup.common.clock import utc_now
from joinedup.db import atomic
from joinedup.incidents import police_uk
from joinedup.incidents.csvfiles import read_text
from joinedup.incidents.incident_csv import ParsedIncident, parse_text
from joinedup.incidents.intake import Recorder, record_incidents
from joinedup.incidents.models import ImportRun
from joinedup.incidents.police_uk import ImportSummary, RowProblem
from joinedup.incidents.schemas import IncidentSource, IntakeStatus
from joinedup.partners.schemas import Role

CHUNK = 500
# Who may import files for their organisation (the upload page; the CLI is an operator's).
IMPORT_ROLES = (Role.ADMIN, Role.SUPERVISOR)
FORMATS = {"police_uk": "police.uk street-level CSV", "incidents": "JoinedUp incident CSV"}
ProgressCallback = Callable[[Path, int, int], None]


class _Refused(Exception):
    """--strict found a problem: roll the whole import back."""


def report_csv(problems: Sequence[RowProblem]) -> str:
    """The problem rows as CSV: ``file, line, column, reason`` (never row content)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["file", "line", "column", "reason"])
    for p in problems:
        writer.writerow([p.file, p.line, p.column, p.reason])
    return out.getvalue()


def start_run(
    session: Session,
    *,
    organisation_id: uuid.UUID,
    file_format: str,
    file_name: str,
    strict: bool,
    user_id: uuid.UUID | None,
) -> uuid.UUID:
    """Record that an import has started (committed: a killed run stays visible)."""
    with atomic(session):
        run = ImportRun(
            organisation_id=organisation_id,
            file_format=file_format,
            file_name=file_name[:200],
            strict=strict,
            started_by_id=user_id,
        )
        session.add(run)
        session.flush()
    return run.id


def finish_run(session: Session, run_id: uuid.UUID, summary: ImportSummary) -> None:
    """Store a finished import's outcome, counts and problem report."""
    with atomic(session):
        run = session.get(ImportRun, run_id)
        assert run is not None
        run.finished_at = utc_now()
        run.outcome = summary.outcome
        run.counts = {k: int(v or 0) for k, v in summary.counts().items()}
        run.notices = [n[:300] for n in summary.notices]
        run.report_csv = report_csv(summary.problems)


def _audit(session: Session, recorder: Recorder, summary: ImportSummary) -> None:
    record(
        session,
        AuditEvent(
            name="incidents.imported",
            actor_user_id=recorder.user_id,
            actor_organisation_id=recorder.organisation_id,
            actor_role=recorder.role,
            record_type="incident",
            details={"format": "incidents", "outcome": summary.outcome, **summary.counts()},
        ),
    )


def import_incident_csv(
    session: Session,
    *,
    recorder: Recorder,
    path: Path,
    h3_resolution: int,
    strict: bool = False,
    on_progress: ProgressCallback | None = None,
) -> ImportSummary:
    """Import a JoinedUp incident CSV for ``recorder``'s organisation.

    Raises ``FileFormatError`` (nothing written) when the file cannot be read or its header is
    wrong; otherwise every row is imported, already present, or reported as a problem."""
    text = read_text(path)
    parsed = parse_text(text.text)
    summary = ImportSummary(files=1, rows_read=parsed.rows_read)
    if text.notice:
        summary.notices.append(f"{path.name}: {text.notice}")
    summary.problems.extend(
        RowProblem(path.name, p.line, p.reason, p.column) for p in parsed.problems
    )
    summary.rejected = len(parsed.problems)
    total = parsed.rows_read
    if on_progress is not None:
        on_progress(path, summary.rejected, total)

    def write_all() -> None:
        for start in range(0, len(parsed.incidents), CHUNK):
            chunk = parsed.incidents[start : start + CHUNK]
            _write_chunk(session, recorder, path, chunk, summary, h3_resolution)
            if on_progress is not None:
                done = summary.rejected + summary.imported + summary.already_present
                on_progress(path, done, total)

    if not strict:
        write_all()  # each chunk its own transaction
        with atomic(session):
            _audit(session, recorder, summary)
    else:
        try:
            with atomic(session):
                if summary.rejected:
                    raise _Refused()
                write_all()
                if summary.rejected:
                    raise _Refused()
                _audit(session, recorder, summary)
        except _Refused:
            summary.outcome = "refused"
            summary.imported = summary.already_present = summary.no_location = 0
            with atomic(session):
                _audit(session, recorder, summary)
    summary.problems.sort(key=lambda p: p.line)
    return summary


def _write_chunk(
    session: Session,
    recorder: Recorder,
    path: Path,
    chunk: list[ParsedIncident],
    summary: ImportSummary,
    h3_resolution: int,
) -> None:
    results = record_incidents(
        session,
        recorder=recorder,
        items=[p.item for p in chunk],
        source=IncidentSource.CSV,
        h3_resolution=h3_resolution,
    )
    for parsed, result in zip(chunk, results, strict=True):
        rows = len(parsed.lines)
        if result.status is IntakeStatus.CREATED:
            summary.imported += rows
            summary.no_location += (
                rows if parsed.item.location is None or parsed.item.location.empty else 0
            )
        elif result.status is IntakeStatus.ALREADY_PRESENT:
            summary.already_present += rows
        else:
            error = result.errors[0]
            column = "incident_reference" if error.field == "reference" else error.field
            summary.rejected += rows
            summary.problems.extend(
                RowProblem(path.name, line, error.message, column) for line in parsed.lines
            )


def run_import(
    session: Session,
    *,
    recorder: Recorder,
    file_format: str,
    paths: Sequence[Path],
    h3_resolution: int,
    strict: bool = False,
    on_progress: ProgressCallback | None = None,
    file_name: str | None = None,
) -> tuple[uuid.UUID, ImportSummary]:
    """Import ``paths`` in ``file_format`` ("police_uk" or "incidents"), stored as an
    ``ImportRun``. Format errors (nothing written) propagate after the run is marked failed."""
    name = file_name or ", ".join(p.name for p in paths)
    run_id = start_run(
        session,
        organisation_id=recorder.organisation_id,
        file_format=file_format,
        file_name=name,
        strict=strict,
        user_id=recorder.user_id,
    )
    try:
        if file_format == "police_uk":
            summary = police_uk.import_files(
                session,
                organisation_id=recorder.organisation_id,
                paths=paths,
                h3_resolution=h3_resolution,
                actor_user_id=recorder.user_id,
                on_progress=on_progress,
                strict=strict,
            )
        else:
            summary = ImportSummary()
            for path in paths:
                part = import_incident_csv(
                    session,
                    recorder=recorder,
                    path=path,
                    h3_resolution=h3_resolution,
                    strict=strict,
                    on_progress=on_progress,
                )
                _add(summary, part)
    except Exception as exc:
        failed = ImportSummary(outcome="failed")
        failed.notices.append(getattr(exc, "message", exc.__class__.__name__))
        finish_run(session, run_id, failed)
        raise
    finish_run(session, run_id, summary)
    return run_id, summary


def _add(total: ImportSummary, part: ImportSummary) -> None:
    total.files += part.files
    total.rows_read += part.rows_read
    total.imported += part.imported
    total.already_present += part.already_present
    total.rejected += part.rejected
    total.no_location += part.no_location
    total.problems.extend(part.problems)
    total.notices.extend(part.notices)
    if part.outcome != "imported":
        total.outcome = part.outcome
