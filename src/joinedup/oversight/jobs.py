"""The misuse-monitoring job: read the audit ledger since the last scan and raise review items."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from joinedup.access.models import AccessGrant
from joinedup.access.schemas import GrantKind
from joinedup.agreements.models import SharingAgreement
from joinedup.agreements.rules import effective_state
from joinedup.agreements.schemas import AgreementStatus
from joinedup.audit.events import AuditEvent
from joinedup.audit.models import LedgerEntry
from joinedup.audit.service import record
from joinedup.common import clock
from joinedup.config import Settings
from joinedup.db import atomic
from joinedup.oversight import rules, service
from joinedup.oversight.models import ScanState
from joinedup.partners.models import User
from joinedup.people.models import PersonRecord

# The widest rule window (a night, 8 hours) plus slack: entries this far before the first new
# one are re-read so a window split across two scans is still counted whole.
LOOKBACK = timedelta(hours=9)
# New entries read per run, so the first scan of a long ledger does not hold it all in memory;
# the next run carries on from there.
BATCH = 50_000


@dataclass(frozen=True, slots=True)
class ScanResult:
    """What one scan did."""

    entries_scanned: int
    items_raised: int
    last_seq: int


def _fact(entry: LedgerEntry) -> rules.Fact:
    return rules.Fact(
        seq=entry.seq,
        at=entry.at,
        name=entry.name,
        operation=entry.operation.value,
        actor_user_id=entry.actor_user_id,
        actor_organisation_id=entry.actor_organisation_id,
        record_type=entry.record_type,
        record_id=entry.record_id,
        record_organisation_id=entry.record_organisation_id,
        purpose=entry.purpose,
        details=dict(entry.details or {}),
    )


def _state(session: Session) -> ScanState:
    state = session.get(ScanState, 1, with_for_update=True)
    if state is None:
        state = ScanState(id=1, last_seq=0, scanned_at=clock.utc_now())
        session.add(state)
        session.flush()
    return state


def _colleague_signals(session: Session, facts: list[rules.Fact]) -> list[rules.Signal]:
    """Compare opened person records with the names of the reader's colleagues, on the server."""
    reads = [f for f in facts if f.is_record_read and f.record_type == "person_record"]
    ids = {uuid.UUID(f.record_id) for f in reads if f.record_id}
    orgs = {f.actor_organisation_id for f in reads if f.actor_organisation_id}
    if not ids or not orgs:
        return []
    names = {
        str(pid): rules.normalise_name(first, last)
        for pid, first, last in session.execute(
            select(PersonRecord.id, PersonRecord.first_name, PersonRecord.surname).where(
                PersonRecord.id.in_(ids)
            )
        )
    }
    colleagues: dict[uuid.UUID, set[str]] = {}
    for org_id, display in session.execute(
        select(User.organisation_id, User.display_name).where(User.organisation_id.in_(orgs))
    ):
        colleagues.setdefault(org_id, set()).add(rules.normalise_name(display))
    frozen = {org: frozenset(found) for org, found in colleagues.items()}
    return rules.colleague_lookups(reads, names, frozen)


def _in_force(
    status: AgreementStatus, valid_from: date, valid_to: date | None, revoked: datetime | None
) -> Callable[[datetime], bool]:
    def check(at: datetime) -> bool:
        if revoked is not None and revoked <= at:
            return False
        day = clock.london(at).date()
        return effective_state(status, valid_from, valid_to, day) is AgreementStatus.ACTIVE

    return check


def _relationships(
    session: Session, facts: list[rules.Fact]
) -> tuple[list[rules.AgreementWindow], list[rules.GrantWindow]]:
    """The agreements and approved grants that could cover the cross-organisation reads."""
    users = {
        f.actor_user_id
        for f in facts
        if f.is_record_read and f.record_organisation_id not in (None, f.actor_organisation_id)
    }
    if not users:
        return [], []
    agreements = [
        rules.AgreementWindow(
            parties=frozenset(p.organisation_id for p in a.parties),
            purposes=frozenset(a.purposes or []),
            in_force=_in_force(a.status, a.valid_from, a.valid_to, a.revoked_at),
        )
        for a in session.scalars(
            select(SharingAgreement).options(selectinload(SharingAgreement.parties))
        )
    ]
    grants = [
        rules.GrantWindow(
            user_id=g.grantee_user_id,
            record_id=str(g.person_record_id),
            starts_at=g.starts_at,
            ends_at=min(g.expires_at, g.revoked_at) if g.revoked_at else g.expires_at,
        )
        for g in session.scalars(
            select(AccessGrant).where(
                AccessGrant.kind == GrantKind.REQUEST, AccessGrant.grantee_user_id.in_(users)
            )
        )
    ]
    return agreements, grants


def _raise(session: Session, signals: list[rules.Signal]) -> int:
    known = service.existing_keys(session, [s.dedupe_key for s in signals])
    raised = 0
    for signal in signals:
        if signal.dedupe_key in known:
            continue
        known.add(signal.dedupe_key)
        item = service.raise_item(
            session=session,
            kind=signal.kind,
            organisation_id=signal.organisation_id,
            subject_user_id=signal.user_id,
            details=signal.details,
            dedupe_key=signal.dedupe_key,
        )
        if item is None:
            continue
        raised += 1
        record(
            session,
            AuditEvent(
                name="review.raised",
                record_type="review_item",
                record_id=str(item.id),
                details={"review_id": str(item.id), "kind": item.kind.value},
            ),
        )
    return raised


def scan_ledger(
    session: Session, since: datetime | None = None, settings: Settings | None = None
) -> ScanResult:
    """Scan ledger entries after the last scanned one (or from ``since``) for misuse signals."""
    settings = settings or Settings()
    thresholds = rules.Thresholds(
        high_volume_reads=settings.monitor_high_volume_reads,
        repeated_denials=settings.monitor_repeated_denials,
        out_of_hours_reads=settings.monitor_out_of_hours_reads,
    )
    with atomic(session):
        state = _state(session)
        # The job's own review.raised events match no rule: they never start a scan.
        new = select(LedgerEntry).where(LedgerEntry.name != "review.raised")
        new = new.order_by(LedgerEntry.seq)
        new = (
            new.where(LedgerEntry.at >= since)
            if since
            else new.where(LedgerEntry.seq > state.last_seq)
        )
        first = session.scalars(new.limit(1)).first()
        if first is None:
            return ScanResult(0, 0, state.last_seq)
        window = select(LedgerEntry).where(
            LedgerEntry.at >= first.at - LOOKBACK, LedgerEntry.seq < first.seq + BATCH
        )
        facts = [_fact(e) for e in session.scalars(window.order_by(LedgerEntry.seq))]
        last_seq = max(state.last_seq, *(f.seq for f in facts))
        agreements, grants = _relationships(session, facts)
        signals = rules.evaluate(facts, thresholds, agreements, grants)
        signals += _colleague_signals(session, facts)
        raised = _raise(session, signals)
        scanned = sum(1 for f in facts if f.seq >= first.seq and f.name != "review.raised")
        state.last_seq = last_seq
        state.scanned_at = clock.utc_now()
    return ScanResult(scanned, raised, last_seq)
