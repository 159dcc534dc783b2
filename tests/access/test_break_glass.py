"""Break-glass emergency access (SHR-2) with step-up re-authentication (SES-2)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from joinedup.access.models import AccessGrant
from joinedup.access.schemas import GrantKind
from joinedup.audit.models import LedgerEntry
from joinedup.config import Settings
from joinedup.oversight.models import ReviewItem
from joinedup.oversight.schemas import ReviewKind, ReviewStatus
from joinedup.partners.models import Organisation
from joinedup.partners.schemas import OrgKind, Role
from joinedup.people.models import PersonRecord
from tests import factories
from tests.auth.fixtures import FakeClock, csrf_from
from tests.pages import csrf_header, sign_in_as

REASON = "Child at immediate risk: need contact history to plan a welfare visit"


@pytest.fixture
def holder(session: Session) -> Organisation:
    """The organisation that holds the record."""
    return factories.organisation(session, "Mental Health Trust", OrgKind.MENTAL_HEALTH_TRUST)


@pytest.fixture
def person(session: Session, holder: Organisation) -> PersonRecord:
    """A record with a confidential address, held by the trust."""
    p = factories.person(
        session,
        holder,
        first_name="Zebedee",
        surname="Quartermaine",
        address_line="7 Hidden Lane",
        postcode="GU9 9ZZ",
        address_confidential=True,
    )
    session.commit()
    return p


@pytest.fixture
def requester(session: Session) -> Organisation:
    """The organisation of the practitioner who breaks the glass."""
    org = factories.organisation(session, "Borough Council", OrgKind.DISTRICT_COUNCIL)
    session.commit()
    return org


@pytest.fixture
def second_client(settings: Settings) -> Iterator[TestClient]:
    """Another browser, for the reviewer."""
    from joinedup.main import create_app

    with TestClient(create_app(settings), base_url="http://testserver") as c:
        yield c


def _break_glass(client: TestClient, person_id: uuid.UUID, reason: str = REASON) -> Any:
    page = client.get(f"/people/{person_id}/break-glass", follow_redirects=False)
    assert page.status_code == 200, page.text
    return client.post(
        f"/people/{person_id}/break-glass",
        data={"csrf_token": csrf_from(page.text), "reason": reason},
        follow_redirects=False,
    )


def _visible(session: Session, user_id: uuid.UUID, person_id: uuid.UUID) -> bool:
    from joinedup.access.context import load_context
    from joinedup.access.deps import actor_for
    from joinedup.access.scope import visible_person_records
    from joinedup.partners.models import User

    session.expire_all()
    user = session.get(User, user_id)
    assert user is not None
    ctx = load_context(session, actor_for(user))
    stmt = visible_person_records(select(PersonRecord.id), ctx).where(PersonRecord.id == person_id)
    return session.scalar(stmt) is not None


def test_shr2_break_glass_grants_four_hours_then_expires(
    client: TestClient,
    session: Session,
    clock: FakeClock,
    person: PersonRecord,
    requester: Organisation,
    holder: Organisation,
) -> None:
    user = sign_in_as(client, session, requester)
    assert not _visible(session, user.id, person.id)
    response = _break_glass(client, person.id)
    assert response.status_code == 303
    assert response.headers["location"] == f"/people/{person.id}"
    session.expire_all()
    grant = session.scalars(select(AccessGrant)).one()
    assert grant.kind is GrantKind.BREAK_GLASS
    assert grant.grantee_user_id == user.id
    assert grant.holder_organisation_id == holder.id
    assert grant.purpose == "safeguarding"
    assert grant.reason == REASON
    assert (grant.expires_at - grant.starts_at).total_seconds() == 4 * 3600
    assert _visible(session, user.id, person.id)
    clock.advance(hours=3, minutes=59)
    assert _visible(session, user.id, person.id)
    clock.advance(minutes=2)
    assert not _visible(session, user.id, person.id)


def test_shr2_break_glass_is_audited_with_the_holder(
    client: TestClient,
    session: Session,
    clock: FakeClock,
    person: PersonRecord,
    requester: Organisation,
    holder: Organisation,
) -> None:
    sign_in_as(client, session, requester)
    assert _break_glass(client, person.id).status_code == 303
    entries = session.scalars(
        select(LedgerEntry).where(LedgerEntry.name == "access.break_glass")
    ).all()
    assert len(entries) == 1
    entry = entries[0]
    assert entry.record_organisation_id == holder.id
    assert entry.record_id == str(person.id)
    assert entry.actor_organisation_id == requester.id
    assert "Quartermaine" not in json.dumps(entry.details)


def test_ses2_stale_session_is_sent_to_reauthenticate_and_nothing_granted(
    client: TestClient,
    session: Session,
    clock: FakeClock,
    person: PersonRecord,
    requester: Organisation,
) -> None:
    sign_in_as(client, session, requester)
    token = csrf_from(client.get("/account/reauthenticate").text)
    clock.advance(minutes=6)
    page = client.get(f"/people/{person.id}/break-glass", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"].startswith("/account/reauthenticate")
    post = client.post(
        f"/people/{person.id}/break-glass",
        data={"csrf_token": token, "reason": REASON},
        follow_redirects=False,
    )
    assert post.status_code == 303
    assert post.headers["location"].startswith("/account/reauthenticate")
    api = client.post(
        f"/api/v1/people/{person.id}/break-glass",
        json={"reason": REASON},
        headers={"X-CSRF-Token": token},
    )
    assert api.status_code == 403
    assert session.scalars(select(AccessGrant)).first() is None
    assert session.scalars(select(ReviewItem)).first() is None


def test_shr2_api_break_glass_with_fresh_password(
    client: TestClient,
    session: Session,
    clock: FakeClock,
    person: PersonRecord,
    requester: Organisation,
) -> None:
    sign_in_as(client, session, requester)
    headers = csrf_header(client)
    short = client.post(
        f"/api/v1/people/{person.id}/break-glass", json={"reason": "urgent"}, headers=headers
    )
    assert short.status_code == 422
    response = client.post(
        f"/api/v1/people/{person.id}/break-glass", json={"reason": REASON}, headers=headers
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["person_record_id"] == str(person.id)
    assert session.get(ReviewItem, uuid.UUID(body["review_id"])) is not None


def test_shr2_reason_required_between_10_and_1000_characters(
    client: TestClient,
    session: Session,
    clock: FakeClock,
    person: PersonRecord,
    requester: Organisation,
) -> None:
    sign_in_as(client, session, requester)
    assert _break_glass(client, person.id, "too short").status_code == 422
    assert _break_glass(client, person.id, "x" * 1001).status_code == 422
    assert session.scalars(select(AccessGrant)).first() is None


def test_shr2_own_and_unknown_records_are_refused(
    client: TestClient,
    session: Session,
    clock: FakeClock,
    person: PersonRecord,
    holder: Organisation,
) -> None:
    sign_in_as(client, session, holder)
    own = client.get(f"/people/{person.id}/break-glass", follow_redirects=False)
    assert own.status_code == 409
    unknown = client.get(f"/people/{uuid.uuid4()}/break-glass", follow_redirects=False)
    assert unknown.status_code == 404


def test_shr2_review_item_holds_no_personal_data(
    client: TestClient,
    session: Session,
    clock: FakeClock,
    person: PersonRecord,
    requester: Organisation,
    holder: Organisation,
) -> None:
    sign_in_as(client, session, requester)
    _break_glass(client, person.id)
    item = session.scalars(select(ReviewItem)).one()
    assert item.kind is ReviewKind.BREAK_GLASS
    assert item.organisation_id == holder.id
    text = json.dumps(item.details).lower()
    assert person.date_of_birth is not None
    for value in ("zebedee", "quartermaine", "hidden lane", "gu9 9zz", "welfare"):
        assert value not in text
    assert person.date_of_birth.isoformat() not in text


def test_shr2_review_must_be_closed_with_an_outcome(
    client: TestClient,
    second_client: TestClient,
    session: Session,
    clock: FakeClock,
    person: PersonRecord,
    requester: Organisation,
    holder: Organisation,
) -> None:
    sign_in_as(client, session, requester)
    _break_glass(client, person.id)
    item = session.scalars(select(ReviewItem)).one()
    # Another organisation's IG lead cannot see it; the holder's IG lead can.
    sign_in_as(second_client, session, requester, Role.IG_LEAD, username="ig.council")
    assert second_client.get(f"/oversight/reviews/{item.id}").status_code == 404
    sign_in_as(second_client, session, holder, Role.IG_LEAD, username="ig.trust")
    queue = second_client.get("/oversight/reviews")
    assert queue.status_code == 200
    assert "Break-glass access" in queue.text
    detail = second_client.get(f"/oversight/reviews/{item.id}")
    assert REASON in detail.text
    token = csrf_from(detail.text)
    missing = second_client.post(
        f"/oversight/reviews/{item.id}/close",
        data={"csrf_token": token, "note": "checked"},
        follow_redirects=False,
    )
    assert missing.status_code == 422
    closed = second_client.post(
        f"/oversight/reviews/{item.id}/close",
        data={"csrf_token": token, "outcome": "appropriate", "note": "Confirmed with the team"},
        follow_redirects=False,
    )
    assert closed.status_code == 303
    session.expire_all()
    reviewed = session.get(ReviewItem, item.id)
    assert reviewed is not None and reviewed.status is ReviewStatus.CLOSED
    assert reviewed.outcome == "appropriate"
    events = session.scalars(select(LedgerEntry).where(LedgerEntry.name == "review.closed")).all()
    assert len(events) == 1
    again = second_client.post(
        f"/api/v1/reviews/{item.id}/close",
        json={"outcome": "appropriate", "note": "again"},
        headers=csrf_header(second_client),
    )
    assert again.status_code == 409


def test_shr2_practitioners_cannot_open_the_review_queue(
    client: TestClient, session: Session, holder: Organisation
) -> None:
    sign_in_as(client, session, holder)
    assert client.get("/api/v1/reviews").status_code == 403
    assert client.get("/oversight/reviews", follow_redirects=False).status_code == 403
