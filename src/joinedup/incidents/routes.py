"""Incident pages and the incidents API: both call the same query functions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from joinedup.access.deps import ActorDep
from joinedup.auth.csrf import verify_csrf
from joinedup.common.errors import NotFound
from joinedup.common.pagination import PageOut
from joinedup.db import SessionDep
from joinedup.incidents import queries
from joinedup.incidents.queries import IncidentDetail
from joinedup.incidents.schemas import IncidentSummary
from joinedup.incidents.taxonomy import BY_CODE, CATEGORIES
from joinedup.web.pages import record_id
from joinedup.web.templating import render

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)
api = APIRouter(prefix="/api/v1/incidents", tags=["incidents"], dependencies=[Depends(verify_csrf)])

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
    """Incidents my organisation holds, newest first."""
    chosen = _category(category)
    context = {
        "result": queries.list_for(session, actor, page, chosen),
        "counts": queries.counts_by_category(session, actor),
        "categories": CATEGORIES,
        "category": chosen,
    }
    return render(request, "incidents/list.html", context)


@router.get("/incidents/{incident_id}", response_class=HTMLResponse)
def incident_page(
    request: Request, session: SessionDep, actor: ActorDep, incident_id: str
) -> HTMLResponse:
    """One incident with where it happened and who was involved."""
    incident = queries.detail(session, actor, record_id(incident_id))
    return render(request, "incidents/detail.html", {"incident": incident})


@api.get("", response_model=PageOut[IncidentSummary])
def list_incidents(
    session: SessionDep,
    actor: ActorDep,
    page: Annotated[int, Query(ge=1)] = 1,
    category: CategoryQuery = None,
) -> PageOut[IncidentSummary]:
    """Incidents the caller's organisation holds, newest first."""
    return PageOut[IncidentSummary].of(queries.list_for(session, actor, page, _category(category)))


@api.get("/{incident_id}", response_model=IncidentDetail)
def get_incident(session: SessionDep, actor: ActorDep, incident_id: str) -> IncidentDetail:
    """One incident (audited as consultation)."""
    return queries.detail(session, actor, record_id(incident_id))
