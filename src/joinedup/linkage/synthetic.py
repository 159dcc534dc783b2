"""Seeded synthetic person records for scale tests: UK names, dates of birth, postcodes, homes
shared by families, and duplicates with the errors agencies make (typos, nicknames, swapped
day and month, missing values, a move).

``records(n, seed)`` returns ``n`` rows in the linkage CSV contract plus ``truth`` (the person).
"""

from __future__ import annotations

import random
import string
from collections.abc import Callable
from datetime import date, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

MALE = (
    "oliver george harry jack jacob noah charlie thomas oscar william james henry leo alfie "
    "joshua freddie archie ethan isaac alexander joseph edward samuel max daniel arthur lucas "
    "mohammed logan theo harrison benjamin mason sebastian finley adam dylan zachary riley "
    "teddy david toby jake louie elijah reuben arlo hugo luca jaxon matthew harvey reggie "
    "michael tommy jenson rory ryan christopher andrew peter paul robert richard stephen "
    "mark kevin gary simon ian neil anthony john"
).split()
FEMALE = (
    "olivia amelia isla ava emily sophia grace mia poppy ella lily evie isabella sophie ivy "
    "freya harper willow charlotte jessica rosie daisy alice florence phoebe ruby sienna "
    "matilda elsie evelyn eva millie sofia lucy elizabeth chloe emma hannah layla maya "
    "scarlett erin holly imogen esme lola jasmine zara molly bella aria thea sarah rebecca "
    "laura claire nicola karen susan julie helen rachel joanne lisa amanda victoria "
    "katherine margaret patricia samantha jennifer"
).split()
SURNAMES = (
    "smith jones williams taylor brown davies evans wilson thomas johnson roberts robinson "
    "thompson wright walker white edwards hughes green hall lewis harris clarke patel jackson "
    "wood turner martin cooper hill ward morris moore clark lee king baker harrison morgan "
    "allen james scott phillips watson davis parker price bennett young griffiths mitchell "
    "kelly cook carter richardson bailey collins bell shaw murphy miller cox richards khan "
    "marshall anderson simpson ellis adams singh begum wilkinson foster chapman powell webb "
    "rogers gray mason ali hunt hussain campbell matthews owen palmer holmes mills barnes "
    "knight lloyd butler russell barker fisher stevens jenkins murray dixon harvey graham "
    "pearson ahmed fletcher walsh kaur gibson howard andrews stewart elliott reynolds saunders "
    "payne fox ford pearce day brooks west lawrence cole atkinson bradley spencer gill dawson "
    "ball burton o'brien watts rose booth perry ryan grant wells armstrong francis rees "
    "hayes hart hudson newman barrett kennedy nowak kowalski okafor mensah"
).split()
STREETS = (
    "high street|station road|main street|park road|church road|church street|london road|"
    "victoria road|green lane|manor road|church lane|park avenue|the avenue|the crescent|"
    "queens road|new road|grange road|kings road|alexandra road|york road|north street|"
    "south street|mill lane|springfield road|west street|school lane|chester road|"
    "albert road|the green|windsor road|st johns road|stanley road|richmond road|"
    "george street|oak road|elm grove|meadow way|orchard close|willow drive|beech avenue"
).split("|")
AREAS = (
    "GU KT RH SM CR TW SL RG SO PO BN TN ME CT DA BR SE SW W NW N E EC WC OX MK LU AL SG CM "
    "SS CO IP NR CB PE LE NG DE S LS BD HX HD WF YO HU DN LN M OL BL WN WA CH L PR BB LA CA "
    "NE SR DH TS DL HG B CV WV WS DY WR HR GL BA BS TA EX PL TR TQ DT BH SP SN CF SA NP LL"
).split()
TOWNS = (
    "guildford woking epsom leatherhead dorking reigate redhill staines camberley farnham "
    "godalming weybridge esher walton chertsey addlestone reading slough oxford brighton "
    "croydon sutton kingston richmond crawley horsham bristol leeds manchester sheffield"
).split()
NICKNAMES = {
    "elizabeth": "liz",
    "william": "bill",
    "robert": "bob",
    "thomas": "tom",
    "james": "jim",
    "margaret": "maggie",
    "katherine": "kate",
    "michael": "mike",
    "samantha": "sam",
    "christopher": "chris",
    "alexander": "alex",
    "jennifer": "jenny",
    "matthew": "matt",
    "richard": "rick",
    "rebecca": "becky",
    "victoria": "vicky",
    "stephen": "steve",
    "anthony": "tony",
    "daniel": "dan",
    "joseph": "joe",
}


