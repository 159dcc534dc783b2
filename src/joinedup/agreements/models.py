"""The Community Safety Agreement (priorities, commitments, indicators) and sharing agreements."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from joinedup.agreements.schemas import AgreementStatus, CommitmentStatus
from joinedup.common.clock import utc_now
from joinedup.common.enums import str_enum
from joinedup.db import Base, IdMixin
from joinedup.partners.models import Organisation


class CommunitySafetyAgreement(IdMixin, Base):
    """The partnership's agreement for a period: its signatories and priorities."""

    __tablename__ = "community_safety_agreement"

    title: Mapped[str] = mapped_column(String(200))
    area: Mapped[str] = mapped_column(String(120))
    period_start: Mapped[date]
    period_end: Mapped[date]
    summary: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utc_now)

    signatories: Mapped[list[Signatory]] = relationship(order_by="Signatory.signed_on")
    priorities: Mapped[list[Priority]] = relationship(order_by="Priority.position")


class Signatory(Base):
    """An organisation that signed the agreement."""

    __tablename__ = "agreement_signatory"

    agreement_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("community_safety_agreement.id"), primary_key=True
    )
    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisation.id"), primary_key=True
    )
    signed_on: Mapped[date]
    signed_by: Mapped[str] = mapped_column(String(200), default="")

    organisation: Mapped[Organisation] = relationship()


class Priority(IdMixin, Base):
    """One of the agreement's priorities (e.g. violence against women and girls)."""

    __tablename__ = "agreement_priority"

    agreement_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("community_safety_agreement.id"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")

    commitments: Mapped[list[Commitment]] = relationship(order_by="Commitment.due_date")
    indicators: Mapped[list[OutcomeIndicator]] = relationship(order_by="OutcomeIndicator.name")


class Commitment(IdMixin, Base):
    """What a named partner commits to under a priority, by when."""

    __tablename__ = "agreement_commitment"

    priority_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agreement_priority.id"), index=True)
    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"), index=True)
    description: Mapped[str] = mapped_column(Text)
    due_date: Mapped[date]
    status: Mapped[CommitmentStatus] = mapped_column(
        str_enum(CommitmentStatus, "commitment_status"), default=CommitmentStatus.NOT_STARTED
    )

    organisation: Mapped[Organisation] = relationship()


class OutcomeIndicator(IdMixin, Base):
    """A measure of whether a priority is being met."""

    __tablename__ = "agreement_indicator"

    priority_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agreement_priority.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(40), default="")
    baseline: Mapped[float | None] = mapped_column(default=None)
    target: Mapped[float | None] = mapped_column(default=None)
    direction: Mapped[str] = mapped_column(String(10), default="down")


class SharingAgreement(IdMixin, Base):
    """An information-sharing agreement: who may share what with whom, why, on which basis."""

    __tablename__ = "sharing_agreement"

    title: Mapped[str] = mapped_column(String(200))
    reference: Mapped[str] = mapped_column(String(40), unique=True)
    data_categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    purposes: Mapped[list[str]] = mapped_column(JSON, default=list)
    lawful_bases: Mapped[list[str]] = mapped_column(JSON, default=list)
    known_to_allowed: Mapped[bool] = mapped_column(default=False)
    valid_from: Mapped[date]
    valid_to: Mapped[date | None] = mapped_column(default=None)
    review_date: Mapped[date | None] = mapped_column(default=None)
    status: Mapped[AgreementStatus] = mapped_column(
        str_enum(AgreementStatus, "agreement_status"), default=AgreementStatus.DRAFT
    )
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)

    parties: Mapped[list[SharingAgreementParty]] = relationship(cascade="all, delete-orphan")


class SharingAgreementParty(Base):
    """An organisation that is party to a sharing agreement."""

    __tablename__ = "sharing_agreement_party"

    agreement_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("sharing_agreement.id"), primary_key=True
    )
    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisation.id"), primary_key=True
    )

    organisation: Mapped[Organisation] = relationship()
