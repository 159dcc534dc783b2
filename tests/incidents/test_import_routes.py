"""Importing a file through the pages: the upload form, the run page with its counts and
problems, the problem report download, strict imports, wrong files and who may import."""

from __future__ import annotations

import csv
import io
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from joinedup.incidents import import_routes
from joinedup.incidents.models import ImportRun, Incident
from joinedup.incidents.police_uk import HEADER as POLICE_UK_HEADER
from joinedup.partners.models import Organisation
from joinedup.partners.schemas import OrgKind, Role
from tests import factories as f
from tests.auth.fixtures import csrf_from
from tests.pages import sign_in_as

COLUMNS = ["incident_reference", "category", "occurred_at", "location_description", "postcode"]
RUN = re.compile(r"^/imports/([0-9a-f-]{36})$")


def incident_csv(good: int, bad: int = 0) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for n in range(good):
        writer.writerow([f"UP-{n}", "asb_personal", "2026-06-01 21:30", "Westborough", "GU2 8AA"])
    for n in range(bad):
        writer.writerow([f"BAD-{n}", "not_a_category", "2026-06-01 21:30", "Westborough", ""])
    return out.getvalue().encode()


def _org(session: Session, name: str = "Guildford Borough Council") -> Organisation:
    org = f.organisation(session, name, OrgKind.DISTRICT_COUNCIL)
    session.commit()
    return org


def upload(
    client: TestClient,
    content: bytes,
    file_format: str = "incidents",
    strict: bool = False,
    name: str = "incidents.csv",
) -> tuple[int, str, str]:
    """POST the upload form; the status, the Location header (if any) and the body."""
    data = {"csrf_token": csrf_from(client.get("/imports").text), "file_format": file_format}
    if strict:
        data["strict"] = "yes"
    response = client.post(
        "/imports",
        data=data,
        files={"file": (name, content, "text/csv")},
        follow_redirects=False,
    )
    return response.status_code, response.headers.get("location", ""), response.text


def _incidents(session: Session) -> int:
    session.expire_all()
    return int(session.scalar(select(func.count()).select_from(Incident)) or 0)


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.ADMIN])
def test_upload_with_good_and_bad_rows_shows_counts_and_problems(
    client: TestClient, session: Session, role: Role
) -> None:
    org = _org(session)
    sign_in_as(client, session, org, role)
    page = client.get("/imports")
    assert page.status_code == 200 and 'enctype="multipart/form-data"' in page.text
    assert "No files imported yet" in page.text
    status, location, _body = upload(client, incident_csv(good=3, bad=2))
    assert status == 303 and RUN.match(location), location
    run = client.get(location)
    assert run.status_code == 200
    assert "Import of incidents.csv" in run.text and "Imported" in run.text
    cells = re.findall(r'govuk-table__cell[^"]*">\s*([^<]+?)\s*<', run.text)
    assert cells[:5] == ["5", "3", "0", "2", "0"], cells
    assert "not_a_category" in run.text or "category" in run.text
    assert f'href="{location}/problems.csv"' in run.text
    download = client.get(f"{location}/problems.csv")
    assert download.status_code == 200
    assert download.headers["content-type"].startswith("text/csv")
    assert download.headers["content-disposition"].startswith("attachment;")
    rows = list(csv.reader(io.StringIO(download.text)))
    assert rows[0] == ["file", "line", "column", "reason"] and len(rows) == 3
    assert {r[1] for r in rows[1:]} == {"5", "6"} and "BAD-0" not in download.text
    assert _incidents(session) == 3
    listing = client.get("/imports").text
    assert f'href="{location}"' in listing and "incidents.csv" in listing
    # The same file again adds nothing twice.
    status, again, _body = upload(client, incident_csv(good=3, bad=2))
    cells = re.findall(r'govuk-table__cell[^"]*">\s*([^<]+?)\s*<', client.get(again).text)
    assert cells[:5] == ["5", "0", "3", "2", "0"], cells
    assert _incidents(session) == 3


def test_strict_refuses_the_whole_file(client: TestClient, session: Session) -> None:
    org = _org(session)
    sign_in_as(client, session, org, Role.SUPERVISOR)
    status, location, _body = upload(client, incident_csv(good=3, bad=1), strict=True)
    assert status == 303
    run = client.get(location).text
    assert "Refused: nothing was imported" in run and "Strict import" in run
    assert _incidents(session) == 0
    session.expire_all()
    assert session.scalars(select(ImportRun.strict)).one() is True


def test_the_run_page_says_a_file_was_read_as_windows_1252(
    client: TestClient, session: Session
) -> None:
    org = _org(session)
    sign_in_as(client, session, org, Role.SUPERVISOR)
    content = incident_csv(good=2).decode().replace("Westborough", "Caf\u00e9 \u2013 rear")
    status, location, _body = upload(client, content.encode("cp1252"), name="excel.csv")
    assert status == 303
    run = client.get(location).text
    assert "excel.csv: the file is not UTF-8; it was read as Windows-1252 (cp1252)" in run
    assert _incidents(session) == 2
    session.expire_all()
    assert session.scalars(select(ImportRun.notices)).one() == [
        "excel.csv: the file is not UTF-8; it was read as Windows-1252 (cp1252)"
    ]


