"""User accounts as sign-in sees them: creating one (password hashed) and closing one (AC-5)."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from joinedup.access.actor import Actor
from joinedup.access.policy import Action, Resource, can
from joinedup.audit.events import AuditEvent
from joinedup.audit.service import record
from joinedup.auth.models import UserSession
from joinedup.auth.passwords import hash_password
from joinedup.common import clock
from joinedup.common.errors import Conflict, Forbidden, NotFound, ValidationFailed
from joinedup.db import atomic
from joinedup.partners.models import Organisation, Team, User
from joinedup.partners.schemas import UserIn


def account_open(user: User) -> bool:
    """True when the user and their organisation are both active."""
    return user.active and user.organisation.active


def _event(
    name: str, actor: Actor | None, user_id: uuid.UUID, **details: str | int | bool | None
) -> AuditEvent:
    return AuditEvent(
        name=name,
        actor_user_id=actor.user_id if actor else None,
        actor_organisation_id=actor.organisation_id if actor else None,
        actor_role=actor.role.value if actor else "",
        record_type="user",
        record_id=str(user_id),
        details=dict(details),
    )


def _check_placement(session: Session, user_in: UserIn) -> None:
    org = session.get(Organisation, user_in.organisation_id)
    if org is None or not org.active:
        raise ValidationFailed({"organisation_id": "Choose an active organisation"})
    if user_in.team_id is not None:
        team = session.get(Team, user_in.team_id)
        if team is None or team.organisation_id != org.id:
            raise ValidationFailed({"team_id": "Choose a team of that organisation"})


def create_user(
    *,
    session: Session,
    actor: Actor | None,
    user_in: UserIn,
    totp_secret: str | None = None,
) -> User:
    """Create an account with an argon2id password hash; ``None`` actor means the CLI/demo."""
    if actor is not None and not can(actor, Action.MANAGE_USERS, Resource("user")):
        raise Forbidden()
    # Hash before the transaction opens: argon2 is deliberately slow and SQLite has one writer.
    password_hash = hash_password(user_in.password)
    data = user_in.model_dump(exclude={"password"})
    try:
        with atomic(session):
            if session.scalar(select(User.id).where(User.username == user_in.username)):
                raise Conflict("A user with that user name already exists")
            _check_placement(session, user_in)
            user = User(**data, password_hash=password_hash, totp_secret=totp_secret)
            session.add(user)
            session.flush()
            record(
                session,
                _event(
                    "user.created",
                    actor,
                    user.id,
                    role=user.role.value,
                    organisation_id=str(user.organisation_id),
                    second_factor=totp_secret is not None,
                ),
            )
    except IntegrityError:
        # Two creations racing for one user name: the loser sees the same answer as above.
        raise Conflict("A user with that user name already exists") from None
    return user


def close_account(*, session: Session, actor: Actor | None, user_id: uuid.UUID) -> None:
    """Deactivate an account and end its sessions (AC-5); API tokens stop with the account."""
    if actor is not None and not can(actor, Action.MANAGE_USERS, Resource("user")):
        raise Forbidden()
    if actor is not None and actor.user_id == user_id:
        raise Forbidden("You cannot close your own account")
    with atomic(session):
        user = session.get(User, user_id)
        if user is None:
            raise NotFound()
        user.active = False
        record(session, _event("user.deactivated", actor, user.id))
        end_sessions_for_user(session=session, user_id=user.id, reason="deactivated", actor=actor)


def end_sessions_for_user(
    *, session: Session, user_id: uuid.UUID, reason: str, actor: Actor | None = None
) -> int:
    """End every live session of a user (AC-5: role change, closed account); returns how many."""
    now = clock.utc_now()
    with atomic(session):
        stmt = select(UserSession).where(
            UserSession.user_id == user_id, UserSession.revoked_at.is_(None)
        )
        live = list(session.scalars(stmt))
        for user_session in live:
            user_session.revoked_at, user_session.revoked_reason = now, reason[:40]
        record(
            session,
            _event("auth.sessions_ended", actor, user_id, reason=reason[:40], count=len(live)),
        )
    return len(live)
