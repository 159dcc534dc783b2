"""``joinedup link run``: link every person record of the partnership in one batch, stored.

The Splink pipeline (``linkage.batch``) scores all candidate pairs with the active model. Pairs
at or above the automatic threshold without a household veto are joined, together with every
pair a reviewer accepted, in order of probability, except where a join would put two records a
reviewer said are different people into one entity (constrained clustering). Entities keep
their ids where they can (each cluster takes the id of the entity most of its records were in),
so pages and reviews stay valid. Every record that moves is a ``link_decision`` (batch) and a
``linkage.record_linked`` combination event; pairs in the review band go to the review queue.
The blocking-key index and term frequencies of real-time matching are rebuilt from the same run.

Scoring happens outside any transaction; all writes happen in one, so a run that fails or is
killed leaves the database as it was. Records queued while the run scored stay queued.
"""

from __future__ import annotations

import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from joinedup.audit.events import AuditEvent
from joinedup.audit.service import record, record_many
from joinedup.common.clock import utc_now
from joinedup.common.ids import new_id
from joinedup.db import atomic
from joinedup.linkage import realtime, scoring
from joinedup.linkage.entities import (
    BlockKey,
    DecisionKind,
    EntityMember,
    JoinedBy,
    LinkagePending,
    LinkDecision,
    LinkReview,
    PersonEntity,
    ReviewStatus,
    TermFrequency,
)
from joinedup.people.models import PersonRecord

Progress = Callable[[str], None]
WRITE_CHUNK = 5000


def _quiet(_: str) -> None:
    return None


@dataclass
class RunSummary:
    """What a batch run found and changed."""

    records: int = 0
    entities: int = 0
    auto_pairs: int = 0
    review_pairs: int = 0
    reviews_added: int = 0
    moved: int = 0
    constrained: int = 0
    seconds: dict[str, float] = field(default_factory=dict)


class _Clusters:
    """Union-find over records with "cannot link" pairs respected at component level."""

    def __init__(self, ids: Iterable[str], cannot: Iterable[tuple[str, str]]) -> None:
        self.parent = {i: i for i in ids}
        self.members: dict[str, set[str]] = {i: {i} for i in self.parent}
        self.forbidden: dict[str, set[str]] = defaultdict(set)
        for a, b in cannot:
            if a in self.parent and b in self.parent:
                self.forbidden[a].add(b)
                self.forbidden[b].add(a)

    def find(self, x: str) -> str:
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:
            self.parent[x], x = root, self.parent[x]
        return root

    def join(self, a: str, b: str) -> bool:
        """Join the components of a and b; False when a reviewer's "different" forbids it."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        if len(self.members[ra]) < len(self.members[rb]):
            ra, rb = rb, ra
        if self.forbidden.get(ra, set()) & self.members[rb]:
            return False
        self.parent[rb] = ra
        self.members[ra] |= self.members.pop(rb)
        if rb in self.forbidden:
            self.forbidden[ra] |= self.forbidden.pop(rb)
        return True

    def groups(self) -> list[set[str]]:
        return list(self.members.values())


def _records(session: Session) -> tuple[list[Any], dict[str, dict[str, str | int | None]]]:
    rows = list(session.execute(select(*realtime.FIELDS).order_by(PersonRecord.id)).all())
    return rows, {str(r.id): realtime.cleaned(r) for r in rows}


CONTRACT_COLUMNS = ["unique_id", "first_name", "surname", "dob", "postcode", "gender", "address"]


def frame(rows: Sequence[Any]) -> Any:
    """Person record rows (``realtime.FIELDS``) as a frame in the linkage CSV contract."""
    import pandas as pd

    data = [{"unique_id": str(r.id), **realtime.contract_values(r)} for r in rows]
    return pd.DataFrame(data, columns=CONTRACT_COLUMNS)


def _decided(session: Session, status: ReviewStatus) -> list[tuple[str, str]]:
    rows = session.execute(
        select(LinkReview.record_a_id, LinkReview.record_b_id).where(LinkReview.status == status)
    )
    return [(str(a), str(b)) for a, b in rows]


def _assign(
    groups: list[set[str]], current: Mapping[str, uuid.UUID]
) -> tuple[dict[str, uuid.UUID], set[uuid.UUID]]:
    """Each record's entity: a cluster keeps the entity most of its records were in."""
    claimed: set[uuid.UUID] = set()
    target: dict[str, uuid.UUID] = {}
    created: set[uuid.UUID] = set()
    # Larger clusters choose first, so a split leaves the old id with its larger part.
    for group in sorted(groups, key=lambda g: (-len(g), min(g))):
        counts = Counter(current[r] for r in group if r in current)
        choice = next((e for e, _ in counts.most_common() if e not in claimed), None)
        if choice is None:
            choice = new_id()
            created.add(choice)
        claimed.add(choice)
        for r in group:
            target[r] = choice
    return target, created


