"""``joinedup bench link-realtime``: one new person record matched against a million known people.

Builds a fresh database (SQLite by default, or a new database on a PostgreSQL server) holding
``--known`` synthetic person records (``linkage.synthetic``) grouped into entities by their
truth (as if a batch run had linked them perfectly), with the blocking-key index and term
frequencies real-time matching uses. Then ``--queries`` held-out records of the same population
(about one in five another record of someone already known) are inserted one at a time, each
committed, and matched by ``realtime.match_pending`` — claim, index look-up, scoring of the
candidates with the shipped model, the decision, the ledger entry and the commit — which is
what is timed. Reports p50/p95/p99 latency, candidates per record, and how many joins were right.
"""

from __future__ import annotations

import json
import time
import uuid
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import delete, func, insert, select, text
from sqlalchemy.orm import Session

from joinedup.common.clock import utc_now
from joinedup.common.ids import new_id

console = Console(stderr=True)
CHUNK = 10_000
ORG = "Surrey Police"


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    )


def _person_row(org_id: uuid.UUID, row: dict[str, Any], record_id: uuid.UUID) -> dict[str, Any]:
    from datetime import date

    from joinedup.people.schemas import Gender

    dob = None
    try:
        dob = date.fromisoformat(row["dob"]) if row.get("dob") else None
    except ValueError:
        dob = None
    gender = {"f": Gender.FEMALE, "m": Gender.MALE, "female": Gender.FEMALE, "male": Gender.MALE}
    now = utc_now()
    return {
        "id": record_id,
        "organisation_id": org_id,
        "reference": row["unique_id"],
        "first_name": row.get("first_name") or "",
        "middle_names": "",
        "surname": row.get("surname") or "",
        "date_of_birth": dob,
        "gender": gender.get(str(row.get("gender") or "").lower(), Gender.NOT_KNOWN),
        "address_line": row.get("address") or "",
        "town": "",
        "postcode": (row.get("postcode") or "")[:10],
        "address_confidential": False,
        "vulnerability_markers": [],
        "created_at": now,
        "updated_at": now,
    }


def _load_known(session: Session, org_id: uuid.UUID, known: list[dict[str, Any]]) -> int:
    """Person records, entities by truth, the index and term frequencies; returns key rows."""
    from joinedup.linkage import realtime
    from joinedup.linkage.entities import (
        BlockKey,
        EntityMember,
        JoinedBy,
        LinkagePending,
        PersonEntity,
        TermFrequency,
    )
    from joinedup.linkage.store import _tf_rows
    from joinedup.people.models import PersonRecord

    matcher = realtime.active_matcher(session)
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("PRAGMA cache_size = -524288"))  # 512 MiB while loading
    entities: dict[str, uuid.UUID] = {}
    cleaned: dict[str, dict[str, str | int | None]] = {}
    key_rows = 0
    now = utc_now()
    with _progress() as bar:
        task = bar.add_task("loading known people", total=len(known))
        for start in range(0, len(known), CHUNK):
            chunk = known[start : start + CHUNK]
            ids = [new_id() for _ in chunk]
            people = [_person_row(org_id, r, i) for r, i in zip(chunk, ids, strict=True)]
            new_entities = []
            members = []
            keys: list[dict[str, Any]] = []
            for row, rid, person in zip(chunk, ids, people, strict=True):
                entity = entities.get(row["truth"])
                if entity is None:
                    entity = entities[row["truth"]] = new_id()
                    new_entities.append({"id": entity, "created_at": now, "updated_at": now})
                members.append(
                    {
                        "person_record_id": rid,
                        "entity_id": entity,
                        "joined_by": JoinedBy.BATCH,
                        "joined_at": now,
                    }
                )
                values = realtime.cleaned(_Row(person))
                cleaned[str(rid)] = {c: values.get(c) for c in matcher.tf_columns}
                keys += [{"key": k, "person_record_id": rid} for k in matcher.keys.stored(values)]
            conn = session.connection()
            conn.execute(insert(PersonRecord), people)
            if new_entities:
                conn.execute(insert(PersonEntity), new_entities)
            conn.execute(insert(EntityMember), members)
            keys.sort(key=lambda k: k["key"])  # index order: fewer pages touched
            conn.execute(insert(BlockKey), keys)
            key_rows += len(keys)
            session.commit()
            bar.advance(task, len(chunk))
    session.execute(delete(LinkagePending))
    tf = _tf_rows(cleaned, matcher.tf_columns)
    for start in range(0, len(tf), CHUNK):
        session.connection().execute(insert(TermFrequency), tf[start : start + CHUNK])
    session.commit()
    return key_rows


