"""Items for the information-governance lead / DPO to review. No personal data in them."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from joinedup.common.clock import utc_now
from joinedup.common.enums import str_enum
from joinedup.db import Base, IdMixin
from joinedup.oversight.schemas import ReviewKind, ReviewStatus


class ReviewItem(IdMixin, Base):
    """Something a DPO must look at: a break-glass access, a sharing override, or a misuse
    signal (MON-1). ``details`` holds ids and counts only."""

    __tablename__ = "review_item"
    __table_args__ = (Index("ix_review_item_status_created_at", "status", "created_at"),)

    kind: Mapped[ReviewKind] = mapped_column(str_enum(ReviewKind, "review_kind"))
    status: Mapped[ReviewStatus] = mapped_column(
        str_enum(ReviewStatus, "review_status"), default=ReviewStatus.OPEN
    )
    organisation_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("organisation.id"), default=None, index=True
    )
    subject_user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("app_user.id"), default=None
    )
    grant_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("access_grant.id"), default=None)
    details: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    dedupe_key: Mapped[str | None] = mapped_column(String(120), unique=True, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)
    closed_by_user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("app_user.id"), default=None
    )
    outcome: Mapped[str] = mapped_column(String(40), default="")
    outcome_note: Mapped[str] = mapped_column(Text, default="")


class ScanState(Base):
    """How far the misuse-monitoring job has read the audit ledger (one row)."""

    __tablename__ = "oversight_scan_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    last_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    scanned_at: Mapped[datetime] = mapped_column(default=utc_now)
