"""The household veto and the automatic threshold in SQL agree with ``rules.household_veto``."""

from __future__ import annotations

import itertools
from typing import Any

import duckdb
import pytest

from joinedup.linkage import decisions, rules
from joinedup.linkage import model as lm


def _scored_pairs(settings: dict[str, Any]) -> duckdb.DuckDBPyConnection:
    """Every combination of the veto's levels, at probabilities around the threshold."""
    con = duckdb.connect()
    present = [c for c in decisions.VETO_COLUMNS if decisions.level_labels(settings, c)]
    levels = [sorted(decisions.level_labels(settings, c)) for c in present]
    rows = [
        (*combination, probability)
        for combination in itertools.product(*levels)
        for probability in (0.5, 0.98999, 0.99, 0.999999)
    ]
    names = ", ".join([*(f"gamma_{c} INTEGER" for c in present), "match_probability DOUBLE"])
    con.execute(f"CREATE TABLE scored ({names})")
    con.executemany(f"INSERT INTO scored VALUES ({', '.join('?' for _ in rows[0])})", rows)
    return con


@pytest.mark.parametrize("identifier", [False, True])
@pytest.mark.parametrize("allow_missing_dob", [False, True])
def test_sql_veto_matches_the_rule_for_every_level(
    identifier: bool, allow_missing_dob: bool
) -> None:
    columns = ["postcode", "gender", "address", "first_name", "surname", "dob"]
    if identifier:
        columns.append("identifier")
    settings = lm.settings(columns)
    con = _scored_pairs(settings)
    veto = decisions.veto_sql(settings, allow_missing_dob=allow_missing_dob)
    found = con.sql(decisions.decided_sql("scored", veto, 0.99)).fetchall()
    labels = {c: decisions.level_labels(settings, c) for c in decisions.VETO_COLUMNS}
    present = [c for c in decisions.VETO_COLUMNS if labels[c]]
    assert len(found) > 100
    reasons = set()
    for row in found:
        gammas, probability, reason, vetoed, decision = row[:-4], *row[-4:]
        expected = rules.household_veto(
            *[labels[c][g] for c, g in zip(present, gammas, strict=True)],
            allow_missing_dob=allow_missing_dob,
        )
        assert reason == expected
        assert vetoed == (expected is not None)
        assert decision == ("auto" if probability >= 0.99 and expected is None else "review")
        reasons.add(reason)
    assert {None, "first names unlike", "dates of birth differ"} <= reasons


def test_without_the_veto_only_the_threshold_decides() -> None:
    columns = ["first_name", "surname", "dob"]
    settings = lm.settings(columns)
    con = _scored_pairs(settings)
    veto = decisions.veto_sql(settings, household_veto=False)
    decided = decisions.decided_sql("scored", veto, 0.99)
    found = con.sql(f"SELECT match_probability, veto, decision FROM ({decided})").fetchall()
    assert {veto for _, veto, _ in found} == {None}
    assert all((d == "auto") == (p >= 0.99) for p, _, d in found)
