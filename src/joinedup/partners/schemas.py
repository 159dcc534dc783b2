"""Partner organisations, teams, users and roles: enums and API shapes."""

from __future__ import annotations

import enum
import uuid

from pydantic import BaseModel, ConfigDict, Field


class OrgKind(enum.StrEnum):
    """The kinds of organisation in a community safety partnership."""

    POLICE = "police"
    DISTRICT_COUNCIL = "district_council"
    COUNTY_COUNCIL = "county_council"
    NHS_ICB = "nhs_icb"
    MENTAL_HEALTH_TRUST = "mental_health_trust"
    VICTIM_SUPPORT = "victim_support"
    DOMESTIC_ABUSE_SERVICE = "domestic_abuse_service"
    HOUSING_PROVIDER = "housing_provider"
    FIRE_AND_RESCUE = "fire_and_rescue"
    PROBATION = "probation"
    YOUTH_JUSTICE = "youth_justice"
    EDUCATION = "education"
    VOLUNTARY_SECTOR = "voluntary_sector"
    COMMISSIONERS_OFFICE = "commissioners_office"

    @property
    def label(self) -> str:
        """How people name this kind of organisation."""
        return ORG_KIND_LABELS[self]


ORG_KIND_LABELS = {
    OrgKind.POLICE: "Police",
    OrgKind.DISTRICT_COUNCIL: "District or borough council",
    OrgKind.COUNTY_COUNCIL: "County council",
    OrgKind.NHS_ICB: "NHS / Integrated Care Board",
    OrgKind.MENTAL_HEALTH_TRUST: "Mental health trust",
    OrgKind.VICTIM_SUPPORT: "Victim support",
    OrgKind.DOMESTIC_ABUSE_SERVICE: "Domestic abuse service",
    OrgKind.HOUSING_PROVIDER: "Housing provider",
    OrgKind.FIRE_AND_RESCUE: "Fire and rescue",
    OrgKind.PROBATION: "Probation",
    OrgKind.YOUTH_JUSTICE: "Youth justice",
    OrgKind.EDUCATION: "Education",
    OrgKind.VOLUNTARY_SECTOR: "Voluntary sector",
    OrgKind.COMMISSIONERS_OFFICE: "Police and Crime Commissioner's office",
}


class Role(enum.StrEnum):
    """What a user does in the partnership; decides what they may do (see access.policy)."""

    PRACTITIONER = "practitioner"
    SUPERVISOR = "supervisor"
    COORDINATOR = "coordinator"
    ANALYST = "analyst"
    IG_LEAD = "ig_lead"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        """How people name this role."""
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.PRACTITIONER: "Practitioner",
    Role.SUPERVISOR: "Supervisor",
    Role.COORDINATOR: "Partnership coordinator",
    Role.ANALYST: "Analyst",
    Role.IG_LEAD: "Information governance lead",
    Role.ADMIN: "Administrator",
}


class OrganisationIn(BaseModel):
    """A new or changed organisation."""

    name: str = Field(min_length=2, max_length=200)
    short_name: str = Field(default="", max_length=40)
    kind: OrgKind
    district: str = Field(default="", max_length=80)


class OrganisationOut(BaseModel):
    """An organisation as shown to signed-in users."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    short_name: str
    kind: OrgKind
    district: str
    active: bool


class TeamIn(BaseModel):
    """A new team in an organisation."""

    name: str = Field(min_length=2, max_length=200)


class TeamOut(BaseModel):
    """A team."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    organisation_id: uuid.UUID
    name: str


class UserIn(BaseModel):
    """A new user account; the password is hashed with argon2id and never stored."""

    username: str = Field(min_length=3, max_length=80, pattern=r"^[a-z0-9._-]+$")
    display_name: str = Field(min_length=2, max_length=200)
    email: str = Field(default="", max_length=200)
    organisation_id: uuid.UUID
    team_id: uuid.UUID | None = None
    role: Role
    password: str = Field(min_length=12, max_length=200)


class UserOut(BaseModel):
    """A user as shown to administrators and colleagues."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    username: str
    display_name: str
    organisation_id: uuid.UUID
    team_id: uuid.UUID | None
    role: Role
    active: bool
