"""The hash-chained ledger and ``joinedup audit verify`` (AUD-6), on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from joinedup.audit.events import AuditEvent
from joinedup.audit.rules import CanonicalFormError, at_text, canonical, chain_hash
from joinedup.audit.service import record
from joinedup.audit.verify import verify_ledger
from joinedup.cli import app
from joinedup.common import clock
from joinedup.db import atomic, engine_for


def _write(session: Session, count: int, **fields: object) -> None:
    with atomic(session):
        for i in range(count):
            record(
                session,
                AuditEvent(
                    name="person.viewed",
                    actor_user_id=uuid.uuid4(),
                    actor_organisation_id=uuid.uuid4(),
                    actor_role="practitioner",
                    record_type="person_record",
                    record_id=str(uuid.uuid4()),
                    record_organisation_id=uuid.uuid4(),
                    purpose="own_organisation_record",
                    details={"incidents_shown": i, "b": "x", "a": None},
                    **fields,  # type: ignore[arg-type]
                ),
            )


@pytest.fixture
def tamper(engine: Engine) -> Engine:
    """The owner's engine; on PostgreSQL its changes switch the ledger's triggers off first,
    as an attacker holding the superuser could."""
    return engine


def _as_superuser(engine: Engine, sql: str) -> None:
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("SET LOCAL session_replication_role = replica"))
        conn.execute(text(sql))


def test_aud6_whole_ledger_verifies(session: Session, engine: Engine) -> None:
    _write(session, 25, justification="Strategy meeting\nnext week")
    result = verify_ledger(engine)
    assert result.ok and result.checked == 25
    assert verify_ledger(engine, from_seq=10).checked == 16


def test_aud6_empty_ledger_verifies(engine: Engine) -> None:
    assert verify_ledger(engine).ok


def test_aud6_timestamp_round_trips_with_microseconds(
    session: Session, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    for micro in (0, 1, 999_999):
        at = datetime(2026, 11, 25, 9, 30, 15, micro, tzinfo=UTC)
        monkeypatch.setattr(clock, "utc_now", lambda at=at: at)
        _write(session, 1)
    assert verify_ledger(engine).ok
    assert at_text(datetime(2026, 1, 1, tzinfo=UTC)) == "2026-01-01 00:00:00.000000"


def test_aud6_flipped_byte_in_justification_names_the_entry(
    session: Session, tamper: Engine
) -> None:
    _write(session, 10, justification="Safeguarding strategy discussion")
    _as_superuser(
        tamper,
        "UPDATE audit_ledger SET justification = 'Safeguarding strategy discussioN' WHERE seq = 7",
    )
    result = verify_ledger(tamper)
    assert (result.broken_seq, result.reason) == (7, "hash mismatch")


def test_aud6_changed_details_names_the_entry(session: Session, tamper: Engine) -> None:
    _write(session, 6)
    _as_superuser(tamper, "UPDATE audit_ledger SET details = '{\"a\": 1}' WHERE seq = 4")
    result = verify_ledger(tamper)
    assert (result.broken_seq, result.reason) == (4, "hash mismatch")


def test_aud6_deleted_row_is_a_gap(session: Session, tamper: Engine) -> None:
    _write(session, 8)
    _as_superuser(tamper, "DELETE FROM audit_ledger WHERE seq = 5")
    result = verify_ledger(tamper)
    assert (result.broken_seq, result.reason) == (5, "missing seq")


def test_aud6_deleted_newest_row_is_a_head_gap(session: Session, tamper: Engine) -> None:
    _write(session, 4)
    _as_superuser(tamper, "DELETE FROM audit_ledger WHERE seq = 4")
    result = verify_ledger(tamper)
    assert (result.broken_seq, result.reason) == (4, "missing seq")


def test_aud6_rewritten_chain_is_a_broken_link(session: Session, tamper: Engine) -> None:
    _write(session, 5)
    _as_superuser(tamper, "UPDATE audit_ledger SET prev_hash = entry_hash WHERE seq = 3")
    result = verify_ledger(tamper)
    assert (result.broken_seq, result.reason) == (3, "broken link")


def test_aud6_head_mismatch(session: Session, tamper: Engine) -> None:
    _write(session, 3)
    _as_superuser(tamper, "UPDATE audit_ledger_head SET entry_hash = '" + "f" * 64 + "'")
    result = verify_ledger(tamper)
    assert (result.broken_seq, result.reason) == (3, "head mismatch")


def test_aud6_separator_inside_a_field_is_refused() -> None:
    fields = ["x"] * 16
    assert len(chain_hash(fields)) == 64
    fields[3] = "a\x1fb"
    with pytest.raises(CanonicalFormError):
        canonical(fields)


def test_aud6_cli_verify_exit_codes(
    session: Session, tamper: Engine, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    monkeypatch.setenv("JOINEDUP_DATABASE_URL", database_url)
    from joinedup.config import get_settings

    get_settings.cache_clear()
    _write(session, 12)
    runner = CliRunner()
    ok = runner.invoke(app, ["audit", "verify"])
    assert ok.exit_code == 0 and "12 entries verified" in ok.output
    _as_superuser(tamper, "UPDATE audit_ledger SET justification = 'x' WHERE seq = 9")
    bad = runner.invoke(app, ["audit", "verify", "--from", "2"])
    assert bad.exit_code == 1 and "seq 9: hash mismatch" in bad.output
    get_settings.cache_clear()


def test_aud6_app_role_cannot_change_the_ledger(
    session: Session, engine: Engine, app_database_url: str
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL protection")
    _write(session, 2)
    app_engine = engine_for(app_database_url)
    for sql in (
        "UPDATE audit_ledger SET justification = 'x'",
        "DELETE FROM audit_ledger",
        "TRUNCATE audit_ledger",
    ):
        with pytest.raises(DBAPIError, match="permission denied"), app_engine.begin() as conn:
            conn.execute(text(sql))
    with app_engine.begin() as conn:
        conn.execute(text("UPDATE audit_ledger_head SET seq = seq WHERE id = 1"))
    # Even the owner is stopped by the trigger.
    for sql in ("UPDATE audit_ledger SET justification = 'x'", "DELETE FROM audit_ledger"):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(text(sql))
    assert verify_ledger(engine).ok


def test_aud6_bulk_appends_chain_like_single_ones(session: Session, engine: Engine) -> None:
    from joinedup.audit.service import record_many

    _write(session, 3)
    events = [
        AuditEvent(
            name="incident.created",
            actor_organisation_id=uuid.uuid4(),
            record_type="incident",
            record_id=str(uuid.uuid4()),
            details={"source": "api", "n": i},
        )
        for i in range(2500)
    ]
    with atomic(session):
        assert record_many(session, events) == 2500
    _write(session, 2)
    result = verify_ledger(engine)
    assert result.ok, result
    assert result.checked == 2505


def test_aud5_a_bulk_append_with_an_unknown_event_writes_nothing(
    session: Session, engine: Engine
) -> None:
    from joinedup.audit.service import record_many

    good = AuditEvent(name="incident.created", record_type="incident", record_id="x")
    with pytest.raises(ValueError, match="undocumented"), atomic(session):
        record_many(session, [good, AuditEvent(name="no.such.event")])
    assert verify_ledger(engine).checked == 0
