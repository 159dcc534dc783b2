"""A person as held by one organisation (no shared identifier across agencies)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from joinedup.common.clock import utc_now
from joinedup.common.enums import str_enum
from joinedup.db import Base, IdMixin
from joinedup.people.schemas import Gender


class PersonRecord(IdMixin, Base):
    """One organisation's record of a person, under its own reference."""

    __tablename__ = "person_record"
    __table_args__ = (
        UniqueConstraint("organisation_id", "reference"),
        Index("ix_person_record_surname_first_name", "surname", "first_name"),
        # Same-person look-ups (people.linking) start from the date of birth.
        Index("ix_person_record_date_of_birth", "date_of_birth"),
    )

    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"), index=True)
    reference: Mapped[str] = mapped_column(String(80))
    first_name: Mapped[str] = mapped_column(String(100), default="")
    middle_names: Mapped[str] = mapped_column(String(200), default="")
    surname: Mapped[str] = mapped_column(String(100), default="")
    date_of_birth: Mapped[date | None] = mapped_column(default=None)
    gender: Mapped[Gender] = mapped_column(str_enum(Gender, "gender"), default=Gender.NOT_KNOWN)
    address_line: Mapped[str] = mapped_column(String(300), default="")
    town: Mapped[str] = mapped_column(String(100), default="")
    postcode: Mapped[str] = mapped_column(String(10), default="")
    # A refuge or safe address: never disclosed beyond the holder's permitted roles (SHR-4).
    address_confidential: Mapped[bool] = mapped_column(default=False)
    location_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("location.id"), default=None)
    vulnerability_markers: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now, onupdate=utc_now)
