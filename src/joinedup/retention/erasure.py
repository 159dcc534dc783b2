"""The one executor that deletes rows for the retention job, in every store that holds them.

Like the demo loader, this is a data job across tables (docs/adr/0001): it deletes with Core
statements inside the caller's transaction, so an erasure and its audit events commit together.
Stores: the database (person records, incidents, involvements, access requests and grants,
purpose declarations, "known to" flags and encodings, sign-in attempts and challenges) and
export files under ``var/exports``.
There is no separate linkage index or cache yet: same-person links are computed on each read.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from pathlib import Path

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from joinedup.access.models import AccessGrant, AccessRequest, PurposeDeclaration
from joinedup.auth.models import LoginAttempt, SignInChallenge
from joinedup.incidents.models import IdempotentRequest, Incident, Involvement
from joinedup.linkage.entities import (
    BlockKey,
    EntityMember,
    LinkagePending,
    LinkReview,
    PersonEntity,
)
from joinedup.linkage.pprl_models import PprlEncoding, PprlFlag
from joinedup.oversight.models import ReviewItem
from joinedup.people.models import PersonRecord


def _count(session: Session, stmt: object) -> int:
    return int(getattr(session.execute(stmt), "rowcount", 0) or 0)  # type: ignore[call-overload]


def erase_incident(session: Session, incident_id: uuid.UUID) -> dict[str, int]:
    """Delete an incident and the involvements in it."""
    involvements = _count(
        session, delete(Involvement).where(Involvement.incident_id == incident_id)
    )
    _count(session, delete(Incident).where(Incident.id == incident_id))
    return {"involvements": involvements}


def erase_person(session: Session, person_id: uuid.UUID) -> dict[str, int]:
    """Delete a person record with its involvements, access requests, grants and purposes."""
    grants = select(AccessGrant.id).where(AccessGrant.person_record_id == person_id)
    # A review item outlives the grant it was about: keep the item, drop the link.
    session.execute(update(ReviewItem).where(ReviewItem.grant_id.in_(grants)).values(grant_id=None))
    counts = {
        "involvements": _count(
            session, delete(Involvement).where(Involvement.person_record_id == person_id)
        ),
        "access_grants": _count(
            session, delete(AccessGrant).where(AccessGrant.person_record_id == person_id)
        ),
        "access_requests": _count(
            session, delete(AccessRequest).where(AccessRequest.person_record_id == person_id)
        ),
        "purpose_declarations": _count(
            session,
            delete(PurposeDeclaration).where(PurposeDeclaration.record_id == person_id),
        ),
        **_erase_linkage(session, person_id),
        # Its "known to" flags and the encoding its organisation uploaded of it (docs/pprl.md).
        "pprl_flags": _count(
            session, delete(PprlFlag).where(PprlFlag.person_record_id == person_id)
        ),
        "pprl_encodings": _count(
            session, delete(PprlEncoding).where(PprlEncoding.person_record_id == person_id)
        ),
    }
    _count(session, delete(PersonRecord).where(PersonRecord.id == person_id))
    return counts


def _erase_linkage(session: Session, person_id: uuid.UUID) -> dict[str, int]:
    """The record's blocking keys, pairs for review and its place in an entity; an entity left
    with no records goes too (decisions keep only record ids, no personal data)."""
    entity = session.scalar(
        select(EntityMember.entity_id).where(EntityMember.person_record_id == person_id)
    )
    counts = {
        "linkage_keys": _count(
            session, delete(BlockKey).where(BlockKey.person_record_id == person_id)
        ),
        "linkage_reviews": _count(
            session,
            delete(LinkReview).where(
                (LinkReview.record_a_id == person_id) | (LinkReview.record_b_id == person_id)
            ),
        ),
    }
    session.execute(delete(LinkagePending).where(LinkagePending.person_record_id == person_id))
    session.execute(delete(EntityMember).where(EntityMember.person_record_id == person_id))
    if entity is not None:
        left = select(EntityMember.person_record_id).where(EntityMember.entity_id == entity)
        if session.scalar(left.limit(1)) is None:
            session.execute(delete(PersonEntity).where(PersonEntity.id == entity))
    return counts


def purge_auth(session: Session, attempts_before: datetime) -> dict[str, int]:
    """Delete sign-in attempts and sign-in challenges older than the cutoff."""
    return {
        "login_attempts": _count(
            session, delete(LoginAttempt).where(LoginAttempt.at < attempts_before)
        ),
        "sign_in_challenges": _count(
            session, delete(SignInChallenge).where(SignInChallenge.created_at < attempts_before)
        ),
    }


def purge_purposes(session: Session, expired_before: datetime) -> int:
    """Delete purpose declarations that expired before the cutoff (the ledger keeps purposes)."""
    stmt = delete(PurposeDeclaration).where(PurposeDeclaration.expires_at < expired_before)
    return _count(session, stmt)


def purge_idempotency_keys(session: Session, created_before: datetime) -> int:
    """Delete stored API answers kept for ``Idempotency-Key`` retries older than the cutoff."""
    stmt = delete(IdempotentRequest).where(IdempotentRequest.created_at < created_before)
    return _count(session, stmt)


def purge_exports(directory: Path, older_than: datetime, *, dry_run: bool = False) -> int:
    """Delete export files under ``directory`` last written before the cutoff."""
    if not directory.is_dir():
        return 0
    removed = 0
    for path in sorted(directory.rglob("*")):
        if path.is_file() and not path.is_symlink():
            if path.stat().st_mtime < older_than.timestamp():
                if not dry_run:
                    path.unlink()
                removed += 1
    return removed
