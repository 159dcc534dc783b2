"""Linkage traps: people who look alike but are different, and one person who looks like two."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from joinedup.demo import organisations as orgs
from joinedup.demo.model import HardCase, RecordCopy, TruePerson
from joinedup.demo.population import Builder
from joinedup.people.schemas import Gender, VulnerabilityMarker

# Districts the traps are planted in; Guildford first so the demo practitioner meets them.
DISTRICTS = ("Guildford", "Woking", "Elmbridge")


def _held(b: Builder, person: TruePerson, *organisations: str) -> list[RecordCopy]:
    return [b.hold(person, org, exact=True) for org in organisations]


def twins(b: Builder, district: str) -> HardCase:
    """Twins: same surname, address and date of birth; different first names."""
    first = b.person(age=(16, 40), district=district)
    second = b.person(address=first.address, surname=first.surname, dob=first.date_of_birth)
    council = orgs.COUNCILS[district].name
    records = _held(b, first, orgs.POLICE, council) + _held(b, second, orgs.POLICE, council)
    return HardCase("twins", [first.id, second.id], records)


def father_and_son(b: Builder, district: str) -> HardCase:
    """Father and son with the same name at one address, born about 28 years apart."""
    father = b.person(age=(50, 62), gender=Gender.MALE, district=district)
    son = b.person(
        gender=Gender.MALE,
        address=father.address,
        surname=father.surname,
        first_name=father.first_name,
        dob=father.date_of_birth + timedelta(days=b.rng.randint(25 * 365, 31 * 365)),
    )
    # No middle names, so nothing but the date of birth tells them apart.
    father.middle_names = son.middle_names = ""
    council = orgs.COUNCILS[district].name
    records = _held(b, father, orgs.POLICE, council) + _held(b, son, orgs.POLICE, council)
    return HardCase("father_and_son", [father.id, son.id], records)


def changed_name(b: Builder, district: str) -> HardCase:
    """A woman who married and moved: one agency holds her old surname and old address."""
    woman = b.person(age=(25, 45), gender=Gender.FEMALE, district=district)
    old = _held(b, woman, orgs.COUNCILS[district].name)[0]
    earlier = replace(
        old,
        surname=str(b.fake.last_name()),
        address=b.addresses.home(district),
        variations=("changed_surname", "moved_address"),
    )
    b.population.records[-1] = earlier
    records = [earlier, *_held(b, woman, orgs.POLICE)]
    return HardCase("changed_name", [woman.id], records)


def child_and_parent(b: Builder, district: str) -> HardCase:
    """A child and a parent at one address with the same surname."""
    parent = b.person(age=(30, 45), district=district)
    child = b.person(
        age=(6, 12),
        address=parent.address,
        surname=parent.surname,
        markers=(VulnerabilityMarker.CHILD,),
    )
    records = _held(b, parent, orgs.POLICE, orgs.COUNTY) + _held(
        b, child, orgs.COUNTY, orgs.EDUCATION
    )
    return HardCase("child_and_parent", [parent.id, child.id], records)


def add_hard_cases(b: Builder) -> list[HardCase]:
    """Three of each trap, one in each of the trap districts."""
    cases = [
        make(b, district)
        for make in (twins, father_and_son, changed_name, child_and_parent)
        for district in DISTRICTS
    ]
    b.population.hard_cases.extend(cases)
    return cases


HARD_CASE_PEOPLE = 3 * (2 + 2 + 1 + 2)
"""How many true people the traps add."""