def _tf_rows(
    records: Mapping[str, Mapping[str, str | int | None]], columns: Iterable[str]
) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for column in columns:  # term-frequency columns hold text
        counts = Counter(str(v) for rec in records.values() if (v := rec.get(column)))
        total = sum(counts.values())
        out += [
            {"column_name": column, "value": value[:300], "frequency": n / total}
            for value, n in counts.items()
        ]
    return out


def run(
    session: Session,
    *,
    thresholds: realtime.Thresholds | None = None,
    progress: Progress = _quiet,
) -> RunSummary:
    """Link every person record with the active model and store entities, reviews and index."""
    thresholds = thresholds or realtime.Thresholds()
    summary = RunSummary()
    started_at = utc_now()
    clock = time.perf_counter()
    progress("reading person records")
    with atomic(session):
        matcher = realtime.active_matcher(session)
        rows, records = _records(session)
        current = dict(
            (str(rid), eid)
            for rid, eid in session.execute(
                select(EntityMember.person_record_id, EntityMember.entity_id)
            )
        )
        accepted = _decided(session, ReviewStatus.ACCEPTED)
        rejected = _decided(session, ReviewStatus.REJECTED)
    summary.records = len(rows)
    summary.seconds["read"] = time.perf_counter() - clock
    vetoes: dict[tuple[uuid.UUID, uuid.UUID], str] = {}
    pairs = _pairs(rows, matcher, thresholds, progress, summary, vetoes)
    clock = time.perf_counter()
    progress("clustering")
    clusters = _Clusters(records, rejected)
    for a, b in accepted:
        clusters.join(a, b)
    for a, b in pairs["auto"]:
        if not clusters.join(a, b):
            summary.constrained += 1
    target, created = _assign(clusters.groups(), current)
    summary.entities = len(set(target.values()))
    summary.seconds["cluster"] = time.perf_counter() - clock
    clock = time.perf_counter()
    progress("writing entities, reviews and the index")
    holders = {str(r.id): r.organisation_id for r in rows}
    with atomic(session):
        events = _write_entities(
            session, target, created, current, pairs, holders, matcher, records
        )
        summary.moved = len(events)
        summary.reviews_added = _write_reviews(
            session, pairs["review"], target, matcher, records, thresholds, vetoes
        )
        _rebuild_index(session, matcher, records, progress)
        session.execute(delete(LinkagePending).where(LinkagePending.queued_at <= started_at))
        record_many(session, events)
        record(
            session,
            AuditEvent(
                name="linkage.run_completed",
                details={
                    "records": summary.records,
                    "entities": summary.entities,
                    "auto_pairs": summary.auto_pairs,
                    "review_pairs": summary.review_pairs,
                    "moved": summary.moved,
                    "model": matcher.label,
                },
            ),
        )
    summary.seconds["write"] = time.perf_counter() - clock
    return summary


def _pairs(
    rows: Sequence[Any],
    matcher: realtime.Matcher,
    thresholds: realtime.Thresholds,
    progress: Progress,
    summary: RunSummary,
    vetoes: dict[tuple[uuid.UUID, uuid.UUID], str],
) -> dict[str, list[tuple[str, str]]]:
    """The run's pairs, strongest first: automatic and for review; the household veto of each
    vetoed review pair goes into ``vetoes`` (the batch's own reason, ambiguity guard included)."""
    from joinedup.linkage import batch

    clock = time.perf_counter()
    found: dict[str, list[tuple[str, str]]] = {"auto": [], "review": []}
    if len(rows) < 2:
        return found
    result = batch.dedupe(
        frame(rows),
        model=dict(matcher.document),
        threshold_auto=thresholds.auto,
        threshold_review=thresholds.review,
        missing_dob=thresholds.missing_dob,
        progress=progress,
    )
    ordered_pairs = result.pairs.sort_values("match_probability", ascending=False)
    for a, b, decision, veto in ordered_pairs[
        ["unique_id_l", "unique_id_r", "decision", "veto"]
    ].itertuples(index=False, name=None):
        found["auto" if decision == "auto" else "review"].append((str(a), str(b)))
        if decision != "auto" and isinstance(veto, str):
            vetoes[realtime.ordered(uuid.UUID(str(a)), uuid.UUID(str(b)))] = veto
    summary.auto_pairs = len(found["auto"])
    summary.review_pairs = len(found["review"])
    summary.seconds["score"] = time.perf_counter() - clock
    return found


