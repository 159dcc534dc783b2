"""The public portal's shapes: what the public may submit (with length limits on every field),
the receipt and status they get back, and the lead agency's view of an ASB Case Review."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

# Length limits on every field a member of the public fills in.
NAME_MAX = 120
EMAIL_MAX = 200
PHONE_MAX = 30
PLACE_MAX = 200
POSTCODE_MAX = 10
TEXT_MAX = 5000
INCIDENT_TEXT_MAX = 2000
OTHER_BODY_MAX = 120
BODY_REFERENCE_MAX = 40
DECISION_TEXT_MAX = 5000
MAX_INCIDENTS = 12


class ConcernKind(enum.StrEnum):
    """What a member of the public can report; each value is a code of the incident taxonomy."""

    ASB_PERSONAL = "asb_personal"
    ASB_NUISANCE = "asb_nuisance"
    ASB_ENVIRONMENTAL = "asb_environmental"
    NOISE = "noise_complaint"
    WELFARE = "welfare_concern"
    CUCKOOING = "cuckooing_concern"
    HATE = "hate_incident"
    FIRE_SETTING = "deliberate_fire_setting"

    @property
    def label(self) -> str:
        """The option as the public reads it."""
        return CONCERN_LABELS[self][0]

    @property
    def hint(self) -> str:
        """Examples under the option."""
        return CONCERN_LABELS[self][1]


CONCERN_LABELS = {
    ConcernKind.ASB_PERSONAL: (
        "Someone is being targeted by anti-social behaviour",
        "For example harassment, intimidation or threats aimed at a person or family",
    ),
    ConcernKind.ASB_NUISANCE: (
        "Anti-social behaviour affecting the community",
        "For example rowdy groups, drunken behaviour or misuse of a public place",
    ),
    ConcernKind.ASB_ENVIRONMENTAL: (
        "Damage to the surroundings",
        "For example graffiti, litter, fly-tipping or abandoned vehicles",
    ),
    ConcernKind.NOISE: ("Noise", "For example loud music, shouting or parties late at night"),
    ConcernKind.WELFARE: (
        "I am worried about someone's welfare",
        "Someone may be at risk, unwell or not coping",
    ),
    ConcernKind.CUCKOOING: (
        "Someone's home may have been taken over, or someone is being exploited",
        "Sometimes called cuckooing: people coming and going, a vulnerable person not seen",
    ),
    ConcernKind.HATE: (
        "A hate incident",
        "Targeted because of race, religion, disability, sexual orientation or gender identity",
    ),
    ConcernKind.FIRE_SETTING: ("Fires being started deliberately", "For example bins or grass"),
}


class Applying(enum.StrEnum):
    """Whether the applicant applies for themselves or on behalf of someone else."""

    SELF = "self"
    OTHER = "other"


class ReportedTo(enum.StrEnum):
    """The body an incident was reported to."""

    COUNCIL = "council"
    POLICE = "police"
    HOUSING = "housing_provider"
    OTHER = "other"

    @property
    def label(self) -> str:
        """How the public names the body."""
        return REPORTED_TO_LABELS[self]


REPORTED_TO_LABELS = {
    ReportedTo.COUNCIL: "The council",
    ReportedTo.POLICE: "The police",
    ReportedTo.HOUSING: "A housing provider",
    ReportedTo.OTHER: "Another organisation",
}


class ReviewStatus(enum.StrEnum):
    """Where an ASB Case Review application has got to."""

    RECEIVED = "received"
    ACKNOWLEDGED = "acknowledged"
    THRESHOLD_MET = "threshold_met"
    THRESHOLD_NOT_MET = "threshold_not_met"
    MEETING_SCHEDULED = "meeting_scheduled"
    COMPLETED = "completed"

    @property
    def label(self) -> str:
        """The status as staff and the applicant read it."""
        return STATUS_LABELS[self]


STATUS_LABELS = {
    ReviewStatus.RECEIVED: "Received",
    ReviewStatus.ACKNOWLEDGED: "Acknowledged",
    ReviewStatus.THRESHOLD_MET: "Threshold met",
    ReviewStatus.THRESHOLD_NOT_MET: "Threshold not met",
    ReviewStatus.MEETING_SCHEDULED: "Review meeting arranged",
    ReviewStatus.COMPLETED: "Review completed",
}


class _Form(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ConcernIn(_Form):
    """A concern reported by a member of the public."""

    kind: ConcernKind
    place: str = Field(min_length=2, max_length=PLACE_MAX)
    postcode: str = Field(default="", max_length=POSTCODE_MAX)
    occurred_on: date
    description: str = Field(min_length=10, max_length=TEXT_MAX)
    contact_name: str = Field(default="", max_length=NAME_MAX)
    contact_email: str = Field(default="", max_length=EMAIL_MAX)
    contact_phone: str = Field(default="", max_length=PHONE_MAX)


class ReviewIncidentIn(_Form):
    """One incident the applicant reported."""

    occurred_on: date
    what_happened: str = Field(min_length=5, max_length=INCIDENT_TEXT_MAX)
    reported_to: ReportedTo
    other_body: str = Field(default="", max_length=OTHER_BODY_MAX)
    body_reference: str = Field(default="", max_length=BODY_REFERENCE_MAX)


class ReviewApplicationIn(_Form):
    """An application for an ASB Case Review."""

    applicant_name: str = Field(min_length=2, max_length=NAME_MAX)
    applicant_email: str = Field(default="", max_length=EMAIL_MAX)
    applicant_phone: str = Field(default="", max_length=PHONE_MAX)
    applying: Applying
    victim_name: str = Field(default="", max_length=NAME_MAX)
    consent: bool = False
    incidents: list[ReviewIncidentIn] = Field(min_length=1, max_length=MAX_INCIDENTS)
    impact: str = Field(min_length=10, max_length=TEXT_MAX)


class Receipt(BaseModel):
    """What a submitter is shown once: the tracking reference and the secret code."""

    reference: str
    secret: str


class StatusIn(_Form):
    """A status check: the tracking reference and the secret code."""

    reference: str = Field(min_length=1, max_length=40)
    secret: str = Field(min_length=1, max_length=60)


class PublicStatus(BaseModel):
    """What the status page shows: the stage and the dates, never anyone's details."""

    kind: str
    reference: str
    status: str
    organisation_name: str
    received_at: datetime
    acknowledged_at: datetime | None = None
    decided_at: datetime | None = None
    threshold_met: bool | None = None
    meeting_on: date | None = None
    outcome_at: datetime | None = None


