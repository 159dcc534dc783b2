"""Server-side sign-in sessions, log-in attempts (for throttling) and API tokens."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from joinedup.common.clock import utc_now
from joinedup.db import Base, IdMixin
from joinedup.partners.models import User


class UserSession(IdMixin, Base):
    """A signed-in browser session. Only the SHA-256 of the cookie token is stored."""

    __tablename__ = "user_session"

    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("app_user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    last_seen_at: Mapped[datetime] = mapped_column(default=utc_now)
    expires_at: Mapped[datetime]
    reauthenticated_at: Mapped[datetime] = mapped_column(default=utc_now)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
    revoked_reason: Mapped[str] = mapped_column(String(40), default="")

    user: Mapped[User] = relationship()


class LoginAttempt(IdMixin, Base):
    """One log-in attempt; the user name is stored as a digest so no identity sits here."""

    __tablename__ = "login_attempt"
    __table_args__ = (
        Index("ix_login_attempt_username_digest_at", "username_digest", "at"),
        Index("ix_login_attempt_ip_at", "ip", "at"),
    )

    username_digest: Mapped[str] = mapped_column(String(64))
    ip: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(default=utc_now)
    succeeded: Mapped[bool] = mapped_column(default=False)


class ApiToken(IdMixin, Base):
    """A per-user API token for a partner system; only its digest is stored."""

    __tablename__ = "api_token"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("app_user.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    prefix: Mapped[str] = mapped_column(String(12))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    expires_at: Mapped[datetime | None] = mapped_column(default=None)
    last_used_at: Mapped[datetime | None] = mapped_column(default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)

    user: Mapped[User] = relationship()


class SignInChallenge(IdMixin, Base):
    """A pending second-factor step: the password was right, a TOTP code is still due.

    Kept in the database rather than a signed cookie so that each challenge is single-use, its
    wrong codes are counted, and an accepted code's time step can never be accepted again.
    """

    __tablename__ = "sign_in_challenge"

    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("app_user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    expires_at: Mapped[datetime]
    failed_codes: Mapped[int] = mapped_column(default=0)
    completed_at: Mapped[datetime | None] = mapped_column(default=None)
    totp_step: Mapped[int | None] = mapped_column(BigInteger, default=None)

    user: Mapped[User] = relationship()
