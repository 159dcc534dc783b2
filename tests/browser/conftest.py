"""A live JoinedUp server on a free local port and Debian's Chromium driven by Playwright.

Chromium is found at /usr/bin/chromium (no browser download). Without it the browser tests are
skipped, unless ``JOINEDUP_REQUIRE_BROWSER=1`` (CI), which fails them.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, sync_playwright

from joinedup.config import Settings
from joinedup.main import create_app

CHROMIUM_CANDIDATES = ("/usr/lib/chromium/chromium", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def chromium_path() -> str | None:
    """Debian's Chromium binary, if installed."""
    for candidate in CHROMIUM_CANDIDATES:
        if Path(candidate).exists():
            return candidate
    return shutil.which("chromium")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiveServer:
    """uvicorn serving an app in a background thread."""

    def __init__(self, settings: Settings) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            create_app(settings), host="127.0.0.1", port=self.port, log_level="warning"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the test server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


class _SharedChromium:
    """One Playwright and one Chromium per process, however many test folders import the
    ``browser`` fixture (each import is its own fixture; a second Playwright cannot start)."""

    users = 0
    playwright: Any = None
    browser: Browser | None = None

    @classmethod
    def acquire(cls, path: str) -> Browser:
        if cls.browser is None:
            cls.playwright = sync_playwright().start()
            cls.browser = cls.playwright.chromium.launch(
                executable_path=path, headless=True, args=CHROMIUM_ARGS
            )
        cls.users += 1
        return cls.browser

    @classmethod
    def release(cls) -> None:
        cls.users -= 1
        if cls.users == 0 and cls.browser is not None:
            cls.browser.close()
            cls.playwright.stop()
            cls.browser = cls.playwright = None


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Headless Debian Chromium for the whole run."""
    path = chromium_path()
    if path is None:
        if os.environ.get("JOINEDUP_REQUIRE_BROWSER") == "1":
            pytest.fail("Chromium is required (JOINEDUP_REQUIRE_BROWSER=1) but not installed")
        pytest.skip("Debian's chromium is not installed")
    b = _SharedChromium.acquire(path)
    yield b
    _SharedChromium.release()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh browser context and page; CSP violations and page errors fail the test."""
    context = browser.new_context()
    pg = context.new_page()
    problems: list[str] = []
    pg.on("pageerror", lambda err: problems.append(f"page error: {err}"))
    # Error pages (400, 404, 422) are expected documents; a failing asset or script is not.
    pg.on(
        "response",
        lambda r: (
            problems.append(f"{r.status} for {r.request.resource_type} {r.url}")
            if r.status >= 400 and r.request.resource_type != "document"
            else None
        ),
    )
    pg.on(
        "console",
        lambda msg: (
            problems.append(f"console {msg.type}: {msg.text}")
            if msg.type == "error" and not msg.text.startswith("Failed to load resource")
            else None
        ),
    )
    yield pg
    context.close()
    assert not problems, problems


_axe = Axe()


def assert_accessible(page: Page) -> list[dict[str, Any]]:
    """Run axe-core (WCAG 2.2 AA rules) on the page; serious or critical violations fail."""
    options = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
    results = _axe.run(page, options=options)
    violations: list[dict[str, Any]] = results.response["violations"]
    bad = [v for v in violations if v.get("impact") in ("serious", "critical")]
    summary = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in bad]
    assert not bad, f"{page.url}: {summary}"
    return violations


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def demo_settings(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Settings]:
    """Settings for a database of each backend holding a small demo partnership."""
    from joinedup.db import engine_for, session_factory
    from joinedup.demo.loader import load_demo
    from joinedup.linkage import store
    from joinedup.migrations_state import upgrade
    from tests.dbutil import (
        create_pg_database,
        drop_pg_database,
        grant_test_app_role,
        pg_url,
        postgres_available,
    )

    tmp = tmp_path_factory.mktemp("demo")
    name = None
    if request.param == "sqlite":
        url = f"sqlite:///{tmp / 'demo.db'}"
    else:
        if not postgres_available():
            if os.environ.get("JOINEDUP_REQUIRE_POSTGRES") == "1":
                pytest.fail("PostgreSQL is required (JOINEDUP_REQUIRE_POSTGRES=1)")
            pytest.skip("PostgreSQL not reachable")
        name = create_pg_database()
        url = pg_url(name)
    upgrade(url)
    with session_factory(engine_for(url))() as session:
        load_demo(
            session,
            people=300,
            incidents=1500,
            police_uk=False,
            ground_truth_path=tmp / "ground-truth.json",
        )
        store.run(session)  # people linked, as `joinedup demo load` does
    # Loaded as the owner; served, as in production, as the non-owner app role.
    app_url = grant_test_app_role(url) if name else url
    yield Settings(
        environment="test", database_url=app_url, secret_key="b" * 40, linkage_match_seconds=0
    )
    engine_for(url).dispose()
    engine_for(app_url).dispose()
    if name:
        drop_pg_database(name)


@pytest.fixture(scope="module")
def live_server(demo_settings: Settings) -> Iterator[LiveServer]:
    """JoinedUp serving the demo database on a free local port."""
    with LiveServer(demo_settings) as server:
        yield server
