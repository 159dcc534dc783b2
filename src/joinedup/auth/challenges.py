"""Pending second-factor challenges: issued after a good password, used once (AUTH-1)."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime

from sqlalchemy import exists, select
from sqlalchemy.orm import Session, joinedload

from joinedup.auth.models import SignInChallenge
from joinedup.auth.rules import CHALLENGE_LIFETIME, MAX_CODES_PER_CHALLENGE, MAX_SECRET_LENGTH
from joinedup.common.ids import new_token, token_digest
from joinedup.db import atomic
from joinedup.partners.models import User

log = logging.getLogger("joinedup.auth")


def issue_challenge(session: Session, user: User, now: datetime) -> tuple[str, SignInChallenge]:
    """A new challenge for ``user`` and its secret token (for a short-lived cookie)."""
    token = new_token()
    challenge = SignInChallenge(
        token_hash=token_digest(token),
        user_id=user.id,
        user=user,
        created_at=now,
        expires_at=now + CHALLENGE_LIFETIME,
    )
    with atomic(session):
        session.add(challenge)
    log.info("password accepted; second factor due", extra={"user_id": str(user.id)})
    return token, challenge


def live_challenge(session: Session, token: str, now: datetime) -> SignInChallenge | None:
    """The challenge for ``token`` if unused, unexpired and not worn out by wrong codes."""
    if not token or len(token) > MAX_SECRET_LENGTH:
        return None
    stmt = (
        select(SignInChallenge)
        .options(joinedload(SignInChallenge.user).joinedload(User.organisation))
        .where(SignInChallenge.token_hash == token_digest(token))
    )
    challenge = session.scalars(stmt).first()
    if challenge is None or challenge.completed_at is not None or now >= challenge.expires_at:
        return None
    return None if challenge.failed_codes >= MAX_CODES_PER_CHALLENGE else challenge


def step_used(session: Session, user_id: uuid.UUID, step: int) -> bool:
    """True when a code of this time step (or a later one) was already accepted for the user."""
    stmt = select(
        exists().where(SignInChallenge.user_id == user_id, SignInChallenge.totp_step >= step)
    )
    return bool(session.scalar(stmt))
