"""The police.uk importer against the real published files and hand-made broken ones."""

from __future__ import annotations

import csv
import gzip
import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from joinedup import cli as main_cli
from joinedup.audit.models import LedgerEntry
from joinedup.config import REPO_ROOT, Settings
from joinedup.incidents import cli as import_cli
from joinedup.incidents.models import Incident
from joinedup.incidents.police_uk import HEADER, ImportSummary, PoliceUkFormatError, import_files
from joinedup.incidents.schemas import IncidentSource, TimePrecision
from joinedup.partners.models import Organisation
from joinedup.partners.schemas import OrgKind
from joinedup.places.models import District, Location
from joinedup.places.schemas import SURREY_DISTRICTS

DATA = REPO_ROOT / "data" / "police-uk"
MONTHS = sorted(DATA.glob("*-surrey-street.csv.gz"))
ASB = "Anti-social behaviour"


def _raw_rows(path: Path) -> list[list[str]]:
    with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))[1:]


def _expected(rows: list[list[str]]) -> dict[str, int]:
    """Counts computed straight from the CSV, independently of the importer."""
    no_location = sum(1 for r in rows if not r[4] and not r[7])
    outside = sum(
        1 for r in rows if r[8] and not any(r[8].startswith(d + " ") for d in SURREY_DISTRICTS)
    )
    return {"rows": len(rows), "no_location": no_location, "outside_area": outside}


def _write(path: Path, rows: list[list[str]], header: tuple[str, ...] = HEADER) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    if path.name.endswith(".gz"):
        path.write_bytes(gzip.compress(buffer.getvalue().encode()))
    else:
        path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def _row(crime_id: str = "", kind: str = ASB, lsoa: str = "Guildford 001A", **kw: str) -> list[str]:
    return [
        crime_id,
        kw.get("month", "2023-01"),
        "Surrey Police",
        "Surrey Police",
        kw.get("lon", "-0.570000"),
        kw.get("lat", "51.236000"),
        kw.get("where", "On or near High Street"),
        kw.get("code", "E01030001" if lsoa else ""),
        lsoa,
        kind,
        "" if kind == ASB else "Under investigation",
        "",
    ]


@pytest.fixture
def police(session: Session) -> Organisation:
    org = Organisation(name="Surrey Police", short_name="SP", kind=OrgKind.POLICE)
    session.add(org)
    session.commit()
    return org


def _import(session: Session, org: Organisation, *paths: Path) -> ImportSummary:
    return import_files(session, organisation_id=org.id, paths=list(paths), h3_resolution=9)


def _count(session: Session, *where: object) -> int:
    return session.scalar(select(func.count()).select_from(Incident).where(*where)) or 0


@pytest.mark.slow
def test_every_month_imports_with_the_expected_counts(session: Session, police: Organisation):
    total = 0
    for path in MONTHS:
        expected = _expected(_raw_rows(path))
        summary = _import(session, police, path)
        assert summary.rows_read == expected["rows"], path.name
        assert summary.imported == expected["rows"], path.name
        assert (summary.rejected, summary.already_present) == (0, 0)
        assert summary.no_location == expected["no_location"], path.name
        assert summary.outside_area == expected["outside_area"], path.name
        total += expected["rows"]
    assert len(MONTHS) == 6
    assert _count(session) == total
    again = _import(session, police, *MONTHS)
    assert (again.imported, again.already_present) == (0, total)
    assert _count(session) == total


def test_a_slice_imports_and_reimporting_adds_nothing(
    session: Session, police: Organisation, tmp_path: Path
):
    rows = _raw_rows(MONTHS[0])[:600]
    path = _write(tmp_path / "slice.csv.gz", rows)
    summary = _import(session, police, path)
    assert summary.imported == len(rows) == _count(session)
    assert summary.no_location == _expected(rows)["no_location"]
    again = _import(session, police, path)
    assert (again.imported, again.already_present, again.rejected) == (0, len(rows), 0)
    assert _count(session) == len(rows)
    events = session.scalars(select(LedgerEntry).where(LedgerEntry.name == "incidents.imported"))
    assert [e.details["imported"] for e in events] == [len(rows), 0]


