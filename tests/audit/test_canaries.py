"""AUD-4: reads, writes and denials log ids and outcomes, never personal values.

Canary names and addresses are seeded, the pages and API are exercised with every log (SQL
included) captured at DEBUG, then the logs and every ledger row are searched for them.
"""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from joinedup.audit.models import LedgerEntry
from joinedup.audit.verify import verify_ledger
from joinedup.partners.schemas import Role
from tests import factories as f
from tests.auth.fixtures import csrf_from
from tests.pages import csrf_header, sign_in_as

CANARIES = ("Zebedee", "Quux-Canary", "Canary Wharf", "Xylophone-Canary", "ZZ9 9ZZ")


def _exercise(client: TestClient, session: Session) -> None:
    holder = f.organisation(session, "Surrey Police")
    other = f.organisation(session, "Elmbridge Borough Council")
    person = f.person(
        session,
        holder,
        first_name="Zebedee",
        surname="Quux-Canary",
        address_line="7 Canary Wharf Lane",
        postcode="ZZ9 9ZZ",
        address_confidential=True,
    )
    session.commit()
    sign_in_as(client, session, holder, Role.SUPERVISOR)
    token = csrf_from(client.get("/people").text)
    client.post("/people/search", data={"csrf_token": token, "text": "Quux-Canary"})
    client.post(
        f"/people/{person.id}/purpose",
        data={"csrf_token": token, "purpose": "safeguarding", "justification": ""},
    )
    client.get(f"/people/{person.id}")
    client.post(f"/people/{person.id}/reveal-address", data={"csrf_token": token})
    client.get(f"/api/v1/people/{person.id}", headers={"X-JoinedUp-Purpose": "safeguarding"})
    client.post("/api/v1/people/search", json={"text": "Zebedee"}, headers=csrf_header(client))
    new = {"reference": "C-2", "first_name": "Xylophone-Canary", "address_line": "Canary Wharf"}
    client.post("/api/v1/people", json=new, headers=csrf_header(client))
    client.post("/api/v1/people", json={**new, "bogus": "Zebedee"}, headers=csrf_header(client))
    client.get(f"/people/{person.id}/access-log")
    client.get("/audit/organisation")  # a supervisor is refused: an audited denial
    sign_in_as(client, session, other, Role.PRACTITIONER)
    client.get(f"/people/{person.id}")
    client.get(f"/api/v1/people/{person.id}", headers={"X-JoinedUp-Purpose": "safeguarding"})
    client.post("/api/v1/people/search", json={"text": "Zebedee"}, headers=csrf_header(client))
    sign_in_as(client, session, holder, Role.IG_LEAD)
    client.get("/audit/organisation")


def test_aud4_no_canary_in_any_log_or_ledger_row(
    client: TestClient, session: Session, engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.INFO, logger="sqlalchemy.engine")
    _exercise(client, session)
    sql = [r for r in caplog.records if r.name.startswith("sqlalchemy.engine")]
    assert any("SELECT" in r.getMessage() for r in sql), "SQL logging was not captured"
    assert any("hidden" in r.getMessage() for r in sql), "bound parameters were not hidden"
    logged = caplog.text + "\n".join(repr(r.__dict__) for r in caplog.records)
    session.expire_all()
    rows = session.execute(select(LedgerEntry.__table__)).all()
    assert len(rows) >= 8
    ledger = "\n".join(repr(tuple(row)) for row in rows)
    for canary in CANARIES:
        assert canary.lower() not in logged.lower(), canary
        assert canary.lower() not in ledger.lower(), canary
    names = {row.name for row in rows}
    assert {"person.viewed", "person.created", "access.denied", "audit.report_viewed"} <= names
    # Every kind of event written through the app verifies (AUD-6).
    assert verify_ledger(engine).ok
