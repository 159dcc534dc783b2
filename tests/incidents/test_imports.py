"""File imports as runs: JoinedUp incident CSV and police.uk, counts, problem reports, --strict,
re-import adding nothing, a 100,000-row file, and a run killed part-way then resumed."""

from __future__ import annotations

import csv
import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from joinedup import cli as main_cli
from joinedup.audit.models import LedgerEntry
from joinedup.audit.verify import verify_ledger
from joinedup.config import Settings
from joinedup.incidents import cli as import_cli
from joinedup.incidents.imports import run_import
from joinedup.incidents.intake import Recorder
from joinedup.incidents.models import ImportRun, Incident, Involvement
from joinedup.incidents.police_uk import HEADER as POLICE_UK_HEADER
from joinedup.partners.models import Organisation
from joinedup.partners.schemas import OrgKind
from joinedup.people.models import PersonRecord
from tests import factories as f
from tests.incidents.conftest import count_held

COLUMNS = [
    "incident_reference",
    "category",
    "occurred_at",
    "location_description",
    "postcode",
    "person_reference",
    "first_name",
    "surname",
    "date_of_birth",
    "role",
]


def incident_rows(count: int, people_each: int = 1, prefix: str = "INC") -> list[list[str]]:
    rows = []
    for n in range(count):
        where = f"Block {n % 97}, Westborough estate"
        for p in range(people_each):
            rows.append(
                [
                    f"{prefix}-{n}",
                    "asb_personal",
                    "2026-06-01 21:30",
                    where,
                    "GU2 8AA",
                    f"P-{n}-{p}",
                    "Kim",
                    f"Surname{n}",
                    "1990-01-01",
                    "victim" if p == 0 else "suspect",
                ]
            )
    return rows


def write_csv(
    path: Path, rows: list[list[str]], header: list[str] | tuple[str, ...] = COLUMNS
) -> Path:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def _import(
    session: Session, org: Organisation, path: Path, *, strict: bool = False, fmt: str = "incidents"
):
    return run_import(
        session,
        recorder=Recorder(org.id),
        file_format=fmt,
        paths=[path],
        h3_resolution=9,
        strict=strict,
    )


def test_a_partner_file_imports_reports_its_bad_rows_and_reimports_nothing(
    session: Session, council: Organisation, tmp_path: Path
) -> None:
    rows = incident_rows(5, people_each=2)
    rows.insert(3, ["BAD-1", "jaywalking", "", "", "", "", "", "", "", ""])
    path = write_csv(tmp_path / "feed.csv", rows)
    run_id, summary = _import(session, council, path)
    assert (summary.rows_read, summary.imported, summary.already_present, summary.rejected) == (
        11,
        10,
        0,
        1,
    )
    assert [(p.line, p.column) for p in summary.problems] == [(5, "category")]
    assert count_held(session, Incident, council) == 5
    assert count_held(session, PersonRecord, council) == 10
    assert session.scalar(select(func.count()).select_from(Involvement)) == 10
    run = session.get(ImportRun, run_id)
    assert run is not None and run.outcome == "imported" and run.counts["imported"] == 10
    assert run.report_csv.splitlines() == [
        "file,line,column,reason",
        "feed.csv,5,category,'jaywalking' is not a category in the taxonomy",
    ]
    names = session.scalars(select(LedgerEntry.name)).all()
    assert names.count("incident.created") == 5 and names.count("incidents.imported") == 1

    _, again = _import(session, council, path)
    assert (again.imported, again.already_present, again.rejected) == (0, 10, 1)
    assert count_held(session, Incident, council) == 5
    assert verify_ledger(session.get_bind()).ok  # type: ignore[arg-type]


def test_strict_imports_nothing_when_any_row_is_bad(
    session: Session, council: Organisation, tmp_path: Path
) -> None:
    rows = [*incident_rows(3), ["X", "drugs", "not a date", "", "", "", "", "", "", ""]]
    path = write_csv(tmp_path / "feed.csv", rows)
    _, summary = _import(session, council, path, strict=True)
    assert summary.outcome == "refused" and summary.imported == 0 and summary.rejected == 1
    assert count_held(session, Incident, council) == 0
    assert count_held(session, PersonRecord, council) == 0
    _, clean = _import(
        session, council, write_csv(tmp_path / "ok.csv", incident_rows(3)), strict=True
    )
    assert clean.outcome == "imported" and count_held(session, Incident, council) == 3


def test_strict_refuses_when_a_row_clashes_with_what_is_held(
    session: Session, council: Organisation, tmp_path: Path
) -> None:
    _import(session, council, write_csv(tmp_path / "a.csv", incident_rows(2)))
    changed = incident_rows(3)
    changed[0][1] = "drugs"  # INC-0 again, now a different incident
    _, summary = _import(session, council, write_csv(tmp_path / "b.csv", changed), strict=True)
    assert summary.outcome == "refused"
    assert [p.column for p in summary.problems] == ["incident_reference"]
    assert count_held(session, Incident, council) == 2


def test_an_unreadable_file_is_refused_whole_and_the_run_says_why(
    session: Session, council: Organisation, tmp_path: Path
) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(Exception, match="empty"):
        _import(session, council, empty)
    run = session.scalars(select(ImportRun)).one()
    assert run.outcome == "failed" and run.finished_at is not None


def test_a_windows_1252_partner_file_imports(
    session: Session, council: Organisation, tmp_path: Path
) -> None:
    rows = incident_rows(2)
    rows[0][3] = "Caf\u00e9 on the corner \u2013 rear"
    path = tmp_path / "excel.csv"
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows([COLUMNS, *rows])
    path.write_bytes(out.getvalue().encode("cp1252"))
    _, summary = _import(session, council, path)
    assert summary.imported == 2 and any("Windows-1252" in n for n in summary.notices)


