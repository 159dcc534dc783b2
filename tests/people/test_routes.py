"""Person pages and API: own organisation only, unknown and forbidden ids alike (AC-1, WEB-1)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from joinedup.incidents.schemas import InvolvementRole
from joinedup.partners.schemas import OrgKind, Role
from tests import factories as f
from tests.auth.fixtures import csrf_from
from tests.pages import csrf_header, sign_in_as


def _world(session: Session):  # type: ignore[no-untyped-def]
    mine = f.organisation(session, "Guildford Borough Council", OrgKind.DISTRICT_COUNCIL)
    theirs = f.organisation(session, "Surrey and Borders", OrgKind.MENTAL_HEALTH_TRUST)
    own = f.person(session, mine, first_name="Morgan", surname="Okafor")
    f.incident(session, mine, [(own, InvolvementRole.VICTIM)], category="asb_personal")
    hidden = f.person(session, theirs, first_name="Hidden", surname="Okafor")
    session.commit()
    return mine, own, hidden


def test_person_page_lists_incidents(client: TestClient, session: Session) -> None:
    mine, own, _hidden = _world(session)
    sign_in_as(client, session, mine)
    asked = client.get(f"/people/{own.id}")
    assert "Why are you opening this record?" in asked.text and "Morgan" not in asked.text
    page = client.post(
        f"/people/{own.id}/purpose",
        data={"csrf_token": csrf_from(asked.text), "purpose": "safeguarding"},
    )
    assert page.status_code == 200
    assert "Morgan" in page.text and "ASB – personal" in page.text and "Victim" in page.text
    assert page.headers["cache-control"] == "no-store"


def test_ac1_forbidden_unknown_and_malformed_ids_answer_alike(
    client: TestClient, session: Session
) -> None:
    mine, _own, hidden = _world(session)
    sign_in_as(client, session, mine)
    answers = [
        client.get(path) for path in (f"/people/{hidden.id}", f"/people/{f.any_id()}", "/people/x")
    ]
    assert {r.status_code for r in answers} == {404}
    # The same page for all three, once the per-request CSP nonce is set aside.
    assert len({re.sub(r'nonce="[^"]*"', "", r.text) for r in answers}) == 1
    assert "Hidden" not in "".join(r.text for r in answers)
    purpose = {"X-JoinedUp-Purpose": "safeguarding"}
    api = [client.get(f"/api/v1/people/{i}", headers=purpose) for i in (hidden.id, f.any_id())]
    assert [r.status_code for r in api] == [404, 404]
    assert api[0].json() == api[1].json()


def test_ac3_list_search_and_api_never_show_another_organisations_record(
    client: TestClient, session: Session
) -> None:
    mine, own, _hidden = _world(session)
    sign_in_as(client, session, mine)
    assert "Hidden" not in client.get("/people").text
    token = csrf_from(client.get("/people").text)
    found = client.post("/people/search", data={"csrf_token": token, "text": "okafor"})
    assert "Morgan" in found.text and "Hidden" not in found.text
    listed = client.get("/api/v1/people").json()
    assert [p["id"] for p in listed["items"]] == [str(own.id)] and listed["total"] == 1
    api = client.post("/api/v1/people/search", json={"text": "okafor"}, headers=csrf_header(client))
    assert [p["id"] for p in api.json()] == [str(own.id)]


def test_web1_search_is_posted_and_needs_csrf(client: TestClient, session: Session) -> None:
    mine, _own, _hidden = _world(session)
    sign_in_as(client, session, mine)
    assert client.post("/people/search", data={"text": "okafor"}).status_code == 403
    assert client.post("/api/v1/people/search", json={"text": "okafor"}).status_code == 403


def test_signed_out_requests_are_refused(client: TestClient, session: Session) -> None:
    _mine, own, _hidden = _world(session)
    page = client.get(f"/people/{own.id}", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/sign-in")
    assert client.get("/api/v1/people").status_code == 401


def test_api_creates_and_updates_a_person(client: TestClient, session: Session) -> None:
    mine, _own, _hidden = _world(session)
    sign_in_as(client, session, mine)
    headers = csrf_header(client)
    created = client.post(
        "/api/v1/people", json={"reference": "GBC-9", "surname": "Ndiaye"}, headers=headers
    )
    assert created.status_code == 201, created.text
    pid = created.json()["id"]
    again = client.post("/api/v1/people", json={"reference": "GBC-9"}, headers=headers)
    assert again.status_code == 409
    changed = client.put(
        f"/api/v1/people/{pid}",
        json={"reference": "GBC-9", "surname": "Ndiaye-Smith"},
        headers=headers,
    )
    assert changed.json()["surname"] == "Ndiaye-Smith"


def test_analyst_sees_no_person_records(client: TestClient, session: Session) -> None:
    mine, own, _hidden = _world(session)
    sign_in_as(client, session, mine, Role.ANALYST)
    assert client.get(f"/people/{own.id}").status_code == 404
    assert client.get("/api/v1/people").json()["total"] == 0


def test_lists_link_to_records_and_escape_hostile_names(
    client: TestClient, session: Session
) -> None:
    mine, own, _hidden = _world(session)
    hostile = f.person(session, mine, first_name="<script>alert(1)</script>", surname="Okafor")
    session.commit()
    sign_in_as(client, session, mine)
    page = client.get("/people").text
    assert f'<a class="govuk-link" href="/people/{own.id}">Okafor, Morgan</a>' in page
    assert "<script>alert(1)</script>" not in page
    assert f'href="/people/{hostile.id}">Okafor, &lt;script&gt;' in page
