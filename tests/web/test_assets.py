"""The built front-end files: Arial, no crown or GOV.UK logo, everything served locally."""

from __future__ import annotations

import json
import re
from pathlib import Path

from fastapi.testclient import TestClient

from joinedup.main import STATIC_DIR

REPO = Path(__file__).resolve().parents[2]
HTML = {"Accept": "text/html"}
GOVUK_ONLY_MARKUP = (
    "govuk-logo",
    "govuk-header__logotype",
    "govuk-footer__crown",
    "govuk-footer__copyright-logo",
    "Crown copyright",
    "GOV.UK",
    "govuk-crest",
    "govuk-icon",
)


def test_stylesheet_is_built_without_gds_transport() -> None:
    css = (STATIC_DIR / "joinedup.css").read_text()
    assert "GDS Transport" not in css
    assert "@font-face" not in css
    assert "arial" in css.lower()
    assert ".app-masked" in css
    assert ".govuk-service-navigation" in css


def test_no_govuk_brand_images_or_fonts_are_shipped() -> None:
    names = [p.name for p in STATIC_DIR.rglob("*") if p.is_file()]
    assert not [n for n in names if re.search(r"crest|crown|govuk-icon|opengraph|\.woff2?$", n)]
    manifest = json.loads((STATIC_DIR / "govuk" / "assets" / "manifest.json").read_text())
    assert manifest["name"] == "JoinedUp"
    for icon in manifest["icons"]:
        assert (STATIC_DIR / "govuk" / "assets" / icon["src"]).is_file()


def test_frontend_versions_are_pinned() -> None:
    package = json.loads((REPO / "assets" / "package.json").read_text())
    assert package["devDependencies"]["govuk-frontend"] == "6.3.0"
    assert re.fullmatch(r"5\.\d+\.\d+", package["devDependencies"]["swagger-ui-dist"])
    assert (REPO / "assets" / "package-lock.json").is_file()
    js = (STATIC_DIR / "govuk-frontend.min.js").read_text()
    assert 'version="6.3.0"' in js
    assert "export{" in js.replace(" ", "")  # an ES module, loaded with type="module"


def test_layout_renders_no_crown_or_govuk_logo(client: TestClient) -> None:
    html = client.get("/no-such-page", headers=HTML).text
    for marker in GOVUK_ONLY_MARKUP:
        assert marker not in html, marker
    assert "JoinedUp" in html
    assert "Open Government Licence v3.0" in html


def test_every_file_the_layout_references_exists(client: TestClient) -> None:
    html = client.get("/no-such-page", headers=HTML).text
    urls = set(re.findall(r'(?:href|src)="(/(?:static|assets)/[^"]+)"', html))
    urls |= set(re.findall(r"from '(/static/[^']+)'", html))
    assert "/static/joinedup.css" in urls
    assert "/static/govuk-frontend.min.js" in urls
    assert "/assets/images/favicon.svg" in urls
    for url in urls:
        if url.startswith("/static/"):
            path = STATIC_DIR / url.removeprefix("/static/")
        else:
            path = STATIC_DIR / "govuk" / "assets" / url.removeprefix("/assets/")
        assert path.is_file(), url
        assert client.get(url).status_code == 200, url


def test_layout_has_the_landmarks_axe_checks(client: TestClient) -> None:
    html = client.get("/no-such-page", headers=HTML).text
    assert '<html lang="en"' in html
    assert 'href="#main-content"' in html
    assert re.search(r'<main class="govuk-main-wrapper[^"]*" id="main-content"', html)
    assert html.count("<main") == 1
    assert "<header" in html
    assert "<footer" in html
    assert "<title>Page not found – JoinedUp – " in html
