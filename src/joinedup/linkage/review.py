"""The review queue and reversible merges (LNK-1): a person decides what matching could not.

A reviewer (a supervisor, partnership coordinator or information-governance lead) sees a pair
only when they may see both records under the case-coordination purpose, and each record only
as far as they may see it (``people.queries.person_out`` masks the rest). Opening a pair is a
consultation of both records; accepting merges the two records' entities (combination); an
accepted or automatic link can be undone (unmerge, combination), after which the pair counts
as "not the same person" and is never joined automatically again. None of this changes what
anyone may read: access is decided per record, never per entity, and a person's role in an
incident comes from the incident alone.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from joinedup.access.actor import Actor
from joinedup.access.context import AccessContext, load_context
from joinedup.access.scope import visible_person_records
from joinedup.agreements.schemas import Purpose
from joinedup.audit.events import AuditEvent
from joinedup.audit.service import record_many
from joinedup.common.clock import utc_now
from joinedup.common.errors import Conflict, Forbidden, NotFound
from joinedup.common.ids import new_id
from joinedup.db import atomic
from joinedup.linkage.entities import (
    DecisionKind,
    EntityMember,
    JoinedBy,
    LinkDecision,
    LinkReview,
    PersonEntity,
    ReviewStatus,
)
from joinedup.linkage.realtime import ordered
from joinedup.partners.models import Organisation
from joinedup.partners.schemas import Role
from joinedup.people.models import PersonRecord
from joinedup.people.queries import person_out
from joinedup.people.schemas import PersonOut

REVIEW_ROLES = frozenset({Role.SUPERVISOR, Role.COORDINATOR, Role.IG_LEAD})
REVIEW_PURPOSE = Purpose.CASE_COORDINATION
QUEUE_SCAN = 2000


def may_review(actor: Actor) -> bool:
    """Whether the actor's role reviews links at all (each pair is still checked)."""
    return actor.role in REVIEW_ROLES


def _context(session: Session, actor: Actor) -> AccessContext:
    if not may_review(actor):
        raise Forbidden()
    return load_context(session, actor, REVIEW_PURPOSE.value)


def _visible(session: Session, ctx: AccessContext, ids: set[uuid.UUID]) -> set[uuid.UUID]:
    if not ids:
        return set()
    stmt = visible_person_records(select(PersonRecord.id).where(PersonRecord.id.in_(ids)), ctx)
    return set(session.scalars(stmt))


@dataclass(frozen=True, slots=True)
class QueueItem:
    """A pair waiting for review, as listed."""

    id: uuid.UUID
    match_probability: float
    reason: str
    status: ReviewStatus


@dataclass(frozen=True, slots=True)
class Side:
    """One record of a pair, masked to what the reviewer may see."""

    person: PersonOut
    organisation_name: str
    entity_size: int


@dataclass(frozen=True, slots=True)
class PairView:
    """A pair side by side with the evidence for and against."""

    review: LinkReview
    left: Side
    right: Side
    evidence: list[dict[str, Any]]


def queue(
    session: Session, actor: Actor, status: ReviewStatus = ReviewStatus.PENDING, limit: int = 50
) -> list[QueueItem]:
    """Pairs in ``status`` whose two records the actor may see, most likely first."""
    ctx = _context(session, actor)
    rows = session.execute(
        select(
            LinkReview.id,
            LinkReview.record_a_id,
            LinkReview.record_b_id,
            LinkReview.match_probability,
            LinkReview.reason,
            LinkReview.status,
        )
        .where(LinkReview.status == status)
        .order_by(LinkReview.match_probability.desc(), LinkReview.id)
        .limit(QUEUE_SCAN)
    ).all()
    visible = _visible(session, ctx, {r.record_a_id for r in rows} | {r.record_b_id for r in rows})
    return [
        QueueItem(r.id, r.match_probability, r.reason, r.status)
        for r in rows
        if r.record_a_id in visible and r.record_b_id in visible
    ][:limit]


