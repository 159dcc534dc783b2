"""The home page: my organisation and my work."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel
from sqlalchemy.orm import Session

from joinedup.access.actor import Actor
from joinedup.access.deps import ActorDep
from joinedup.agreements import queries as agreements
from joinedup.agreements.queries import CommitmentView
from joinedup.auth.csrf import verify_csrf
from joinedup.db import SessionDep
from joinedup.incidents import queries as incidents
from joinedup.incidents.schemas import IncidentSummary
from joinedup.partners import queries as partners
from joinedup.partners.schemas import OrganisationOut
from joinedup.people import queries as people
from joinedup.web.templating import render

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["home"], dependencies=[Depends(verify_csrf)])


class CommitmentDue(BaseModel):
    """A commitment of my organisation under a priority."""

    priority: str
    commitment: CommitmentView


class Overview(BaseModel):
    """What the home page shows: my organisation, its records and its commitments."""

    organisation: OrganisationOut
    people_held: int
    incidents_held: int
    recent_incidents: list[IncidentSummary]
    commitments: list[CommitmentDue]


def overview(session: Session, actor: Actor) -> Overview:
    """The signed-in user's organisation, recent incidents and commitments."""
    org = partners.get_organisation(session, actor, actor.organisation_id).organisation
    recent = incidents.list_for(session, actor, 1, per_page=8)
    return Overview(
        organisation=org,
        people_held=people.list_for(session, actor, 1, per_page=1).total,
        incidents_held=recent.total,
        recent_incidents=list(recent.items),
        commitments=[
            CommitmentDue(priority=title, commitment=c)
            for title, c in agreements.commitments_of(session, actor)
        ],
    )


@router.get("/", response_class=HTMLResponse)
def home_page(request: Request, session: SessionDep, actor: ActorDep) -> HTMLResponse:
    """My organisation and my work."""
    return render(request, "home/home.html", {"overview": overview(session, actor)})


@api.get("/overview", response_model=Overview)
def get_overview(session: SessionDep, actor: ActorDep) -> Overview:
    """The caller's organisation, recent incidents and commitments."""
    return overview(session, actor)
