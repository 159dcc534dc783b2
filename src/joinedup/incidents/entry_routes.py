"""Recording an incident through the pages (partner practitioners and supervisors).

``/incidents/new`` asks what happened; then the people involved are added one at a time
(picked from the organisation's own records or created); "Check your answers" shows it all and
submitting records it through ``intake.record_incidents`` — the same write path as the API.

No JavaScript and nothing stored until the last step: the answers travel between the steps in
one signed hidden field (``incidents.entry``), re-checked at every step. Every step is a POST
(names never go in URLs, WEB-1) with the session's CSRF token.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from joinedup.access.actor import Actor
from joinedup.access.deps import ActorDep
from joinedup.auth.csrf import verify_csrf
from joinedup.common import clock
from joinedup.db import SessionDep
from joinedup.incidents import entry, entry_queries
from joinedup.incidents.entry import LONDON, Draft, DraftError
from joinedup.incidents.intake import Recorder, record_incidents, recorder_for
from joinedup.incidents.schemas import (
    IncidentIn,
    IncidentSource,
    IntakeStatus,
    InvolvementIn,
    InvolvementRole,
)
from joinedup.incidents.taxonomy import BY_CODE, CATEGORIES, Group
from joinedup.people.schemas import Gender, PersonSummary
from joinedup.web.templating import render

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)

GROUP_LABELS = {Group.CRIME: "Crime", Group.ASB: "Anti-social behaviour", Group.CONCERN: "Concern"}
_ATTEMPTS = 2


async def _form(request: Request) -> dict[str, str]:
    form = await request.form()
    return {
        key: value
        for key in form
        if key != "csrf_token" and isinstance(value := form.getlist(key)[-1], str)
    }


FormDep = Annotated[dict[str, str], Depends(_form)]


def _today() -> date:
    return clock.utc_now().astimezone(LONDON).date()


def _seal(request: Request, actor: Actor, draft: Draft) -> str:
    secret = request.app.state.settings.secret_key
    return entry.seal(draft, secret_key=secret, user_id=actor.user_id, now=clock.utc_now())


def _unseal(request: Request, actor: Actor, form: dict[str, str]) -> Draft:
    secret = request.app.state.settings.secret_key
    return entry.unseal(
        form.get("draft", ""), secret_key=secret, user_id=actor.user_id, now=clock.utc_now()
    )


def _restart(request: Request) -> HTMLResponse:
    return render(request, "incidents/new_restart.html", {}, 400)


# --- what happened --------------------------------------------------------------------------


def _category_groups() -> list[tuple[str, list[tuple[str, str]]]]:
    return [
        (GROUP_LABELS[g], [(c.code, c.label) for c in CATEGORIES if c.group is g]) for g in Group
    ]


def _details_page(
    request: Request,
    form: dict[str, str],
    errors: dict[str, str],
    sealed: str = "",
    status: int | None = None,
    return_to: str = "",
) -> HTMLResponse:
    context = {
        "form": form,
        "errors": errors,
        "groups": _category_groups(),
        "draft": sealed,
        "return_to": return_to,
    }
    return render(
        request, "incidents/new_details.html", context, status or (422 if errors else 200)
    )


@router.get("/incidents/new", response_class=HTMLResponse)
def new_incident_page(request: Request, actor: ActorDep) -> HTMLResponse:
    """Record an incident: what happened."""
    recorder_for(actor)
    return _details_page(request, {}, {})


@router.post("/incidents/new", response_class=HTMLResponse)
def new_incident_details(
    request: Request, session: SessionDep, actor: ActorDep, form: FormDep
) -> HTMLResponse:
    """Check what happened; then ask who was involved (or, when changing, check again)."""
    recorder_for(actor)
    draft = Draft()
    if form.get("draft"):
        try:
            draft = _unseal(request, actor, form)
        except DraftError:
            return _restart(request)
    raw = {k: form.get(k, "") for k in entry.DETAIL_FIELDS}
    item, errors = entry.parse_details(raw, today=_today())
    if item is not None and entry_queries.incident_reference_taken(session, actor, item.reference):
        errors = {"reference": _REFERENCE_USED}
    if item is None or errors:
        return_to = "check" if form.get("return_to") == "check" else ""
        return _details_page(request, raw, errors, form.get("draft", ""), return_to=return_to)
    draft.form = raw
    try:
        if form.get("return_to") == "check":
            return _check_page(request, session, actor, draft)
        return _people_page(request, session, actor, draft)
    except DraftError:
        return _restart(request)


_REFERENCE_USED = "Your organisation already has an incident with this reference"


# --- people involved ------------------------------------------------------------------------


def _name(p: PersonSummary) -> str:
    return " ".join(n for n in (p.first_name, p.surname) if n) or "Name not recorded"


def _people_rows(session: Session, actor: Actor, draft: Draft) -> list[dict[str, Any]]:
    involvements = [InvolvementIn.model_validate(p) for p in draft.people]
    known = entry_queries.own_people(
        session, actor, [i.person_id for i in involvements if i.person_id]
    )
    rows: list[dict[str, Any]] = []
    for index, inv in enumerate(involvements):
        if inv.person is not None:
            name = " ".join(n for n in (inv.person.first_name, inv.person.surname) if n)
            rows.append(
                {
                    "index": index,
                    "name": name or "Name not recorded",
                    "reference": inv.person.reference,
                    "date_of_birth": inv.person.date_of_birth,
                    "role": inv.role.label,
                    "kind": "New record",
                    "missing": False,
                }
            )
        else:
            found = known.get(inv.person_id) if inv.person_id else None
            rows.append(
                {
                    "index": index,
                    "name": _name(found) if found else "Record not found",
                    "reference": found.reference if found else "",
                    "date_of_birth": found.date_of_birth if found else None,
                    "role": inv.role.label,
                    "kind": "Existing record",
                    "missing": found is None,
                }
            )
    return rows


def _people_page(
    request: Request,
    session: Session,
    actor: Actor,
    draft: Draft,
    *,
    errors: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
    results: list[PersonSummary] | None = None,
    searched: bool = False,
) -> HTMLResponse:
    item = entry.build(draft, today=_today())
    context = {
        "draft": _seal(request, actor, draft),
        "item": item,
        "category_label": BY_CODE[item.category].label,
        "rows": _people_rows(session, actor, draft),
        "errors": errors or {},
        "form": form or {},
        "results": results or [],
        "searched": searched,
        "roles": list(InvolvementRole),
        "genders": list(Gender),
    }
    return render(request, "incidents/new_people.html", context, 422 if errors else 200)


def _search(
    session: Session, actor: Actor, text: str
) -> tuple[list[PersonSummary], dict[str, str]]:
    words, born = entry.search_terms(text)
    if len("".join(words)) < 2 and born is None:
        return [], {
            "search_text": "Enter at least 2 characters of a name or reference, "
            "or a date of birth like 17/5/1980"
        }
    return entry_queries.search_own_people(session, actor, words, born), {}


@router.post("/incidents/new/people", response_class=HTMLResponse)
def people_step(
    request: Request, session: SessionDep, actor: ActorDep, form: FormDep
) -> HTMLResponse:
    """Who was involved: the list so far and the ways to add a person."""
    recorder_for(actor)
    try:
        draft = _unseal(request, actor, form)
        return _people_page(request, session, actor, draft)
    except DraftError:
        return _restart(request)


@router.post("/incidents/new/people/search", response_class=HTMLResponse)
def search_people(
    request: Request, session: SessionDep, actor: ActorDep, form: FormDep
) -> HTMLResponse:
    """Search the organisation's own person records (name, reference or date of birth)."""
    recorder_for(actor)
    try:
        draft = _unseal(request, actor, form)
        text = form.get("search_text", "")[:100]
        results, errors = _search(session, actor, text)
        return _people_page(
            request,
            session,
            actor,
            draft,
            errors=errors,
            form={"search_text": text},
            results=results,
            searched=not errors,
        )
    except DraftError:
        return _restart(request)


