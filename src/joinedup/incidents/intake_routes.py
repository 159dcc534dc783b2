"""The intake API: ``POST /api/v1/incidents`` and ``POST /api/v1/incidents/batch``.

The organisation's own reference makes re-sending harmless; an ``Idempotency-Key`` header
additionally returns the first response to a retry of the same request, and refuses the key's
reuse for a different request.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import Response
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from joinedup.access.actor import Actor
from joinedup.access.deps import ActorDep, current_actor
from joinedup.auth.csrf import verify_csrf
from joinedup.db import SessionDep
from joinedup.incidents.group_commit import GroupWriter, Submission, group_writer
from joinedup.incidents.idempotency import Answer, Handler, request_hash, run_once
from joinedup.incidents.intake import record_incidents, recorder_for, refused
from joinedup.incidents.schemas import (
    BatchIn,
    BatchOut,
    IncidentIn,
    IncidentSource,
    IntakeError,
    IntakeResult,
    IntakeStatus,
)

api = APIRouter(prefix="/api/v1/incidents", tags=["incidents"], dependencies=[Depends(verify_csrf)])

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=255,
        pattern=r"^[\x21-\x7e]+$",
        description="Any unique printable string; a retry with the same key and request gets "
        "the first response back.",
    ),
]


def _once(
    session: Session, actor: Actor, key: str | None, digest: Callable[[], str], handle: Handler
) -> Response:
    answer = run_once(
        session, organisation_id=actor.organisation_id, key=key, digest=digest, handle=handle
    )
    return _respond(answer)


def _respond(answer: Answer) -> Response:
    headers = {"Idempotent-Replayed": "true"} if answer.replayed else None
    return Response(
        answer.body, status_code=answer.status, headers=headers, media_type="application/json"
    )


def _writer(request: Request) -> GroupWriter:
    state = request.app.state
    writer: GroupWriter | None = getattr(state, "incident_writer", None)
    if writer is None:
        writer = state.incident_writer = group_writer(
            state.session_factory, state.settings.h3_resolution
        )
    return writer


async def _signed_in(request: Request) -> Actor:
    # The same check as ``ActorDep``, run on the event loop: no thread hand-off for it.
    return current_actor(request)


@api.post(
    "",
    status_code=201,
    response_model=IntakeResult,
    responses={
        200: {"model": IntakeResult, "description": "Already present: the same incident"},
        409: {"description": "A different incident already has this reference"},
        422: {"description": "Invalid, or the Idempotency-Key was used for another request"},
    },
)
async def create_incident(
    request: Request,
    actor: Annotated[Actor, Depends(_signed_in)],
    incident: IncidentIn,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Record one incident of the caller's organisation (audited as collection).

    201 when created, 200 when the same incident is already held under this reference.
    Requests arriving together are written in one transaction (``group_commit``); each gets
    its own answer once that transaction has committed."""
    recorder = recorder_for(actor)
    digest = ""
    if idempotency_key is not None:
        digest = request_hash(request.url.path, incident.model_dump(mode="json"))
    writer = _writer(request)
    submission = Submission(recorder, incident, idempotency_key, digest)
    return _respond(await asyncio.wrap_future(writer.submit(submission)))


def _validate_items(batch: BatchIn) -> tuple[list[IntakeResult | None], list[IncidentIn]]:
    """Each item validated on its own: a slot per item (a refusal, or None for a valid one)."""
    slots: list[IntakeResult | None] = []
    valid: list[IncidentIn] = []
    for index, raw in enumerate(batch.items):
        try:
            valid.append(IncidentIn.model_validate(raw))
            slots.append(None)
        except ValidationError as exc:
            reference = raw.get("reference")
            errors = [
                IntakeError(field=".".join(str(p) for p in e["loc"]) or "item", message=e["msg"])
                for e in exc.errors(include_input=False, include_url=False)
            ]
            slots.append(refused(index, reference if isinstance(reference, str) else None, errors))
    return slots, valid


@api.post("/batch", response_model=BatchOut)
def create_incidents(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    batch: BatchIn,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Record up to 1,000 incidents; each item is created, already present or rejected (with
    its errors) on its own, in the order sent."""
    recorder = recorder_for(actor)
    settings = request.app.state.settings

    def handle() -> tuple[int, BaseModel]:
        slots, valid = _validate_items(batch)
        written = iter(
            record_incidents(
                session,
                recorder=recorder,
                items=valid,
                source=IncidentSource.API,
                h3_resolution=settings.h3_resolution,
            )
        )
        results = [
            slot or next(written).model_copy(update={"index": index})
            for index, slot in enumerate(slots)
        ]
        out = BatchOut(
            created=sum(r.status is IntakeStatus.CREATED for r in results),
            already_present=sum(r.status is IntakeStatus.ALREADY_PRESENT for r in results),
            rejected=sum(r.status is IntakeStatus.REJECTED for r in results),
            results=results,
        )
        return 200, out

    def digest() -> str:
        return request_hash(request.url.path, batch.items)

    return _once(session, actor, idempotency_key, digest, handle)
