"""Who has seen this record and the organisation access report (AUD-8, AUD-7, SES-2)."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from joinedup.audit.events import AuditEvent, Operation
from joinedup.audit.models import LedgerEntry
from joinedup.audit.service import record
from joinedup.common import clock as clock_module
from joinedup.db import atomic
from joinedup.partners.models import Organisation, User
from joinedup.partners.schemas import OrgKind, Role
from tests import factories as f
from tests.auth.fixtures import PASSWORD, FakeClock, post_form
from tests.pages import sign_in_as

HOSTILE = [
    "=cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "+44 1483 000000",
    "-2+3",
    "line one\r\nline two\x07\x1b[31m",
]


def _read(
    session: Session, reader: User, org: Organisation, person_id: uuid.UUID, **kw: object
) -> None:
    with atomic(session):
        record(
            session,
            AuditEvent(
                name=kw.pop("name", "person.viewed"),  # type: ignore[arg-type]
                actor_user_id=reader.id,
                actor_organisation_id=org.id,
                actor_role=reader.role.value,
                record_type="person_record",
                record_id=str(person_id),
                record_organisation_id=kw.pop("holder", None),  # type: ignore[arg-type]
                purpose="safeguarding",
                **kw,  # type: ignore[arg-type]
            ),
        )


@pytest.fixture
def world(session: Session) -> dict[str, object]:
    """Org A holds a person read by A and by C; org C holds a person read by C."""
    a = f.organisation(session, "Surrey Police", OrgKind.POLICE)
    c = f.organisation(session, "Woking Borough Council", OrgKind.DISTRICT_COUNCIL)
    pa = f.person(session, a)
    pc = f.person(session, c)
    reader_a = f.user(session, a, Role.PRACTITIONER)
    reader_c = f.user(session, c, Role.PRACTITIONER)
    reader_c.display_name = "Casey Council"
    session.commit()
    _read(session, reader_a, a, pa.id, holder=a.id)
    _read(session, reader_c, c, pa.id, holder=a.id, justification=HOSTILE[0])
    _read(session, reader_c, c, pc.id, holder=c.id)
    for text in HOSTILE[1:]:
        _read(session, reader_c, c, pa.id, holder=a.id, justification=text)
    return {"a": a, "c": c, "pa": pa, "pc": pc}


def _events(session: Session, name: str) -> list[LedgerEntry]:
    session.expire_all()
    return list(session.scalars(select(LedgerEntry).where(LedgerEntry.name == name)))


def test_aud8_access_log_shows_who_read_the_record(
    client: TestClient, session: Session, world: dict[str, object]
) -> None:
    a, pa = world["a"], world["pa"]
    sign_in_as(client, session, a, Role.SUPERVISOR)  # type: ignore[arg-type]
    page = client.get(f"/people/{pa.id}/access-log")  # type: ignore[attr-defined]
    assert page.status_code == 200
    assert "Casey Council, Woking Borough Council" in page.text and "Surrey Police" in page.text
    assert "safeguarding" in page.text
    api = client.get(f"/api/v1/audit/people/{pa.id}/access-log").json()  # type: ignore[attr-defined]
    # The page view itself is the seventh event about the record.
    assert api["total"] == 7 and {e["organisation_name"] for e in api["items"]} == {
        "Surrey Police",
        "Woking Borough Council",
    }
    (viewed, _api) = _events(session, "audit.record_log_viewed")
    assert viewed.operation == Operation.CONSULTATION
    assert viewed.record_id == str(pa.id) and viewed.record_organisation_id == a.id  # type: ignore[attr-defined]


def test_aud8_access_log_is_for_the_holders_supervisors_only(
    client: TestClient, session: Session, world: dict[str, object]
) -> None:
    a, c, pa = world["a"], world["c"], world["pa"]
    sign_in_as(client, session, a, Role.PRACTITIONER)  # type: ignore[arg-type]
    assert client.get(f"/people/{pa.id}/access-log").status_code == 403  # type: ignore[attr-defined]
    sign_in_as(client, session, c, Role.SUPERVISOR)  # type: ignore[arg-type]
    assert client.get(f"/people/{pa.id}/access-log").status_code == 404  # type: ignore[attr-defined]
    assert client.get(f"/api/v1/audit/people/{pa.id}/access-log").status_code == 404  # type: ignore[attr-defined]
    assert client.get("/people/not-an-id/access-log").status_code == 404
    assert _events(session, "audit.record_log_viewed") == []


def test_aud8_org_c_cannot_run_org_a_report(
    client: TestClient, session: Session, world: dict[str, object]
) -> None:
    c, pa, pc = world["c"], world["pa"], world["pc"]
    sign_in_as(client, session, c, Role.IG_LEAD)  # type: ignore[arg-type]
    page = client.get("/audit/organisation")
    assert page.status_code == 200 and "Woking Borough Council" in page.text
    assert str(pa.id) not in page.text and str(pc.id) in page.text  # type: ignore[attr-defined]
    report = client.get("/api/v1/audit/organisation").json()
    assert report["total"] == 1 and report["items"][0]["record_id"] == str(pc.id)  # type: ignore[attr-defined]
    # There is no organisation parameter: one passed in the query string is ignored.
    other = client.get(f"/api/v1/audit/organisation?organisation_id={world['a'].id}")  # type: ignore[attr-defined]
    assert [e["record_id"] for e in other.json()["items"]] == [str(pc.id)]  # type: ignore[attr-defined]
    viewed = _events(session, "audit.report_viewed")
    assert len(viewed) == 3 and all(e.actor_organisation_id == c.id for e in viewed)  # type: ignore[attr-defined]


def test_aud8_report_needs_ig_lead_or_admin(
    client: TestClient, session: Session, world: dict[str, object]
) -> None:
    sign_in_as(client, session, world["a"], Role.SUPERVISOR)  # type: ignore[arg-type]
    assert client.get("/audit/organisation").status_code == 403
    assert client.get("/api/v1/audit/organisation").status_code == 403


def test_aud8_report_filters_by_operation_and_date(
    client: TestClient, session: Session, world: dict[str, object]
) -> None:
    a, pa = world["a"], world["pa"]
    sign_in_as(client, session, a, Role.IG_LEAD)  # type: ignore[arg-type]
    reader = session.scalars(select(User).where(User.organisation_id == a.id)).first()  # type: ignore[attr-defined]
    _read(session, reader, a, pa.id, holder=a.id, name="person.updated")  # type: ignore[arg-type]
    altered = client.get("/api/v1/audit/organisation?operation=alteration").json()
    assert altered["total"] == 1 and altered["items"][0]["name"] == "person.updated"
    today = clock_module.utc_now().date()
    page = client.get(
        f"/audit/organisation?from_day={today.day}&from_month={today.month}"
        f"&from_year={today.year}&operation=alteration"
    )
    assert page.status_code == 200 and "person.updated" in page.text
    assert "person.viewed" not in page.text
    future = client.get("/api/v1/audit/organisation?date_from=2999-01-01").json()
    assert future["total"] == 0
    bad = client.get("/audit/organisation?from_day=31&from_month=2&from_year=2026")
    assert bad.status_code == 422 and "Enter a real start date" in bad.text


def test_aud7_ses2_csv_export_is_stepped_up_escaped_and_audited(
    client: TestClient, session: Session, world: dict[str, object], clock: FakeClock
) -> None:
    a = world["a"]
    user = sign_in_as(client, session, a, Role.IG_LEAD)  # type: ignore[arg-type]
    clock.advance(minutes=10)
    stale = client.get("/audit/organisation.csv", follow_redirects=False)
    assert stale.status_code in (303, 403) and "text/csv" not in stale.headers.get(
        "content-type", ""
    )
    assert _events(session, "audit.report_exported") == []
    data = {"password": PASSWORD, "next": "/"}
    assert post_form(client, "/account/reauthenticate", data, "/account/reauthenticate").is_redirect
    export = client.get("/audit/organisation.csv")
    assert export.status_code == 200 and export.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(export.text)))
    assert rows[0][0] == "seq" and len(rows) == 7
    cells = [cell for row in rows[1:] for cell in row]
    for cell in cells:
        assert cell[:1] not in ("=", "+", "-", "@", "\t", "\r")
        assert not any(ord(ch) < 32 for ch in cell)
    justifications = {row[10] for row in rows[1:]}
    assert (
        "'=cmd|' /C calc'!A0" in justifications and "'@SUM(1+1)*cmd|' /C calc'!A0" in justifications
    )
    (exported,) = _events(session, "audit.report_exported")
    assert exported.operation == Operation.DISCLOSURE
    assert exported.recipient_organisation_id == a.id and exported.recipient_person  # type: ignore[attr-defined]
    assert exported.actor_user_id == user.id and exported.details["events_exported"] == 6


def test_aud7_ledger_text_has_no_control_characters(
    session: Session, world: dict[str, object]
) -> None:
    texts = session.scalars(select(LedgerEntry.justification)).all()
    assert "line one  line two  [31m" in texts
    assert not any(ord(ch) < 32 for t in texts for ch in t)


def test_aud8_report_dates_are_london_days(
    client: TestClient, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    a = f.organisation(session, "Surrey Police")
    pa = f.person(session, a)
    reader = f.user(session, a)
    session.commit()
    # 23:30 UTC on 30 June is 00:30 on 1 July in London.
    at = datetime(2026, 6, 30, 23, 30, tzinfo=UTC)
    monkeypatch.setattr(clock_module, "utc_now", lambda: at)
    _read(session, reader, a, pa.id, holder=a.id)
    monkeypatch.undo()
    sign_in_as(client, session, a, Role.ADMIN)
    july = client.get("/api/v1/audit/organisation?date_from=2026-07-01&date_to=2026-07-01")
    june = client.get("/api/v1/audit/organisation?date_to=2026-06-30")
    assert july.json()["total"] == 1 and june.json()["total"] == 0
