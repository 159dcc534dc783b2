"""Per-user API tokens for partner systems: ``ju_<prefix>_<secret>``, shown once, stored hashed."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session

from joinedup.access.actor import Actor
from joinedup.audit.events import AuditEvent
from joinedup.audit.service import record
from joinedup.auth.models import ApiToken
from joinedup.auth.rules import (
    API_TOKEN_MAX_DAYS,
    API_TOKEN_TOUCH_INTERVAL,
    api_token_prefix,
    new_api_token,
    should_touch,
)
from joinedup.common import clock
from joinedup.common.errors import Conflict, Forbidden, NotFound, ValidationFailed
from joinedup.common.ids import token_digest
from joinedup.db import atomic
from joinedup.partners.models import Organisation, User

MAX_LIVE_TOKENS = 10


@dataclass(frozen=True, slots=True)
class CreatedApiToken:
    """A new token: ``plaintext`` is shown to its owner this once and never stored."""

    id: uuid.UUID
    name: str
    prefix: str
    expires_at: datetime
    plaintext: str


@dataclass(frozen=True, slots=True)
class ApiTokenOut:
    """A token as its owner sees it in the list: no secret, only its public prefix."""

    id: uuid.UUID
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None
    live: bool


def _event(name: str, actor: Actor, token_id: uuid.UUID, **details: str | int) -> AuditEvent:
    return AuditEvent(
        name=name,
        actor_user_id=actor.user_id,
        actor_organisation_id=actor.organisation_id,
        actor_role=actor.role.value,
        record_type="api_token",
        record_id=str(token_id),
        details=dict(details),
    )


def _is_live(token: ApiToken, now: datetime) -> bool:
    return token.revoked_at is None and (token.expires_at is None or now < token.expires_at)


def _validate(name: str, expires_in_days: int) -> str:
    clean = " ".join(name.split())
    errors: dict[str, str] = {}
    if not 1 <= len(clean) <= 120:
        errors["name"] = "Enter a name for the token, up to 120 characters"
    if not 1 <= expires_in_days <= API_TOKEN_MAX_DAYS:
        errors["expires_in_days"] = f"Choose a lifetime between 1 and {API_TOKEN_MAX_DAYS} days"
    if errors:
        raise ValidationFailed(errors)
    return clean


def create_api_token(
    *, session: Session, actor: Actor, name: str, expires_in_days: int
) -> CreatedApiToken:
    """Issue a token for the actor (from a browser session only); returns the plaintext once."""
    if actor.via_api_token or actor.session_id is None:
        raise Forbidden()  # a token must not mint further tokens
    clean = _validate(name, expires_in_days)
    now = clock.utc_now()
    plaintext, prefix = new_api_token()
    with atomic(session):
        live = session.scalar(
            select(func.count())
            .select_from(ApiToken)
            .where(
                ApiToken.user_id == actor.user_id,
                ApiToken.revoked_at.is_(None),
                (ApiToken.expires_at.is_(None)) | (ApiToken.expires_at > now),
            )
        )
        if (live or 0) >= MAX_LIVE_TOKENS:
            raise Conflict(f"You already have {MAX_LIVE_TOKENS} tokens: revoke one first")
        token = ApiToken(
            user_id=actor.user_id,
            name=clean,
            prefix=prefix,
            token_hash=token_digest(plaintext),
            created_at=now,
            expires_at=now + timedelta(days=expires_in_days),
        )
        session.add(token)
        session.flush()
        record(
            session,
            _event(
                "auth.api_token_created",
                actor,
                token.id,
                prefix=prefix,
                expires_in_days=expires_in_days,
            ),
        )
    expires_at = token.expires_at or now
    return CreatedApiToken(token.id, clean, prefix, expires_at, plaintext)


def list_api_tokens(*, session: Session, actor: Actor) -> list[ApiTokenOut]:
    """The actor's own tokens, newest first."""
    now = clock.utc_now()
    stmt = (
        select(ApiToken)
        .where(ApiToken.user_id == actor.user_id)
        .order_by(ApiToken.created_at.desc())
    )
    return [
        ApiTokenOut(
            t.id,
            t.name,
            t.prefix,
            t.created_at,
            t.expires_at,
            t.last_used_at,
            t.revoked_at,
            _is_live(t, now),
        )
        for t in session.scalars(stmt)
    ]


def revoke_api_token(*, session: Session, actor: Actor, token_id: uuid.UUID) -> None:
    """Revoke one of the actor's own tokens; someone else's answers as not found (AC-1)."""
    now = clock.utc_now()
    with atomic(session):
        token = session.get(ApiToken, token_id)
        if token is None or token.user_id != actor.user_id:
            raise NotFound()
        if token.revoked_at is not None:
            return
        token.revoked_at = now
        record(session, _event("auth.api_token_revoked", actor, token.id, prefix=token.prefix))


# Built once: the token with its owner and the owner's organisation, as plain columns. Loading
# them as ORM objects (joined eager loads) cost several times the query on every API request.
_TOKEN_OWNER = (
    select(
        ApiToken.id,
        ApiToken.prefix,
        ApiToken.created_at,
        ApiToken.expires_at,
        ApiToken.last_used_at,
        ApiToken.revoked_at,
        User.id,
        User.username,
        User.display_name,
        User.organisation_id,
        User.role,
        User.team_id,
        User.active,
        Organisation.name,
        Organisation.active,
    )
    .join(User, User.id == ApiToken.user_id)
    .join(Organisation, Organisation.id == User.organisation_id)
    .where(ApiToken.token_hash == bindparam("token_hash"))
)
_TOUCH = (
    update(ApiToken)
    .where(ApiToken.id == bindparam("token_id"))
    .values(last_used_at=bindparam("now"))
)


def resolve_api_token(*, session: Session, token: str | None) -> ApiToken | None:
    """The live token for a ``Bearer`` value whose owner's account is open, else ``None``.

    The token and its owner are returned as detached objects holding what the request needs
    (the owner's identity, role and organisation), read by one statement."""
    prefix = api_token_prefix(token) if token else None
    if token is None or prefix is None:
        return None
    row = session.connection().execute(_TOKEN_OWNER, {"token_hash": token_digest(token)}).first()
    now = clock.utc_now()
    if row is None:
        return None
    (token_id, token_prefix, created_at, expires_at, last_used_at, revoked_at) = row[:6]
    (user_id, username, display_name, org_id, role, team_id, user_active) = row[6:13]
    org_name, org_active = row[13:]
    if token_prefix != prefix or revoked_at is not None:
        return None
    if (expires_at is not None and now >= expires_at) or not (user_active and org_active):
        return None
    if last_used_at is None or should_touch(last_used_at, now, API_TOKEN_TOUCH_INTERVAL):
        with atomic(session):
            session.execute(_TOUCH, {"token_id": token_id, "now": now})
        last_used_at = now
    organisation = Organisation(id=org_id, name=org_name, active=org_active)
    user = User(
        id=user_id,
        username=username,
        display_name=display_name,
        organisation_id=org_id,
        organisation=organisation,
        role=role,
        team_id=team_id,
        active=user_active,
    )
    return ApiToken(
        id=token_id,
        user_id=user_id,
        prefix=token_prefix,
        created_at=created_at,
        expires_at=expires_at,
        last_used_at=last_used_at,
        revoked_at=revoked_at,
        user=user,
    )
