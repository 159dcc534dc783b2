"""Sign-in, sessions, step-up and sign-out (AUTH-1, SES-1, SES-2, AC-5).

Each action is one transaction with its audit event inside it. Refusals (a wrong password, a
throttled attempt) are committed first, since the failed attempt and its audit event must
survive, and raised afterwards: call these functions outside any open ``atomic`` block.
Time is read through ``clock.utc_now`` at call time so that tests can move it.

Accounts (``create_user``, ``close_account``) and API tokens live in ``auth.accounts`` and
``auth.api_tokens`` and are re-exported here: other packages import ``auth.service`` only.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from joinedup.access.actor import Actor
from joinedup.audit.events import AuditEvent
from joinedup.audit.service import record
from joinedup.auth.accounts import (
    account_open,
    close_account,
    create_user,
    end_sessions_for_user,
)
from joinedup.auth.api_tokens import (
    ApiTokenOut,
    CreatedApiToken,
    create_api_token,
    list_api_tokens,
    resolve_api_token,
    revoke_api_token,
)
from joinedup.auth.attempts import Attempt, check_throttle, record_failure, record_success
from joinedup.auth.challenges import issue_challenge, live_challenge, step_used
from joinedup.auth.errors import ChallengeExpired, SignInFailed
from joinedup.auth.models import SignInChallenge, UserSession
from joinedup.auth.passwords import burn_verification, hash_password, needs_rehash
from joinedup.auth.passwords import verify_password as _verify
from joinedup.auth.rules import (
    MAX_SECRET_LENGTH,
    REAUTHENTICATION_MINUTES,
    SessionTimes,
    is_recent,
    match_totp,
    session_end_reason,
    should_touch,
    username_digest,
)
from joinedup.common import clock
from joinedup.common.errors import Forbidden
from joinedup.common.ids import new_token, token_digest
from joinedup.config import Settings, get_settings
from joinedup.db import atomic
from joinedup.partners.models import User

__all__ = [
    "ApiTokenOut",
    "CreatedApiToken",
    "SignInResult",
    "close_account",
    "complete_sign_in",
    "create_api_token",
    "create_user",
    "end_sessions_for_user",
    "list_api_tokens",
    "reauthenticate",
    "recently_reauthenticated",
    "resolve_api_token",
    "resolve_session",
    "revoke_api_token",
    "sign_in",
    "sign_out",
]

log = logging.getLogger("joinedup.auth")
MAX_PASSWORD_LENGTH = 1024


@dataclass(frozen=True, slots=True)
class SignInResult:
    """A good password: either a new session (its cookie token) or a TOTP step still due."""

    user_id: uuid.UUID
    session_id: uuid.UUID | None = None
    session_token: str | None = None
    challenge_token: str | None = None

    @property
    def needs_totp(self) -> bool:
        """True when the user must still enter a code from their authenticator app."""
        return self.challenge_token is not None


def _user_event(name: str, user: User, **details: str | int | bool | None) -> AuditEvent:
    return AuditEvent(
        name=name,
        actor_user_id=user.id,
        actor_organisation_id=user.organisation_id,
        actor_role=user.role.value,
        record_type="user",
        record_id=str(user.id),
        details=details,
    )


def _user_by_name(session: Session, username: str) -> User | None:
    name = username.strip().lower()
    if not name or len(name) > 80:
        return None
    stmt = select(User).options(joinedload(User.organisation)).where(User.username == name)
    return session.scalars(stmt).first()


def _check_password(session: Session, user: User | None, password: str, attempt: Attempt) -> User:
    """The user when the password is right and the account open; else a recorded refusal."""
    password = password[:MAX_PASSWORD_LENGTH]
    if user is None:
        burn_verification(password)
        ok, reason = False, "credentials"
    else:
        ok = _verify(user.password_hash, password)
        reason = "credentials" if not ok else "account_closed"
        ok = ok and account_open(user)
    if not ok or user is None:
        record_failure(session=session, attempt=attempt, user=user, reason=reason)
        raise SignInFailed()
    if needs_rehash(user.password_hash):
        # Same password, stronger parameters: who can sign in does not change.
        with atomic(session):
            user.password_hash = hash_password(password)
            record(session, _user_event("user.updated", user, change="password_rehashed"))
    return user


def sign_in(
    *,
    session: Session,
    username: str,
    password: str,
    ip: str,
    totp_code: str | None = None,
    settings: Settings | None = None,
    replaces_token: str | None = None,
) -> SignInResult:
    """Check a user name and password (throttled first); open a session or a TOTP step."""
    cfg = settings or get_settings()
    now = clock.utc_now()
    digest = username_digest(cfg.secret_key, username[:200])
    attempt = Attempt(digest=digest, ip=ip[:64], now=now, stage="password")
    check_throttle(session=session, settings=cfg, attempt=attempt)
    user = _check_password(session, _user_by_name(session, username), password, attempt)
    if not user.totp_secret:
        return _open_session(session, cfg, user, attempt, replaces_token=replaces_token)
    challenge_token, challenge = issue_challenge(session, user, now)
    if totp_code is None:
        return SignInResult(user_id=user.id, challenge_token=challenge_token)
    return _finish_with_code(
        session, cfg, challenge, totp_code, attempt, replaces_token=replaces_token
    )


def complete_sign_in(
    *,
    session: Session,
    challenge_token: str,
    totp_code: str,
    ip: str,
    settings: Settings | None = None,
    replaces_token: str | None = None,
) -> SignInResult:
    """Finish a sign-in with a TOTP code (one step either side, each code used once)."""
    cfg = settings or get_settings()
    now = clock.utc_now()
    challenge = live_challenge(session, challenge_token, now)
    if challenge is None:
        raise ChallengeExpired()
    digest = username_digest(cfg.secret_key, challenge.user.username)
    attempt = Attempt(digest=digest, ip=ip[:64], now=now, stage="totp")
    return _finish_with_code(
        session, cfg, challenge, totp_code, attempt, replaces_token=replaces_token
    )


def _finish_with_code(
    session: Session,
    cfg: Settings,
    challenge: SignInChallenge,
    code: str,
    attempt: Attempt,
    *,
    replaces_token: str | None,
) -> SignInResult:
    user = challenge.user
    attempt = Attempt(digest=attempt.digest, ip=attempt.ip, now=attempt.now, stage="totp")
    check_throttle(session=session, settings=cfg, attempt=attempt)
    secret = user.totp_secret
    step = match_totp(secret, code[:20], attempt.now) if secret else None
    if step is not None and step_used(session, user.id, step):
        step = None  # a code already accepted once is refused: no replay
    if step is None or not account_open(user):
        reason = "wrong_code" if step is None else "account_closed"
        with atomic(session):
            challenge.failed_codes += 1
            record_failure(
                session=session, attempt=attempt, user=user, reason=reason, event="auth.totp_failed"
            )
        raise SignInFailed("Enter the correct security code")
    return _open_session(
        session,
        cfg,
        user,
        attempt,
        replaces_token=replaces_token,
        challenge=challenge,
        totp_step=step,
    )


def _open_session(
    session: Session,
    cfg: Settings,
    user: User,
    attempt: Attempt,
    *,
    replaces_token: str | None,
    challenge: SignInChallenge | None = None,
    totp_step: int | None = None,
) -> SignInResult:
    token = new_token()  # a fresh 256-bit token at every sign-in (SES-1 rotation)
    now = attempt.now
    user_session = UserSession(
        token_hash=token_digest(token),
        csrf_token=new_token(),
        user_id=user.id,
        created_at=now,
        last_seen_at=now,
        expires_at=now + timedelta(hours=cfg.session_absolute_hours),
        reauthenticated_at=now,
    )
    with atomic(session):
        replaced = _revoke_by_token(session, replaces_token, now) if replaces_token else None
        if challenge is not None:
            challenge.completed_at, challenge.totp_step = now, totp_step
        session.add(user_session)
        record_success(session=session, attempt=attempt)
        session.flush()
        record(
            session,
            _user_event(
                "auth.login_succeeded",
                user,
                ip=attempt.ip,
                session_id=str(user_session.id),
                replaced_session_id=str(replaced) if replaced else None,
                second_factor=totp_step is not None,
            ),
        )
    return SignInResult(user_id=user.id, session_id=user_session.id, session_token=token)


def _revoke(user_session: UserSession, now: datetime, reason: str) -> None:
    user_session.revoked_at = now
    user_session.revoked_reason = reason[:40]


def _revoke_by_token(session: Session, token: str, now: datetime) -> uuid.UUID | None:
    if len(token) > MAX_SECRET_LENGTH:
        return None
    stmt = select(UserSession).where(UserSession.token_hash == token_digest(token))
    old = session.scalars(stmt).first()
    if old is None or old.revoked_at is not None:
        return None
    _revoke(old, now, "replaced")
    return old.id


def resolve_session(
    *, session: Session, token: str | None, settings: Settings | None = None
) -> UserSession | None:
    """The live session for a cookie token; ends it when idle, too old or its user is closed."""
    if not token or len(token) > MAX_SECRET_LENGTH:
        return None
    cfg = settings or get_settings()
    stmt = (
        select(UserSession)
        .options(joinedload(UserSession.user).joinedload(User.organisation))
        .where(UserSession.token_hash == token_digest(token))
    )
    user_session = session.scalars(stmt).first()
    if user_session is None or user_session.revoked_at is not None:
        return None
    now = clock.utc_now()
    times = SessionTimes(
        user_session.last_seen_at, user_session.expires_at, cfg.session_idle_minutes
    )
    reason = session_end_reason(times, now)
    if reason is None and not account_open(user_session.user):
        reason = "account_closed"  # AC-5: a closed account stops at the next request
    if reason is not None:
        with atomic(session):
            _revoke(user_session, now, reason)
            record(
                session,
                _user_event(
                    "auth.session_expired",
                    user_session.user,
                    session_id=str(user_session.id),
                    reason=reason,
                ),
            )
        return None
    if should_touch(user_session.last_seen_at, now):
        with atomic(session):
            user_session.last_seen_at = now
    return user_session


def sign_out(*, session: Session, actor: Actor) -> None:
    """End the actor's browser session on the server (SES-1)."""
    if actor.session_id is None:
        return
    now = clock.utc_now()
    with atomic(session):
        user_session = session.get(UserSession, actor.session_id)
        if user_session is None or user_session.revoked_at is not None:
            return
        _revoke(user_session, now, "signed_out")
        record(
            session,
            AuditEvent(
                name="auth.logged_out",
                actor_user_id=actor.user_id,
                actor_organisation_id=actor.organisation_id,
                actor_role=actor.role.value,
                details={"session_id": str(actor.session_id)},
            ),
        )


