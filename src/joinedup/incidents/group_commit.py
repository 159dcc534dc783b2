"""Group commit for ``POST /api/v1/incidents``: single incidents sent at the same moment are
written together, in one transaction with one claim of the ledger head.

Each process has one writer thread per database. A request validates its incident, passes the
policy check for its actor and hands a ``Submission`` to the writer, then waits. The writer
takes everything waiting when it is free (one submission when the API is quiet, many under
load), and writes each organisation's share in one transaction through
``intake.record_entries``: every incident is decided on its own, in arrival order, exactly as if
the requests had come one after another (already present, a reference used for a different
incident, a person id the organisation does not hold, an ``Idempotency-Key`` replay or
refusal). Nobody is answered before the transaction has committed.

When the shared transaction fails (a unique-constraint race with another worker process, or a
database error caused by one incident), it is rolled back and every submission is written again
on its own, with the same retries as before, so one failure never becomes another request's.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import uuid
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, cast

from pydantic import BaseModel
from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session, sessionmaker

from joinedup.db import atomic
from joinedup.incidents.idempotency import Answer, IdempotencyKeyReused, run_once
from joinedup.incidents.intake import Recorder, record_entries
from joinedup.incidents.models import IdempotentRequest
from joinedup.incidents.schemas import IncidentIn, IncidentSource, IntakeResult, IntakeStatus

log = logging.getLogger("joinedup.incidents")

# More than this many waiting submissions are written in two transactions, not one.
MAX_GROUP = 256
_STATUS_CODES = {IntakeStatus.CREATED: 201, IntakeStatus.ALREADY_PRESENT: 200}
_IDEMPOTENT = cast(Table, IdempotentRequest.__table__)


@dataclass(frozen=True, slots=True)
class Submission:
    """One single-incident request, validated and allowed by the policy, waiting to be written.

    ``request_digest`` is the digest of the request (path and body) when it has an
    ``Idempotency-Key``, else empty."""

    recorder: Recorder
    incident: IncidentIn
    key: str | None = None
    request_digest: str = ""


def single_status(result: IntakeResult) -> int:
    """The HTTP status of a single incident's result: 201, 200, 409 (reference) or 422."""
    if result.status in _STATUS_CODES:
        return _STATUS_CODES[result.status]
    return 409 if result.errors and result.errors[0].field == "reference" else 422


def _own_organisation_only(organisation_id: uuid.UUID) -> dict[str, str]:
    """Row-security settings of a request by someone of ``organisation_id`` (as a request's
    session starts): writes are limited to that organisation on PostgreSQL."""
    own = str(organisation_id)
    return {
        "joinedup.system": "off",
        "joinedup.actor_org": own,
        "joinedup.readable_orgs": own,
        "joinedup.granted_records": "",
        "joinedup.grant_orgs": "",
    }


Outcome = Answer | BaseException
_Pending = tuple[Submission, "Future[Answer]"]


class GroupWriter:
    """The writer thread of one database: takes what is waiting, writes it together."""

    def __init__(self, factory: sessionmaker[Session], h3_resolution: int) -> None:
        self._factory = factory
        self._h3_resolution = h3_resolution
        self._waiting: queue.SimpleQueue[_Pending] = queue.SimpleQueue()
        self._groups = 0
        self._thread = threading.Thread(target=self._run, name="incident-writer", daemon=True)
        self._thread.start()

    def submit(self, submission: Submission) -> Future[Answer]:
        """Queue ``submission``; the future holds its answer once its transaction committed."""
        future: Future[Answer] = Future()
        self._waiting.put((submission, future))
        return future

    def waiting(self) -> int:
        """How many submissions wait for the writer (not counting the group being written)."""
        return self._waiting.qsize()

    @property
    def groups(self) -> int:
        """How many groups the writer has taken since it started."""
        return self._groups

    def _run(self) -> None:
        while True:
            group = [self._waiting.get()]
            while len(group) < MAX_GROUP:
                try:
                    group.append(self._waiting.get_nowait())
                except queue.Empty:
                    break
            self._groups += 1
            # A request whose client went away before its write began is dropped, unwritten.
            live = [(s, f) for s, f in group if f.set_running_or_notify_cancel()]
            try:
                self.write(live)
            except BaseException as exc:  # never lose the thread; answer everyone
                log.exception("incident writer failed")
                for _, future in live:
                    if not future.done():
                        future.set_exception(exc)

    def write(self, group: list[_Pending]) -> None:
        """Write ``group`` (submissions with their running futures), one transaction per
        organisation, and answer each future; a failed transaction is written again one
        submission at a time."""
        by_organisation: dict[uuid.UUID, list[_Pending]] = {}
        for pending in group:
            by_organisation.setdefault(pending[0].recorder.organisation_id, []).append(pending)
        for organisation_id, share in by_organisation.items():
            submissions = [s for s, _ in share]
            try:
                outcomes = self.write_together(organisation_id, submissions)
            except Exception as exc:
                # The error's type only: its message may quote what was sent (personal data).
                log.warning(
                    "group write failed (%s); writing its %d incidents one by one",
                    type(exc).__name__,
                    len(share),
                )
                outcomes = [self.write_alone(s) for s in submissions]
            for (_, future), outcome in zip(share, outcomes, strict=True):
                if isinstance(outcome, BaseException):
                    future.set_exception(outcome)
                else:
                    future.set_result(outcome)

    def write_together(
        self, organisation_id: uuid.UUID, submissions: Sequence[Submission]
    ) -> list[Outcome]:
        """Write one organisation's submissions in one transaction: an answer (or the error to
        raise, such as a reused ``Idempotency-Key``) for each, in order."""
        with self._factory() as session:
            session.info["row_security"] = _own_organisation_only(organisation_id)
            with atomic(session):
                return _decide_and_write(session, organisation_id, submissions, self._h3_resolution)

    def write_alone(self, submission: Submission) -> Outcome:
        """Write one submission in its own transaction (with the usual race retries)."""
        by = submission.recorder

        def handle() -> tuple[int, BaseModel]:
            (result,) = record_entries(
                session,
                entries=[(by, submission.incident)],
                source=IncidentSource.API,
                h3_resolution=self._h3_resolution,
            )
            return single_status(result), result

        try:
            with self._factory() as session:
                session.info["row_security"] = _own_organisation_only(by.organisation_id)
                return run_once(
                    session,
                    organisation_id=by.organisation_id,
                    key=submission.key,
                    digest=lambda: submission.request_digest,
                    handle=handle,
                )
        except Exception as exc:
            return exc


