""" "Known to" access requests: the holder's queue, decisions, and the requester's own list."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from joinedup.access import queries, service
from joinedup.access.deps import ActorDep, require
from joinedup.access.queries import MyRequest, RequestForHolder
from joinedup.access.service import DECIDER_ROLES
from joinedup.auth.csrf import verify_csrf
from joinedup.common.errors import ValidationFailed
from joinedup.config import Settings
from joinedup.db import SessionDep
from joinedup.web.pages import record_id
from joinedup.web.templating import render

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)
api = APIRouter(prefix="/api/v1/sharing", tags=["sharing"], dependencies=[Depends(verify_csrf)])

Decider = Annotated[object, Depends(require(*DECIDER_ROLES))]


class DecisionIn(BaseModel):
    """A decision on an access request, with the reason the requester will see."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=500)


class GrantOut(BaseModel):
    """The grant an approval created (none for a request matched on encodings: the holder
    shares that record itself)."""

    grant_id: str | None
    expires_at: str | None


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


@router.get("/sharing/requests", response_class=HTMLResponse)
def queue_page(request: Request, session: SessionDep, actor: ActorDep, _d: Decider) -> HTMLResponse:
    """Requests from partners to see my organisation's records."""
    context = {"requests": queries.for_holder(session, actor), "errors": {}}
    return render(request, "access/requests.html", context)


@router.post("/sharing/requests/{request_id}/decide", response_model=None)
def decide(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    _d: Decider,
    request_id: str,
    decision: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    """Approve or decline one request with a reason."""
    rid = record_id(request_id)
    try:
        if decision not in ("approve", "decline"):
            raise ValidationFailed({f"decision-{rid}": "Select approve or decline"})
        if decision == "approve":
            days = _settings(request).access_grant_days
            service.approve(session=session, actor=actor, request_id=rid, reason=reason, days=days)
        else:
            service.decline(session=session, actor=actor, request_id=rid, reason=reason)
    except ValidationFailed as exc:
        errors = {k if k != "reason" else f"reason-{rid}": v for k, v in exc.errors.items()}
        context = {"requests": queries.for_holder(session, actor), "errors": errors}
        return render(request, "access/requests.html", context, 422)
    return RedirectResponse("/sharing/requests", status_code=303)


@router.get("/sharing/my-requests", response_class=HTMLResponse)
def my_requests_page(request: Request, session: SessionDep, actor: ActorDep) -> HTMLResponse:
    """The access requests I have made and what was decided."""
    return render(request, "access/my_requests.html", {"requests": queries.mine(session, actor)})


@api.get("/requests", response_model=list[RequestForHolder])
def list_requests(session: SessionDep, actor: ActorDep, _d: Decider) -> list[RequestForHolder]:
    """Requests to see the caller's organisation's records."""
    return queries.for_holder(session, actor)


@api.get("/my-requests", response_model=list[MyRequest])
def list_my_requests(session: SessionDep, actor: ActorDep) -> list[MyRequest]:
    """The caller's own access requests."""
    return queries.mine(session, actor)


@api.post("/requests/{request_id}/approve", response_model=GrantOut)
def approve(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    _d: Decider,
    request_id: str,
    body: DecisionIn,
) -> GrantOut:
    """Approve a request: a time-limited grant, logged as a disclosure."""
    days = _settings(request).access_grant_days
    grant = service.approve(
        session=session,
        actor=actor,
        request_id=record_id(request_id),
        reason=body.reason,
        days=days,
    )
    if grant is None:
        return GrantOut(grant_id=None, expires_at=None)
    return GrantOut(grant_id=str(grant.id), expires_at=grant.expires_at.isoformat())


@api.post("/requests/{request_id}/decline", status_code=204)
def decline(
    session: SessionDep, actor: ActorDep, _d: Decider, request_id: str, body: DecisionIn
) -> None:
    """Decline a request with a reason."""
    service.decline(
        session=session, actor=actor, request_id=record_id(request_id), reason=body.reason
    )
