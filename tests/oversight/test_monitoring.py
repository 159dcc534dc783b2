"""The monitoring job over a seeded ledger, and the review queue it fills (MON-1)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from joinedup.audit.events import AuditEvent
from joinedup.audit.service import record
from joinedup.config import Settings
from joinedup.oversight.jobs import scan_ledger
from joinedup.oversight.models import ReviewItem
from joinedup.oversight.schemas import ReviewKind
from joinedup.partners.models import Organisation, User
from joinedup.partners.schemas import OrgKind, Role
from tests import factories
from tests.auth.fixtures import FakeClock
from tests.pages import sign_in_as

DAY = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)
NIGHT = datetime(2026, 11, 24, 23, 30, tzinfo=UTC)


def _read(session: Session, user: User, record_id: uuid.UUID, holder: uuid.UUID) -> None:
    record(
        session,
        AuditEvent(
            name="person.viewed",
            actor_user_id=user.id,
            actor_organisation_id=user.organisation_id,
            actor_role=user.role.value,
            record_type="person_record",
            record_id=str(record_id),
            record_organisation_id=holder,
        ),
    )


def _deny(session: Session, user: User) -> None:
    record(
        session,
        AuditEvent(
            name="access.denied",
            actor_user_id=user.id,
            actor_organisation_id=user.organisation_id,
            details={"path": "/people/{person_id}", "reason": "role"},
        ),
    )


def _thresholds(settings: Settings) -> Settings:
    return settings.model_copy(
        update={
            "monitor_high_volume_reads": 5,
            "monitor_repeated_denials": 3,
            "monitor_out_of_hours_reads": 4,
        }
    )


def _seed(session: Session, clock: FakeClock) -> tuple[Organisation, User, Organisation]:
    org = factories.organisation(session, "Surrey Police")
    other = factories.organisation(session, "Borough Council", OrgKind.DISTRICT_COUNCIL)
    nosy = factories.user(session, org, username="nosy.user")
    colleague = factories.user(session, org, username="dana.c")
    colleague.display_name = "Dana Colleague"
    own = factories.person(session, org, first_name="Sam", surname="Ordinary")
    lookalike = factories.person(session, org, first_name="Dana", surname="Colleague")
    elsewhere = factories.person(session, other)
    session.commit()
    clock.now = DAY
    for i in range(6):
        clock.advance(minutes=1)
        _read(session, nosy, own.id if i else lookalike.id, org.id)
    for _ in range(3):
        _deny(session, nosy)
    _read(session, nosy, elsewhere.id, other.id)
    clock.now = NIGHT
    for _ in range(5):
        clock.advance(minutes=5)
        _read(session, nosy, own.id, org.id)
    session.commit()
    return org, nosy, other


def test_mon1_seeded_anomalous_patterns_appear_in_the_queue(
    session: Session, settings: Settings, clock: FakeClock
) -> None:
    org, nosy, _ = _seed(session, clock)
    result = scan_ledger(session, settings=_thresholds(settings))
    kinds = sorted(i.kind.value for i in session.scalars(select(ReviewItem)))
    assert kinds == sorted(
        [
            ReviewKind.HIGH_VOLUME_READS,
            ReviewKind.REPEATED_DENIALS,
            ReviewKind.OUT_OF_HOURS_BULK,
            ReviewKind.NO_CASE_RELATIONSHIP,
            ReviewKind.COLLEAGUE_SEARCH,
        ]
    )
    assert result.items_raised == 5
    for item in session.scalars(select(ReviewItem)):
        assert item.organisation_id == org.id
        assert item.subject_user_id == nosy.id
        text = json.dumps(item.details).lower()
        assert "dana" not in text and "colleague" not in text and "ordinary" not in text


def test_mon1_scan_is_incremental_and_raises_each_signal_once(
    session: Session, settings: Settings, clock: FakeClock
) -> None:
    _, nosy, _ = _seed(session, clock)
    tuned = _thresholds(settings)
    scan_ledger(session, settings=tuned)
    again = scan_ledger(session, settings=tuned)
    assert again.entries_scanned == 0 and again.items_raised == 0
    # More reads in the same hour: same window, no second item.
    clock.now = DAY + timedelta(minutes=30)
    for _ in range(3):
        _read(session, nosy, uuid.uuid4(), nosy.organisation_id)
    session.commit()
    third = scan_ledger(session, settings=tuned)
    assert third.entries_scanned == 3 and third.items_raised == 0
    assert len(session.scalars(select(ReviewItem)).all()) == 5


def test_mon1_ig_lead_sees_the_items_of_their_organisation(
    client: TestClient, session: Session, settings: Settings, clock: FakeClock
) -> None:
    org, _, other = _seed(session, clock)
    scan_ledger(session, settings=_thresholds(settings))
    clock.now = datetime.now(UTC)
    sign_in_as(client, session, org, Role.IG_LEAD)
    body = client.get("/api/v1/reviews").json()
    assert body["total"] == 5
    page = client.get("/oversight/reviews")
    assert page.status_code == 200 and "High-volume reads" in page.text
    sign_in_as(client, session, other, Role.IG_LEAD)
    assert client.get("/api/v1/reviews").json()["total"] == 0


def _agreement(session: Session, parties: list[Organisation], **fields: object) -> None:
    from joinedup.agreements.models import SharingAgreement, SharingAgreementParty
    from joinedup.agreements.schemas import AgreementStatus

    values: dict[str, object] = {
        "title": "Safeguarding ISA",
        "reference": f"ISA-{uuid.uuid4().hex[:6]}",
        "data_categories": ["identity"],
        "purposes": ["safeguarding"],
        "lawful_bases": [],
        "valid_from": DAY.date() - timedelta(days=30),
        "status": AgreementStatus.ACTIVE,
    }
    values.update(fields)
    isa = SharingAgreement(**values)
    isa.parties = [SharingAgreementParty(organisation_id=o.id) for o in parties]
    session.add(isa)
    session.commit()


def test_mon1_reads_under_an_agreement_are_not_flagged_but_revoked_ones_are(
    session: Session, settings: Settings, clock: FakeClock
) -> None:
    from joinedup.agreements.schemas import AgreementStatus

    org = factories.organisation(session, "Surrey Police")
    other = factories.organisation(session, "Borough Council", OrgKind.DISTRICT_COUNCIL)
    reader = factories.user(session, org, username="reader")
    theirs = factories.person(session, other)
    session.commit()
    _agreement(session, [org, other])
    _agreement(session, [org, other], purposes=["marac"], status=AgreementStatus.REVOKED)
    clock.now = DAY
    for purpose in ("safeguarding", "marac"):
        record(
            session,
            AuditEvent(
                name="person.viewed",
                actor_user_id=reader.id,
                actor_organisation_id=org.id,
                record_type="person_record",
                record_id=str(theirs.id),
                record_organisation_id=other.id,
                purpose=purpose,
            ),
        )
        clock.advance(days=1)
    session.commit()
    scan_ledger(session, settings=settings)
    items = session.scalars(select(ReviewItem)).all()
    # The safeguarding read was covered by the active agreement; the MARAC read's agreement
    # was revoked, so it had no relationship.
    assert [i.kind for i in items] == [ReviewKind.NO_CASE_RELATIONSHIP]
    assert items[0].details["ledger_seq"] is not None


def test_mon1_a_long_ledger_is_scanned_in_batches(
    session: Session, settings: Settings, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    from joinedup.oversight import jobs

    monkeypatch.setattr(jobs, "BATCH", 4)
    _seed(session, clock)
    tuned = _thresholds(settings)
    scans = [scan_ledger(session, settings=tuned) for _ in range(6)]
    assert [s.entries_scanned for s in scans[:4]] == [4, 4, 4, 3]
    assert scans[-1].entries_scanned == 0
    kinds = {i.kind for i in session.scalars(select(ReviewItem))}
    assert ReviewKind.HIGH_VOLUME_READS in kinds and ReviewKind.OUT_OF_HOURS_BULK in kinds
