"""The Community Safety Agreement and information-sharing agreement pages and API."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel

from joinedup.access.actor import Actor
from joinedup.access.deps import ActorDep, require, require_recent_reauthentication
from joinedup.agreements import queries, service
from joinedup.agreements.queries import AgreementView
from joinedup.agreements.schemas import (
    DataCategory,
    LawfulBasis,
    Purpose,
    SharingAgreementIn,
    SharingAgreementOut,
)
from joinedup.auth.csrf import verify_csrf
from joinedup.common.errors import NotFound, ValidationFailed
from joinedup.db import SessionDep
from joinedup.partners import queries as partners
from joinedup.partners.schemas import Role
from joinedup.web.forms import form_dict, parse_form
from joinedup.web.pages import record_id
from joinedup.web.templating import render

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["agreements"], dependencies=[Depends(verify_csrf)])

# Agreement changes: administrators and IG leads, with a recent password (SES-2).
Manager = Annotated[Actor, Depends(require(Role.ADMIN, Role.IG_LEAD))]
SteppedUp = Annotated[Actor, Depends(require_recent_reauthentication())]
LISTS = ("party_ids", "data_categories", "purposes", "lawful_bases")
LABELS = {
    "title": "a title",
    "reference": "a reference",
    "party_ids": "at least 2 organisations",
    "data_categories": "at least one data category",
    "purposes": "at least one purpose",
    "lawful_bases": "at least one lawful basis",
    "valid_from": "the date it starts",
    "valid_to": "the date it ends",
    "review_date": "the review date",
}


class CreatedOut(BaseModel):
    """The id of a new agreement."""

    id: str


@router.get("/agreement", response_class=HTMLResponse)
def agreement_page(request: Request, session: SessionDep, actor: ActorDep) -> HTMLResponse:
    """The Community Safety Agreement: signatories, priorities, commitments and indicators."""
    agreement = queries.current_agreement(session, actor)
    sharing = queries.list_sharing_agreements(session, actor)
    return render(
        request, "agreements/agreement.html", {"agreement": agreement, "sharing": sharing}
    )


def _form_page(
    request: Request,
    session: SessionDep,
    actor: Actor,
    form: dict[str, Any],
    errors: dict[str, str],
) -> HTMLResponse:
    context = {
        "organisations": partners.list_organisations(session, actor),
        "categories": list(DataCategory),
        "purposes": list(Purpose),
        "bases": list(LawfulBasis),
        "form": form,
        "errors": errors,
    }
    return render(request, "agreements/new_sharing.html", context, 422 if errors else 200)


@router.get("/agreement/sharing/new", response_class=HTMLResponse)
def new_sharing_page(
    request: Request, session: SessionDep, _m: Manager, actor: SteppedUp
) -> HTMLResponse:
    """The form to record an information-sharing agreement."""
    return _form_page(request, session, actor, {}, {})


@router.post("/agreement/sharing/new", response_model=None)
async def create_sharing_page(
    request: Request, session: SessionDep, _m: Manager, actor: SteppedUp
) -> Response:
    """Record an information-sharing agreement from the form."""
    data = await form_dict(request, lists=LISTS)
    data["known_to_allowed"] = data.get("known_to_allowed") == "yes"
    agreement_in, errors = parse_form(SharingAgreementIn, data, LABELS)
    if agreement_in is not None:
        try:
            new_id = service.create(session=session, actor=actor, agreement_in=agreement_in)
            return RedirectResponse(f"/agreement/sharing/{new_id}", status_code=303)
        except ValidationFailed as exc:
            errors = exc.errors
    return _form_page(request, session, actor, data, errors)


@router.post("/agreement/sharing/{agreement_id}/revoke", response_model=None)
def revoke_sharing_page(
    session: SessionDep, _m: Manager, actor: SteppedUp, agreement_id: str
) -> Response:
    """Revoke an agreement: it stops applying on every user's next request."""
    aid = record_id(agreement_id)
    service.revoke(session=session, actor=actor, agreement_id=aid)
    return RedirectResponse(f"/agreement/sharing/{aid}", status_code=303)


@router.get("/agreement/sharing/{agreement_id}", response_class=HTMLResponse)
def sharing_page(
    request: Request, session: SessionDep, actor: ActorDep, agreement_id: str
) -> HTMLResponse:
    """One information-sharing agreement."""
    isa = queries.get_sharing_agreement(session, actor, record_id(agreement_id))
    may_manage = actor.role in (Role.ADMIN, Role.IG_LEAD)
    return render(request, "agreements/sharing.html", {"isa": isa, "may_manage": may_manage})


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


@api.post("/sharing-agreements", response_model=CreatedOut, status_code=201)
def create_sharing(
    session: SessionDep, _m: Manager, actor: SteppedUp, body: SharingAgreementIn
) -> CreatedOut:
    """Record an information-sharing agreement (administrators and IG leads, SES-2)."""
    return CreatedOut(id=str(service.create(session=session, actor=actor, agreement_in=body)))


@api.post("/sharing-agreements/{agreement_id}/revoke", status_code=204)
def revoke_sharing(session: SessionDep, _m: Manager, actor: SteppedUp, agreement_id: str) -> None:
    """Revoke an information-sharing agreement (administrators and IG leads, SES-2)."""
    service.revoke(session=session, actor=actor, agreement_id=record_id(agreement_id))
