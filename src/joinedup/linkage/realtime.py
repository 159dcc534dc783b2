"""Real-time matching: each new or changed person record against the entities already known.

A trigger queues every inserted or changed record in ``linkage_pending``. ``match_pending``
drains the queue: for each record it stores the record's blocking keys, looks up candidates by
the keys it probes (an indexed equality on ``linkage_block_key``, never a scan), scores only
those with the active model's trained parameters (``scoring.Scorer``: the model's own SQL
levels, its m and u, term frequencies from ``linkage_term_frequency``), then:

- the best candidate at or above the automatic threshold, without a household veto (LNK-1) and
  not a pair a reviewer rejected: the record joins that candidate's entity (a ``link_decision``
  of kind automatic and a ``linkage.record_linked`` combination event). A pair held back only
  because one date of birth is missing joins when the record without one can be only one
  person (``Thresholds.missing_dob``, ``rules.one_person``; see ``_guard``);
- every other candidate at or above the review threshold (or vetoed) in another entity: a
  ``link_review`` pair waits for a person;
- otherwise the record is an entity of its own.

A record already linked to others keeps its entity when it changes (a person's decision is
never undone by a machine); new candidates for it go to review. Confidential (refuge)
addresses are not used for matching at all (SHR-4).
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, insert, or_, select, text, update
from sqlalchemy.orm import Session

from joinedup.audit.events import AuditEvent
from joinedup.audit.service import record_many
from joinedup.common.clock import utc_now
from joinedup.common.ids import new_id
from joinedup.db import atomic
from joinedup.linkage import model as lm
from joinedup.linkage import rules, scoring
from joinedup.linkage.entities import (
    BlockKey,
    DecisionKind,
    EntityMember,
    JoinedBy,
    LinkageModelRow,
    LinkagePending,
    LinkDecision,
    LinkReview,
    PersonEntity,
    ReviewStatus,
    TermFrequency,
)
from joinedup.people.models import PersonRecord

DEFAULT_MODEL = lm.MODEL_DIR / "person-2.json"
DEFAULT_THRESHOLD_AUTO = 0.99
DEFAULT_THRESHOLD_REVIEW = 0.5
# Candidates scored for one record at most; a key shared by more records than this is too
# common to say anything (e.g. a first name and year of birth in a city) and is skipped.
DEFAULT_MAX_CANDIDATES = 500
CHUNK = 200
BACKGROUND_CHUNK = 10


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Where automatic joins and reviews start, and what a missing date of birth does
    (``rules.MISSING_DOB_CHOICES``)."""

    auto: float = DEFAULT_THRESHOLD_AUTO
    review: float = DEFAULT_THRESHOLD_REVIEW
    missing_dob: str = rules.DEFAULT_MISSING_DOB
    max_candidates: int = DEFAULT_MAX_CANDIDATES

    def __post_init__(self) -> None:
        rules.check_missing_dob(self.missing_dob)


def thresholds_from(settings: Any) -> Thresholds:
    """The thresholds a deployment set (``JOINEDUP_LINKAGE_*``)."""
    return Thresholds(
        auto=settings.linkage_threshold_auto,
        review=min(settings.linkage_threshold_review, settings.linkage_threshold_auto),
        missing_dob=settings.linkage_missing_dob,
    )


class Matcher:
    """A model ready for real-time use: its scorer and blocking keys."""

    def __init__(self, document: Mapping[str, Any], model_id: uuid.UUID | None = None) -> None:
        self.document = document
        self.model_id = model_id
        self.scorer = scoring.Scorer(document)
        self.keys = scoring.BlockingKeys.of_model(document)
        self.tf_columns = sorted(self.scorer.tf_columns())
        header = document[lm.HEADER_KEY]
        self.label = f"{header['name']}-{header['version']}"


_MATCHERS: dict[str, Matcher] = {}
_MATCHERS_LOCK = threading.Lock()


