"""The application's PostgreSQL role: every table but an append-only ledger, owner of none.

Migrations run as the owner role; the web app and jobs connect as this role (docs/audit.md).
"""

from __future__ import annotations

import re

import typer
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError, ProgrammingError

from joinedup.config import get_settings
from joinedup.db import engine_for

ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
ATTRIBUTES = "NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOREPLICATION"
# Tables the role may read and append to but never change (AUD-6).
APPEND_ONLY = ("audit_ledger",)
READ_ONLY = ("alembic_version",)


def _create_role(conn: Connection, role: str) -> None:
    exists = conn.scalar(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role})
    if not exists:
        try:
            with conn.begin_nested():
                conn.execute(text(f'CREATE ROLE "{role}" LOGIN {ATTRIBUTES}'))
        except (IntegrityError, ProgrammingError):
            # Another process created it at the same moment (roles are per cluster).
            pass
    conn.execute(text(f'ALTER ROLE "{role}" LOGIN {ATTRIBUTES}'))


def grant_app_role(conn: Connection, role: str, *, create: bool = False) -> None:
    """Grant ``role`` what the app needs on the current database (PostgreSQL only)."""
    if conn.dialect.name != "postgresql":
        raise ValueError("application roles exist on PostgreSQL only")
    if not ROLE_NAME.match(role):
        raise ValueError("a role name is lower-case letters, digits and underscores")
    if create:
        _create_role(conn, role)
    database = conn.scalar(text("SELECT current_database()"))
    statements = [
        f'GRANT CONNECT ON DATABASE "{database}" TO "{role}"',
        f'GRANT USAGE ON SCHEMA public TO "{role}"',
        f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "{role}"',
        f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO "{role}"',
    ]
    for table in APPEND_ONLY:
        statements.append(f'REVOKE UPDATE, DELETE, TRUNCATE ON "{table}" FROM "{role}"')
    for table in READ_ONLY:
        statements.append(f'REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON "{table}" FROM "{role}"')
    for statement in statements:
        conn.execute(text(statement))


def grant_app_role_command(
    role: str = typer.Argument(..., help="The role the application connects as."),
    create: bool = typer.Option(False, "--create", help="Create the LOGIN role if missing."),
) -> None:
    """Grant ROLE the application's privileges (run as the owner after each migration)."""
    with engine_for(get_settings().database_url).begin() as conn:
        grant_app_role(conn, role, create=create)
    typer.echo(f"Role {role} granted the application's privileges.")
