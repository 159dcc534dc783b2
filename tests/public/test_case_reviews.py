"""The lead agency's ASB Case Review work: list with clocks, detail, the four steps (each
audited), the API, and other organisations answered exactly like unknown ids (AC-1, AC-3)."""

from __future__ import annotations

import re
import uuid

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from joinedup.audit.models import LedgerEntry
from joinedup.partners.models import Organisation
from joinedup.partners.schemas import OrgKind, Role
from joinedup.public.models import AsbCaseReview
from tests import factories as f
from tests.auth.fixtures import FakeClock, csrf_from, signed_in
from tests.pages import sign_in_as
from tests.public.conftest import Submit, post_public, receipt_of


def _review(session: Session) -> AsbCaseReview:
    session.expire_all()
    return session.scalars(select(AsbCaseReview)).one()


def _step(client: TestClient, review_id: uuid.UUID, step: str, data: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    token = csrf_from(client.get(f"/asb-case-reviews/{review_id}").text)
    return client.post(
        f"/asb-case-reviews/{review_id}/{step}",
        data={"csrf_token": token, **(data or {})},
        follow_redirects=False,
    )


def _events(session: Session) -> list[str]:
    session.expire_all()
    return list(session.scalars(select(LedgerEntry.name).order_by(LedgerEntry.seq)))


def test_the_lead_agency_works_an_application_through_every_step(
    client: TestClient, session: Session, apply: Submit, lead: Organisation, frozen: FakeClock
) -> None:
    reference, secret = receipt_of(apply(3))
    review = _review(session)
    officer = sign_in_as(client, session, lead, Role.PRACTITIONER)

    listing = client.get("/asb-case-reviews")
    assert listing.status_code == 200
    assert reference in listing.text and "Acknowledge" in listing.text
    assert "16 December 2026" in listing.text and "10 working days left" in listing.text

    page = client.get(f"/asb-case-reviews/{review.id}").text
    assert "Jordan Applicant" in page and "Stones thrown at my window, time 2" in page
    assert "3 separate incidents in the 6 months before the application" in page
    assert "Meets the threshold" in page
    assert "asb_case_review.viewed" in _events(session)

    assert _step(client, review.id, "acknowledge").status_code == 303
    frozen.advance(days=7)  # Wednesday 9 December (the idle session has ended: sign in again)
    signed_in(client, officer.username)
    assert _step(client, review.id, "threshold", {"threshold_met": "true"}).status_code == 303
    review = _review(session)
    assert str(review.meeting_due) == "2027-01-11"  # 20 working days, Christmas skipped
    assert (
        _step(
            client,
            review.id,
            "meeting",
            {"meeting_on-day": "5", "meeting_on-month": "1", "meeting_on-year": "2027"},
        ).status_code
        == 303
    )
    outcome = {
        "outcome": "Agencies to meet monthly",
        "recommendations": "Joint visit by council and police",
    }
    assert _step(client, review.id, "outcome", outcome).status_code == 303
    review = _review(session)
    assert review.status.value == "completed" and review.recommendations.startswith("Joint")
    names = _events(session)
    for name in (
        "asb_case_review.acknowledged",
        "asb_case_review.threshold_decided",
        "asb_case_review.meeting_scheduled",
        "asb_case_review.outcome_recorded",
    ):
        assert names.count(name) == 1, name
    entry = session.scalars(
        select(LedgerEntry).where(LedgerEntry.name == "asb_case_review.threshold_decided")
    ).one()
    assert entry.operation.value == "alteration" and entry.record_id == str(review.id)
    assert entry.details == {"late": False, "threshold_met": True}

    client.cookies.clear()
    status = post_public(client, "/public/status", {"reference": reference, "secret": secret})
    assert "The case review has been completed" in status.text
    assert "5 January 2027" in status.text and "9 December 2026" in status.text
    assert "Joint visit" not in status.text  # the recommendations are told by letter, not here


def test_threshold_not_met_needs_a_reason(
    client: TestClient, session: Session, apply: Submit, lead: Organisation
) -> None:
    apply(1)
    review = _review(session)
    sign_in_as(client, session, lead, Role.SUPERVISOR)
    page = client.get(f"/asb-case-reviews/{review.id}").text
    assert "Below the threshold" in page
    early = _step(client, review.id, "threshold", {"threshold_met": "false", "reason": "Too few"})
    assert early.status_code == 409 and "Acknowledge the application first" in early.text
    _step(client, review.id, "acknowledge")
    missing = _step(client, review.id, "threshold", {"threshold_met": "false"})
    assert (
        missing.status_code == 422 and "Enter the reason the threshold is not met" in missing.text
    )
    none = _step(client, review.id, "threshold", {})
    assert "Select whether the threshold is met" in none.text
    done = _step(
        client, review.id, "threshold", {"threshold_met": "false", "reason": "One report only"}
    )
    assert done.status_code == 303
    assert _review(session).status.value == "threshold_not_met"
    again = _step(client, review.id, "acknowledge")
    assert again.status_code == 409


def test_overdue_clocks_are_flagged_in_red(
    client: TestClient, session: Session, apply: Submit, lead: Organisation, frozen: FakeClock
) -> None:
    apply(3)
    frozen.advance(days=16)  # Friday 18 December: acknowledgement was due on the 16th
    sign_in_as(client, session, lead, Role.COORDINATOR)
    listing = client.get("/asb-case-reviews").text
    assert re.search(r'govuk-tag--red">\s*Overdue by 2 working days', listing)
    api = client.get("/api/v1/asb-case-reviews").json()
    assert api[0]["next_step"]["overdue"] is True and api[0]["next_step"]["days_left"] == -2


def test_the_api_uses_the_same_reads(
    client: TestClient, session: Session, apply: Submit, lead: Organisation
) -> None:
    reference, _ = receipt_of(apply(3))
    review = _review(session)
    sign_in_as(client, session, lead)
    listed = client.get("/api/v1/asb-case-reviews")
    assert listed.status_code == 200 and [r["reference"] for r in listed.json()] == [reference]
    detail = client.get(f"/api/v1/asb-case-reviews/{review.id}")
    assert detail.status_code == 200
    body = detail.json()
    assert body["incidents_in_window"] == 3 and body["meets_threshold"] is True
    assert [c["step"] for c in body["clocks"]] == ["Acknowledge", "Threshold decision"]
    assert _events(session).count("asb_case_review.viewed") == 1


@pytest.mark.parametrize("role", list(Role))
def test_ac1_other_organisations_get_404_like_an_unknown_id(
    client: TestClient, session: Session, apply: Submit, lead: Organisation, role: Role
) -> None:
    apply(3)
    review = _review(session)
    other = f.organisation(session, "Surrey and Borders Partnership", OrgKind.MENTAL_HEALTH_TRUST)
    session.commit()
    sign_in_as(client, session, other, role)
    unknown = uuid.uuid4()
    for path in ("/asb-case-reviews/{}", "/api/v1/asb-case-reviews/{}"):
        seen = client.get(path.format(review.id))
        absent = client.get(path.format(unknown))
        assert seen.status_code == absent.status_code == 404, (path, role)
        assert "Jordan" not in seen.text
    assert client.get("/asb-case-reviews").status_code == 404
    assert client.get("/api/v1/asb-case-reviews").status_code == 404
    token = csrf_from(client.get("/").text)
    for step in ("acknowledge", "threshold", "meeting", "outcome"):
        response = client.post(
            f"/asb-case-reviews/{review.id}/{step}",
            data={"csrf_token": token, "threshold_met": "true"},
        )
        assert response.status_code == 404, step
    assert _review(session).acknowledged_at is None
    assert "asb_case_review.viewed" not in _events(session)


@pytest.mark.parametrize("role", [Role.ANALYST, Role.IG_LEAD, Role.ADMIN])
def test_ac1_lead_agency_roles_outside_the_work_get_404(
    client: TestClient, session: Session, apply: Submit, lead: Organisation, role: Role
) -> None:
    apply(3)
    review = _review(session)
    sign_in_as(client, session, lead, role)
    assert client.get("/asb-case-reviews").status_code == 404
    assert client.get(f"/asb-case-reviews/{review.id}").status_code == 404


def test_web1_a_step_without_the_csrf_token_is_refused(
    client: TestClient, session: Session, apply: Submit, lead: Organisation
) -> None:
    apply(3)
    review = _review(session)
    sign_in_as(client, session, lead)
    assert client.post(f"/asb-case-reviews/{review.id}/acknowledge").status_code == 403
    assert _review(session).acknowledged_at is None


def test_anonymous_staff_pages_send_to_sign_in(client: TestClient) -> None:
    response = client.get("/asb-case-reviews", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/sign-in")
    assert client.get("/api/v1/asb-case-reviews").status_code == 401


def test_the_lead_agency_sees_public_concerns_with_the_reporters_contact(
    client: TestClient, session: Session, lead: Organisation
) -> None:
    from tests.public.conftest import CONCERN

    reference, _ = receipt_of(post_public(client, "/public/concerns/new", CONCERN))
    sign_in_as(client, session, lead)
    page = client.get("/public-concerns")
    assert page.status_code == 200
    assert reference in page.text and "sam@example.org" in page.text and "Noise" in page.text
    assert "public.concerns_viewed" in _events(session)


@pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.ANALYST])
def test_ac3_other_organisations_never_see_public_concerns(
    client: TestClient, session: Session, lead: Organisation, role: Role
) -> None:
    from tests.public.conftest import CONCERN

    post_public(client, "/public/concerns/new", CONCERN)
    police = session.scalars(select(Organisation).where(Organisation.name == "Surrey Police")).one()
    sign_in_as(client, session, police, role)
    response = client.get("/public-concerns")
    assert response.status_code == 404 and "sam@example.org" not in response.text
    assert "Noise complaint" not in client.get("/incidents").text