@router.post("/incidents/new/people/pick", response_class=HTMLResponse)
def pick_person(
    request: Request, session: SessionDep, actor: ActorDep, form: FormDep
) -> HTMLResponse:
    """Add one of the organisation's own person records with a role."""
    recorder_for(actor)
    try:
        draft = _unseal(request, actor, form)
        text = form.get("search_text", "")[:100]
        involvement, errors = entry.parse_pick(form)
        if involvement is not None and involvement.person_id is not None:
            own = entry_queries.own_people(session, actor, [involvement.person_id])
            if involvement.person_id not in own:
                errors = {"pick_person": "Select a person your organisation holds"}
            elif problem := entry.add_person(draft, involvement):
                errors = {"pick_role": problem}
        if errors:
            results = _search(session, actor, text)[0] if text else []
            values = {
                "search_text": text,
                "pick_person": form.get("pick_person", ""),
                "pick_role": form.get("pick_role", ""),
            }
            return _people_page(
                request,
                session,
                actor,
                draft,
                errors=errors,
                form=values,
                results=results,
                searched=bool(text),
            )
        return _people_page(request, session, actor, draft)
    except DraftError:
        return _restart(request)


@router.post("/incidents/new/people/create", response_class=HTMLResponse)
def create_person(
    request: Request, session: SessionDep, actor: ActorDep, form: FormDep
) -> HTMLResponse:
    """Add a new person record (written with the incident) with a role."""
    recorder_for(actor)
    try:
        draft = _unseal(request, actor, form)
        involvement, errors = entry.parse_new_person(form, today=_today())
        if involvement is not None and involvement.person is not None:
            if entry_queries.person_reference_taken(session, actor, involvement.person.reference):
                errors = {
                    "new_reference": "Your organisation already holds a person with this "
                    "reference: search for them and add them instead"
                }
            elif problem := entry.add_person(draft, involvement):
                errors = {"new_reference": problem}
        if errors:
            values = {k: form.get(k, "") for k in entry.NEW_PERSON_FIELDS}
            return _people_page(request, session, actor, draft, errors=errors, form=values)
        return _people_page(request, session, actor, draft)
    except DraftError:
        return _restart(request)


