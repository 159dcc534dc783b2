"""Shared fixtures: every database test runs on SQLite and on PostgreSQL.

PostgreSQL at 127.0.0.1:5432 (user postgres) gets a fresh database per run. When it is not
reachable those tests are skipped, unless ``JOINEDUP_REQUIRE_POSTGRES=1`` (CI), which fails.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from joinedup.config import Settings
from joinedup.db import engine_for, session_factory
from joinedup.migrations_state import upgrade
from joinedup.models import Base
from tests.dbutil import (
    create_pg_database,
    drop_pg_database,
    grant_test_app_role,
    pg_url,
    postgres_available,
)


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_urls(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, str]]:
    """A migrated, empty database of each backend, shared by the run: the owner's URL (test
    setup and cleanup) and the URL the app under test uses (on PostgreSQL a non-owner role)."""
    if request.param == "sqlite":
        path: Path = tmp_path_factory.mktemp("db") / "joinedup.db"
        url = f"sqlite:///{path}"
        upgrade(url)
        yield url, url
        return
    if not postgres_available():
        if os.environ.get("JOINEDUP_REQUIRE_POSTGRES") == "1":
            pytest.fail("PostgreSQL is required (JOINEDUP_REQUIRE_POSTGRES=1) but not reachable")
        pytest.skip("PostgreSQL not reachable at 127.0.0.1:5432")
    name = create_pg_database()
    url = pg_url(name)
    upgrade(url)
    app_url = grant_test_app_role(url)
    yield url, app_url
    engine_for(url).dispose()
    engine_for(app_url).dispose()
    drop_pg_database(name)


@pytest.fixture(scope="session")
def database_url(database_urls: tuple[str, str]) -> str:
    """The test database's owner (superuser on PostgreSQL) URL, for setup and cleanup."""
    return database_urls[0]


@pytest.fixture(scope="session")
def app_database_url(database_urls: tuple[str, str]) -> str:
    """The URL the app under test connects with (on PostgreSQL the non-owner app role)."""
    return database_urls[1]


def _empty_all_tables(engine: Engine) -> None:
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            # The ledger refuses TRUNCATE by trigger (AUD-6); the superuser cleaning up between
            # tests switches ordinary triggers off for this transaction only.
            conn.execute(text("SET LOCAL session_replication_role = replica"))
            conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " CASCADE"))
        else:
            for table in tables:
                conn.execute(text(f'DELETE FROM "{table}"'))


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """The test database's engine; every table is emptied after the test."""
    eng = engine_for(database_url)
    yield eng
    _empty_all_tables(eng)


@pytest.fixture
def backend(engine: Engine) -> str:
    """``sqlite`` or ``postgresql``."""
    return engine.dialect.name


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session on the test database."""
    with session_factory(engine)() as s:
        yield s


@pytest.fixture
def settings(app_database_url: str) -> Settings:
    """Settings for a test app on the test database (as the app role on PostgreSQL)."""
    return Settings(
        environment="test",
        database_url=app_database_url,
        secret_key="t" * 40,
        linkage_match_seconds=0,  # tests match person records explicitly
    )


@pytest.fixture
def client(engine: Engine, settings: Settings) -> Iterator[TestClient]:
    """A client for a fresh app on the test database."""
    from joinedup.main import create_app

    with TestClient(create_app(settings), base_url="http://testserver") as c:
        yield c
