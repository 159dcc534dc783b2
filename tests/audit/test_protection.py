"""AUD-6 on PostgreSQL: the catalogue says the ledger is guarded and the app role is limited."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from joinedup.audit.queries import ledger_protection_report
from joinedup.cli import app
from joinedup.config import get_settings
from joinedup.dbroles import grant_app_role
from tests.dbutil import APP_ROLE


def _pg_only(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL catalogue")


def test_aud6_protection_report_is_all_green_for_the_app_role(engine: Engine) -> None:
    _pg_only(engine)
    with engine.connect() as conn:
        report = ledger_protection_report(conn, APP_ROLE)
    assert report and all(report.values()), report


def test_aud6_protection_report_flags_a_privileged_role(engine: Engine) -> None:
    _pg_only(engine)
    with engine.connect() as conn:
        report = ledger_protection_report(conn, "postgres")
    assert not report["app_role_not_superuser"] and not report["app_role_owns_no_table"]


def test_aud6_protection_report_notices_a_disabled_trigger(engine: Engine) -> None:
    _pg_only(engine)
    with engine.connect() as conn:
        conn.execute(text("ALTER TABLE audit_ledger DISABLE TRIGGER audit_ledger_append_only"))
        assert not ledger_protection_report(conn, APP_ROLE)["append_only_trigger"]
        conn.rollback()


def test_grant_app_role_checks_its_input(engine: Engine) -> None:
    with engine.connect() as conn:
        with pytest.raises(ValueError):
            grant_app_role(conn, 'bad"; DROP TABLE x; --', create=True)


def test_grant_app_role_cli_is_idempotent(
    engine: Engine, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _pg_only(engine)
    monkeypatch.setenv("JOINEDUP_DATABASE_URL", database_url)
    get_settings.cache_clear()
    runner = CliRunner()
    for _ in range(2):
        result = runner.invoke(app, ["db", "grant-app-role", APP_ROLE, "--create"])
        assert result.exit_code == 0, result.output
    get_settings.cache_clear()
    with engine.connect() as conn:
        assert all(ledger_protection_report(conn, APP_ROLE).values())
