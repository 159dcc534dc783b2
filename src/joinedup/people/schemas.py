"""Person records as one organisation holds them."""

from __future__ import annotations

import enum
import uuid
from datetime import date

from pydantic import BaseModel, ConfigDict, Field, field_validator

from joinedup.common.text import refuse_nul


class Gender(enum.StrEnum):
    """Gender as partners record it."""

    FEMALE = "female"
    MALE = "male"
    NON_BINARY = "non_binary"
    NOT_KNOWN = "not_known"


class VulnerabilityMarker(enum.StrEnum):
    """Vulnerability markers a partner may set on its own record of a person."""

    MENTAL_HEALTH = "mental_health"
    LEARNING_DISABILITY = "learning_disability"
    PHYSICAL_DISABILITY = "physical_disability"
    SUBSTANCE_MISUSE = "substance_misuse"
    ALCOHOL_MISUSE = "alcohol_misuse"
    ELDERLY = "elderly"
    CHILD = "child"
    CARE_LEAVER = "care_leaver"
    DOMESTIC_ABUSE_VICTIM = "domestic_abuse_victim"
    EXPLOITATION_RISK = "exploitation_risk"
    SOCIAL_ISOLATION = "social_isolation"
    HOMELESS = "homeless"

    @property
    def label(self) -> str:
        """How people name this marker."""
        return self.value.replace("_", " ").capitalize()


# What a payload carries instead of a value the reader may not see (AC-2, SHR-5).
MASKED = "[withheld]"


class PersonIn(BaseModel):
    """A new or changed person record held by the actor's organisation; unknown fields are
    rejected, not ignored (AC-2)."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*")
    @classmethod
    def _no_nul(cls, value: object) -> object:
        return refuse_nul(value)

    reference: str = Field(min_length=1, max_length=80)
    first_name: str = Field(default="", max_length=100)
    middle_names: str = Field(default="", max_length=200)
    surname: str = Field(default="", max_length=100)
    date_of_birth: date | None = None
    gender: Gender = Gender.NOT_KNOWN
    address_line: str = Field(default="", max_length=300)
    town: str = Field(default="", max_length=100)
    postcode: str = Field(default="", max_length=10)
    address_confidential: bool = False
    vulnerability_markers: list[VulnerabilityMarker] = Field(default_factory=list)


class PersonSummary(BaseModel):
    """A person record in a list."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    organisation_id: uuid.UUID
    reference: str
    first_name: str
    surname: str
    date_of_birth: date | None
    postcode: str
    address_masked: bool = False


class PersonOut(PersonSummary):
    """A person record in full, as its holder sees it."""

    middle_names: str
    gender: Gender
    address_line: str
    town: str
    vulnerability_markers: list[VulnerabilityMarker]
