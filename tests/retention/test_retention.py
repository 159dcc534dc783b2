"""Retention runs (RET-1): a frozen clock moved past the period, then gone everywhere."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from joinedup.access.models import AccessGrant, PurposeDeclaration
from joinedup.access.schemas import GrantKind
from joinedup.audit.models import LedgerEntry
from joinedup.auth.models import LoginAttempt
from joinedup.cli import app as cli
from joinedup.common import clock as clock_module
from joinedup.config import Settings, get_settings
from joinedup.incidents.models import IdempotentRequest, Incident, Involvement
from joinedup.incidents.schemas import InvolvementRole
from joinedup.linkage import realtime
from joinedup.linkage.entities import BlockKey, EntityMember, PersonEntity
from joinedup.partners.schemas import OrgKind
from joinedup.people import queries as people_queries
from joinedup.people.models import PersonRecord
from joinedup.retention.models import RetentionReview
from joinedup.retention.schemas import RetentionMode
from joinedup.retention.service import run
from tests import factories
from tests.auth.fixtures import FakeClock

SEVEN_YEARS = timedelta(days=7 * 365 + 2)


class Seeded:
    """An old person with an incident, grant and purpose; and a person active recently."""

    def __init__(self, session: Session, exports: Path) -> None:
        self.org = factories.organisation(session, "Surrey Police")
        self.other = factories.organisation(session, "Borough Council", OrgKind.DISTRICT_COUNCIL)
        self.user = factories.user(session, self.org)
        self.old = factories.person(session, self.org, reference="OLD-1", surname="Oldrecord")
        self.incident = factories.incident(session, self.org, [(self.old, InvolvementRole.VICTIM)])
        self.active = factories.person(session, self.org, reference="NEW-1", surname="Active")
        later = factories.incident(session, self.org, [(self.active, InvolvementRole.WITNESS)])
        later.updated_at = datetime.now(UTC) + SEVEN_YEARS - timedelta(days=30)
        outsider = factories.user(session, self.other)
        now = datetime.now(UTC)
        session.add(
            AccessGrant(
                kind=GrantKind.BREAK_GLASS,
                grantee_user_id=outsider.id,
                grantee_organisation_id=self.other.id,
                holder_organisation_id=self.org.id,
                person_record_id=self.old.id,
                purpose="safeguarding",
                expires_at=now + timedelta(hours=4),
            )
        )
        session.add(
            PurposeDeclaration(
                user_id=outsider.id,
                record_type="person_record",
                record_id=self.old.id,
                purpose="safeguarding",
                expires_at=now + timedelta(hours=1),
            )
        )
        session.add(LoginAttempt(username_digest="d" * 64, ip="127.0.0.1"))
        session.add(
            IdempotentRequest(
                organisation_id=self.org.id,
                key="feed-0001",
                request_hash="0" * 64,
                status_code=201,
                response={"status": "created"},
            )
        )
        session.commit()
        exports.mkdir(parents=True, exist_ok=True)
        self.export = exports / "old-report.csv"
        self.export.write_text("reference\nOLD-1\n")
        stale = (now - timedelta(days=400)).timestamp()
        os.utime(self.export, (stale, stale))


@pytest.fixture
def seeded(session: Session, tmp_path: Path) -> Seeded:
    return Seeded(session, tmp_path / "exports")


def _count(session: Session, model: type[object]) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_ret1_erase_after_the_period_removes_the_record_everywhere(
    session: Session, settings: Settings, clock: FakeClock, seeded: Seeded, tmp_path: Path
) -> None:
    realtime.match_pending(session)  # in the linkage index and an entity
    assert _count(session, BlockKey) > 0
    clock.advance(days=SEVEN_YEARS.days)
    summary = run(
        session=session,
        now=clock_module.utc_now(),
        mode=RetentionMode.ERASE,
        settings=settings,
        exports_dir=tmp_path / "exports",
    )
    old_id, incident_id, active_id = seeded.old.id, seeded.incident.id, seeded.active.id
    org_id = seeded.org.id
    session.expire_all()
    assert summary.erased == {"incident": 1, "person_record": 1}
    assert session.get(PersonRecord, old_id) is None
    assert session.get(Incident, incident_id) is None
    assert session.get(PersonRecord, active_id) is not None
    assert _count(session, AccessGrant) == 0
    assert _count(session, PurposeDeclaration) == 0
    assert _count(session, LoginAttempt) == 0
    assert _count(session, IdempotentRequest) == 0
    keys = select(BlockKey).where(BlockKey.person_record_id == old_id)
    assert session.scalars(keys).first() is None
    member = select(EntityMember).where(EntityMember.person_record_id == old_id)
    assert session.scalars(member).first() is None
    assert _count(session, PersonEntity) == 1  # the active record's; the erased one's is gone
    assert not seeded.export.exists()
    involvement = select(Involvement).where(Involvement.person_record_id == old_id)
    assert session.scalars(involvement).first() is None
    erased = session.scalars(select(LedgerEntry).where(LedgerEntry.name == "record.erased")).all()
    assert {(e.record_type, e.record_organisation_id) for e in erased} == {
        ("incident", org_id),
        ("person_record", org_id),
    }
    assert all(e.operation.value == "erasure" for e in erased)
    actor = factories.actor_for(seeded.user, seeded.org)
    listed = [p.reference for p in people_queries.list_for(session, actor).items]
    assert listed == ["NEW-1"]
    assert people_queries.search(session, actor, "Oldrecord") == []


def test_ret1_nothing_is_erased_inside_the_period(
    session: Session, settings: Settings, clock: FakeClock, seeded: Seeded, tmp_path: Path
) -> None:
    clock.advance(days=5 * 365)
    summary = run(
        session=session,
        now=clock_module.utc_now(),
        mode=RetentionMode.ERASE,
        settings=settings,
        exports_dir=tmp_path / "none",
    )
    assert summary.erased == {}
    assert _count(session, PersonRecord) == 2


def test_ret1_flag_mode_and_dry_run_change_no_records(
    session: Session, settings: Settings, clock: FakeClock, seeded: Seeded, tmp_path: Path
) -> None:
    clock.advance(days=SEVEN_YEARS.days)
    now = clock_module.utc_now()
    dry = run(
        session=session,
        now=now,
        mode=RetentionMode.ERASE,
        settings=settings,
        dry_run=True,
        exports_dir=tmp_path / "exports",
    )
    assert dry.erased == {"incident": 1, "person_record": 1}
    session.expire_all()
    assert _count(session, PersonRecord) == 2 and seeded.export.exists()
    for _ in range(2):
        run(
            session=session,
            now=now,
            mode=RetentionMode.FLAG,
            settings=settings,
            exports_dir=tmp_path / "none",
        )
    assert _count(session, RetentionReview) == 2
    assert _count(session, PersonRecord) == 2
    reviews = session.scalars(select(RetentionReview)).all()
    assert {r.organisation_id for r in reviews} == {seeded.org.id}


@pytest.fixture
def cli_env(
    engine: object, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[CliRunner]:
    monkeypatch.setenv("JOINEDUP_DATABASE_URL", database_url)
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def test_ret1_cli_and_worker_run_the_job(
    cli_env: CliRunner, session: Session, clock: FakeClock, seeded: Seeded
) -> None:
    old_id = seeded.old.id
    clock.advance(days=SEVEN_YEARS.days)
    dry = cli_env.invoke(cli, ["retention", "run", "--mode", "erase", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "Dry run" in dry.output and "persons_past=1" in dry.output
    worker = cli_env.invoke(cli, ["worker", "--once"])
    assert worker.exit_code == 0, worker.output
    assert "retention.run" in worker.output and "oversight.scan_ledger" in worker.output
    session.expire_all()
    # The default mode is flag: the worker flags, it does not erase.
    assert _count(session, RetentionReview) == 2
    erased = cli_env.invoke(cli, ["retention", "run", "--mode", "erase"])
    assert erased.exit_code == 0, erased.output
    session.expire_all()
    assert session.get(PersonRecord, old_id) is None