@router.post("/incidents/new/people/remove", response_class=HTMLResponse)
def remove_person(
    request: Request, session: SessionDep, actor: ActorDep, form: FormDep
) -> HTMLResponse:
    """Take a person off the list."""
    recorder_for(actor)
    try:
        draft = _unseal(request, actor, form)
        entry.remove_person(draft, form.get("remove", ""))
        return _people_page(request, session, actor, draft)
    except DraftError:
        return _restart(request)


# --- check your answers and submit ----------------------------------------------------------


def _check_page(
    request: Request,
    session: Session,
    actor: Actor,
    draft: Draft,
    errors: dict[str, str] | None = None,
) -> HTMLResponse:
    item = entry.build(draft, today=_today())
    rows = _people_rows(session, actor, draft)
    errors = dict(errors or {})
    if any(r["missing"] for r in rows):
        errors.setdefault(
            "people", "A person you picked is no longer held by your organisation: remove them"
        )
    context = {
        "draft": _seal(request, actor, draft),
        "item": item,
        "category_label": BY_CODE[item.category].label,
        "rows": rows,
        "errors": errors,
    }
    return render(request, "incidents/new_check.html", context, 422 if errors else 200)


@router.post("/incidents/new/check", response_class=HTMLResponse)
def check_answers(
    request: Request, session: SessionDep, actor: ActorDep, form: FormDep
) -> HTMLResponse:
    """Check your answers before recording the incident."""
    recorder_for(actor)
    try:
        return _check_page(request, session, actor, _unseal(request, actor, form))
    except DraftError:
        return _restart(request)


@router.post("/incidents/new/change", response_class=HTMLResponse)
def change_answers(
    request: Request, session: SessionDep, actor: ActorDep, form: FormDep
) -> HTMLResponse:
    """Go back to a step from "Check your answers" with the answers kept."""
    recorder_for(actor)
    try:
        draft = _unseal(request, actor, form)
        if form.get("step") == "people":
            return _people_page(request, session, actor, draft)
        sealed = _seal(request, actor, draft)
        return _details_page(request, draft.form, {}, sealed, return_to="check")
    except DraftError:
        return _restart(request)


def _record(
    request: Request, session: Session, recorder: Recorder, item: IncidentIn
) -> tuple[IntakeStatus, uuid.UUID | None, str]:
    settings = request.app.state.settings
    for attempt in range(_ATTEMPTS):
        try:
            (result,) = record_incidents(
                session,
                recorder=recorder,
                items=[item],
                source=IncidentSource.PARTNER,
                h3_resolution=settings.h3_resolution,
            )
            field = result.errors[0].field if result.errors else ""
            return result.status, result.id, field
        except IntegrityError:
            # Two people recording one new reference (or person) at the same moment: try again
            # and find what the other wrote.
            if attempt == _ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


@router.post("/incidents/new/submit", response_model=None)
def submit_incident(
    request: Request, session: SessionDep, actor: ActorDep, form: FormDep
) -> Response:
    """Record the incident with its people (audited as collection); then confirm."""
    recorder = recorder_for(actor)
    try:
        draft = _unseal(request, actor, form)
        item = entry.build(draft, today=_today())
    except DraftError:
        return _restart(request)
    status, incident_id, field = _record(request, session, recorder, item)
    if status is IntakeStatus.CREATED:
        context = {"reference": item.reference, "incident_id": incident_id}
        return render(request, "incidents/new_done.html", context)
    if status is IntakeStatus.ALREADY_PRESENT or field == "reference":
        sealed = _seal(request, actor, draft)
        errors = {"reference": _REFERENCE_USED}
        return _details_page(request, draft.form, errors, sealed, status=409, return_to="check")
    # A picked person the organisation no longer holds (or an altered form).
    return _check_page(
        request,
        session,
        actor,
        draft,
        {"people": "A person you picked is not a record your organisation holds: remove them"},
    )


@router.get("/incidents/new/{step:path}", include_in_schema=False)
def step_by_address(actor: ActorDep, step: str) -> RedirectResponse:
    """A step's address opened directly (the answers travel in forms): start again."""
    return RedirectResponse("/incidents/new", status_code=303)
