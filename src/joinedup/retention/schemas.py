"""Retention: modes and the summary of a run."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class RetentionMode(enum.StrEnum):
    """What happens to a record past its retention period."""

    ERASE = "erase"
    FLAG = "flag"


class RetentionSummary(BaseModel):
    """What one retention run found and did (counts only)."""

    mode: RetentionMode
    dry_run: bool
    persons_past: int = 0
    incidents_past: int = 0
    erased: dict[str, int] = Field(default_factory=dict)
    flagged: int = 0
    purged: dict[str, int] = Field(default_factory=dict)


class Decision(enum.StrEnum):
    """What an information-governance lead decides about a record past its period."""

    ERASE = "erase"
    KEEP = "keep"


class DecisionIn(BaseModel):
    """A keep-or-erase decision; keeping needs how long (whole years, up to 6)."""

    model_config = ConfigDict(extra="forbid")

    decision: Decision
    keep_years: int | None = Field(default=None, ge=1, le=6)


class ReviewOut(BaseModel):
    """A flagged record awaiting a decision (ids and dates only)."""

    id: uuid.UUID
    record_type: str
    record_id: uuid.UUID
    flagged_at: datetime
    status: str
    keep_until: datetime | None
