"""The intake API: single and batch incidents, idempotency by reference and by key, audit."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from joinedup.audit.models import LedgerEntry
from joinedup.audit.verify import verify_ledger
from joinedup.auth import service
from joinedup.auth.models import ApiToken
from joinedup.auth.rules import new_api_token
from joinedup.common import clock
from joinedup.common.ids import token_digest
from joinedup.incidents.models import Incident, Involvement
from joinedup.partners.models import Organisation
from joinedup.partners.schemas import OrgKind, Role, UserIn
from joinedup.people.models import PersonRecord
from tests import factories as f
from tests.auth.fixtures import PASSWORD
from tests.incidents.conftest import count_held


def bearer(session: Session, org: Organisation, role: Role = Role.PRACTITIONER) -> dict[str, str]:
    """An API token's header for a new user of ``org`` with ``role``."""
    user = service.create_user(
        session=session,
        actor=None,
        user_in=UserIn(
            username=f"feed.{role.value}.{str(org.id)[:8]}",
            display_name="Case system feed",
            organisation_id=org.id,
            role=role,
            password=PASSWORD,
        ),
    )
    plaintext, prefix = new_api_token()
    now = clock.utc_now()
    session.add(
        ApiToken(
            user_id=user.id,
            name="feed",
            prefix=prefix,
            token_hash=token_digest(plaintext),
            created_at=now,
            expires_at=now + timedelta(days=30),
        )
    )
    session.commit()
    return {"Authorization": f"Bearer {plaintext}"}


def incident_json(reference: str = "ASB-2026-0001", **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "reference": reference,
        "category": "asb_personal",
        "occurred_at": "2026-11-20T22:15:00+00:00",
        "location": {"description": "Stoke Park flats, stairwell", "postcode": "gu1 1aa"},
        "narrative": "Residents report youths shouting and kicking doors.",
        "people": [
            {
                "role": "victim",
                "person": {
                    "reference": "HSG-P-1",
                    "first_name": "Sam",
                    "surname": "Okafor",
                    "date_of_birth": "1971-02-03",
                },
            }
        ],
    }
    body.update(fields)
    return body


def test_an_incident_is_recorded_with_its_person_and_audited_as_collection(
    client: TestClient, session: Session, council: Organisation
) -> None:
    headers = bearer(session, council)
    response = client.post("/api/v1/incidents", json=incident_json(), headers=headers)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["status"] == "created" and body["reference"] == "ASB-2026-0001"
    incident = session.get(Incident, uuid.UUID(body["id"]))
    assert incident is not None and incident.organisation_id == council.id
    assert incident.source.value == "api" and not incident.no_location
    person = session.scalar(select(PersonRecord).where(PersonRecord.reference == "HSG-P-1"))
    assert person is not None and person.surname == "Okafor"
    roles = session.scalars(
        select(Involvement.role).where(Involvement.incident_id == incident.id)
    ).all()
    assert [r.value for r in roles] == ["victim"]
    names = session.scalars(select(LedgerEntry.name).order_by(LedgerEntry.seq)).all()
    assert names[-3:] == ["person.created", "incident.created", "incident.involvement_added"]
    assert verify_ledger(session.get_bind()).ok  # type: ignore[arg-type]


