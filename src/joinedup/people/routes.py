"""Person pages and the people API: both call the same query functions.

Opening a person record needs a purpose (AUD-2): the page asks for one and keeps it for 30
minutes; the API reads it from the ``X-JoinedUp-Purpose`` header and answers 428 without it.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Header, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from joinedup.access import purposes, signposts
from joinedup.access import service as access_service
from joinedup.access.actor import Actor
from joinedup.access.context import load_context
from joinedup.access.deps import ActorDep
from joinedup.access.purposes import PURPOSE_HEADER, PURPOSE_TEXT_HEADER, StatedPurpose
from joinedup.agreements.schemas import Purpose
from joinedup.auth.csrf import verify_csrf
from joinedup.common.errors import NotFound, ValidationFailed
from joinedup.common.pagination import PageOut
from joinedup.db import SessionDep
from joinedup.linkage import charts
from joinedup.linkage import review as link_review
from joinedup.linkage.realtime import DEFAULT_THRESHOLD_AUTO
from joinedup.people import queries, service
from joinedup.people.queries import PersonProfile
from joinedup.people.schemas import PersonIn, PersonOut, PersonSummary
from joinedup.web.pages import record_id
from joinedup.web.templating import render

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)
api = APIRouter(prefix="/api/v1/people", tags=["people"], dependencies=[Depends(verify_csrf)])

RECORD_TYPE = "person_record"
PurposeHeader = Annotated[str | None, Header(alias=PURPOSE_HEADER)]
PurposeTextHeader = Annotated[str | None, Header(alias=PURPOSE_TEXT_HEADER)]


class SearchIn(BaseModel):
    """A name or reference search (sent in the body: names never go in URLs, WEB-1)."""

    text: str = Field(min_length=2, max_length=100)


@router.get("/people", response_class=HTMLResponse)
def people_page(
    request: Request, session: SessionDep, actor: ActorDep, page: Annotated[int, Query(ge=1)] = 1
) -> HTMLResponse:
    """People my organisation holds or may see under an agreement."""
    return render(request, "people/list.html", {"result": queries.list_for(session, actor, page)})


@router.post("/people/search", response_class=HTMLResponse)
def search_page(
    request: Request, session: SessionDep, actor: ActorDep, text: Annotated[str, Form()] = ""
) -> HTMLResponse:
    """Search people I may see by name or reference."""
    errors: dict[str, str] = {}
    results: list[PersonSummary] = []
    if len(text.strip()) < 2:
        errors["text"] = "Enter at least 2 characters of a name or reference"
    else:
        results = queries.search(session, actor, text)
    status = 422 if errors else 200
    context = {"text": text, "results": results, "errors": errors, "searched": not errors}
    return render(request, "people/search.html", context, status)


def _purpose_page(
    request: Request, person_id: uuid.UUID, form: dict[str, str], errors: dict[str, str]
) -> HTMLResponse:
    context = {
        "action": f"/people/{person_id}/purpose",
        "back": "/people",
        "purposes": list(Purpose),
        "form": form,
        "errors": errors,
    }
    return render(request, "access/purpose.html", context, 422 if errors else 200)


def _detail(
    request: Request, session: Session, actor: Actor, person_id: uuid.UUID, reveal: bool
) -> HTMLResponse:
    stated = purposes.live(session, actor, RECORD_TYPE, person_id)
    if stated is None:
        if not queries.exists_for(session, actor, person_id):
            raise NotFound()
        return _purpose_page(request, person_id, {}, {})
    ctx = load_context(session, actor, stated.purpose.value)
    profile = queries.profile(
        session, actor, person_id, stated=stated, reveal_address=reveal, ctx=ctx
    )
    context = {
        "profile": profile,
        "stated": stated,
        "signposts": signposts.shown(session, ctx, person_id),
        "may_reveal": profile.person.address_masked
        and profile.own_record
        and queries.may_reveal_role(actor),
        "revealed": reveal,
        "linked": _linked_records(request, session, actor, person_id),
    }
    return render(request, "people/detail.html", context)


def _linked_records(
    request: Request, session: Session, actor: Actor, person_id: uuid.UUID
) -> dict[str, object] | None:
    """The "Linked records" section: only for those who review links (LNK-1)."""
    if not link_review.may_review(actor):
        return None
    try:
        decisions = link_review.decisions_for(session, actor, person_id)
    except NotFound:
        return None

    def figure(evidence: list[dict[str, object]], chart_id: str) -> charts.Figure:
        return charts.figure(evidence, chart_id, DEFAULT_THRESHOLD_AUTO)

    return {
        "decisions": decisions,
        "figure": figure,
        "percent": charts.percent,
        "undone": request.query_params.get("link_undone") == "1",
    }


@router.get("/people/{person_id}", response_class=HTMLResponse)
def person_page(
    request: Request, session: SessionDep, actor: ActorDep, person_id: str
) -> HTMLResponse:
    """One person record with its incidents, after the reader has said why (AUD-2)."""
    return _detail(request, session, actor, record_id(person_id), reveal=False)


@router.post("/people/{person_id}/purpose", response_model=None)
def declare_purpose(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    person_id: str,
    purpose: Annotated[str, Form()] = "",
    justification: Annotated[str, Form()] = "",
) -> Response:
    """Record why the reader opens this record, then show it."""
    pid = record_id(person_id)
    if not queries.exists_for(session, actor, pid):
        raise NotFound()
    errors = purposes.declare_from_form(
        session=session,
        actor=actor,
        record_type=RECORD_TYPE,
        record_id=pid,
        code=purpose,
        text=justification,
    )
    if errors:
        form = {"purpose": purpose, "justification": justification}
        return _purpose_page(request, pid, form, errors)
    return RedirectResponse(f"/people/{pid}", status_code=303)


@router.post("/people/{person_id}/reveal-address", response_class=HTMLResponse)
def reveal_address(
    request: Request, session: SessionDep, actor: ActorDep, person_id: str
) -> HTMLResponse:
    """Show a confidential address for this response only (audited, SHR-5)."""
    pid = record_id(person_id)
    if purposes.live(session, actor, RECORD_TYPE, pid) is None:
        raise NotFound()
    return _detail(request, session, actor, pid, reveal=True)


def _signpost_target(
    session: Session, actor: Actor, pid: uuid.UUID, number: int, *, held_here: bool = False
) -> tuple[StatedPurpose, uuid.UUID]:
    """The signpost's record; ``held_here``: only a record the holder keeps on the platform
    (a signpost matched on encodings has none to open in an emergency)."""
    stated = purposes.live(session, actor, RECORD_TYPE, pid)
    if stated is None:
        raise NotFound()
    ctx = load_context(session, actor, stated.purpose.value)
    for target in signposts.targets(session, ctx, pid):
        if target.signpost.number == number:
            if held_here and target.signpost.matched_on_encodings:
                break
            return stated, target.record_id
    raise NotFound()


def _signpost_or_404(session: Session, actor: Actor, pid: uuid.UUID, number: int) -> StatedPurpose:
    return _signpost_target(session, actor, pid, number)[0]


@router.get("/people/{person_id}/known-to/{number}/break-glass", response_model=None)
def break_glass_from_signpost(
    session: SessionDep, actor: ActorDep, person_id: str, number: int
) -> Response:
    """Go to the emergency-access page for the record a signpost points at (SHR-2)."""
    _stated, target = _signpost_target(session, actor, record_id(person_id), number, held_here=True)
    return RedirectResponse(f"/people/{target}/break-glass", status_code=303)


@router.get("/people/{person_id}/known-to/{number}/request", response_class=HTMLResponse)
def request_access_page(
    request: Request, session: SessionDep, actor: ActorDep, person_id: str, number: int
) -> HTMLResponse:
    """Ask the organisation a person is known to for access to its record."""
    pid = record_id(person_id)
    stated = _signpost_or_404(session, actor, pid, number)
    form = {"purpose": stated.purpose.value, "justification": ""}
    return _request_page(request, pid, number, form, {})


def _request_page(
    request: Request, pid: uuid.UUID, number: int, form: dict[str, str], errors: dict[str, str]
) -> HTMLResponse:
    context = {
        "action": f"/people/{pid}/known-to/{number}/request",
        "back": f"/people/{pid}",
        "purposes": list(Purpose),
        "form": form,
        "errors": errors,
    }
    return render(request, "access/request.html", context, 422 if errors else 200)


@router.post("/people/{person_id}/known-to/{number}/request", response_model=None)
def request_access(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    person_id: str,
    number: int,
    purpose: Annotated[str, Form()] = "",
    justification: Annotated[str, Form()] = "",
) -> Response:
    """Send the access request to the holding organisation (it stays pending until decided)."""
    pid = record_id(person_id)
    _signpost_or_404(session, actor, pid, number)
    try:
        stated = purposes.validate_form(purpose, justification)
        if not stated.justification:
            raise ValidationFailed({"justification": "Explain why you need to see this record"})
    except ValidationFailed as exc:
        form = {"purpose": purpose, "justification": justification}
        return _request_page(request, pid, number, form, exc.errors)
    access_service.request_access(
        session=session, actor=actor, person_id=pid, signpost_number=number, stated=stated
    )
    return RedirectResponse("/sharing/my-requests", status_code=303)


@api.get("", response_model=PageOut[PersonSummary])
def list_people(
    session: SessionDep, actor: ActorDep, page: Annotated[int, Query(ge=1)] = 1
) -> PageOut[PersonSummary]:
    """Person records the caller may see (addresses masked where they may not)."""
    return PageOut[PersonSummary].of(queries.list_for(session, actor, page))


@api.post("/search", response_model=list[PersonSummary])
def search_people(session: SessionDep, actor: ActorDep, body: SearchIn) -> list[PersonSummary]:
    """Search person records by name or reference."""
    return queries.search(session, actor, body.text)


@api.get("/{person_id}", response_model=PersonProfile)
def get_person(
    session: SessionDep,
    actor: ActorDep,
    person_id: str,
    purpose: PurposeHeader = None,
    purpose_text: PurposeTextHeader = None,
) -> PersonProfile:
    """One person record with its incidents; needs a purpose header (AUD-2), else 428."""
    pid = record_id(person_id)
    stated = purposes.parse(purpose, purpose_text)
    return queries.profile(session, actor, pid, stated=stated)


@api.get("/{person_id}/known-to", response_model=list[signposts.Signpost])
def get_signposts(
    session: SessionDep,
    actor: ActorDep,
    person_id: str,
    purpose: PurposeHeader = None,
    purpose_text: PurposeTextHeader = None,
) -> list[signposts.Signpost]:
    """Organisations this person is known to (existence only); needs a purpose header."""
    pid = record_id(person_id)
    stated = purposes.parse(purpose, purpose_text)
    if not queries.exists_for(session, actor, pid):
        raise NotFound()
    return signposts.shown(session, load_context(session, actor, stated.purpose.value), pid)


class AccessRequestIn(BaseModel):
    """Why the caller needs to see a signposted record."""

    model_config = ConfigDict(extra="forbid")

    purpose: Purpose
    justification: str = Field(min_length=1, max_length=500)


class AccessRequestOut(BaseModel):
    """The pending request's id."""

    id: uuid.UUID


@api.post(
    "/{person_id}/known-to/{number}/request", response_model=AccessRequestOut, status_code=201
)
def post_access_request(
    session: SessionDep, actor: ActorDep, person_id: str, number: int, body: AccessRequestIn
) -> AccessRequestOut:
    """Ask the holder of signpost ``number`` for access (pending until it decides)."""
    stated = StatedPurpose(body.purpose, body.justification.strip())
    req = access_service.request_access(
        session=session,
        actor=actor,
        person_id=record_id(person_id),
        signpost_number=number,
        stated=stated,
    )
    return AccessRequestOut(id=req.id)


@api.post("", response_model=PersonOut, status_code=201)
def create_person(session: SessionDep, actor: ActorDep, body: PersonIn) -> PersonOut:
    """Record a person held by the caller's organisation."""
    return service.create(session=session, actor=actor, person_in=body)


@api.put("/{person_id}", response_model=PersonOut)
def update_person(
    session: SessionDep, actor: ActorDep, person_id: str, body: PersonIn
) -> PersonOut:
    """Replace the fields of a person record the caller's organisation holds."""
    return service.update(
        session=session, actor=actor, person_id=record_id(person_id), person_in=body
    )
