"""Purpose-bound reads (AUD-2) and field-level protection (AC-2, SHR-4, SHR-5)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from joinedup.agreements.schemas import DataCategory
from joinedup.audit.models import LedgerEntry
from joinedup.partners.schemas import Role
from tests.auth.fixtures import csrf_from
from tests.pages import csrf_header, sign_in_as
from tests.sharing.world import PURPOSE, build

ALL = [DataCategory.IDENTITY, DataCategory.CONTACT_ADDRESS, DataCategory.MENTAL_HEALTH]


def _events(session: Session, name: str) -> list[LedgerEntry]:
    session.expire_all()
    return list(session.scalars(select(LedgerEntry).where(LedgerEntry.name == name)))


def test_aud2_api_read_without_a_purpose_is_428_with_no_data(
    client: TestClient, session: Session
) -> None:
    w = build(session)
    sign_in_as(client, session, w.council)
    for headers in ({}, {"X-JoinedUp-Purpose": "curiosity"}):
        answer = client.get(f"/api/v1/people/{w.council_person.id}", headers=headers)
        assert answer.status_code == 428
        assert "Jordan" not in answer.text and "X-JoinedUp-Purpose" in answer.json()["detail"]
        inc = client.get(f"/api/v1/incidents/{w.trust_incident.id}", headers=headers)
        assert inc.status_code == 428
    assert _events(session, "person.viewed") == []


def test_aud2_the_consultation_event_keeps_purpose_text_and_holder(
    client: TestClient, session: Session
) -> None:
    w = build(session, ALL)
    sign_in_as(client, session, w.council)
    answer = client.get(f"/api/v1/people/{w.trust_person.id}", headers=PURPOSE)
    assert answer.status_code == 200
    [event] = _events(session, "person.viewed")
    assert (event.purpose, event.justification) == ("safeguarding", "checking risk")
    assert event.record_organisation_id == w.trust.id


def test_aud2_a_purpose_not_in_the_agreement_does_not_open_the_record(
    client: TestClient, session: Session
) -> None:
    w = build(session, ALL)
    sign_in_as(client, session, w.council)
    stats = {"X-JoinedUp-Purpose": "statistics"}
    assert client.get(f"/api/v1/people/{w.trust_person.id}", headers=stats).status_code == 404


def test_aud2_the_page_asks_why_and_remembers_for_30_minutes(
    client: TestClient, session: Session
) -> None:
    w = build(session)
    sign_in_as(client, session, w.council)
    asked = client.get(f"/people/{w.council_person.id}")
    assert "Why are you opening this record?" in asked.text and "Jordan" not in asked.text
    bad = client.post(
        f"/people/{w.council_person.id}/purpose", data={"csrf_token": csrf_from(asked.text)}
    )
    assert bad.status_code == 422 and "Select why" in bad.text
    client.post(
        f"/people/{w.council_person.id}/purpose",
        data={"csrf_token": csrf_from(asked.text), "purpose": "crime_and_disorder"},
    )
    again = client.get(f"/people/{w.council_person.id}")
    assert "Jordan" in again.text and "Prevent and detect crime" in again.text


def test_ac2_shr4_another_organisation_never_gets_a_confidential_address(
    client: TestClient, session: Session
) -> None:
    w = build(session, ALL)
    w.trust_person.address_confidential = True
    session.commit()
    sign_in_as(client, session, w.council)
    payloads = [
        client.get("/api/v1/people").text,
        client.post(
            "/api/v1/people/search", json={"text": "canary"}, headers=csrf_header(client)
        ).text,
        client.get(f"/api/v1/people/{w.trust_person.id}", headers=PURPOSE).text,
    ]
    for text in payloads:
        assert "Refuge" not in text and "GU1 9ZZ" not in text
    token = csrf_from(client.get("/people").text)
    reveal = client.post(f"/people/{w.trust_person.id}/reveal-address", data={"csrf_token": token})
    assert reveal.status_code == 404 and "Refuge" not in reveal.text


def test_shr5_holder_lists_are_masked_and_reveal_is_audited(
    client: TestClient, session: Session
) -> None:
    w = build(session)
    w.trust_person.address_confidential = True
    session.commit()
    sign_in_as(client, session, w.trust)
    listed = client.get("/api/v1/people").json()["items"]
    assert {p["postcode"] for p in listed} == {"[withheld]"} and listed[0]["address_masked"]
    profile = client.get(f"/api/v1/people/{w.trust_person.id}", headers=PURPOSE).json()
    assert profile["person"]["address_line"] == "[withheld]"
    page = client.get(f"/people/{w.trust_person.id}")
    page = client.post(
        f"/people/{w.trust_person.id}/purpose",
        data={"csrf_token": csrf_from(page.text), "purpose": "safeguarding"},
    )
    assert "Refuge" not in page.text and "Show the confidential address" in page.text
    shown = client.post(
        f"/people/{w.trust_person.id}/reveal-address", data={"csrf_token": csrf_from(page.text)}
    )
    assert "1 Refuge Road" in shown.text
    assert len(_events(session, "person.address_revealed")) == 1
    assert "Refuge" not in client.get(f"/people/{w.trust_person.id}").text


def test_shr5_an_analyst_or_coordinator_cannot_reveal(client: TestClient, session: Session) -> None:
    w = build(session)
    w.trust_person.address_confidential = True
    session.commit()
    sign_in_as(client, session, w.trust, Role.COORDINATOR)
    page = client.get(f"/people/{w.trust_person.id}")
    page = client.post(
        f"/people/{w.trust_person.id}/purpose",
        data={"csrf_token": csrf_from(page.text), "purpose": "safeguarding"},
    )
    assert "Show the confidential address" not in page.text
    shown = client.post(
        f"/people/{w.trust_person.id}/reveal-address", data={"csrf_token": csrf_from(page.text)}
    )
    assert shown.status_code == 404 and "Refuge" not in shown.text


def test_ac2_clinical_notes_reach_only_the_holders_clinical_staff(
    client: TestClient, session: Session
) -> None:
    w = build(session, ALL)
    url = f"/api/v1/incidents/{w.trust_incident.id}"
    shapes = {}
    for org, role in [
        (w.trust, Role.PRACTITIONER),
        (w.trust, Role.SUPERVISOR),
        (w.trust, Role.COORDINATOR),
        (w.trust, Role.IG_LEAD),
        (w.council, Role.PRACTITIONER),
        (w.council, Role.SUPERVISOR),
    ]:
        reader = TestClient(client.app)
        sign_in_as(reader, session, org, role, username=f"{role.value}.{org.name[:5].lower()}")
        body = reader.get(url, headers=PURPOSE).json()
        shapes[(org.name, role)] = "clinical_notes" in body
        assert ("Canary clinical" in str(body)) is shapes[(org.name, role)]
    assert [k for k, v in shapes.items() if v] == [
        (w.trust.name, Role.PRACTITIONER),
        (w.trust.name, Role.SUPERVISOR),
    ]


def test_ac2_writes_with_unknown_or_forbidden_fields_are_rejected(
    client: TestClient, session: Session
) -> None:
    w = build(session)
    sign_in_as(client, session, w.council)
    body = {"reference": "X-1", "surname": "New", "organisation_id": str(w.trust.id)}
    answer = client.post("/api/v1/people", json=body, headers=csrf_header(client))
    assert answer.status_code == 422
    put = client.put(
        f"/api/v1/people/{w.trust_person.id}",
        json={"reference": "X-2", "address_confidential": False},
        headers=csrf_header(client),
    )
    assert put.status_code == 404  # a non-holder cannot write the flag at all
    count = session.scalar(
        select(func.count()).select_from(LedgerEntry).where(LedgerEntry.name == "person.created")
    )
    assert count == 0
