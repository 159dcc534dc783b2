"""``Idempotency-Key``: the first response to a keyed API write, replayed to its retries."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from joinedup.common.errors import JoinedUpError
from joinedup.db import atomic
from joinedup.incidents.models import IdempotentRequest

# Unique-constraint races (two requests with one new reference or one key at the same moment):
# the loser tries again and then finds what the winner wrote.
ATTEMPTS = 3
Handler = Callable[[], tuple[int, BaseModel]]


class IdempotencyKeyReused(JoinedUpError):
    """The key was first used for a different request."""

    status_code = 422


@dataclass(frozen=True, slots=True)
class Answer:
    """A response: its status, JSON body and whether it is a replay of the first one."""

    status: int
    body: bytes
    replayed: bool = False


def request_hash(path: str, body: object) -> str:
    """A digest of a request's path and JSON body (key order does not matter)."""
    canonical = json.dumps([path, body], sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def run_once(
    session: Session,
    *,
    organisation_id: uuid.UUID,
    key: str | None,
    digest: Callable[[], str],
    handle: Handler,
) -> Answer:
    """Run ``handle`` in one transaction with the stored answer for ``key`` (when given): a
    retry with the same key and request (``digest``, computed only when there is a key) gets
    the first answer; another request is refused."""
    request_digest = digest() if key is not None else ""
    for attempt in range(ATTEMPTS):
        try:
            with atomic(session):
                if key is not None:
                    stored = session.scalar(
                        select(IdempotentRequest).where(
                            IdempotentRequest.organisation_id == organisation_id,
                            IdempotentRequest.key == key,
                        )
                    )
                    if stored is not None:
                        if stored.request_hash != request_digest:
                            raise IdempotencyKeyReused(
                                "This Idempotency-Key was already used for a different request"
                            )
                        body = json.dumps(stored.response, separators=(",", ":")).encode()
                        return Answer(stored.status_code, body, replayed=True)
                status, model = handle()
                body = model.__pydantic_serializer__.to_json(model)
                if key is not None:
                    session.add(
                        IdempotentRequest(
                            organisation_id=organisation_id,
                            key=key,
                            request_hash=request_digest,
                            status_code=status,
                            response=json.loads(body),
                        )
                    )
                    session.flush()
            return Answer(status, body)
        except IntegrityError:
            if attempt == ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")
