"""Automatic or review: the household veto and the threshold applied to scored pairs in SQL.

The veto depends only on the levels a pair reached in the first-name, date-of-birth and
identifier comparisons, so ``rules.household_veto`` is evaluated once for every combination
of those levels (a few hundred at most) and the answers become one SQL expression over the
``gamma_*`` columns. The pairs never leave the database to be decided; the same SQL runs on
DuckDB and Spark.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any

from joinedup.linkage import rules

if TYPE_CHECKING:
    import pandas as pd
    from splink.internals.splink_dataframe import SplinkDataFrame

# The comparisons the veto reads, in the order ``rules.household_veto`` takes them.
VETO_COLUMNS = ("first_name", "dob", "identifier")


def level_labels(splink_settings: dict[str, Any], column: str) -> dict[int, str | None]:
    """gamma value → level label for one comparison (-1, the null level, → None)."""
    for comparison in splink_settings["comparisons"]:
        if comparison["output_column_name"] == column:
            levels = [lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")]
            found: dict[int, str | None] = {-1: None}
            for index, level in enumerate(levels):
                found[len(levels) - 1 - index] = level["label_for_charts"]
            return found
    return {}


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def veto_sql(
    splink_settings: dict[str, Any], *, household_veto: bool = True, allow_missing_dob: bool = False
) -> str:
    """A SQL expression over the ``gamma_*`` columns: the veto reason of a pair, or NULL."""
    if not household_veto:
        return "CAST(NULL AS STRING)"
    labels = {c: level_labels(splink_settings, c) for c in VETO_COLUMNS}
    present = [c for c in VETO_COLUMNS if labels[c]]
    # One integer per combination of levels: gamma values run from -1 to at most 98.
    key = " + ".join(f"(gamma_{c} + 1) * {100**i}" for i, c in enumerate(present))
    by_reason: dict[str, list[int]] = {}
    for combination in itertools.product(*(sorted(labels[c]) for c in present)):
        reason = rules.household_veto(
            *[labels[c][g] for c, g in zip(present, combination, strict=True)],
            allow_missing_dob=allow_missing_dob,
        )
        if reason is not None:
            code = sum((g + 1) * 100**i for i, g in enumerate(combination))
            by_reason.setdefault(reason, []).append(code)
    if not by_reason:
        return "CAST(NULL AS STRING)"
    whens = " ".join(
        f"WHEN ({key}) IN ({', '.join(str(c) for c in codes)}) THEN {_literal(reason)}"
        for reason, codes in sorted(by_reason.items())
    )
    return f"CASE {whens} END"


def decided_sql(table: str, veto: str, threshold_auto: float) -> str:
    """``table``'s pairs with ``veto``, ``vetoed`` and ``decision`` (auto or review) added."""
    auto = f"match_probability >= CAST('{threshold_auto!r}' AS DOUBLE) AND veto IS NULL"
    return (
        "SELECT *, veto IS NOT NULL AS vetoed,"
        f" CASE WHEN {auto} THEN 'auto' ELSE 'review' END AS decision"
        f" FROM (SELECT *, {veto} AS veto FROM {table}) AS scored"
    )


def decide(
    predictions: SplinkDataFrame,
    model_settings: dict[str, Any],
    *,
    threshold_auto: float,
    household_veto: bool = True,
    allow_missing_dob: bool = False,
) -> pd.DataFrame:
    """The scored pairs with their decision, read once from the database into pandas."""
    veto = veto_sql(
        model_settings, household_veto=household_veto, allow_missing_dob=allow_missing_dob
    )
    sql = decided_sql(predictions.physical_name, veto, threshold_auto)
    pairs = predictions.db_api.query_sql(sql, output_type="pandas")
    predictions.drop_table_from_database_and_remove_from_cache()
    return pairs
