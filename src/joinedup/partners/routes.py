"""The partner directory: organisation pages and API (every signed-in user may read it)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from joinedup.access.deps import ActorDep
from joinedup.auth.csrf import verify_csrf
from joinedup.db import SessionDep
from joinedup.partners import queries
from joinedup.partners.queries import OrganisationDetail
from joinedup.partners.schemas import OrganisationOut
from joinedup.web.pages import record_id
from joinedup.web.templating import render

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)
api = APIRouter(
    prefix="/api/v1/organisations", tags=["organisations"], dependencies=[Depends(verify_csrf)]
)


@router.get("/organisations", response_class=HTMLResponse)
def organisations_page(request: Request, session: SessionDep, actor: ActorDep) -> HTMLResponse:
    """The partnership's organisations, grouped by kind."""
    grouped = queries.organisations_by_kind(session, actor)
    return render(request, "partners/organisations.html", {"grouped": grouped})


@router.get("/organisations/{organisation_id}", response_class=HTMLResponse)
def organisation_page(
    request: Request, session: SessionDep, actor: ActorDep, organisation_id: str
) -> HTMLResponse:
    """One organisation with its teams."""
    detail = queries.get_organisation(session, actor, record_id(organisation_id))
    return render(request, "partners/organisation.html", {"detail": detail})


@api.get("", response_model=list[OrganisationOut])
def list_organisations(session: SessionDep, actor: ActorDep) -> list[OrganisationOut]:
    """Every partner organisation."""
    return queries.list_organisations(session, actor)


@api.get("/{organisation_id}", response_model=OrganisationDetail)
def get_organisation(
    session: SessionDep, actor: ActorDep, organisation_id: str
) -> OrganisationDetail:
    """One organisation with its teams (and users, for its members and administrators)."""
    return queries.get_organisation(session, actor, record_id(organisation_id))
