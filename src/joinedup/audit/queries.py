"""Reads of the ledger for the organisations whose records it describes (AUD-8).

Each page is itself audited: viewing is a consultation, the CSV export a disclosure to the
actor's own organisation. The organisation is always the actor's own: there is no parameter
that could name another (AUD-8: org C cannot run org A's report).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Select, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session, aliased

from joinedup.access.actor import Actor
from joinedup.audit.events import AuditEvent, Operation
from joinedup.audit.models import LedgerEntry
from joinedup.audit.service import record
from joinedup.common.clock import LONDON
from joinedup.common.errors import NotFound
from joinedup.common.pagination import Page, paginate
from joinedup.db import atomic
from joinedup.partners.models import Organisation, User
from joinedup.people.models import PersonRecord

EXPORT_LIMIT = 100_000
# The user, actor organisation and recipient organisation names (outer joins: may be None).
EventSelect = Select[LedgerEntry, str, str, str]
CSV_COLUMNS = (
    "seq",
    "at",
    "operation",
    "event",
    "user",
    "organisation",
    "role",
    "record_type",
    "record_id",
    "purpose",
    "justification",
    "recipient_organisation",
    "recipient_person",
)


class AccessEvent(BaseModel):
    """One ledger event as the access pages show it: who, when, what and why."""

    seq: int
    at: datetime
    operation: Operation
    name: str
    user_name: str
    organisation_name: str
    actor_role: str
    record_type: str
    record_id: str
    purpose: str
    justification: str
    recipient_organisation_name: str
    recipient_person: str


@dataclass(frozen=True, slots=True)
class ReportFilter:
    """The organisation report's filters: London dates (inclusive) and an operation."""

    date_from: date | None = None
    date_to: date | None = None
    operation: Operation | None = None

    def details(self) -> dict[str, str | int | bool | None]:
        """The filters as audit details (dates and an operation, never personal values)."""
        return {
            "date_from": self.date_from.isoformat() if self.date_from else None,
            "date_to": self.date_to.isoformat() if self.date_to else None,
            "operation": self.operation.value if self.operation else None,
        }


def _events() -> EventSelect:
    recipient = aliased(Organisation)
    return (
        select(LedgerEntry, User.display_name, Organisation.name, recipient.name)
        .outerjoin(User, User.id == LedgerEntry.actor_user_id)
        .outerjoin(Organisation, Organisation.id == LedgerEntry.actor_organisation_id)
        .outerjoin(recipient, recipient.id == LedgerEntry.recipient_organisation_id)
        .order_by(LedgerEntry.seq.desc())
    )


def _event_out(row: Sequence[Any]) -> AccessEvent:
    entry, user_name, org_name, recipient_name = row
    return AccessEvent(
        seq=entry.seq,
        at=entry.at,
        operation=entry.operation,
        name=entry.name,
        user_name=user_name or "",
        organisation_name=org_name or "",
        actor_role=entry.actor_role,
        record_type=entry.record_type,
        record_id=entry.record_id,
        purpose=entry.purpose,
        justification=entry.justification,
        recipient_organisation_name=recipient_name or "",
        recipient_person=entry.recipient_person,
    )


def _audit(session: Session, actor: Actor, name: str, **fields: object) -> None:
    record(
        session,
        AuditEvent(
            name=name,
            actor_user_id=actor.user_id,
            actor_organisation_id=actor.organisation_id,
            actor_role=actor.role.value,
            **fields,  # type: ignore[arg-type]
        ),
    )


def record_access_log(
    session: Session, actor: Actor, person_id: uuid.UUID, page: int = 1
) -> Page[AccessEvent]:
    """Who read, changed or shared a person record the actor's organisation holds."""
    with atomic(session):
        # Only the holder check: no personal field of the record is read here.
        held = session.scalar(
            select(PersonRecord.id).where(
                PersonRecord.id == person_id,
                PersonRecord.organisation_id == actor.organisation_id,
            )
        )
        if held is None:
            raise NotFound()
        stmt = _events().where(
            LedgerEntry.record_type == "person_record", LedgerEntry.record_id == str(person_id)
        )
        result = paginate(session, stmt, page)
        _audit(
            session,
            actor,
            "audit.record_log_viewed",
            record_type="person_record",
            record_id=str(person_id),
            record_organisation_id=actor.organisation_id,
            purpose="audit_oversight",
            details={"events_shown": len(result.items), "page": result.page},
        )
    return Page(
        items=[_event_out(r) for r in result.items],
        page=result.page,
        per_page=result.per_page,
        total=result.total,
    )


