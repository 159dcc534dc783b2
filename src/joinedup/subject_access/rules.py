"""Subject access rules: the one-month clock and third-party redaction of free text (DSR-1)."""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable
from datetime import date

REDACTED = "[redacted]"
REDACTION_NOTE = (
    "Other people involved in these incidents are shown by their role only. Their names, "
    "addresses and postcodes have been removed from free text where they appear as recorded; "
    "spellings that differ from their records (nicknames, misspellings) may not be caught, so "
    "a person checks every pack before it is sent."
)
MIN_TERM = 2


def due_on(received_on: date) -> date:
    """One calendar month from receipt (UK GDPR Art 12(3)); a short month ends on its last day."""
    year = received_on.year + (received_on.month // 12)
    month = received_on.month % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(received_on.day, last))


def is_overdue(due: date, today: date, status: str) -> bool:
    """An open request past its due date."""
    return status != "completed" and today > due


def third_party_terms(
    first_name: str, middle_names: str, surname: str, address_line: str, town: str, postcode: str
) -> list[str]:
    """The strings of another person's record to remove from free text."""
    del town  # a town names no one: redacting it would hide the subject's own place names
    terms = [first_name, surname, *middle_names.split(), address_line, postcode]
    if postcode:
        terms.append(postcode.replace(" ", ""))
    return [t.strip() for t in terms if len(t.strip()) >= MIN_TERM]


def redact(text: str, terms: Iterable[str]) -> str:
    """``text`` with each term replaced by ``[redacted]``: whole words, any case, longest first."""
    unique = sorted({t for t in terms if t}, key=len, reverse=True)
    if not text or not unique:
        return text
    pattern = re.compile(
        r"(?<!\w)(" + "|".join(re.escape(t) for t in unique) + r")(?!\w)", re.IGNORECASE
    )
    return pattern.sub(REDACTED, text)


def other_person_text(role_label: str) -> str:
    """How someone else is shown in the pack: "another person (suspect)"."""
    return f"another person ({role_label.lower()})"
