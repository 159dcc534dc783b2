"""Group commit of single incidents: concurrent ``POST /api/v1/incidents`` requests written in
one transaction, each answered on its own, only after the commit (SQLite and PostgreSQL)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, cast

import httpx2
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from joinedup.audit.models import LedgerEntry, LedgerHead
from joinedup.audit.verify import verify_ledger
from joinedup.config import Settings
from joinedup.db import atomic
from joinedup.incidents.group_commit import GroupWriter, Submission, group_writer
from joinedup.incidents.idempotency import Answer
from joinedup.incidents.intake import Recorder
from joinedup.incidents.models import Incident, Involvement
from joinedup.incidents.schemas import IncidentIn
from joinedup.partners.models import Organisation, User
from joinedup.partners.schemas import OrgKind, Role
from joinedup.people.models import PersonRecord
from tests import factories as f
from tests.incidents.conftest import count_held
from tests.incidents.test_intake_routes import bearer, incident_json

Headers = dict[str, str]


def new_incident(reference: str, **fields: Any) -> dict[str, Any]:
    """An incident with a new person of its own (``P-<reference>``)."""
    body = incident_json(reference, **fields)
    if "people" not in fields:
        body["people"][0]["person"]["reference"] = f"P-{reference}"
    return body


def wait_until(condition: Callable[[], bool]) -> None:
    """Wait for the writer to reach a state (a guard against hanging, not a timing check)."""
    deadline = time.monotonic() + 60
    while not condition():
        assert time.monotonic() < deadline, "the incident writer never got there"
        time.sleep(0.01)


@contextmanager
def writes_held(session: Session) -> Iterator[None]:
    """Hold the database's writers back: on SQLite the process's writer lock, on PostgreSQL
    the ledger head row (a group waits there until this block ends)."""
    with atomic(session):
        session.execute(select(LedgerHead.seq).where(LedgerHead.id == 1).with_for_update())
        yield


def user_id(session: Session, role: Role, org: Organisation) -> uuid.UUID:
    found: uuid.UUID | None = session.scalar(
        select(User.id).where(User.username == f"feed.{role.value}.{str(org.id)[:8]}")
    )
    assert found is not None
    return found


def app_sessions(client: TestClient) -> sessionmaker[Session]:
    """The session factory of the app under test (on PostgreSQL, the app role's)."""
    app = cast(FastAPI, client.app)
    factory: sessionmaker[Session] = app.state.session_factory
    return factory


def ledger_names(session: Session) -> dict[str, int]:
    session.expire_all()
    rows = session.execute(select(LedgerEntry.name, func.count()).group_by(LedgerEntry.name))
    return {name: n for name, n in rows}


def test_requests_sent_together_are_one_transaction_each_answered_on_its_own(
    client: TestClient, session: Session, settings: Settings, council: Organisation
) -> None:
    police = f.organisation(session, "Surrey Police", OrgKind.POLICE)
    theirs = f.person(session, police)
    session.commit()
    feed = bearer(session, council)
    supervisor = bearer(session, council, Role.SUPERVISOR)
    other = bearer(session, police)
    keyed = {**feed, "Idempotency-Key": "K-0"}
    # Before the group: what it will meet (and each token's first use, which writes).
    warm = [
        client.post("/api/v1/incidents", json=new_incident("ASB-0"), headers=keyed),
        client.post("/api/v1/incidents", json=new_incident("ASB-W"), headers=supervisor),
        client.post("/api/v1/incidents", json=new_incident("ASB-0"), headers=other),
    ]
    assert [r.status_code for r in warm] == [201, 201, 201]
    names_before = ledger_names(session)

    sends: list[tuple[str, dict[str, Any], Headers]] = []
    sends += [(f"new-{i}", new_incident(f"G-A-{i}"), feed) for i in range(10)]
    sends += [(f"sup-{i}", new_incident(f"G-B-{i}"), supervisor) for i in range(4)]
    sends += [
        ("present", new_incident("ASB-0"), feed),
        ("conflict", new_incident("ASB-0", category="noise_complaint"), feed),
        (
            "foreign",
            incident_json("F-1", people=[{"role": "suspect", "person_id": str(theirs.id)}]),
            feed,
        ),
        ("dup-1a", new_incident("DUP-1"), feed),
        ("dup-1b", new_incident("DUP-1"), feed),
        ("dup-2a", new_incident("DUP-2"), feed),
        ("dup-2b", new_incident("DUP-2", category="noise_complaint"), feed),
        ("replay-0", new_incident("ASB-0"), keyed),
        ("reuse-0", new_incident("K-0-OTHER"), keyed),
        ("key-1a", new_incident("K-1"), {**feed, "Idempotency-Key": "K-1"}),
        ("key-1b", new_incident("K-1"), {**feed, "Idempotency-Key": "K-1"}),
        ("key-2a", new_incident("K-2-A"), {**feed, "Idempotency-Key": "K-2"}),
        ("key-2b", new_incident("K-2-B"), {**feed, "Idempotency-Key": "K-2"}),
        ("police", new_incident("ASB-1"), other),
    ]
    writer = group_writer(app_sessions(client), settings.h3_resolution)

    def post(body: dict[str, Any], headers: Headers) -> httpx2.Response:
        return client.post("/api/v1/incidents", json=body, headers=headers)

    with ThreadPoolExecutor(len(sends) + 1) as pool:
        with writes_held(session):
            groups = writer.groups
            first = pool.submit(post, new_incident("ASB-1"), feed)
            wait_until(lambda: writer.groups == groups + 1)  # taken, and held back
            answers = {name: pool.submit(post, body, h) for name, body, h in sends}
            wait_until(lambda: writer.waiting() == len(sends))
            # Nobody is answered before their transaction has committed.
            assert not first.done() and not any(a.done() for a in answers.values())
        got = {name: a.result() for name, a in answers.items()}
    assert first.result().status_code == 201
    assert writer.groups == groups + 2  # everything sent while held was written as one group

    def status(name: str) -> int:
        return got[name].status_code

    assert all(status(f"new-{i}") == 201 for i in range(10))
    assert all(status(f"sup-{i}") == 201 for i in range(4))
    assert status("present") == 200 and got["present"].json()["id"] == warm[0].json()["id"]
    assert status("conflict") == 409 and got["conflict"].json()["errors"][0]["field"] == "reference"
    assert status("foreign") == 422
    assert got["foreign"].json()["errors"][0]["field"] == "people.0.person_id"
    assert sorted([status("dup-1a"), status("dup-1b")]) == [200, 201]
    assert got["dup-1a"].json()["id"] == got["dup-1b"].json()["id"]
    assert sorted([status("dup-2a"), status("dup-2b")]) == [201, 409]
    assert status("replay-0") == 201 and got["replay-0"].json() == warm[0].json()
    assert got["replay-0"].headers["Idempotent-Replayed"] == "true"
    assert status("reuse-0") == 422 and "Idempotency-Key" in got["reuse-0"].text
    assert status("key-1a") == status("key-1b") == 201
    assert got["key-1a"].json() == got["key-1b"].json()
    replayed = [got[n].headers.get("Idempotent-Replayed") for n in ("key-1a", "key-1b")]
    assert sorted(map(str, replayed)) == ["None", "true"]
    assert sorted([status("key-2a"), status("key-2b")]) == [201, 422]
    assert status("police") == 201

    # Counts exact: 2 + ASB-1 + 10 + 4 + DUP-1 + DUP-2 + K-1 + one K-2 (19 new); police 2.
    assert count_held(session, Incident, council) == 21
    assert count_held(session, PersonRecord, council) == 21
    assert count_held(session, Incident, police) == 2
    names = ledger_names(session)
    added = {n: names.get(n, 0) - names_before.get(n, 0) for n in names}
    assert added["incident.created"] == added["person.created"] == 19 + 1
    assert added["incident.involvement_added"] == 20
    assert verify_ledger(session.get_bind()).ok  # type: ignore[arg-type]

    # One transaction and one ledger claim for the council's share of the group, each entry
    # still recorded as its own sender.
    ids = [uuid.UUID(got[f"new-{i}"].json()["id"]) for i in range(10)]
    ids += [uuid.UUID(got[f"sup-{i}"].json()["id"]) for i in range(4)]
    rows = session.execute(
        select(LedgerEntry.at, LedgerEntry.actor_user_id, LedgerEntry.record_id).where(
            LedgerEntry.name == "incident.created",
            LedgerEntry.record_id.in_([str(i) for i in ids]),
        )
    ).all()
    assert len(rows) == 14 and len({at for at, _, _ in rows}) == 1
    senders = {uuid.UUID(record): user for _, user, record in rows}
    assert {senders[i] for i in ids[:10]} == {user_id(session, Role.PRACTITIONER, council)}
    assert {senders[i] for i in ids[10:]} == {user_id(session, Role.SUPERVISOR, council)}
    recorded_by = session.scalars(select(Incident.recorded_by_id).where(Incident.id == ids[-1]))
    assert recorded_by.one() == user_id(session, Role.SUPERVISOR, council)


def test_many_concurrent_clients_each_get_their_incident(
    client: TestClient, session: Session, council: Organisation
) -> None:
    feed = bearer(session, council)
    client.post("/api/v1/incidents", json=new_incident("WARM"), headers=feed)

    def one_client(n: int) -> list[httpx2.Response]:
        return [
            client.post("/api/v1/incidents", json=new_incident(f"C-{n}-{i}"), headers=feed)
            for i in range(6)
        ]

    with ThreadPoolExecutor(16) as pool:
        answers = [r for rs in pool.map(one_client, range(16)) for r in rs]
    assert [r.status_code for r in answers] == [201] * 96
    references = {r.json()["reference"] for r in answers}
    assert len(references) == 96 and len({r.json()["id"] for r in answers}) == 96
    assert count_held(session, Incident, council) == 97
    assert count_held(session, PersonRecord, council) == 97
    assert session.scalar(select(func.count()).select_from(Involvement)) == 97
    names = ledger_names(session)
    assert names["incident.created"] == names["person.created"] == 97
    assert verify_ledger(session.get_bind()).ok  # type: ignore[arg-type]


def _running(submissions: list[Submission]) -> list[tuple[Submission, Future[Answer]]]:
    pending: list[tuple[Submission, Future[Answer]]] = []
    for submission in submissions:
        future: Future[Answer] = Future()
        assert future.set_running_or_notify_cancel()
        pending.append((submission, future))
    return pending


def test_a_database_error_in_a_group_fails_only_its_own_request(
    client: TestClient, session: Session, settings: Settings, council: Organisation
) -> None:
    bearer(session, council)
    sender = Recorder(council.id, user_id(session, Role.PRACTITIONER, council), "practitioner")
    # A recorder unknown to the database: its incident breaks a foreign key, so the shared
    # transaction fails and everything in it is written again one by one.
    ghost = Recorder(council.id, uuid.uuid4(), "practitioner")
    group = _running(
        [
            Submission(sender, IncidentIn.model_validate(new_incident("E-1"))),
            Submission(ghost, IncidentIn.model_validate(new_incident("E-2"))),
            Submission(sender, IncidentIn.model_validate(new_incident("E-3"))),
        ]
    )
    writer = group_writer(app_sessions(client), settings.h3_resolution)
    writer.write(group)
    first, broken, third = (future for _, future in group)
    assert first.result().status == third.result().status == 201
    assert isinstance(broken.exception(), IntegrityError)
    session.expire_all()
    held = session.scalars(select(Incident.reference).where(Incident.organisation_id == council.id))
    assert sorted(held) == ["E-1", "E-3"]
    assert count_held(session, PersonRecord, council) == 2
    assert ledger_names(session)["incident.created"] == 2
    assert verify_ledger(session.get_bind()).ok  # type: ignore[arg-type]


def test_two_writers_racing_on_the_same_references_create_each_once(
    client: TestClient, session: Session, settings: Settings, council: Organisation
) -> None:
    """Two writers, as two worker processes have, sent the same new incidents at once."""
    bearer(session, council)
    sender = Recorder(council.id, user_id(session, Role.PRACTITIONER, council), "practitioner")
    factory = app_sessions(client)
    writers = [GroupWriter(factory, settings.h3_resolution) for _ in range(2)]
    incidents = [IncidentIn.model_validate(new_incident(f"R-{i}")) for i in range(12)]
    futures = [
        writer.submit(Submission(sender, incident)) for incident in incidents for writer in writers
    ]
    answers = [future.result(timeout=120) for future in futures]
    pairs = [sorted(a.status for a in answers[i : i + 2]) for i in range(0, len(answers), 2)]
    assert pairs == [[200, 201]] * 12
    assert count_held(session, Incident, council) == 12
    assert count_held(session, PersonRecord, council) == 12
    names = ledger_names(session)
    assert names["incident.created"] == names["person.created"] == 12
    assert verify_ledger(session.get_bind()).ok  # type: ignore[arg-type]
