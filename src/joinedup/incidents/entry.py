"""Recording an incident through the pages: the answers of each step, checked the GOV.UK way,
and the draft carried between the steps.

The draft (the answers about the incident and the people added so far) travels in one hidden
form field: JSON, base64url-encoded and signed with HMAC-SHA256 bound to the user, so nothing
is stored on the server until the last step and a draft cannot be altered or replayed by
another user. Every step rebuilds the ``IncidentIn`` from the draft, so what is written is
always what the checks passed. Pure: no database or web code.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from joinedup.incidents.schemas import (
    MAX_PEOPLE,
    IncidentIn,
    InvolvementIn,
    InvolvementRole,
    LocationIn,
    TimePrecision,
)
from joinedup.incidents.taxonomy import BY_CODE
from joinedup.people.schemas import Gender, PersonIn

LONDON = ZoneInfo("Europe/London")
DRAFT_VERSION = 1
# A draft older than this is refused (the form was left open overnight): start again.
DRAFT_MAX_AGE = timedelta(hours=12)
_PURPOSE = "incident-draft"
_MAX_DRAFT = 400_000

DETAIL_FIELDS = (
    "category",
    "reference",
    "occurred_day",
    "occurred_month",
    "occurred_year",
    "occurred_time",
    "reported_day",
    "reported_month",
    "reported_year",
    "reported_time",
    "location_description",
    "postcode",
    "narrative",
)
NEW_PERSON_FIELDS = (
    "new_reference",
    "new_first_name",
    "new_surname",
    "new_dob_day",
    "new_dob_month",
    "new_dob_year",
    "new_gender",
    "new_address_line",
    "new_town",
    "new_postcode",
    "new_address_confidential",
    "new_role",
)
_TIME = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$")
_DOB = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_POSTCODE = re.compile(r"^[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}$")


class DraftError(Exception):
    """The draft is missing, altered, too old or no longer valid: start again."""


@dataclass(slots=True)
class Draft:
    """The answers so far: the raw details form and the people added (``InvolvementIn`` as
    JSON), with when the draft was started."""

    form: dict[str, str] = field(default_factory=dict)
    people: list[dict[str, Any]] = field(default_factory=list)
    started: str = ""


# --- the signed hidden field ----------------------------------------------------------------


def _mac(secret_key: str, user_id: uuid.UUID, payload: str) -> str:
    message = f"{_PURPOSE}:{user_id}:{payload}".encode()
    return hmac.new(secret_key.encode(), message, hashlib.sha256).hexdigest()


def seal(draft: Draft, *, secret_key: str, user_id: uuid.UUID, now: datetime) -> str:
    """The draft as the value of the hidden ``draft`` field."""
    body = {
        "v": DRAFT_VERSION,
        "form": draft.form,
        "people": draft.people,
        "started": draft.started or now.astimezone(UTC).isoformat(),
    }
    raw = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    payload = base64.urlsafe_b64encode(raw).decode().rstrip("=")
    return f"{payload}.{_mac(secret_key, user_id, payload)}"


def unseal(value: str, *, secret_key: str, user_id: uuid.UUID, now: datetime) -> Draft:
    """The draft in a hidden field, or ``DraftError`` when it is missing, altered or too old."""
    if not value or len(value) > _MAX_DRAFT or "." not in value:
        raise DraftError("missing")
    payload, mac = value.rsplit(".", 1)
    if not hmac.compare_digest(_mac(secret_key, user_id, payload), mac):
        raise DraftError("altered")
    try:
        body = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        started = datetime.fromisoformat(body["started"])
        form, people = body["form"], body["people"]
    except (binascii.Error, ValueError, KeyError, TypeError) as exc:
        raise DraftError("unreadable") from exc
    if body.get("v") != DRAFT_VERSION or not isinstance(form, dict) or not isinstance(people, list):
        raise DraftError("unreadable")
    if started.tzinfo is None or now - started > DRAFT_MAX_AGE:
        raise DraftError("expired")
    clean = {k: str(v) for k, v in form.items() if k in DETAIL_FIELDS and isinstance(v, str)}
    return Draft(form=clean, people=people, started=body["started"])


# --- dates and times ------------------------------------------------------------------------


def _date(
    form: Mapping[str, str], prefix: str, label: str, *, required: bool, today: date
) -> tuple[date | None, str | None]:
    """The date of a GOV.UK date input (``<prefix>_day`` etc.) or an error message."""
    parts = {p: form.get(f"{prefix}_{p}", "").strip() for p in ("day", "month", "year")}
    if not any(parts.values()):
        return None, (f"Enter {label.lower()}" if required else None)
    missing = [p for p in ("day", "month", "year") if not parts[p]]
    if missing:
        return None, f"{label} must include a {' and a '.join(missing)}"
    if not all(v.isdigit() for v in parts.values()) or len(parts["year"]) != 4:
        return None, f"{label} must be a real date"
    try:
        value = date(int(parts["year"]), int(parts["month"]), int(parts["day"]))
    except ValueError:
        return None, f"{label} must be a real date"
    if value > today:
        return None, f"{label} must be today or in the past"
    if value.year < 1900:
        return None, f"{label} must be after 1900"
    return value, None


def _time(raw: str, label: str) -> tuple[time | None, str | None]:
    raw = raw.strip()
    if not raw:
        return None, None
    match = _TIME.match(raw)
    if not match:
        return None, f"Enter {label.lower()} as hh:mm, for example 14:30"
    return time(int(match.group(1)), int(match.group(2))), None


def _local(day: date, at: time | None) -> datetime:
    """A Europe/London wall-clock moment as aware UTC (midnight when no time is given)."""
    return datetime.combine(day, at or time(0, 0), tzinfo=LONDON).astimezone(UTC)


def local_parts(value: datetime | None, precision: TimePrecision) -> dict[str, str]:
    """The day, month, year and time fields showing ``value`` (for the "Change" step)."""
    if value is None:
        return {}
    local = value.astimezone(LONDON)
    parts = {"day": str(local.day), "month": str(local.month), "year": str(local.year)}
    parts["time"] = f"{local:%H:%M}" if precision is TimePrecision.MINUTE else ""
    return parts


def _clean(text: str) -> str:
    """Free text from a form: control characters other than line breaks and tabs removed."""
    return _CONTROL.sub("", text.replace("\r\n", "\n")).strip()


# --- step 1: what happened ------------------------------------------------------------------


def _when(
    form: Mapping[str, str], today: date, errors: dict[str, str]
) -> tuple[datetime | None, TimePrecision, datetime | None]:
    """When it happened (and how precisely) and when it was reported, as aware UTC."""
    occurred_day, problem = _date(
        form, "occurred", "The date it happened", required=True, today=today
    )
    if problem:
        errors["occurred_day"] = problem
    occurred_time, problem = _time(form.get("occurred_time", ""), "The time it happened")
    if problem:
        errors["occurred_time"] = problem
    reported_day, problem = _date(
        form, "reported", "The date it was reported", required=False, today=today
    )
    if problem:
        errors["reported_day"] = problem
    reported_time, problem = _time(form.get("reported_time", ""), "The time it was reported")
    if problem:
        errors["reported_time"] = problem
    elif reported_time and reported_day is None and "reported_day" not in errors:
        errors["reported_day"] = "Enter the date it was reported, or leave the time empty"
    occurred_at = _local(occurred_day, occurred_time) if occurred_day else None
    reported_at = _local(reported_day, reported_time) if reported_day else None
    if occurred_at and reported_at and reported_at < occurred_at:
        errors.setdefault(
            "reported_day", "The date it was reported must be on or after the date it happened"
        )
    precision = TimePrecision.MINUTE if occurred_time else TimePrecision.DAY
    return occurred_at, precision, reported_at


def _postcode(form: Mapping[str, str], name: str, errors: dict[str, str]) -> str:
    postcode = " ".join(form.get(name, "").upper().split())
    if postcode and not _POSTCODE.match(postcode):
        errors[name] = "Enter a real postcode, like GU1 4LH, or leave it empty"
    return postcode


def _text(
    form: Mapping[str, str], name: str, label: str, limit: int, errors: dict[str, str]
) -> str:
    """One line of free text, at most ``limit`` characters."""
    value = " ".join(_clean(form.get(name, "")).split("\n"))
    if len(value) > limit:
        errors[name] = f"{label} must be {limit:,} characters or fewer"
    return value


def parse_details(
    form: Mapping[str, str], *, today: date
) -> tuple[IncidentIn | None, dict[str, str]]:
    """The incident without its people, or the errors keyed by the field id they belong to."""
    errors: dict[str, str] = {}
    category = form.get("category", "").strip()
    if category not in BY_CODE:
        errors["category"] = "Select what happened"
    reference = _clean(form.get("reference", ""))
    if not reference:
        errors["reference"] = "Enter your reference for this incident"
    elif len(reference) > 80 or "\n" in reference or "\t" in reference:
        errors["reference"] = "Your reference must be 80 characters or fewer, on one line"
    occurred_at, precision, reported_at = _when(form, today, errors)
    description = _text(form, "location_description", "Where it happened", 300, errors)
    postcode = _postcode(form, "postcode", errors)
    narrative = _clean(form.get("narrative", ""))
    if len(narrative) > 20_000:
        errors["narrative"] = "What happened must be 20,000 characters or fewer"
    if errors:
        return None, errors
    location = LocationIn(description=description, postcode=postcode)
    try:
        item = IncidentIn(
            reference=reference,
            category=category,
            occurred_at=occurred_at,
            occurred_precision=precision,
            reported_at=reported_at,
            location=None if location.empty else location,
            narrative=narrative,
        )
    except ValidationError as exc:
        return None, _schema_errors(exc)
    return item, {}


_SCHEMA_FIELDS = {
    "reference": "reference",
    "category": "category",
    "occurred_at": "occurred_day",
    "reported_at": "reported_day",
    "location": "location_description",
    "narrative": "narrative",
}


def _schema_errors(exc: ValidationError) -> dict[str, str]:
    errors: dict[str, str] = {}
    for err in exc.errors(include_url=False, include_input=False):
        top = str(err["loc"][0]) if err["loc"] else ""
        errors.setdefault(_SCHEMA_FIELDS.get(top, "reference"), "Check this answer")
    return errors


def build(draft: Draft, *, today: date) -> IncidentIn:
    """The whole incident from a draft, checked again; ``DraftError`` if it no longer passes."""
    item, errors = parse_details(draft.form, today=today)
    if item is None:
        raise DraftError("details")
    if len(draft.people) > MAX_PEOPLE:
        raise DraftError("people")
    try:
        people = [InvolvementIn.model_validate(p) for p in draft.people]
        return IncidentIn.model_validate({**item.model_dump(), "people": people})
    except ValidationError as exc:
        raise DraftError("people") from exc


# --- step 2: people involved ----------------------------------------------------------------


def _role(raw: str, field_id: str, errors: dict[str, str]) -> InvolvementRole | None:
    try:
        return InvolvementRole(raw)
    except ValueError:
        errors[field_id] = "Select the person's role in the incident"
        return None


def parse_pick(form: Mapping[str, str]) -> tuple[InvolvementIn | None, dict[str, str]]:
    """An existing person record picked from the search results, with a role."""
    errors: dict[str, str] = {}
    try:
        person_id = uuid.UUID(form.get("pick_person", ""))
    except ValueError:
        person_id = None
        errors["pick_person"] = "Select the person"
    role = _role(form.get("pick_role", ""), "pick_role", errors)
    if errors or person_id is None or role is None:
        return None, errors
    return InvolvementIn(role=role, person_id=person_id), {}


def parse_new_person(
    form: Mapping[str, str], *, today: date
) -> tuple[InvolvementIn | None, dict[str, str]]:
    """A new person record, with a role; errors keyed by field id."""
    errors: dict[str, str] = {}
    reference = _clean(form.get("new_reference", ""))
    if not reference:
        errors["new_reference"] = "Enter your reference for this person"
    elif len(reference) > 80 or "\n" in reference:
        errors["new_reference"] = "The person's reference must be 80 characters or fewer"
    first_name = _text(form, "new_first_name", "First name", 100, errors)
    surname = _text(form, "new_surname", "Surname", 100, errors)
    if not (first_name or surname) and "new_first_name" not in errors:
        errors["new_first_name"] = "Enter the person's first name or surname"
    dob, problem = _date(form, "new_dob", "Date of birth", required=False, today=today)
    if problem:
        errors["new_dob_day"] = problem
    try:
        gender = Gender(form.get("new_gender") or Gender.NOT_KNOWN.value)
    except ValueError:
        gender = Gender.NOT_KNOWN
        errors["new_gender"] = "Select the person's gender, or Not known"
    address = _text(form, "new_address_line", "Address", 300, errors)
    town = _text(form, "new_town", "Town", 100, errors)
    postcode = _postcode(form, "new_postcode", errors)
    role = _role(form.get("new_role", ""), "new_role", errors)
    if errors or role is None:
        return None, errors
    person = PersonIn(
        reference=reference,
        first_name=first_name,
        surname=surname,
        date_of_birth=dob,
        gender=gender,
        address_line=address,
        town=town,
        postcode=postcode,
        address_confidential=form.get("new_address_confidential") == "yes",
    )
    return InvolvementIn(role=role, person=person), {}


def add_person(draft: Draft, involvement: InvolvementIn) -> str | None:
    """Add ``involvement`` to the draft, or say why not (a duplicate, or too many people)."""
    if len(draft.people) >= MAX_PEOPLE:
        return f"An incident can have at most {MAX_PEOPLE} people involved"
    for existing in (InvolvementIn.model_validate(p) for p in draft.people):
        if existing.role is not involvement.role:
            continue
        same_record = existing.person_id is not None and existing.person_id == involvement.person_id
        same_new = (
            existing.person is not None
            and involvement.person is not None
            and existing.person.reference == involvement.person.reference
        )
        if same_record or same_new:
            return f"This person is already listed as {involvement.role.label.lower()}"
    if involvement.person is not None:
        for existing in (InvolvementIn.model_validate(p) for p in draft.people):
            if existing.person and existing.person.reference == involvement.person.reference:
                if existing.person != involvement.person:
                    return "You have already added a different person with this reference"
    draft.people.append(involvement.model_dump(mode="json", exclude_none=True))
    return None


def remove_person(draft: Draft, index: str) -> None:
    """Remove the person at ``index`` (a form value); an unknown index changes nothing."""
    if index.isdigit() and int(index) < len(draft.people):
        del draft.people[int(index)]


def search_terms(text: str) -> tuple[list[str], date | None]:
    """A person search: name or reference words, and a date of birth written 17/5/1980."""
    words: list[str] = []
    born: date | None = None
    for word in text.split()[:4]:
        match = _DOB.match(word)
        if match:
            try:
                born = date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
            except ValueError:
                continue
        else:
            words.append(word)
    return words[:3], born
