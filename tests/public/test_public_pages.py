"""The public portal's pages: no sign-in, GOV.UK errors, reference and secret, the concern
becoming the lead agency's incident, honeypot, rate limit, CSRF and the status page."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from joinedup.audit.models import LedgerEntry
from joinedup.config import Settings
from joinedup.incidents.models import Incident
from joinedup.incidents.schemas import IncidentSource
from joinedup.main import create_app
from joinedup.partners.models import Organisation
from joinedup.places.models import Location
from joinedup.public.models import AsbCaseReview, PublicConcern, PublicRateEvent
from tests.auth.fixtures import FakeClock
from tests.public.conftest import CONCERN, Submit, application, post_public, receipt_of

SUMMARY_LINK = re.compile(r'<a href="#([^"]+)">([^<]+)</a>')


def _summary(html: str) -> dict[str, str]:
    assert "There is a problem" in html
    return dict(SUMMARY_LINK.findall(html))


def _count(session: Session, model: type) -> int:
    session.expire_all()
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_web1_public_pages_open_without_signing_in(client: TestClient, lead: Organisation) -> None:
    for path in (
        "/public",
        "/public/concerns/new",
        "/public/asb-case-review/new",
        "/public/status",
    ):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 200, path
        assert response.headers["cache-control"] == "no-store"
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        for form in re.findall(r"<form\b.*?</form>", response.text, re.S):
            assert 'name="csrf_token"' in form
    assert "joinedup_csrf" in client.cookies


def test_web1_a_public_form_without_the_csrf_token_is_refused(
    client: TestClient, session: Session, lead: Organisation
) -> None:
    client.get("/public/concerns/new")
    response = client.post("/public/concerns/new", data=CONCERN)
    assert response.status_code == 403
    assert _count(session, PublicConcern) == 0


def test_concern_with_nothing_filled_in_shows_the_error_summary_and_field_errors(
    client: TestClient, lead: Organisation
) -> None:
    response = post_public(client, "/public/concerns/new", {})
    assert response.status_code == 422
    summary = _summary(response.text)
    assert summary == {
        "kind": "Select what is happening",
        "place": "Enter where it is happening",
        "occurred-day": "Enter the date it happened",
        "description": "Enter what happened",
    }
    assert response.text.count('class="govuk-error-message"') == 4
    assert "<title>Error: " in response.text


def test_concern_checks_postcode_date_email_and_lengths(
    client: TestClient, lead: Organisation
) -> None:
    data = CONCERN | {
        "postcode": "NOPE 123",
        "occurred-day": "31",
        "occurred-month": "2",
        "contact_email": "not-an-email",
        "place": "x" * 201,
    }
    summary = _summary(post_public(client, "/public/concerns/new", data).text)
    assert summary["occurred-day"] == "The date it happened must be a real date"
    assert summary["place"] == "Where it is happening must be 200 characters or fewer"
    data = CONCERN | {"postcode": "NOPE 123", "contact_email": "not-an-email"}
    summary = _summary(post_public(client, "/public/concerns/new", data).text)
    assert summary["postcode"].startswith("Enter a real postcode")
    assert summary["contact_email"].startswith("Enter an email address in the correct format")
    too_long = CONCERN | {"description": "y" * 5001}
    summary = _summary(post_public(client, "/public/concerns/new", too_long).text)
    assert summary["description"] == "What happened must be 5000 characters or fewer"


def test_concern_becomes_an_incident_of_the_lead_agency_with_a_collection_event(
    client: TestClient, session: Session, lead: Organisation
) -> None:
    response = post_public(client, "/public/concerns/new", CONCERN)
    assert response.status_code == 200
    reference, secret = receipt_of(response)
    assert re.fullmatch(
        r"CON-[234679ACDEFGHJKMNPQRTUVWXYZ]{4}-[234679ACDEFGHJKMNPQRTUVWXYZ]{4}", reference
    )
    assert re.fullmatch(
        r"([234679ACDEFGHJKMNPQRTUVWXYZ]{4}-){4}[234679ACDEFGHJKMNPQRTUVWXYZ]{4}", secret
    )
    session.expire_all()
    concern = session.scalars(select(PublicConcern)).one()
    assert concern.reference == reference and concern.lead_organisation_id == lead.id
    assert secret not in concern.secret_digest and len(concern.secret_digest) == 64
    incident = session.get(Incident, concern.incident_id)
    assert incident is not None
    assert incident.organisation_id == lead.id and incident.source is IncidentSource.PUBLIC
    assert incident.category == "noise_complaint" and incident.reference == reference
    location = session.get(Location, incident.location_id)
    assert location is not None and location.postcode == "GU1 4UG"
    event = session.scalars(
        select(LedgerEntry).where(LedgerEntry.name == "public.concern_received")
    ).one()
    assert event.operation.value == "collection"
    assert event.record_id == str(incident.id) and event.record_organisation_id == lead.id
    assert "Sam" not in str(event.details) and "sam@" not in str(event.details)


def test_the_lead_agency_sees_the_public_concern_among_its_incidents(
    client: TestClient, session: Session, lead: Organisation
) -> None:
    from tests.pages import sign_in_as

    post_public(client, "/public/concerns/new", CONCERN)
    sign_in_as(client, session, lead)
    listing = client.get("/incidents").text
    assert "Noise complaint" in listing


def test_the_lead_agency_setting_names_the_organisation(
    session: Session, lead: Organisation, settings: Settings
) -> None:
    police = session.scalars(select(Organisation).where(Organisation.name == "Surrey Police")).one()
    named = settings.model_copy(update={"asb_case_review_lead": "Surrey Police"})
    with TestClient(create_app(named)) as client:
        assert post_public(client, "/public/concerns/new", CONCERN).status_code == 200
    session.expire_all()
    assert session.scalars(select(PublicConcern)).one().lead_organisation_id == police.id


def test_without_any_council_the_portal_refuses_politely(
    client: TestClient, session: Session
) -> None:
    response = post_public(client, "/public/concerns/new", CONCERN)
    assert response.status_code == 503
    assert _count(session, PublicConcern) == 0


def test_html_in_a_field_is_shown_as_text_never_rendered(
    client: TestClient, lead: Organisation
) -> None:
    hostile = "<script>alert(1)</script><b>bold</b>"
    response = post_public(
        client, "/public/concerns/new", CONCERN | {"place": hostile, "postcode": "x"}
    )
    assert response.status_code == 422
    assert "<script>alert(1)</script>" not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text


def test_honeypot_filled_looks_accepted_but_stores_nothing(
    client: TestClient, session: Session, lead: Organisation
) -> None:
    before = _count(session, LedgerEntry)
    response = post_public(client, "/public/concerns/new", CONCERN | {"website": "http://spam"})
    assert response.status_code == 200 and "Report sent" in response.text
    receipt_of(response)  # a reference and code that lead nowhere
    assert _count(session, PublicConcern) == 0 and _count(session, Incident) == 0
    assert _count(session, LedgerEntry) == before
    review = post_public(client, "/public/asb-case-review/new", application() | {"website": "x"})
    assert review.status_code == 200 and "Application sent" in review.text
    assert receipt_of(review)[0].startswith("ACR-")
    assert _count(session, AsbCaseReview) == 0
    # Only the rate-limit counter remembers that something was sent.
    assert _count(session, PublicRateEvent) == 2


def test_rate_limit_answers_429_with_a_clear_page(
    session: Session, lead: Organisation, settings: Settings
) -> None:
    limited = settings.model_copy(update={"public_submissions_per_hour": 2})
    with TestClient(create_app(limited)) as client:
        for _ in range(2):
            assert post_public(client, "/public/concerns/new", CONCERN).status_code == 200
        response = post_public(client, "/public/concerns/new", CONCERN)
        assert response.status_code == 429
        assert "You have sent a lot of reports in a short time" in response.text
        assert response.headers["retry-after"] == "3600"
        blocked = post_public(client, "/public/asb-case-review/new", application())
        assert blocked.status_code == 429
    assert _count(session, PublicConcern) == 2 and _count(session, AsbCaseReview) == 0
    session.expire_all()
    names = session.scalars(select(LedgerEntry.name)).all()
    assert names.count("public.submission_throttled") == 2


def test_rate_limit_counts_each_client_separately(
    session: Session, lead: Organisation, settings: Settings
) -> None:
    limited = settings.model_copy(update={"public_submissions_per_hour": 1})
    with TestClient(create_app(limited), client=("203.0.113.5", 5000)) as first:
        assert post_public(first, "/public/concerns/new", CONCERN).status_code == 200
        assert post_public(first, "/public/concerns/new", CONCERN).status_code == 429
    with TestClient(create_app(limited), client=("198.51.100.7", 5000)) as second:
        assert post_public(second, "/public/concerns/new", CONCERN).status_code == 200
    session.expire_all()
    digests = session.scalars(select(PublicRateEvent.client_digest)).all()
    assert all("203.0.113.5" not in d for d in digests)


def test_the_rate_limit_window_passes(
    session: Session, lead: Organisation, settings: Settings, frozen: FakeClock
) -> None:
    limited = settings.model_copy(update={"public_submissions_per_hour": 1})
    with TestClient(create_app(limited)) as client:
        assert post_public(client, "/public/concerns/new", CONCERN).status_code == 200
        assert post_public(client, "/public/concerns/new", CONCERN).status_code == 429
        frozen.advance(minutes=61)
        assert post_public(client, "/public/concerns/new", CONCERN).status_code == 200


def test_application_errors_cover_every_section(client: TestClient, apply: Submit) -> None:
    response = post_public(client, "/public/asb-case-review/new", {"action": "send"})
    assert response.status_code == 422
    summary = _summary(response.text)
    assert list(summary) == [
        "applicant_name",
        "applicant_email",
        "applying",
        "incidents-0-occurred-day",
        "incidents-0-what_happened",
        "incidents-0-reported_to",
        "impact",
    ]
    assert summary["applying"] == "Select who you are applying for"


def test_consent_is_required_when_applying_for_someone_else(
    client: TestClient, session: Session, apply: Submit
) -> None:
    response = apply(applying="other")
    assert response.status_code == 422
    summary = _summary(response.text)
    assert summary["victim_name"] == "Enter the name of the person you are applying for"
    assert summary["consent"] == "Confirm that the person agrees to you applying for them"
    assert _count(session, AsbCaseReview) == 0
    ok = apply(applying="other", victim_name="Alex Victim", consent="yes")
    assert ok.status_code == 200
    session.expire_all()
    review = session.scalars(select(AsbCaseReview)).one()
    assert review.on_behalf and review.consent_confirmed and review.victim_name == "Alex Victim"


def test_an_incident_reported_elsewhere_needs_the_body_named(apply: Submit) -> None:
    response = apply(1, **{"incidents-0-reported_to": "other"})
    assert _summary(response.text)["incidents-0-other_body"] == "Enter who you reported it to"


def test_adding_and_removing_incidents_needs_no_javascript(
    client: TestClient, apply: Submit
) -> None:
    data = application(1) | {"action": "add"}
    response = post_public(client, "/public/asb-case-review/new", data)
    assert response.status_code == 200 and "There is a problem" not in response.text
    assert "Incident 2" in response.text
    # What was typed is kept.
    assert "Stones thrown at my window, time 1" in response.text
    assert 'value="Jordan Applicant"' in response.text
    data = application(3) | {"action": "remove-1"}
    response = post_public(client, "/public/asb-case-review/new", data)
    assert "Incident 3" not in response.text
    assert "time 2" not in response.text and "time 3" in response.text


def test_application_is_stored_with_its_incidents_clocks_and_a_collection_event(
    session: Session, apply: Submit, lead: Organisation, frozen: FakeClock
) -> None:
    response = apply(3)
    assert response.status_code == 200
    reference, secret = receipt_of(response)
    assert reference.startswith("ACR-")
    assert "within 10 working days" in response.text
    session.expire_all()
    review = session.scalars(select(AsbCaseReview)).one()
    assert review.reference == reference and review.lead_organisation_id == lead.id
    assert [i.body_reference for i in review.incidents] == ["REF0", "REF1", "REF2"]
    assert str(review.acknowledge_due) == "2026-12-16"
    assert str(review.decision_due) == "2026-12-23"
    event = session.scalars(
        select(LedgerEntry).where(LedgerEntry.name == "asb_case_review.received")
    ).one()
    assert event.operation.value == "collection" and event.record_id == str(review.id)
    assert event.details["incidents_in_window"] == 3
    assert "Jordan" not in str(event.details)


def test_status_page_shows_the_stage_only_with_the_right_secret(
    client: TestClient, apply: Submit, session: Session
) -> None:
    reference, secret = receipt_of(apply())
    right = post_public(
        client, "/public/status", {"reference": reference.lower(), "secret": secret}
    )
    assert right.status_code == 200
    assert "We have received your application" in right.text
    assert "Guildford Borough Council" in right.text
    assert "Jordan" not in right.text and "Stones" not in right.text
    wrong_secret = post_public(
        client, "/public/status", {"reference": reference, "secret": "AAAA-AAAA"}
    )
    wrong_reference = post_public(
        client, "/public/status", {"reference": "ACR-2222-2222", "secret": secret}
    )
    assert wrong_secret.status_code == wrong_reference.status_code == 422
    body = re.compile(r"<main.*</main>", re.S)
    strip = re.compile(r'value="[^"]*"')
    assert strip.sub("", body.search(wrong_secret.text).group(0)) == strip.sub(  # type: ignore[union-attr]
        "",
        body.search(wrong_reference.text).group(0),  # type: ignore[union-attr]
    )
    assert (
        "We could not find a report or application with that reference and secret code"
        in wrong_secret.text
    )
    session.expire_all()
    checked = session.scalars(
        select(LedgerEntry).where(LedgerEntry.name == "public.status_checked")
    ).all()
    assert len(checked) == 1


def test_status_of_a_concern(client: TestClient, lead: Organisation) -> None:
    reference, secret = receipt_of(post_public(client, "/public/concerns/new", CONCERN))
    shown = post_public(client, "/public/status", {"reference": reference, "secret": secret})
    assert "Your report has been passed to Guildford Borough Council" in shown.text
    assert "Walnut Tree" not in shown.text and "Sam" not in shown.text


def test_auth1_wrong_status_attempts_are_throttled_like_sign_in(
    session: Session, lead: Organisation, settings: Settings
) -> None:
    strict = settings.model_copy(update={"public_status_attempts": 3})
    with TestClient(create_app(strict)) as client:
        reference, secret = receipt_of(post_public(client, "/public/concerns/new", CONCERN))
        for _ in range(3):
            wrong = post_public(
                client, "/public/status", {"reference": reference, "secret": "WRONG"}
            )
            assert wrong.status_code == 422
        blocked = post_public(client, "/public/status", {"reference": reference, "secret": secret})
        assert blocked.status_code == 429
        assert "Too many attempts" in blocked.text
    session.expire_all()
    assert "public.status_throttled" in session.scalars(select(LedgerEntry.name)).all()


def test_status_throttle_counts_per_reference_across_clients(
    session: Session, lead: Organisation, settings: Settings
) -> None:
    strict = settings.model_copy(update={"public_status_attempts": 2})
    with TestClient(create_app(strict), client=("203.0.113.9", 1)) as first:
        reference, _ = receipt_of(post_public(first, "/public/concerns/new", CONCERN))
        for _ in range(2):
            post_public(first, "/public/status", {"reference": reference, "secret": "WRONG"})
    with TestClient(create_app(strict), client=("198.51.100.2", 1)) as second:
        response = post_public(second, "/public/status", {"reference": reference, "secret": "X"})
        assert response.status_code == 429


def test_aud5_when_the_audit_write_fails_nothing_is_stored(
    session: Session, lead: Organisation, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    import joinedup.public.service as public_service

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("ledger unavailable")

    monkeypatch.setattr(public_service, "record", broken)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        response = post_public(client, "/public/concerns/new", CONCERN)
        assert response.status_code == 500
        assert "ledger unavailable" not in response.text and "Report sent" not in response.text
        assert post_public(client, "/public/asb-case-review/new", application()).status_code == 500
    assert _count(session, PublicConcern) == 0 and _count(session, Incident) == 0
    assert _count(session, AsbCaseReview) == 0 and _count(session, PublicRateEvent) == 0