def test_a_row_becomes_a_month_precise_police_uk_incident(
    session: Session, police: Organisation, tmp_path: Path
):
    path = _write(tmp_path / "one.csv", [_row("abc123", "Burglary", month="2023-03")])
    _import(session, police, path)
    incident = session.scalars(select(Incident)).one()
    assert incident.reference == "abc123"
    assert incident.category == "burglary"
    assert incident.occurred_at == datetime(2023, 3, 1, tzinfo=UTC)
    assert incident.occurred_precision is TimePrecision.MONTH
    assert incident.source is IncidentSource.POLICE_UK
    assert incident.outcome == "Under investigation"
    location = session.get(Location, incident.location_id)
    assert location is not None and location.description == "On or near High Street"
    assert location.district_name == "Guildford" and location.h3_cell


def test_identical_looking_asb_rows_are_all_kept(
    session: Session, police: Organisation, tmp_path: Path
):
    rows = [_row(), _row(), _row(), _row(where="On or near Station Road")]
    path = _write(tmp_path / "asb.csv", rows)
    summary = _import(session, police, path)
    assert summary.imported == 4
    refs = set(session.scalars(select(Incident.reference)))
    assert len(refs) == 4 and all(r.startswith("asb-") for r in refs)
    assert _import(session, police, path).imported == 0
    # One location per distinct place, not one per row.
    assert session.scalar(select(func.count()).select_from(Location)) == 2


def test_real_identical_asb_rows_are_all_kept(
    session: Session, police: Organisation, tmp_path: Path
):
    rows = [r for r in _raw_rows(MONTHS[0]) if not r[0]]
    seen: dict[tuple[str, ...], int] = {}
    for r in rows:
        seen[tuple(r)] = seen.get(tuple(r), 0) + 1
    repeated = [list(k) for k, n in seen.items() if n > 1 for _ in range(n)]
    assert len(repeated) > 2
    summary = _import(session, police, _write(tmp_path / "rep.csv.gz", repeated))
    assert summary.imported == len(repeated)


def test_no_location_and_outside_area_rows_are_kept_and_flagged(
    session: Session, police: Organisation, tmp_path: Path
):
    rows = [
        _row("nowhere", "Drugs", lsoa="", lon="", lat="", where="No Location"),
        _row("away", "Drugs", lsoa="Crawley 010B", code="E01031000"),
        _row("home", "Drugs"),
    ]
    summary = _import(session, police, _write(tmp_path / "flags.csv", rows))
    assert (summary.imported, summary.no_location, summary.outside_area) == (3, 1, 1)
    by_ref = {i.reference: i for i in session.scalars(select(Incident))}
    assert by_ref["nowhere"].no_location and by_ref["nowhere"].location_id is None
    assert by_ref["away"].outside_area and not by_ref["away"].no_location
    assert not by_ref["home"].outside_area and not by_ref["home"].no_location
    districts = {d.name: d.in_area for d in session.scalars(select(District))}
    assert districts == {"Crawley": False, "Guildford": True}


def test_a_byte_order_mark_before_the_header_is_accepted(
    session: Session, police: Organisation, tmp_path: Path
):
    path = _write(tmp_path / "bom.csv", [_row("bom1", "Drugs")])
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert _import(session, police, path).imported == 1


def test_a_wrong_header_is_refused_before_anything_is_written(
    session: Session, police: Organisation, tmp_path: Path
):
    good = _write(tmp_path / "good.csv", [_row("a", "Drugs")])
    bad = _write(tmp_path / "bad.csv", [_row("b", "Drugs")], header=("Crime ID", *HEADER[2:]))
    with pytest.raises(PoliceUkFormatError, match="expected the columns Crime ID, Month"):
        _import(session, police, good, bad)
    assert _count(session) == 0


