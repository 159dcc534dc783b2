"""Known-to signposting, access requests, approval as a disclosure, grant expiry, revocation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from joinedup.audit.models import LedgerEntry
from joinedup.partners.schemas import Role
from tests.auth.fixtures import FakeClock, csrf_from
from tests.auth.fixtures import clock as clock  # noqa: F401  (fixture)
from tests.pages import sign_in_as
from tests.sharing.world import World, build


def _open(client: TestClient, path: str, purpose: str = "safeguarding") -> str:
    asked = client.get(path)
    if "Why are you opening this record?" not in asked.text:
        return asked.text
    page = client.post(
        f"{path}/purpose",
        data={"csrf_token": csrf_from(asked.text), "purpose": purpose, "justification": "risk"},
    )
    assert page.status_code == 200, page.text
    return page.text


def _request_and_approve(client: TestClient, session: Session, w: World) -> None:
    text = _open(client, f"/people/{w.council_person.id}")
    form = client.get(f"/people/{w.council_person.id}/known-to/1/request")
    assert form.status_code == 200
    sent = client.post(
        f"/people/{w.council_person.id}/known-to/1/request",
        data={
            "csrf_token": csrf_from(form.text),
            "purpose": "safeguarding",
            "justification": "Repeat ASB; checking for vulnerability",
        },
    )
    assert "Pending" in sent.text and "Mental health" in sent.text
    assert "Canary clinical" not in text
    holder = TestClient(client.app)
    sign_in_as(holder, session, w.trust, Role.SUPERVISOR)
    queue = holder.get("/sharing/requests")
    assert "Repeat ASB" in queue.text and w.trust_person.reference in queue.text
    from joinedup.access.models import AccessRequest

    req = session.scalars(select(AccessRequest)).one()
    done = holder.post(
        f"/sharing/requests/{req.id}/decide",
        data={"csrf_token": csrf_from(queue.text), "decision": "approve", "reason": "Agreed"},
    )
    assert done.status_code == 200 and "Approved" in done.text


def test_signpost_shows_organisation_categories_and_dates_only(
    client: TestClient, session: Session
) -> None:
    w = build(session)
    sign_in_as(client, session, w.council)
    text = _open(client, f"/people/{w.council_person.id}")
    assert "Known to Surrey and Borders Trust" in text
    assert "Mental health" in text and "March 2025" in text
    assert str(w.trust_person.id) not in text and w.trust_person.reference not in text
    assert "Refuge" not in text and "Canary clinical" not in text
    shown = session.scalars(
        select(LedgerEntry).where(LedgerEntry.name == "sharing.signpost_shown")
    ).all()
    assert [(e.record_id, e.record_organisation_id) for e in shown] == [
        (str(w.trust_person.id), w.trust.id)
    ]


def test_no_signpost_without_known_to_in_the_agreement(
    client: TestClient, session: Session
) -> None:
    w = build(session)
    w.isa.known_to_allowed = False
    session.commit()
    sign_in_as(client, session, w.council)
    assert "Known to" not in _open(client, f"/people/{w.council_person.id}")
    assert client.get(f"/people/{w.council_person.id}/known-to/1/request").status_code == 404


def test_aud3_approval_is_a_disclosure_and_the_grant_expires(
    client: TestClient, session: Session
) -> None:
    w = build(session)
    sign_in_as(client, session, w.council)
    _request_and_approve(client, session, w)
    disclosure = session.scalars(
        select(LedgerEntry).where(LedgerEntry.name == "sharing.access_approved")
    ).one()
    assert disclosure.operation.value == "disclosure"
    assert disclosure.recipient_organisation_id == w.council.id and disclosure.recipient_person
    shared = _open(client, f"/people/{w.trust_person.id}")
    assert "Mental health crisis" in shared and "Canary clinical" not in shared
    assert "Refuge" not in shared  # the grant does not include the address
    listed = client.get("/api/v1/incidents").json()
    assert str(w.trust_incident.id) in {i["id"] for i in listed["items"]}
    from joinedup.access.models import AccessGrant

    grant = session.scalars(select(AccessGrant)).one()
    assert grant.expires_at - grant.starts_at == timedelta(days=30)
    grant.expires_at = datetime.now(UTC) - timedelta(seconds=1)  # as if 30 days had passed
    session.commit()
    gone = client.get(f"/people/{w.trust_person.id}")
    assert gone.status_code == 404, gone.text[gone.text.find("<main") :][:800]
    listed = client.get("/api/v1/incidents").json()
    assert str(w.trust_incident.id) not in {i["id"] for i in listed["items"]}


def test_decline_needs_a_reason_and_the_requester_sees_it(
    client: TestClient, session: Session
) -> None:
    w = build(session)
    sign_in_as(client, session, w.council)
    _open(client, f"/people/{w.council_person.id}")
    form = client.get(f"/people/{w.council_person.id}/known-to/1/request")
    client.post(
        f"/people/{w.council_person.id}/known-to/1/request",
        data={"csrf_token": csrf_from(form.text), "purpose": "safeguarding", "justification": "x"},
    )
    from joinedup.access.models import AccessRequest

    req = session.scalars(select(AccessRequest)).one()
    holder = TestClient(client.app)
    sign_in_as(holder, session, w.trust, Role.IG_LEAD)
    token = csrf_from(holder.get("/sharing/requests").text)
    bad = holder.post(
        f"/sharing/requests/{req.id}/decide",
        data={"csrf_token": token, "decision": "decline", "reason": ""},
    )
    assert bad.status_code == 422
    holder.post(
        f"/sharing/requests/{req.id}/decide",
        data={"csrf_token": token, "decision": "decline", "reason": "Not proportionate"},
    )
    assert "Not proportionate" in client.get("/sharing/my-requests").text
    # A practitioner of the holder may not decide, and another organisation cannot see the queue.
    assert client.get("/sharing/requests").status_code == 403


def test_ac5_revoking_the_agreement_denies_on_the_next_request(
    client: TestClient, session: Session
) -> None:
    from joinedup.agreements.schemas import DataCategory

    w = build(session, [DataCategory.IDENTITY, DataCategory.MENTAL_HEALTH])
    sign_in_as(client, session, w.council)
    assert "Jordan" in _open(client, f"/people/{w.trust_person.id}")
    admin = TestClient(client.app)
    sign_in_as(admin, session, w.council, Role.ADMIN)
    page = admin.get(f"/agreement/sharing/{w.isa.id}")
    done = admin.post(
        f"/agreement/sharing/{w.isa.id}/revoke", data={"csrf_token": csrf_from(page.text)}
    )
    assert done.status_code == 200 and "Revoked" in done.text
    assert client.get(f"/people/{w.trust_person.id}").status_code == 404
    assert str(w.trust_person.id) not in client.get("/api/v1/people").text
    events = session.scalars(
        select(LedgerEntry).where(LedgerEntry.name == "sharing_agreement.revoked")
    ).all()
    assert len(events) == 1


def test_expiry_by_valid_to_denies_without_any_change(
    client: TestClient, session: Session, clock: FakeClock
) -> None:
    from joinedup.agreements.schemas import DataCategory

    w = build(session, [DataCategory.IDENTITY])
    w.isa.valid_to = clock.now.date() + timedelta(days=1)
    session.commit()
    sign_in_as(client, session, w.council)
    assert str(w.trust_person.id) in client.get("/api/v1/people").text
    clock.advance(days=3)
    sign_in_as(client, session, w.council, username="again.council")
    assert str(w.trust_person.id) not in client.get("/api/v1/people").text


def test_the_api_answers_the_same_signposts_and_requests(
    client: TestClient, session: Session
) -> None:
    from tests.pages import csrf_header
    from tests.sharing.world import PURPOSE

    w = build(session)
    sign_in_as(client, session, w.council)
    url = f"/api/v1/people/{w.council_person.id}/known-to"
    assert client.get(url).status_code == 428
    [sign] = client.get(url, headers=PURPOSE).json()
    assert sign["organisation_name"] == "Surrey and Borders Trust" and sign["number"] == 1
    assert str(w.trust_person.id) not in client.get(url, headers=PURPOSE).text
    body = {"purpose": "safeguarding", "justification": "Repeat ASB"}
    made = client.post(f"{url}/1/request", json=body, headers=csrf_header(client))
    assert made.status_code == 201
    holder = TestClient(client.app)
    sign_in_as(holder, session, w.trust, Role.SUPERVISOR)
    [req] = holder.get("/api/v1/sharing/requests").json()
    assert req["id"] == made.json()["id"] and req["status"] == "pending"
    done = holder.post(
        f"/api/v1/sharing/requests/{req['id']}/approve",
        json={"reason": "Agreed"},
        headers=csrf_header(holder),
    )
    assert done.status_code == 200
    mine = client.get("/api/v1/sharing/my-requests").json()
    assert mine[0]["status"] == "approved" and mine[0]["record_id"] == str(w.trust_person.id)


def test_shr2_emergency_access_starts_from_the_signpost(
    client: TestClient, session: Session
) -> None:
    w = build(session)
    sign_in_as(client, session, w.council)
    text = _open(client, f"/people/{w.council_person.id}")
    assert f"/people/{w.council_person.id}/known-to/1/break-glass" in text
    hop = client.get(
        f"/people/{w.council_person.id}/known-to/1/break-glass", follow_redirects=False
    )
    assert hop.status_code == 303
    assert hop.headers["location"] == f"/people/{w.trust_person.id}/break-glass"
    missing = client.get(f"/people/{w.council_person.id}/known-to/9/break-glass")
    assert missing.status_code == 404
