"""Break-glass pages and API: both need a password re-entered in the last few minutes (SES-2)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from joinedup.access import break_glass
from joinedup.access.actor import Actor
from joinedup.access.break_glass import BreakGlassIn, BreakGlassOut
from joinedup.access.deps import require_recent_reauthentication
from joinedup.auth.csrf import verify_csrf
from joinedup.config import Settings
from joinedup.db import SessionDep
from joinedup.web.forms import form_dict, parse_form
from joinedup.web.pages import record_id
from joinedup.web.templating import render

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)
api = APIRouter(prefix="/api/v1/people", tags=["break-glass"], dependencies=[Depends(verify_csrf)])

SteppedUpActor = Annotated[Actor, Depends(require_recent_reauthentication())]
LABELS = {"reason": "why you need emergency access"}


def _hours(request: Request) -> int:
    settings: Settings = request.app.state.settings
    return settings.break_glass_hours


@router.get("/people/{person_id}/break-glass", response_class=HTMLResponse)
def break_glass_form(
    request: Request, session: SessionDep, actor: SteppedUpActor, person_id: str
) -> HTMLResponse:
    """The emergency-access warning and the reason form."""
    pid = record_id(person_id)
    break_glass.check_target(session=session, actor=actor, person_record_id=pid)
    context = {"person_id": pid, "hours": _hours(request), "errors": {}, "reason": ""}
    return render(request, "access/break_glass.html", context)


@router.post("/people/{person_id}/break-glass", response_model=None)
async def break_glass_submit(
    request: Request, session: SessionDep, actor: SteppedUpActor, person_id: str
) -> Response:
    """Record the reason, grant time-limited access and put it on the holder's review queue."""
    pid = record_id(person_id)
    data = await form_dict(request)
    parsed, errors = parse_form(BreakGlassIn, data, LABELS)
    if parsed is None:
        if "reason" in errors:
            errors["reason"] = "Enter why you need emergency access, in 10 to 1000 characters"
        context = {
            "person_id": pid,
            "hours": _hours(request),
            "errors": errors,
            "reason": data.get("reason", ""),
        }
        return render(request, "access/break_glass.html", context, 422)
    break_glass.invoke(
        session=session,
        actor=actor,
        person_record_id=pid,
        break_glass_in=parsed,
        hours=_hours(request),
    )
    return RedirectResponse(f"/people/{pid}", status_code=303)


@api.post("/{person_id}/break-glass", response_model=BreakGlassOut, status_code=201)
def break_glass_api(
    request: Request,
    session: SessionDep,
    actor: SteppedUpActor,
    person_id: str,
    body: BreakGlassIn,
) -> BreakGlassOut:
    """Emergency access to another organisation's person record (step-up required)."""
    return break_glass.invoke(
        session=session,
        actor=actor,
        person_record_id=record_id(person_id),
        break_glass_in=body,
        hours=_hours(request),
    )
