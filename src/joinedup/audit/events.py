"""Audit operations and the typed event written to the ledger.

Operations follow the Data Protection Act 2018 Part 3 s62 list (collection, alteration,
consultation, disclosure, combination, erasure) plus the service's own security events.
Every event name is documented in ``docs/events.md``; a test fails when one is missing.
"""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass, field


class Operation(enum.StrEnum):
    """What kind of processing an audit event records."""

    COLLECTION = "collection"
    ALTERATION = "alteration"
    CONSULTATION = "consultation"
    DISCLOSURE = "disclosure"
    COMBINATION = "combination"
    ERASURE = "erasure"
    AUTHENTICATION = "authentication"
    AUTHORISATION = "authorisation"
    ADMINISTRATION = "administration"


EVENT_NAMES: dict[str, Operation] = {
    "person.created": Operation.COLLECTION,
    "person.updated": Operation.ALTERATION,
    "person.viewed": Operation.CONSULTATION,
    "incident.viewed": Operation.CONSULTATION,
    "person.address_revealed": Operation.CONSULTATION,
    "sharing.signpost_shown": Operation.CONSULTATION,
    "sharing.access_requested": Operation.ADMINISTRATION,
    "sharing.access_approved": Operation.DISCLOSURE,
    "sharing.access_declined": Operation.ADMINISTRATION,
    "sharing_agreement.created": Operation.ADMINISTRATION,
    "sharing_agreement.revoked": Operation.ADMINISTRATION,
    "incidents.imported": Operation.COLLECTION,
    "incident.created": Operation.COLLECTION,
    "incident.involvement_added": Operation.COLLECTION,
    "demo.loaded": Operation.COLLECTION,
    "auth.login_succeeded": Operation.AUTHENTICATION,
    "auth.login_failed": Operation.AUTHENTICATION,
    "auth.login_throttled": Operation.AUTHENTICATION,
    "auth.logged_out": Operation.AUTHENTICATION,
    "auth.api_token_created": Operation.AUTHENTICATION,
    "auth.api_token_revoked": Operation.AUTHENTICATION,
    "auth.session_expired": Operation.AUTHENTICATION,
    "auth.sessions_ended": Operation.AUTHENTICATION,
    "auth.totp_failed": Operation.AUTHENTICATION,
    "auth.reauthenticated": Operation.AUTHENTICATION,
    "access.denied": Operation.AUTHORISATION,
    "audit.record_log_viewed": Operation.CONSULTATION,
    "audit.report_viewed": Operation.CONSULTATION,
    "audit.report_exported": Operation.DISCLOSURE,
    "access.break_glass": Operation.AUTHORISATION,
    "review.closed": Operation.ADMINISTRATION,
    "review.raised": Operation.ADMINISTRATION,
    "sar.created": Operation.ADMINISTRATION,
    "sar.pack_generated": Operation.DISCLOSURE,
    "sar.completed": Operation.ADMINISTRATION,
    "record.erased": Operation.ERASURE,
    "retention.kept": Operation.ADMINISTRATION,
    "retention.flagged": Operation.ADMINISTRATION,
    "retention.purged": Operation.ERASURE,
    "organisation.created": Operation.ADMINISTRATION,
    "organisation.updated": Operation.ADMINISTRATION,
    "team.created": Operation.ADMINISTRATION,
    "user.created": Operation.ADMINISTRATION,
    "user.updated": Operation.ADMINISTRATION,
    "user.deactivated": Operation.ADMINISTRATION,
    "public.concern_received": Operation.COLLECTION,
    "public.concerns_viewed": Operation.CONSULTATION,
    "public.status_checked": Operation.CONSULTATION,
    "public.status_throttled": Operation.AUTHORISATION,
    "public.submission_throttled": Operation.AUTHORISATION,
    "asb_case_review.received": Operation.COLLECTION,
    "asb_case_review.viewed": Operation.CONSULTATION,
    "asb_case_review.acknowledged": Operation.ALTERATION,
    "asb_case_review.threshold_decided": Operation.ALTERATION,
    "asb_case_review.meeting_scheduled": Operation.ALTERATION,
    "asb_case_review.outcome_recorded": Operation.ALTERATION,
    "linkage.record_linked": Operation.COMBINATION,
    "linkage.records_merged": Operation.COMBINATION,
    "linkage.records_unmerged": Operation.COMBINATION,
    "linkage.review_rejected": Operation.ADMINISTRATION,
    "linkage.review_viewed": Operation.CONSULTATION,
    "linkage.run_completed": Operation.ADMINISTRATION,
    "linkage.model_activated": Operation.ADMINISTRATION,
    "pprl.encodings_uploaded": Operation.COLLECTION,
    "pprl.matched": Operation.COMBINATION,
}


@dataclass(frozen=True, slots=True)
class AuditEvent:
    """One audit event. ``details`` holds ids and counts only, never personal values (AUD-4)."""

    name: str
    actor_user_id: uuid.UUID | None = None
    actor_organisation_id: uuid.UUID | None = None
    actor_role: str = ""
    record_type: str = ""
    record_id: str = ""
    record_organisation_id: uuid.UUID | None = None
    purpose: str = ""
    justification: str = ""
    recipient_organisation_id: uuid.UUID | None = None
    recipient_person: str = ""
    details: dict[str, str | int | bool | None] = field(default_factory=dict)

    @property
    def operation(self) -> Operation:
        """The operation this event's name belongs to."""
        return EVENT_NAMES[self.name]
