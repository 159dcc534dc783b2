"""Jinja templates: JoinedUp's layout, each domain's ``templates/`` and the GOV.UK macros."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, PrefixLoader
from markupsafe import Markup
from starlette.responses import HTMLResponse

from joinedup.common.clock import format_date, format_datetime

PACKAGE_DIR = Path(__file__).resolve().parents[1]
DOMAINS = (
    "auth",
    "partners",
    "agreements",
    "people",
    "places",
    "incidents",
    "audit",
    "access",
    "public",
    "oversight",
    "subject_access",
    "retention",
    "linkage",
)


def _loader() -> ChoiceLoader:
    dirs = [PACKAGE_DIR / "web" / "templates"]
    dirs += [
        PACKAGE_DIR / d / "templates" for d in DOMAINS if (PACKAGE_DIR / d / "templates").is_dir()
    ]
    return ChoiceLoader(
        [
            FileSystemLoader([str(d) for d in dirs]),
            PrefixLoader(
                {"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja", "templates")}
            ),
        ]
    )


def field_error(errors: dict[str, str] | None, field: str) -> dict[str, str] | None:
    """The ``errorMessage`` argument of a GOV.UK form macro for ``field``, or ``None``."""
    if errors and field in errors:
        return {"text": errors[field]}
    return None


def link(href: str, text: object) -> Markup:
    """A GOV.UK link with both parts escaped, for table cells built in templates."""
    return Markup('<a class="govuk-link" href="{}">{}</a>').format(href, text)


def _environment() -> Environment:
    env = Environment(loader=_loader(), autoescape=True, trim_blocks=True, lstrip_blocks=True)
    env.filters["datetime"] = format_datetime
    env.filters["date"] = format_date
    env.globals["field_error"] = field_error
    env.globals["link"] = link
    return env


templates = Jinja2Templates(env=_environment())


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> HTMLResponse:
    """Render a page; the layout reads the actor, CSRF token and settings from ``request``."""
    ctx: dict[str, Any] = {
        "actor": getattr(request.state, "actor", None),
        "csrf_token": getattr(request.state, "csrf_token", ""),
        "settings": request.app.state.settings,
        "csp_nonce": getattr(request.state, "csp_nonce", ""),
    }
    ctx.update(context or {})
    return templates.TemplateResponse(request, name, ctx, status_code=status_code)
