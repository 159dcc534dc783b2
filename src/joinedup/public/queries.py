"""Reads of the public portal: the lead agency, the lead agency's ASB Case Review work list and
detail (the detail read is audited as consultation), and the public status look-up.

The pages and ``/api/v1/asb-case-reviews`` call the same functions. An application is visible
only to the practitioners, supervisors and coordinators of the organisation it was made to;
everyone else gets the same 404 as for an unknown id (AC-1, AC-3).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from joinedup.access.actor import Actor
from joinedup.audit.events import AuditEvent
from joinedup.audit.service import record
from joinedup.common import clock as clock_module
from joinedup.common.errors import NotFound
from joinedup.config import Settings
from joinedup.db import atomic
from joinedup.partners.models import Organisation
from joinedup.partners.schemas import OrgKind, Role
from joinedup.public import rules
from joinedup.public.errors import NoLeadAgency
from joinedup.public.models import AsbCaseReview, PublicConcern
from joinedup.public.schemas import (
    Clock,
    ConcernKind,
    ConcernOut,
    ReviewDetail,
    ReviewIncidentOut,
    ReviewStatus,
    ReviewSummary,
)

STAFF_ROLES = frozenset({Role.PRACTITIONER, Role.SUPERVISOR, Role.COORDINATOR})
COUNCIL_KINDS = (OrgKind.DISTRICT_COUNCIL, OrgKind.COUNTY_COUNCIL)
CONCERNS_SHOWN = 200


@dataclass(frozen=True, slots=True)
class Lead:
    """The organisation that receives public reports and ASB Case Review applications."""

    id: uuid.UUID
    name: str


def lead_organisation(session: Session, settings: Settings) -> Lead:
    """The organisation named by ``JOINEDUP_ASB_CASE_REVIEW_LEAD``, or else the first council
    in the directory (district and borough councils before the county, then by name)."""
    stmt = select(Organisation.id, Organisation.name).where(Organisation.active.is_(True))
    if settings.asb_case_review_lead:
        row = session.execute(
            stmt.where(Organisation.name == settings.asb_case_review_lead)
        ).first()
    else:
        row = None
        for kind in COUNCIL_KINDS:
            row = session.execute(
                stmt.where(Organisation.kind == kind).order_by(Organisation.name).limit(1)
            ).first()
            if row is not None:
                break
    if row is None:
        raise NoLeadAgency()
    return Lead(id=row[0], name=row[1])


def clock_settings(settings: Settings) -> rules.ClockSettings:
    """The statutory clocks and threshold from the settings."""
    return rules.ClockSettings(
        acknowledge_days=settings.asb_case_review_acknowledge_days,
        decision_days=settings.asb_case_review_decision_days,
        meeting_days=settings.asb_case_review_meeting_days,
        threshold=settings.asb_case_review_threshold,
        threshold_months=settings.asb_case_review_threshold_months,
    )


def today() -> date:
    """Today in England."""
    return clock_module.london(clock_module.utc_now()).date()


def received_on(review: AsbCaseReview) -> date:
    """The day (in England) the application was received."""
    return clock_module.london(review.received_at).date()


def may_work_on_reviews(session: Session, actor: Actor, settings: Settings) -> bool:
    """Staff of the lead agency (or of an organisation still holding applications)."""
    if actor.role not in STAFF_ROLES:
        return False
    try:
        if lead_organisation(session, settings).id == actor.organisation_id:
            return True
    except NoLeadAgency:
        pass
    held = select(AsbCaseReview.id).where(
        AsbCaseReview.lead_organisation_id == actor.organisation_id
    )
    return session.scalar(held.limit(1)) is not None


def clocks_of(review: AsbCaseReview, on: date) -> list[Clock]:
    """The statutory clocks of an application as they stand ``on`` a day."""
    clocks = [
        rules.clock("Acknowledge", review.acknowledge_due, review.acknowledged_at, on),
        rules.clock("Threshold decision", review.decision_due, review.decided_at, on),
    ]
    if review.threshold_met and review.meeting_due is not None:
        clocks.append(rules.clock("Review meeting", review.meeting_due, review.outcome_at, on))
    return clocks


def list_reviews(session: Session, actor: Actor, settings: Settings) -> list[ReviewSummary]:
    """The applications made to the actor's organisation, open ones first, oldest first."""
    if not may_work_on_reviews(session, actor, settings):
        raise NotFound()
    stmt = (
        select(AsbCaseReview)
        .where(AsbCaseReview.lead_organisation_id == actor.organisation_id)
        .order_by(AsbCaseReview.received_at, AsbCaseReview.id)
    )
    on = today()
    found = [
        ReviewSummary(
            id=r.id,
            reference=r.reference,
            status=r.status,
            received_at=r.received_at,
            next_step=rules.next_step(clocks_of(r, on)),
        )
        for r in session.scalars(stmt)
    ]
    closed = (ReviewStatus.COMPLETED, ReviewStatus.THRESHOLD_NOT_MET)
    return sorted(found, key=lambda s: s.status in closed)


