"""Purpose declarations, "known to" access requests and time-limited access grants."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from joinedup.access.schemas import AccessRequestStatus, GrantKind
from joinedup.common.clock import utc_now
from joinedup.common.enums import str_enum
from joinedup.db import Base, IdMixin


class PurposeDeclaration(IdMixin, Base):
    """Why a user opened a record (AUD-2); reused for the same record until it expires."""

    __tablename__ = "purpose_declaration"
    __table_args__ = (Index("ix_purpose_declaration_user_record", "user_id", "record_id"),)

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("app_user.id"))
    session_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user_session.id"), default=None
    )
    record_type: Mapped[str] = mapped_column(String(40))
    record_id: Mapped[uuid.UUID]
    purpose: Mapped[str] = mapped_column(String(40))
    justification: Mapped[str] = mapped_column(Text, default="")
    declared_at: Mapped[datetime] = mapped_column(default=utc_now)
    expires_at: Mapped[datetime]


class AccessRequest(IdMixin, Base):
    """A practitioner's request, after a "known to" signpost, to see another organisation's
    record; the holding organisation approves or declines it with a reason."""

    __tablename__ = "access_request"
    __table_args__ = (Index("ix_access_request_holder_status", "holder_organisation_id", "status"),)

    requester_user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("app_user.id"), index=True)
    requester_organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"))
    holder_organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"))
    person_record_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("person_record.id", ondelete="CASCADE"), index=True
    )
    # A request from a "known to" signpost matched on encodings (linkage.pprl_models): the
    # holder's own reference for its record, named to the holder only; ``person_record_id`` is
    # then the requester's side's record that was matched, and no grant follows an approval.
    holder_reference: Mapped[str | None] = mapped_column(String(200), default=None)
    data_categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    purpose: Mapped[str] = mapped_column(String(40))
    justification: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[AccessRequestStatus] = mapped_column(
        str_enum(AccessRequestStatus, "access_request_status"), default=AccessRequestStatus.PENDING
    )
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    decided_by_user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("app_user.id"), default=None
    )
    decided_at: Mapped[datetime | None] = mapped_column(default=None)
    decision_reason: Mapped[str] = mapped_column(Text, default="")


class AccessGrant(IdMixin, Base):
    """Time-limited access for one user to one record held by another organisation: from an
    approved access request, or break-glass (SHR-2)."""

    __tablename__ = "access_grant"
    __table_args__ = (
        Index("ix_access_grant_grantee_record", "grantee_user_id", "person_record_id"),
    )

    kind: Mapped[GrantKind] = mapped_column(str_enum(GrantKind, "grant_kind"))
    grantee_user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("app_user.id"))
    grantee_organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"))
    holder_organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"))
    person_record_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("person_record.id", ondelete="CASCADE")
    )
    data_categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    purpose: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(Text, default="")
    request_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("access_request.id"), default=None
    )
    granted_by_user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("app_user.id"), default=None
    )
    starts_at: Mapped[datetime] = mapped_column(default=utc_now)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)


class PolicyGeneration(Base):
    """One row whose random token changes, by database trigger in the same transaction, with
    every change to agreements, their parties and access grants: a process may keep those facts
    while the token it loaded them under is still current (``access.context``, AC-5)."""

    __tablename__ = "policy_generation"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    token: Mapped[str] = mapped_column(String(32))
