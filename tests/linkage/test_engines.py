"""The Spark engine: the model's DuckDB SQL in Spark's dialect, and the same clusters on both."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import sqlglot
from sqlglot import exp

from joinedup.linkage import batch, engines, febrl, rules
from joinedup.linkage import model as lm

ALL_COLUMNS = ["postcode", "gender", "address", "birth_place", "identifier"]
ALL_COLUMNS += ["first_name", "surname", "dob"]
DUCKDB_ONLY = ("jaro_winkler_similarity", "try_strptime", "string_split", "list_", "date_diff")


def _conditions(splink_settings: dict[str, Any]) -> list[str]:
    levels = [
        level["sql_condition"]
        for comparison in splink_settings["comparisons"]
        for level in comparison["comparison_levels"]
        if level["sql_condition"] != "ELSE"
    ]
    blocking = [
        r["blocking_rule"] for r in splink_settings["blocking_rules_to_generate_predictions"]
    ]
    return levels + blocking


def test_every_level_and_blocking_rule_of_the_model_reads_as_spark_sql() -> None:
    duckdb_settings = lm.settings(ALL_COLUMNS)
    spark_settings = engines.spark_settings(duckdb_settings)
    translated = _conditions(spark_settings)
    assert len(translated) == len(_conditions(duckdb_settings)) > 40
    for sql in translated:
        tree = sqlglot.parse_one(sql, read="spark")
        called = {
            f.name.lower() if isinstance(f, exp.Anonymous) else f.key
            for f in tree.find_all(exp.Func)
        }
        assert not [n for n in called if n.startswith(DUCKDB_ONLY)], sql
        assert not any(name in sql.lower() for name in DUCKDB_ONLY), sql
    # The stored model keeps the DuckDB dialect: translation works on a copy.
    assert duckdb_settings == lm.settings(ALL_COLUMNS)


def test_each_duckdb_function_becomes_its_spark_counterpart() -> None:
    settings = engines.spark_settings(lm.settings(ALL_COLUMNS))
    text = " ".join(_conditions(settings)).lower()
    assert "jaro_winkler(`first_name_l`, `first_name_r`) >= 0.92" in text
    assert (
        "levenshtein(`dob_l`, `dob_r`) <= 2 and damerau_levenshtein(`dob_l`, `dob_r`) <= 1" in text
    )
    assert (
        "abs(datediff(try_to_timestamp(`dob_r`, 'yyyy-mm-dd'),"
        " try_to_timestamp(`dob_l`, 'yyyy-mm-dd'))) <= 366" in text
    )
    assert (
        "bit_count(`address_words_l` & `address_words_r`)"
        " / bit_count(`address_words_l` | `address_words_r`) >= 0.6"
    ) in text
    # Models trained before word signatures compared lists of words: still translated.
    lists = (
        "len(list_intersect(string_split(\"address_l\", ' '), string_split(\"address_r\", ' ')))"
        " / len(list_distinct(list_concat(string_split(\"address_l\", ' '),"
        " string_split(\"address_r\", ' ')))) >= 0.6"
    )
    assert engines.to_spark_sql(lists).lower() == (
        "size(array_intersect(split(`address_l`, ' '), split(`address_r`, ' ')))"
        " / size(array_distinct(concat(split(`address_l`, ' '), split(`address_r`, ' '))))"
        " >= 0.6"
    )


def test_a_saved_model_is_marked_as_spark_sql_once_translated() -> None:
    # A model file (Splink's save_model_to_json) names its dialect, also on each blocking rule.
    saved = lm.settings(["postcode", "first_name", "surname", "dob"])
    saved["sql_dialect"] = "duckdb"
    saved["blocking_rules_to_generate_predictions"] = [
        {"blocking_rule": r["blocking_rule"], "sql_dialect": "duckdb"}
        for r in saved["blocking_rules_to_generate_predictions"]
    ]
    translated = engines.settings_for(saved, engines.SPARK)
    assert translated["sql_dialect"] == "spark"
    rules_ = translated["blocking_rules_to_generate_predictions"]
    assert {r["sql_dialect"] for r in rules_} == {"spark"}
    year = "l.postcode = r.postcode AND SUBSTRING(l.dob, 1, 4) = SUBSTRING(r.dob, 1, 4)"
    assert year in [r["blocking_rule"] for r in rules_]
    assert engines.settings_for(saved, engines.DUCKDB) is saved
    assert saved["sql_dialect"] == "duckdb"


def test_a_list_length_becomes_size_and_a_string_length_stays() -> None:
    sql = engines.to_spark_sql(
        'len(string_split("address_l", \'|\')) > 1 AND len(trim("address_r")) > 2'
    )
    assert sql == "SIZE(SPLIT(`address_l`, '\\\\|')) > 1 AND LENGTH(TRIM(`address_r`)) > 2"


def test_a_function_without_a_spark_counterpart_is_refused() -> None:
    with pytest.raises(engines.EngineError, match="hamming"):
        engines.to_spark_sql('hamming("postcode_l", "postcode_r") <= 1')
    with pytest.raises(engines.EngineError, match="month"):
        engines.to_spark_sql('date_diff(\'month\', "a_l", "a_r") < 2')


def test_an_unknown_engine_is_refused_before_any_work() -> None:
    with pytest.raises(engines.EngineError, match="duckdb, spark"):
        # Five records are too few to train on: the engine is checked before training.
        batch.dedupe(febrl.febrl3().iloc[:5].drop(columns=["truth"]), engine="oracle")


@pytest.mark.slow
def test_spark_and_duckdb_cluster_febrl3_alike(tmp_path: Path) -> None:
    if shutil.which("java") is None:
        pytest.skip("the Spark engine needs Java (make install brings openjdk-17-jre-headless)")
    sample = febrl.febrl3().iloc[:1500]
    records = sample.drop(columns=["truth"])
    trained = lm.train([lm.prepare(records)], max_pairs_u=1e6, max_pairs_em=5e5)
    saved = lm.load_model(lm.save_model(trained, tmp_path / "person-febrl3.json"))
    truth = dict(zip(sample["unique_id"], sample["truth"], strict=True))
    scores = {}
    for engine in engines.ENGINES:
        clusters = batch.dedupe(records, model=saved, engine=engine).clusters
        assert sorted(clusters["unique_id"]) == sorted(records["unique_id"])
        scores[engine] = rules.pairwise_scores(
            [str(c) for c in clusters["cluster_id"]],
            [str(truth[u]) for u in clusters["unique_id"]],
        )
    duckdb_scores, spark_scores = scores[engines.DUCKDB], scores[engines.SPARK]
    assert duckdb_scores.predicted_pairs > 300
    assert duckdb_scores.precision >= 0.999
    assert spark_scores.precision >= 0.999
    assert abs(spark_scores.f1 - duckdb_scores.f1) <= 0.001
