"""Sign-in pages: sign in, security code, sign out, and ``GET /api/v1/me``.

Every unsafe request on this router passes ``verify_csrf`` (WEB-1). Account pages (step-up and
API tokens) are in ``account_routes`` and included here, so ``main`` includes one router.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from joinedup.access.deps import ActorDep, OptionalActorDep
from joinedup.auth import service
from joinedup.auth.account_routes import router as account_router
from joinedup.auth.context import CHALLENGE_COOKIE, SESSION_COOKIE
from joinedup.auth.cookies import (
    clear_challenge_cookie,
    clear_session_cookie,
    set_challenge_cookie,
    set_session_cookie,
)
from joinedup.auth.csrf import verify_csrf
from joinedup.auth.errors import ChallengeExpired, SignInFailed
from joinedup.auth.pages import NO_STORE, app_settings, client_ip, page
from joinedup.auth.rules import safe_next
from joinedup.db import SessionDep

router = APIRouter(dependencies=[Depends(verify_csrf)], tags=["auth"])
router.include_router(account_router)

FormText = Annotated[str, Form()]


def _signed_in(request: Request, token: str, next_path: str) -> Response:
    response = RedirectResponse(safe_next(next_path), status_code=303, headers=NO_STORE)
    set_session_cookie(response, app_settings(request), token)
    clear_challenge_cookie(response, app_settings(request))
    return response


def _sign_in_page(
    request: Request, *, next_path: str, username: str = "", error: str = "", status: int = 200
) -> Response:
    context = {"next": safe_next(next_path), "username": username, "error": error}
    return page(request, "auth/sign_in.html", context, status)


@router.get("/sign-in")
def sign_in_form(request: Request, actor: OptionalActorDep, next: str = "/") -> Response:
    """The sign-in page; someone already signed in goes straight on."""
    if actor is not None:
        return RedirectResponse(safe_next(next), status_code=303, headers=NO_STORE)
    return _sign_in_page(request, next_path=next)


@router.post("/sign-in")
def sign_in(
    request: Request,
    session: SessionDep,
    username: FormText = "",
    password: FormText = "",
    next: FormText = "/",
) -> Response:
    """Check the user name and password; set a fresh session cookie or ask for a code."""
    try:
        result = service.sign_in(
            session=session,
            username=username,
            password=password,
            ip=client_ip(request),
            settings=app_settings(request),
            replaces_token=request.cookies.get(SESSION_COOKIE),
        )
    except SignInFailed as exc:
        return _sign_in_page(
            request, next_path=next, username=username[:80], error=exc.message, status=400
        )
    if result.challenge_token is not None:
        target = "/sign-in/code?" + urlencode({"next": safe_next(next)})
        response = RedirectResponse(target, status_code=303, headers=NO_STORE)
        set_challenge_cookie(response, app_settings(request), result.challenge_token)
        return response
    return _signed_in(request, result.session_token or "", next)


@router.get("/sign-in/code")
def code_form(request: Request, next: str = "/") -> Response:
    """The security-code page of a sign-in whose password was right."""
    if not request.cookies.get(CHALLENGE_COOKIE):
        return RedirectResponse("/sign-in", status_code=303, headers=NO_STORE)
    return page(request, "auth/sign_in_code.html", {"next": safe_next(next), "error": ""})


@router.post("/sign-in/code")
def code_submit(
    request: Request, session: SessionDep, code: FormText = "", next: FormText = "/"
) -> Response:
    """Check the security code and finish signing in."""
    try:
        result = service.complete_sign_in(
            session=session,
            challenge_token=request.cookies.get(CHALLENGE_COOKIE, ""),
            totp_code=code,
            ip=client_ip(request),
            settings=app_settings(request),
            replaces_token=request.cookies.get(SESSION_COOKIE),
        )
    except ChallengeExpired as exc:
        response = _sign_in_page(request, next_path=next, error=exc.message, status=400)
        clear_challenge_cookie(response, app_settings(request))
        return response
    except SignInFailed as exc:
        context = {"next": safe_next(next), "error": exc.message}
        return page(request, "auth/sign_in_code.html", context, 400)
    return _signed_in(request, result.session_token or "", next)


@router.post("/sign-out")
def sign_out(request: Request, session: SessionDep, actor: ActorDep) -> Response:
    """End the session on the server, clear the cookie and go to the sign-in page."""
    service.sign_out(session=session, actor=actor)
    response = RedirectResponse("/sign-in", status_code=303, headers=NO_STORE)
    clear_session_cookie(response, app_settings(request))
    return response


@router.get("/api/v1/me")
def me(actor: ActorDep) -> JSONResponse:
    """Who the caller is: id, display name, organisation and role (for partner systems)."""
    body = {
        "id": str(actor.user_id),
        "display_name": actor.display_name,
        "organisation": {"id": str(actor.organisation_id), "name": actor.organisation_name},
        "role": actor.role.value,
        "via_api_token": actor.via_api_token,
    }
    return JSONResponse(body, headers=NO_STORE)
