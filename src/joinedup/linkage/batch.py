"""Batch linkage: deduplicate one source or link two, cluster at the automatic threshold.

Pairs at or above ``threshold_auto`` are merged automatically (connected components) unless the
household veto applies (LNK-1, ``rules.household_veto``): first names unlike, or a date of birth
missing or not the same (a transposed day and month or one typo allowed). Twins, a father and son
sharing a name and siblings at one address are the cases the veto exists for. Vetoed pairs and
pairs between ``threshold_review`` and ``threshold_auto`` are returned for human review; they never
merge on their own.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from joinedup.linkage import model as lm
from joinedup.linkage import rules

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
    out = frame.copy()
    for column in columns:
        if column not in out.columns:
            out[column] = None
    return out


def _level_labels(splink_settings: dict[str, Any], column: str) -> dict[int, str | None]:
    """gamma value → level label for one comparison (-1, the null level, → None)."""
    for comparison in splink_settings["comparisons"]:
        if comparison["output_column_name"] == column:
            levels = [lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")]
            found: dict[int, str | None] = {-1: None}
            for index, level in enumerate(levels):
                found[len(levels) - 1 - index] = level["label_for_charts"]
            return found
    return {}


def _decide(
    pairs: pd.DataFrame,
    threshold_auto: float,
    household_veto: bool,
    model: dict[str, Any],
    allow_missing_dob: bool = False,
) -> pd.DataFrame:
    out = pairs.copy()
    out["veto"] = None
    if household_veto and len(out):
        settings = model[lm.SETTINGS_KEY]
        columns = ["first_name", "dob", "identifier"]
        labels = {c: _level_labels(settings, c) for c in columns}
        present = [c for c in columns if f"gamma_{c}" in out.columns]
        gammas = out[[f"gamma_{c}" for c in present]]
        reasons = {
            key: rules.household_veto(
                *[labels[c].get(int(g)) for c, g in zip(present, key, strict=True)],
                allow_missing_dob=allow_missing_dob,
            )
            for key in gammas.drop_duplicates().itertuples(index=False, name=None)
        }
        out["veto"] = [reasons[key] for key in gammas.itertuples(index=False, name=None)]
    out["vetoed"] = out["veto"].notna()
    auto = (out["match_probability"] >= threshold_auto) & ~out["vetoed"]
    out["decision"] = "review"
    out.loc[auto, "decision"] = "auto"
    return out


def run(
    frames: list[pd.DataFrame],
    *,
    model: dict[str, Any] | None = None,
    threshold_auto: float = DEFAULT_THRESHOLD_AUTO,
    threshold_review: float = DEFAULT_THRESHOLD_REVIEW,
    household_veto: bool = True,
    allow_missing_dob: bool = False,
    progress: lm.Progress = lm._quiet,
) -> LinkageResult:
    """Prepare, train when no model is given, predict, decide and cluster ``frames``."""
    import pandas as pd
    from splink.clustering import cluster_pairwise_predictions_at_threshold

    if not 0 < threshold_review <= threshold_auto <= 1:
        raise ValueError("thresholds must satisfy 0 < review <= auto <= 1")
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
    api = lm.db_api()
    linker = lm.linker_for(prepared, lm.for_link_type(model, link_type), api)
    predictions = linker.inference.predict(threshold_match_probability=threshold_review)
    pairs = _decide(
        predictions.as_pandas_dataframe(), threshold_auto, household_veto, model, allow_missing_dob
    )
    seconds["predict"] = time.perf_counter() - started
    started = time.perf_counter()
    progress("clustering")
    nodes = pd.concat([f[["unique_id"]] for f in prepared], ignore_index=True)
    edges = pairs.loc[pairs["decision"] == "auto", ["unique_id_l", "unique_id_r"]]
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
    allow_missing_dob: bool = False,
    progress: lm.Progress = lm._quiet,
) -> LinkageResult:
    """Deduplicate one source (a DataFrame or a contract CSV path)."""
    return run(
        [_as_frame(data)],
        model=model,
        threshold_auto=threshold_auto,
        threshold_review=threshold_review,
        household_veto=household_veto,
        allow_missing_dob=allow_missing_dob,
        progress=progress,
    )


def link(
    left: pd.DataFrame | str | Path,
    right: pd.DataFrame | str | Path,
    *,
    model: dict[str, Any] | None = None,
    threshold_auto: float = DEFAULT_THRESHOLD_AUTO,
    threshold_review: float = DEFAULT_THRESHOLD_REVIEW,
    household_veto: bool = True,
    allow_missing_dob: bool = False,
    progress: lm.Progress = lm._quiet,
) -> LinkageResult:
    """Link two sources (``link_only``: no pairs within a source are scored)."""
    return run(
        [_as_frame(left), _as_frame(right)],
        model=model,
        threshold_auto=threshold_auto,
        threshold_review=threshold_review,
        household_veto=household_veto,
        allow_missing_dob=allow_missing_dob,
        progress=progress,
    )
