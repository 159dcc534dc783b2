"""AUD-5: the audit write shares the action's transaction; when it fails, the action fails."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from joinedup.audit.models import LedgerEntry
from joinedup.config import Settings
from joinedup.partners.schemas import Role
from joinedup.people.models import PersonRecord
from tests import factories as f
from tests.auth.fixtures import csrf_from
from tests.pages import csrf_header, sign_in_as

CANARY = "Zebedee"


class LedgerDown(RuntimeError):
    """The injected fault."""


def _refuse(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
    # At the SQL level, so the fault hits however the ledger row is written (ORM or Core).
    if "INSERT INTO audit_ledger " in statement:
        raise LedgerDown("ledger insert refused")


@pytest.fixture
def server_errors_client(engine: object, settings: Settings) -> Iterator[TestClient]:
    """A client that receives the 500 page instead of the server's exception."""
    from joinedup.main import create_app

    with TestClient(create_app(settings), raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def broken_ledger() -> Iterator[None]:
    """Every ledger insert raises, until the test ends."""
    yield None
    if event.contains(Engine, "before_cursor_execute", _refuse):
        event.remove(Engine, "before_cursor_execute", _refuse)


def _break() -> None:
    event.listen(Engine, "before_cursor_execute", _refuse)


def _no_personal_data(body: str) -> None:
    assert CANARY not in body and "Quux" not in body and "Traceback" not in body
    assert "LedgerDown" not in body and "INSERT" not in body


def test_aud5_person_read_fails_when_the_audit_write_fails(
    server_errors_client: TestClient, session: Session, broken_ledger: None
) -> None:
    client = server_errors_client
    org = f.organisation(session)
    person = f.person(session, org, first_name=CANARY, surname="Quux-Canary")
    session.commit()
    sign_in_as(client, session, org, Role.PRACTITIONER)
    token = csrf_from(client.get("/people").text)
    declared = client.post(
        f"/people/{person.id}/purpose",
        data={"csrf_token": token, "purpose": "safeguarding", "justification": ""},
        follow_redirects=False,
    )
    assert declared.status_code in (303, 404, 405)
    before = session.scalar(select(func.count()).select_from(LedgerEntry))
    _break()
    page = client.get(f"/people/{person.id}")
    assert page.status_code == 500 and "Sorry, there is a problem" in page.text
    _no_personal_data(page.text)
    headers = {"X-JoinedUp-Purpose": "safeguarding", "Accept": "application/json"}
    api = client.get(f"/api/v1/people/{person.id}", headers=headers)
    assert api.status_code == 500 and api.json() == {
        "error": "Sorry, there is a problem with the service"
    }
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(LedgerEntry)) == before


def test_aud5_person_create_is_not_committed_when_the_audit_write_fails(
    server_errors_client: TestClient, session: Session, broken_ledger: None
) -> None:
    client = server_errors_client
    org = f.organisation(session)
    session.commit()
    sign_in_as(client, session, org, Role.PRACTITIONER)
    headers = csrf_header(client)
    _break()
    body = {"reference": "CANARY-1", "first_name": CANARY, "surname": "Quux-Canary"}
    created = client.post("/api/v1/people", json=body, headers=headers)
    assert created.status_code == 500
    _no_personal_data(created.text)
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(PersonRecord)) == 0
