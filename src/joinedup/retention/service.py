"""``run()``: erase or flag records past their retention period, and purge old working data."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from joinedup.audit.events import AuditEvent
from joinedup.audit.service import record
from joinedup.config import REPO_ROOT, Settings
from joinedup.db import atomic
from joinedup.retention import erasure, queries, rules
from joinedup.retention.models import RetentionReview
from joinedup.retention.queries import Candidate
from joinedup.retention.schemas import RetentionMode, RetentionSummary

EXPORTS_DIR = REPO_ROOT / "var" / "exports"
Progress = Callable[[int], None]


def _system_event(name: str, candidate: Candidate | None, details: dict[str, int]) -> AuditEvent:
    return AuditEvent(
        name=name,
        actor_role="system",
        record_type=candidate.record_type if candidate else "",
        record_id=str(candidate.record_id) if candidate else "",
        record_organisation_id=candidate.organisation_id if candidate else None,
        details=dict(details),
    )


def _erase(session: Session, candidate: Candidate) -> dict[str, int]:
    if candidate.record_type == "incident":
        counts = erasure.erase_incident(session, candidate.record_id)
    else:
        counts = erasure.erase_person(session, candidate.record_id)
    record(session, _system_event("record.erased", candidate, counts))
    return counts


def _review(session: Session, candidate: Candidate) -> RetentionReview | None:
    return session.scalars(
        select(RetentionReview).where(
            RetentionReview.record_type == candidate.record_type,
            RetentionReview.record_id == candidate.record_id,
        )
    ).first()


def _kept(review: RetentionReview | None, now: datetime) -> bool:
    """A person decided to keep the record, and that decision has not run out."""
    return (
        review is not None
        and review.status == "kept"
        and review.keep_until is not None
        and review.keep_until > now
    )


def _flag(session: Session, candidate: Candidate, now: datetime) -> bool:
    found = _review(session, candidate)
    if found is not None:
        if found.status != "kept" or _kept(found, now):
            return False
        # The time it was kept for has run out: it needs a new decision.
        found.status, found.flagged_at, found.keep_until = "open", now, None
        record(session, _system_event("retention.flagged", candidate, {}))
        return True
    session.add(
        RetentionReview(
            record_type=candidate.record_type,
            record_id=candidate.record_id,
            organisation_id=candidate.organisation_id,
            flagged_at=now,
        )
    )
    record(session, _system_event("retention.flagged", candidate, {}))
    return True


def _purge(
    session: Session, now: datetime, settings: Settings, exports_dir: Path, dry_run: bool
) -> dict[str, int]:
    purged = erasure.purge_auth(
        session, rules.days_before(now, settings.retention_login_attempt_days)
    )
    cutoff = rules.days_before(now, settings.retention_purpose_declaration_days)
    purged["purpose_declarations"] = erasure.purge_purposes(session, cutoff)
    key_cutoff = rules.days_before(now, settings.retention_idempotency_key_days)
    purged["idempotency_keys"] = erasure.purge_idempotency_keys(session, key_cutoff)
    export_cutoff = rules.days_before(now, settings.retention_export_days)
    purged["export_files"] = erasure.purge_exports(exports_dir, export_cutoff, dry_run=dry_run)
    if any(purged.values()):
        record(session, _system_event("retention.purged", None, purged))
    return purged


class _DryRun(Exception):
    """Raised to roll a dry run back after counting."""


def run(
    *,
    session: Session,
    now: datetime,
    mode: RetentionMode,
    settings: Settings,
    dry_run: bool = False,
    exports_dir: Path | None = None,
    progress: Progress | None = None,
) -> RetentionSummary:
    """Erase (or flag) records past their period and purge old working data; one transaction."""
    summary = RetentionSummary(mode=mode, dry_run=dry_run)
    try:
        with atomic(session):
            incidents = queries.incidents_past(
                session, rules.years_before(now, settings.retention_incident_years)
            )
            summary.incidents_past = len(incidents)
            _apply(session, incidents, mode, now, summary, progress)
            persons = queries.persons_past(
                session, rules.years_before(now, settings.retention_person_years)
            )
            summary.persons_past = len(persons)
            _apply(session, persons, mode, now, summary, progress)
            summary.purged = _purge(session, now, settings, exports_dir or EXPORTS_DIR, dry_run)
            if dry_run:
                raise _DryRun()
    except _DryRun:
        pass
    return summary


def _apply(
    session: Session,
    candidates: list[Candidate],
    mode: RetentionMode,
    now: datetime,
    summary: RetentionSummary,
    progress: Progress | None,
) -> None:
    for candidate in candidates:
        if mode is RetentionMode.ERASE and _kept(_review(session, candidate), now):
            pass  # an information-governance lead decided to keep it for now
        elif mode is RetentionMode.ERASE:
            _erase(session, candidate)
            key = candidate.record_type
            summary.erased[key] = summary.erased.get(key, 0) + 1
        elif _flag(session, candidate, now):
            summary.flagged += 1
        if progress is not None:
            progress(1)
