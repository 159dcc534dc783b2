"""Organisations, teams and users."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from joinedup.common.clock import utc_now
from joinedup.common.enums import str_enum
from joinedup.db import Base, IdMixin
from joinedup.partners.schemas import OrgKind, Role


class Organisation(IdMixin, Base):
    """A partner organisation (police force, council, trust, charity...)."""

    __tablename__ = "organisation"

    name: Mapped[str] = mapped_column(String(200), unique=True)
    short_name: Mapped[str] = mapped_column(String(40), default="")
    kind: Mapped[OrgKind] = mapped_column(str_enum(OrgKind, "org_kind"))
    district: Mapped[str] = mapped_column(String(80), default="")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)

    teams: Mapped[list[Team]] = relationship(back_populates="organisation", order_by="Team.name")


class Team(IdMixin, Base):
    """A team inside an organisation (e.g. the ASB team of a borough council)."""

    __tablename__ = "team"
    __table_args__ = (UniqueConstraint("organisation_id", "name"),)

    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))

    organisation: Mapped[Organisation] = relationship(back_populates="teams")


class User(IdMixin, Base):
    """A person who signs in to JoinedUp on behalf of one organisation."""

    __tablename__ = "app_user"

    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(200), default="")
    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"), index=True)
    team_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("team.id"), default=None)
    role: Mapped[Role] = mapped_column(str_enum(Role, "user_role"))
    password_hash: Mapped[str] = mapped_column(String(200))
    totp_secret: Mapped[str | None] = mapped_column(String(64), default=None)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    password_changed_at: Mapped[datetime] = mapped_column(default=utc_now)

    organisation: Mapped[Organisation] = relationship()
    team: Mapped[Team | None] = relationship()