def _stored_answers(
    session: Session, organisation_id: uuid.UUID, keys: set[str]
) -> dict[str, tuple[str, Answer]]:
    """The stored first answers for ``keys``: key -> (request digest, replayed answer)."""
    if not keys:
        return {}
    rows = session.execute(
        select(
            IdempotentRequest.key,
            IdempotentRequest.request_hash,
            IdempotentRequest.status_code,
            IdempotentRequest.response,
        ).where(
            IdempotentRequest.organisation_id == organisation_id,
            IdempotentRequest.key.in_(sorted(keys)),
        )
    )
    return {
        key: (digest, Answer(status, json.dumps(body, separators=(",", ":")).encode(), True))
        for key, digest, status, body in rows
    }


def _reused() -> IdempotencyKeyReused:
    return IdempotencyKeyReused("This Idempotency-Key was already used for a different request")


def _decide_and_write(
    session: Session,
    organisation_id: uuid.UUID,
    submissions: Sequence[Submission],
    h3_resolution: int,
) -> list[Outcome]:
    """Inside the caller's transaction: replay or refuse keyed retries, record the rest in one
    ``record_entries`` call, and store the first answer of each new key."""
    keys = {s.key for s in submissions if s.key is not None}
    known = _stored_answers(session, organisation_id, keys)
    outcomes: list[Outcome | None] = [None] * len(submissions)
    first_with_key: dict[str, int] = {}
    to_record: list[int] = []
    for index, submission in enumerate(submissions):
        key = submission.key
        if key is not None and key in known:
            digest, answer = known[key]
            outcomes[index] = answer if digest == submission.request_digest else _reused()
        elif key is not None and key in first_with_key:
            continue  # a retry of a submission in this group: answered from it below
        else:
            if key is not None:
                first_with_key[key] = index
            to_record.append(index)
    results = record_entries(
        session,
        entries=[(submissions[i].recorder, submissions[i].incident) for i in to_record],
        source=IncidentSource.API,
        h3_resolution=h3_resolution,
    )
    stored: list[dict[str, Any]] = []
    for index, result in zip(to_record, results, strict=True):
        single = result.model_copy(update={"index": 0})
        answer = Answer(single_status(single), single.__pydantic_serializer__.to_json(single))
        outcomes[index] = answer
        submission = submissions[index]
        if submission.key is not None:
            stored.append(
                {
                    "organisation_id": organisation_id,
                    "key": submission.key,
                    "request_hash": submission.request_digest,
                    "status_code": answer.status,
                    "response": json.loads(answer.body),
                }
            )
    if stored:
        session.execute(insert(_IDEMPOTENT), stored)
    for index, submission in enumerate(submissions):
        if outcomes[index] is None:
            assert submission.key is not None
            first = submissions[first_with_key[submission.key]]
            answer = cast(Answer, outcomes[first_with_key[submission.key]])
            same = first.request_digest == submission.request_digest
            outcomes[index] = Answer(answer.status, answer.body, True) if same else _reused()
    return [cast(Outcome, o) for o in outcomes]


_WRITERS: dict[tuple[str, int], GroupWriter] = {}
_WRITERS_GUARD = threading.Lock()


def group_writer(factory: sessionmaker[Session], h3_resolution: int) -> GroupWriter:
    """The process's writer for the database ``factory`` is bound to (started on first use)."""
    bind = factory.kw["bind"]
    key = (bind.url.render_as_string(hide_password=False), h3_resolution)
    with _WRITERS_GUARD:
        writer = _WRITERS.get(key)
        if writer is None:
            writer = _WRITERS[key] = GroupWriter(factory, h3_resolution)
        return writer
