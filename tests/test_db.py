"""Engine creation."""

from __future__ import annotations

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


def _pooled_engine(database_url: str) -> Engine:
    if not database_url.startswith("postgresql"):
        pytest.skip("pooled server connections are PostgreSQL's")
    return make_engine(database_url)


def _terminate(database_url: str, pid: int) -> None:
    """End a server process as a restart or a dropped network connection would."""
    with engine_for(database_url).connect() as admin:
        admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        admin.commit()


def test_a_pooled_postgresql_connection_that_died_while_idle_is_replaced_unseen(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = _pooled_engine(database_url)
    try:
        first = _backend_pid(engine)
        _terminate(database_url, first)
        # The connection has lain idle long enough to be tested before use.
        monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 0.0)
        second = _backend_pid(engine)
        assert second != first
    finally:
        engine.dispose()


def test_a_postgresql_connection_in_steady_use_is_not_pinged_and_a_break_costs_one_use(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = _pooled_engine(database_url)
    try:
        first = _backend_pid(engine)
        _terminate(database_url, first)
        # Used moments ago: no round trip before use, so the dead connection is found by the
        # statement itself ...
        monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 3600.0)
        with pytest.raises(DBAPIError) as failed:
            _backend_pid(engine)
        assert failed.value.connection_invalidated
        # ... and the pool is renewed: the next use works.
        assert _backend_pid(engine) != first
    finally:
        engine.dispose()
