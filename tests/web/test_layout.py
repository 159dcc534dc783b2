"""The base layout's navigation and account controls, and the shared macros."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from markupsafe import Markup
from starlette.requests import Request

from joinedup.config import Settings
from joinedup.web.templating import templates

SETTINGS = Settings(
    environment="test",
    database_url="sqlite://",
    secret_key="t" * 40,
    partnership_name="Testshire Community Safety Partnership",
)


class Role(enum.Enum):
    ADMIN = "admin"
    PRACTITIONER = "practitioner"


@dataclass
class Actor:
    display_name: str
    organisation_name: str
    role: Role


def _page(path: str, actor: Actor | None) -> str:
    scope = {
        "type": "http",
        "method": "GET",
        "path": path,
        "root_path": "",
        "scheme": "http",
        "server": ("testserver", 80),
        "query_string": b"",
        "headers": [],
    }
    context = {
        "request": Request(scope),
        "actor": actor,
        "csrf_token": "csrf-123",
        "settings": SETTINGS,
        "csp_nonce": "n0nce",
        "status": 404,
        "message": "Page not found",
    }
    return templates.get_template("error.html").render(context)


def _nav_links(html: str) -> list[str]:
    return re.findall(r'class="govuk-service-navigation__link" href="([^"]+)"', html)


def test_signed_out_layout_shows_the_partnership_but_no_navigation() -> None:
    html = _page("/", None)
    assert "Testshire Community Safety Partnership" in html
    assert _nav_links(html) == []
    assert "/sign-out" not in html


def test_practitioner_sees_the_main_navigation_without_admin() -> None:
    html = _page("/", Actor("Sam Patel", "Testshire Police", Role.PRACTITIONER))
    assert _nav_links(html) == ["/", "/people", "/incidents", "/organisations", "/agreement"]


def test_admin_also_sees_admin() -> None:
    html = _page("/", Actor("Ada Admin", "Testshire Council", Role.ADMIN))
    assert _nav_links(html)[-1] == "/admin"


def test_current_item_is_marked_from_the_path() -> None:
    actor = Actor("Sam Patel", "Testshire Police", Role.PRACTITIONER)
    html = _page("/people", actor)
    assert re.search(r'href="/people" aria-current="page"', html)
    assert html.count("aria-current=") == 1
    nested = _page("/incidents/42", actor)
    assert re.search(r'href="/incidents" aria-current="true"', nested)
    assert nested.count("aria-current=") == 1


def test_sign_out_is_a_post_form_with_the_csrf_token() -> None:
    html = _page("/", Actor("Sam Patel", "Testshire Police", Role.PRACTITIONER))
    assert "Sam Patel, Testshire Police" in html
    form = re.search(r'<form[^>]*action="/sign-out"[^>]*>(.*?)</form>', html, re.S)
    assert form
    assert 'method="post"' in form.group(0)
    assert '<input type="hidden" name="csrf_token" value="csrf-123">' in form.group(1)
    assert '<button type="submit"' in form.group(1)


def test_actor_names_are_escaped() -> None:
    html = _page("/", Actor("<script>x</script>", "Org & Co", Role.PRACTITIONER))
    assert "<script>x</script>" not in html
    assert "&lt;script&gt;" in html


def test_inline_scripts_use_the_nonce() -> None:
    html = _page("/", None)
    tags = re.findall(r"<script\b[^>]*>", html)
    assert tags == ['<script nonce="n0nce">', '<script type="module" nonce="n0nce">']


MACROS = '{% from "macros/common.html" import error_summary, summary_rows, masked %}'


def _macro(source: str, **context: object) -> str:
    return templates.env.from_string(MACROS + source).render(**context)


def test_error_summary_links_each_field_in_order() -> None:
    html = _macro("{{ error_summary(e) }}", e={"name": "Enter a name", "dob": "Enter a <date>"})
    assert "There is a problem" in html
    assert re.findall(r'href="(#[^"]+)"', html) == ["#name", "#dob"]
    assert "Enter a &lt;date&gt;" in html


def test_error_summary_renders_nothing_without_errors() -> None:
    assert _macro("{{ error_summary(e) }}", e={}).strip() == ""


def test_summary_rows_from_pairs_and_dicts() -> None:
    masked = Markup('<span class="app-masked">W</span>')
    html = _macro(
        "{{ summary_rows(p) }}", p=[("Name", "A <b>"), ("Address", masked), ("DOB", None)]
    )
    assert "A &lt;b&gt;" in html
    assert '<span class="app-masked">W</span>' in html
    assert "Not recorded" in html
    assert "govuk-summary-list__key" in _macro("{{ summary_rows({'Role': 'Admin'}) }}")


def test_masked_renders_a_placeholder() -> None:
    assert _macro("{{ masked() }}") == '<span class="app-masked">Withheld</span>'
    html = _macro('{{ summary_rows([("Address", masked("Confidential address"))]) }}')
    assert '<span class="app-masked">Confidential address</span>' in html