def _postcode(rng: random.Random) -> str:
    letters = "ABDEFGHJLNPQRSTUWXYZ"
    return (
        f"{rng.choice(AREAS)}{rng.randint(1, 29)} "
        f"{rng.randint(0, 9)}{rng.choice(letters)}{rng.choice(letters)}"
    )


def _home(rng: random.Random) -> tuple[str, str]:
    address = f"{rng.randint(1, 240)} {rng.choice(STREETS)} {rng.choice(TOWNS)}"
    return address, _postcode(rng)


def _dob(rng: random.Random, oldest: int = 1930, youngest: int = 2022) -> date:
    start = date(oldest, 1, 1)
    return start + timedelta(days=rng.randrange((date(youngest, 12, 31) - start).days))


def _typo(rng: random.Random, value: str) -> str:
    if len(value) < 3:
        return value
    i = rng.randrange(1, len(value) - 1)
    kind = rng.randrange(3)
    if kind == 0:  # two letters transposed
        return value[: i - 1] + value[i] + value[i - 1] + value[i + 1 :]
    if kind == 1:  # a letter dropped
        return value[:i] + value[i + 1 :]
    return value[:i] + rng.choice(string.ascii_lowercase) + value[i + 1 :]


def _person(rng: random.Random, surname: str, home: tuple[str, str]) -> dict[str, str]:
    gender = rng.choice(("female", "male"))
    first = rng.choice(FEMALE if gender == "female" else MALE)
    return {
        "first_name": first,
        "surname": surname,
        "dob": _dob(rng).isoformat(),
        "gender": gender,
        "address": home[0],
        "postcode": home[1],
    }


def _transpose_dob(rng: random.Random, copy: dict[str, str]) -> None:
    if copy["dob"]:
        y, m, d = copy["dob"].split("-")
        if int(d) <= 12 and d != m:
            copy["dob"] = f"{y}-{d}-{m}"


def _nickname(rng: random.Random, copy: dict[str, str]) -> None:
    copy["first_name"] = NICKNAMES.get(copy["first_name"], copy["first_name"])


def _move(rng: random.Random, copy: dict[str, str]) -> None:
    copy["address"], copy["postcode"] = _home(rng)


def _swap(rng: random.Random, copy: dict[str, str]) -> None:
    copy["first_name"], copy["surname"] = copy["surname"], copy["first_name"]


def _blank(column: str) -> Callable[[random.Random, dict[str, str]], None]:
    def change(rng: random.Random, copy: dict[str, str]) -> None:
        copy[column] = ""

    return change


def _misspell(column: str) -> Callable[[random.Random, dict[str, str]], None]:
    def change(rng: random.Random, copy: dict[str, str]) -> None:
        copy[column] = _typo(rng, copy[column])

    return change


CHANGES = (
    _misspell("first_name"),
    _misspell("surname"),
    _nickname,
    _transpose_dob,
    _blank("dob"),
    _blank("gender"),
    _move,
    _swap,
    _blank("postcode"),
)


def _vary(rng: random.Random, person: dict[str, str]) -> dict[str, str]:
    """An agency's copy of ``person`` with one or two of the usual differences."""
    copy = dict(person)
    for _ in range(rng.choice((1, 1, 2))):
        rng.choice(CHANGES)(rng, copy)
    return copy


def records(n: int, *, seed: int = 2026, duplicate_rate: float = 0.2) -> pd.DataFrame:
    """``n`` records: about ``duplicate_rate`` of them extra copies of someone already there."""
    import pandas as pd

    rng = random.Random(seed)
    people: list[dict[str, str]] = []
    rows: list[dict[str, str]] = []
    n_people = max(1, round(n * (1 - duplicate_rate)))
    while len(people) < n_people:
        home = _home(rng)
        surname = rng.choice(SURNAMES)
        household = rng.choice((1, 1, 1, 2, 2, 3, 4))
        for _ in range(min(household, n_people - len(people))):
            people.append(_person(rng, surname, home))
    for pid, person in enumerate(people):
        rows.append({**person, "truth": str(pid)})
    while len(rows) < n:
        pid = rng.randrange(len(people))
        rows.append({**_vary(rng, people[pid]), "truth": str(pid)})
    rng.shuffle(rows)
    frame = pd.DataFrame(rows)
    frame.insert(0, "unique_id", [f"r{i}" for i in range(len(frame))])
    return frame[
        ["unique_id", "first_name", "surname", "dob", "postcode", "gender", "address", "truth"]
    ]