class ConcernOut(BaseModel):
    """A concern in the lead agency's list: the reporter's optional contact details and the
    incident it became (where its content is)."""

    reference: str
    received_at: datetime
    kind: ConcernKind
    incident_id: uuid.UUID | None
    contact_name: str
    contact_email: str
    contact_phone: str


class Clock(BaseModel):
    """One statutory clock: what is due, by when, and how many working days are left."""

    step: str
    due: date
    done_at: datetime | None
    days_left: int | None
    overdue: bool


class ReviewSummary(BaseModel):
    """An application in the lead agency's list."""

    id: uuid.UUID
    reference: str
    status: ReviewStatus
    received_at: datetime
    next_step: Clock | None


class ReviewIncidentOut(BaseModel):
    """An incident the applicant listed."""

    occurred_on: date
    what_happened: str
    reported_to: ReportedTo
    other_body: str
    body_reference: str
    in_window: bool


class ReviewDetail(BaseModel):
    """An application as the lead agency's staff see it."""

    id: uuid.UUID
    reference: str
    status: ReviewStatus
    lead_organisation_id: uuid.UUID
    applicant_name: str
    applicant_email: str
    applicant_phone: str
    on_behalf: bool
    victim_name: str
    consent_confirmed: bool
    impact: str
    received_at: datetime
    incidents: list[ReviewIncidentOut]
    incidents_in_window: int
    threshold: int
    threshold_months: int
    meets_threshold: bool
    clocks: list[Clock]
    acknowledged_at: datetime | None
    decided_at: datetime | None
    threshold_met: bool | None
    decision_reason: str
    meeting_on: date | None
    outcome_at: datetime | None
    outcome: str
    recommendations: str


class DecisionIn(_Form):
    """The threshold decision: met, or not met with the reason."""

    threshold_met: bool
    reason: str = Field(default="", max_length=DECISION_TEXT_MAX)


class MeetingIn(_Form):
    """The date of the review meeting."""

    meeting_on: date


class OutcomeIn(_Form):
    """The review's outcome and recommendations."""

    outcome: str = Field(min_length=5, max_length=DECISION_TEXT_MAX)
    recommendations: str = Field(default="", max_length=DECISION_TEXT_MAX)