def _pair(
    session: Session, ctx: AccessContext, review_id: uuid.UUID
) -> tuple[LinkReview, PersonRecord, PersonRecord]:
    review = session.get(LinkReview, review_id)
    if review is None:
        raise NotFound()
    ids = {review.record_a_id, review.record_b_id}
    if _visible(session, ctx, ids) != ids:
        raise NotFound()  # a pair the reviewer may not see does not exist for them
    a = session.get(PersonRecord, review.record_a_id)
    b = session.get(PersonRecord, review.record_b_id)
    assert a is not None and b is not None
    return review, a, b


def _entity_size(session: Session, record_id: uuid.UUID) -> int:
    entity = select(EntityMember.entity_id).where(EntityMember.person_record_id == record_id)
    return int(
        session.scalar(
            select(func.count()).where(EntityMember.entity_id == entity.scalar_subquery())
        )
        or 1
    )


def _event(
    ctx: AccessContext, name: str, person: PersonRecord, details: dict[str, str | int | None]
) -> AuditEvent:
    return _moved_event(ctx, name, person.id, person.organisation_id, details)


def view(session: Session, actor: Actor, review_id: uuid.UUID) -> PairView:
    """Open a pair side by side; a consultation of both records (audited)."""
    with atomic(session):
        ctx = _context(session, actor)
        review, a, b = _pair(session, ctx, review_id)
        names = dict(
            session.execute(
                select(Organisation.id, Organisation.name).where(
                    Organisation.id.in_({a.organisation_id, b.organisation_id})
                )
            ).all()
        )
        sides = [
            Side(person_out(ctx, p), names[p.organisation_id], _entity_size(session, p.id))
            for p in (a, b)
        ]
        record_many(
            session,
            [
                _event(ctx, "linkage.review_viewed", p, {"review_id": str(review.id)})
                for p in (a, b)
            ],
        )
    return PairView(review, sides[0], sides[1], list(review.evidence))


def _members(session: Session, entity_id: uuid.UUID) -> list[uuid.UUID]:
    return list(
        session.scalars(
            select(EntityMember.person_record_id).where(EntityMember.entity_id == entity_id)
        )
    )


def _entity(session: Session, record_id: uuid.UUID) -> uuid.UUID:
    """The record's entity, creating one when the record has not been matched yet."""
    found = session.scalar(
        select(EntityMember.entity_id).where(EntityMember.person_record_id == record_id)
    )
    if found is not None:
        return found
    now = utc_now()
    entity = PersonEntity(id=new_id(), created_at=now, updated_at=now)
    session.add(entity)
    session.add(
        EntityMember(
            person_record_id=record_id, entity_id=entity.id, joined_by=JoinedBy.NEW, joined_at=now
        )
    )
    session.flush()
    return entity.id


def _settle_within(session: Session, entity_id: uuid.UUID) -> None:
    """Pending pairs now inside one entity have nothing left to decide."""
    members = _members(session, entity_id)
    session.execute(
        update(LinkReview)
        .where(
            LinkReview.status == ReviewStatus.PENDING,
            LinkReview.record_a_id.in_(members),
            LinkReview.record_b_id.in_(members),
        )
        .values(status=ReviewStatus.SETTLED, decided_at=utc_now())
    )


def _rejected_between(session: Session, left: list[uuid.UUID], right: list[uuid.UUID]) -> bool:
    return (
        session.scalar(
            select(LinkReview.id)
            .where(
                LinkReview.status == ReviewStatus.REJECTED,
                or_(
                    LinkReview.record_a_id.in_(left) & LinkReview.record_b_id.in_(right),
                    LinkReview.record_a_id.in_(right) & LinkReview.record_b_id.in_(left),
                ),
            )
            .limit(1)
        )
        is not None
    )