def test_a_wrong_header_is_an_error_on_the_form(client: TestClient, session: Session) -> None:
    org = _org(session)
    sign_in_as(client, session, org, Role.SUPERVISOR)
    status, _location, body = upload(client, b"name,colour\nSam,blue\n")
    assert status == 422 and "There is a problem" in body and 'href="#file"' in body
    assert "could not be imported" in body
    status, _location, body = upload(client, incident_csv(good=2), file_format="police_uk")
    assert status == 422 and "not a police.uk street-level file" in body
    assert _incidents(session) == 0


def test_a_police_uk_file_imports(client: TestClient, session: Session) -> None:
    org = _org(session)
    sign_in_as(client, session, org, Role.SUPERVISOR)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(POLICE_UK_HEADER)
    row = dict.fromkeys(POLICE_UK_HEADER, "")
    row.update(
        {
            "Crime ID": "a" * 64,
            "Month": "2026-06",
            "Falls within": "Surrey Police",
            "Longitude": "-0.5704",
            "Latitude": "51.2362",
            "Location": "On or near High Street",
            "LSOA code": "E01030768",
            "LSOA name": "Guildford 001A",
            "Crime type": "Burglary",
        }
    )
    writer.writerow([row[h] for h in POLICE_UK_HEADER])
    status, location, body = upload(
        client, out.getvalue().encode(), file_format="police_uk", name="2026-06-surrey-street.csv"
    )
    assert status == 303, body[:2000]
    assert "police.uk street-level CSV" in client.get(location).text
    assert _incidents(session) == 1


def test_missing_answers_are_errors(client: TestClient, session: Session) -> None:
    org = _org(session)
    sign_in_as(client, session, org, Role.ADMIN)
    csrf = csrf_from(client.get("/imports").text)
    response = client.post(
        "/imports", data={"csrf_token": csrf}, files={"file": ("", b"", "application/octet-stream")}
    )
    assert response.status_code == 422
    assert 'href="#file"' in response.text and 'href="#file_format"' in response.text
    status, _location, body = upload(client, b"")
    assert status == 422 and "The selected file is empty" in body


def test_a_file_over_the_limit_is_refused(
    client: TestClient, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    org = _org(session)
    sign_in_as(client, session, org, Role.SUPERVISOR)
    monkeypatch.setattr(import_routes, "MAX_UPLOAD_BYTES", 100)
    # Declared too large: refused before the body is read.
    status, _location, body = upload(client, incident_csv(good=50))
    assert status == 413 and "must be smaller than" in body and 'href="#file"' in body
    # Declared within the limit (with the multipart overhead) but larger once read.
    monkeypatch.setattr(import_routes, "_OVERHEAD", 1_000_000)
    status, _location, body = upload(client, incident_csv(good=50))
    assert status == 413 and "must be smaller than" in body
    assert _incidents(session) == 0


def test_the_upload_needs_the_csrf_token(client: TestClient, session: Session) -> None:
    org = _org(session)
    sign_in_as(client, session, org, Role.SUPERVISOR)
    response = client.post(
        "/imports",
        data={"file_format": "incidents"},
        files={"file": ("a.csv", incident_csv(good=1), "text/csv")},
    )
    assert response.status_code == 403 and _incidents(session) == 0


@pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.ANALYST, Role.COORDINATOR])
def test_other_roles_may_not_import(client: TestClient, session: Session, role: Role) -> None:
    org = _org(session)
    sign_in_as(client, session, org, role)
    assert client.get("/imports").status_code == 403
    csrf = csrf_from(client.get("/incidents").text)
    response = client.post(
        "/imports",
        data={"csrf_token": csrf, "file_format": "incidents"},
        files={"file": ("a.csv", incident_csv(good=1), "text/csv")},
    )
    assert response.status_code == 403 and _incidents(session) == 0


def test_another_organisations_run_is_not_found(client: TestClient, session: Session) -> None:
    org = _org(session)
    other = _org(session, "Surrey Police")
    sign_in_as(client, session, org, Role.SUPERVISOR, username="sup.gbc")
    _status, location, _body = upload(client, incident_csv(good=1, bad=1))
    client.cookies.clear()
    sign_in_as(client, session, other, Role.SUPERVISOR, username="sup.police")
    assert client.get(location).status_code == 404
    assert client.get(f"{location}/problems.csv").status_code == 404
    assert client.get("/imports/not-a-run").status_code == 404
    assert client.get(f"/imports/{f.any_id()}").status_code == 404
    assert location not in client.get("/imports").text
