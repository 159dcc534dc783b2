"""Database engine, the declarative ``Base``, and the one transaction helper ``atomic()``.

Routes never commit. A service action wraps its work, including its audit event, in
``atomic(session)``: the outermost block commits, an exception rolls everything back.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import MetaData, Select, String, bindparam, create_engine, event, func, select, text
from sqlalchemy.engine import Dialect, Engine, make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker
from sqlalchemy.types import DateTime, TypeDecorator

from joinedup.common.clock import as_utc
from joinedup.common.ids import new_id

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always returned timezone-aware (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are refused: use common.clock.utc_now()")
        utc = as_utc(value)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else as_utc(value)


class Base(DeclarativeBase):
    """Declarative base with the constraint naming convention Alembic relies on."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime(), str: String()}


class IdMixin:
    """A random UUID primary key."""

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """Create an engine for ``url``; SQLite gets foreign keys, WAL and a busy timeout."""
    # hide_parameters: SQL logs and errors never carry bound values, which may be personal (AUD-4).
    if url.startswith("sqlite"):
        database = make_url(url).database
        if database and database != ":memory:":
            # A fresh checkout has no var/ folder yet: SQLite will not create directories.
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, echo=echo, hide_parameters=True, connect_args={"check_same_thread": False}
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    engine = create_engine(url, echo=echo, hide_parameters=True, pool_size=10, max_overflow=20)
    event.listen(engine, "connect", _pg_row_security_default)
    event.listen(engine, "checkin", _note_checkin)
    event.listen(engine, "checkout", _ping_if_idle)
    return engine


# A pooled connection is tested with a round trip before use only when it has lain idle this
# long (a database restarted or a connection dropped by the network meanwhile is then replaced
# unseen). SQLAlchemy's own pre-ping tests every checkout, which costs two round trips (BEGIN
# and SELECT 1) on every request; a connection in steady use that breaks fails its one
# request, and SQLAlchemy then discards every connection of the pool made before it.
PING_AFTER_IDLE_SECONDS = 5.0


def _note_checkin(_dbapi_connection: Any, record: Any) -> None:
    if record is not None:
        record.info["checked_in_at"] = time.monotonic()


def _ping_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    checked_in_at = record.info.get("checked_in_at")
    if checked_in_at is None or time.monotonic() - checked_in_at < PING_AFTER_IDLE_SECONDS:
        return  # a new connection, or one in use moments ago
    try:
        cursor = dbapi_connection.cursor()
        cursor.execute("SELECT 1")
        cursor.close()
        dbapi_connection.rollback()
    except Exception as error:  # any failure: the pool replaces the connection and retries
        raise DisconnectionError("the pooled connection no longer answers") from error


def _pg_row_security_default(dbapi_connection: Any, _record: Any) -> None:
    """Connections start as "system" for row-level security (jobs, imports, the demo); a read
    that loads an access context narrows its own transactions (``apply_row_security``)."""
    cursor = dbapi_connection.cursor()
    cursor.execute("SET joinedup.system = 'on'")
    cursor.close()
    dbapi_connection.commit()


def apply_row_security(
    session: Session, values: dict[str, str], *, scalar_sql: str | None = None
) -> Any:
    """Narrow PostgreSQL row-level security for this session's transactions to ``values``
    (setting name -> value, e.g. ``joinedup.readable_orgs``), starting with the current one.

    ``scalar_sql``, a parameterless scalar ``SELECT`` of a table without row security, is
    read in the same statement (one round trip) and its value returned; on other databases it
    is simply read. A transaction begun by that statement skips the ``after_begin`` settings:
    the statement itself sets ``values`` first."""
    session.info["row_security"] = dict(values)
    postgres = session.get_bind().dialect.name == "postgresql"
    if not postgres:
        return session.execute(text(scalar_sql)).scalar() if scalar_sql else None
    if scalar_sql is None:
        if session.in_transaction():
            _set_row_security(session.connection(), values)
        return None
    calls, params = _row_security_sql(values)
    session.info["row_security_in_statement"] = True
    try:
        return session.execute(text(f"SELECT {calls}, ({scalar_sql})"), params).one()[-1]
    finally:
        session.info.pop("row_security_in_statement", None)


def _row_security_sql(values: dict[str, str]) -> tuple[str, dict[str, str]]:
    """``set_config`` calls for every setting (transaction-local), with their parameters."""
    names = sorted(values)
    calls = ", ".join(f"set_config(:k{i}, :v{i}, true)" for i in range(len(names)))
    params = {f"k{i}": n for i, n in enumerate(names)} | {
        f"v{i}": values[n] for i, n in enumerate(names)
    }
    return calls, params


