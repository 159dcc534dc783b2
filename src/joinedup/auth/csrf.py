"""CSRF protection for every state-changing request (WEB-1).

Signed-in browsers send the session's own token (form field ``csrf_token`` or header
``X-CSRF-Token``). Anonymous forms (sign-in, security code) use a double-submit token: a random
value in an HMAC-signed, HttpOnly, SameSite=Strict cookie that the form must repeat. Requests
authenticated by a Bearer API token carry no ambient credential, so they need no token.
"""

from __future__ import annotations

import hmac
import logging

from fastapi import Request

from joinedup.auth.context import RequestAuth
from joinedup.auth.errors import NotSignedIn
from joinedup.auth.rules import MAX_SECRET_LENGTH, sign_value, unsign_value
from joinedup.common.errors import Forbidden

log = logging.getLogger("joinedup.auth")

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_PURPOSE = "csrf"
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def sign_csrf_cookie(secret_key: str, value: str) -> str:
    """The cookie value carrying ``value`` with its signature."""
    return sign_value(secret_key, _PURPOSE, value)


def read_csrf_cookie(secret_key: str, cookie: str | None) -> str:
    """The token inside a correctly signed CSRF cookie, or ``""``."""
    return unsign_value(secret_key, _PURPOSE, cookie) or ""


async def _submitted_token(request: Request) -> str:
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    if not request.headers.get("content-type", "").startswith(_FORM_TYPES):
        return ""
    # Starlette caches the parsed form, so the route still reads its fields afterwards.
    value = (await request.form()).get(CSRF_FIELD)
    return value if isinstance(value, str) else ""


def _matches(expected: str, submitted: str) -> bool:
    if not expected or not submitted or len(submitted) > MAX_SECRET_LENGTH:
        return False
    return hmac.compare_digest(expected.encode(), submitted.encode())


async def verify_csrf(request: Request) -> None:
    """FastAPI dependency: refuse (403) an unsafe request without the right CSRF token."""
    if request.method in SAFE_METHODS:
        return
    auth: RequestAuth = getattr(request.state, "auth", None) or RequestAuth()
    if auth.kind == "api_token":
        return
    expected = auth.session_csrf_token if auth.kind == "session" else auth.cookie_csrf_token
    if _matches(expected, await _submitted_token(request)):
        return
    log.warning("csrf check failed", extra={"path": request.url.path, "kind": auth.kind or ""})
    if auth.kind is None and auth.stale_session_cookie:
        # The session ended while the form was open: send the user to sign in, not to a 403.
        raise NotSignedIn()
    raise Forbidden()
