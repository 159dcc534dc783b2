"""Public concerns, ASB Case Review applications and the portal's rate-limit counters."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from joinedup.common.clock import utc_now
from joinedup.common.enums import str_enum
from joinedup.db import Base, IdMixin
from joinedup.public.schemas import ReportedTo, ReviewStatus


class PublicConcern(IdMixin, Base):
    """A concern a member of the public reported; its content became the lead agency's
    incident. Here: the tracking reference, the secret's digest and the optional contact."""

    __tablename__ = "public_concern"

    reference: Mapped[str] = mapped_column(String(20), unique=True)
    secret_digest: Mapped[str] = mapped_column(String(64))
    lead_organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisation.id"), index=True
    )
    incident_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("incident.id", ondelete="SET NULL"), default=None
    )
    category: Mapped[str] = mapped_column(String(40))
    contact_name: Mapped[str] = mapped_column(String(120), default="")
    contact_email: Mapped[str] = mapped_column(String(200), default="")
    contact_phone: Mapped[str] = mapped_column(String(30), default="")
    received_at: Mapped[datetime] = mapped_column(default=utc_now)


class AsbCaseReview(IdMixin, Base):
    """An application for an ASB Case Review and the lead agency's decisions on it."""

    __tablename__ = "asb_case_review"
    __table_args__ = (
        Index(
            "ix_asb_case_review_lead_organisation_id_received_at",
            "lead_organisation_id",
            "received_at",
        ),
    )

    reference: Mapped[str] = mapped_column(String(20), unique=True)
    secret_digest: Mapped[str] = mapped_column(String(64))
    lead_organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"))
    status: Mapped[ReviewStatus] = mapped_column(
        str_enum(ReviewStatus, "asb_case_review_status"), default=ReviewStatus.RECEIVED
    )
    applicant_name: Mapped[str] = mapped_column(String(120))
    applicant_email: Mapped[str] = mapped_column(String(200), default="")
    applicant_phone: Mapped[str] = mapped_column(String(30), default="")
    on_behalf: Mapped[bool] = mapped_column(default=False)
    victim_name: Mapped[str] = mapped_column(String(120), default="")
    consent_confirmed: Mapped[bool] = mapped_column(default=False)
    impact: Mapped[str] = mapped_column(Text, default="")
    received_at: Mapped[datetime] = mapped_column(default=utc_now)
    acknowledge_due: Mapped[date]
    decision_due: Mapped[date]
    acknowledged_at: Mapped[datetime | None] = mapped_column(default=None)
    acknowledged_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("app_user.id"), default=None
    )
    decided_at: Mapped[datetime | None] = mapped_column(default=None)
    decided_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("app_user.id"), default=None)
    threshold_met: Mapped[bool | None] = mapped_column(default=None)
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    meeting_due: Mapped[date | None] = mapped_column(default=None)
    meeting_on: Mapped[date | None] = mapped_column(default=None)
    meeting_scheduled_at: Mapped[datetime | None] = mapped_column(default=None)
    outcome_at: Mapped[datetime | None] = mapped_column(default=None)
    outcome: Mapped[str] = mapped_column(Text, default="")
    recommendations: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(default=utc_now, onupdate=utc_now)

    incidents: Mapped[list[AsbCaseReviewIncident]] = relationship(
        order_by="AsbCaseReviewIncident.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


class AsbCaseReviewIncident(IdMixin, Base):
    """One incident the applicant reported in the months before applying."""

    __tablename__ = "asb_case_review_incident"

    review_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("asb_case_review.id", ondelete="CASCADE"), index=True
    )
    lead_organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"))
    position: Mapped[int]
    occurred_on: Mapped[date]
    what_happened: Mapped[str] = mapped_column(Text)
    reported_to: Mapped[ReportedTo] = mapped_column(str_enum(ReportedTo, "acr_reported_to"))
    other_body: Mapped[str] = mapped_column(String(120), default="")
    body_reference: Mapped[str] = mapped_column(String(40), default="")


class PublicRateEvent(IdMixin, Base):
    """One counted event of the portal's throttles: a submission, or a failed status check.
    Digests only (keyed with the secret key): never an address, reference or content."""

    __tablename__ = "public_rate_event"
    __table_args__ = (Index("ix_public_rate_event_kind_client_at", "kind", "client_digest", "at"),)

    kind: Mapped[str] = mapped_column(String(20))
    client_digest: Mapped[str] = mapped_column(String(64))
    reference_digest: Mapped[str] = mapped_column(String(64), default="", index=True)
    at: Mapped[datetime] = mapped_column(default=utc_now)
