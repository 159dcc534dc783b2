"""The public portal's pages (no sign-in) and the lead agency's ASB Case Review pages and API.

Public pages: ``/public`` (start), ``/public/concerns/new``, ``/public/asb-case-review/new``,
``/public/status``. Every form carries the anonymous double-submit CSRF token (WEB-1), a
honeypot field, and is rate limited per client (429 page).
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from joinedup.access.actor import Actor
from joinedup.access.deps import ActorDep
from joinedup.auth.csrf import verify_csrf
from joinedup.auth.pages import client_ip
from joinedup.common import clock as clock_module
from joinedup.common.errors import Conflict, ValidationFailed
from joinedup.config import Settings
from joinedup.db import SessionDep
from joinedup.public import forms, queries, service
from joinedup.public.errors import StatusThrottled, SubmissionsThrottled
from joinedup.public.rules import REVIEW_PREFIX
from joinedup.public.schemas import (
    MAX_INCIDENTS,
    ConcernIn,
    ConcernKind,
    DecisionIn,
    MeetingIn,
    OutcomeIn,
    ReportedTo,
    ReviewApplicationIn,
    ReviewDetail,
    ReviewSummary,
    StatusIn,
)
from joinedup.web.pages import record_id
from joinedup.web.templating import render

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)
api = APIRouter(
    prefix="/api/v1/asb-case-reviews",
    tags=["asb-case-reviews"],
    dependencies=[Depends(verify_csrf)],
)

CONCERN_LABELS = {
    "kind": "what is happening",
    "place": "where it is happening",
    "postcode": "the postcode",
    "occurred_on": "when it happened",
    "description": "what happened",
    "contact_name": "your name",
    "contact_email": "your email address",
    "contact_phone": "your phone number",
}
CONCERN_ORDER = (
    "kind",
    "place",
    "postcode",
    "occurred",
    "description",
    "contact_name",
    "contact_email",
    "contact_phone",
)
REVIEW_LABELS = {
    "applicant_name": "your full name",
    "applicant_email": "your email address",
    "applicant_phone": "your phone number",
    "applying": "who you are applying for",
    "victim_name": "the name of the person you are applying for",
    "consent": "that the person agrees",
    "incidents": "at least one incident you reported",
    "occurred_on": "the date of the incident",
    "what_happened": "what happened",
    "reported_to": "who you reported it to",
    "other_body": "who you reported it to",
    "body_reference": "the reference",
    "impact": "how the behaviour has affected you",
}
STAFF_LABELS = {
    "threshold_met": "whether the threshold is met",
    "reason": "the reason",
    "meeting_on": "the date of the meeting",
    "outcome": "the outcome",
    "recommendations": "the recommendations",
}


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def _form(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}


_INCIDENT_PARTS = ("occurred", "what_happened", "reported_to", "other_body", "body_reference")


def _ordered(errors: dict[str, str], order: tuple[str, ...]) -> dict[str, str]:
    """Errors in the order the fields appear on the page (the error summary's order)."""

    def position(key: str) -> tuple[int, int, int]:
        if key.startswith("incidents-") and key.count("-") >= 2:
            _, index, part = key.split("-", 2)
            sub = _INCIDENT_PARTS.index(part) if part in _INCIDENT_PARTS else 9
            return (order.index("incidents") if "incidents" in order else 99, int(index), sub)
        return (order.index(key) if key in order else len(order), 0, 0)

    return {k: errors[k] for k in sorted(errors, key=position)}


def _too_many(request: Request, retry_after: int, status_page: bool = False) -> HTMLResponse:
    response = render(
        request,
        "public/too_many.html",
        {"status_page": status_page, "minutes": retry_after // 60},
        429,
    )
    response.headers["Retry-After"] = str(retry_after)
    return response


# --- public pages ----------------------------------------------------------------------------


@router.get("/public", response_class=HTMLResponse)
def start_page(request: Request) -> HTMLResponse:
    """What the public can do here."""
    return render(request, "public/start.html", {})


def _concern_page(
    request: Request, values: dict[str, str], errors: dict[str, str], status: int = 200
) -> HTMLResponse:
    context = {"values": values, "errors": errors, "kinds": list(ConcernKind)}
    return render(request, "public/concern_form.html", context, status)


@router.get("/public/concerns/new", response_class=HTMLResponse)
def concern_form(request: Request) -> HTMLResponse:
    """Report a concern: one page with an error summary."""
    return _concern_page(request, {}, {})


@router.post("/public/concerns/new", response_model=None)
async def concern_submit(request: Request, session: SessionDep) -> Response:
    """Check the report; record it as the lead agency's incident; show reference and code."""
    values = await _form(request)
    settings = _settings(request)
    try:
        if forms.honeypot_filled(values):
            receipt = service.discard_bot_submission(
                session=session, settings=settings, client=client_ip(request)
            )
            return render(request, "public/concern_done.html", {"receipt": receipt})
        occurred, date_error = forms.date_from(values, "occurred", "the date it happened")
        data: dict[str, Any] = {
            k: values.get(k, "") for k in CONCERN_LABELS if k != "occurred_on" and values.get(k)
        }
        if occurred is not None:
            data["occurred_on"] = occurred
        concern, errors = forms.validate(
            ConcernIn, data, CONCERN_LABELS, {"occurred_on": "occurred"}
        )
        if date_error:
            errors["occurred"] = date_error
        if concern is None:
            return _concern_page(request, values, _ordered(errors, CONCERN_ORDER), 422)
        receipt = service.submit_concern(
            session=session, settings=settings, concern_in=concern, client=client_ip(request)
        )
    except ValidationFailed as exc:
        return _concern_page(request, values, _ordered(exc.errors, CONCERN_ORDER), 422)
    except SubmissionsThrottled as exc:
        return _too_many(request, exc.retry_after)
    return render(request, "public/concern_done.html", {"receipt": receipt})


REVIEW_ORDER = (
    "applicant_name",
    "applicant_email",
    "applicant_phone",
    "applying",
    "victim_name",
    "consent",
    "incidents",
    "impact",
)


def _review_page(
    request: Request,
    values: dict[str, str],
    rows: list[dict[str, str]],
    errors: dict[str, str],
    status: int = 200,
) -> HTMLResponse:
    context = {
        "values": values,
        "rows": rows or [dict.fromkeys(forms.INCIDENT_FIELDS, "")],
        "errors": errors,
        "bodies": list(ReportedTo),
        "max_incidents": MAX_INCIDENTS,
    }
    return render(request, "public/review_form.html", context, status)


@router.get("/public/asb-case-review/new", response_class=HTMLResponse)
def review_form(request: Request) -> HTMLResponse:
    """Apply for an ASB Case Review."""
    return _review_page(request, {}, [], {})


def _review_data(
    values: dict[str, str], rows: list[dict[str, str]]
) -> tuple[dict[str, Any], dict[str, str]]:
    errors: dict[str, str] = {}
    incidents = []
    for index, row in enumerate(rows):
        occurred, date_error = forms.date_from(row, "occurred", "the date of the incident")
        if date_error:
            errors[f"incidents-{index}-occurred"] = date_error
        item: dict[str, Any] = {
            k: row[k]
            for k in ("what_happened", "reported_to", "other_body", "body_reference")
            if row[k]
        }
        if occurred is not None:
            item["occurred_on"] = occurred
        incidents.append(item)
    data: dict[str, Any] = {
        k: values[k]
        for k in (
            "applicant_name",
            "applicant_email",
            "applicant_phone",
            "applying",
            "victim_name",
            "impact",
        )
        if values.get(k)
    }
    data["consent"] = values.get("consent") == "yes"
    data["incidents"] = incidents
    return data, errors


def _who_problems(values: dict[str, str]) -> dict[str, str]:
    """The checks that span fields, on the raw form, so one page shows every problem."""
    errors: dict[str, str] = {}
    if (
        not values.get("applicant_email", "").strip()
        and not values.get("applicant_phone", "").strip()
    ):
        errors["applicant_email"] = "Enter an email address or a phone number so we can reply"
    if values.get("applying") == "other":
        if len(values.get("victim_name", "").strip()) < 2:
            errors["victim_name"] = "Enter the name of the person you are applying for"
        if values.get("consent") != "yes":
            errors["consent"] = "Confirm that the person agrees to you applying for them"
    return errors


def _row_action(action: str, rows: list[dict[str, str]]) -> list[dict[str, str]] | None:
    """The rows after "Add another incident" or "Remove", or ``None`` for a submission."""
    if action == "add":
        if len(rows) < MAX_INCIDENTS:
            rows.append(dict.fromkeys(forms.INCIDENT_FIELDS, ""))
        return rows
    if action.startswith("remove-") and action[7:].isdigit():
        index = int(action[7:])
        if 0 <= index < len(rows) and len(rows) > 1:
            rows.pop(index)
        return rows
    return None


@router.post("/public/asb-case-review/new", response_model=None)
async def review_submit(request: Request, session: SessionDep) -> Response:
    """Add or remove an incident row (no JavaScript needed), or check and send the application."""
    values = await _form(request)
    rows = forms.incident_rows(values) or [dict.fromkeys(forms.INCIDENT_FIELDS, "")]
    changed = _row_action(values.get("action", ""), rows)
    if changed is not None:
        return _review_page(request, values, changed, {})
    settings = _settings(request)
    try:
        if forms.honeypot_filled(values):
            receipt = service.discard_bot_submission(
                session=session,
                settings=settings,
                client=client_ip(request),
                prefix=REVIEW_PREFIX,
            )
            return render(request, "public/review_done.html", {"receipt": receipt})
        data, errors = _review_data(values, rows)
        application, problems = forms.validate(
            ReviewApplicationIn, data, REVIEW_LABELS, {"occurred_on": "occurred"}
        )
        errors = {**_who_problems(values), **problems, **errors}
        if application is None or errors:
            if application is not None:
                # Field shapes are right; show the remaining checks as well.
                errors = {
                    **service.application_problems(application, clock_module.utc_now()),
                    **errors,
                }
            return _review_page(request, values, rows, _ordered(errors, REVIEW_ORDER), 422)
        receipt = service.apply_for_review(
            session=session,
            settings=settings,
            application_in=application,
            client=client_ip(request),
        )
    except ValidationFailed as exc:
        return _review_page(request, values, rows, _ordered(exc.errors, REVIEW_ORDER), 422)
    except SubmissionsThrottled as exc:
        return _too_many(request, exc.retry_after)
    return render(request, "public/review_done.html", {"receipt": receipt})


@router.get("/public/status", response_class=HTMLResponse)
def status_form(request: Request) -> HTMLResponse:
    """Check progress with the tracking reference and the secret code."""
    return render(request, "public/status_form.html", {"values": {}, "errors": {}})


NOT_FOUND_MESSAGE = (
    "We could not find a report or application with that reference and secret code. "
    "Check both and try again"
)


@router.post("/public/status", response_model=None)
async def status_submit(request: Request, session: SessionDep) -> Response:
    """The status for the right reference and code; one answer for every wrong pair."""
    values = await _form(request)
    status_in, errors = forms.validate(
        StatusIn,
        {k: values.get(k, "") for k in ("reference", "secret")},
        {"reference": "your tracking reference", "secret": "your secret code"},
    )
    shown = {"reference": values.get("reference", "")[:40]}
    if status_in is None:
        return render(request, "public/status_form.html", {"values": shown, "errors": errors}, 422)
    try:
        found = service.check_status(
            session=session,
            settings=_settings(request),
            status_in=status_in,
            client=client_ip(request),
        )
    except StatusThrottled as exc:
        return _too_many(request, exc.retry_after, status_page=True)
    if found is None:
        errors = {"reference": NOT_FOUND_MESSAGE}
        return render(request, "public/status_form.html", {"values": shown, "errors": errors}, 422)
    return render(request, "public/status.html", {"status": found})


# --- the lead agency's pages -----------------------------------------------------------------


def _reviews(session: SessionDep, actor: Actor, request: Request) -> list[ReviewSummary]:
    return queries.list_reviews(session, actor, _settings(request))


@router.get("/asb-case-reviews", response_class=HTMLResponse)
def reviews_page(request: Request, session: SessionDep, actor: ActorDep) -> HTMLResponse:
    """ASB Case Review applications made to my organisation, with their statutory clocks."""
    reviews = _reviews(session, actor, request)
    return render(request, "public/reviews.html", {"reviews": reviews})


def _detail_page(
    request: Request,
    session: SessionDep,
    actor: Actor,
    rid: uuid.UUID,
    errors: dict[str, str],
    status: int = 200,
) -> HTMLResponse:
    review = queries.review_detail(session, actor, rid, _settings(request))
    context = {"review": review, "errors": errors, "today": queries.today()}
    return render(request, "public/review.html", context, status)


@router.get("/asb-case-reviews/{review_id}", response_class=HTMLResponse)
def review_page(
    request: Request, session: SessionDep, actor: ActorDep, review_id: str
) -> HTMLResponse:
    """One application: the applicant's account, the threshold, the clocks and the actions."""
    return _detail_page(request, session, actor, record_id(review_id), {})


async def _step(
    request: Request, session: SessionDep, actor: Actor, review_id: str, step: str
) -> Response:
    rid = record_id(review_id)
    values = await _form(request)
    settings = _settings(request)
    try:
        if step == "acknowledge":
            service.acknowledge(session=session, actor=actor, review_id=rid)
        elif step == "threshold":
            decision, errors = forms.validate(DecisionIn, _present(values), STAFF_LABELS)
            if decision is None:
                return _detail_page(request, session, actor, rid, errors, 422)
            service.decide_threshold(
                session=session, actor=actor, review_id=rid, decision_in=decision, settings=settings
            )
        elif step == "meeting":
            day, date_error = forms.date_from(values, "meeting_on", "the date of the meeting")
            if day is None:
                return _detail_page(
                    request, session, actor, rid, {"meeting_on": date_error or ""}, 422
                )
            service.schedule_meeting(
                session=session, actor=actor, review_id=rid, meeting_in=MeetingIn(meeting_on=day)
            )
        else:
            outcome, errors = forms.validate(OutcomeIn, _present(values), STAFF_LABELS)
            if outcome is None:
                return _detail_page(request, session, actor, rid, errors, 422)
            service.record_outcome(session=session, actor=actor, review_id=rid, outcome_in=outcome)
    except ValidationFailed as exc:
        return _detail_page(request, session, actor, rid, exc.errors, 422)
    except Conflict as exc:
        return _detail_page(request, session, actor, rid, {"form": exc.message}, 409)
    return RedirectResponse(f"/asb-case-reviews/{rid}", status_code=303)


def _present(values: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in values.items() if v != "" and k != "action"}


@router.post("/asb-case-reviews/{review_id}/acknowledge", response_model=None)
async def acknowledge(
    request: Request, session: SessionDep, actor: ActorDep, review_id: str
) -> Response:
    """Record that the application has been acknowledged."""
    return await _step(request, session, actor, review_id, "acknowledge")


@router.post("/asb-case-reviews/{review_id}/threshold", response_model=None)
async def threshold(
    request: Request, session: SessionDep, actor: ActorDep, review_id: str
) -> Response:
    """Record the threshold decision: met, or not met with the reason."""
    return await _step(request, session, actor, review_id, "threshold")


@router.post("/asb-case-reviews/{review_id}/meeting", response_model=None)
async def meeting(
    request: Request, session: SessionDep, actor: ActorDep, review_id: str
) -> Response:
    """Record the date of the review meeting."""
    return await _step(request, session, actor, review_id, "meeting")


@router.post("/asb-case-reviews/{review_id}/outcome", response_model=None)
async def outcome(
    request: Request, session: SessionDep, actor: ActorDep, review_id: str
) -> Response:
    """Record the outcome and the recommendations."""
    return await _step(request, session, actor, review_id, "outcome")


@router.get("/public-concerns", response_class=HTMLResponse)
def concerns_page(request: Request, session: SessionDep, actor: ActorDep) -> HTMLResponse:
    """Concerns the public reported to my organisation, with the reporters' contact details."""
    concerns = queries.list_concerns(session, actor, _settings(request))
    return render(request, "public/concerns.html", {"concerns": concerns})


@api.get("", response_model=list[ReviewSummary])
def list_api(request: Request, session: SessionDep, actor: ActorDep) -> list[ReviewSummary]:
    """ASB Case Review applications made to the caller's organisation, with their next clock."""
    return _reviews(session, actor, request)


@api.get("/{review_id}", response_model=ReviewDetail)
def detail_api(
    request: Request, session: SessionDep, actor: ActorDep, review_id: str
) -> ReviewDetail:
    """One application (audited as a consultation)."""
    return queries.review_detail(session, actor, record_id(review_id), _settings(request))