def test_sending_the_same_incident_again_is_idempotent(
    client: TestClient, session: Session, council: Organisation
) -> None:
    headers = bearer(session, council)
    first = client.post("/api/v1/incidents", json=incident_json(), headers=headers)
    again = client.post("/api/v1/incidents", json=incident_json(), headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["status"] == "already_present"
    assert again.json()["id"] == first.json()["id"]
    assert count_held(session, Incident, council) == 1
    assert count_held(session, PersonRecord, council) == 1


def test_a_different_incident_under_a_used_reference_is_refused_not_overwritten(
    client: TestClient, session: Session, council: Organisation
) -> None:
    headers = bearer(session, council)
    client.post("/api/v1/incidents", json=incident_json(), headers=headers)
    changed = incident_json(category="noise_complaint")
    response = client.post("/api/v1/incidents", json=changed, headers=headers)
    assert response.status_code == 409
    assert response.json()["errors"][0]["field"] == "reference"
    session.expire_all()
    assert session.scalar(select(Incident.category)) == "asb_personal"


def test_the_same_reference_in_two_organisations_is_two_incidents(
    client: TestClient, session: Session, council: Organisation
) -> None:
    police = f.organisation(session, "Surrey Police", OrgKind.POLICE)
    session.commit()
    for org in (council, police):
        response = client.post(
            "/api/v1/incidents", json=incident_json(), headers=bearer(session, org)
        )
        assert response.status_code == 201


def test_an_idempotency_key_replays_the_first_response_and_refuses_reuse(
    client: TestClient, session: Session, council: Organisation
) -> None:
    headers = {**bearer(session, council), "Idempotency-Key": "feed-7d1f-0001"}
    first = client.post("/api/v1/incidents", json=incident_json(), headers=headers)
    retry = client.post("/api/v1/incidents", json=incident_json(), headers=headers)
    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json() and retry.headers["Idempotent-Replayed"] == "true"
    other = client.post("/api/v1/incidents", json=incident_json("ASB-2"), headers=headers)
    assert other.status_code == 422 and "Idempotency-Key" in other.text
    assert count_held(session, Incident, council) == 1


def test_invalid_incidents_get_a_clear_error_and_write_nothing(
    client: TestClient, session: Session, council: Organisation
) -> None:
    headers = bearer(session, council)
    cases = [
        incident_json(category="not_a_category"),
        incident_json(reference=""),
        incident_json(occurred_at="2026-11-20T22:15:00"),  # no time zone
        incident_json(location={"latitude": 51.2}),
        incident_json(people=[{"role": "victim"}]),
        incident_json(people=[{"role": "bystander", "person_id": str(f.any_id())}]),
        incident_json(unexpected="field"),
        incident_json(reported_at="2026-11-19T08:00:00+00:00"),
    ]
    for body in cases:
        response = client.post("/api/v1/incidents", json=body, headers=headers)
        assert response.status_code == 422, (body, response.text)
        assert response.json()["detail"], response.text
    assert count_held(session, Incident, council) == 0


def test_a_person_id_must_be_a_record_the_sender_holds(
    client: TestClient, session: Session, council: Organisation
) -> None:
    police = f.organisation(session, "Surrey Police", OrgKind.POLICE)
    theirs = f.person(session, police)
    mine = f.person(session, council)
    session.commit()
    headers = bearer(session, council)
    foreign = incident_json(people=[{"role": "suspect", "person_id": str(theirs.id)}])
    response = client.post("/api/v1/incidents", json=foreign, headers=headers)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "people.0.person_id"
    own = incident_json("ASB-3", people=[{"role": "suspect", "person_id": str(mine.id)}])
    assert client.post("/api/v1/incidents", json=own, headers=headers).status_code == 201


def test_roles_that_may_not_record_are_refused(
    client: TestClient, session: Session, council: Organisation
) -> None:
    response = client.post(
        "/api/v1/incidents", json=incident_json(), headers=bearer(session, council, Role.ANALYST)
    )
    assert response.status_code == 403
    anonymous = client.post("/api/v1/incidents", json=incident_json())
    assert anonymous.status_code in (401, 403)
    assert count_held(session, Incident, council) == 0


def test_a_batch_gives_per_item_results_in_order(
    client: TestClient, session: Session, council: Organisation
) -> None:
    headers = bearer(session, council)
    client.post("/api/v1/incidents", json=incident_json("ASB-0"), headers=headers)
    items = [
        incident_json("ASB-0"),  # already present
        incident_json("ASB-1"),
        incident_json("ASB-2", category="nope"),  # invalid
        incident_json("ASB-1"),  # repeated in the batch: already present
        incident_json("ASB-0", category="noise_complaint"),  # a different incident
        incident_json("ASB-3", people=[]),
    ]
    response = client.post("/api/v1/incidents/batch", json={"items": items}, headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    statuses = [(r["index"], r["reference"], r["status"]) for r in body["results"]]
    assert statuses == [
        (0, "ASB-0", "already_present"),
        (1, "ASB-1", "created"),
        (2, "ASB-2", "rejected"),
        (3, "ASB-1", "already_present"),
        (4, "ASB-0", "rejected"),
        (5, "ASB-3", "created"),
    ]
    assert body["results"][2]["errors"][0]["field"] == "category"
    assert body["results"][3]["id"] == body["results"][1]["id"]
    assert (body["created"], body["already_present"], body["rejected"]) == (2, 2, 2)
    assert count_held(session, Incident, council) == 3
    assert count_held(session, PersonRecord, council) == 1  # the same person in every item


def test_a_batch_is_limited_to_a_thousand_items(
    client: TestClient, session: Session, council: Organisation
) -> None:
    headers = bearer(session, council)
    items = [incident_json(f"B-{i}", people=[]) for i in range(1001)]
    response = client.post("/api/v1/incidents/batch", json={"items": items}, headers=headers)
    assert response.status_code == 422
    response = client.post("/api/v1/incidents/batch", json={"items": items[:1000]}, headers=headers)
    assert response.status_code == 200 and response.json()["created"] == 1000
    assert verify_ledger(session.get_bind()).ok  # type: ignore[arg-type]


def test_a_nul_character_anywhere_is_a_clear_error_not_a_server_error(
    client: TestClient, session: Session, council: Organisation
) -> None:
    headers = bearer(session, council)
    person = incident_json()["people"][0]
    cases = [
        incident_json(narrative="shouting\x00"),
        incident_json(clinical_notes="\x00"),
        incident_json(location={"description": "stair\x00well"}),
        incident_json(people=[{**person, "person": {**person["person"], "surname": "O\x00"}}]),
    ]
    for body in cases:
        response = client.post("/api/v1/incidents", json=body, headers=headers)
        assert response.status_code == 422, response.text
    batch = client.post("/api/v1/incidents/batch", json={"items": cases}, headers=headers)
    assert batch.status_code == 200 and batch.json()["rejected"] == len(cases)
    assert count_held(session, Incident, council) == 0
