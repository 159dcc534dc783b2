"""The information-governance review queue: enums and API shapes."""

from __future__ import annotations

import enum


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
