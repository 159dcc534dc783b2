"""Retention: modes and the summary of a run."""

from __future__ import annotations

import enum

from pydantic import BaseModel, Field


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
