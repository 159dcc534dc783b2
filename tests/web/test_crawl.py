"""Crawl the signed-in service as several demo users and assert the page-level rules (WEB-1):
no personal data in any URL, no-store and a CSP on every response, CSRF on every POST form;
and ERR-1: an error inside a permission check denies with a generic body."""

from __future__ import annotations

import re
import sys
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from joinedup.config import Settings
from joinedup.db import engine_for, session_factory
from joinedup.demo.loader import load_demo
from joinedup.main import create_app
from joinedup.migrations_state import upgrade
from joinedup.people.models import PersonRecord
from tests.auth.fixtures import csrf_from
from tests.dbutil import create_pg_database, drop_pg_database, pg_url, postgres_available

PASSWORD = "joinedup-demo-2026"
HREF = re.compile(r'href="([^"#]+)"')
FORM = re.compile(r"<form\b[^>]*>.*?</form>", re.S | re.I)
PAGES_PER_USER = 60


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def demo_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A small demo partnership in a database of each backend."""
    tmp: Path = tmp_path_factory.mktemp("crawl")
    name = None
    if request.param == "sqlite":
        url = f"sqlite:///{tmp / 'crawl.db'}"
    else:
        if not postgres_available():
            pytest.skip("PostgreSQL not reachable")
        name = create_pg_database()
        url = pg_url(name)
    upgrade(url)
    with session_factory(engine_for(url))() as session:
        load_demo(
            session,
            people=150,
            incidents=500,
            police_uk=False,
            ground_truth_path=tmp / "truth.json",
        )
    yield url
    engine_for(url).dispose()
    if name:
        drop_pg_database(name)


def _signed_in(url: str, username: str) -> TestClient:
    settings = Settings(environment="test", database_url=url, secret_key="c" * 40)
    client = TestClient(create_app(settings), raise_server_exceptions=False)
    token = csrf_from(client.get("/sign-in").text)
    response = client.post(
        "/sign-in",
        data={"csrf_token": token, "username": username, "password": PASSWORD},
        follow_redirects=False,
    )
    assert response.status_code == 303, username
    return client


def _personal_values(url: str) -> set[str]:
    with session_factory(engine_for(url))() as session:
        rows = session.execute(select(PersonRecord.surname, PersonRecord.postcode)).all()
    return {v.lower() for row in rows for v in row if v and len(v) >= 4}


def _crawl(client: TestClient) -> list[tuple[str, str, dict[str, str]]]:
    seen: set[str] = set()
    queue = deque(["/"])
    pages = []
    while queue and len(pages) < PAGES_PER_USER:
        path = queue.popleft()
        if path in seen:
            continue
        seen.add(path)
        response = client.get(path)
        pages.append((path, response.text, dict(response.headers)))
        if "text/html" not in response.headers.get("content-type", ""):
            continue
        for href in HREF.findall(response.text):
            target = urlsplit(urljoin("http://testserver" + path, href))
            local = target.netloc == "testserver" and not target.path.startswith(
                ("/static", "/assets")
            )
            if local and target.path not in ("/sign-out",):
                queue.append(target.path + (f"?{target.query}" if target.query else ""))
    return pages


@pytest.mark.parametrize("username", ["asb.guildford", "mh.liaison", "admin", "dpo"])
def test_web1_crawl(demo_url: str, username: str) -> None:
    client = _signed_in(demo_url, username)
    personal = _personal_values(demo_url)
    pages = _crawl(client)
    assert len(pages) > 5
    for path, html, headers in pages:
        lowered = path.lower()
        assert not any(value in lowered for value in personal if value.isalpha()), path
        assert headers.get("cache-control") == "no-store", path
        assert "frame-ancestors 'none'" in headers.get("content-security-policy", ""), path
        for form in FORM.findall(html):
            if re.search(r'method="post"', form, re.I):
                assert 'name="csrf_token"' in form, (path, form[:120])


def test_err1_an_error_in_the_permission_check_denies(
    demo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = _signed_in(demo_url, "asb.guildford")
    listing = client.get("/people").text
    person_path = next(
        h for h in HREF.findall(listing) if h.startswith("/people/") and h.count("/") == 2
    )
    names = re.findall(r'href="/people/[^"]+">([^<]+)</a>', listing)
    assert names

    def broken(*_args: object, **_kwargs: object) -> object:
        raise RuntimeError("policy store unavailable")

    import joinedup.access.scope as scope

    # Replace every scope function wherever it was imported, however it was imported.
    originals = {id(getattr(scope, n)) for n in dir(scope) if n.startswith("visible_")}
    for module in [m for name, m in sys.modules.items() if name.startswith("joinedup")]:
        for attr, value in list(vars(module).items()):
            if id(value) in originals:
                monkeypatch.setattr(module, attr, broken)
    for path in (person_path, "/people", "/api/v1/people"):
        response = client.get(path)
        assert response.status_code in (403, 404, 500), path
        assert "RuntimeError" not in response.text and "Traceback" not in response.text
        assert "policy store" not in response.text
        assert not any(name in response.text for name in names), path
