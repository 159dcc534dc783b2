"""The demo's ground truth: which records are the same person, the stories and the traps.

Built from the seed alone, without a database, so tests can check linkage and alerts against it.
The schema is documented in ``docs/demo.md``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from joinedup.config import REPO_ROOT
from joinedup.demo.hardcases import add_hard_cases
from joinedup.demo.model import IncidentSpec, Population, RecordCopy
from joinedup.demo.population import Builder, add_benchmark_person, add_ordinary_people
from joinedup.demo.stories import add_stories

GROUND_TRUTH_PATH = REPO_ROOT / "var" / "demo" / "ground-truth.json"
SCHEMA_VERSION = 1


def plan(seed: int, people: int) -> Builder:
    """Plan the whole population for ``seed``: traps, stories, the benchmark person, the rest."""
    builder = Builder(seed)
    add_hard_cases(builder)
    add_stories(builder)
    add_benchmark_person(builder)
    add_ordinary_people(builder, max(0, people - len(builder.population.persons)))
    return builder


def _ref(record: RecordCopy) -> dict[str, str]:
    return {"organisation": record.organisation, "reference": record.reference}


def _incident_ref(spec: IncidentSpec) -> dict[str, str]:
    return {"organisation": spec.organisation, "reference": spec.reference}


def ground_truth_of(population: Population, people: int) -> dict[str, Any]:
    """The ground truth of a planned population, as JSON-ready data."""
    benchmark = population.benchmark
    return {
        "schema_version": SCHEMA_VERSION,
        "seed": population.seed,
        "people_requested": people,
        "true_people": len(population.persons),
        "records": [
            {**_ref(r), "person_id": r.person_id, "variations": list(r.variations)}
            for r in population.records
        ],
        "stories": [
            {
                "id": s.id,
                "kind": s.kind,
                "description": s.description,
                "person_ids": list(s.person_ids),
                "records": [_ref(r) for r in s.records],
                "incidents": [_incident_ref(i) for i in s.incidents],
            }
            for s in population.stories
        ],
        "hard_cases": [
            {
                "kind": h.kind,
                "person_ids": list(h.person_ids),
                "records": [_ref(r) for r in h.records],
            }
            for h in population.hard_cases
        ],
        "benchmark_person": None
        if benchmark is None
        else {
            **_ref(benchmark),
            "person_id": benchmark.person_id,
            "involvements": len(population.benchmark_incidents),
        },
    }


def build_ground_truth(seed: int, people: int) -> dict[str, Any]:
    """The ground truth ``joinedup demo load --seed SEED --people PEOPLE`` writes."""
    return ground_truth_of(plan(seed, people).population, people)


def write_ground_truth(truth: dict[str, Any], path: Path = GROUND_TRUTH_PATH) -> Path:
    """Write the ground truth as JSON (stable key order, so runs can be compared with diff)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(truth, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path