def _london_midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=LONDON)


def _report_stmt(actor: Actor, filters: ReportFilter) -> EventSelect:
    stmt = _events().where(LedgerEntry.record_organisation_id == actor.organisation_id)
    if filters.date_from:
        stmt = stmt.where(LedgerEntry.at >= _london_midnight(filters.date_from))
    if filters.date_to:
        stmt = stmt.where(LedgerEntry.at < _london_midnight(filters.date_to + timedelta(days=1)))
    if filters.operation:
        stmt = stmt.where(LedgerEntry.operation == filters.operation)
    return stmt


def organisation_report(
    session: Session, actor: Actor, filters: ReportFilter, page: int = 1
) -> Page[AccessEvent]:
    """Events about records the actor's own organisation holds, newest first."""
    with atomic(session):
        result = paginate(session, _report_stmt(actor, filters), page)
        _audit(
            session,
            actor,
            "audit.report_viewed",
            record_type="organisation",
            record_id=str(actor.organisation_id),
            purpose="audit_oversight",
            details={"events_shown": len(result.items), "page": result.page, **filters.details()},
        )
    return Page(
        items=[_event_out(r) for r in result.items],
        page=result.page,
        per_page=result.per_page,
        total=result.total,
    )


def organisation_export(session: Session, actor: Actor, filters: ReportFilter) -> list[AccessEvent]:
    """Every event of the report (up to ``EXPORT_LIMIT``), audited as a disclosure."""
    with atomic(session):
        rows = session.execute(_report_stmt(actor, filters).limit(EXPORT_LIMIT)).all()
        _audit(
            session,
            actor,
            "audit.report_exported",
            record_type="organisation",
            record_id=str(actor.organisation_id),
            purpose="audit_oversight",
            recipient_organisation_id=actor.organisation_id,
            recipient_person=actor.display_name,
            details={"events_exported": len(rows), **filters.details()},
        )
    return [_event_out(r) for r in rows]


def csv_row(event: AccessEvent) -> tuple[object, ...]:
    """The allow-listed export columns of ``event`` (in ``CSV_COLUMNS`` order), unescaped."""
    return (
        event.seq,
        event.at.isoformat(),
        event.operation.value,
        event.name,
        event.user_name,
        event.organisation_name,
        event.actor_role,
        event.record_type,
        event.record_id,
        event.purpose,
        event.justification,
        event.recipient_organisation_name,
        event.recipient_person,
    )


def ledger_protection_report(conn: Connection, app_role: str) -> dict[str, bool]:
    """PostgreSQL catalogue self-check of the ledger's protection against ``app_role`` (AUD-6)."""
    checks = {
        "append_only_trigger": "SELECT count(*) = 2 FROM pg_trigger WHERE tgrelid = "
        "'audit_ledger'::regclass AND tgname IN "
        "('audit_ledger_append_only', 'audit_ledger_no_truncate') AND tgenabled = 'O'",
        "app_role_cannot_update": "SELECT NOT has_table_privilege(:r, 'audit_ledger', 'UPDATE')",
        "app_role_cannot_delete": "SELECT NOT has_table_privilege(:r, 'audit_ledger', 'DELETE')",
        "app_role_cannot_truncate": "SELECT NOT has_table_privilege(:r, 'audit_ledger', "
        "'TRUNCATE')",
        "app_role_can_insert": "SELECT has_table_privilege(:r, 'audit_ledger', 'INSERT')",
        "app_role_owns_no_table": "SELECT NOT EXISTS (SELECT 1 FROM pg_tables WHERE "
        "schemaname = 'public' AND tableowner = :r)",
        "app_role_not_superuser": "SELECT NOT rolsuper FROM pg_roles WHERE rolname = :r",
        "app_role_no_bypassrls": "SELECT NOT rolbypassrls FROM pg_roles WHERE rolname = :r",
    }
    return {name: bool(conn.scalar(text(sql), {"r": app_role})) for name, sql in checks.items()}
