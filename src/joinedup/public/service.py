"""Commands of the public portal: report a concern, apply for an ASB Case Review, check the
status (throttled), and the lead agency's steps on an application. One action, one
transaction, with its audit event inside (AUD-5)."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from joinedup.access.actor import Actor
from joinedup.access.context import rows_beyond_reach
from joinedup.audit.events import AuditEvent
from joinedup.audit.service import record
from joinedup.common import clock as clock_module
from joinedup.common.errors import Conflict, ValidationFailed
from joinedup.config import Settings
from joinedup.db import apply_row_security, atomic
from joinedup.public import incident_intake, queries, rules
from joinedup.public.errors import StatusThrottled, SubmissionsThrottled
from joinedup.public.models import (
    AsbCaseReview,
    AsbCaseReviewIncident,
    PublicConcern,
    PublicRateEvent,
)
from joinedup.public.schemas import (
    Applying,
    ConcernIn,
    DecisionIn,
    MeetingIn,
    OutcomeIn,
    PublicStatus,
    Receipt,
    ReviewApplicationIn,
    ReviewStatus,
    StatusIn,
)

log = logging.getLogger("joinedup.public")

SUBMISSION = "submission"
STATUS_FAILED = "status_failed"
SUBMISSION_WINDOW_SECONDS = 3600
_REFERENCE_TRIES = 5


# --- throttles -------------------------------------------------------------------------------


def client_digest(settings: Settings, client: str) -> str:
    """The keyed digest a client address is counted under (the address is never stored)."""
    return rules.keyed_digest(settings.secret_key, "client", client)


def _reference_digest(settings: Settings, reference: str) -> str:
    return rules.keyed_digest(settings.secret_key, "reference", reference)


def _count(session: Session, kind: str, since: datetime, key: ColumnElement[bool]) -> int:
    stmt = (
        select(func.count())
        .select_from(PublicRateEvent)
        .where(PublicRateEvent.kind == kind, PublicRateEvent.at >= since, key)
    )
    return int(session.scalar(stmt) or 0)


def _check_submission_rate(
    session: Session, settings: Settings, digest: str, now: datetime
) -> None:
    since = now - timedelta(seconds=SUBMISSION_WINDOW_SECONDS)
    used = _count(session, SUBMISSION, since, PublicRateEvent.client_digest == digest)
    if used < settings.public_submissions_per_hour:
        return
    with atomic(session):
        record(
            session,
            AuditEvent(
                name="public.submission_throttled",
                actor_role="public",
                details={"client_digest": digest[:16], "limit": "submissions_per_hour"},
            ),
        )
    log.warning("public submission throttled")
    raise SubmissionsThrottled(SUBMISSION_WINDOW_SECONDS)


def _count_submission(session: Session, digest: str, now: datetime) -> None:
    session.add(PublicRateEvent(kind=SUBMISSION, client_digest=digest, at=now))


@contextmanager
def _acting_for(session: Session, organisation_id: uuid.UUID) -> Iterator[None]:
    """Row security (PostgreSQL) for an anonymous submission: it writes the lead agency's
    rows and nothing else, as the lead agency's own intake would."""
    values = session.info.get("row_security")
    if values:
        own = str(organisation_id)
        apply_row_security(
            session, {**values, "joinedup.actor_org": own, "joinedup.readable_orgs": own}
        )
    try:
        yield
    finally:
        if values:
            apply_row_security(session, values)


def _unique_reference(session: Session, prefix: str) -> str:
    for _ in range(_REFERENCE_TRIES):
        candidate = rules.new_reference(prefix)
        taken = queries.concern_by_reference(session, candidate) or queries.review_by_reference(
            session, candidate
        )
        if taken is None:
            return candidate
    raise Conflict("Please try again")  # pragma: no cover - 27^8 references


# --- submissions -----------------------------------------------------------------------------


def concern_problems(concern_in: ConcernIn, now: datetime) -> dict[str, str]:
    """Checks beyond the field shapes: postcode, date, contact details."""
    errors: dict[str, str] = {}
    if concern_in.postcode and not rules.is_postcode(concern_in.postcode):
        errors["postcode"] = "Enter a real postcode, like GU1 4LH, or leave it blank"
    if concern_in.occurred_on > clock_module.london(now).date():
        errors["occurred"] = "The date it happened must be today or in the past"
    if concern_in.contact_email and not rules.is_email(concern_in.contact_email):
        errors["contact_email"] = (
            "Enter an email address in the correct format, like name@example.com"
        )
    if concern_in.contact_phone and not rules.is_phone(concern_in.contact_phone):
        errors["contact_phone"] = "Enter a phone number, like 01632 960 001 or 07700 900 982"
    return errors


