"""What the link review pages and API take and give: pairs, evidence, decisions."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from joinedup.people.schemas import PersonOut


class Answer(enum.StrEnum):
    """A reviewer's answer to "Are these the same person?"."""

    SAME = "same"
    DIFFERENT = "different"


class ReviewDecisionIn(BaseModel):
    """A reviewer's decision on a pair, with an optional note."""

    model_config = ConfigDict(extra="forbid")

    decision: Answer
    note: str = Field(default="", max_length=1000)


class UnmergeIn(BaseModel):
    """Why a link is being undone (optional)."""

    model_config = ConfigDict(extra="forbid")

    note: str = Field(default="", max_length=1000)


class EvidenceOut(BaseModel):
    """One comparison's contribution (a log2 Bayes factor); the first is the prior."""

    comparison: str
    label: str
    weight: float


class ReviewSummaryOut(BaseModel):
    """A pair in the queue."""

    id: uuid.UUID
    match_probability: float
    reason: str
    status: str


class SideOut(BaseModel):
    """One record of a pair, masked to what the reviewer may see."""

    person: PersonOut
    organisation_name: str
    entity_size: int = Field(description="records linked together with this one, itself included")


class ReviewOut(BaseModel):
    """A pair side by side with the evidence for and against."""

    id: uuid.UUID
    status: str
    match_probability: float
    match_weight: float
    reason: str
    created_at: datetime
    decided_at: datetime | None
    left: SideOut
    right: SideOut
    evidence: list[EvidenceOut]


class LinkDecisionOut(BaseModel):
    """A change to the linked records: a merge, an automatic join, a batch run, or an undo."""

    id: uuid.UUID
    kind: str
    match_probability: float | None
    moved_record_ids: list[uuid.UUID]
    partner_record_id: uuid.UUID | None
    review_id: uuid.UUID | None
    undoes_id: uuid.UUID | None
    evidence: list[EvidenceOut]
    note: str
    created_at: datetime


class ReviewDecisionOut(BaseModel):
    """The pair's status after the decision, and the merge it made (none for "different")."""

    id: uuid.UUID
    status: str
    decision: LinkDecisionOut | None
