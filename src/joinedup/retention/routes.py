"""Records past their retention period: the keep-or-erase page and API for IG leads."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from joinedup.access.actor import Actor
from joinedup.access.deps import require
from joinedup.auth.csrf import verify_csrf
from joinedup.common.errors import ValidationFailed
from joinedup.db import SessionDep
from joinedup.partners.schemas import Role
from joinedup.retention import decisions
from joinedup.retention.schemas import DecisionIn, ReviewOut
from joinedup.web.forms import form_dict, parse_form
from joinedup.web.pages import record_id
from joinedup.web.templating import render

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)
api = APIRouter(prefix="/api/v1/retention", tags=["retention"], dependencies=[Depends(verify_csrf)])
IgLead = Annotated[Actor, Depends(require(Role.IG_LEAD))]
LABELS = {"decision": "what to do with the record", "keep_years": "how long to keep it"}


def _page(
    request: Request, session: SessionDep, actor: Actor, errors: dict[str, str]
) -> HTMLResponse:
    context = {"reviews": decisions.open_reviews(session, actor), "errors": errors}
    return render(request, "retention/reviews.html", context, 422 if errors else 200)


@router.get("/retention/reviews", response_class=HTMLResponse)
def reviews_page(request: Request, session: SessionDep, actor: IgLead) -> HTMLResponse:
    """Records of my organisation past their retention period, awaiting a decision."""
    return _page(request, session, actor, {})


@router.post("/retention/reviews/{review_id}", response_model=None)
async def decide_page(
    request: Request, session: SessionDep, actor: IgLead, review_id: str
) -> Response:
    """Erase a flagged record or keep it for a number of years."""
    rid = record_id(review_id)
    decision_in, errors = parse_form(DecisionIn, await form_dict(request), LABELS)
    if decision_in is None:
        return _page(request, session, actor, errors)
    try:
        decisions.decide(session=session, actor=actor, review_id=rid, decision_in=decision_in)
    except ValidationFailed as exc:
        return _page(request, session, actor, exc.errors)
    return RedirectResponse("/retention/reviews", status_code=303)


@api.get("/reviews", response_model=list[ReviewOut])
def list_reviews(session: SessionDep, actor: IgLead) -> list[ReviewOut]:
    """Records of the caller's organisation awaiting a keep-or-erase decision."""
    return decisions.open_reviews(session, actor)


@api.post("/reviews/{review_id}", response_model=ReviewOut)
def decide(session: SessionDep, actor: IgLead, review_id: str, body: DecisionIn) -> ReviewOut:
    """Erase a flagged record or keep it for a number of years."""
    return decisions.decide(
        session=session, actor=actor, review_id=record_id(review_id), decision_in=body
    )
