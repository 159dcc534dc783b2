"""Loading the demo partnership on both databases (small sizes, one police.uk slice)."""

from __future__ import annotations

import csv
import gzip
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from joinedup import cli as main_cli
from joinedup.audit.models import LedgerEntry
from joinedup.auth.passwords import verify_password
from joinedup.config import REPO_ROOT, Settings
from joinedup.demo import cli as demo_cli
from joinedup.demo import loader
from joinedup.demo import organisations as orgs
from joinedup.demo.groundtruth import build_ground_truth
from joinedup.incidents.models import Incident, Involvement
from joinedup.incidents.schemas import IncidentSource
from joinedup.partners.models import Organisation, User
from joinedup.partners.schemas import OrgKind, Role
from joinedup.people.models import PersonRecord

SEED, PEOPLE, INCIDENTS, SLICE = 11, 200, 800, 300


@pytest.fixture(scope="module")
def police_uk_slice(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The first rows of one real month, so the demo tests stay fast."""
    directory = tmp_path_factory.mktemp("police-uk")
    source = REPO_ROOT / "data" / "police-uk" / "2023-01-surrey-street.csv.gz"
    with gzip.open(source, "rt", encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))[: SLICE + 1]
    with gzip.open(directory / "2023-01-slice.csv.gz", "wt", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    return directory


@pytest.fixture
def loaded(session: Session, police_uk_slice: Path, tmp_path: Path) -> loader.DemoCounts:
    return loader.load_demo(
        session,
        seed=SEED,
        people=PEOPLE,
        incidents=INCIDENTS,
        police_uk_dir=police_uk_slice,
        ground_truth_path=tmp_path / "ground-truth.json",
    )


def _count(session: Session, model: type, *where: object) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def _record_ids(session: Session) -> dict[tuple[str, str], object]:
    rows = session.execute(
        select(Organisation.name, PersonRecord.reference, PersonRecord.id).join(
            Organisation, Organisation.id == PersonRecord.organisation_id
        )
    )
    return {(name, ref): rid for name, ref, rid in rows}


def test_the_demo_loads_organisations_of_every_kind_and_the_counts(
    session: Session, loaded: loader.DemoCounts
):
    kinds = set(session.scalars(select(Organisation.kind)))
    assert kinds == set(OrgKind)
    assert loaded.organisations == _count(session, Organisation) >= 30
    assert loaded.police_uk_incidents == SLICE
    assert _count(session, Incident, Incident.source == IncidentSource.POLICE_UK) == SLICE
    assert _count(session, Incident, Incident.source == IncidentSource.PARTNER) == INCIDENTS
    assert loaded.person_records == _count(session, PersonRecord)
    assert loaded.involvements == _count(session, Involvement)
    guildford = session.scalars(select(Organisation).where(Organisation.name == orgs.GUILDFORD))
    assert guildford.one().district == "Guildford"
    event = session.scalars(select(LedgerEntry).where(LedgerEntry.name == "demo.loaded")).one()
    assert event.details["partner_incidents"] == INCIDENTS


def test_the_demo_logins_exist_and_take_the_demo_password(
    session: Session, loaded: loader.DemoCounts
):
    users = {u.username: u for u in session.scalars(select(User))}
    expected = {
        "asb.guildford": (orgs.GUILDFORD, Role.PRACTITIONER),
        "pc.woking": (orgs.POLICE, Role.PRACTITIONER),
        "mh.liaison": (orgs.MH_TRUST, Role.PRACTITIONER),
        "idva": (orgs.YOUR_SANCTUARY, Role.PRACTITIONER),
        "housing.officer": (orgs.GUILDFORD_HOUSING, Role.PRACTITIONER),
        "supervisor.guildford": (orgs.GUILDFORD, Role.SUPERVISOR),
        "csp.coordinator": (orgs.COUNTY, Role.COORDINATOR),
        "analyst": (orgs.POLICE, Role.ANALYST),
        "dpo": (orgs.COUNTY, Role.IG_LEAD),
        "admin": (orgs.COUNTY, Role.ADMIN),
    }
    for username, (organisation, role) in expected.items():
        user = users[username]
        assert (user.organisation.name, user.role) == (organisation, role), username
    assert users["asb.guildford"].display_name == "Sam Okafor"
    assert {u.role for u in users.values()} == set(Role)
    assert verify_password(users["asb.guildford"].password_hash, orgs.DEMO_PASSWORD)
    assert not verify_password(users["admin"].password_hash, "wrong-password-1")


def test_planted_stories_and_the_benchmark_person_are_in_the_database(
    session: Session, loaded: loader.DemoCounts, tmp_path: Path
):
    truth = json.loads((tmp_path / "ground-truth.json").read_text())
    assert truth == build_ground_truth(SEED, PEOPLE)
    records = _record_ids(session)
    assert len(truth["records"]) == len(records)
    incidents = {
        (name, ref)
        for name, ref in session.execute(
            select(Organisation.name, Incident.reference).join(
                Organisation, Organisation.id == Incident.organisation_id
            )
        )
    }
    assert len(truth["stories"]) >= 30
    for story in truth["stories"]:
        for ref in story["records"]:
            assert (ref["organisation"], ref["reference"]) in records, story["id"]
        for ref in story["incidents"]:
            assert (ref["organisation"], ref["reference"]) in incidents, story["id"]
    bench = truth["benchmark_person"]
    bench_id = records[(bench["organisation"], bench["reference"])]
    assert _count(session, Involvement, Involvement.person_record_id == bench_id) == 100


def test_every_involvement_is_a_record_of_the_recording_organisation(
    session: Session, loaded: loader.DemoCounts
):
    mismatched = session.scalar(
        select(func.count())
        .select_from(Involvement)
        .join(Incident, Incident.id == Involvement.incident_id)
        .join(PersonRecord, PersonRecord.id == Involvement.person_record_id)
        .where(Incident.organisation_id != PersonRecord.organisation_id)
    )
    assert mismatched == 0
    late = _count(session, Incident, Incident.reported_at < Incident.occurred_at)
    assert late == 0


def test_a_failed_load_leaves_nothing_behind(
    session: Session, police_uk_slice: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(loader, "_people_and_incidents", broken)
    with pytest.raises(RuntimeError):
        loader.load_demo(
            session,
            seed=SEED,
            people=PEOPLE,
            incidents=INCIDENTS,
            police_uk_dir=police_uk_slice,
            ground_truth_path=tmp_path / "gt.json",
        )
    assert _count(session, Organisation) == 0
    assert _count(session, Incident) == 0
    assert not (tmp_path / "gt.json").exists()


def test_demo_load_if_empty_is_idempotent_and_logins_need_demo_mode(
    session: Session, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(demo_cli, "get_settings", lambda: settings)
    monkeypatch.setattr(demo_cli, "GROUND_TRUTH_PATH", tmp_path / "gt.json")
    runner = CliRunner()
    args = ["demo", "load", "--if-empty", "--people", "120", "--incidents", "300", "--no-police-uk"]
    first = runner.invoke(main_cli.app, args)
    assert first.exit_code == 0, first.output
    records = _count(session, PersonRecord)
    second = runner.invoke(main_cli.app, args)
    assert second.exit_code == 0 and "nothing loaded" in second.output
    assert _count(session, PersonRecord) == records
    assert _count(session, Incident, Incident.source == IncidentSource.POLICE_UK) == 0
    refused = runner.invoke(main_cli.app, args[:2] + args[3:])
    assert refused.exit_code == 1
    hidden = runner.invoke(main_cli.app, ["demo", "logins"])
    assert hidden.exit_code == 1 and "disabled" in hidden.output
    monkeypatch.setattr(
        demo_cli, "get_settings", lambda: settings.model_copy(update={"demo_mode": True})
    )
    shown = runner.invoke(main_cli.app, ["demo", "logins"])
    assert shown.exit_code == 0 and "asb.guildford" in shown.output
    assert orgs.DEMO_PASSWORD in shown.output
