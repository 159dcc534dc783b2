"""The review queue: pages and API for information-governance leads (their organisation only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from joinedup.access.actor import Actor
from joinedup.access.deps import require
from joinedup.auth.csrf import verify_csrf
from joinedup.common.pagination import PageOut
from joinedup.db import SessionDep
from joinedup.oversight import queries, service
from joinedup.oversight.schemas import (
    KIND_LABELS,
    OUTCOME_LABELS,
    CloseIn,
    ReviewDetail,
    ReviewOut,
    ReviewStatus,
)
from joinedup.partners.schemas import Role
from joinedup.web.forms import form_dict, parse_form
from joinedup.web.pages import record_id
from joinedup.web.templating import render

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)
api = APIRouter(prefix="/api/v1/reviews", tags=["oversight"], dependencies=[Depends(verify_csrf)])
IgLead = Annotated[Actor, Depends(require(Role.IG_LEAD))]
LABELS = {"outcome": "an outcome", "note": "a note"}
StatusQuery = Annotated[ReviewStatus | None, Query()]


def _labels() -> dict[str, object]:
    return {"kind_labels": KIND_LABELS, "outcome_labels": OUTCOME_LABELS}


@router.get("/oversight/reviews", response_class=HTMLResponse)
def reviews_page(
    request: Request,
    session: SessionDep,
    actor: IgLead,
    status: StatusQuery = ReviewStatus.OPEN,
    page: Annotated[int, Query(ge=1)] = 1,
) -> HTMLResponse:
    """Review items for my organisation."""
    result = queries.list_for(session, actor, status, page)
    return render(request, "oversight/list.html", {"result": result, "status": status, **_labels()})


@router.get("/oversight/reviews/{review_id}", response_class=HTMLResponse)
def review_page(
    request: Request, session: SessionDep, actor: IgLead, review_id: str
) -> HTMLResponse:
    """One review item with the close form."""
    detail = queries.get(session, actor, record_id(review_id))
    context = {"detail": detail, "errors": {}, "form": {}, **_labels()}
    return render(request, "oversight/detail.html", context)


@router.post("/oversight/reviews/{review_id}/close", response_model=None)
async def close_review(
    request: Request, session: SessionDep, actor: IgLead, review_id: str
) -> Response:
    """Close an item with an outcome and a note."""
    rid = record_id(review_id)
    data = await form_dict(request)
    parsed, errors = parse_form(CloseIn, data, LABELS)
    if parsed is None:
        detail = queries.get(session, actor, rid)
        context = {"detail": detail, "errors": errors, "form": data, **_labels()}
        return render(request, "oversight/detail.html", context, 422)
    service.close(session=session, actor=actor, review_id=rid, close_in=parsed)
    return RedirectResponse("/oversight/reviews", status_code=303)


@api.get("", response_model=PageOut[ReviewOut])
def list_reviews(
    session: SessionDep,
    actor: IgLead,
    status: StatusQuery = ReviewStatus.OPEN,
    page: Annotated[int, Query(ge=1)] = 1,
) -> PageOut[ReviewOut]:
    """Review items for the caller's organisation."""
    return PageOut[ReviewOut].of(queries.list_for(session, actor, status, page))


@api.get("/{review_id}", response_model=ReviewDetail)
def get_review(session: SessionDep, actor: IgLead, review_id: str) -> ReviewDetail:
    """One review item."""
    return queries.get(session, actor, record_id(review_id))


@api.post("/{review_id}/close", response_model=ReviewOut)
def close_review_api(
    session: SessionDep, actor: IgLead, review_id: str, body: CloseIn
) -> ReviewOut:
    """Close a review item with an outcome and a note."""
    rid = record_id(review_id)
    return service.close(session=session, actor=actor, review_id=rid, close_in=body)
