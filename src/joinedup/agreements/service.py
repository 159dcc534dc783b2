"""Commands on information-sharing agreements: record one, revoke one (each audited).

Agreements are the policy on every read (``access.context`` loads them per request), so a
revocation takes effect on every user's next request (AC-5).
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from joinedup.access.actor import Actor
from joinedup.access.policy import Action, Resource, can
from joinedup.agreements.models import SharingAgreement, SharingAgreementParty
from joinedup.agreements.schemas import AgreementStatus, SharingAgreementIn
from joinedup.audit.events import AuditEvent
from joinedup.audit.service import record
from joinedup.common import clock
from joinedup.common.errors import Conflict, Forbidden, NotFound, ValidationFailed
from joinedup.db import atomic


def _event(actor: Actor, name: str, isa: SharingAgreement, **details: str | int) -> AuditEvent:
    return AuditEvent(
        name=name,
        actor_user_id=actor.user_id,
        actor_organisation_id=actor.organisation_id,
        actor_role=actor.role.value,
        record_type="sharing_agreement",
        record_id=str(isa.id),
        details={"agreement_id": str(isa.id), **details},
    )


def _check(actor: Actor) -> None:
    if not can(actor, Action.MANAGE_AGREEMENTS, Resource("sharing_agreement")):
        raise Forbidden()


def create(*, session: Session, actor: Actor, agreement_in: SharingAgreementIn) -> uuid.UUID:
    """Record an information-sharing agreement, active from its start date."""
    _check(actor)
    parties = sorted(set(agreement_in.party_ids))
    if len(parties) < 2:
        raise ValidationFailed({"party_ids": "Select at least 2 different organisations"})
    if agreement_in.valid_to is not None and agreement_in.valid_to < agreement_in.valid_from:
        raise ValidationFailed({"valid_to": "The end date must be after the start date"})
    with atomic(session):
        clash = session.scalar(
            select(SharingAgreement.id).where(SharingAgreement.reference == agreement_in.reference)
        )
        if clash is not None:
            raise Conflict("An agreement with that reference already exists")
        isa = SharingAgreement(
            title=agreement_in.title,
            reference=agreement_in.reference,
            data_categories=[c.value for c in agreement_in.data_categories],
            purposes=[p.value for p in agreement_in.purposes],
            lawful_bases=[b.value for b in agreement_in.lawful_bases],
            known_to_allowed=agreement_in.known_to_allowed,
            valid_from=agreement_in.valid_from,
            valid_to=agreement_in.valid_to,
            review_date=agreement_in.review_date,
            status=AgreementStatus.ACTIVE,
            created_at=clock.utc_now(),
        )
        isa.parties = [SharingAgreementParty(organisation_id=p) for p in parties]
        session.add(isa)
        session.flush()
        record(session, _event(actor, "sharing_agreement.created", isa, parties=len(parties)))
    return isa.id


def revoke(*, session: Session, actor: Actor, agreement_id: uuid.UUID) -> None:
    """Revoke an agreement: it stops applying on every user's next request (AC-5)."""
    _check(actor)
    with atomic(session):
        isa = session.get(SharingAgreement, agreement_id)
        if isa is None:
            raise NotFound()
        if isa.status is AgreementStatus.REVOKED:
            raise Conflict("This agreement is already revoked")
        isa.status = AgreementStatus.REVOKED
        isa.revoked_at = clock.utc_now()
        record(session, _event(actor, "sharing_agreement.revoked", isa))
