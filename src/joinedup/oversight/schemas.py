"""The information-governance review queue: enums and API shapes."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class ReviewKind(enum.StrEnum):
    """Why an item is on the DPO's review queue."""

    BREAK_GLASS = "break_glass"
    SHARE_OVERRIDE = "share_override"
    NO_CASE_RELATIONSHIP = "no_case_relationship"
    HIGH_VOLUME_READS = "high_volume_reads"
    REPEATED_DENIALS = "repeated_denials"
    OUT_OF_HOURS_BULK = "out_of_hours_bulk"
    COLLEAGUE_SEARCH = "colleague_search"
    RETENTION = "retention"


class ReviewStatus(enum.StrEnum):
    """Open until a reviewer closes it with an outcome."""

    OPEN = "open"
    CLOSED = "closed"


class ReviewOutcome(enum.StrEnum):
    """How a reviewer closed an item."""

    APPROPRIATE = "appropriate"
    INAPPROPRIATE = "inappropriate"
    NEEDS_MORE_INFORMATION = "needs_more_information"


OUTCOME_LABELS = {
    ReviewOutcome.APPROPRIATE: "Appropriate",
    ReviewOutcome.INAPPROPRIATE: "Inappropriate — referred for action",
    ReviewOutcome.NEEDS_MORE_INFORMATION: "Needs more information",
}

KIND_LABELS = {
    ReviewKind.BREAK_GLASS: "Break-glass access",
    ReviewKind.SHARE_OVERRIDE: "Sharing override",
    ReviewKind.NO_CASE_RELATIONSHIP: "Access with no case relationship",
    ReviewKind.HIGH_VOLUME_READS: "High-volume reads",
    ReviewKind.REPEATED_DENIALS: "Repeated denials",
    ReviewKind.OUT_OF_HOURS_BULK: "Out-of-hours bulk reads",
    ReviewKind.COLLEAGUE_SEARCH: "Record matching a colleague opened",
    ReviewKind.RETENTION: "Retention",
}


class CloseIn(BaseModel):
    """A reviewer's outcome and note."""

    outcome: ReviewOutcome
    note: str = Field(min_length=1, max_length=2000)


class ReviewOut(BaseModel):
    """A review item as the queue shows it: ids, counts and the outcome — no personal data."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    kind: ReviewKind
    status: ReviewStatus
    organisation_id: uuid.UUID | None
    subject_user_id: uuid.UUID | None
    grant_id: uuid.UUID | None
    details: dict[str, object]
    created_at: datetime
    closed_at: datetime | None
    outcome: str
    outcome_note: str


class GrantView(BaseModel):
    """The break-glass grant behind a review item, for the reviewer (the reason is shown here)."""

    person_record_id: uuid.UUID | None
    grantee_username: str
    grantee_display_name: str
    reason: str
    starts_at: datetime
    expires_at: datetime


class ReviewDetail(BaseModel):
    """One review item with the user it concerns and, for break-glass, its grant."""

    item: ReviewOut
    subject_username: str
    grant: GrantView | None
