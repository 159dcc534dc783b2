"""Pure rules of the public portal: tracking references and secrets, field checks, the
ASB Case Review threshold, the statutory clocks and the stage shown to the public."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from pydantic import ValidationError

from joinedup.common.working_days import add_working_days, working_days_between
from joinedup.places.rules import normalise_postcode
from joinedup.public.schemas import Clock, ReviewStatus

# No 0/O, 1/I/L, 5/S or 8/B to misread: 27 characters, easy to read out on the phone.
ALPHABET = "234679ACDEFGHJKMNPQRTUVWXYZ"
CONCERN_PREFIX = "CON"
REVIEW_PREFIX = "ACR"
REFERENCE_GROUPS = 2
SECRET_GROUPS = 5
GROUP = 4
_CANONICAL_POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[0-9 ()-]{7,30}$")


def _groups(count: int) -> str:
    return "-".join("".join(secrets.choice(ALPHABET) for _ in range(GROUP)) for _ in range(count))


def new_reference(prefix: str) -> str:
    """A human-friendly tracking reference, e.g. ``CON-7K3M-Q9XD`` (not secret: it is the
    look-up key; the secret code proves who may see the status)."""
    return f"{prefix}-{_groups(REFERENCE_GROUPS)}"


def new_secret() -> str:
    """A secret code shown once, e.g. ``H4XR-9KCM-TT7Q-E2WD-PZ3N``: 20 characters from a
    27-character alphabet, about 95 bits of entropy."""
    return _groups(SECRET_GROUPS)


def tidy_code(value: str) -> str:
    """A secret as typed by a person: upper case, spaces and dashes dropped."""
    return re.sub(r"[\s-]+", "", value.upper())


def tidy_reference(value: str) -> str:
    """A tracking reference as typed (``con 7k3m q9xd``) in its stored form (``CON-7K3M-Q9XD``)."""
    compact = tidy_code(value)
    size = 3 + REFERENCE_GROUPS * GROUP
    if len(compact) != size:
        return compact[:40]
    parts = [compact[:3]] + [compact[i : i + GROUP] for i in range(3, size, GROUP)]
    return "-".join(parts)


def secret_digest(secret: str) -> str:
    """The SHA-256 digest the secret is stored as (see docs/public-portal.md for why not
    argon2: the secret is random and high-entropy, and the status page is anonymous)."""
    return hashlib.sha256(tidy_code(secret).encode()).hexdigest()


def secret_matches(stored_digest: str, secret: str) -> bool:
    """Constant-time comparison of a typed secret with the stored digest."""
    return hmac.compare_digest(stored_digest, secret_digest(secret))


def keyed_digest(key: str, purpose: str, value: str) -> str:
    """An HMAC digest for the throttles (client address, reference): never the value itself."""
    return hmac.new(key.encode(), f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()


def is_postcode(raw: str) -> bool:
    """True when ``raw`` is a UK postcode (the places rules' canonical form)."""
    return bool(_CANONICAL_POSTCODE.match(normalise_postcode(raw)))


def is_email(raw: str) -> bool:
    """A plausible email address (one @, a dot in the domain, no spaces)."""
    return bool(_EMAIL.match(raw))


def is_phone(raw: str) -> bool:
    """A plausible phone number: digits, spaces, brackets, dashes, an optional leading +."""
    return bool(_PHONE.match(raw)) and sum(c.isdigit() for c in raw) >= 7


def months_before(day: date, months: int) -> date:
    """The same day ``months`` calendar months earlier (the month's last day if shorter)."""
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise ValueError("impossible date")  # pragma: no cover


def incidents_in_window(dates: Iterable[date], received: date, months: int) -> int:
    """How many separate incidents fall in the ``months`` before the application.

    Incidents on the same day count once: the same incident reported to several bodies is one
    incident (ASB Case Review guidance)."""
    start = months_before(received, months)
    return len({d for d in dates if start <= d <= received})


def in_window(day: date, received: date, months: int) -> bool:
    """True when ``day`` is inside the threshold window of an application received then."""
    return months_before(received, months) <= day <= received


@dataclass(frozen=True, slots=True)
class ClockSettings:
    """The statutory clocks in working days, and the threshold."""

    acknowledge_days: int = 10
    decision_days: int = 15
    meeting_days: int = 20
    threshold: int = 3
    threshold_months: int = 6


def acknowledge_due(received: date, cfg: ClockSettings) -> date:
    """The last day to acknowledge an application."""
    return add_working_days(received, cfg.acknowledge_days)


def decision_due(received: date, cfg: ClockSettings) -> date:
    """The last day to decide whether the threshold is met."""
    return add_working_days(received, cfg.decision_days)


def meeting_due(decided: date, cfg: ClockSettings) -> date:
    """The last day to hold the review meeting, counted from the threshold decision."""
    return add_working_days(decided, cfg.meeting_days)


def clock(step: str, due: date, done_at: datetime | None, today: date) -> Clock:
    """A clock: working days left (negative when overdue) while the step is not done."""
    if done_at is not None:
        return Clock(step=step, due=due, done_at=done_at, days_left=None, overdue=False)
    left = working_days_between(today, due)
    return Clock(step=step, due=due, done_at=None, days_left=left, overdue=today > due)


def next_step(clocks: list[Clock]) -> Clock | None:
    """The first step not done yet."""
    return next((c for c in clocks if c.done_at is None), None)


def status_after_decision(threshold_met: bool) -> ReviewStatus:
    """The status a threshold decision leads to."""
    return ReviewStatus.THRESHOLD_MET if threshold_met else ReviewStatus.THRESHOLD_NOT_MET


def public_status_label(status: ReviewStatus) -> str:
    """How the applicant reads the stage of their application."""
    return {
        ReviewStatus.RECEIVED: "We have received your application",
        ReviewStatus.ACKNOWLEDGED: "Your application has been acknowledged and is being looked at",
        ReviewStatus.THRESHOLD_MET: "The threshold is met: a case review will be held",
        ReviewStatus.THRESHOLD_NOT_MET: "The threshold for a case review is not met",
        ReviewStatus.MEETING_SCHEDULED: "A case review meeting has been arranged",
        ReviewStatus.COMPLETED: "The case review has been completed",
    }[status]


_MESSAGES = {
    "missing": "Enter {label}",
    "string_too_short": "{Label} is too short",
    "string_too_long": "{Label} must be {max} characters or fewer",
    "enum": "Select {label}",
    "date_from_datetime_parsing": "{Label} must be a real date",
    "date_parsing": "{Label} must be a real date",
    "date_type": "{Label} must be a real date",
    "bool_parsing": "Select {label}",
    "too_short": "Add {label}",
    "too_long": "You can list up to {max} incidents",
}


def field_id(loc: tuple[int | str, ...]) -> str:
    """The form field id of a validation error's location, e.g. ``incidents-0-what_happened``."""
    return "-".join(str(part) for part in loc) or "form"


def error_messages(exc: ValidationError, labels: dict[str, str]) -> dict[str, str]:
    """GOV.UK-style messages keyed by field id; ``labels`` names fields by their last part."""
    errors: dict[str, str] = {}
    for err in exc.errors():
        loc = tuple(err["loc"])
        key = field_id(loc)
        label = labels.get(str(loc[-1]) if loc else "form", str(loc[-1]).replace("_", " "))
        ctx = err.get("ctx") or {}
        limit = ctx.get("max_length", "")
        template = _MESSAGES.get(err["type"], "Check {label}")
        message = template.format(label=label, Label=label[:1].upper() + label[1:], max=limit)
        errors.setdefault(key, message)
    return errors
