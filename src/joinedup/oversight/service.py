"""Review-queue actions: raise an item (break-glass, misuse signal) and close it with an outcome."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from joinedup.access.actor import Actor
from joinedup.audit.events import AuditEvent
from joinedup.audit.service import record
from joinedup.common import clock
from joinedup.common.errors import Conflict, NotFound
from joinedup.db import atomic
from joinedup.oversight.models import ReviewItem
from joinedup.oversight.schemas import CloseIn, ReviewKind, ReviewOut, ReviewStatus
from joinedup.partners.schemas import Role


def raise_item(
    *,
    session: Session,
    kind: ReviewKind,
    organisation_id: uuid.UUID | None,
    subject_user_id: uuid.UUID | None = None,
    grant_id: uuid.UUID | None = None,
    details: dict[str, object] | None = None,
    dedupe_key: str | None = None,
) -> ReviewItem | None:
    """Add an open item in the caller's transaction; ``None`` when its dedupe key exists."""
    if dedupe_key is not None:
        found = session.scalar(select(ReviewItem.id).where(ReviewItem.dedupe_key == dedupe_key))
        if found is not None:
            return None
    item = ReviewItem(
        kind=kind,
        organisation_id=organisation_id,
        subject_user_id=subject_user_id,
        grant_id=grant_id,
        details=dict(details or {}),
        dedupe_key=dedupe_key,
        created_at=clock.utc_now(),
    )
    session.add(item)
    session.flush()
    return item


def existing_keys(session: Session, keys: list[str]) -> set[str]:
    """Which of ``keys`` are already on the queue."""
    if not keys:
        return set()
    stmt = select(ReviewItem.dedupe_key).where(ReviewItem.dedupe_key.in_(keys))
    return {k for k in session.scalars(stmt) if k is not None}


def close(*, session: Session, actor: Actor, review_id: uuid.UUID, close_in: CloseIn) -> ReviewOut:
    """Close an open item of the actor's organisation with an outcome and note (audited)."""
    with atomic(session):
        item = session.get(ReviewItem, review_id, with_for_update=True)
        if (
            item is None
            or actor.role is not Role.IG_LEAD
            or item.organisation_id != actor.organisation_id
        ):
            raise NotFound()
        if item.status is ReviewStatus.CLOSED:
            raise Conflict("This review item is already closed")
        item.status = ReviewStatus.CLOSED
        item.closed_at = clock.utc_now()
        item.closed_by_user_id = actor.user_id
        item.outcome = close_in.outcome.value
        item.outcome_note = close_in.note
        record(
            session,
            AuditEvent(
                name="review.closed",
                actor_user_id=actor.user_id,
                actor_organisation_id=actor.organisation_id,
                actor_role=actor.role.value,
                record_type="review_item",
                record_id=str(item.id),
                details={
                    "review_id": str(item.id),
                    "kind": item.kind.value,
                    "outcome": item.outcome,
                },
            ),
        )
        session.flush()
        return ReviewOut.model_validate(item)
