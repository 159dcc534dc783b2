"""Access requests and grants: enums and API shapes."""

from __future__ import annotations

import enum


class AccessRequestStatus(enum.StrEnum):
    """Where a "known to" access request is."""

    PENDING = "pending"
    APPROVED = "approved"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


class GrantKind(enum.StrEnum):
    """How a time-limited access grant came about."""

    REQUEST = "request"
    BREAK_GLASS = "break_glass"
