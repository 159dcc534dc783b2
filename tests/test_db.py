"""Engine creation."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from joinedup import db
from joinedup.db import engine_for, make_engine


def test_sqlite_engine_creates_the_folder_of_its_file(tmp_path: Path) -> None:
    path = tmp_path / "not" / "yet" / "there.db"
    engine = make_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    engine.dispose()
    assert path.exists()


def _backend_pid(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())


@pytest.fixture
def dead_pooled(database_url: str) -> Iterator[tuple[Engine, int]]:
    """A PostgreSQL engine whose one pooled connection's server process has just been ended
    (as a restart or a dropped network connection would), with that process's id."""
    if not database_url.startswith("postgresql"):
        pytest.skip("pooled server connections are PostgreSQL's")
    engine = make_engine(database_url)
    try:
        first = _backend_pid(engine)
        with engine_for(database_url).connect() as admin:
            admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
            admin.commit()
        yield engine, first
    finally:
        engine.dispose()


def test_a_pooled_postgresql_connection_that_died_while_idle_is_replaced_unseen(
    dead_pooled: tuple[Engine, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    engine, first = dead_pooled
    # The connection has lain idle long enough to be tested before use.
    monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 0.0)
    assert _backend_pid(engine) != first


def test_a_postgresql_connection_in_steady_use_is_not_pinged_and_a_break_costs_one_use(
    dead_pooled: tuple[Engine, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    engine, first = dead_pooled
    # Used moments ago: no round trip before use, so the dead connection is found by the
    # statement itself ...
    monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 3600.0)
    with pytest.raises(DBAPIError) as failed:
        _backend_pid(engine)
    assert failed.value.connection_invalidated
    # ... and the pool is renewed: the next use works.
    assert _backend_pid(engine) != first
