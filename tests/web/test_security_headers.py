"""Security headers, CSP nonces and caching on every response (SECURITY.md WEB-1)."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from httpx import Headers
from sqlalchemy.engine import Engine

from joinedup.config import Settings

HTML = {"Accept": "text/html"}

EXPECTED = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
}


def _nonce(csp: str) -> str:
    match = re.search(r"script-src 'self' 'nonce-([A-Za-z0-9_-]{22,})'", csp)
    assert match, csp
    return match.group(1)


def _assert_security_headers(headers: Headers) -> None:
    for name, value in EXPECTED.items():
        assert headers.get(name) == value, name
    permissions = headers["permissions-policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()"):
        assert feature in permissions
    csp = headers["content-security-policy"]
    for directive in (
        "default-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "frame-ancestors 'none'",
        "form-action 'self'",
        "base-uri 'none'",
        "object-src 'none'",
    ):
        assert directive in csp
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    _nonce(csp)


def test_web1_security_headers_on_a_page(client: TestClient) -> None:
    response = client.get("/no-such-page", headers=HTML)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    _assert_security_headers(response.headers)


def test_web1_security_headers_on_healthz(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    _assert_security_headers(response.headers)


@pytest.mark.parametrize("path", ["/healthz", "/api/openapi.json", "/api/docs", "/no-such-page"])
def test_web1_dynamic_paths_are_never_cached(client: TestClient, path: str) -> None:
    response = client.get(path, headers=HTML)
    assert response.headers["cache-control"] == "no-store"


@pytest.mark.parametrize(
    "path", ["/static/joinedup.css", "/static/govuk-frontend.min.js", "/assets/images/favicon.svg"]
)
def test_web1_static_files_get_a_public_cache(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["cache-control"].startswith("public, max-age=")
    _assert_security_headers(response.headers)


def test_web1_missing_static_file_is_not_cached(client: TestClient) -> None:
    response = client.get("/static/no-such-file.css")
    assert response.status_code == 404
    assert response.headers["cache-control"] == "no-store"


def test_web1_nonce_differs_per_request(client: TestClient) -> None:
    nonces = {_nonce(client.get("/healthz").headers["content-security-policy"]) for _ in range(5)}
    assert len(nonces) == 5


def test_web1_page_scripts_carry_the_header_nonce(client: TestClient) -> None:
    response = client.get("/no-such-page", headers=HTML)
    nonce = _nonce(response.headers["content-security-policy"])
    scripts = re.findall(r"<script\b[^>]*>", response.text)
    assert len(scripts) >= 2  # the body-class script and the GOV.UK Frontend module
    for tag in scripts:
        assert f'nonce="{nonce}"' in tag


def test_web1_unexpected_error_page_has_the_headers(engine: Engine, settings: Settings) -> None:
    from joinedup.main import create_app

    app = create_app(settings)

    @app.get("/test-only/explode")
    def explode() -> None:
        raise RuntimeError("boom")

    with TestClient(app, raise_server_exceptions=False) as c:
        response = c.get("/test-only/explode", headers=HTML)
    assert response.status_code == 500
    assert "boom" not in response.text
    _assert_security_headers(response.headers)
    assert response.headers["cache-control"] == "no-store"
    nonce = _nonce(response.headers["content-security-policy"])
    assert f'nonce="{nonce}"' in response.text
