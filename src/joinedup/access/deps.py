"""Who is asking: the actor from the session cookie or a Bearer API token, and role checks.

``install(app)`` adds a pure ASGI middleware that resolves the credentials once per request and
puts ``request.state.actor``, ``request.state.csrf_token`` and ``request.state.auth`` in place
for routes and templates. Routes then ask for ``ActorDep``, ``OptionalActorDep``,
``Depends(require(Role.ADMIN))`` or ``Depends(require_recent_reauthentication())``.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import replace
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from joinedup.access.actor import Actor
from joinedup.audit.events import AuditEvent
from joinedup.audit.service import record
from joinedup.auth import service
from joinedup.auth.context import CSRF_COOKIE, SESSION_COOKIE, RequestAuth
from joinedup.auth.cookies import clear_session_cookie, header_value, set_csrf_cookie
from joinedup.auth.csrf import read_csrf_cookie
from joinedup.auth.errors import NotSignedIn, ReauthenticationRequired
from joinedup.auth.handlers import install_handlers
from joinedup.auth.rules import REAUTHENTICATION_MINUTES, is_recent
from joinedup.common import clock
from joinedup.common.errors import Forbidden
from joinedup.common.ids import new_token
from joinedup.config import Settings
from joinedup.db import SessionDep, atomic
from joinedup.partners.models import User
from joinedup.partners.schemas import Role

log = logging.getLogger("joinedup.access")

SKIP_PREFIXES = ("/assets/", "/static/", "/healthz", "/readyz")


def actor_for(
    user: User, *, session_id: uuid.UUID | None = None, via_api_token: bool = False
) -> Actor:
    """The ``Actor`` for a loaded user (organisation loaded too)."""
    return Actor(
        user_id=user.id,
        username=user.username,
        display_name=user.display_name,
        organisation_id=user.organisation_id,
        organisation_name=user.organisation.name,
        role=user.role,
        team_id=user.team_id,
        session_id=session_id,
        via_api_token=via_api_token,
    )


def _bearer(request: Request) -> str | None:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" else None


def _resolve(factory: sessionmaker[Session], settings: Settings, request: Request) -> RequestAuth:
    bearer = _bearer(request)
    with factory() as session:
        if bearer is not None:
            # A Bearer header decides alone: never fall back to a cookie, so a token request
            # can skip CSRF checks safely.
            if session.get_bind().dialect.name == "postgresql":
                # One statement reads the token (and, now and then, one more marks it used):
                # without a transaction around it that is one round trip, not three (BEGIN,
                # SELECT, ROLLBACK) on every API request.
                session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
            token = service.resolve_api_token(session=session, token=bearer)
            if token is None:
                return RequestAuth()
            return RequestAuth(actor=actor_for(token.user, via_api_token=True), kind="api_token")
        cookie = request.cookies.get(SESSION_COOKIE)
        if not cookie:
            return RequestAuth()
        user_session = service.resolve_session(session=session, token=cookie, settings=settings)
        if user_session is None:
            return RequestAuth(stale_session_cookie=True)
        return RequestAuth(
            actor=actor_for(user_session.user, session_id=user_session.id),
            kind="session",
            session_csrf_token=user_session.csrf_token,
            reauthenticated_at=user_session.reauthenticated_at,
        )


class ActorMiddleware:
    """Resolve the request's credentials once and keep the outcome on ``request.state``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(SKIP_PREFIXES):
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        settings: Settings = scope["app"].state.settings
        factory = scope["app"].state.session_factory
        auth = await run_in_threadpool(_resolve, factory, settings, request)
        from_cookie = read_csrf_cookie(settings.secret_key, request.cookies.get(CSRF_COOKIE))
        minted = ""
        if auth.kind is None and not from_cookie and not scope["path"].startswith("/api/"):
            minted = new_token()
        auth = replace(
            auth, cookie_csrf_token=from_cookie, anonymous_csrf_token=from_cookie or minted
        )
        request.state.auth = auth
        request.state.actor = auth.actor
        request.state.csrf_token = auth.csrf_token
        cookies = [header_value(set_csrf_cookie, settings, minted)] if minted else []
        if auth.stale_session_cookie:
            cookies.append(header_value(clear_session_cookie, settings))
        if not cookies:
            await self.app(scope, receive, send)
            return

        async def send_with_cookies(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                own = [c for c in headers.getlist("set-cookie") if c.startswith(SESSION_COOKIE)]
                for cookie in cookies:
                    # A response that sets a new session cookie must not have it cleared after.
                    if not (own and cookie.startswith(SESSION_COOKIE)):
                        headers.append("set-cookie", cookie)
            await send(message)

        await self.app(scope, receive, send_with_cookies)


def install(app: FastAPI) -> None:
    """Add the actor-resolving middleware and the sign-in error handlers to ``app``."""
    app.add_middleware(ActorMiddleware)
    install_handlers(app)


def request_auth(request: Request) -> RequestAuth:
    """The request's resolved credentials (anonymous when the middleware did not run)."""
    auth = getattr(request.state, "auth", None)
    return auth if isinstance(auth, RequestAuth) else RequestAuth()


def current_actor(request: Request) -> Actor:
    """FastAPI dependency: the signed-in actor, or 401 (JSON) / a redirect to sign in (HTML)."""
    actor = request_auth(request).actor
    if actor is None:
        raise NotSignedIn()
    return actor


def optional_actor(request: Request) -> Actor | None:
    """FastAPI dependency: the signed-in actor, or ``None`` for anonymous requests."""
    return request_auth(request).actor


ActorDep = Annotated[Actor, Depends(current_actor)]
OptionalActorDep = Annotated[Actor | None, Depends(optional_actor)]


def _deny(session: Session, request: Request, actor: Actor, reason: str) -> None:
    """Write the denial to the ledger (AUD-4: ids and the rule, never personal values)."""
    route = request.scope.get("route")
    path = str(getattr(route, "path", request.url.path))[:200]
    with atomic(session):
        record(
            session,
            AuditEvent(
                name="access.denied",
                actor_user_id=actor.user_id,
                actor_organisation_id=actor.organisation_id,
                actor_role=actor.role.value,
                details={"path": path, "reason": reason},
            ),
        )
    log.info("access denied", extra={"user_id": str(actor.user_id), "path": path})


def require(*roles: Role) -> Callable[[Request, Actor, Session], Actor]:
    """Dependency factory: the actor when their role is one of ``roles``, else 403 (audited)."""
    allowed = frozenset(roles)

    def check_role(request: Request, actor: ActorDep, session: SessionDep) -> Actor:
        if actor.role in allowed:
            log.debug("role allowed", extra={"user_id": str(actor.user_id), "role": actor.role})
            return actor
        _deny(session, request, actor, "role")
        raise Forbidden()

    return check_role


def require_browser_session(request: Request, actor: ActorDep) -> Actor:
    """Dependency: the actor signed in with a browser session (account pages, not API tokens)."""
    if actor.via_api_token or actor.session_id is None:
        raise Forbidden()
    return actor


SessionActorDep = Annotated[Actor, Depends(require_browser_session)]


def require_recent_reauthentication(
    minutes: int = REAUTHENTICATION_MINUTES,
) -> Callable[[Request, Actor], Actor]:
    """Dependency factory for SES-2 step-up: a password entered in the last ``minutes``."""

    def check_recent(request: Request, actor: SessionActorDep) -> Actor:
        if not is_recent(request_auth(request).reauthenticated_at, clock.utc_now(), minutes):
            raise ReauthenticationRequired()
        return actor

    return check_recent