def default_document(path: Path = DEFAULT_MODEL) -> dict[str, Any]:
    """The model shipped with JoinedUp (trained without labels on the demo population)."""
    return lm.load_model(path)


def active_matcher(session: Session) -> Matcher:
    """The active model's matcher (kept per process, keyed by the model row's id)."""
    model_id = session.scalar(select(LinkageModelRow.id).where(LinkageModelRow.active))
    key = str(model_id) if model_id else "default"
    with _MATCHERS_LOCK:
        found = _MATCHERS.get(key)
    if found is not None:
        return found
    if model_id is None:
        matcher = Matcher(default_document())
    else:
        row = session.get(LinkageModelRow, model_id)
        assert row is not None
        # A model stored before the current level forms is scored in them.
        matcher = Matcher(lm.in_current_form(row.document), model_id)
    with _MATCHERS_LOCK:
        _MATCHERS[key] = matcher
    return matcher


# ---------------------------------------------------------------------------------------------
# Records as the model sees them
# ---------------------------------------------------------------------------------------------

FIELDS = (
    PersonRecord.id,
    PersonRecord.organisation_id,
    PersonRecord.first_name,
    PersonRecord.surname,
    PersonRecord.date_of_birth,
    PersonRecord.gender,
    PersonRecord.address_line,
    PersonRecord.town,
    PersonRecord.postcode,
    PersonRecord.address_confidential,
)


def contract_values(row: Any) -> dict[str, object]:
    """A person record in the linkage CSV contract's terms (refuge addresses left out)."""
    confidential = bool(row.address_confidential)
    gender = getattr(row.gender, "value", row.gender)
    address = f"{row.address_line} {row.town}".strip()
    return {
        "first_name": row.first_name,
        "surname": row.surname,
        "dob": row.date_of_birth.isoformat() if row.date_of_birth else None,
        "gender": None if gender == "not_known" else gender,
        "postcode": None if confidential else row.postcode,
        "address": None if confidential or not address else address,
    }


def cleaned(row: Any) -> dict[str, str | int | None]:
    """The record cleaned for comparison."""
    return scoring.clean_one(contract_values(row))


# ---------------------------------------------------------------------------------------------
# Matching one record
# ---------------------------------------------------------------------------------------------


