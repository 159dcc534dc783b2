"""A small, realistic "known to" partnership for the encoding tests: a police force and a council
that share identities, a mental-health trust that does not, and the shared secret they agreed.

Each partner encodes its own records, as it would on its own machine (``pprl.encode`` with the
test secret); the platform gets the JSON lines only."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import Session

from joinedup.linkage.pprl import encode
from joinedup.partners.models import Organisation
from joinedup.partners.schemas import OrgKind
from joinedup.people.models import PersonRecord
from joinedup.people.schemas import Gender
from tests import factories as f

SECRET = b"test-only partnership secret: 32+ bytes, never a real one"

# (first name, surname, date of birth, postcode, gender) as the police hold them.
POLICE = [
    ("Jordan", "Whitfield", date(1990, 2, 3), "GU1 4AB", "m"),
    ("Siobhan", "O'Connor", date(1985, 11, 23), "GU2 7XH", "f"),
    ("Mohammed", "Rahman", date(1978, 6, 9), "KT1 2LP", "m"),
    ("Emily", "Hartley-Jones", date(2001, 1, 30), "RH1 3QT", "f"),
    ("Daniel", "Okafor", date(1995, 8, 14), "GU21 5NB", "m"),
    ("Grace", "Pemberton", date(1969, 4, 2), "TW20 0EX", "f"),
]
# The trust's own records: two of the police's people as the trust wrote them (a typo, a
# hyphen dropped), one the council knows, one nobody else does.
TRUST = [
    ("MH-1001", "Jordan", "Whitfeld", "1990-02-03", "GU1 4AB", "m"),
    ("MH-1002", "Emily", "Hartley Jones", "30/01/2001", "RH1 3QT", "f"),
    ("MH-1003", "Priya", "Chandrasekaran", "1988-03-17", "GU15 3SY", "f"),
    ("MH-1004", "Thomas", "Blackwood", "1959-12-01", "KT22 8AA", "m"),
]
COUNCIL = [
    ("Priya", "Chandrasekaran", date(1988, 3, 17), "GU15 3SY", "f"),
    ("Alan", "Moorcroft", date(1950, 7, 7), "GU7 1HR", "m"),
]


@dataclass
class Partners:
    """The three organisations and their person records (none for the trust)."""

    police: Organisation
    council: Organisation
    trust: Organisation
    police_people: list[PersonRecord] = field(default_factory=list)
    council_people: list[PersonRecord] = field(default_factory=list)


def build(session: Session) -> Partners:
    """The organisations and the police's and council's person records."""
    p = Partners(
        police=f.organisation(session, "Surrey Police", OrgKind.POLICE),
        council=f.organisation(session, "Woking Borough Council", OrgKind.DISTRICT_COUNCIL),
        trust=f.organisation(session, "Surrey and Borders Trust", OrgKind.MENTAL_HEALTH_TRUST),
    )
    for first, last, dob, postcode, gender in POLICE:
        p.police_people.append(
            f.person(
                session,
                p.police,
                first_name=first,
                surname=last,
                date_of_birth=dob,
                postcode=postcode,
                gender=Gender.MALE if gender == "m" else Gender.FEMALE,
            )
        )
    for first, last, dob, postcode, gender in COUNCIL:
        p.council_people.append(
            f.person(
                session,
                p.council,
                first_name=first,
                surname=last,
                date_of_birth=dob,
                postcode=postcode,
                gender=Gender.MALE if gender == "m" else Gender.FEMALE,
            )
        )
    session.commit()
    return p


def lines(rows: list[dict[str, str]], secret: bytes = SECRET) -> list[str]:
    """What ``joinedup pprl encode`` writes for ``rows``: one JSON line per person."""
    clks = encode(rows, secret)
    return [
        json.dumps({"unique_id": r["unique_id"], "clk": base64.b64encode(c).decode("ascii")})
        for r, c in zip(rows, clks, strict=True)
    ]


def known_lines(people: list[PersonRecord], secret: bytes = SECRET) -> list[str]:
    """A partner's encodings of its own person records, under their references."""
    rows = [
        {
            "unique_id": p.reference,
            "first_name": p.first_name,
            "surname": p.surname,
            "dob": p.date_of_birth.isoformat() if p.date_of_birth else "",
            "postcode": p.postcode or "",
            "gender": p.gender.value,
        }
        for p in people
    ]
    return lines(rows, secret)


def trust_lines(secret: bytes = SECRET) -> list[str]:
    """The trust's encodings of its records under its own pseudonymous ids."""
    rows = [
        {"unique_id": u, "first_name": a, "surname": b, "dob": d, "postcode": pc, "gender": g}
        for u, a, b, d, pc, g in TRUST
    ]
    return lines(rows, secret)


def as_bytes(text_lines: list[str]) -> bytes:
    """A JSON lines file's content."""
    return ("\n".join(text_lines) + "\n").encode("utf-8")
