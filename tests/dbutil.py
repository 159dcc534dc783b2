"""Creating and dropping throw-away test databases."""

from __future__ import annotations

import os
import uuid

from sqlalchemy import create_engine, make_url, text

PG_ADMIN_URL = os.environ.get(
    "JOINEDUP_TEST_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def postgres_available() -> bool:
    """True when the PostgreSQL test server answers."""
    try:
        eng = create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 3})
        with eng.connect() as conn:
            conn.execute(text("SELECT 1"))
        eng.dispose()
        return True
    except Exception:
        return False


def create_pg_database() -> str:
    """Create an empty, uniquely named PostgreSQL database and return its name."""
    name = f"joinedup_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return name


def drop_pg_database(name: str) -> None:
    """Drop a test database, ending any connections to it."""
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def pg_url(name: str) -> str:
    """The URL of the test database ``name``."""
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


APP_ROLE = "joinedup_app_test"


def grant_test_app_role(url: str) -> str:
    """Create (once per cluster) the non-owner app role, grant it on ``url``'s database, and
    return the URL the app under test connects with (trust authentication, no password)."""
    from joinedup.dbroles import grant_app_role

    admin = create_engine(url)
    with admin.begin() as conn:
        grant_app_role(conn, APP_ROLE, create=True)
    admin.dispose()
    parsed = make_url(url)
    return parsed.set(username=APP_ROLE, password=None).render_as_string(hide_password=False)
