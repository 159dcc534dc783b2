"""Records past their retention period that a person must decide on (flag-for-review mode)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from joinedup.common.clock import utc_now
from joinedup.db import Base, IdMixin


class RetentionReview(IdMixin, Base):
    """A record past its retention period, flagged for a keep-or-erase decision."""

    __tablename__ = "retention_review"
    __table_args__ = (UniqueConstraint("record_type", "record_id"),)

    record_type: Mapped[str] = mapped_column(String(40))
    record_id: Mapped[uuid.UUID]
    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"), index=True)
    flagged_at: Mapped[datetime] = mapped_column(default=utc_now)
    status: Mapped[str] = mapped_column(String(20), default="open")
    decided_by_user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("app_user.id"), default=None
    )
    decided_at: Mapped[datetime | None] = mapped_column(default=None)
    keep_until: Mapped[datetime | None] = mapped_column(default=None)
