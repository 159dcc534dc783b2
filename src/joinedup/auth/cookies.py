"""The sign-in cookies: their names and attributes in one place (SES-1, WEB-1)."""

from __future__ import annotations

from collections.abc import Callable

from starlette.responses import Response

from joinedup.auth.context import CHALLENGE_COOKIE, CSRF_COOKIE, SESSION_COOKIE
from joinedup.auth.csrf import sign_csrf_cookie
from joinedup.auth.rules import CHALLENGE_LIFETIME
from joinedup.config import Settings

# The session cookie is SameSite=Lax so that a link from e-mail opens the page signed in;
# CSRF tokens protect every unsafe request. The others are never needed cross-site.
CHALLENGE_PATH = "/sign-in"


def set_session_cookie(response: Response, settings: Settings, token: str) -> None:
    """Put a new session token in the browser (HttpOnly, SameSite=Lax, Secure in production)."""
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=settings.session_absolute_hours * 3600,
        path="/",
        secure=settings.cookie_secure,
        httponly=True,
        samesite="lax",
    )


def clear_session_cookie(response: Response, settings: Settings) -> None:
    """Remove the session cookie from the browser."""
    response.delete_cookie(
        SESSION_COOKIE, path="/", secure=settings.cookie_secure, httponly=True, samesite="lax"
    )


def set_csrf_cookie(response: Response, settings: Settings, token: str) -> None:
    """Put the signed anonymous double-submit CSRF token in the browser."""
    response.set_cookie(
        CSRF_COOKIE,
        sign_csrf_cookie(settings.secret_key, token),
        path="/",
        secure=settings.cookie_secure,
        httponly=True,
        samesite="strict",
    )


def set_challenge_cookie(response: Response, settings: Settings, token: str) -> None:
    """Keep the pending second-factor challenge for the security-code page only."""
    response.set_cookie(
        CHALLENGE_COOKIE,
        token,
        max_age=int(CHALLENGE_LIFETIME.total_seconds()),
        path=CHALLENGE_PATH,
        secure=settings.cookie_secure,
        httponly=True,
        samesite="strict",
    )


def clear_challenge_cookie(response: Response, settings: Settings) -> None:
    """Remove the challenge cookie once the sign-in is finished."""
    response.delete_cookie(
        CHALLENGE_COOKIE,
        path=CHALLENGE_PATH,
        secure=settings.cookie_secure,
        httponly=True,
        samesite="strict",
    )


def header_value(write: Callable[..., None], settings: Settings, *args: str) -> str:
    """The ``Set-Cookie`` header one of the writers above produces, for ASGI middleware."""
    response = Response()
    write(response, settings, *args)
    return response.headers["set-cookie"]
