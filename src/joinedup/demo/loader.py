"""Loading the demo partnership in one transaction: a failure leaves no half-loaded demo.

Organisations, users and agreements go in through the ORM (a few hundred rows); police.uk files
go through the importer; people, places, incidents and involvements are planned in memory and
written with Core bulk inserts. The ground truth is written only after the commit.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from joinedup.audit.events import AuditEvent
from joinedup.audit.service import record
from joinedup.auth.passwords import hash_password
from joinedup.common.clock import utc_now
from joinedup.common.ids import new_id
from joinedup.db import atomic
from joinedup.demo import organisations as orgs
from joinedup.demo.addresses import POLICE_UK_DIR
from joinedup.demo.agreement import create_agreement, create_sharing_agreements
from joinedup.demo.groundtruth import GROUND_TRUTH_PATH, ground_truth_of, plan, write_ground_truth
from joinedup.demo.incidents import background_incidents
from joinedup.demo.model import IncidentSpec, Population, RecordCopy
from joinedup.incidents.models import Incident, Involvement
from joinedup.incidents.police_uk import import_files
from joinedup.incidents.schemas import IncidentSource, TimePrecision
from joinedup.partners.models import Organisation
from joinedup.people.models import PersonRecord
from joinedup.places.service import LocationKey, PlaceWriter

BATCH = 5000


class Reporter(Protocol):
    """Where the loader reports progress (a rich progress bar in the CLI)."""

    def stage(self, name: str, total: int) -> None:
        """A new stage of ``total`` steps begins."""

    def advance(self, steps: int) -> None:
        """``steps`` more steps of the current stage are done."""


class SilentReporter:
    """Reports nothing (tests, scripts)."""

    def stage(self, name: str, total: int) -> None:
        """Ignore the stage."""

    def advance(self, steps: int) -> None:
        """Ignore the progress."""


@dataclass(slots=True)
class DemoCounts:
    """What the demo load created."""

    organisations: int = 0
    users: int = 0
    sharing_agreements: int = 0
    police_uk_incidents: int = 0
    true_people: int = 0
    person_records: int = 0
    partner_incidents: int = 0
    involvements: int = 0
    stories: int = 0


def is_loaded(session: Session) -> bool:
    """True when the database already holds organisations."""
    return bool(session.scalar(select(func.count()).select_from(Organisation)))


def _batches(rows: Sequence[dict[str, Any]]) -> Iterable[Sequence[dict[str, Any]]]:
    for start in range(0, len(rows), BATCH):
        yield rows[start : start + BATCH]


def _police_uk(
    session: Session, org_id: uuid.UUID, directory: Path, h3: int, reporter: Reporter
) -> int:
    paths = sorted(directory.glob("*.csv.gz"))
    reporter.stage(f"police.uk files ({len(paths)})", len(paths))
    summary = import_files(
        session,
        organisation_id=org_id,
        paths=paths,
        h3_resolution=h3,
        on_progress=lambda _path, done, total: reporter.advance(1) if done == total else None,
    )
    return summary.imported


def _person_rows(
    records: list[RecordCopy], org_ids: dict[str, uuid.UUID], places: dict[LocationKey, uuid.UUID]
) -> tuple[list[dict[str, Any]], dict[tuple[str, str], uuid.UUID]]:
    now = utc_now()
    rows = []
    ids: dict[tuple[str, str], uuid.UUID] = {}
    for r in records:
        ids[r.key] = record_id = new_id()
        rows.append(
            {
                "id": record_id,
                "organisation_id": org_ids[r.organisation],
                "reference": r.reference,
                "first_name": r.first_name,
                "middle_names": r.middle_names,
                "surname": r.surname,
                "date_of_birth": r.date_of_birth,
                "gender": r.gender,
                "address_line": r.address.line,
                "town": r.address.town,
                "postcode": r.address.postcode,
                "location_id": places[r.address.location_key()],
                "vulnerability_markers": list(r.markers),
                "created_at": now,
                "updated_at": now,
            }
        )
    return rows, ids


def _incident_rows(
    specs: list[IncidentSpec],
    org_ids: dict[str, uuid.UUID],
    places: dict[LocationKey, uuid.UUID],
    people: dict[tuple[str, str], uuid.UUID],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    now = utc_now()
    incidents, involvements = [], []
    for spec in specs:
        incident_id = new_id()
        occurred: datetime = now - spec.ago
        incidents.append(
            {
                "id": incident_id,
                "organisation_id": org_ids[spec.organisation],
                "reference": spec.reference,
                "category": spec.category,
                "occurred_at": occurred,
                "occurred_precision": TimePrecision.MINUTE,
                "reported_at": min(occurred + spec.report_delay, now),
                "location_id": places[spec.place],
                "narrative": spec.narrative,
                "source": IncidentSource.PARTNER,
                "outcome": "",
                "context": "",
                "no_location": False,
                "outside_area": False,
                "created_at": now,
                "updated_at": now,
            }
        )
        seen = set()
        for party, role in spec.parties:
            key = (people[party.key], role)
            if key not in seen:
                seen.add(key)
                involvements.append(
                    {"incident_id": incident_id, "person_record_id": key[0], "role": role}
                )
    return incidents, involvements


def _places(
    session: Session, population: Population, specs: list[IncidentSpec], h3: int
) -> dict[LocationKey, uuid.UUID]:
    writer = PlaceWriter(session.connection(), h3)
    addresses = [r.address for r in population.records]
    writer.ensure_lsoas({a.lsoa_code: a.lsoa_name for a in addresses})
    keys = [a.location_key() for a in addresses] + [s.place for s in specs]
    return writer.location_ids(keys)


def _insert(session: Session, table: Any, rows: list[dict[str, Any]], reporter: Reporter) -> None:
    conn = session.connection()
    for batch in _batches(rows):
        conn.execute(insert(table), batch)
        reporter.advance(len(batch))


def _people_and_incidents(
    session: Session,
    org_ids: dict[str, uuid.UUID],
    population: Population,
    specs: list[IncidentSpec],
    h3: int,
    reporter: Reporter,
) -> tuple[int, int]:
    reporter.stage("Places", 1)
    places = _places(session, population, specs, h3)
    reporter.advance(1)
    person_rows, people = _person_rows(population.records, org_ids, places)
    reporter.stage("Person records", len(person_rows))
    _insert(session, PersonRecord, person_rows, reporter)
    incident_rows, involvement_rows = _incident_rows(specs, org_ids, places, people)
    reporter.stage("Partner incidents", len(incident_rows) + len(involvement_rows))
    _insert(session, Incident, incident_rows, reporter)
    _insert(session, Involvement, involvement_rows, reporter)
    return len(incident_rows), len(involvement_rows)


def load_demo(
    session: Session,
    *,
    seed: int = 2026,
    people: int = 5000,
    incidents: int = 20000,
    police_uk: bool = True,
    h3_resolution: int = 9,
    police_uk_dir: Path = POLICE_UK_DIR,
    ground_truth_path: Path = GROUND_TRUTH_PATH,
    reporter: Reporter | None = None,
) -> DemoCounts:
    """Load the whole demo partnership into an empty database, in one transaction."""
    report = reporter or SilentReporter()
    counts = DemoCounts()
    report.stage("Planning people and stories", 1)
    builder = plan(seed, people)
    population = builder.population
    planned = [i for s in population.stories for i in s.incidents] + population.benchmark_incidents
    specs = planned + background_incidents(
        builder, max(0, incidents - len(planned)), population.benchmark
    )
    report.advance(1)
    with atomic(session):
        report.stage("Organisations, users and agreements", 1)
        org_ids = orgs.create_organisations(session)
        # One demo password for every login: hashing it once keeps the load fast.
        counts.users = orgs.create_users(session, org_ids, hash_password(orgs.DEMO_PASSWORD))
        create_agreement(session, org_ids)
        counts.sharing_agreements = create_sharing_agreements(session, org_ids)
        counts.organisations = len(org_ids)
        report.advance(1)
        if police_uk:
            police = org_ids[orgs.POLICE]
            counts.police_uk_incidents = _police_uk(
                session, police, police_uk_dir, h3_resolution, report
            )
        counts.partner_incidents, counts.involvements = _people_and_incidents(
            session, org_ids, population, specs, h3_resolution, report
        )
        counts.true_people = len(population.persons)
        counts.person_records = len(population.records)
        counts.stories = len(population.stories)
        details: dict[str, str | int | bool | None] = {"seed": seed, **asdict(counts)}
        record(session, AuditEvent(name="demo.loaded", record_type="demo", details=details))
    # Fresh planner statistics after a bulk load: without them PostgreSQL picks scans that cost
    # several times more on the person page (measured in docs/benchmarks.md).
    session.execute(text("ANALYZE"))
    session.commit()
    write_ground_truth(ground_truth_of(population, people), ground_truth_path)
    return counts
