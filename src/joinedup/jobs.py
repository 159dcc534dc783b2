"""SCHEDULE: the explicit list of periodic jobs, and the loop ``joinedup worker`` runs.

Jobs are listed here, never registered by import side effects. Each job opens its own unit of
work from a session factory and receives only settings and the time.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from joinedup.common import clock
from joinedup.config import Settings

log = logging.getLogger("joinedup.jobs")


@dataclass(frozen=True, slots=True)
class Job:
    """A periodic job: its name, how often it runs, and what it does (returns a summary)."""

    name: str
    every: timedelta
    run: Callable[[Session, Settings, datetime], str]


def _scan_ledger(session: Session, settings: Settings, now: datetime) -> str:
    from joinedup.oversight.jobs import scan_ledger

    result = scan_ledger(session, settings=settings)
    return f"scanned {result.entries_scanned} ledger entries, raised {result.items_raised} items"


def _retention(session: Session, settings: Settings, now: datetime) -> str:
    from joinedup.retention.schemas import RetentionMode
    from joinedup.retention.service import run

    summary = run(
        session=session, now=now, mode=RetentionMode(settings.retention_mode), settings=settings
    )
    return (
        f"{summary.incidents_past} incidents and {summary.persons_past} people past retention; "
        f"erased {sum(summary.erased.values())}, flagged {summary.flagged}"
    )


def _match_people(session: Session, settings: Settings, now: datetime) -> str:
    from joinedup.linkage.realtime import match_pending, thresholds_from

    summary = match_pending(session, thresholds=thresholds_from(settings))
    return (
        f"matched {summary.matched} person records: {summary.joined} joined a person, "
        f"{summary.reviews} pairs for review"
    )


SCHEDULE: list[Job] = [
    Job("linkage.match_pending", timedelta(minutes=1), _match_people),
    Job("oversight.scan_ledger", timedelta(minutes=5), _scan_ledger),
    Job("retention.run", timedelta(days=1), _retention),
]


def run_due(
    factory: sessionmaker[Session],
    settings: Settings,
    last_run: dict[str, datetime],
    now: datetime | None = None,
) -> list[tuple[str, str]]:
    """Run every job that is due (never run, or its interval has passed); return summaries."""
    now = now or clock.utc_now()
    done = []
    for job in SCHEDULE:
        previous = last_run.get(job.name)
        if previous is not None and now - previous < job.every:
            continue
        with factory() as session:
            try:
                summary = job.run(session, settings, now)
            except Exception:
                # One failing job must not stop the others; the error goes to the log.
                log.exception("job failed", extra={"job": job.name})
                summary = "failed"
        last_run[job.name] = now
        done.append((job.name, summary))
        log.info("job finished", extra={"job": job.name})
    return done


def run_forever(
    factory: sessionmaker[Session], settings: Settings, poll_seconds: float = 30.0
) -> None:
    """Run due jobs until interrupted."""
    last_run: dict[str, datetime] = {}
    while True:
        run_due(factory, settings, last_run)
        time.sleep(poll_seconds)