def application_problems(app_in: ReviewApplicationIn, now: datetime) -> dict[str, str]:
    """Checks beyond the field shapes: contact, consent, incident dates and bodies."""
    errors: dict[str, str] = {}
    if not app_in.applicant_email and not app_in.applicant_phone:
        errors["applicant_email"] = "Enter an email address or a phone number so we can reply"
    if app_in.applicant_email and not rules.is_email(app_in.applicant_email):
        errors["applicant_email"] = (
            "Enter an email address in the correct format, like name@example.com"
        )
    if app_in.applicant_phone and not rules.is_phone(app_in.applicant_phone):
        errors["applicant_phone"] = "Enter a phone number, like 01632 960 001 or 07700 900 982"
    if app_in.applying is Applying.OTHER:
        if len(app_in.victim_name) < 2:
            errors["victim_name"] = "Enter the name of the person you are applying for"
        if not app_in.consent:
            errors["consent"] = "Confirm that the person agrees to you applying for them"
    today = clock_module.london(now).date()
    for index, incident in enumerate(app_in.incidents):
        if incident.occurred_on > today:
            errors[f"incidents-{index}-occurred"] = "The date must be today or in the past"
        if incident.reported_to.value == "other" and not incident.other_body:
            errors[f"incidents-{index}-other_body"] = "Enter who you reported it to"
    return errors


def _receipt_event(
    name: str,
    record_type: str,
    record_id: uuid.UUID,
    lead: uuid.UUID,
    **details: str | int | bool | None,
) -> AuditEvent:
    return AuditEvent(
        name=name,
        actor_role="public",
        record_type=record_type,
        record_id=str(record_id),
        record_organisation_id=lead,
        details=dict(details),
    )


def submit_concern(
    *, session: Session, settings: Settings, concern_in: ConcernIn, client: str
) -> Receipt:
    """Record the concern as an incident of the lead agency (source: public) and return the
    tracking reference and the secret code, shown once (only the code's digest is kept)."""
    now = clock_module.utc_now()
    problems = concern_problems(concern_in, now)
    if problems:
        raise ValidationFailed(problems)
    digest = client_digest(settings, client)
    _check_submission_rate(session, settings, digest, now)
    lead = queries.lead_organisation(session, settings)
    secret = rules.new_secret()
    with atomic(session), _acting_for(session, lead.id):
        reference = _unique_reference(session, rules.CONCERN_PREFIX)
        incident_id = incident_intake.create_incident(
            session,
            organisation_id=lead.id,
            reference=reference,
            category=concern_in.kind.value,
            occurred_on=concern_in.occurred_on,
            place=concern_in.place,
            postcode=concern_in.postcode,
            narrative=concern_in.description,
            now=now,
        )
        concern = PublicConcern(
            reference=reference,
            secret_digest=rules.secret_digest(secret),
            lead_organisation_id=lead.id,
            incident_id=incident_id,
            category=concern_in.kind.value,
            contact_name=concern_in.contact_name,
            contact_email=concern_in.contact_email,
            contact_phone=concern_in.contact_phone,
            received_at=now,
        )
        session.add(concern)
        _count_submission(session, digest, now)
        session.flush()
        record(
            session,
            _receipt_event(
                "public.concern_received",
                "incident",
                incident_id,
                lead.id,
                category=concern_in.kind.value,
                contact_given=bool(concern_in.contact_email or concern_in.contact_phone),
            ),
        )
    log.info("public concern received")
    return Receipt(reference=reference, secret=secret)


def apply_for_review(
    *, session: Session, settings: Settings, application_in: ReviewApplicationIn, client: str
) -> Receipt:
    """Record an ASB Case Review application for the lead agency, with its statutory clocks."""
    now = clock_module.utc_now()
    problems = application_problems(application_in, now)
    if problems:
        raise ValidationFailed(problems)
    digest = client_digest(settings, client)
    _check_submission_rate(session, settings, digest, now)
    lead = queries.lead_organisation(session, settings)
    cfg = queries.clock_settings(settings)
    received = clock_module.london(now).date()
    secret = rules.new_secret()
    on_behalf = application_in.applying is Applying.OTHER
    with atomic(session), _acting_for(session, lead.id):
        reference = _unique_reference(session, rules.REVIEW_PREFIX)
        review = AsbCaseReview(
            reference=reference,
            secret_digest=rules.secret_digest(secret),
            lead_organisation_id=lead.id,
            status=ReviewStatus.RECEIVED,
            applicant_name=application_in.applicant_name,
            applicant_email=application_in.applicant_email,
            applicant_phone=application_in.applicant_phone,
            on_behalf=on_behalf,
            victim_name=application_in.victim_name if on_behalf else "",
            consent_confirmed=on_behalf and application_in.consent,
            impact=application_in.impact,
            received_at=now,
            updated_at=now,
            acknowledge_due=rules.acknowledge_due(received, cfg),
            decision_due=rules.decision_due(received, cfg),
        )
        review.incidents = [
            AsbCaseReviewIncident(
                lead_organisation_id=lead.id,
                position=index,
                occurred_on=item.occurred_on,
                what_happened=item.what_happened,
                reported_to=item.reported_to,
                other_body=item.other_body if item.reported_to.value == "other" else "",
                body_reference=item.body_reference,
            )
            for index, item in enumerate(application_in.incidents)
        ]
        session.add(review)
        _count_submission(session, digest, now)
        session.flush()
        counted = rules.incidents_in_window(
            [i.occurred_on for i in application_in.incidents], received, cfg.threshold_months
        )
        record(
            session,
            _receipt_event(
                "asb_case_review.received",
                "asb_case_review",
                review.id,
                lead.id,
                incidents=len(application_in.incidents),
                incidents_in_window=counted,
                on_behalf=on_behalf,
            ),
        )
    log.info("asb case review application received")
    return Receipt(reference=reference, secret=secret)


