"""Account pages: step-up re-authentication (SES-2) and the user's own API tokens."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from joinedup.access.actor import Actor
from joinedup.access.deps import SessionActorDep, require_recent_reauthentication
from joinedup.auth import service
from joinedup.auth.csrf import verify_csrf
from joinedup.auth.errors import SignInFailed
from joinedup.auth.pages import NO_STORE, app_settings, client_ip, page
from joinedup.auth.rules import safe_next
from joinedup.common.errors import Conflict, NotFound, ValidationFailed
from joinedup.common.ids import parse_id
from joinedup.db import SessionDep

router = APIRouter(prefix="/account", dependencies=[Depends(verify_csrf)], tags=["account"])

TOKEN_LIFETIMES = (30, 90, 180, 365)
RecentActorDep = Annotated[Actor, Depends(require_recent_reauthentication())]


@router.get("/reauthenticate")
def reauthenticate_form(request: Request, actor: SessionActorDep, next: str = "/") -> Response:
    """Ask for the password again before a sensitive action."""
    return page(request, "auth/reauthenticate.html", {"next": safe_next(next), "error": ""})


@router.post("/reauthenticate")
def reauthenticate(
    request: Request,
    session: SessionDep,
    actor: SessionActorDep,
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    """Check the password and go back to the action that asked for it."""
    try:
        service.reauthenticate(
            session=session,
            actor=actor,
            password=password,
            ip=client_ip(request),
            settings=app_settings(request),
        )
    except SignInFailed as exc:
        context = {"next": safe_next(next), "error": exc.message}
        return page(request, "auth/reauthenticate.html", context, 400)
    return RedirectResponse(safe_next(next), status_code=303, headers=NO_STORE)


def _tokens_page(
    request: Request,
    session: SessionDep,
    actor: Actor,
    *,
    status: int = 200,
    **context: object,
) -> Response:
    tokens = service.list_api_tokens(session=session, actor=actor)
    ctx: dict[str, Any] = {
        "tokens": tokens,
        "lifetimes": TOKEN_LIFETIMES,
        "created": None,
        "errors": {},
    }
    ctx.update(context)
    return page(request, "auth/api_tokens.html", ctx, status)


@router.get("/api-tokens")
def api_tokens(request: Request, session: SessionDep, actor: SessionActorDep) -> Response:
    """The user's own API tokens, with a form to create one."""
    return _tokens_page(request, session, actor)


@router.post("/api-tokens")
def create_api_token(
    request: Request,
    session: SessionDep,
    actor: RecentActorDep,
    name: Annotated[str, Form()] = "",
    expires_in_days: Annotated[int, Form()] = 90,
) -> Response:
    """Create a token and show it this once (step-up needed: it is a new credential)."""
    try:
        created = service.create_api_token(
            session=session, actor=actor, name=name, expires_in_days=expires_in_days
        )
    except ValidationFailed as exc:
        return _tokens_page(request, session, actor, status=400, errors=exc.errors, name=name)
    except Conflict as exc:
        errors = {"name": exc.message}
        return _tokens_page(request, session, actor, status=409, errors=errors, name=name)
    return _tokens_page(request, session, actor, created=created)


@router.post("/api-tokens/{token_id}/revoke")
def revoke_api_token(
    request: Request, session: SessionDep, actor: SessionActorDep, token_id: str
) -> Response:
    """Revoke one of the user's own tokens."""
    parsed = parse_id(token_id)
    if parsed is None:
        raise NotFound()
    service.revoke_api_token(session=session, actor=actor, token_id=parsed)
    return RedirectResponse("/account/api-tokens", status_code=303, headers=NO_STORE)