def _set_row_security(connection: Any, values: dict[str, str]) -> None:
    calls, params = _row_security_sql(values)
    connection.execute(text(f"SELECT {calls}"), params)


# (statement, number of settings) -> the statement with the settings beside it.
_WITH_SETTINGS: dict[tuple[Select[Any], int], Select[Any]] = {}


def scalar_first(session: Session, stmt: Select[Any], params: dict[str, Any]) -> Any:
    """The value of ``stmt`` (one column, at most one row; ``None`` when no row); ``stmt``
    is built once (module level), its parameters given in ``params``.

    On PostgreSQL, when this read begins the session's transaction and the session has
    row-security settings, the settings are written by the same statement instead of a
    statement of their own (one round trip instead of two): ``stmt`` runs as a scalar
    sub-select beside the ``set_config`` calls, and no other statement runs in between
    (autoflush is held back), so the transaction never runs without them."""
    values = session.info.get("row_security")
    postgres = session.get_bind().dialect.name == "postgresql"
    if not values or not postgres or session.in_transaction():
        return session.execute(stmt, params).scalar()
    names = sorted(values)
    key = (stmt, len(names))
    combined = _WITH_SETTINGS.get(key)
    if combined is None:
        calls = [
            func.set_config(bindparam(f"rls_k{i}"), bindparam(f"rls_v{i}"), True)
            for i in range(len(names))
        ]
        if len(_WITH_SETTINGS) >= 256:
            _WITH_SETTINGS.clear()
        combined = _WITH_SETTINGS[key] = select(*calls, stmt.scalar_subquery())
    settings = {f"rls_k{i}": n for i, n in enumerate(names)} | {
        f"rls_v{i}": values[n] for i, n in enumerate(names)
    }
    session.info["row_security_in_statement"] = True
    try:
        with session.no_autoflush:
            return session.execute(combined, {**params, **settings}).one()[-1]
    finally:
        session.info.pop("row_security_in_statement", None)


@event.listens_for(Session, "after_begin")
def _row_security_after_begin(session: Session, _transaction: Any, connection: Any) -> None:
    values = session.info.get("row_security")
    if session.info.get("row_security_in_statement"):
        return  # the statement that began the transaction sets the values itself
    if values and connection.dialect.name == "postgresql":
        _set_row_security(connection, values)


@lru_cache(maxsize=8)
def engine_for(url: str) -> Engine:
    """The process-wide engine for ``url`` (one pool per database)."""
    return make_engine(url)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """A session factory bound to ``engine``; objects stay readable after commit."""
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)


# SQLite allows one writer at a time. Threads of one process that write at once would otherwise
# wait in SQLite's busy handler, which sleeps in steps of up to 100 ms; waiting on a lock of our
# own instead wakes the next writer the moment the last one commits (short, even tail latency).
_SQLITE_WRITERS: dict[str, threading.RLock] = {}
_SQLITE_WRITERS_GUARD = threading.Lock()


def _writer_lock(session: Session) -> threading.RLock | None:
    bind = session.get_bind()
    if bind.dialect.name != "sqlite":
        return None
    key = str(bind.engine.url)
    with _SQLITE_WRITERS_GUARD:
        return _SQLITE_WRITERS.setdefault(key, threading.RLock())


@contextmanager
def atomic(session: Session) -> Iterator[Session]:
    """Run one action as one transaction: the outermost block commits, any error rolls back."""
    depth = session.info.get("atomic_depth", 0)
    lock = _writer_lock(session) if depth == 0 else None
    if lock is not None:
        lock.acquire()
    session.info["atomic_depth"] = depth + 1
    try:
        yield session
        if depth == 0:
            session.commit()
    except BaseException:
        if depth == 0:
            session.rollback()
        raise
    finally:
        session.info["atomic_depth"] = depth
        if lock is not None:
            lock.release()


def get_session(request: Request) -> Iterator[Session]:
    """FastAPI dependency: one session per request, closed (never committed) at the end."""
    factory: sessionmaker[Session] = request.app.state.session_factory
    session = factory()
    # Default deny for row-level security (AC-4): a request sees its own organisation's rows
    # (none when anonymous) until a read loads an access context that widens it.
    actor = getattr(request.state, "actor", None)
    own = str(actor.organisation_id) if actor is not None else ""
    session.info["row_security"] = {
        "joinedup.system": "off",
        "joinedup.actor_org": own,
        "joinedup.readable_orgs": own,
        "joinedup.granted_records": "",
        "joinedup.grant_orgs": "",
    }
    try:
        yield session
    finally:
        session.close()


SessionDep = Annotated[Session, Depends(get_session)]
