"""Commands on "known to" access requests: request, approve (a disclosure), decline.

Each is one transaction with its audit event inside it. An approval creates a time-limited
``AccessGrant`` (kind ``request``); the scope honours it on every request until it expires.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy.orm import Session

from joinedup.access.actor import Actor
from joinedup.access.context import load_context
from joinedup.access.models import AccessGrant, AccessRequest
from joinedup.access.policy import RECORD_ROLES
from joinedup.access.purposes import StatedPurpose
from joinedup.access.schemas import AccessRequestStatus, GrantKind
from joinedup.access.signposts import targets
from joinedup.audit.events import AuditEvent
from joinedup.audit.service import record
from joinedup.common import clock
from joinedup.common.errors import Conflict, Forbidden, NotFound, ValidationFailed
from joinedup.db import atomic
from joinedup.partners.schemas import Role

DECIDER_ROLES = frozenset({Role.SUPERVISOR, Role.IG_LEAD})
REASON_MAX = 500


def _event(actor: Actor, name: str, req: AccessRequest, **extra: object) -> AuditEvent:
    values: dict[str, object] = {
        "name": name,
        "actor_user_id": actor.user_id,
        "actor_organisation_id": actor.organisation_id,
        "actor_role": actor.role.value,
        "record_type": "person_record",
        "record_id": str(req.person_record_id),
        "record_organisation_id": req.holder_organisation_id,
        "purpose": req.purpose,
    }
    values.update(extra)
    return AuditEvent(**values)  # type: ignore[arg-type]


def request_access(
    *,
    session: Session,
    actor: Actor,
    person_id: uuid.UUID,
    signpost_number: int,
    stated: StatedPurpose,
) -> AccessRequest:
    """Ask the holder of signpost ``signpost_number`` on ``person_id``'s page for access."""
    if actor.role not in RECORD_ROLES:
        raise Forbidden()
    with atomic(session):
        ctx = load_context(session, actor, stated.purpose.value)
        found = [
            t for t in targets(session, ctx, person_id) if t.signpost.number == signpost_number
        ]
        if not found:
            raise NotFound()
        target = found[0]
        req = AccessRequest(
            requester_user_id=actor.user_id,
            requester_organisation_id=actor.organisation_id,
            holder_organisation_id=target.holder_organisation_id,
            person_record_id=target.record_id,
            holder_reference=target.holder_reference,
            data_categories=[c.value for c in target.signpost.data_categories],
            purpose=stated.purpose.value,
            justification=stated.justification,
            created_at=clock.utc_now(),
        )
        session.add(req)
        session.flush()
        record(
            session,
            _event(
                actor,
                "sharing.access_requested",
                req,
                justification=stated.justification,
                details={
                    "request_id": str(req.id),
                    "matched_on_encodings": req.holder_reference is not None,
                },
            ),
        )
    return req


def _pending_for_decider(session: Session, actor: Actor, request_id: uuid.UUID) -> AccessRequest:
    req = session.get(AccessRequest, request_id)
    if req is None or req.holder_organisation_id != actor.organisation_id:
        raise NotFound()
    if actor.role not in DECIDER_ROLES:
        raise Forbidden()
    if req.status is not AccessRequestStatus.PENDING:
        raise Conflict("This request has already been decided")
    return req


def _reason(reason: str) -> str:
    text = reason.strip()
    if not text or len(text) > REASON_MAX:
        raise ValidationFailed({"reason": f"Give a reason in {REASON_MAX} characters or fewer"})
    return text


def approve(
    *, session: Session, actor: Actor, request_id: uuid.UUID, reason: str, days: int
) -> AccessGrant | None:
    """Approve a pending request: a grant for ``days`` days, audited as a disclosure (AUD-3).

    A request from a signpost matched on encodings gets no grant: the holder keeps that record
    off the platform and shares it with the requester itself; the approval is the disclosure."""
    text = _reason(reason)
    with atomic(session):
        req = _pending_for_decider(session, actor, request_id)
        now = clock.utc_now()
        req.status = AccessRequestStatus.APPROVED
        req.decided_by_user_id, req.decided_at, req.decision_reason = actor.user_id, now, text
        grant = None
        details: dict[str, object] = {"request_id": str(req.id), "matched_on_encodings": True}
        if req.holder_reference is None:
            grant = AccessGrant(
                kind=GrantKind.REQUEST,
                grantee_user_id=req.requester_user_id,
                grantee_organisation_id=req.requester_organisation_id,
                holder_organisation_id=req.holder_organisation_id,
                person_record_id=req.person_record_id,
                data_categories=list(req.data_categories),
                purpose=req.purpose,
                reason=text,
                request_id=req.id,
                granted_by_user_id=actor.user_id,
                starts_at=now,
                expires_at=now + timedelta(days=days),
            )
            session.add(grant)
            session.flush()
            details = {"request_id": str(req.id), "grant_id": str(grant.id), "days": days}
        record(
            session,
            _event(
                actor,
                "sharing.access_approved",
                req,
                justification=text,
                recipient_organisation_id=req.requester_organisation_id,
                recipient_person=str(req.requester_user_id),
                details=details,
            ),
        )
    return grant


def decline(*, session: Session, actor: Actor, request_id: uuid.UUID, reason: str) -> None:
    """Decline a pending request with a reason the requester will see."""
    text = _reason(reason)
    with atomic(session):
        req = _pending_for_decider(session, actor, request_id)
        req.status = AccessRequestStatus.DECLINED
        req.decided_by_user_id, req.decided_at = actor.user_id, clock.utc_now()
        req.decision_reason = text
        record(
            session,
            _event(
                actor,
                "sharing.access_declined",
                req,
                justification=text,
                details={"request_id": str(req.id)},
            ),
        )