@dataclass
class MatchSummary:
    """What a drain of the queue did."""

    matched: int = 0
    joined: int = 0
    new_entities: int = 0
    reviews: int = 0
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What matching one record decided."""

    entity_id: uuid.UUID
    joined: bool
    reviews: int
    candidates: int


def _tf(session: Session, wanted: set[tuple[str, str]]) -> dict[tuple[str, str], float]:
    """Term frequencies of the (column, value) pairs ``wanted``, in one statement."""
    if not wanted:
        return {}
    terms = [
        (TermFrequency.column_name == column)
        & TermFrequency.value.in_(sorted(v for c, v in wanted if c == column))
        for column in sorted({c for c, _ in wanted})
    ]
    rows = session.connection().execute(
        select(TermFrequency.column_name, TermFrequency.value, TermFrequency.frequency).where(
            or_(*terms)
        )
    )
    return {(column, value): frequency for column, value, frequency in rows}


def _candidates(
    session: Session,
    matcher: Matcher,
    record_id: uuid.UUID,
    new: scoring.Record,
    cap: int,
) -> list[uuid.UUID]:
    """Records sharing a probed key; a key shared by more than ``cap`` records is skipped."""
    probes = sorted(matcher.keys.probe(new))
    if not probes:
        return []
    conn = session.connection()
    counts = conn.execute(
        select(BlockKey.key, func.count()).where(BlockKey.key.in_(probes)).group_by(BlockKey.key)
    ).all()
    usable = sorted(k for k, n in counts if n <= cap)
    if not usable:
        return []
    ids = conn.execute(
        select(BlockKey.person_record_id)
        .where(BlockKey.key.in_(usable), BlockKey.person_record_id != record_id)
        .distinct()
        .limit(cap)
    ).scalars()
    return list(ids)


def _store_keys(
    session: Session, matcher: Matcher, record_id: uuid.UUID, rec: scoring.Record
) -> None:
    conn = session.connection()
    conn.execute(delete(BlockKey).where(BlockKey.person_record_id == record_id))
    keys = matcher.keys.stored(rec)
    if keys:
        conn.execute(
            insert(BlockKey), [{"key": k, "person_record_id": record_id} for k in sorted(keys)]
        )


def _rejected_with(session: Session, record_id: uuid.UUID) -> set[uuid.UUID]:
    """Records a reviewer said are not the same person as ``record_id``."""
    rows = session.connection().execute(
        select(LinkReview.record_a_id, LinkReview.record_b_id).where(
            LinkReview.status == ReviewStatus.REJECTED,
            (LinkReview.record_a_id == record_id) | (LinkReview.record_b_id == record_id),
        )
    )
    return {b if a == record_id else a for a, b in rows}


def ordered(a: uuid.UUID, b: uuid.UUID) -> tuple[uuid.UUID, uuid.UUID]:
    """A pair in its stored order (smaller id first)."""
    return (a, b) if str(a) < str(b) else (b, a)


def queue_review(
    session: Session,
    a: uuid.UUID,
    b: uuid.UUID,
    scored: scoring.Scored,
    reason: str,
) -> bool:
    """Add (or refresh) a pending review of the pair; False when it was already decided."""
    first, second = ordered(a, b)
    existing = (
        session.connection()
        .execute(
            select(LinkReview.id, LinkReview.status).where(
                LinkReview.record_a_id == first, LinkReview.record_b_id == second
            )
        )
        .first()
    )
    evidence = [e.as_dict() for e in scored.evidence]
    if existing is None:
        session.connection().execute(
            insert(LinkReview).values(
                id=new_id(),
                record_a_id=first,
                record_b_id=second,
                match_probability=scored.match_probability,
                match_weight=scored.match_weight,
                evidence=evidence,
                reason=reason,
                status=ReviewStatus.PENDING,
                created_at=utc_now(),
                note="",
            )
        )
        return True
    if existing.status != ReviewStatus.PENDING:
        return False
    session.connection().execute(
        update(LinkReview)
        .where(LinkReview.id == existing.id)
        .values(
            match_probability=scored.match_probability,
            match_weight=scored.match_weight,
            evidence=evidence,
            reason=reason,
        )
    )
    return False


def review_reason(scored: scoring.Scored, thresholds: Thresholds) -> str:
    """Why a pair waits for a person rather than joining on its own."""
    if scored.veto:
        return f"household rule: {scored.veto}"
    if scored.match_probability >= thresholds.auto:
        return "matches records already in another entity"
    return "in the review band"


def linked_event(
    record_id: uuid.UUID,
    holder: uuid.UUID | None,
    entity_id: uuid.UUID,
    probability: float | None,
    by: str = "automatic",
) -> AuditEvent:
    """The combination event of a record joined to an entity by matching."""
    return AuditEvent(
        name="linkage.record_linked",
        record_type="person_record",
        record_id=str(record_id),
        record_organisation_id=holder,
        details={
            "entity": str(entity_id),
            "probability": None if probability is None else f"{probability:.6f}",
            "by": by,
        },
    )


def match_record(
    session: Session,
    matcher: Matcher,
    record_id: uuid.UUID,
    thresholds: Thresholds,
    events: list[AuditEvent],
) -> Outcome | None:
    """Match one record (the caller's transaction); None when the record no longer exists."""
    conn = session.connection()
    row = conn.execute(
        select(*FIELDS, EntityMember.entity_id)
        .outerjoin(EntityMember, EntityMember.person_record_id == PersonRecord.id)
        .where(PersonRecord.id == record_id)
    ).first()
    if row is None:
        return None
    new = cleaned(row)
    _store_keys(session, matcher, record_id, new)
    candidate_ids = _candidates(session, matcher, record_id, new, thresholds.max_candidates)
    candidates = (
        conn.execute(
            select(*FIELDS, EntityMember.entity_id)
            .outerjoin(EntityMember, EntityMember.person_record_id == PersonRecord.id)
            .where(PersonRecord.id.in_(candidate_ids))
        ).all()
        if candidate_ids
        else []
    )
    members = {c.id: c.entity_id for c in candidates if c.entity_id is not None}
    if row.entity_id is not None:
        members[record_id] = row.entity_id
    pairs = [(cleaned(c), new) for c in candidates]
    vectors = matcher.scorer.gammas(pairs)
    scored = matcher.scorer.weigh(
        pairs,
        vectors,
        _tf(session, matcher.scorer.tf_needed(pairs, vectors)),
        allow_missing_dob=thresholds.missing_dob == rules.MISSING_DOB_SCORE,
    )
    if thresholds.missing_dob == rules.MISSING_DOB_ONE_PERSON:
        scored = _guard(
            session,
            matcher,
            thresholds,
            (record_id, new),
            [(c.id, p[0]) for c, p in zip(candidates, pairs, strict=True)],
            vectors,
            scored,
            members,
        )
    worth = any(sc.match_probability >= thresholds.review for sc in scored)
    rejected = _rejected_with(session, record_id) if worth else set()
    current = members.get(record_id)
    alone = current is None or not session.connection().scalar(
        select(EntityMember.person_record_id)
        .where(EntityMember.entity_id == current, EntityMember.person_record_id != record_id)
        .limit(1)
    )
    ranked = sorted(
        (s for s in scored if s.match_probability >= thresholds.review),
        key=lambda s: -s.match_weight,
    )
    target: tuple[uuid.UUID, uuid.UUID, scoring.Scored] | None = None
    if alone:
        for s in ranked:
            cand = candidates[s.candidate].id
            entity = members.get(cand)
            if (
                s.match_probability >= thresholds.auto
                and s.veto is None
                and cand not in rejected
                and entity is not None
                and entity != current
                and not _rejected_in(session, entity, rejected)
            ):
                target = (entity, cand, s)
                break
    entity_id = _place(session, record_id, row.organisation_id, current, target, events)
    reviews = 0
    for s in ranked:
        cand = candidates[s.candidate].id
        if members.get(cand) == entity_id or cand in rejected:
            continue
        if queue_review(session, record_id, cand, s, review_reason(s, thresholds)):
            reviews += 1
    return Outcome(entity_id, target is not None, reviews, len(candidates))


# ---------------------------------------------------------------------------------------------
# The ambiguity guard: a missing date of birth joins only the one person it can be
# ---------------------------------------------------------------------------------------------

Known = tuple[uuid.UUID, scoring.Record]


def _veto_levels(scorer: scoring.Scorer, vector: Sequence[int]) -> dict[str, str | None]:
    """The labels of a pair's levels, None where a value is missing."""
    return {
        comp.column: None if gamma == -1 else comp.level(gamma).label
        for comp, gamma in zip(scorer.comparisons, vector, strict=True)
    }


def _weighed(
    session: Session, matcher: Matcher, pairs: Sequence[tuple[scoring.Record, scoring.Record]]
) -> tuple[list[tuple[int, ...]], list[scoring.Scored]]:
    """Comparison vectors and strict scores (a missing date of birth vetoed) of ``pairs``."""
    vectors = matcher.scorer.gammas(pairs)
    tf = _tf(session, matcher.scorer.tf_needed(pairs, vectors))
    return vectors, matcher.scorer.weigh(pairs, vectors, tf)


def _reaches(matcher: Matcher, thresholds: Thresholds, vector: Sequence[int], p: float) -> bool:
    """Whether a pair would join with missing dates of birth allowed."""
    levels = _veto_levels(matcher.scorer, vector)
    allowed = rules.household_veto(
        levels.get("first_name"),
        levels.get("dob"),
        levels.get("identifier"),
        allow_missing_dob=True,
    )
    return p >= thresholds.auto and allowed is None


def _held_back(matcher: Matcher, thresholds: Thresholds, vector: Sequence[int], p: float) -> bool:
    levels = _veto_levels(matcher.scorer, vector)
    return p >= thresholds.auto and rules.held_back_by_missing_dob(
        levels.get("first_name"), levels.get("dob"), levels.get("identifier")
    )


def _one_person(
    session: Session,
    matcher: Matcher,
    thresholds: Thresholds,
    reach: Sequence[Known],
    entity_of_record: Mapping[uuid.UUID, uuid.UUID],
) -> bool:
    """``rules.one_person`` over the records a record without a date of birth reaches: every
    two of them compared as a batch run compares them (a scored pair at or above the review
    threshold), or one person already when they share an entity."""
    twos = [
        (a, b)
        for i, a in enumerate(reach)
        for b in reach[i + 1 :]
        if entity_of_record.get(a[0]) is None
        or entity_of_record.get(a[0]) != entity_of_record.get(b[0])
    ]
    between: list[rules.Between] = []
    both = [(a[1], b[1]) for a, b in twos]
    _, scored = _weighed(session, matcher, both) if both else ([], [])
    for (a, b), s in zip(twos, scored, strict=True):
        listed = s.match_probability >= thresholds.review
        between.append(
            rules.Between(
                both_dob=a[1].get("dob") is not None and b[1].get("dob") is not None,
                same=listed
                and (
                    s.label_of("dob") in rules.SAME_DOB
                    or (s.match_probability >= thresholds.auto and s.veto is None)
                ),
                conflict=listed and s.veto in rules.CONFLICTING,
            )
        )
    return rules.one_person(between)


def _reach_of_known(
    session: Session,
    matcher: Matcher,
    thresholds: Thresholds,
    record: Known,
) -> tuple[list[Known], dict[uuid.UUID, uuid.UUID]]:
    """What a known record reaches at the automatic threshold, with the members of its entity
    (one person with it already), and the entity of each."""
    record_id, rec = record
    ids = _candidates(session, matcher, record_id, rec, thresholds.max_candidates)
    entity = entity_of(session, record_id)
    if entity is not None:
        ids += [m for m in members_of(session, entity) if m != record_id and m not in ids]
    if not ids:
        return [], {}
    rows = (
        session.connection()
        .execute(
            select(*FIELDS, EntityMember.entity_id)
            .outerjoin(EntityMember, EntityMember.person_record_id == PersonRecord.id)
            .where(PersonRecord.id.in_(ids))
        )
        .all()
    )
    known: list[Known] = [(r.id, cleaned(r)) for r in rows]
    entities: dict[uuid.UUID, uuid.UUID] = {
        r.id: r.entity_id for r in rows if r.entity_id is not None
    }
    vectors, scored = _weighed(session, matcher, [(k[1], rec) for k in known])
    reach = [
        k
        for k, v, s in zip(known, vectors, scored, strict=True)
        if (entity is not None and entities.get(k[0]) == entity)
        or _reaches(matcher, thresholds, v, s.match_probability)
    ]
    return reach, entities


def _guard(
    session: Session,
    matcher: Matcher,
    thresholds: Thresholds,
    new: Known,
    candidates: Sequence[Known],
    vectors: Sequence[tuple[int, ...]],
    scored: list[scoring.Scored],
    members: Mapping[uuid.UUID, uuid.UUID],
) -> list[scoring.Scored]:
    """The candidates' vetoes with the ambiguity guard applied (``rules.one_person``).

    A pair held back only because a date of birth is missing loses its veto when each of its
    records without a date of birth can be only one person, and is vetoed as
    ``rules.DOB_MISSING_AMBIGUOUS`` otherwise. The new record reaches the candidates scored
    here; a known record reaches what its own blocking keys find now (the new record included)
    and the other members of its entity, so a new record with a date of birth joins an entity
    whose record lacks one only when nothing there tells another person apart.
    """
    held = [
        i
        for i, s in enumerate(scored)
        if _held_back(matcher, thresholds, vectors[i], s.match_probability)
    ]
    if not held:
        return scored
    answers: dict[uuid.UUID, bool] = {}

    def unambiguous(record: Known) -> bool:
        if record[0] not in answers:
            if record[0] == new[0]:
                reach = [
                    candidates[i]
                    for i, s in enumerate(scored)
                    if _reaches(matcher, thresholds, vectors[i], s.match_probability)
                ]
                entities = dict(members)
            else:
                reach, entities = _reach_of_known(session, matcher, thresholds, record)
            answers[record[0]] = _one_person(session, matcher, thresholds, reach, entities)
        return answers[record[0]]

    out = list(scored)
    for i in held:
        sides = [r for r in (new, candidates[i]) if r[1].get("dob") is None]
        ok = all(unambiguous(r) for r in sides)
        out[i] = replace(scored[i], veto=None if ok else rules.DOB_MISSING_AMBIGUOUS)
    return out


def _rejected_in(session: Session, entity_id: uuid.UUID, rejected: set[uuid.UUID]) -> bool:
    """Whether the entity holds a record a reviewer said is not this person."""
    if not rejected:
        return False
    return (
        session.connection().scalar(
            select(EntityMember.person_record_id)
            .where(
                EntityMember.entity_id == entity_id,
                EntityMember.person_record_id.in_(rejected),
            )
            .limit(1)
        )
        is not None
    )


def _place(
    session: Session,
    record_id: uuid.UUID,
    holder: uuid.UUID,
    current: uuid.UUID | None,
    target: tuple[uuid.UUID, uuid.UUID, scoring.Scored] | None,
    events: list[AuditEvent],
) -> uuid.UUID:
    now = utc_now()
    if target is None:
        if current is not None:
            return current
        entity_id = new_id()
        session.connection().execute(
            insert(PersonEntity).values(id=entity_id, created_at=now, updated_at=now)
        )
        session.connection().execute(
            insert(EntityMember).values(
                person_record_id=record_id,
                entity_id=entity_id,
                joined_by=JoinedBy.NEW,
                joined_at=now,
            )
        )
        return entity_id
    entity_id, partner, scored = target
    values = {
        "entity_id": entity_id,
        "joined_by": JoinedBy.AUTOMATIC,
        "match_probability": scored.match_probability,
        "joined_at": now,
    }
    if current is None:
        session.connection().execute(
            insert(EntityMember).values(person_record_id=record_id, **values)
        )
    else:
        session.connection().execute(
            update(EntityMember).where(EntityMember.person_record_id == record_id).values(**values)
        )
        session.connection().execute(delete(PersonEntity).where(PersonEntity.id == current))
    session.connection().execute(
        update(PersonEntity).where(PersonEntity.id == entity_id).values(updated_at=now)
    )
    session.connection().execute(
        insert(LinkDecision).values(
            id=new_id(),
            kind=DecisionKind.AUTOMATIC,
            entity_id=entity_id,
            from_entity_id=current,
            moved_record_ids=[str(record_id)],
            partner_record_id=partner,
            match_probability=scored.match_probability,
            evidence=[e.as_dict() for e in scored.evidence],
            note="",
            created_at=now,
        )
    )
    events.append(linked_event(record_id, holder, entity_id, scored.match_probability))
    return entity_id


# ---------------------------------------------------------------------------------------------
# Draining the queue
# ---------------------------------------------------------------------------------------------


def pending_count(session: Session) -> int:
    """Records waiting to be matched."""
    return int(session.connection().scalar(select(func.count()).select_from(LinkagePending)) or 0)


def _claim(session: Session, limit: int) -> list[uuid.UUID]:
    stmt = select(LinkagePending.person_record_id).order_by(LinkagePending.queued_at).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    return list(session.connection().scalars(stmt))


def _plan_each_lookup(session: Session) -> None:
    """On PostgreSQL, plan this transaction's statements for their own values.

    The driver prepares a statement run often and the server may then reuse one generic plan,
    made when the index of blocking keys was small: a sequential scan that grows with the
    index (matching the demo took 40 ms a record instead of 4). Planned each time, the key
    look-ups use the index whatever its size when the plan was first made."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))


def match_pending(
    session: Session,
    *,
    thresholds: Thresholds | None = None,
    limit: int | None = None,
    progress: Callable[[int], None] | None = None,
    chunk: int = CHUNK,
) -> MatchSummary:
    """Match queued records, ``chunk`` per transaction, until the queue is empty (or ``limit``).

    A transaction holds SQLite's one writer while it lasts: the web process's background
    matcher uses small chunks so that requests writing at the same time wait little."""
    thresholds = thresholds or Thresholds()
    summary = MatchSummary()
    started = time.perf_counter()
    while limit is None or summary.matched < limit:
        size = chunk if limit is None else min(chunk, limit - summary.matched)
        with atomic(session):
            _plan_each_lookup(session)
            matcher = active_matcher(session)
            ids = _claim(session, size)
            if not ids:
                break
            events: list[AuditEvent] = []
            for record_id in ids:
                one = time.perf_counter()
                outcome = match_record(session, matcher, record_id, thresholds, events)
                summary.latencies_ms.append((time.perf_counter() - one) * 1000)
                summary.matched += 1
                if outcome is not None:
                    summary.joined += outcome.joined
                    summary.new_entities += not outcome.joined
                    summary.reviews += outcome.reviews
            session.connection().execute(
                delete(LinkagePending).where(LinkagePending.person_record_id.in_(ids))
            )
            record_many(session, events)
        if progress is not None:
            progress(len(ids))
    summary.seconds = time.perf_counter() - started
    return summary


def entity_of(session: Session, record_id: uuid.UUID) -> uuid.UUID | None:
    """The entity a record belongs to, if it has been matched."""
    return session.scalar(
        select(EntityMember.entity_id).where(EntityMember.person_record_id == record_id)
    )


def members_of(session: Session, entity_id: uuid.UUID) -> list[uuid.UUID]:
    """The records of an entity, in a stable order."""
    return list(
        session.scalars(
            select(EntityMember.person_record_id)
            .where(EntityMember.entity_id == entity_id)
            .order_by(EntityMember.person_record_id)
        )
    )


def percentile(values: Sequence[float], fraction: float) -> float:
    """The value at ``fraction`` of the sorted ``values`` (nearest rank)."""
    ordered_values = sorted(values)
    if not ordered_values:
        return 0.0
    index = min(len(ordered_values) - 1, max(0, round(fraction * len(ordered_values)) - 1))
    return ordered_values[index]


class BackgroundMatcher:
    """A thread of the web process that matches waiting records every few seconds."""

    def __init__(self, factory: Callable[[], Session], thresholds: Thresholds, seconds: float):
        self._factory = factory
        self._thresholds = thresholds
        self._seconds = seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="linkage-matcher", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def _run(self) -> None:
        import logging

        log = logging.getLogger("joinedup.linkage")
        while not self._stop.wait(self._seconds):
            try:
                with self._factory() as session:
                    if pending_count(session):
                        summary = match_pending(
                            session, thresholds=self._thresholds, chunk=BACKGROUND_CHUNK
                        )
                        log.info(
                            "person records matched",
                            extra={"matched": summary.matched, "joined": summary.joined},
                        )
            except Exception:  # the next round tries again; the error goes to the log
                log.exception("matching person records failed")
