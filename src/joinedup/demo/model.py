"""The synthetic partnership as plain data: built without a database, then loaded in bulk."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from joinedup.incidents.schemas import InvolvementRole
from joinedup.people.schemas import Gender
from joinedup.places.service import LocationKey


@dataclass(frozen=True, slots=True)
class Address:
    """A home in Surrey: a real street (from police.uk snap points) with an invented number."""

    line: str
    street: str
    town: str
    postcode: str
    district: str
    lsoa_code: str
    lsoa_name: str
    latitude: float
    longitude: float

    def location_key(self) -> LocationKey:
        """The location of this home."""
        description = f"{self.line}, {self.town}"
        return LocationKey(
            self.latitude, self.longitude, description, self.lsoa_code, self.postcode
        )


@dataclass(slots=True)
class TruePerson:
    """A person as they really are; organisations hold differing copies."""

    id: str
    first_name: str
    middle_names: str
    surname: str
    date_of_birth: date
    gender: Gender
    address: Address
    markers: list[str] = field(default_factory=list)

    def age_on(self, day: date) -> int:
        """Age in whole years on ``day``."""
        before_birthday = (day.month, day.day) < (self.date_of_birth.month, self.date_of_birth.day)
        return day.year - self.date_of_birth.year - int(before_birthday)


@dataclass(frozen=True, slots=True)
class RecordCopy:
    """One organisation's record of a true person, with the differences that record has."""

    organisation: str
    reference: str
    person_id: str
    first_name: str
    middle_names: str
    surname: str
    date_of_birth: date | None
    gender: Gender
    address: Address
    markers: tuple[str, ...]
    variations: tuple[str, ...]
    is_child: bool

    @property
    def key(self) -> tuple[str, str]:
        """(organisation, reference): unique across the partnership."""
        return (self.organisation, self.reference)


@dataclass(frozen=True, slots=True)
class IncidentSpec:
    """A partner incident to create, timed relative to the load."""

    organisation: str
    reference: str
    category: str
    ago: timedelta
    report_delay: timedelta
    narrative: str
    place: LocationKey
    parties: tuple[tuple[RecordCopy, InvolvementRole], ...]


@dataclass(slots=True)
class Story:
    """A planted hidden-harm pattern across agencies, with the records that make it up."""

    id: str
    kind: str
    description: str
    person_ids: list[str] = field(default_factory=list)
    records: list[RecordCopy] = field(default_factory=list)
    incidents: list[IncidentSpec] = field(default_factory=list)


@dataclass(slots=True)
class HardCase:
    """People who look alike but are different (or differ but are one): linkage traps."""

    kind: str
    person_ids: list[str]
    records: list[RecordCopy]


@dataclass(slots=True)
class Population:
    """Everything the demo plants: people, their copies, stories, traps and the benchmark."""

    seed: int
    persons: list[TruePerson] = field(default_factory=list)
    records: list[RecordCopy] = field(default_factory=list)
    stories: list[Story] = field(default_factory=list)
    hard_cases: list[HardCase] = field(default_factory=list)
    benchmark: RecordCopy | None = None
    benchmark_incidents: list[IncidentSpec] = field(default_factory=list)
