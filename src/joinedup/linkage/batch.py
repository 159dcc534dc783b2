"""Batch linkage: deduplicate one source or link two, cluster at the automatic threshold.

Pairs at or above ``threshold_auto`` are merged automatically (connected components) unless the
household veto applies (LNK-1, ``rules.household_veto``): first names unlike, or a date of birth
missing or not the same (a transposed day and month or one typo allowed). Twins, a father and son
sharing a name and siblings at one address are the cases the veto exists for. A pair held back
only because one date of birth is missing follows ``missing_dob`` (``rules.MISSING_DOB_CHOICES``):
by default it merges when the record without a date of birth can be only one person
(``decisions.guard_sql``). Vetoed pairs and pairs between ``threshold_review`` and
``threshold_auto`` are returned for human review; they never merge on their own.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from joinedup.linkage import decisions, engines, rules
from joinedup.linkage import model as lm

if TYPE_CHECKING:
    import pandas as pd

DEFAULT_THRESHOLD_AUTO = 0.99
DEFAULT_THRESHOLD_REVIEW = 0.5


@dataclass
class LinkageResult:
    """Clusters (``unique_id, cluster_id``; ``source_dataset`` too when linking) and pairs."""

    clusters: pd.DataFrame
    pairs: pd.DataFrame
    model: dict[str, Any]
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def auto_pairs(self) -> pd.DataFrame:
        return self.pairs[self.pairs["decision"] == "auto"]

    @property
    def review_pairs(self) -> pd.DataFrame:
        return self.pairs[self.pairs["decision"] == "review"]


def _as_frame(data: pd.DataFrame | str | Path) -> pd.DataFrame:
    import pandas as pd

    if isinstance(data, pd.DataFrame):
        return data
    return lm.read_csv(data)


def _complete(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Add the model's columns the input lacks, as missing values (they weigh nothing)."""
    import pandas as pd

    out = frame.copy()
    for column in columns:
        if column not in out.columns:
            out[column] = None
    if "address" in columns and "address_words" not in out.columns:
        # The address's derived word signature (``rules.word_signature``), missing too.
        out["address_words"] = pd.array([None] * len(out), dtype="Int64")
    return out


def run(
    frames: list[pd.DataFrame],
    *,
    model: dict[str, Any] | None = None,
    threshold_auto: float = DEFAULT_THRESHOLD_AUTO,
    threshold_review: float = DEFAULT_THRESHOLD_REVIEW,
    household_veto: bool = True,
    missing_dob: str = rules.DEFAULT_MISSING_DOB,
    progress: lm.Progress = lm._quiet,
    engine: str = engines.DEFAULT_ENGINE,
) -> LinkageResult:
    """Prepare, train when no model is given, predict, decide and cluster ``frames``.

    ``engine`` ("duckdb" or "spark") runs the scoring and clustering; training runs on DuckDB.
    ``missing_dob`` is one of ``rules.MISSING_DOB_CHOICES``.
    """
    import pandas as pd
    from splink.clustering import cluster_pairwise_predictions_at_threshold

    if not 0 < threshold_review <= threshold_auto <= 1:
        raise ValueError("thresholds must satisfy 0 < review <= auto <= 1")
    engines.check_engine(engine)
    rules.check_missing_dob(missing_dob)
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    progress("cleaning records")
    prepared = [lm.prepare(f) for f in frames]
    link_type = "dedupe_only" if len(prepared) == 1 else "link_only"
    if len(prepared) > 1:
        # Node ids must be unique across sources for clustering: prefix with the source.
        for i, frame in enumerate(prepared):
            frame["unique_id"] = f"s{i}:" + frame["unique_id"]
    seconds["prepare"] = time.perf_counter() - started
    if model is None:
        started = time.perf_counter()
        model = lm.train(prepared, progress=progress)
        seconds["train"] = time.perf_counter() - started
    columns = list(model[lm.HEADER_KEY]["columns"])
    prepared = [_complete(f, columns) for f in prepared]
    started = time.perf_counter()
    progress("scoring candidate pairs")
    api = engines.db_api(engine)
    linker = lm.linker_for(
        engines.tables_for(prepared, engine),
        engines.settings_for(lm.for_link_type(model, link_type), engine),
        api,
    )
    predictions = linker.inference.predict(threshold_match_probability=threshold_review)
    pairs = decisions.decide(
        predictions,
        model[lm.SETTINGS_KEY],
        threshold_auto=threshold_auto,
        household_veto=household_veto,
        missing_dob=missing_dob,
    )
    seconds["predict"] = time.perf_counter() - started
    started = time.perf_counter()
    progress("clustering")
    nodes = pd.concat([f[["unique_id"]] for f in prepared], ignore_index=True)
    edges = pairs.loc[pairs["decision"] == "auto", ["unique_id_l", "unique_id_r"]]
    nodes, edges = engines.tables_for([nodes, edges], engine)
    clustered = cluster_pairwise_predictions_at_threshold(
        nodes, edges, api, node_id_column_name="unique_id"
    ).as_pandas_dataframe()
    clusters = clustered[["unique_id", "cluster_id"]].copy()
    if len(prepared) > 1:
        split = clusters["unique_id"].str.split(":", n=1, expand=True)
        clusters = pd.DataFrame(
            {
                "source_dataset": split[0],
                "unique_id": split[1],
                "cluster_id": clusters["cluster_id"],
            }
        )
        for side in ("l", "r"):
            pairs[f"unique_id_{side}"] = pairs[f"unique_id_{side}"].str.split(":", n=1).str[1]
    seconds["cluster"] = time.perf_counter() - started
    return LinkageResult(clusters=clusters, pairs=pairs, model=model, seconds=seconds)


def dedupe(
    data: pd.DataFrame | str | Path,
    *,
    model: dict[str, Any] | None = None,
    threshold_auto: float = DEFAULT_THRESHOLD_AUTO,
    threshold_review: float = DEFAULT_THRESHOLD_REVIEW,
    household_veto: bool = True,
    missing_dob: str = rules.DEFAULT_MISSING_DOB,
    progress: lm.Progress = lm._quiet,
    engine: str = engines.DEFAULT_ENGINE,
) -> LinkageResult:
    """Deduplicate one source (a DataFrame or a contract CSV path)."""
    return run(
        [_as_frame(data)],
        model=model,
        threshold_auto=threshold_auto,
        threshold_review=threshold_review,
        household_veto=household_veto,
        missing_dob=missing_dob,
        progress=progress,
        engine=engine,
    )


def link(
    left: pd.DataFrame | str | Path,
    right: pd.DataFrame | str | Path,
    *,
    model: dict[str, Any] | None = None,
    threshold_auto: float = DEFAULT_THRESHOLD_AUTO,
    threshold_review: float = DEFAULT_THRESHOLD_REVIEW,
    household_veto: bool = True,
    missing_dob: str = rules.DEFAULT_MISSING_DOB,
    progress: lm.Progress = lm._quiet,
    engine: str = engines.DEFAULT_ENGINE,
) -> LinkageResult:
    """Link two sources (``link_only``: no pairs within a source are scored)."""
    return run(
        [_as_frame(left), _as_frame(right)],
        model=model,
        threshold_auto=threshold_auto,
        threshold_review=threshold_review,
        household_veto=household_veto,
        missing_dob=missing_dob,
        progress=progress,
        engine=engine,
    )
