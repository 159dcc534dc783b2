"""Districts, LSOAs and locations."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from joinedup.db import Base, IdMixin


class District(Base):
    """A local authority district or borough (Surrey has 11; others appear in police data)."""

    __tablename__ = "district"

    name: Mapped[str] = mapped_column(String(80), primary_key=True)
    in_area: Mapped[bool] = mapped_column(default=False)


class Lsoa(Base):
    """A Lower layer Super Output Area (code like E01030330)."""

    __tablename__ = "lsoa"

    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    district_name: Mapped[str] = mapped_column(ForeignKey("district.name"), index=True)


class Location(IdMixin, Base):
    """A place where something happened or someone lives."""

    __tablename__ = "location"
    __table_args__ = (
        Index("ix_location_h3_cell", "h3_cell"),
        # Places with no LSOA (partner-entered) are found again by their description.
        Index("ix_location_description", "description"),
    )

    description: Mapped[str] = mapped_column(String(300), default="")
    latitude: Mapped[float | None] = mapped_column(default=None)
    longitude: Mapped[float | None] = mapped_column(default=None)
    h3_cell: Mapped[str | None] = mapped_column(String(16), default=None)
    lsoa_code: Mapped[str | None] = mapped_column(ForeignKey("lsoa.code"), default=None, index=True)
    district_name: Mapped[str | None] = mapped_column(ForeignKey("district.name"), default=None)
    postcode: Mapped[str] = mapped_column(String(10), default="")
    uprn: Mapped[str | None] = mapped_column(String(12), default=None)
