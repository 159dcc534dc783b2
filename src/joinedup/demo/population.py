"""The synthetic population: true people, the organisations that hold them, and their copies."""

from __future__ import annotations

import random
from datetime import date, timedelta

from faker import Faker

from joinedup.demo import organisations as orgs
from joinedup.demo.addresses import AddressBook
from joinedup.demo.model import Address, IncidentSpec, Population, RecordCopy, TruePerson
from joinedup.demo.names import FORMAL_FEMALE, FORMAL_MALE, copy_of, exact_copy
from joinedup.incidents.schemas import InvolvementRole
from joinedup.people.schemas import Gender, VulnerabilityMarker
from joinedup.places.service import LocationKey

# Ages are fixed against one day so that a seed gives the same people whenever it is loaded.
REFERENCE_DAY = date(2026, 1, 1)
_M = VulnerabilityMarker
HOUSING_BY_DISTRICT = {
    "Guildford": orgs.GUILDFORD_HOUSING, "Reigate and Banstead": "Raven Housing Trust",
    "Woking": "Accent Housing", "Surrey Heath": "Accent Housing", "Runnymede": "A2Dominion",
    "Spelthorne": "A2Dominion", "Elmbridge": "Clarion Housing",
    "Epsom and Ewell": "Clarion Housing", "Mole Valley": "Clarion Housing",
    "Tandridge": "Raven Housing Trust", "Waverley": "Accent Housing",
}  # fmt: skip
DA_BY_DISTRICT = {
    "Woking": orgs.YOUR_SANCTUARY, "Runnymede": orgs.YOUR_SANCTUARY,
    "Surrey Heath": orgs.YOUR_SANCTUARY, "Spelthorne": "North Surrey Domestic Abuse Service",
    "Elmbridge": "North Surrey Domestic Abuse Service",
    "Epsom and Ewell": "North Surrey Domestic Abuse Service",
    "Reigate and Banstead": "East Surrey Domestic Abuse Services",
    "Tandridge": "East Surrey Domestic Abuse Services",
    "Mole Valley": "East Surrey Domestic Abuse Services",
    "Guildford": "South West Surrey Domestic Abuse Service",
    "Waverley": "South West Surrey Domestic Abuse Service",
}  # fmt: skip
_HOLDER_COUNTS = ((1, 2, 3, 4), (45, 33, 15, 7))


class ReferenceBook:
    """Hands out each organisation's next person and incident reference, in its own format."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._next: dict[tuple[str, str], int] = {}

    def _bump(self, kind: str, organisation: str) -> int:
        key = (kind, organisation)
        if key not in self._next:
            self._next[key] = self._rng.randint(1_000, 40_000)
        self._next[key] += self._rng.randint(1, 9)
        return self._next[key]

    def person(self, organisation: str) -> str:
        """The next person reference of ``organisation``."""
        return orgs.BY_NAME[organisation].person_ref.format(n=self._bump("p", organisation))

    def incident(self, organisation: str) -> str:
        """The next incident reference of ``organisation``."""
        return orgs.BY_NAME[organisation].incident_ref.format(n=self._bump("i", organisation))


class Builder:
    """Makes people, copies and incidents from one seed; stories and the population share it."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(f"joinedup-demo:{seed}")
        self.fake = Faker("en_GB")
        self.fake.seed_instance(seed)
        self.addresses = AddressBook(self.rng)
        self.refs = ReferenceBook(self.rng)
        self.population = Population(seed=seed)
        self._next_person = 0

    def first_name(self, gender: Gender) -> str:
        """A first name; a third are formal names that have common nicknames."""
        male = gender is Gender.MALE or (gender is not Gender.FEMALE and self.rng.random() < 0.5)
        if self.rng.random() < 0.35:
            return self.rng.choice(FORMAL_MALE if male else FORMAL_FEMALE)
        return str(self.fake.first_name_male() if male else self.fake.first_name_female())

    def person(
        self,
        *,
        age: tuple[int, int] | None = None,
        gender: Gender | None = None,
        district: str | None = None,
        address: Address | None = None,
        surname: str | None = None,
        first_name: str | None = None,
        dob: date | None = None,
        markers: tuple[str, ...] = (),
    ) -> TruePerson:
        """A new true person; unspecified details are drawn at random."""
        rng = self.rng
        sex = gender or rng.choices((Gender.FEMALE, Gender.MALE, Gender.NON_BINARY), (51, 48, 1))[0]
        low, high = age or ((0, 17) if rng.random() < 0.16 else (18, 92))
        if dob is None:
            dob = REFERENCE_DAY - timedelta(days=rng.randint(low * 365 + 1, high * 365 + 360))
        self._next_person += 1
        person = TruePerson(
            id=f"P{self._next_person:05d}",
            first_name=first_name or self.first_name(sex),
            middle_names=self.first_name(sex) if rng.random() < 0.4 else "",
            surname=surname or str(self.fake.last_name()),
            date_of_birth=dob,
            gender=sex,
            address=address or self.addresses.home(district),
            markers=[str(m) for m in markers] or self._markers(dob),
        )
        self.population.persons.append(person)
        return person

    def _markers(self, dob: date) -> list[str]:
        age = (REFERENCE_DAY - dob).days // 365
        if age < 18:
            return [_M.CHILD.value] if self.rng.random() < 0.3 else []
        odds = ((_M.MENTAL_HEALTH, 0.06), (_M.SUBSTANCE_MISUSE, 0.03), (_M.ALCOHOL_MISUSE, 0.03),
                (_M.LEARNING_DISABILITY, 0.02), (_M.PHYSICAL_DISABILITY, 0.03),
                (_M.SOCIAL_ISOLATION, 0.02))  # fmt: skip
        found = [m.value for m, p in odds if self.rng.random() < p]
        if age >= 75 and self.rng.random() < 0.6:
            found.append(_M.ELDERLY.value)
        return found

    def hold(self, person: TruePerson, organisation: str, *, exact: bool = False) -> RecordCopy:
        """``organisation``'s copy of ``person`` under a new reference."""
        reference = self.refs.person(organisation)
        is_child = person.age_on(REFERENCE_DAY) < 18
        if exact:
            record = exact_copy(person, organisation, reference, is_child)
        else:
            district = person.address.district if self.rng.random() < 0.7 else None
            moved = self.addresses.home(district)
            record = copy_of(self.rng, person, organisation, reference, moved_to=moved,
                             is_child=is_child)  # fmt: skip
        self.population.records.append(record)
        return record

    def incident(
        self,
        organisation: str,
        category: str,
        days_ago: float,
        parties: list[tuple[RecordCopy, InvolvementRole]],
        narrative: str,
        *,
        at_home: bool = False,
    ) -> IncidentSpec:
        """An incident of ``organisation`` at or near the first party's home."""
        home = parties[0][0].address
        if at_home:
            place = home.location_key()
        else:
            lat, lon = self.addresses.near(home)
            place = LocationKey(lat, lon, f"On or near {home.street}", home.lsoa_code)
        return IncidentSpec(
            organisation=organisation,
            reference=self.refs.incident(organisation),
            category=category,
            ago=timedelta(days=days_ago, minutes=self.rng.randint(0, 1439)),
            report_delay=timedelta(minutes=self.rng.randint(5, 60 * 72)),
            narrative=narrative.format(street=home.street, town=home.town),
            place=place,
            parties=tuple(parties),
        )