def _write_entities(
    session: Session,
    target: Mapping[str, uuid.UUID],
    created: set[uuid.UUID],
    current: Mapping[str, uuid.UUID],
    pairs: Mapping[str, list[tuple[str, str]]],
    holders: Mapping[str, uuid.UUID],
    matcher: realtime.Matcher,
    records: Mapping[str, scoring.Record],
) -> list[AuditEvent]:
    now = utc_now()
    if created:
        rows = [{"id": e, "created_at": now, "updated_at": now} for e in created]
        for start in range(0, len(rows), WRITE_CHUNK):
            session.execute(insert(PersonEntity), rows[start : start + WRITE_CHUNK])
    new_members: list[dict[str, Any]] = []
    moved_into: dict[uuid.UUID, list[str]] = defaultdict(list)
    for rid, entity in target.items():
        was = current.get(rid)
        if was == entity:
            continue
        moved_into[entity].append(rid)
        if was is None:
            new_members.append(
                {
                    "person_record_id": uuid.UUID(rid),
                    "entity_id": entity,
                    "joined_by": JoinedBy.BATCH,
                    "joined_at": now,
                }
            )
        else:
            session.execute(
                update(EntityMember)
                .where(EntityMember.person_record_id == uuid.UUID(rid))
                .values(entity_id=entity, joined_by=JoinedBy.BATCH, joined_at=now)
            )
    for start in range(0, len(new_members), WRITE_CHUNK):
        session.execute(insert(EntityMember), new_members[start : start + WRITE_CHUNK])
    session.execute(
        delete(PersonEntity).where(~PersonEntity.id.in_(select(EntityMember.entity_id).distinct()))
    )
    return _batch_decisions(session, target, current, moved_into, pairs, holders, matcher, records)


def _batch_decisions(
    session: Session,
    target: Mapping[str, uuid.UUID],
    current: Mapping[str, uuid.UUID],
    moved_into: Mapping[uuid.UUID, list[str]],
    pairs: Mapping[str, list[tuple[str, str]]],
    holders: Mapping[str, uuid.UUID],
    matcher: realtime.Matcher,
    records: Mapping[str, scoring.Record],
) -> list[AuditEvent]:
    """A decision per entity that gained records, with the strongest pair as its evidence."""
    best: dict[uuid.UUID, tuple[str, str]] = {}
    for a, b in pairs["auto"]:  # strongest first
        entity = target[a]
        if entity == target[b] and entity not in best:
            best[entity] = (a, b)
    now = utc_now()
    events: list[AuditEvent] = []
    decisions: list[dict[str, Any]] = []
    evidence_pairs: list[tuple[uuid.UUID, str, str]] = []
    sizes = Counter(target.values())
    for entity, moved in moved_into.items():
        stayed = sizes[entity] - len(moved)
        if not stayed and len(moved) == 1:
            continue  # a record alone in a new entity: nothing was linked
        moved_set = set(moved)
        if not stayed:
            founder = min(moved)  # a new entity: one record founds it, the others join
            moved_set.discard(founder)
        if not moved_set:
            continue
        pair = best.get(entity)
        partner = None
        if pair is not None:
            partner = pair[1] if pair[0] in moved_set else pair[0]
            evidence_pairs.append((entity, pair[0], pair[1]))
        sources = {current.get(r) for r in moved_set}
        decisions.append(
            {
                "id": new_id(),
                "kind": DecisionKind.BATCH,
                "entity_id": entity,
                "from_entity_id": sources.pop() if len(sources) == 1 else None,
                "moved_record_ids": sorted(moved_set),
                "partner_record_id": uuid.UUID(partner) if partner else None,
                "evidence": [],
                "match_probability": None,
                "note": "",
                "created_at": now,
            }
        )
        for rid in sorted(moved_set):
            events.append(
                realtime.linked_event(uuid.UUID(rid), holders[rid], entity, None, "batch")
            )
    _attach_evidence(decisions, evidence_pairs, matcher, records)
    for start in range(0, len(decisions), WRITE_CHUNK):
        session.execute(insert(LinkDecision), decisions[start : start + WRITE_CHUNK])
    return events


