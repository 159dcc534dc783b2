"""Incident pages and the incidents API: both call the same query functions."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Header, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from joinedup.access import purposes
from joinedup.access.deps import ActorDep
from joinedup.access.purposes import PURPOSE_HEADER, PURPOSE_TEXT_HEADER
from joinedup.agreements.schemas import Purpose
from joinedup.auth.csrf import verify_csrf
from joinedup.common.errors import NotFound
from joinedup.common.pagination import PageOut
from joinedup.db import SessionDep
from joinedup.incidents import queries
from joinedup.incidents.imports import IMPORT_ROLES
from joinedup.incidents.intake import may_record
from joinedup.incidents.queries import ClinicalIncidentDetail, IncidentDetail
from joinedup.incidents.schemas import IncidentSummary
from joinedup.incidents.taxonomy import BY_CODE, CATEGORIES
from joinedup.web.pages import record_id
from joinedup.web.templating import render

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)
api = APIRouter(prefix="/api/v1/incidents", tags=["incidents"], dependencies=[Depends(verify_csrf)])

RECORD_TYPE = "incident"
PurposeHeader = Annotated[str | None, Header(alias=PURPOSE_HEADER)]
PurposeTextHeader = Annotated[str | None, Header(alias=PURPOSE_TEXT_HEADER)]
CategoryQuery = Annotated[str | None, Query(max_length=40, description="A category code")]


def _category(code: str | None) -> str | None:
    if not code:
        return None
    if code not in BY_CODE:
        raise NotFound("No such category")
    return code


@router.get("/incidents", response_class=HTMLResponse)
def incidents_page(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    page: Annotated[int, Query(ge=1)] = 1,
    category: CategoryQuery = None,
) -> HTMLResponse:
    """Incidents I may see, newest first."""
    chosen = _category(category)
    context = {
        "result": queries.list_for(session, actor, page, chosen),
        "counts": queries.counts_by_category(session, actor),
        "categories": CATEGORIES,
        "category": chosen,
        "may_record": may_record(actor),
        "may_import": actor.role in IMPORT_ROLES,
    }
    return render(request, "incidents/list.html", context)


def _purpose_page(
    request: Request, incident_id: uuid.UUID, form: dict[str, str], errors: dict[str, str]
) -> HTMLResponse:
    context = {
        "action": f"/incidents/{incident_id}/purpose",
        "back": "/incidents",
        "purposes": list(Purpose),
        "form": form,
        "errors": errors,
    }
    return render(request, "access/purpose.html", context, 422 if errors else 200)


@router.get("/incidents/{incident_id}", response_class=HTMLResponse)
def incident_page(
    request: Request, session: SessionDep, actor: ActorDep, incident_id: str
) -> HTMLResponse:
    """One incident with where it happened and who was involved, after the reader says why."""
    iid = record_id(incident_id)
    stated = purposes.live(session, actor, RECORD_TYPE, iid) or purposes.live_for_any(
        session, actor, "person_record", queries.involved_record_ids(session, iid)
    )
    if stated is None:
        if not queries.exists_for(session, actor, iid):
            raise NotFound()
        return _purpose_page(request, iid, {}, {})
    incident = queries.detail(session, actor, iid, stated=stated)
    return render(request, "incidents/detail.html", {"incident": incident, "stated": stated})


@router.post("/incidents/{incident_id}/purpose", response_model=None)
def declare_purpose(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    incident_id: str,
    purpose: Annotated[str, Form()] = "",
    justification: Annotated[str, Form()] = "",
) -> Response:
    """Record why the reader opens this incident, then show it."""
    iid = record_id(incident_id)
    if not queries.exists_for(session, actor, iid):
        raise NotFound()
    errors = purposes.declare_from_form(
        session=session,
        actor=actor,
        record_type=RECORD_TYPE,
        record_id=iid,
        code=purpose,
        text=justification,
    )
    if errors:
        form = {"purpose": purpose, "justification": justification}
        return _purpose_page(request, iid, form, errors)
    return RedirectResponse(f"/incidents/{iid}", status_code=303)


@api.get("", response_model=PageOut[IncidentSummary])
def list_incidents(
    session: SessionDep,
    actor: ActorDep,
    page: Annotated[int, Query(ge=1)] = 1,
    category: CategoryQuery = None,
) -> PageOut[IncidentSummary]:
    """Incidents the caller's organisation holds, newest first."""
    return PageOut[IncidentSummary].of(queries.list_for(session, actor, page, _category(category)))


@api.get("/{incident_id}", response_model=ClinicalIncidentDetail | IncidentDetail)
def get_incident(
    session: SessionDep,
    actor: ActorDep,
    incident_id: str,
    purpose: PurposeHeader = None,
    purpose_text: PurposeTextHeader = None,
) -> IncidentDetail:
    """One incident (audited as consultation); needs a purpose header (AUD-2), else 428.

    ``clinical_notes`` is present only for the holder's clinical staff (AC-2)."""
    iid = record_id(incident_id)
    stated = purposes.parse(purpose, purpose_text)
    return queries.detail(session, actor, iid, stated=stated)
