"""The Community Safety Agreement and information-sharing agreement pages and API."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from joinedup.access.deps import ActorDep
from joinedup.agreements import queries
from joinedup.agreements.queries import AgreementView
from joinedup.agreements.schemas import SharingAgreementOut
from joinedup.auth.csrf import verify_csrf
from joinedup.common.errors import NotFound
from joinedup.db import SessionDep
from joinedup.web.pages import record_id
from joinedup.web.templating import render

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["agreements"], dependencies=[Depends(verify_csrf)])


@router.get("/agreement", response_class=HTMLResponse)
def agreement_page(request: Request, session: SessionDep, actor: ActorDep) -> HTMLResponse:
    """The Community Safety Agreement: signatories, priorities, commitments and indicators."""
    agreement = queries.current_agreement(session, actor)
    sharing = queries.list_sharing_agreements(session, actor)
    return render(
        request, "agreements/agreement.html", {"agreement": agreement, "sharing": sharing}
    )


@router.get("/agreement/sharing/{agreement_id}", response_class=HTMLResponse)
def sharing_page(
    request: Request, session: SessionDep, actor: ActorDep, agreement_id: str
) -> HTMLResponse:
    """One information-sharing agreement."""
    isa = queries.get_sharing_agreement(session, actor, record_id(agreement_id))
    return render(request, "agreements/sharing.html", {"isa": isa})


@api.get("/agreement", response_model=AgreementView)
def get_agreement(session: SessionDep, actor: ActorDep) -> AgreementView:
    """The Community Safety Agreement in force."""
    agreement = queries.current_agreement(session, actor)
    if agreement is None:
        raise NotFound("No Community Safety Agreement is recorded")
    return agreement


@api.get("/sharing-agreements", response_model=list[SharingAgreementOut])
def list_sharing(session: SessionDep, actor: ActorDep) -> list[SharingAgreementOut]:
    """Every information-sharing agreement with its state today."""
    return queries.list_sharing_agreements(session, actor)


@api.get("/sharing-agreements/{agreement_id}", response_model=SharingAgreementOut)
def get_sharing(session: SessionDep, actor: ActorDep, agreement_id: str) -> SharingAgreementOut:
    """One information-sharing agreement."""
    return queries.get_sharing_agreement(session, actor, record_id(agreement_id))