def accept(session: Session, actor: Actor, review_id: uuid.UUID, note: str = "") -> LinkDecision:
    """The pair is the same person: merge their entities (the smaller moves; combination)."""
    with atomic(session):
        ctx = _context(session, actor)
        review, a, b = _pair(session, ctx, review_id)
        if review.status != ReviewStatus.PENDING:
            raise Conflict("This pair has already been decided")
        ea, eb = _entity(session, a.id), _entity(session, b.id)
        if ea == eb:
            raise Conflict("These records are already linked")
        ma, mb = _members(session, ea), _members(session, eb)
        if _rejected_between(session, ma, mb):
            raise Conflict(
                "A reviewer has said that records of these two people are not the same person: "
                "undo that decision first"
            )
        keep, gone, moved = (ea, eb, mb) if len(ma) >= len(mb) else (eb, ea, ma)
        partner = a.id if keep == ea else b.id
        now = utc_now()
        session.execute(
            update(EntityMember)
            .where(EntityMember.entity_id == gone)
            .values(
                entity_id=keep, joined_by=JoinedBy.REVIEW, match_probability=None, joined_at=now
            )
        )
        session.execute(delete(PersonEntity).where(PersonEntity.id == gone))
        session.execute(update(PersonEntity).where(PersonEntity.id == keep).values(updated_at=now))
        review.status = ReviewStatus.ACCEPTED
        review.decided_at = now
        review.decided_by_user_id = actor.user_id
        review.note = note[:1000]
        decision = LinkDecision(
            id=new_id(),
            kind=DecisionKind.MERGE,
            entity_id=keep,
            from_entity_id=gone,
            moved_record_ids=sorted(str(r) for r in moved),
            partner_record_id=partner,
            review_id=review.id,
            match_probability=review.match_probability,
            evidence=list(review.evidence),
            user_id=actor.user_id,
            note=note[:1000],
            created_at=now,
        )
        session.add(decision)
        session.flush()
        _settle_within(session, keep)
        holders = dict(
            session.execute(
                select(PersonRecord.id, PersonRecord.organisation_id).where(
                    PersonRecord.id.in_(moved)
                )
            ).all()
        )
        details: dict[str, str | int | None] = {
            "entity": str(keep),
            "review_id": str(review.id),
            "decision_id": str(decision.id),
        }
        record_many(
            session,
            [
                _moved_event(ctx, "linkage.records_merged", rid, holders[rid], details)
                for rid in sorted(moved, key=str)
            ],
        )
    return decision


def _moved_event(  # one reviewer's event about one record, by id and holder
    ctx: AccessContext,
    name: str,
    record_id: uuid.UUID,
    holder: uuid.UUID,
    details: dict[str, str | int | None],
) -> AuditEvent:
    return AuditEvent(
        name=name,
        actor_user_id=ctx.actor.user_id,
        actor_organisation_id=ctx.actor.organisation_id,
        actor_role=ctx.actor.role.value,
        record_type="person_record",
        record_id=str(record_id),
        record_organisation_id=holder,
        purpose=ctx.purpose or "",
        details=dict(details),
    )


def reject(session: Session, actor: Actor, review_id: uuid.UUID, note: str = "") -> LinkReview:
    """The pair is not the same person: it will never be joined automatically."""
    with atomic(session):
        ctx = _context(session, actor)
        review, a, b = _pair(session, ctx, review_id)
        if review.status != ReviewStatus.PENDING:
            raise Conflict("This pair has already been decided")
        review.status = ReviewStatus.REJECTED
        review.decided_at = utc_now()
        review.decided_by_user_id = actor.user_id
        review.note = note[:1000]
        session.flush()
        record_many(
            session, [_event(ctx, "linkage.review_rejected", a, {"review_id": str(review.id)})]
        )
    return review