def test_the_cli_prints_a_summary_writes_the_report_and_fails_strict(
    session: Session,
    council: Organisation,
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(import_cli, "get_settings", lambda: settings)
    rows = [*incident_rows(3), ["BAD", "nope", "", "", "", "", "", "", "", ""]]
    path = write_csv(tmp_path / "feed.csv", rows)
    report = tmp_path / "problems.csv"
    runner = CliRunner()
    args = ["import", "incidents", str(path), "--org", council.name, "--report", str(report)]
    result = runner.invoke(main_cli.app, args)
    assert result.exit_code == 0, result.output
    for label in ("Rows read", "Imported", "Already present", "Rejected"):
        assert label in result.output
    assert "line 5 column category" in result.output
    assert report.read_text().splitlines()[1].startswith("feed.csv,5,category,")
    strict = runner.invoke(main_cli.app, [*args, "--strict"])
    assert strict.exit_code == 3 and "REFUSED" in strict.output
    wrong = write_csv(tmp_path / "wrong.csv", [["a"]], header=["reference"])
    result = runner.invoke(main_cli.app, ["import", "incidents", str(wrong), "--org", council.name])
    assert result.exit_code == 2 and "missing required columns" in result.output


def _police_uk_rows(count: int) -> list[list[str]]:
    lsoas = [(f"E01030{n:03d}", f"Guildford {n:03d}A") for n in range(40)]
    rows = []
    for n in range(count):
        code, name = lsoas[n % len(lsoas)]
        asb = n % 3 == 0
        rows.append(
            [
                "" if asb else f"{n:064x}",
                f"2023-0{1 + n % 6}",
                "Surrey Police",
                "Surrey Police",
                f"{-0.6 + (n % 500) / 10000:.6f}",
                f"{51.2 + (n % 700) / 10000:.6f}",
                f"On or near Street {n % 900}",
                code,
                name,
                "Anti-social behaviour" if asb else "Burglary",
                "" if asb else "Under investigation",
                "",
            ]
        )
    return rows


@pytest.mark.slow
def test_a_100000_row_police_uk_file_imports_whole_and_once(
    session: Session, tmp_path: Path
) -> None:
    police = f.organisation(session, "Surrey Police", OrgKind.POLICE)
    session.commit()
    path = write_csv(tmp_path / "big.csv", _police_uk_rows(100_000), header=POLICE_UK_HEADER)
    _, summary = _import(session, police, path, fmt="police_uk")
    assert (summary.rows_read, summary.imported, summary.rejected) == (100_000, 100_000, 0)
    _, again = _import(session, police, path, fmt="police_uk")
    assert (again.imported, again.already_present) == (0, 100_000)
    assert count_held(session, Incident, police) == 100_000


def _kill_when(proc: subprocess.Popen[bytes], ready: object, timeout: float = 120.0) -> bool:
    """Kill ``proc`` (SIGKILL) once ``ready()`` is true; False when it finished first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        if ready():  # type: ignore[operator]
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            return True
        time.sleep(0.02)
    raise AssertionError("the import neither progressed nor finished")


def _cli(database_url: str, *args: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "JOINEDUP_DATABASE_URL": database_url}
    command = [sys.executable, "-m", "joinedup.cli", "import", *args]
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


@pytest.mark.slow
def test_an_import_killed_part_way_then_run_again_ends_with_exactly_the_right_rows(
    session: Session, council: Organisation, database_url: str, tmp_path: Path
) -> None:
    total = 12_000
    path = write_csv(tmp_path / "feed.csv", incident_rows(total, prefix="K"))

    def some_written() -> bool:
        return count_held(session, Incident, council) > 0

    killed = _kill_when(
        _cli(database_url, "incidents", str(path), "--org", council.name), some_written
    )
    assert killed, "the import finished before it could be killed: make the file bigger"
    part = count_held(session, Incident, council)
    assert 0 < part < total
    # Whole incidents only: every incident written has its person and its involvement.
    assert count_held(session, PersonRecord, council) == part
    assert session.scalar(select(func.count()).select_from(Involvement)) == part

    rerun = _cli(database_url, "incidents", str(path), "--org", council.name)
    output = rerun.communicate(timeout=300)[0].decode()
    assert rerun.returncode == 0, output
    assert count_held(session, Incident, council) == total
    assert count_held(session, PersonRecord, council) == total
    assert session.scalar(select(func.count()).select_from(Involvement)) == total
    assert verify_ledger(session.get_bind()).ok  # type: ignore[arg-type]
    outcomes = session.scalars(select(ImportRun.outcome).order_by(ImportRun.started_at)).all()
    assert outcomes == ["running", "imported"]  # the killed run stays visible as unfinished


@pytest.mark.slow
def test_a_police_uk_import_killed_part_way_then_run_again_ends_with_exactly_the_right_rows(
    session: Session, database_url: str, tmp_path: Path
) -> None:
    police = f.organisation(session, "Surrey Police", OrgKind.POLICE)
    session.commit()
    path = write_csv(tmp_path / "big.csv", _police_uk_rows(60_000), header=POLICE_UK_HEADER)
    started = time.monotonic()

    def under_way() -> bool:
        return time.monotonic() - started > 2.5

    proc = _cli(database_url, "police-uk", str(path), "--org", "Surrey Police")
    assert _kill_when(proc, under_way)
    assert count_held(session, Incident, police) in (0, 60_000)  # one transaction: all or nothing
    rerun = _cli(database_url, "police-uk", str(path), "--org", "Surrey Police")
    output = rerun.communicate(timeout=300)[0].decode()
    assert rerun.returncode == 0, output
    assert count_held(session, Incident, police) == 60_000
