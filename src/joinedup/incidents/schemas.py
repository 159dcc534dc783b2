"""Incidents as one organisation holds them."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict


class InvolvementRole(enum.StrEnum):
    """A person's role in an incident, as the recording organisation gave it."""

    VICTIM = "victim"
    SUSPECT = "suspect"
    WITNESS = "witness"
    SUBJECT_OF_CONCERN = "subject_of_concern"
    REPORTER = "reporter"

    @property
    def label(self) -> str:
        """How people name this role."""
        return self.value.replace("_", " ").capitalize()


class IncidentSource(enum.StrEnum):
    """How an incident reached JoinedUp."""

    PARTNER = "partner"
    POLICE_UK = "police_uk"
    API = "api"
    CSV = "csv"
    PUBLIC = "public"


class TimePrecision(enum.StrEnum):
    """How precisely ``occurred_at`` is known (police.uk publishes only the month)."""

    MINUTE = "minute"
    DAY = "day"
    MONTH = "month"


class IncidentSummary(BaseModel):
    """An incident in a list."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    organisation_id: uuid.UUID
    reference: str
    category: str
    category_label: str
    occurred_at: datetime | None
    occurred_precision: TimePrecision
    location_description: str
    district: str | None


class InvolvementOut(BaseModel):
    """A person's involvement in an incident."""

    person_id: uuid.UUID
    name: str
    role: InvolvementRole