class _Row:
    """Attribute access over a person row dictionary (as ``realtime.cleaned`` expects)."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.__dict__.update(values)


@contextmanager
def _database(database_url: str, reuse: Path | None) -> Iterator[str]:
    from joinedup.incidents.bench import fresh_database
    from joinedup.migrations_state import upgrade

    if reuse is None:
        with fresh_database(database_url) as url:
            yield url
        return
    url = f"sqlite:///{reuse}"
    upgrade(url)
    yield url


def measure(
    database_url: str, known: int, queries: int, seed: int, reuse: Path | None = None
) -> dict[str, Any]:
    """Build the database (or reuse one built before), then time single-record matches."""
    from joinedup.db import engine_for, session_factory
    from joinedup.incidents.bench import _organisation
    from joinedup.linkage import realtime, synthetic
    from joinedup.linkage.entities import BlockKey
    from joinedup.partners.models import Organisation
    from joinedup.people.models import PersonRecord

    started = time.perf_counter()
    frame = synthetic.records(known + queries, seed=seed)
    rows = frame.to_dict("records")
    held_out, known_rows = rows[:queries], rows[queries:]
    generated = time.perf_counter() - started
    with _database(database_url, reuse) as url:
        factory = session_factory(engine_for(url))
        with factory() as session:
            org_id = session.scalar(select(Organisation.id).where(Organisation.name == ORG))
            started = time.perf_counter()
            built = org_id is None
            if built:
                org_id = _organisation(url, ORG, "police")
                key_rows = _load_known(session, org_id, known_rows)
            else:
                key_rows = int(session.scalar(select(func.count()).select_from(BlockKey)) or 0)
            assert org_id is not None
            loaded = time.perf_counter() - started
            truth_of = {r["unique_id"]: r["truth"] for r in rows}
            known_truths = {r["truth"] for r in known_rows}
            latencies: list[float] = []
            in_transaction: list[float] = []
            outcomes: Counter[str] = Counter()
            with _progress() as bar:
                task = bar.add_task("matching new records", total=len(held_out))
                run = uuid.uuid4().hex[:6]
                for row in held_out:
                    rid = new_id()
                    row = dict(row, unique_id=f"{row['unique_id']}-{run}")
                    session.connection().execute(
                        insert(PersonRecord), [_person_row(org_id, row, rid)]
                    )
                    session.commit()
                    one = time.perf_counter()
                    summary = realtime.match_pending(session, limit=1)
                    latencies.append((time.perf_counter() - one) * 1000)
                    in_transaction += summary.latencies_ms
                    if built:  # a reused database holds another draw's people: not judged
                        outcomes[
                            _judge(session, rid, row, truth_of, known_truths, summary.joined)
                        ] += 1
                    else:
                        outcomes["joined" if summary.joined else "not joined"] += 1
                    bar.advance(task)
    pct = realtime.percentile
    return {
        "known_records": len(known_rows),
        "queries": len(held_out),
        "index_rows": key_rows,
        "generate_s": round(generated, 1),
        "load_s": round(loaded, 1),
        "p50_ms": round(pct(latencies, 0.50), 2),
        "p95_ms": round(pct(latencies, 0.95), 2),
        "p99_ms": round(pct(latencies, 0.99), 2),
        "max_ms": round(max(latencies), 2),
        "match_only_p95_ms": round(pct(in_transaction, 0.95), 2),
        "outcomes": dict(outcomes),
    }


def _judge(
    session: Session,
    rid: uuid.UUID,
    row: dict[str, Any],
    truth_of: dict[str, str],
    known_truths: set[str],
    joined: int,
) -> str:
    """Whether the record's outcome agrees with the synthetic truth."""
    from joinedup.linkage import realtime
    from joinedup.people.models import PersonRecord

    if not joined:
        return (
            "new entity, person already known"
            if row["truth"] in known_truths
            else ("new entity, new person")
        )
    entity = realtime.entity_of(session, rid)
    assert entity is not None
    others = [m for m in realtime.members_of(session, entity) if m != rid]
    refs = session.scalars(select(PersonRecord.reference).where(PersonRecord.id.in_(others)))
    right = all(truth_of.get(ref) == row["truth"] for ref in refs)
    return "joined, right person" if right else "joined, WRONG person"


