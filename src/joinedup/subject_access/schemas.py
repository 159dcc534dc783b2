"""Subject access requests and packs: API shapes."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field


class PackFormat(enum.StrEnum):
    """What a pack can be written as."""

    HTML = "html"
    PDF = "pdf"
    JSON = "json"


class SarIn(BaseModel):
    """A new request, anchored on a person record the handling organisation holds."""

    person_record_id: uuid.UUID
    received_on: date | None = None


class SarOut(BaseModel):
    """A request with its one-month clock."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    reference: str
    organisation_id: uuid.UUID
    person_record_id: uuid.UUID | None
    received_on: date
    due_on: date
    status: str
    created_at: datetime
    completed_at: datetime | None
    overdue: bool = False


class OtherPerson(BaseModel):
    """Someone else involved in an incident, shown by their role only (third-party redaction)."""

    role: str
    text: str


class PackIncident(BaseModel):
    """An incident the subject was involved in, with others redacted."""

    reference: str
    organisation_name: str
    category: str
    occurred_at: datetime | None
    subject_role: str
    location: str
    others: list[OtherPerson] = Field(default_factory=list)
    narrative: str = ""
    clinical_notes: str = ""


class PackRecord(BaseModel):
    """One organisation's record of the subject, with the subject's own details."""

    record_id: uuid.UUID
    organisation_name: str
    reference: str
    name: str
    date_of_birth: date | None
    gender: str
    address: str
    incidents: list[PackIncident]


class Pack(BaseModel):
    """A subject access pack: every record linked to the anchor, third parties redacted."""

    sar_reference: str
    handling_organisation: str
    received_on: date
    due_on: date
    generated_at: datetime
    records: list[PackRecord]
    redaction_note: str


class SarFormIn(BaseModel):
    """The page form: a record reference the organisation holds and the date of receipt."""

    reference: str = Field(min_length=1, max_length=80)
    received_on: date | None = None
