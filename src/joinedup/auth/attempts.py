"""Failed sign-in attempts: the throttle check and the record of each failure (AUTH-1).

Both commit on their own before the caller raises, because a refusal must leave its trace:
the failed attempt feeds the next throttle check and the audit event must survive the error.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from joinedup.audit.events import AuditEvent
from joinedup.audit.service import record
from joinedup.auth.errors import Throttled
from joinedup.auth.models import LoginAttempt
from joinedup.config import Settings
from joinedup.db import atomic
from joinedup.partners.models import User

log = logging.getLogger("joinedup.auth")


@dataclass(frozen=True, slots=True)
class Attempt:
    """One sign-in step as throttling and audit see it: a user-name digest, never the name."""

    digest: str
    ip: str
    now: datetime
    stage: str

    def details(self) -> dict[str, str | int | bool | None]:
        """The audit details every sign-in event carries."""
        return {"username_digest": self.digest, "ip": self.ip, "stage": self.stage}


def _failures_since(session: Session, since: datetime, key: ColumnElement[bool]) -> int:
    stmt = (
        select(func.count())
        .select_from(LoginAttempt)
        .where(LoginAttempt.succeeded.is_(False), LoginAttempt.at >= since, key)
    )
    return int(session.scalar(stmt) or 0)


def check_throttle(*, session: Session, settings: Settings, attempt: Attempt) -> None:
    """Raise ``Throttled`` (audited) when this user name or address failed too often lately."""
    since = attempt.now - timedelta(seconds=settings.login_window_seconds)
    by_user = (
        _failures_since(session, since, LoginAttempt.username_digest == attempt.digest)
        >= settings.login_attempts_per_user
    )
    by_ip = not by_user and (
        _failures_since(session, since, LoginAttempt.ip == attempt.ip)
        >= settings.login_attempts_per_ip
    )
    if not (by_user or by_ip):
        return
    limit = "user_name" if by_user else "ip"
    with atomic(session):
        details = attempt.details() | {"limit": limit}
        record(session, AuditEvent(name="auth.login_throttled", details=details))
    log.warning("sign-in throttled", extra={"stage": attempt.stage, "limit": limit})
    raise Throttled(settings.login_window_seconds)


def record_failure(
    *,
    session: Session,
    attempt: Attempt,
    user: User | None,
    reason: str,
    event: str = "auth.login_failed",
) -> None:
    """Store one failed attempt and its audit event; never the user name or the password."""
    details = attempt.details() | {"reason": reason}
    with atomic(session):
        session.add(
            LoginAttempt(
                username_digest=attempt.digest, ip=attempt.ip, at=attempt.now, succeeded=False
            )
        )
        record(
            session,
            AuditEvent(
                name=event,
                actor_user_id=user.id if user else None,
                actor_organisation_id=user.organisation_id if user else None,
                actor_role=user.role.value if user else "",
                details=details,
            ),
        )
    log.info("sign-in refused", extra={"stage": attempt.stage, "reason": reason})


def record_success(*, session: Session, attempt: Attempt) -> None:
    """Store a successful attempt (inside the caller's transaction)."""
    session.add(
        LoginAttempt(username_digest=attempt.digest, ip=attempt.ip, at=attempt.now, succeeded=True)
    )
