"""Reads of the review queue: an IG lead sees the items of their own organisation only."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from joinedup.access.actor import Actor
from joinedup.access.models import AccessGrant
from joinedup.common.errors import NotFound
from joinedup.common.pagination import PER_PAGE, Page, paginate
from joinedup.oversight.models import ReviewItem
from joinedup.oversight.schemas import GrantView, ReviewDetail, ReviewOut, ReviewStatus
from joinedup.partners.models import User
from joinedup.partners.schemas import Role


def _mine(actor: Actor) -> bool:
    return actor.role is Role.IG_LEAD


def list_for(
    session: Session,
    actor: Actor,
    status: ReviewStatus | None = ReviewStatus.OPEN,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> Page[ReviewOut]:
    """Review items of the actor's organisation, oldest open first."""
    stmt = select(ReviewItem).where(ReviewItem.organisation_id == actor.organisation_id)
    if not _mine(actor):
        stmt = stmt.where(ReviewItem.id.is_(None))
    if status is not None:
        stmt = stmt.where(ReviewItem.status == status)
    stmt = stmt.order_by(ReviewItem.created_at, ReviewItem.id)
    result = paginate(session, stmt, page, per_page)
    return Page(
        items=[ReviewOut.model_validate(r) for r in result.items],
        page=result.page,
        per_page=result.per_page,
        total=result.total,
    )


def get(session: Session, actor: Actor, review_id: uuid.UUID) -> ReviewDetail:
    """One review item of the actor's organisation, with its break-glass grant if any."""
    item = session.get(ReviewItem, review_id)
    if item is None or not _mine(actor) or item.organisation_id != actor.organisation_id:
        raise NotFound()
    subject = session.get(User, item.subject_user_id) if item.subject_user_id else None
    grant_view = None
    if item.grant_id is not None:
        grant = session.get(AccessGrant, item.grant_id)
        if grant is not None:
            grantee = session.get(User, grant.grantee_user_id)
            grant_view = GrantView(
                person_record_id=grant.person_record_id,
                grantee_username=grantee.username if grantee else "",
                grantee_display_name=grantee.display_name if grantee else "",
                reason=grant.reason,
                starts_at=grant.starts_at,
                expires_at=grant.expires_at,
            )
    return ReviewDetail(
        item=ReviewOut.model_validate(item),
        subject_username=subject.username if subject else "",
        grant=grant_view,
    )
