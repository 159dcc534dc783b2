"""Subject access requests (UK GDPR Art 15 / DPA 2018 s45) and their one-month clock."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from joinedup.common.clock import utc_now
from joinedup.db import Base, IdMixin


class SubjectAccessRequest(IdMixin, Base):
    """A person's request for their data, anchored on one record; the pack covers every record
    linked to it."""

    __tablename__ = "subject_access_request"

    reference: Mapped[str] = mapped_column(String(40), unique=True)
    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"), index=True)
    person_record_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("person_record.id", ondelete="SET NULL"), default=None
    )
    received_on: Mapped[date]
    due_on: Mapped[date]
    status: Mapped[str] = mapped_column(String(20), default="open")
    created_by_user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("app_user.id"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    completed_at: Mapped[datetime | None] = mapped_column(default=None)
