"""Reads of the Community Safety Agreement and the information-sharing agreements."""

from __future__ import annotations

import uuid
from datetime import date

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from joinedup.access.actor import Actor
from joinedup.agreements.models import (
    CommunitySafetyAgreement,
    Priority,
    SharingAgreement,
    SharingAgreementParty,
)
from joinedup.agreements.rules import effective_state
from joinedup.agreements.schemas import CommitmentStatus, SharingAgreementOut
from joinedup.common.clock import london, utc_now
from joinedup.common.errors import NotFound


class CommitmentView(BaseModel):
    """A partner's commitment under a priority."""

    organisation_id: uuid.UUID
    organisation_name: str
    description: str
    due_date: date
    status: CommitmentStatus
    overdue: bool


class IndicatorView(BaseModel):
    """An outcome indicator of a priority."""

    name: str
    unit: str
    baseline: float | None
    target: float | None
    direction: str


class PriorityView(BaseModel):
    """One priority with its commitments and indicators."""

    id: uuid.UUID
    title: str
    description: str
    commitments: list[CommitmentView]
    indicators: list[IndicatorView]


class AgreementView(BaseModel):
    """The Community Safety Agreement in force."""

    id: uuid.UUID
    title: str
    area: str
    period_start: date
    period_end: date
    summary: str
    signatories: list[str]
    priorities: list[PriorityView]


def _today() -> date:
    return london(utc_now()).date()


def current_agreement(session: Session, actor: Actor) -> AgreementView | None:
    """The newest Community Safety Agreement, or ``None`` if none is recorded."""
    csa = session.scalars(
        select(CommunitySafetyAgreement)
        .order_by(CommunitySafetyAgreement.period_start.desc())
        .options(
            selectinload(CommunitySafetyAgreement.signatories),
            selectinload(CommunitySafetyAgreement.priorities).selectinload(Priority.commitments),
            selectinload(CommunitySafetyAgreement.priorities).selectinload(Priority.indicators),
        )
    ).first()
    if csa is None:
        return None
    today = _today()
    priorities = [
        PriorityView(
            id=p.id,
            title=p.title,
            description=p.description,
            commitments=[
                CommitmentView(
                    organisation_id=c.organisation_id,
                    organisation_name=c.organisation.name,
                    description=c.description,
                    due_date=c.due_date,
                    status=c.status,
                    overdue=c.due_date < today and c.status is not CommitmentStatus.DONE,
                )
                for c in p.commitments
            ],
            indicators=[
                IndicatorView.model_validate(i, from_attributes=True) for i in p.indicators
            ],
        )
        for p in csa.priorities
    ]
    return AgreementView(
        id=csa.id,
        title=csa.title,
        area=csa.area,
        period_start=csa.period_start,
        period_end=csa.period_end,
        summary=csa.summary,
        signatories=sorted(s.organisation.name for s in csa.signatories),
        priorities=priorities,
    )


def commitments_of(session: Session, actor: Actor) -> list[tuple[str, CommitmentView]]:
    """The actor's organisation's commitments under the current agreement, soonest due first."""
    agreement = current_agreement(session, actor)
    if agreement is None:
        return []
    mine = [
        (p.title, c)
        for p in agreement.priorities
        for c in p.commitments
        if c.organisation_id == actor.organisation_id
    ]
    return sorted(mine, key=lambda pair: pair[1].due_date)


def _sharing_out(isa: SharingAgreement, today: date) -> SharingAgreementOut:
    return SharingAgreementOut(
        id=isa.id,
        title=isa.title,
        reference=isa.reference,
        data_categories=isa.data_categories,
        purposes=isa.purposes,
        lawful_bases=isa.lawful_bases,
        known_to_allowed=isa.known_to_allowed,
        valid_from=isa.valid_from,
        valid_to=isa.valid_to,
        review_date=isa.review_date,
        status=effective_state(isa.status, isa.valid_from, isa.valid_to, today),
        party_names=sorted(p.organisation.name for p in isa.parties),
    )


def list_sharing_agreements(session: Session, actor: Actor) -> list[SharingAgreementOut]:
    """Every information-sharing agreement with its parties and its state today."""
    stmt = (
        select(SharingAgreement)
        .options(
            selectinload(SharingAgreement.parties).selectinload(SharingAgreementParty.organisation)
        )
        .order_by(SharingAgreement.reference)
    )
    today = _today()
    return [_sharing_out(isa, today) for isa in session.scalars(stmt)]


def get_sharing_agreement(
    session: Session, actor: Actor, agreement_id: uuid.UUID
) -> SharingAgreementOut:
    """One information-sharing agreement."""
    isa = session.get(SharingAgreement, agreement_id)
    if isa is None:
        raise NotFound()
    return _sharing_out(isa, _today())
