"""Filling a scratch ledger with realistic chained entries fast, to time ``verify``."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from sqlalchemy import text
from sqlalchemy.engine import Engine

from joinedup.audit.events import EVENT_NAMES
from joinedup.audit.rules import GENESIS_HASH, at_text, chain_hash, details_text

COLUMNS = (
    "seq, at, operation, name, actor_user_id, actor_organisation_id, actor_role, record_type, "
    "record_id, record_organisation_id, purpose, justification, recipient_organisation_id, "
    "recipient_person, details, prev_hash, entry_hash"
)
_NAMES = ["person.viewed"] * 6 + ["incident.viewed"] * 3 + ["person.updated", "access.denied"]
_JUSTIFICATIONS = ["", "", "", "Multi-agency risk meeting on Thursday: preparing the case summary"]


def _entries(count: int, seed: int = 7) -> Iterator[tuple[object, ...]]:
    """``count`` chained rows as tuples of canonical strings plus the entry hash."""
    rng = random.Random(seed)
    orgs = [uuid.UUID(int=rng.getrandbits(128)).hex for _ in range(12)]
    users = [uuid.UUID(int=rng.getrandbits(128)).hex for _ in range(400)]
    start = datetime(2026, 1, 1, tzinfo=UTC)
    prev = GENESIS_HASH
    for seq in range(1, count + 1):
        name = rng.choice(_NAMES)
        org = rng.choice(orgs)
        record_type = "incident" if name.startswith("incident") else "person_record"
        fields = (
            str(seq),
            at_text(start + timedelta(microseconds=seq * 1_234_567 + rng.randrange(1000))),
            EVENT_NAMES[name].value,
            name,
            rng.choice(users),
            org,
            rng.choice(("practitioner", "supervisor", "analyst")),
            record_type,
            str(uuid.UUID(int=rng.getrandbits(128))),
            rng.choice(orgs),
            "own_organisation_record",
            rng.choice(_JUSTIFICATIONS),
            "",
            "",
            details_text({"incidents_shown": rng.randrange(40)} if seq % 3 else {}),
            prev,
        )
        prev = chain_hash(fields)
        yield (seq, *fields[1:], prev)


def _null(value: object) -> object:
    return None if value == "" else value


def fill_ledger(engine: Engine, count: int) -> None:
    """Append ``count`` entries to an empty scratch ledger and set the head (bulk insert)."""
    with engine.begin() as conn:
        if conn.scalar(text("SELECT count(*) FROM audit_ledger")):
            raise ValueError("the scratch ledger is not empty")
    raw = engine.raw_connection()
    try:
        last = (
            _fill_pg(raw, count)
            if engine.dialect.name == "postgresql"
            else _fill_sqlite(raw, count)
        )
        cursor = raw.cursor()
        cursor.execute("DELETE FROM audit_ledger_head")
        placeholder = "%s" if engine.dialect.name == "postgresql" else "?"
        cursor.execute(
            f"INSERT INTO audit_ledger_head (id, seq, entry_hash) "
            f"VALUES (1, {placeholder}, {placeholder})",
            (count, last),
        )
        raw.commit()
    finally:
        raw.close()


def _fill_sqlite(raw: object, count: int) -> str:
    cursor = raw.cursor()  # type: ignore[attr-defined]
    sql = f"INSERT INTO audit_ledger ({COLUMNS}) VALUES ({', '.join('?' * 17)})"
    last = GENESIS_HASH
    batch: list[tuple[object, ...]] = []
    for row in _entries(count):
        batch.append(tuple(_null(v) if i in (4, 5, 9, 12) else v for i, v in enumerate(row)))
        if len(batch) == 50_000:
            cursor.executemany(sql, batch)
            batch.clear()
        last = str(row[16])
    cursor.executemany(sql, batch)
    return last


def _fill_pg(raw: object, count: int) -> str:
    cursor = raw.driver_connection.cursor()  # type: ignore[attr-defined]
    last = GENESIS_HASH
    with cursor.copy(f"COPY audit_ledger ({COLUMNS}) FROM STDIN") as copy:
        for row in _entries(count):
            values = list(row)
            values[1] = f"{row[1]}+00"
            for i in (4, 5, 9, 12):
                values[i] = _null(values[i])
            copy.write_row(values)
            last = str(row[16])
    return last
