"""Incidents held by one organisation and the people involved in them."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from joinedup.common.clock import utc_now
from joinedup.common.enums import str_enum
from joinedup.db import Base, IdMixin
from joinedup.incidents.schemas import IncidentSource, InvolvementRole, TimePrecision


class Incident(IdMixin, Base):
    """An incident or concern recorded by one organisation under its own reference."""

    __tablename__ = "incident"
    __table_args__ = (
        UniqueConstraint("organisation_id", "reference"),
        Index("ix_incident_organisation_id_occurred_at", "organisation_id", "occurred_at"),
    )

    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"))
    reference: Mapped[str] = mapped_column(String(80))
    category: Mapped[str] = mapped_column(String(40), index=True)
    occurred_at: Mapped[datetime | None] = mapped_column(default=None)
    occurred_precision: Mapped[TimePrecision] = mapped_column(
        str_enum(TimePrecision, "time_precision"), default=TimePrecision.MINUTE
    )
    reported_at: Mapped[datetime | None] = mapped_column(default=None)
    location_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("location.id"), default=None, index=True
    )
    narrative: Mapped[str] = mapped_column(Text, default="")
    # Clinical notes (e.g. a mental-health assessment): visible only to permitted roles (AC-2).
    clinical_notes: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[IncidentSource] = mapped_column(
        str_enum(IncidentSource, "incident_source"), default=IncidentSource.PARTNER
    )
    outcome: Mapped[str] = mapped_column(String(120), default="")
    context: Mapped[str] = mapped_column(Text, default="")
    no_location: Mapped[bool] = mapped_column(default=False)
    outside_area: Mapped[bool] = mapped_column(default=False)
    recorded_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("app_user.id"), default=None
    )
    # A digest of what the partner sent (API, CSV): the same reference sent again with the same
    # content is "already present"; with different content it is refused, never overwritten.
    content_hash: Mapped[str | None] = mapped_column(String(64), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now, onupdate=utc_now)


class Involvement(Base):
    """A person record's involvement in an incident, with the role the recorder gave."""

    __tablename__ = "incident_person"

    incident_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("incident.id", ondelete="CASCADE"), primary_key=True
    )
    person_record_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("person_record.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    role: Mapped[InvolvementRole] = mapped_column(
        str_enum(InvolvementRole, "involvement_role"), primary_key=True
    )


class ImportRun(IdMixin, Base):
    """One file import by an organisation: what it held, what happened, and its problem rows."""

    __tablename__ = "import_run"
    __table_args__ = (
        Index("ix_import_run_organisation_id_started_at", "organisation_id", "started_at"),
    )

    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"))
    file_format: Mapped[str] = mapped_column(String(20))
    file_name: Mapped[str] = mapped_column(String(200))
    started_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("app_user.id"), default=None)
    started_at: Mapped[datetime] = mapped_column(default=utc_now)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
    strict: Mapped[bool] = mapped_column(default=False)
    outcome: Mapped[str] = mapped_column(String(20), default="running")
    counts: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    # Notes about the files (e.g. "read as Windows-1252"): no row content.
    notices: Mapped[list[str] | None] = mapped_column(JSON, default=list)
    # The problem rows as CSV (file, line, column, reason): never row content.
    report_csv: Mapped[str] = mapped_column(Text, default="")


class IdempotentRequest(Base):
    """An API write made under an ``Idempotency-Key``: a retry gets the first response back."""

    __tablename__ = "idempotent_request"

    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisation.id"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    response: Mapped[dict[str, object]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utc_now, index=True)