def reauthenticate(
    *, session: Session, actor: Actor, password: str, ip: str, settings: Settings | None = None
) -> None:
    """Step-up (SES-2): check the password again and mark the session as just re-authenticated."""
    if actor.session_id is None or actor.via_api_token:
        raise Forbidden()
    cfg = settings or get_settings()
    now = clock.utc_now()
    user = session.get(User, actor.user_id)
    user_session = session.get(UserSession, actor.session_id)
    if user is None or user_session is None:
        raise Forbidden()
    digest = username_digest(cfg.secret_key, user.username)
    attempt = Attempt(digest=digest, ip=ip[:64], now=now, stage="reauthenticate")
    check_throttle(session=session, settings=cfg, attempt=attempt)
    try:
        _check_password(session, user, password, attempt)
    except SignInFailed:
        raise SignInFailed("Enter your correct password") from None
    with atomic(session):
        user_session.reauthenticated_at = now
        record(session, _user_event("auth.reauthenticated", user, session_id=str(user_session.id)))


def recently_reauthenticated(
    user_session: UserSession, minutes: int = REAUTHENTICATION_MINUTES
) -> bool:
    """True when the session's password was entered within the last ``minutes`` minutes."""
    return is_recent(user_session.reauthenticated_at, clock.utc_now(), minutes)