def discard_bot_submission(
    *, session: Session, settings: Settings, client: str, prefix: str = rules.CONCERN_PREFIX
) -> Receipt:
    """A filled honeypot: answer like a real submission but store nothing of it. Only the
    rate-limit counter (a keyed digest of the address and the time) is kept, so a bot is
    throttled like anyone else."""
    now = clock_module.utc_now()
    digest = client_digest(settings, client)
    _check_submission_rate(session, settings, digest, now)
    with atomic(session):
        _count_submission(session, digest, now)
    log.info("public submission discarded (honeypot)")
    return Receipt(reference=rules.new_reference(prefix), secret=rules.new_secret())


# --- status ----------------------------------------------------------------------------------


def _check_status_rate(
    session: Session, settings: Settings, digest: str, ref_digest: str, now: datetime
) -> None:
    since = now - timedelta(seconds=settings.public_status_window_seconds)
    limit = settings.public_status_attempts
    by_reference = (
        _count(session, STATUS_FAILED, since, PublicRateEvent.reference_digest == ref_digest)
        >= limit
    )
    by_client = not by_reference and (
        _count(session, STATUS_FAILED, since, PublicRateEvent.client_digest == digest) >= limit
    )
    if not (by_reference or by_client):
        return
    which = "reference" if by_reference else "client"
    with atomic(session):
        record(
            session,
            AuditEvent(
                name="public.status_throttled",
                actor_role="public",
                details={"client_digest": digest[:16], "limit": which},
            ),
        )
    log.warning("public status check throttled", extra={"limit": which})
    raise StatusThrottled(settings.public_status_window_seconds)


def _status_of_review(session: Session, review: AsbCaseReview) -> PublicStatus:
    return PublicStatus(
        kind="asb_case_review",
        reference=review.reference,
        status=rules.public_status_label(review.status),
        organisation_name=queries.organisation_name(session, review.lead_organisation_id),
        received_at=review.received_at,
        acknowledged_at=review.acknowledged_at,
        decided_at=review.decided_at,
        threshold_met=review.threshold_met,
        meeting_on=review.meeting_on,
        outcome_at=review.outcome_at,
    )


def _status_of_concern(session: Session, concern: PublicConcern) -> PublicStatus:
    name = queries.organisation_name(session, concern.lead_organisation_id)
    return PublicStatus(
        kind="concern",
        reference=concern.reference,
        status=f"Your report has been passed to {name}",
        organisation_name=name,
        received_at=concern.received_at,
    )


def check_status(
    *, session: Session, settings: Settings, status_in: StatusIn, client: str
) -> PublicStatus | None:
    """The status for the right reference and secret code; ``None`` for a wrong reference and
    for a wrong code alike (no enumeration). Failures are counted per address and per
    reference and throttled like sign-in (429)."""
    now = clock_module.utc_now()
    reference = rules.tidy_reference(status_in.reference)
    digest = client_digest(settings, client)
    ref_digest = _reference_digest(settings, reference)
    _check_status_rate(session, settings, digest, ref_digest, now)
    with atomic(session), rows_beyond_reach(session):
        # Anonymous: the look-up is by reference, and only the stage and dates leave, and only
        # when the secret code matches.
        found: AsbCaseReview | PublicConcern | None
        if reference.startswith(rules.REVIEW_PREFIX):
            found = queries.review_by_reference(session, reference)
        else:
            found = queries.concern_by_reference(session, reference)
        stored = found.secret_digest if found is not None else "0" * 64
        matches = rules.secret_matches(stored, status_in.secret) and found is not None
        if found is None or not matches:
            session.add(
                PublicRateEvent(
                    kind=STATUS_FAILED, client_digest=digest, reference_digest=ref_digest, at=now
                )
            )
            return None
        if isinstance(found, AsbCaseReview):
            result = _status_of_review(session, found)
            record_type, record_id = "asb_case_review", found.id
        else:
            result = _status_of_concern(session, found)
            record_type, record_id = "incident", found.incident_id or found.id
        record(
            session,
            AuditEvent(
                name="public.status_checked",
                actor_role="public",
                record_type=record_type,
                record_id=str(record_id),
                record_organisation_id=found.lead_organisation_id,
            ),
        )
    return result


