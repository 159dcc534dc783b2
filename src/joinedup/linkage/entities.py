"""Linkage in the database: people as entities of person records, the index, reviews, decisions.

Every person record belongs to at most one ``person_entity`` (through ``person_entity_member``);
a record not yet matched is queued in ``linkage_pending`` by a database trigger on insert and on
a change of any compared field (migration ``0012_person_linkage``), whatever path wrote it.
``linkage_block_key`` is the index of blocking keys used to find candidates for one record in
real time; ``linkage_term_frequency`` holds how common each value is (term-frequency
adjustments). Pairs in the review band become ``link_review`` rows; every merge, unmerge and
automatic join is a ``link_decision`` with the records it moved, so any of them can be undone.

No personal values are stored here beyond what the records hold: keys are 64-bit hashes,
evidence is comparison labels and weights.
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Float,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from joinedup.common.clock import utc_now
from joinedup.common.enums import str_enum
from joinedup.db import Base, IdMixin


class ReviewStatus(enum.StrEnum):
    """Where a pair for review stands."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    # Both records ended up in one entity by another decision: nothing left to decide.
    SETTLED = "settled"

    @property
    def label(self) -> str:
        return {
            ReviewStatus.PENDING: "Waiting for review",
            ReviewStatus.ACCEPTED: "Same person",
            ReviewStatus.REJECTED: "Not the same person",
            ReviewStatus.SETTLED: "Settled by another decision",
        }[self]


class DecisionKind(enum.StrEnum):
    """What a linkage decision did."""

    AUTOMATIC = "automatic"  # real-time matching joined a record to an entity
    MERGE = "merge"  # a reviewer said two records are the same person
    UNMERGE = "unmerge"  # a merge (or automatic join) was undone
    BATCH = "batch"  # a batch run re-clustered entities


class JoinedBy(enum.StrEnum):
    """How a record came to be in its entity."""

    NEW = "new"  # no match: an entity of its own
    AUTOMATIC = "automatic"
    REVIEW = "review"
    BATCH = "batch"


class LinkageModelRow(IdMixin, Base):
    """A trained model (the JSON document ``linkage.model`` writes); one is active."""

    __tablename__ = "linkage_model"
    __table_args__ = (UniqueConstraint("name", "version"),)

    name: Mapped[str] = mapped_column(String(80))
    version: Mapped[str] = mapped_column(String(40))
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(default=False)
    record_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)


class TermFrequency(Base):
    """How common a cleaned value is among the records (share of non-blank values)."""

    __tablename__ = "linkage_term_frequency"

    column_name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(300), primary_key=True)
    frequency: Mapped[float] = mapped_column(Float)


class PersonEntity(IdMixin, Base):
    """One person as the partnership knows them: the records linked together."""

    __tablename__ = "person_entity"

    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now, onupdate=utc_now)


class EntityMember(Base):
    """A record's place in an entity; a record is in one entity at most."""

    __tablename__ = "person_entity_member"

    person_record_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("person_record.id", ondelete="CASCADE"), primary_key=True
    )
    entity_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("person_entity.id", ondelete="CASCADE"), index=True
    )
    joined_by: Mapped[JoinedBy] = mapped_column(str_enum(JoinedBy, "joined_by"))
    # The match probability that joined it (None for a new entity or a reviewer's merge).
    match_probability: Mapped[float | None] = mapped_column(Float, default=None)
    joined_at: Mapped[datetime] = mapped_column(default=utc_now)


class BlockKey(Base):
    """One blocking key of a record: a 64-bit hash of a blocking rule's values."""

    __tablename__ = "linkage_block_key"
    # On SQLite the table is its primary key's b-tree (no separate rowid table): one write
    # less per key, and a look-up by key reads the records' ids from the same pages.
    __table_args__ = (
        Index("ix_linkage_block_key_record", "person_record_id"),
        {"sqlite_with_rowid": False},
    )

    key: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    person_record_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("person_record.id", ondelete="CASCADE"), primary_key=True
    )


class LinkagePending(Base):
    """A record to match: filled by trigger on insert and on a change of compared fields."""

    __tablename__ = "linkage_pending"

    person_record_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("person_record.id", ondelete="CASCADE"), primary_key=True
    )
    queued_at: Mapped[datetime] = mapped_column(default=utc_now)


class LinkReview(IdMixin, Base):
    """Two records that may be the same person, with the evidence, for a person to decide."""

    __tablename__ = "link_review"
    __table_args__ = (
        UniqueConstraint("record_a_id", "record_b_id"),
        Index("ix_link_review_status", "status"),
        Index("ix_link_review_record_b", "record_b_id"),
    )

    # record_a_id < record_b_id, so a pair is stored once.
    record_a_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("person_record.id", ondelete="CASCADE")
    )
    record_b_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("person_record.id", ondelete="CASCADE")
    )
    match_probability: Mapped[float] = mapped_column(Float)
    match_weight: Mapped[float] = mapped_column(Float)
    # [{"comparison", "label", "weight"}...] plus the prior: labels and weights only (AUD-4).
    evidence: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # Why it was not joined automatically: the review band, or the household rule's reason.
    reason: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[ReviewStatus] = mapped_column(
        str_enum(ReviewStatus, "review_status"), default=ReviewStatus.PENDING
    )
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    decided_at: Mapped[datetime | None] = mapped_column(default=None)
    decided_by_user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("app_user.id"), default=None
    )
    note: Mapped[str] = mapped_column(String(1000), default="")


class LinkDecision(IdMixin, Base):
    """A change to entities: which records moved from where to where, by whom, and why."""

    __tablename__ = "link_decision"
    __table_args__ = (Index("ix_link_decision_entity", "entity_id"),)

    kind: Mapped[DecisionKind] = mapped_column(str_enum(DecisionKind, "decision_kind"))
    # The entity the records moved into, and the one they came from.
    entity_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    from_entity_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    moved_record_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The record on the other side of the pair that justified the move (for an undo, the pair
    # then marked "not the same person").
    partner_record_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("person_record.id", ondelete="SET NULL"), default=None
    )
    review_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("link_review.id", ondelete="SET NULL"), default=None
    )
    # An unmerge names the decision it undid; an undone decision names its undoing.
    undoes_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    undone_by_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    match_probability: Mapped[float | None] = mapped_column(Float, default=None)
    evidence: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("app_user.id"), default=None)
    note: Mapped[str] = mapped_column(String(1000), default="")
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
