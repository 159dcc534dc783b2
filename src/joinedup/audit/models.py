"""The audit ledger: append-only rows chained by SHA-256."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, BigInteger, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from joinedup.audit.events import Operation
from joinedup.common.enums import str_enum
from joinedup.db import Base


class LedgerEntry(Base):
    """One audit event; ``entry_hash`` covers the entry and the previous entry's hash."""

    __tablename__ = "audit_ledger"
    __table_args__ = (
        Index("ix_audit_ledger_record", "record_type", "record_id"),
        Index("ix_audit_ledger_actor_organisation_id_at", "actor_organisation_id", "at"),
        Index("ix_audit_ledger_record_organisation_id_at", "record_organisation_id", "at"),
    )

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    at: Mapped[datetime]
    operation: Mapped[Operation] = mapped_column(str_enum(Operation, "audit_operation"))
    name: Mapped[str] = mapped_column(String(60))
    actor_user_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    actor_organisation_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    actor_role: Mapped[str] = mapped_column(String(40), default="")
    record_type: Mapped[str] = mapped_column(String(40), default="")
    record_id: Mapped[str] = mapped_column(String(64), default="")
    # The organisation holding the record, so each can see who read its records (AUD-8).
    record_organisation_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    purpose: Mapped[str] = mapped_column(String(40), default="")
    justification: Mapped[str] = mapped_column(Text, default="")
    recipient_organisation_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    recipient_person: Mapped[str] = mapped_column(String(200), default="")
    details: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64), unique=True)


class LedgerHead(Base):
    """A single row holding the newest sequence number and hash; locked to serialise writers."""

    __tablename__ = "audit_ledger_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, default=0)
    entry_hash: Mapped[str] = mapped_column(String(64))