def holders(rng: random.Random, person: TruePerson) -> list[str]:
    """The organisations that hold ``person``: 1–4, mostly police and the district council."""
    age = person.age_on(REFERENCE_DAY)
    district = person.address.district
    adult = age >= 18
    candidates = {
        orgs.POLICE: 30.0,
        orgs.COUNCILS[district].name: 30.0,
        orgs.MH_TRUST: 8.0 if adult else 3.0,
        HOUSING_BY_DISTRICT[district]: 10.0 if adult else 0.0,
        orgs.COUNTY: 6.0,
        DA_BY_DISTRICT[district]: (6.0 if person.gender is Gender.FEMALE else 1.5) * adult,
        orgs.VWCU: 2.0,
        orgs.VICTIM_SUPPORT: 2.0,
        orgs.FIRE: 2.0,
        orgs.PROBATION: 3.0 * adult,
        orgs.YOUTH_JUSTICE: 8.0 * (10 <= age <= 17),
        orgs.EDUCATION: 8.0 * (5 <= age <= 17),
        orgs.CATCH22: 2.0 * (age >= 10),
        orgs.CATALYST: 2.0 * adult,
    }
    names = [name for name, weight in candidates.items() if weight > 0]
    weights = [candidates[name] for name in names]
    wanted = rng.choices(*_HOLDER_COUNTS)[0]
    chosen: list[str] = []
    while len(chosen) < min(wanted, len(names)):
        pick = rng.choices(names, weights)[0]
        index = names.index(pick)
        names.pop(index)
        weights.pop(index)
        chosen.append(pick)
    return chosen


def add_ordinary_people(builder: Builder, count: int) -> None:
    """``count`` ordinary people, each held by 1–4 organisations with differing copies."""
    for _ in range(count):
        person = builder.person()
        for organisation in holders(builder.rng, person):
            builder.hold(person, organisation)


def add_benchmark_person(builder: Builder) -> RecordCopy:
    """A Guildford frequent caller with exactly 100 involvements (person-page benchmark)."""
    person = builder.person(age=(55, 70), district="Guildford", markers=(_M.SOCIAL_ISOLATION,))
    record = builder.hold(person, orgs.GUILDFORD, exact=True)
    kinds = ("noise_complaint", "asb_nuisance", "asb_environmental")
    texts = (
        "Caller reports music and voices from a neighbouring property in {street} late evening.",
        "Caller reports young people gathering by the garages on {street}; no damage seen.",
        "Caller reports fly-tipped bags at the end of {street}; photographs supplied.",
    )
    for n in range(100):
        kind = n % 3
        builder.population.benchmark_incidents.append(
            builder.incident(orgs.GUILDFORD, kinds[kind], 720 - n * 7.1,
                             [(record, InvolvementRole.REPORTER)], texts[kind], at_home=n % 2 == 0)
        )  # fmt: skip
    builder.population.benchmark = record
    return record
