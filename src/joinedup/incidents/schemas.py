"""Incidents as one organisation holds them."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    JsonValue,
    field_validator,
    model_validator,
)

from joinedup.common.text import refuse_nul
from joinedup.people.schemas import PersonIn


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


# --- Intake: what a partner sends (form, API, batch API, JoinedUp incident CSV) ---------------

MAX_PEOPLE = 50
MAX_BATCH = 1000
_NO_CONTROL = r"^[^\x00-\x1f\x7f]*$"


class LocationIn(BaseModel):
    """Where an incident happened: a description, a postcode, coordinates, or any of them."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*")
    @classmethod
    def _no_nul(cls, value: object) -> object:
        return refuse_nul(value)

    description: str = Field(default="", max_length=300, pattern=_NO_CONTROL)
    postcode: str = Field(default="", max_length=10, pattern=_NO_CONTROL)
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)

    @model_validator(mode="after")
    def _both_coordinates_or_neither(self) -> LocationIn:
        if (self.latitude is None) != (self.longitude is None):
            raise ValueError("give both latitude and longitude, or neither")
        return self

    @property
    def empty(self) -> bool:
        """True when nothing says where."""
        return not (self.description.strip() or self.postcode.strip() or self.latitude is not None)


class InvolvementIn(BaseModel):
    """A person involved and their role: an existing record of the sender's organisation
    (``person_id``) or a person given in full (matched to an existing record by reference)."""

    model_config = ConfigDict(extra="forbid")

    role: InvolvementRole
    person_id: uuid.UUID | None = None
    person: PersonIn | None = None

    @model_validator(mode="after")
    def _one_way_to_name_the_person(self) -> InvolvementIn:
        if (self.person_id is None) == (self.person is None):
            raise ValueError("give exactly one of person_id or person")
        return self


def _category_codes() -> list[JsonValue]:
    from joinedup.incidents.taxonomy import CATEGORIES

    return [c.code for c in CATEGORIES]


class IncidentIn(BaseModel):
    """A new incident from a partner. ``reference`` is the partner's own, unique per
    organisation: sending the same incident again is harmless (idempotent)."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*")
    @classmethod
    def _no_nul(cls, value: object) -> object:
        return refuse_nul(value)

    reference: str = Field(
        min_length=1, max_length=80, pattern=r"^[^\x00-\x1f\x7f]*\S[^\x00-\x1f\x7f]*$"
    )
    category: str = Field(
        min_length=1,
        max_length=40,
        description="A taxonomy code (docs/taxonomy.md)",
        json_schema_extra=lambda schema: schema.update(enum=_category_codes()),
    )
    occurred_at: AwareDatetime | None = None
    occurred_precision: TimePrecision = TimePrecision.MINUTE
    reported_at: AwareDatetime | None = None
    location: LocationIn | None = None
    narrative: str = Field(default="", max_length=20_000)
    clinical_notes: str = Field(default="", max_length=20_000)
    outcome: str = Field(default="", max_length=120, pattern=_NO_CONTROL)
    people: list[InvolvementIn] = Field(default_factory=list, max_length=MAX_PEOPLE)

    @field_validator("reference")
    @classmethod
    def _trimmed(cls, value: str) -> str:
        return value.strip()

    @field_validator("category")
    @classmethod
    def _known_category(cls, value: str) -> str:
        from joinedup.incidents.taxonomy import BY_CODE

        if value not in BY_CODE:
            raise ValueError("not a category in the JoinedUp taxonomy (see docs/taxonomy.md)")
        return value

    @model_validator(mode="after")
    def _reported_after_it_happened(self) -> IncidentIn:
        if self.occurred_at and self.reported_at and self.reported_at < self.occurred_at:
            raise ValueError("reported_at is before occurred_at")
        return self


class IntakeStatus(enum.StrEnum):
    """What became of one incident sent."""

    CREATED = "created"
    ALREADY_PRESENT = "already_present"
    REJECTED = "rejected"


class IntakeError(BaseModel):
    """Why an item was refused: the field (dotted path) and the reason."""

    field: str
    message: str


class IntakeResult(BaseModel):
    """The outcome for one incident sent, in the order sent."""

    index: int
    reference: str | None
    status: IntakeStatus
    id: uuid.UUID | None = None
    errors: list[IntakeError] = Field(default_factory=list)


class BatchIn(BaseModel):
    """Up to 1,000 incidents in one request; each is accepted or refused on its own."""

    model_config = ConfigDict(extra="forbid")

    items: list[dict[str, object]] = Field(min_length=1, max_length=MAX_BATCH)


class BatchOut(BaseModel):
    """Per-item results and their counts."""

    created: int
    already_present: int
    rejected: int
    results: list[IntakeResult]
