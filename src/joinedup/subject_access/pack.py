"""Writing a subject access pack as print-friendly HTML, PDF (WeasyPrint) or JSON.

The HTML is self-contained (inline styles, no scripts, no remote resources), so the PDF renderer
never fetches anything: its URL fetcher refuses every URL.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from joinedup.common.clock import format_date, format_datetime
from joinedup.subject_access.schemas import Pack, PackFormat

TEMPLATES = Path(__file__).resolve().parent / "templates"


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(default=True, default_for_string=True),
    )
    env.filters["datetime"] = format_datetime
    env.filters["date"] = format_date
    return env


def to_html(pack: Pack) -> str:
    """The pack as one self-contained, print-friendly HTML page."""
    return _environment().get_template("subject_access/pack.html").render(pack=pack)


def to_json(pack: Pack) -> bytes:
    """The pack as JSON."""
    return pack.model_dump_json(indent=2).encode()


def _no_remote_fetcher() -> Any:
    """A WeasyPrint URL fetcher that refuses every URL (the pack needs none)."""
    from weasyprint.urls import (  # type: ignore[import-not-found,import-untyped,unused-ignore]
        FatalURLFetchingError,
        URLFetcher,
    )

    class NoRemoteFetcher(URLFetcher):  # type: ignore[misc]
        """Refuse to fetch anything: no remote (or local) resources in a disclosure."""

        def fetch(self, url: str, headers: object = None) -> object:
            raise FatalURLFetchingError(f"resource fetching is disabled: {url[:40]}")

    return NoRemoteFetcher()


def to_pdf(pack: Pack) -> bytes:
    """The pack as PDF, rendered by WeasyPrint from the HTML (needs the ``weasyprint`` package)."""
    from weasyprint import HTML  # type: ignore[import-not-found,import-untyped,unused-ignore]

    html = HTML(string=to_html(pack), url_fetcher=_no_remote_fetcher(), base_url=None)
    pdf: bytes = html.write_pdf()
    return pdf


def render_pack(pack: Pack, fmt: PackFormat) -> bytes:
    """The pack in ``fmt`` as bytes."""
    if fmt is PackFormat.JSON:
        return to_json(pack)
    if fmt is PackFormat.PDF:
        return to_pdf(pack)
    return to_html(pack).encode()


MEDIA_TYPES = {
    PackFormat.HTML: "text/html; charset=utf-8",
    PackFormat.PDF: "application/pdf",
    PackFormat.JSON: "application/json",
}
