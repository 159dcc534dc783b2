"""Running and inspecting Alembic migrations from code (CLI, readiness probe, tests)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

from joinedup.config import REPO_ROOT


def alembic_config(database_url: str) -> Config:
    """An Alembic config for the repository's ``migrations/`` aimed at ``database_url``."""
    cfg = Config(str(REPO_ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(REPO_ROOT / "migrations"))
    cfg.attributes["database_url"] = database_url
    return cfg


def upgrade(database_url: str, revision: str = "head") -> None:
    """Migrate ``database_url`` up to ``revision``."""
    command.upgrade(alembic_config(database_url), revision)


def current_and_head(conn: Connection) -> tuple[str | None, str | None]:
    """The database's current revision and the newest revision in ``migrations/``."""
    current = MigrationContext.configure(conn).get_current_revision()
    script = ScriptDirectory.from_config(alembic_config(""))
    return current, script.get_current_head()
