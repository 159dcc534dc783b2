"""Names and the realistic ways agencies record the same person differently."""

from __future__ import annotations

import random
from datetime import date

from joinedup.demo.model import Address, RecordCopy, TruePerson
from joinedup.people.schemas import Gender

NICKNAMES: dict[str, tuple[str, ...]] = {
    "Robert": ("Bob", "Rob", "Bobby"), "William": ("Bill", "Will", "Billy"),
    "Richard": ("Rick", "Richie", "Dick"), "James": ("Jim", "Jimmy", "Jamie"),
    "Michael": ("Mike", "Mick"), "Thomas": ("Tom", "Tommy"), "Christopher": ("Chris",),
    "Daniel": ("Dan", "Danny"), "Anthony": ("Tony",), "Edward": ("Ed", "Eddie", "Ted"),
    "Joseph": ("Joe",), "Nicholas": ("Nick",), "Matthew": ("Matt",), "Andrew": ("Andy",),
    "David": ("Dave",), "Stephen": ("Steve",), "Benjamin": ("Ben",), "Jonathan": ("Jon",),
    "Timothy": ("Tim",), "Peter": ("Pete",), "Frederick": ("Fred", "Freddie"),
    "Henry": ("Harry",), "Philip": ("Phil",), "Samuel": ("Sam",), "Terence": ("Terry",),
    "Alexander": ("Alex",), "Elizabeth": ("Liz", "Beth", "Lizzie"),
    "Katherine": ("Kate", "Kath", "Katie"), "Catherine": ("Cath", "Kate"),
    "Margaret": ("Maggie", "Peggy", "Meg"), "Jennifer": ("Jen", "Jenny"),
    "Rebecca": ("Becky", "Becca"), "Samantha": ("Sam", "Sammy"), "Victoria": ("Vicky", "Tori"),
    "Jessica": ("Jess",), "Susan": ("Sue",), "Patricia": ("Pat", "Trish"),
    "Deborah": ("Debbie", "Deb"), "Charlotte": ("Charlie", "Lottie"), "Abigail": ("Abbie",),
    "Eleanor": ("Ellie",), "Jacqueline": ("Jackie",), "Alexandra": ("Alex", "Lexi"),
    "Kimberley": ("Kim",), "Christine": ("Chris", "Chrissie"),
}  # fmt: skip
FORMAL_MALE = tuple(
    n for n in NICKNAMES if n in {
        "Robert", "William", "Richard", "James", "Michael", "Thomas", "Christopher", "Daniel",
        "Anthony", "Edward", "Joseph", "Nicholas", "Matthew", "Andrew", "David", "Stephen",
        "Benjamin", "Jonathan", "Timothy", "Peter", "Frederick", "Henry", "Philip", "Samuel",
        "Terence", "Alexander",
    }
)  # fmt: skip
FORMAL_FEMALE = tuple(n for n in NICKNAMES if n not in FORMAL_MALE)

# Chance that one copy of a person shows each difference.
P_NICKNAME = 0.12
P_TYPO = 0.07
P_SWAP = 0.02
P_NO_MIDDLE = 0.35
P_NO_DOB = 0.07
P_DOB_TRANSPOSED = 0.04
P_NO_GENDER = 0.08
P_MOVED = 0.07


def typo(rng: random.Random, name: str) -> str:
    """The name with two neighbouring letters swapped or one letter dropped."""
    if len(name) < 4:
        return name + name[-1]
    i = rng.randint(1, len(name) - 2)
    if rng.random() < 0.5 and name[i] != name[i + 1]:
        return name[:i] + name[i + 1] + name[i] + name[i + 2 :]
    return name[:i] + name[i + 1 :]


def transposed(dob: date) -> date | None:
    """The date with day and month swapped, when that is still a different valid date."""
    if dob.day > 12 or dob.day == dob.month:
        return None
    return dob.replace(month=dob.day, day=dob.month)


def _names(rng: random.Random, person: TruePerson, changes: list[str]) -> tuple[str, str, str]:
    first, middle, surname = person.first_name, person.middle_names, person.surname
    if first in NICKNAMES and rng.random() < P_NICKNAME:
        first = rng.choice(NICKNAMES[first])
        changes.append("nickname")
    if rng.random() < P_TYPO:
        if rng.random() < 0.5:
            first = typo(rng, first)
            changes.append("typo_first_name")
        else:
            surname = typo(rng, surname)
            changes.append("typo_surname")
    if rng.random() < P_SWAP:
        first, surname = surname, first
        changes.append("names_swapped")
    if middle and rng.random() < P_NO_MIDDLE:
        middle = ""
        changes.append("middle_names_missing")
    return first, middle, surname


def _dob(rng: random.Random, dob: date, changes: list[str]) -> date | None:
    if rng.random() < P_NO_DOB:
        changes.append("dob_missing")
        return None
    swapped = transposed(dob)
    if swapped is not None and rng.random() < P_DOB_TRANSPOSED:
        changes.append("dob_day_month_transposed")
        return swapped
    return dob


def copy_of(
    rng: random.Random,
    person: TruePerson,
    organisation: str,
    reference: str,
    *,
    moved_to: Address | None,
    is_child: bool,
) -> RecordCopy:
    """One organisation's copy of ``person``, with the differences real records have."""
    changes: list[str] = []
    first, middle, surname = _names(rng, person, changes)
    dob = _dob(rng, person.date_of_birth, changes)
    gender = person.gender
    if rng.random() < P_NO_GENDER:
        gender = Gender.NOT_KNOWN
        changes.append("gender_missing")
    address = person.address
    if moved_to is not None and rng.random() < P_MOVED:
        address = moved_to
        changes.append("moved_address")
    return RecordCopy(
        organisation=organisation,
        reference=reference,
        person_id=person.id,
        first_name=first,
        middle_names=middle,
        surname=surname,
        date_of_birth=dob,
        gender=gender,
        address=address,
        markers=tuple(person.markers),
        variations=tuple(changes),
        is_child=is_child,
    )


def exact_copy(person: TruePerson, organisation: str, reference: str, is_child: bool) -> RecordCopy:
    """A copy that matches the person exactly (hard cases keep their traps clean)."""
    return RecordCopy(
        organisation, reference, person.id, person.first_name, person.middle_names,
        person.surname, person.date_of_birth, person.gender, person.address,
        tuple(person.markers), (), is_child,
    )  # fmt: skip
