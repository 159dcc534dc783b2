"""Engine creation."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from joinedup.db import make_engine


def test_sqlite_engine_creates_the_folder_of_its_file(tmp_path: Path) -> None:
    path = tmp_path / "not" / "yet" / "there.db"
    engine = make_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    engine.dispose()
    assert path.exists()
