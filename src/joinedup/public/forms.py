"""Reading the portal's forms: GOV.UK date inputs, the repeating incident rows (no JavaScript),
and the honeypot. Pure: takes the submitted fields as a dict of strings."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ValidationError

from joinedup.public.rules import error_messages
from joinedup.public.schemas import MAX_INCIDENTS

HONEYPOT = "website"
CHOICES = frozenset({"kind", "applying", "reported_to", "threshold_met"})
INCIDENT_FIELDS = (
    "occurred-day",
    "occurred-month",
    "occurred-year",
    "what_happened",
    "reported_to",
    "other_body",
    "body_reference",
)


def honeypot_filled(form: dict[str, str]) -> bool:
    """True when the hidden field only a bot fills in has a value."""
    return bool(form.get(HONEYPOT, "").strip())


def date_from(form: dict[str, str], prefix: str, label: str) -> tuple[date | None, str | None]:
    """The date of a GOV.UK date input (``<prefix>-day/-month/-year``), or an error message."""
    parts = [form.get(f"{prefix}-{p}", "").strip() for p in ("day", "month", "year")]
    if not any(parts):
        return None, f"Enter {label}"
    if not all(parts):
        missing = [n for n, v in zip(("a day", "a month", "a year"), parts, strict=True) if not v]
        return None, f"{label[:1].upper() + label[1:]} must include {' and '.join(missing)}"
    try:
        day, month, year = (int(p) for p in parts)
        if year < 1900:
            raise ValueError
        return date(year, month, day), None
    except ValueError:
        return None, f"{label[:1].upper() + label[1:]} must be a real date"


def incident_rows(form: dict[str, str]) -> list[dict[str, str]]:
    """The incident rows as submitted (``incidents-<n>-<field>``), in order, at most the limit."""
    indexes = sorted(
        {
            int(key.split("-")[1])
            for key in form
            if key.startswith("incidents-") and key.split("-")[1].isdigit()
        }
    )
    rows = []
    for index in indexes[:MAX_INCIDENTS]:
        rows.append({f: form.get(f"incidents-{index}-{f}", "") for f in INCIDENT_FIELDS})
    return rows


def validate(
    model: type[BaseModel],
    data: dict[str, Any],
    labels: dict[str, str],
    renames: dict[str, str] | None = None,
) -> tuple[Any, dict[str, str]]:
    """Validate ``data``; errors keyed by field id, with ``renames`` applied to the ids; a
    missing choice (radios) reads "Select ...", a missing text "Enter ..."."""
    try:
        return model.model_validate(data), {}
    except ValidationError as exc:
        errors = error_messages(exc, labels)
        renamed: dict[str, str] = {}
        for key, message in errors.items():
            for old, new in (renames or {}).items():
                if key == old or key.endswith("-" + old):
                    key = key[: len(key) - len(old)] + new
            if key.split("-")[-1] in CHOICES and message.startswith("Enter "):
                message = "Select " + message[len("Enter ") :]
            renamed.setdefault(key, message)
        return None, renamed
