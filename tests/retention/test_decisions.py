"""Keep-or-erase decisions on flagged records (RET-1 flag mode): IG leads of the holder only,
each decision audited; a kept record is spared until its time runs out, then flagged again."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from joinedup.audit.models import LedgerEntry
from joinedup.common import clock as clock_module
from joinedup.config import Settings
from joinedup.partners.schemas import Role
from joinedup.people.models import PersonRecord
from joinedup.retention.models import RetentionReview
from joinedup.retention.schemas import RetentionMode
from joinedup.retention.service import run
from tests.auth.fixtures import FakeClock, csrf_from
from tests.pages import sign_in_as
from tests.retention.test_retention import SEVEN_YEARS, Seeded
from tests.retention.test_retention import seeded as seeded  # noqa: F401  (fixture)


def _run(session: Session, settings: Settings, mode: RetentionMode, tmp: object) -> None:
    run(
        session=session,
        now=clock_module.utc_now(),
        mode=mode,
        settings=settings,
        exports_dir=tmp,  # type: ignore[arg-type]
    )


def test_ret1_ig_lead_erases_or_keeps_and_kept_records_come_back_later(
    client: TestClient,
    session: Session,
    settings: Settings,
    clock: FakeClock,
    seeded: Seeded,
    tmp_path: object,
) -> None:
    old_id = seeded.old.id
    clock.advance(days=SEVEN_YEARS.days)
    _run(session, settings, RetentionMode.FLAG, tmp_path)
    lead = sign_in_as(client, session, seeded.org, Role.IG_LEAD)
    page = client.get("/retention/reviews")
    assert page.status_code == 200 and page.text.count("Save decision") == 2
    reviews = {r.record_type: r for r in session.scalars(select(RetentionReview))}
    token = csrf_from(page.text)

    missing = client.post(
        f"/retention/reviews/{reviews['incident'].id}",
        data={"csrf_token": token, "decision": "keep"},
    )
    assert missing.status_code == 422 and "Choose how long" in missing.text
    kept = client.post(
        f"/retention/reviews/{reviews['incident'].id}",
        data={"csrf_token": token, "decision": "keep", "keep_years": "1"},
        follow_redirects=False,
    )
    erased = client.post(
        f"/retention/reviews/{reviews['person_record'].id}",
        data={"csrf_token": token, "decision": "erase"},
        follow_redirects=False,
    )
    assert kept.status_code == erased.status_code == 303
    session.expire_all()
    assert session.get(PersonRecord, old_id) is None
    events = session.execute(
        select(LedgerEntry.name, LedgerEntry.actor_user_id, LedgerEntry.operation).where(
            LedgerEntry.actor_user_id == lead.id
        )
    ).all()
    assert ("record.erased", lead.id) in [(n, u) for n, u, _ in events]
    assert ("retention.kept", lead.id) in [(n, u) for n, u, _ in events]

    _run(session, settings, RetentionMode.ERASE, tmp_path)  # the kept incident survives
    session.expire_all()
    incident = session.get(RetentionReview, reviews["incident"].id)
    assert incident is not None and incident.status == "kept"
    clock.advance(days=366)
    _run(session, settings, RetentionMode.FLAG, tmp_path)
    session.expire_all()
    again = session.get(RetentionReview, reviews["incident"].id)
    assert again is not None and again.status == "open"


def test_ret1_only_the_holders_ig_lead_decides(
    client: TestClient,
    session: Session,
    settings: Settings,
    clock: FakeClock,
    seeded: Seeded,
    tmp_path: object,
) -> None:
    clock.advance(days=SEVEN_YEARS.days + 1)
    _run(session, settings, RetentionMode.FLAG, tmp_path)
    review = session.scalars(select(RetentionReview)).first()
    assert review is not None
    sign_in_as(client, session, seeded.other, Role.IG_LEAD)
    assert "Save decision" not in client.get("/retention/reviews").text
    token = csrf_from(client.get("/retention/reviews").text)
    answer = client.post(
        f"/retention/reviews/{review.id}", data={"csrf_token": token, "decision": "erase"}
    )
    assert answer.status_code == 404
    practitioner = TestClient(client.app)
    sign_in_as(practitioner, session, seeded.org, Role.PRACTITIONER)
    assert practitioner.get("/retention/reviews").status_code == 403
    assert practitioner.get("/api/v1/retention/reviews").status_code == 403
    session.expire_all()
    assert session.get(PersonRecord, seeded.old.id) is not None
    assert session.get(RetentionReview, review.id).status == "open"  # type: ignore[union-attr]