def test_a_broken_row_is_reported_with_its_line_and_the_others_import(
    session: Session, police: Organisation, tmp_path: Path
):
    rows = [
        _row("ok1", "Drugs"),
        _row("bad-month", "Drugs", month="Jan 2023"),
        _row("ok2", "Robbery"),
        _row("bad-type", "Jaywalking"),
        ["short", "row"],
        _row("bad-coords", "Drugs", lat="north"),
        _row("ok3", "Shoplifting"),
    ]
    summary = _import(session, police, _write(tmp_path / "broken.csv", rows))
    assert (summary.rows_read, summary.imported, summary.rejected) == (7, 3, 4)
    assert [(p.line, p.file) for p in summary.problems] == [
        (3, "broken.csv"),
        (5, "broken.csv"),
        (6, "broken.csv"),
        (7, "broken.csv"),
    ]
    reasons = " ".join(p.reason for p in summary.problems)
    assert "Month 'Jan 2023'" in reasons and "Jaywalking" in reasons and "12 fields" in reasons
    assert set(session.scalars(select(Incident.reference))) == {"ok1", "ok2", "ok3"}


def test_a_damaged_row_is_reported_and_an_undecodable_file_refused(
    session: Session, police: Organisation, tmp_path: Path
):
    path = _write(tmp_path / "nul.csv", [_row("ok1", "Drugs"), _row("x", "Drugs"), _row()])
    path.write_bytes(path.read_bytes().replace(b"x,2023", b"x\x00,2023"))
    summary = _import(session, police, path)
    assert (summary.imported, summary.rejected) == (2, 1)
    assert summary.problems[0].line == 3 and "NUL" in summary.problems[0].reason
    # 0x81 is neither UTF-8 nor Windows-1252: the whole file is refused before anything is written.
    broken = _write(tmp_path / "broken.csv", [_row(f"r{i}", "Drugs") for i in range(2000)])
    broken.write_bytes(broken.read_bytes() + b"a,2023-01,\x81\n")
    with pytest.raises(PoliceUkFormatError, match="not UTF-8 or Windows-1252"):
        _import(session, police, broken)
    assert _count(session) == 2


def test_a_windows_1252_file_is_read_as_such_and_says_so(
    session: Session, police: Organisation, tmp_path: Path
):
    rows = [_row("c1", "Drugs"), _row("c2", "Drugs")]
    path = _write(tmp_path / "excel.csv", rows)
    text = path.read_text(encoding="utf-8").replace("On or near", "On or near Caf\u00e9 \u2013")
    path.write_bytes(text.encode("cp1252"))
    summary = _import(session, police, path)
    assert (summary.rows_read, summary.imported, summary.rejected) == (2, 2, 0)
    assert any("Windows-1252" in n for n in summary.notices)
    described = session.scalars(select(Location.description)).all()
    assert any("Caf\u00e9 \u2013" in d for d in described)


def test_the_cli_imports_and_refuses_an_unknown_org_or_a_wrong_header(
    session: Session,
    police: Organisation,
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
):
    monkeypatch.setattr(import_cli, "get_settings", lambda: settings)
    runner = CliRunner()
    good = _write(tmp_path / "good.csv", [_row("a", "Drugs"), _row()])
    bad = _write(tmp_path / "bad.csv", [_row("b", "Drugs")], header=HEADER[:-1])
    result = runner.invoke(
        main_cli.app, ["import", "police-uk", str(good), "--org", "Surrey Police"]
    )
    assert result.exit_code == 0, result.output
    assert "Rows read" in result.output and "Already present" in result.output
    result = runner.invoke(main_cli.app, ["import", "police-uk", str(good), "--org", "Nobody"])
    assert result.exit_code == 1 and "no organisation called" in result.output
    result = runner.invoke(
        main_cli.app, ["import", "police-uk", str(bad), "--org", "Surrey Police"]
    )
    assert result.exit_code != 0 and "not a police.uk street-level file" in result.output
    assert _count(session) == 2


@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf", b"\n\n"])
def test_an_empty_file_is_refused_and_nothing_is_written(
    session: Session, police: Organisation, tmp_path: Path, content: bytes
):
    good = _write(tmp_path / "good.csv", [_row("g1", "Drugs")])
    empty = tmp_path / "nothing.csv"
    empty.write_bytes(content)
    with pytest.raises(PoliceUkFormatError, match="nothing.csv: the file is empty"):
        _import(session, police, good, empty)
    assert _count(session) == 0
    header_only = _write(tmp_path / "header.csv", [])
    summary = _import(session, police, header_only)
    assert (summary.rows_read, summary.imported, summary.rejected) == (0, 0, 0)
