"""Measured accuracy: pairwise precision, recall and F1 of a linkage run against the truth."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from joinedup.linkage import batch, febrl, rules

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True, slots=True)
class Measured:
    """One evaluation: what was linked, how, and the figures."""

    dataset: str
    identifier: bool
    household_veto: bool
    scores: rules.PairwiseScores
    clusters: int
    seconds: float


def score(result: batch.LinkageResult, frames: list[pd.DataFrame]) -> rules.PairwiseScores:
    """Pairwise scores of ``result`` against the ``truth`` column of the input ``frames``."""
    truth: dict[tuple[str, str], str] = {}
    for i, frame in enumerate(frames):
        source = f"s{i}" if len(frames) > 1 else ""
        for uid, person in zip(frame["unique_id"], frame["truth"], strict=True):
            truth[(source, str(uid))] = str(person)
    clusters = result.clusters
    sources = clusters["source_dataset"] if "source_dataset" in clusters else [""] * len(clusters)
    return rules.pairwise_scores(
        [str(c) for c in clusters["cluster_id"]],
        [truth[(s, str(u))] for s, u in zip(sources, clusters["unique_id"], strict=True)],
    )


def febrl_runs(*, identifier: bool = False, threshold: float = 0.99) -> list[Measured]:
    """FEBRL3 (dedupe) and FEBRL4 (link), with and without the household veto.

    Each dataset is trained once, without labels; the veto-off run reuses the model.
    """
    datasets: list[tuple[str, list[pd.DataFrame]]] = [
        ("FEBRL3 dedupe", [febrl.febrl3(with_identifier=identifier)]),
        ("FEBRL4 link", list(febrl.febrl4(with_identifier=identifier))),
    ]
    measured: list[Measured] = []
    for name, frames in datasets:
        model = None
        for veto in (True, False):
            started = time.perf_counter()
            result = batch.run(frames, model=model, threshold_auto=threshold, household_veto=veto)
            seconds = time.perf_counter() - started
            model = result.model
            measured.append(
                Measured(
                    dataset=name,
                    identifier=identifier,
                    household_veto=veto,
                    scores=score(result, frames),
                    clusters=int(result.clusters["cluster_id"].nunique()),
                    seconds=seconds,
                )
            )
    return measured


def demo_records(seed: int = 2026, people: int = 5000) -> pd.DataFrame:
    """The demo partnership's person records (``docs/demo.md``) in the CSV contract + truth."""
    import pandas as pd

    from joinedup.demo.groundtruth import plan

    rows = [
        {
            "unique_id": f"{r.organisation}|{r.reference}",
            "first_name": r.first_name,
            "surname": r.surname,
            "dob": r.date_of_birth.isoformat() if r.date_of_birth else "",
            "postcode": r.address.postcode,
            "gender": "" if r.gender.value == "not_known" else r.gender.value,
            "address": f"{r.address.line} {r.address.town}",
            "truth": r.person_id,
        }
        for r in plan(seed, people).population.records
    ]
    return pd.DataFrame(rows)


# The demo and synthetic runs: (label, household veto, what a missing date of birth does).
MISSING_DOB_RUNS: tuple[tuple[str, bool, str], ...] = (
    ("veto, missing dob: review", True, rules.MISSING_DOB_REVIEW),
    ("veto, missing dob: one-person (default)", True, rules.MISSING_DOB_ONE_PERSON),
    ("veto, missing dob: score", True, rules.MISSING_DOB_SCORE),
    ("no veto", False, rules.MISSING_DOB_REVIEW),
)


def _runs(
    name: str, frame: pd.DataFrame, threshold: float, engine: str = "duckdb"
) -> list[Measured]:
    """``frame`` linked once per ``MISSING_DOB_RUNS`` entry; trained once, without labels."""
    frames = [frame]
    model = None
    measured: list[Measured] = []
    for label, veto, missing_dob in MISSING_DOB_RUNS:
        started = time.perf_counter()
        result = batch.run(
            frames,
            model=model,
            threshold_auto=threshold,
            household_veto=veto,
            missing_dob=missing_dob,
            engine=engine,
        )
        model = result.model
        measured.append(
            Measured(
                dataset=f"{name} ({label})",
                identifier=False,
                household_veto=veto,
                scores=score(result, frames),
                clusters=int(result.clusters["cluster_id"].nunique()),
                seconds=time.perf_counter() - started,
            )
        )
    return measured


def demo_runs(seed: int = 2026, people: int = 5000, threshold: float = 0.99) -> list[Measured]:
    """The demo population: each way of treating a missing date of birth, and no veto."""
    return _runs("demo", demo_records(seed, people), threshold)


def synthetic_runs(
    records: int = 30_000, seed: int = 2026, threshold: float = 0.99
) -> list[Measured]:
    """Synthetic households (``linkage.synthetic``): the same runs as ``demo_runs``."""
    from joinedup.linkage import synthetic

    return _runs(f"synthetic {records:,}", synthetic.records(records, seed=seed), threshold)