# --- the lead agency's steps -----------------------------------------------------------------


def _step_event(
    actor: Actor, name: str, review: AsbCaseReview, **details: str | int | bool | None
) -> AuditEvent:
    return AuditEvent(
        name=name,
        actor_user_id=actor.user_id,
        actor_organisation_id=actor.organisation_id,
        actor_role=actor.role.value,
        record_type="asb_case_review",
        record_id=str(review.id),
        record_organisation_id=review.lead_organisation_id,
        purpose="asb_case_review",
        details=dict(details),
    )


def acknowledge(*, session: Session, actor: Actor, review_id: uuid.UUID) -> None:
    """Record that the application has been acknowledged to the applicant."""
    now = clock_module.utc_now()
    with atomic(session):
        review = queries.get_review(session, actor, review_id)
        if review.acknowledged_at is not None:
            raise Conflict("This application has already been acknowledged")
        review.acknowledged_at, review.acknowledged_by_id = now, actor.user_id
        if review.status is ReviewStatus.RECEIVED:
            review.status = ReviewStatus.ACKNOWLEDGED
        review.updated_at = now
        late = clock_module.london(now).date() > review.acknowledge_due
        record(session, _step_event(actor, "asb_case_review.acknowledged", review, late=late))


def decide_threshold(
    *,
    session: Session,
    actor: Actor,
    review_id: uuid.UUID,
    decision_in: DecisionIn,
    settings: Settings,
) -> None:
    """Record whether the threshold is met (a reason is required when it is not); when met,
    the review meeting's clock starts."""
    now = clock_module.utc_now()
    if not decision_in.threshold_met and len(decision_in.reason) < 5:
        raise ValidationFailed({"reason": "Enter the reason the threshold is not met"})
    with atomic(session):
        review = queries.get_review(session, actor, review_id)
        if review.acknowledged_at is None:
            raise Conflict("Acknowledge the application first")
        if review.decided_at is not None:
            raise Conflict("The threshold decision has already been recorded")
        today = clock_module.london(now).date()
        review.decided_at, review.decided_by_id = now, actor.user_id
        review.threshold_met = decision_in.threshold_met
        review.decision_reason = decision_in.reason
        review.status = rules.status_after_decision(decision_in.threshold_met)
        if decision_in.threshold_met:
            review.meeting_due = rules.meeting_due(today, queries.clock_settings(settings))
        review.updated_at = now
        record(
            session,
            _step_event(
                actor,
                "asb_case_review.threshold_decided",
                review,
                threshold_met=decision_in.threshold_met,
                late=today > review.decision_due,
            ),
        )


def schedule_meeting(
    *, session: Session, actor: Actor, review_id: uuid.UUID, meeting_in: MeetingIn
) -> None:
    """Record the date of the review meeting (threshold met; the date may be changed)."""
    now = clock_module.utc_now()
    with atomic(session):
        review = queries.get_review(session, actor, review_id)
        if not review.threshold_met or review.outcome_at is not None:
            raise Conflict("A meeting can be arranged only when the threshold is met")
        if meeting_in.meeting_on < clock_module.london(now).date():
            raise ValidationFailed({"meeting_on": "The meeting date must be today or later"})
        review.meeting_on, review.meeting_scheduled_at = meeting_in.meeting_on, now
        review.status = ReviewStatus.MEETING_SCHEDULED
        review.updated_at = now
        late = review.meeting_due is not None and meeting_in.meeting_on > review.meeting_due
        record(session, _step_event(actor, "asb_case_review.meeting_scheduled", review, late=late))


def record_outcome(
    *, session: Session, actor: Actor, review_id: uuid.UUID, outcome_in: OutcomeIn
) -> None:
    """Record the review's outcome and recommendations; the application is then complete."""
    now = clock_module.utc_now()
    with atomic(session):
        review = queries.get_review(session, actor, review_id)
        if review.status is not ReviewStatus.MEETING_SCHEDULED:
            raise Conflict("Arrange the review meeting first")
        review.outcome, review.recommendations = outcome_in.outcome, outcome_in.recommendations
        review.outcome_at = now
        review.status = ReviewStatus.COMPLETED
        review.updated_at = now
        record(
            session,
            _step_event(
                actor,
                "asb_case_review.outcome_recorded",
                review,
                with_recommendations=bool(outcome_in.recommendations),
            ),
        )