def get_review(session: Session, actor: Actor, review_id: uuid.UUID) -> AsbCaseReview:
    """The application if it was made to the actor's organisation and the actor's role may
    work on it; otherwise ``NotFound`` (unknown and forbidden alike)."""
    if actor.role not in STAFF_ROLES:
        raise NotFound()
    review = session.scalars(
        select(AsbCaseReview).where(
            AsbCaseReview.id == review_id,
            AsbCaseReview.lead_organisation_id == actor.organisation_id,
        )
    ).first()
    if review is None:
        raise NotFound()
    return review


def detail_of(review: AsbCaseReview, settings: Settings) -> ReviewDetail:
    """The lead agency's view of an application (no audit: callers record the read)."""
    cfg = clock_settings(settings)
    received = received_on(review)
    dates = [i.occurred_on for i in review.incidents]
    counted = rules.incidents_in_window(dates, received, cfg.threshold_months)
    return ReviewDetail(
        id=review.id,
        reference=review.reference,
        status=review.status,
        lead_organisation_id=review.lead_organisation_id,
        applicant_name=review.applicant_name,
        applicant_email=review.applicant_email,
        applicant_phone=review.applicant_phone,
        on_behalf=review.on_behalf,
        victim_name=review.victim_name,
        consent_confirmed=review.consent_confirmed,
        impact=review.impact,
        received_at=review.received_at,
        incidents=[
            ReviewIncidentOut(
                occurred_on=i.occurred_on,
                what_happened=i.what_happened,
                reported_to=i.reported_to,
                other_body=i.other_body,
                body_reference=i.body_reference,
                in_window=rules.in_window(i.occurred_on, received, cfg.threshold_months),
            )
            for i in review.incidents
        ],
        incidents_in_window=counted,
        threshold=cfg.threshold,
        threshold_months=cfg.threshold_months,
        meets_threshold=counted >= cfg.threshold,
        clocks=clocks_of(review, today()),
        acknowledged_at=review.acknowledged_at,
        decided_at=review.decided_at,
        threshold_met=review.threshold_met,
        decision_reason=review.decision_reason,
        meeting_on=review.meeting_on,
        outcome_at=review.outcome_at,
        outcome=review.outcome,
        recommendations=review.recommendations,
    )


def review_detail(
    session: Session, actor: Actor, review_id: uuid.UUID, settings: Settings
) -> ReviewDetail:
    """One application with its incidents and clocks; the read is audited (consultation)."""
    with atomic(session):
        review = get_review(session, actor, review_id)
        result = detail_of(review, settings)
        record(
            session,
            AuditEvent(
                name="asb_case_review.viewed",
                actor_user_id=actor.user_id,
                actor_organisation_id=actor.organisation_id,
                actor_role=actor.role.value,
                record_type="asb_case_review",
                record_id=str(review.id),
                record_organisation_id=review.lead_organisation_id,
                purpose="asb_case_review",
            ),
        )
    return result


def list_concerns(session: Session, actor: Actor, settings: Settings) -> list[ConcernOut]:
    """Concerns the public reported to the actor's organisation, newest first, with the
    reporter's contact details; the read is audited (consultation)."""
    if not may_work_on_reviews(session, actor, settings):
        raise NotFound()
    with atomic(session):
        stmt = (
            select(PublicConcern)
            .where(PublicConcern.lead_organisation_id == actor.organisation_id)
            .order_by(PublicConcern.received_at.desc(), PublicConcern.id)
            .limit(CONCERNS_SHOWN)
        )
        found = [
            ConcernOut(
                reference=c.reference,
                received_at=c.received_at,
                kind=ConcernKind(c.category),
                incident_id=c.incident_id,
                contact_name=c.contact_name,
                contact_email=c.contact_email,
                contact_phone=c.contact_phone,
            )
            for c in session.scalars(stmt)
        ]
        record(
            session,
            AuditEvent(
                name="public.concerns_viewed",
                actor_user_id=actor.user_id,
                actor_organisation_id=actor.organisation_id,
                actor_role=actor.role.value,
                record_type="public_concern",
                record_organisation_id=actor.organisation_id,
                details={"shown": len(found)},
            ),
        )
    return found


def review_by_reference(session: Session, reference: str) -> AsbCaseReview | None:
    """The application with this tracking reference (for the status check only)."""
    stmt = select(AsbCaseReview).where(AsbCaseReview.reference == reference)
    return session.scalars(stmt).first()


def concern_by_reference(session: Session, reference: str) -> PublicConcern | None:
    """The concern with this tracking reference (for the status check only)."""
    stmt = select(PublicConcern).where(PublicConcern.reference == reference)
    return session.scalars(stmt).first()


def organisation_name(session: Session, organisation_id: uuid.UUID) -> str:
    """An organisation's name (the directory is public within the partnership)."""
    return session.scalar(select(Organisation.name).where(Organisation.id == organisation_id)) or ""
