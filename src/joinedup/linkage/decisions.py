"""Automatic or review: the household veto and the threshold applied to scored pairs in SQL.

The veto depends only on the levels a pair reached in the first-name, date-of-birth and
identifier comparisons, so ``rules.household_veto`` is evaluated once for every combination
of those levels (a few hundred at most) and the answers become one SQL expression over the
``gamma_*`` columns. The pairs never leave the database to be decided; the same SQL runs on
DuckDB and Spark.

A pair held back only because one date of birth is missing needs more than its own levels:
whether the record without a date of birth can be only one person (``rules.one_person``)
depends on every candidate that record reaches. ``guard_sql`` answers it over the whole
table of scored pairs (its candidates, and the pairs between them), still in SQL.
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


def _at_least(threshold: float) -> str:
    return f"CAST('{threshold!r}' AS DOUBLE)"


def _decision_columns(threshold_auto: float) -> str:
    auto = f"match_probability >= {_at_least(threshold_auto)} AND veto IS NULL"
    return f"veto IS NOT NULL AS vetoed, CASE WHEN {auto} THEN 'auto' ELSE 'review' END AS decision"


def decided_sql(table: str, veto: str, threshold_auto: float) -> str:
    """``table``'s pairs with ``veto``, ``vetoed`` and ``decision`` (auto or review) added."""
    return (
        f"SELECT *, {_decision_columns(threshold_auto)}"
        f" FROM (SELECT *, {veto} AS veto FROM {table}) AS scored"
    )


def same_dob_gammas(splink_settings: dict[str, Any]) -> list[int]:
    """The date-of-birth levels that count as the same date (``rules.SAME_DOB``)."""
    labels = level_labels(splink_settings, "dob")
    return sorted(g for g, label in labels.items() if label in rules.SAME_DOB)


def guard_sql(table: str, splink_settings: dict[str, Any], threshold_auto: float) -> str:
    """``table``'s pairs decided with the household veto and the ambiguity guard.

    A pair the veto stops only because a date of birth is missing (``rules.DOB_MISSING``, but
    none with missing dates of birth allowed) at or above ``threshold_auto`` merges unless a
    record of the pair without a date of birth is *ambiguous*: two of the records it reaches
    at ``threshold_auto`` (with missing dates of birth allowed) are vetoed against each other
    as different people (``rules.CONFLICTING``), or both have a date of birth and no scored
    pair shows them to be one person (a date-of-birth level in ``rules.SAME_DOB``, or an
    automatic pair). Then its veto is ``rules.DOB_MISSING_AMBIGUOUS``. Every other pair keeps
    the strict veto. Without a date-of-birth comparison the guard has nothing to go on and the
    strict veto applies.
    """
    strict = veto_sql(splink_settings)
    same_dob = same_dob_gammas(splink_settings)
    if not level_labels(splink_settings, "dob") or not same_dob:
        return decided_sql(table, strict, threshold_auto)
    relaxed = veto_sql(splink_settings, allow_missing_dob=True)
    above = f"match_probability >= {_at_least(threshold_auto)}"
    conflicting = ", ".join(_literal(r) for r in sorted(rules.CONFLICTING))
    reached = f"{above} AND ({relaxed}) IS NULL"
    same = (
        f"(gamma_dob IN ({', '.join(str(g) for g in same_dob)})"
        f" OR ({above} AND ({strict}) IS NULL))"
    )
    conflict = f"COALESCE(({strict}) IN ({conflicting}), FALSE)"
    held_back = f"({strict}) = {_literal(rules.DOB_MISSING)} AND ({relaxed}) IS NULL AND {above}"
    return (
        # What each record without a date of birth reaches at the automatic threshold.
        "WITH reach AS ("
        "SELECT unique_id_l AS node, unique_id_r AS cand, dob_r IS NOT NULL AS cand_dob"
        f" FROM {table} WHERE dob_l IS NULL AND {reached}"
        " UNION ALL"
        " SELECT unique_id_r AS node, unique_id_l AS cand, dob_l IS NOT NULL AS cand_dob"
        f" FROM {table} WHERE dob_r IS NULL AND {reached}),"
        # What the scored pairs say about two records, both ways round.
        " rel AS ("
        f"SELECT unique_id_l AS a, unique_id_r AS b, {same} AS same, {conflict} AS conflict"
        f" FROM {table}"
        " UNION ALL"
        f" SELECT unique_id_r AS a, unique_id_l AS b, {same} AS same, {conflict} AS conflict"
        f" FROM {table}),"
        # Records without a date of birth that could be more than one person.
        " ambiguous AS ("
        "SELECT DISTINCT r1.node AS node FROM reach AS r1"
        " JOIN reach AS r2 ON r1.node = r2.node AND r1.cand < r2.cand"
        " LEFT JOIN rel ON rel.a = r1.cand AND rel.b = r2.cand"
        " WHERE COALESCE(rel.conflict, FALSE)"
        " OR (r1.cand_dob AND r2.cand_dob AND NOT COALESCE(rel.same, FALSE))),"
        " guarded AS ("
        f"SELECT t.*, CASE WHEN {held_back} THEN"
        " CASE WHEN amb_l.node IS NOT NULL OR amb_r.node IS NOT NULL"
        f" THEN {_literal(rules.DOB_MISSING_AMBIGUOUS)} END"
        f" ELSE {strict} END AS veto"
        f" FROM {table} AS t"
        " LEFT JOIN ambiguous AS amb_l ON amb_l.node = t.unique_id_l"
        " LEFT JOIN ambiguous AS amb_r ON amb_r.node = t.unique_id_r)"
        f" SELECT *, {_decision_columns(threshold_auto)} FROM guarded"
    )


def pairs_sql(
    table: str,
    splink_settings: dict[str, Any],
    *,
    threshold_auto: float,
    household_veto: bool = True,
    missing_dob: str = rules.DEFAULT_MISSING_DOB,
) -> str:
    """The SQL that decides ``table``'s scored pairs (``veto``, ``vetoed``, ``decision``)."""
    rules.check_missing_dob(missing_dob)
    if household_veto and missing_dob == rules.MISSING_DOB_ONE_PERSON:
        return guard_sql(table, splink_settings, threshold_auto)
    veto = veto_sql(
        splink_settings,
        household_veto=household_veto,
        allow_missing_dob=missing_dob == rules.MISSING_DOB_SCORE,
    )
    return decided_sql(table, veto, threshold_auto)


def decide(
    predictions: SplinkDataFrame,
    model_settings: dict[str, Any],
    *,
    threshold_auto: float,
    household_veto: bool = True,
    missing_dob: str = rules.DEFAULT_MISSING_DOB,
) -> pd.DataFrame:
    """The scored pairs with their decision, read once from the database into pandas."""
    sql = pairs_sql(
        predictions.physical_name,
        model_settings,
        threshold_auto=threshold_auto,
        household_veto=household_veto,
        missing_dob=missing_dob,
    )
    pairs = predictions.db_api.query_sql(sql, output_type="pandas")
    predictions.drop_table_from_database_and_remove_from_cache()
    return pairs
