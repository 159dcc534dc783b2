"""Pure helpers of record linkage: cleaning values, postcode parts, pairwise accuracy.

No database, web or Splink code here (docs/architecture.md): these functions are used by the
pipeline (``linkage.model``, ``linkage.batch``) and tested on their own.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

# The columns of the CSV contract (docs/linkage.md); any may be blank except unique_id.
REQUIRED_COLUMNS: tuple[str, ...] = (
    "unique_id",
    "first_name",
    "surname",
    "dob",
    "postcode",
    "gender",
)
# Used when present; every other column is ignored.
OPTIONAL_COLUMNS: tuple[str, ...] = ("address", "birth_place", "identifier")

_UK_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9])([A-Z]{2})$")
_NOT_NAME = re.compile(r"[^a-z' -]+")
_SPACES = re.compile(r"\s+")
_NOT_ADDRESS = re.compile(r"[^a-z0-9 ]+")
_GENDERS = {
    "f": "f",
    "female": "f",
    "w": "f",
    "woman": "f",
    "m": "m",
    "male": "m",
    "man": "m",
    "non_binary": "x",
    "non-binary": "x",
    "x": "x",
}


def blank(value: object) -> bool:
    """True for None, NaN and strings that are empty once stripped."""
    if value is None:
        return True
    if isinstance(value, float) and value != value:  # NaN
        return True
    return not str(value).strip()


def clean_name(value: object) -> str | None:
    """Lower case, letters, apostrophes and hyphens kept, spaces collapsed; None when blank."""
    if blank(value):
        return None
    text = _NOT_NAME.sub("", str(value).strip().lower())
    text = _SPACES.sub(" ", text.replace("-", " ")).strip()
    return text or None


def clean_gender(value: object) -> str | None:
    """``f``, ``m`` or ``x``; None when blank or not known."""
    if blank(value):
        return None
    return _GENDERS.get(str(value).strip().lower())


def clean_dob(value: object) -> str | None:
    """An ISO ``YYYY-MM-DD`` string, kept even when not a real date (a typo is still evidence).

    Accepts ``YYYY-MM-DD`` and ``YYYYMMDD``; anything else is treated as blank.
    """
    if blank(value):
        return None
    text = str(value).strip()[:10]
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return text
    if re.fullmatch(r"\d{8}", text):
        return f"{text[:4]}-{text[4:6]}-{text[6:]}"
    return None


def is_real_date(iso: str | None) -> bool:
    """True when ``iso`` is a calendar date."""
    if iso is None:
        return False
    try:
        date.fromisoformat(iso)
    except ValueError:
        return False
    return True


def clean_postcode(value: object) -> str | None:
    """UK postcodes upper case with one space before the inward code; others stripped."""
    if blank(value):
        return None
    text = _SPACES.sub("", str(value).strip().upper())
    match = _UK_POSTCODE.match(text)
    if match:
        return f"{match.group(1)} {match.group(2)}{match.group(3)}"
    return text or None


def postcode_sector(postcode: str | None) -> str | None:
    """``GU1 4`` for ``GU1 4AB``; the first three digits of a numeric (e.g. Australian) code."""
    if postcode is None:
        return None
    match = _UK_POSTCODE.match(postcode.replace(" ", ""))
    if match:
        return f"{match.group(1)} {match.group(2)}"
    if postcode.isdigit() and len(postcode) >= 4:
        return postcode[:3]
    return None


def postcode_district(postcode: str | None) -> str | None:
    """``GU1`` for ``GU1 4AB``; the first two digits of a numeric code (a broad region)."""
    if postcode is None:
        return None
    match = _UK_POSTCODE.match(postcode.replace(" ", ""))
    if match:
        return match.group(1)
    if postcode.isdigit() and len(postcode) >= 4:
        return postcode[:2]
    return None


def clean_address(value: object) -> str | None:
    """Lower case, punctuation dropped, spaces collapsed; None when blank."""
    if blank(value):
        return None
    text = _SPACES.sub(" ", _NOT_ADDRESS.sub(" ", str(value).lower())).strip()
    return text or None


# Bits in an address's word signature: 63, so that the signature is a positive 64-bit integer.
WORD_BITS = 63


def word_signature(address: str | None) -> int | None:
    """The words of a cleaned address as a set of bits: each word sets bit
    ``md5(word) mod 63`` (the digest read as a little-endian number, as DuckDB's
    ``md5_number`` reads it). ``bit_count(a & b) / bit_count(a | b)`` is then the share of
    words two addresses have in common, computed per pair in a few integer operations instead of
    splitting and intersecting lists; two words rarely share a bit, and when they do the share
    only rises a little. None when there is no address."""
    if address is None:
        return None
    signature = 0
    for word in address.split(" "):
        digest = hashlib.md5(word.encode(), usedforsecurity=False).digest()
        signature |= 1 << (int.from_bytes(digest, "little") % WORD_BITS)
    return signature


def clean_identifier(value: object) -> str | None:
    """Letters and digits only, upper case; None when blank."""
    if blank(value):
        return None
    text = re.sub(r"[^0-9A-Za-z]", "", str(value)).upper()
    return text or None


def febrl_truth(rec_id: str) -> str:
    """The true person of a FEBRL record: ``rec-12-dup-3`` and ``rec-12-org`` are ``12``."""
    parts = rec_id.split("-")
    if len(parts) < 2 or parts[0] != "rec":
        raise ValueError(f"not a FEBRL rec_id: {rec_id!r}")
    return parts[1]


@dataclass(frozen=True, slots=True)
class PairwiseScores:
    """Pairwise accuracy of a clustering against the truth."""

    true_positives: int
    predicted_pairs: int
    true_pairs: int

    @property
    def precision(self) -> float:
        return self.true_positives / self.predicted_pairs if self.predicted_pairs else 1.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.true_pairs if self.true_pairs else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def _pairs(counts: Iterable[int]) -> int:
    return sum(n * (n - 1) // 2 for n in counts)


def pairwise_scores(clusters: Sequence[str], truth: Sequence[str]) -> PairwiseScores:
    """Pairwise precision/recall of record clusters: ``clusters[i]`` and ``truth[i]`` are the
    predicted cluster and the true person of record ``i``. Every pair of records in one
    predicted cluster counts as a predicted link (the transitive closure is what users see)."""
    if len(clusters) != len(truth):
        raise ValueError("clusters and truth differ in length")
    both = Counter(zip(clusters, truth, strict=True))
    return PairwiseScores(
        true_positives=_pairs(both.values()),
        predicted_pairs=_pairs(Counter(clusters).values()),
        true_pairs=_pairs(Counter(truth).values()),
    )


# Common English diminutives → the formal name (both sides are mapped, so "Liz" meets "Beth").
# A diminutive of two formal names (Sam: Samantha, Samuel) maps to the first listed.
_NICKNAMES: dict[str, tuple[str, ...]] = {
    "abigail": ("abbie", "abby", "abi", "gail"),
    "alexander": ("alex", "sandy", "xander"),
    "alexandra": ("alex", "lexie", "lexi", "sandra", "sasha"),
    "amanda": ("mandy", "manda"),
    "andrew": ("andy", "drew"),
    "anthony": ("tony", "ant"),
    "benjamin": ("ben", "benny", "benji"),
    "catherine": ("cathy", "kate", "katie", "cath", "kat", "kitty"),
    "charles": ("charlie", "chas", "chuck"),
    "charlotte": ("lottie", "lotte", "charlie"),
    "christine": ("chrissie", "chrissy", "tina"),
    "christopher": ("chris", "kit"),
    "daniel": ("dan", "danny"),
    "david": ("dave", "davey"),
    "deborah": ("debbie", "deb", "debs"),
    "donald": ("don", "donny"),
    "douglas": ("doug", "dougie"),
    "edward": ("ed", "eddie", "ted", "ned"),
    "eleanor": ("ellie", "nell", "nellie", "ella", "elle"),
    "elizabeth": ("liz", "lizzie", "lizzy", "beth", "betty", "eliza", "lisa", "libby"),
    "frederick": ("fred", "freddie", "freddy"),
    "gerald": ("gerry", "ged"),
    "gregory": ("greg",),
    "henry": ("harry", "hal"),
    "isabel": ("izzy", "bella", "issy"),
    "jacqueline": ("jackie", "jacqui", "jacky"),
    "james": ("jim", "jimmy", "jamie"),
    "jennifer": ("jenny", "jen"),
    "jessica": ("jess", "jessie"),
    "john": ("jack", "johnny"),
    "jonathan": ("jon", "jonny"),
    "joseph": ("joe", "joey"),
    "josephine": ("jo", "josie"),
    "kenneth": ("ken", "kenny"),
    "kimberley": ("kim", "kimmy"),
    "lawrence": ("larry", "laurie"),
    "leonard": ("len", "lenny", "leo"),
    "margaret": ("maggie", "meg", "peggy", "madge"),
    "matthew": ("matt", "matty"),
    "michael": ("mike", "mick", "mikey", "micky"),
    "nicholas": ("nick", "nicky"),
    "nicola": ("nikki", "nicky"),
    "oliver": ("ollie", "olly"),
    "pamela": ("pam",),
    "patricia": ("pat", "patty", "trish", "tricia"),
    "penelope": ("penny",),
    "peter": ("pete",),
    "philip": ("phil", "pip"),
    "raymond": ("ray",),
    "rebecca": ("becky", "becca", "bex"),
    "richard": ("rich", "rick", "dick", "richie"),
    "robert": ("rob", "bob", "bobby", "robbie", "bert"),
    "ronald": ("ron", "ronnie"),
    "samantha": ("sam", "sammy"),
    "samuel": ("sam", "sammy"),
    "stephen": ("steve", "stevie"),
    "susan": ("sue", "susie"),
    "terence": ("terry", "tel"),
    "theresa": ("tess", "tessa", "terri"),
    "thomas": ("tom", "tommy"),
    "timothy": ("tim", "timmy"),
    "valerie": ("val",),
    "victoria": ("vicky", "vikki", "tori", "vic"),
    "william": ("will", "bill", "billy", "liam", "willie"),
    "zachary": ("zach", "zak"),
}
# Spellings of one formal name, so that "Katie" (Catherine) meets "Katherine".
_SPELLINGS: dict[str, str] = {
    "katherine": "catherine",
    "kathryn": "catherine",
    "steven": "stephen",
    "phillip": "philip",
    "kimberly": "kimberley",
    "teresa": "theresa",
    "isabelle": "isabel",
    "isobel": "isabel",
    "zachery": "zachary",
}
_CANONICAL: dict[str, str] = dict(_SPELLINGS)
for _formal, _short in _NICKNAMES.items():
    for _name in _short:
        _CANONICAL.setdefault(_name, _SPELLINGS.get(_formal, _formal))


def canonical_first_name(first_name: str | None) -> str | None:
    """The formal form of a cleaned first name (``liz`` → ``elizabeth``); itself otherwise."""
    if first_name is None:
        return None
    return _CANONICAL.get(first_name, first_name)


# Levels of the first-name comparison too weak to merge on (model.py labels), and the levels of
# the date-of-birth comparison that count as the same date.
WEAK_FIRST_NAME = frozenset({"all other comparisons", "Jaro-Winkler >= 0.7"})
SAME_DOB = frozenset(
    {"exact match", "day and month transposed", "one digit different or two swapped"}
)


def household_veto(
    first_name: str | None,
    dob: str | None,
    identifier: str | None = None,
    *,
    allow_missing_dob: bool = False,
) -> str | None:
    """Why a pair must not merge automatically whatever its probability, or None (LNK-1).

    ``first_name`` and ``dob`` are the pair's comparison levels (None when a value is missing).
    Members of one household share surname, address and postcode, so those prove little on
    their own: an automatic merge needs the person's own evidence — the same date of birth
    (a transposed day and month or one typo allowed) and first names that are not unlike — or
    the same identifier (``identifier`` is that comparison's level, when the column exists).
    ``allow_missing_dob`` lets a pair with a first name but no date of birth on one side merge
    on its score (more links; a same-named household member without a date of birth merges).
    """
    if identifier == "exact match":
        return None
    if first_name in WEAK_FIRST_NAME:
        return "first names unlike"
    if dob is None:
        if allow_missing_dob and first_name is not None:
            return None
        return "date of birth missing"
    if dob not in SAME_DOB:
        return "dates of birth differ"
    return None


# What happens to a pair held back only because one date of birth is missing (first names
# present and not unlike, the score at or above the automatic threshold):
MISSING_DOB_REVIEW = "review"  # always a person's decision
MISSING_DOB_ONE_PERSON = "one-person"  # merged when the record can be only one person
MISSING_DOB_SCORE = "score"  # merged on its score (a same-named household member merges too)
MISSING_DOB_CHOICES = (MISSING_DOB_REVIEW, MISSING_DOB_ONE_PERSON, MISSING_DOB_SCORE)
DEFAULT_MISSING_DOB = MISSING_DOB_ONE_PERSON

DOB_MISSING = "date of birth missing"
DOB_MISSING_AMBIGUOUS = "date of birth missing, more than one person possible"
# Vetoes that say two records are different people (a missing value says nothing).
CONFLICTING = frozenset({"first names unlike", "dates of birth differ"})


def check_missing_dob(choice: str) -> str:
    """``choice`` when it is one of ``MISSING_DOB_CHOICES``; ValueError otherwise."""
    if choice not in MISSING_DOB_CHOICES:
        raise ValueError(
            f"missing_dob must be one of {', '.join(MISSING_DOB_CHOICES)}, not {choice!r}"
        )
    return choice


def held_back_by_missing_dob(
    first_name: str | None, dob: str | None, identifier: str | None = None
) -> bool:
    """True when the veto stops a pair only because a date of birth is missing: the pair
    would merge on its score if missing dates of birth were allowed."""
    return (
        household_veto(first_name, dob, identifier) == DOB_MISSING
        and household_veto(first_name, dob, identifier, allow_missing_dob=True) is None
    )


@dataclass(frozen=True, slots=True)
class Between:
    """What is known about two candidates of a record without a date of birth.

    ``both_dob``: both candidates have a date of birth. ``same``: they are one person by the
    evidence that exists — the same date of birth (exact, transposed or one typo) on a scored
    pair, an automatic pair between them, or already one entity. ``conflict``: a scored pair
    between them is vetoed as different people (``CONFLICTING``)."""

    both_dob: bool
    same: bool
    conflict: bool


def one_person(between: Iterable[Between]) -> bool:
    """The ambiguity guard: a record without a date of birth can be only one person when no
    two of the candidates it reaches at the automatic threshold are told apart — none vetoed
    against another as different people, and every two that both have a date of birth shown
    to be one person. Candidates without a date of birth are no evidence of another person
    (``decisions.guard_sql`` is the same rule over a batch's scored pairs)."""
    return not any(b.conflict or (b.both_dob and not b.same) for b in between)
