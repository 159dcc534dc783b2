"""Records waiting to be matched are matched by the worker's job and by the web process."""

from __future__ import annotations

import time
import uuid
from datetime import date

from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

from joinedup import jobs
from joinedup.config import Settings
from joinedup.db import session_factory
from joinedup.linkage import realtime
from joinedup.partners.schemas import OrgKind
from joinedup.people.linking import linked_record_ids
from tests import factories as f


def _same_person_twice(session: Session) -> tuple[uuid.UUID, uuid.UUID]:
    police = f.organisation(session, "Surrey Police", OrgKind.POLICE)
    council = f.organisation(session, "Woking Borough Council", OrgKind.DISTRICT_COUNCIL)
    who = {"first_name": "Nadia", "surname": "Kowalski", "date_of_birth": date(1993, 8, 14)}
    one = f.person(session, police, postcode="GU22 7AA", **who)
    two = f.person(session, council, postcode="GU22 7AA", **who)
    session.commit()
    return one.id, two.id


def test_the_worker_job_matches_waiting_records(
    session: Session, engine: Engine, settings: Settings
) -> None:
    one, two = _same_person_twice(session)
    assert realtime.pending_count(session) == 2
    done = dict(jobs.run_due(session_factory(engine), settings, {}))
    assert done["linkage.match_pending"].startswith("matched 2 person records: 1 joined")
    assert realtime.pending_count(session) == 0
    assert linked_record_ids(session, one) == [two]


def test_the_web_process_matches_in_the_background(session: Session, engine: Engine) -> None:
    one, two = _same_person_twice(session)
    matcher = realtime.BackgroundMatcher(session_factory(engine), realtime.Thresholds(), 0.05)
    matcher.start()
    try:
        deadline = time.monotonic() + 60
        while realtime.pending_count(session) and time.monotonic() < deadline:
            session.rollback()  # a fresh snapshot on the next read
            time.sleep(0.1)
    finally:
        matcher.stop()
    session.rollback()
    assert linked_record_ids(session, one) == [two]


def test_matching_plans_each_lookup_for_its_own_values_on_postgresql(
    session: Session, engine: Engine
) -> None:
    # A generic plan made while the key index was small would scan the whole index on every
    # look-up as it grows (docs/benchmarks.md, "People in the database").
    one, two = _same_person_twice(session)
    statements: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", seen)
    try:
        realtime.match_pending(session)
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    planned = [s for s in statements if "plan_cache_mode" in s]
    if engine.dialect.name == "postgresql":
        assert planned == ["SET LOCAL plan_cache_mode = force_custom_plan"] * len(planned)
        assert planned, "each matching transaction sets its planning"
    else:
        assert planned == []
    assert linked_record_ids(session, one) == [two]
