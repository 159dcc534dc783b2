"""Turning a submitted form into a Pydantic model, with GOV.UK-style messages per field."""

from __future__ import annotations

from typing import Any, TypeVar

from fastapi import Request
from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)

_MESSAGES = {
    "missing": "Enter {label}",
    "string_too_short": "{Label} is too short",
    "string_too_long": "{Label} is too long",
    "string_pattern_mismatch": "{Label} can only have lower case letters, numbers, dots and dashes",
    "enum": "Select {label}",
    "uuid_parsing": "Select {label}",
}


async def form_dict(request: Request, *, lists: tuple[str, ...] = ()) -> dict[str, Any]:
    """The submitted form as a dict; ``lists`` names fields that may repeat (checkboxes)."""
    form = await request.form()
    data: dict[str, Any] = {}
    for key in form:
        if key == "csrf_token":
            continue
        values = [v for v in form.getlist(key) if isinstance(v, str)]
        data[key] = values if key in lists else (values[-1] if values else "")
    return {k: v for k, v in data.items() if v != "" and v != []}


def parse_form(
    model: type[M], data: dict[str, Any], labels: dict[str, str]
) -> tuple[M | None, dict[str, str]]:
    """Validate ``data`` as ``model``; on failure return field -> message for the error summary."""
    try:
        return model.model_validate(data), {}
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for err in exc.errors():
            field = str(err["loc"][0]) if err["loc"] else "form"
            label = labels.get(field, field.replace("_", " "))
            template = _MESSAGES.get(err["type"], "Check {label}")
            errors.setdefault(
                field, template.format(label=label, Label=label[:1].upper() + label[1:])
            )
        return None, errors