def decisions_for(session: Session, actor: Actor, record_id: uuid.UUID) -> list[LinkDecision]:
    """The decisions that moved records into this record's entity, newest first (for undoing)."""
    ctx = _context(session, actor)
    if not _visible(session, ctx, {record_id}):
        raise NotFound()
    entity = session.scalar(
        select(EntityMember.entity_id).where(EntityMember.person_record_id == record_id)
    )
    if entity is None:
        return []
    return list(
        session.scalars(
            select(LinkDecision)
            .where(
                LinkDecision.entity_id == entity,
                LinkDecision.kind != DecisionKind.UNMERGE,
                LinkDecision.undone_by_id.is_(None),
            )
            .order_by(LinkDecision.created_at.desc(), LinkDecision.id)
        )
    )


def _mark_rejected(
    session: Session, actor: Actor, a: uuid.UUID, b: uuid.UUID, probability: float | None
) -> None:
    first, second = ordered(a, b)
    found = session.scalar(
        select(LinkReview).where(LinkReview.record_a_id == first, LinkReview.record_b_id == second)
    )
    now = utc_now()
    if found is None:
        found = LinkReview(
            id=new_id(),
            record_a_id=first,
            record_b_id=second,
            match_probability=probability or 0.0,
            match_weight=0.0,
            evidence=[],
            reason="undone by a reviewer",
            created_at=now,
            note="",
        )
        session.add(found)
    found.status = ReviewStatus.REJECTED
    found.decided_at = now
    found.decided_by_user_id = actor.user_id


def unmerge(session: Session, actor: Actor, decision_id: uuid.UUID, note: str = "") -> LinkDecision:
    """Undo a merge or an automatic join: the records it moved go back to an entity of their
    own (the entity they came from, restored), and the pair is marked "not the same person"."""
    with atomic(session):
        ctx = _context(session, actor)
        original = session.get(LinkDecision, decision_id)
        if original is None or original.kind == DecisionKind.UNMERGE:
            raise NotFound()
        if original.undone_by_id is not None:
            raise Conflict("This decision has already been undone")
        moved = [uuid.UUID(r) for r in original.moved_record_ids]
        involved = set(moved) | (
            {original.partner_record_id} if original.partner_record_id else set()
        )
        if _visible(session, ctx, involved) != involved:
            raise NotFound()
        still_there = set(
            session.scalars(
                select(EntityMember.person_record_id).where(
                    EntityMember.entity_id == original.entity_id,
                    EntityMember.person_record_id.in_(moved),
                )
            )
        )
        if not still_there:
            raise Conflict("Those records have moved since: nothing to undo")
        now = utc_now()
        back_to = original.from_entity_id or new_id()
        if session.get(PersonEntity, back_to) is None:
            session.add(PersonEntity(id=back_to, created_at=now, updated_at=now))
            session.flush()
        session.execute(
            update(EntityMember)
            .where(EntityMember.person_record_id.in_(still_there))
            .values(
                entity_id=back_to, joined_by=JoinedBy.REVIEW, match_probability=None, joined_at=now
            )
        )
        undo = LinkDecision(
            id=new_id(),
            kind=DecisionKind.UNMERGE,
            entity_id=back_to,
            from_entity_id=original.entity_id,
            moved_record_ids=sorted(str(r) for r in still_there),
            partner_record_id=original.partner_record_id,
            review_id=original.review_id,
            undoes_id=original.id,
            user_id=actor.user_id,
            note=note[:1000],
            evidence=[],
            created_at=now,
        )
        session.add(undo)
        session.flush()
        original.undone_by_id = undo.id
        if original.partner_record_id is not None:
            for rid in sorted(still_there, key=str):
                _mark_rejected(
                    session, actor, rid, original.partner_record_id, original.match_probability
                )
        holders = dict(
            session.execute(
                select(PersonRecord.id, PersonRecord.organisation_id).where(
                    PersonRecord.id.in_(still_there)
                )
            ).all()
        )
        details: dict[str, str | int | None] = {"entity": str(back_to), "decision_id": str(undo.id)}
        record_many(
            session,
            [
                _moved_event(ctx, "linkage.records_unmerged", rid, holders[rid], details)
                for rid in sorted(still_there, key=str)
            ],
        )
    return undo
