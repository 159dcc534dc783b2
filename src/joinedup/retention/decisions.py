"""Keep-or-erase decisions on records flagged past their retention period (RET-1, flag mode)."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from joinedup.access.actor import Actor
from joinedup.audit.events import AuditEvent
from joinedup.audit.service import record
from joinedup.common import clock
from joinedup.common.errors import Conflict, NotFound, ValidationFailed
from joinedup.db import atomic
from joinedup.partners.schemas import Role
from joinedup.retention import erasure
from joinedup.retention.models import RetentionReview
from joinedup.retention.schemas import Decision, DecisionIn, ReviewOut

DAYS_A_YEAR = 365


def _out(review: RetentionReview) -> ReviewOut:
    return ReviewOut(
        id=review.id,
        record_type=review.record_type,
        record_id=review.record_id,
        flagged_at=review.flagged_at,
        status=review.status,
        keep_until=review.keep_until,
    )


def open_reviews(session: Session, actor: Actor) -> list[ReviewOut]:
    """The actor's organisation's records awaiting a decision, oldest first (IG leads only)."""
    if actor.role is not Role.IG_LEAD:
        return []
    stmt = (
        select(RetentionReview)
        .where(
            RetentionReview.organisation_id == actor.organisation_id,
            RetentionReview.status == "open",
        )
        .order_by(RetentionReview.flagged_at, RetentionReview.id)
    )
    return [_out(r) for r in session.scalars(stmt)]


def _event(actor: Actor, name: str, review: RetentionReview, **details: int) -> AuditEvent:
    return AuditEvent(
        name=name,
        actor_user_id=actor.user_id,
        actor_organisation_id=actor.organisation_id,
        actor_role=actor.role.value,
        record_type=review.record_type,
        record_id=str(review.record_id),
        record_organisation_id=review.organisation_id,
        details=dict(details),
    )


def decide(
    *, session: Session, actor: Actor, review_id: uuid.UUID, decision_in: DecisionIn
) -> ReviewOut:
    """Erase the record (audited as erasure) or keep it for a number of years (audited)."""
    now = clock.utc_now()
    with atomic(session):
        review = session.get(RetentionReview, review_id)
        mine = review is not None and review.organisation_id == actor.organisation_id
        if review is None or not mine or actor.role is not Role.IG_LEAD:
            raise NotFound()
        if review.status != "open":
            raise Conflict("This record has already been decided")
        review.decided_by_user_id, review.decided_at = actor.user_id, now
        if decision_in.decision is Decision.KEEP:
            if decision_in.keep_years is None:
                raise ValidationFailed({"keep_years": "Choose how long to keep the record"})
            review.status = "kept"
            review.keep_until = now + timedelta(days=DAYS_A_YEAR * decision_in.keep_years)
            record(session, _event(actor, "retention.kept", review, years=decision_in.keep_years))
        else:
            if review.record_type == "incident":
                counts = erasure.erase_incident(session, review.record_id)
            else:
                counts = erasure.erase_person(session, review.record_id)
            review.status = "erased"
            record(session, _event(actor, "record.erased", review, **counts))
    return _out(review)
