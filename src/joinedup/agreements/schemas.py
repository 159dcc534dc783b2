"""The Community Safety Agreement and information-sharing agreements: enums and API shapes."""

from __future__ import annotations

import enum
import uuid
from datetime import date

from pydantic import BaseModel, ConfigDict, Field


class DataCategory(enum.StrEnum):
    """Categories of personal data an information-sharing agreement covers."""

    IDENTITY = "identity"
    CONTACT_ADDRESS = "contact_address"
    INCIDENT = "incident"
    ASB = "asb"
    DOMESTIC_ABUSE = "domestic_abuse"
    MENTAL_HEALTH = "mental_health"
    PHYSICAL_HEALTH = "physical_health"
    CRIMINAL_INTELLIGENCE = "criminal_intelligence"
    SAFEGUARDING_CHILDREN = "safeguarding_children"
    SAFEGUARDING_ADULTS = "safeguarding_adults"
    HOUSING = "housing"

    @property
    def label(self) -> str:
        """How people name this data category."""
        return DATA_CATEGORY_LABELS[self]


DATA_CATEGORY_LABELS = {
    DataCategory.IDENTITY: "Identity",
    DataCategory.CONTACT_ADDRESS: "Contact and address",
    DataCategory.INCIDENT: "Incidents",
    DataCategory.ASB: "Anti-social behaviour",
    DataCategory.DOMESTIC_ABUSE: "Domestic abuse",
    DataCategory.MENTAL_HEALTH: "Mental health",
    DataCategory.PHYSICAL_HEALTH: "Physical health",
    DataCategory.CRIMINAL_INTELLIGENCE: "Criminal intelligence",
    DataCategory.SAFEGUARDING_CHILDREN: "Safeguarding children",
    DataCategory.SAFEGUARDING_ADULTS: "Safeguarding adults",
    DataCategory.HOUSING: "Housing",
}


class Purpose(enum.StrEnum):
    """Purposes for which personal data may be shared and read."""

    CRIME_AND_DISORDER = "crime_and_disorder"
    SAFEGUARDING = "safeguarding"
    CASE_COORDINATION = "case_coordination"
    MARAC = "marac"
    STATISTICS = "statistics"

    @property
    def label(self) -> str:
        """How people name this purpose."""
        return PURPOSE_LABELS[self]


PURPOSE_LABELS = {
    Purpose.CRIME_AND_DISORDER: "Prevent and detect crime and disorder",
    Purpose.SAFEGUARDING: "Safeguarding",
    Purpose.CASE_COORDINATION: "Case coordination",
    Purpose.MARAC: "MARAC",
    Purpose.STATISTICS: "Statistics",
}


class LawfulBasis(enum.StrEnum):
    """The lawful basis an information-sharing agreement relies on."""

    CDA_S115 = "cda_1998_s115"
    CDA_S17A = "cda_1998_s17a"
    PUBLIC_TASK_SUBSTANTIAL_PUBLIC_INTEREST = "ukgdpr_6_1_e_9_2_g"
    DPA_PART3_LAW_ENFORCEMENT = "dpa_2018_part3"
    CONSENT = "consent"
    SERIOUS_VIOLENCE_DUTY = "pcsc_2022_serious_violence"

    @property
    def label(self) -> str:
        """The lawful basis as cited in an agreement."""
        return LAWFUL_BASIS_LABELS[self]


LAWFUL_BASIS_LABELS = {
    LawfulBasis.CDA_S115: "Crime and Disorder Act 1998 s115 (power to disclose)",
    LawfulBasis.CDA_S17A: "Crime and Disorder Act 1998 s17A (depersonalised data)",
    LawfulBasis.PUBLIC_TASK_SUBSTANTIAL_PUBLIC_INTEREST: (
        "UK GDPR Art 6(1)(e) with Art 9(2)(g) and DPA 2018 Schedule 1 condition"
    ),
    LawfulBasis.DPA_PART3_LAW_ENFORCEMENT: "Data Protection Act 2018 Part 3 (law enforcement)",
    LawfulBasis.CONSENT: "Consent of the data subject",
    LawfulBasis.SERIOUS_VIOLENCE_DUTY: "Police, Crime, Sentencing and Courts Act 2022 s16",
}


class AgreementStatus(enum.StrEnum):
    """Where an information-sharing agreement is in its life."""

    DRAFT = "draft"
    ACTIVE = "active"
    EXPIRED = "expired"
    REVOKED = "revoked"


class CommitmentStatus(enum.StrEnum):
    """Progress on a partner's commitment under a priority."""

    NOT_STARTED = "not_started"
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    DONE = "done"


class SharingAgreementIn(BaseModel):
    """A new information-sharing agreement; unknown fields are rejected."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=3, max_length=200)
    reference: str = Field(min_length=1, max_length=40)
    party_ids: list[uuid.UUID] = Field(min_length=2)
    data_categories: list[DataCategory] = Field(min_length=1)
    purposes: list[Purpose] = Field(min_length=1)
    lawful_bases: list[LawfulBasis] = Field(min_length=1)
    known_to_allowed: bool = False
    valid_from: date
    valid_to: date | None = None
    review_date: date | None = None


class SharingAgreementOut(BaseModel):
    """An information-sharing agreement as shown to signed-in users."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    title: str
    reference: str
    data_categories: list[DataCategory]
    purposes: list[Purpose]
    lawful_bases: list[LawfulBasis]
    known_to_allowed: bool
    valid_from: date
    valid_to: date | None
    review_date: date | None
    status: AgreementStatus
    party_names: list[str]