def link_realtime(
    known: Annotated[int, typer.Option(help="Known person records.")] = 1_000_000,
    queries: Annotated[int, typer.Option(help="New records matched one at a time.")] = 1000,
    seed: Annotated[int, typer.Option(help="Generator seed.")] = 2026,
    database_url: Annotated[
        str, typer.Option(help="A PostgreSQL server URL (a scratch database is made); else SQLite.")
    ] = "",
    reuse: Annotated[
        Path | None,
        typer.Option(help="An SQLite file: built on the first run, reused (known people kept)."),
    ] = None,
) -> dict[str, Any]:
    """p95 latency of matching one new person record against KNOWN people (real time)."""
    from joinedup.bench import machine

    result = measure(database_url, known, queries, seed, reuse) | {
        "database": "postgresql" if database_url.startswith("postgresql") else "sqlite",
        "machine": machine(),
    }
    Console().print_json(json.dumps(result))
    return result


def entity_scores(session: Session, truth: Mapping[tuple[str, str], str]) -> Any:
    """Pairwise precision and recall of the stored entities against ``truth``
    ((organisation name, reference) → true person)."""
    from joinedup.linkage.entities import EntityMember
    from joinedup.linkage.rules import pairwise_scores
    from joinedup.partners.models import Organisation
    from joinedup.people.models import PersonRecord

    rows = session.execute(
        select(Organisation.name, PersonRecord.reference, EntityMember.entity_id)
        .join(PersonRecord, PersonRecord.organisation_id == Organisation.id)
        .outerjoin(EntityMember, EntityMember.person_record_id == PersonRecord.id)
    ).all()
    known = [
        (str(e) if e else f"alone:{o}|{r}", truth[(o, r)]) for o, r, e in rows if (o, r) in truth
    ]
    return pairwise_scores([k for k, _ in known], [t for _, t in known])


def link_database(
    people: Annotated[int, typer.Option(help="True people in the demo.")] = 5000,
    seed: Annotated[int, typer.Option(help="Demo seed.")] = 2026,
    database_url: Annotated[
        str, typer.Option(help="A PostgreSQL server URL (a scratch database is made); else SQLite.")
    ] = "",
) -> list[dict[str, Any]]:
    """The demo partnership linked in its database, by batch and by real time, against truth."""
    import tempfile

    from joinedup.bench import machine
    from joinedup.db import engine_for, session_factory
    from joinedup.demo.loader import load_demo
    from joinedup.incidents.bench import fresh_database
    from joinedup.linkage import realtime, store

    results: list[dict[str, Any]] = []
    for how in ("batch", "real time"):
        with fresh_database(database_url) as url, tempfile.TemporaryDirectory() as tmp:
            truth_path = Path(tmp) / "truth.json"
            with session_factory(engine_for(url))() as session:
                with console.status(f"{how}: loading the demo"):
                    load_demo(
                        session,
                        seed=seed,
                        people=people,
                        police_uk=False,
                        ground_truth_path=truth_path,
                    )
                started = time.perf_counter()
                with console.status(f"{how}: linking") as status:
                    if how == "batch":
                        store.run(session, progress=status.update)
                        latencies: list[float] = []
                    else:
                        latencies = realtime.match_pending(session).latencies_ms
                seconds = time.perf_counter() - started
                truth = {
                    (r["organisation"], r["reference"]): str(r["person_id"])
                    for r in json.loads(truth_path.read_text())["records"]
                }
                scores = entity_scores(session, truth)
            results.append(
                {
                    "how": how,
                    "records": len(truth),
                    "precision": round(scores.precision, 4),
                    "recall": round(scores.recall, 4),
                    "f1": round(scores.f1, 4),
                    "seconds": round(seconds, 1),
                    **(
                        {"p95_ms_per_record": round(realtime.percentile(latencies, 0.95), 2)}
                        if latencies
                        else {}
                    ),
                    "database": "postgresql" if database_url.startswith("postgresql") else "sqlite",
                    "machine": machine(),
                }
            )
    Console().print_json(json.dumps(results))
    return results


def register(app: typer.Typer) -> None:
    """Add the real-time matching benchmark to ``joinedup bench``."""
    app.command("link-realtime")(link_realtime)
    app.command("link-database")(link_database)