def _attach_evidence(
    decisions: list[dict[str, Any]],
    evidence_pairs: list[tuple[uuid.UUID, str, str]],
    matcher: realtime.Matcher,
    records: Mapping[str, scoring.Record],
) -> None:
    """Each decision's evidence: the strongest pair inside its entity, scored as in real time."""
    scored = matcher.scorer.score_pairs([(records[a], records[b]) for _, a, b in evidence_pairs])
    by_entity = {entity: s for (entity, _, _), s in zip(evidence_pairs, scored, strict=True)}
    for d in decisions:
        s = by_entity.get(d["entity_id"])
        if s is not None:
            d["evidence"] = [e.as_dict() for e in s.evidence]
            d["match_probability"] = s.match_probability


def _write_reviews(
    session: Session,
    review_pairs: Sequence[tuple[str, str]],
    target: Mapping[str, uuid.UUID],
    matcher: realtime.Matcher,
    records: Mapping[str, scoring.Record],
    thresholds: realtime.Thresholds,
    vetoes: Mapping[tuple[uuid.UUID, uuid.UUID], str],
) -> int:
    open_pairs = [
        realtime.ordered(uuid.UUID(a), uuid.UUID(b))
        for a, b in review_pairs
        if target[a] != target[b]
    ]
    existing = {
        (r.record_a_id, r.record_b_id)
        for r in session.execute(select(LinkReview.record_a_id, LinkReview.record_b_id))
    }
    fresh = [p for p in open_pairs if p not in existing]
    scored = matcher.scorer.score_pairs([(records[str(a)], records[str(b)]) for a, b in fresh])
    now = utc_now()
    rows = [
        {
            "id": new_id(),
            "record_a_id": a,
            "record_b_id": b,
            "match_probability": s.match_probability,
            "match_weight": s.match_weight,
            "evidence": [e.as_dict() for e in s.evidence],
            "reason": (
                f"household rule: {vetoes[(a, b)]}"
                if (a, b) in vetoes
                else realtime.review_reason(replace(s, veto=None), thresholds)
            ),
            "status": ReviewStatus.PENDING,
            "created_at": now,
            "note": "",
        }
        for (a, b), s in zip(fresh, scored, strict=True)
    ]
    for start in range(0, len(rows), WRITE_CHUNK):
        session.connection().execute(insert(LinkReview), rows[start : start + WRITE_CHUNK])
    added = len(rows)
    # Pending pairs that the run put in one entity have nothing left to decide.
    pending = session.execute(
        select(LinkReview.id, LinkReview.record_a_id, LinkReview.record_b_id).where(
            LinkReview.status == ReviewStatus.PENDING
        )
    ).all()
    settled = [
        r.id
        for r in pending
        if target.get(str(r.record_a_id)) is not None
        and target.get(str(r.record_a_id)) == target.get(str(r.record_b_id))
    ]
    if settled:
        session.execute(
            update(LinkReview)
            .where(LinkReview.id.in_(settled))
            .values(status=ReviewStatus.SETTLED, decided_at=utc_now())
        )
    return added


def _rebuild_index(
    session: Session,
    matcher: realtime.Matcher,
    records: Mapping[str, scoring.Record],
    progress: Progress,
) -> None:
    progress("rebuilding the blocking-key index")
    session.execute(delete(BlockKey))
    rows: list[dict[str, Any]] = []
    for rid, rec in records.items():
        record_id = uuid.UUID(rid)
        rows += [{"key": k, "person_record_id": record_id} for k in matcher.keys.stored(rec)]
        if len(rows) >= WRITE_CHUNK * 4:
            session.connection().execute(insert(BlockKey), rows)
            rows = []
    if rows:
        session.connection().execute(insert(BlockKey), rows)
    session.execute(delete(TermFrequency))
    tf = _tf_rows(records, matcher.tf_columns)
    for start in range(0, len(tf), WRITE_CHUNK):
        session.connection().execute(insert(TermFrequency), tf[start : start + WRITE_CHUNK])
