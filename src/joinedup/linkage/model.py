"""The Splink 5 model of person records: cleaning, settings, unsupervised training, JSON files.

A model is a Splink settings dictionary (comparisons, blocking rules, trained m and u
probabilities, the prior) wrapped in a small header::

    {"joinedup_linkage_model": {"name", "version", "trained_at", "record_count",
                                "splink_version", "columns"},
     "splink": {... Splink's own settings, as Linker(..., settings=...) reads them ...}}

Comparisons are written as plain SQL levels (DuckDB dialect) so the file says exactly what is
compared; see docs/linkage.md for the reasoning behind each level.
"""

from __future__ import annotations

import copy
import json
import logging
import re
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from joinedup.linkage import cleaning, rules

if TYPE_CHECKING:
    import pandas as pd
    from splink import DuckDBAPI, Linker

MODEL_DIR = Path(__file__).resolve().parent / "models"
HEADER_KEY = "joinedup_linkage_model"
SETTINGS_KEY = "splink"
DEFAULT_NAME = "person"
DEFAULT_VERSION = "1"
# Columns the pipeline derives from the contract's columns (postcode → sector, district).
DERIVED_COLUMNS = ("first_name_canonical", "postcode_sector", "postcode_district")

Progress = Callable[[str], None]


class LinkageInputError(ValueError):
    """The input cannot be linked: a missing column, an unreadable file, duplicate ids."""


def _quiet(_: str) -> None:
    return None


# ---------------------------------------------------------------------------------------------
# Input preparation
# ---------------------------------------------------------------------------------------------


def read_csv(path: str | Path) -> pd.DataFrame:
    """Read a contract CSV as strings (blank cells become missing values)."""
    import pandas as pd

    p = Path(path)
    if not p.is_file():
        raise LinkageInputError(f"cannot read {p}: no such file")
    try:
        return pd.read_csv(p, dtype=str, keep_default_na=True, encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise LinkageInputError(f"cannot read {p}: {exc}") from exc


def prepare(df: pd.DataFrame) -> pd.DataFrame:
    """The contract's columns cleaned for comparison, plus derived postcode parts.

    Raises LinkageInputError naming any missing required column, or duplicate ids.
    """
    missing = [c for c in rules.REQUIRED_COLUMNS if c not in df.columns]
    if missing:
        raise LinkageInputError(f"missing column(s): {', '.join(missing)}")
    ids = df["unique_id"].astype(str).str.strip()
    if df["unique_id"].isna().any() or (ids == "").any():
        raise LinkageInputError("unique_id is blank on some rows")
    if ids.duplicated().any():
        raise LinkageInputError(f"unique_id is not unique (e.g. {ids[ids.duplicated()].iloc[0]})")
    # Cleaned in one DuckDB query, value for value as the rules.clean_* functions would.
    return cleaning.clean_frame(df, ids)


def usable_columns(frames: Sequence[pd.DataFrame]) -> list[str]:
    """The comparable columns that hold at least one value in every frame."""
    candidates = ["first_name", "surname", "dob", "postcode", "gender", *rules.OPTIONAL_COLUMNS]
    return [
        c
        for c in candidates
        if all(c in f.columns and f[c].notna().any() for f in frames)
        and c not in ("first_name", "surname", "dob")
    ] + ["first_name", "surname", "dob"]


# ---------------------------------------------------------------------------------------------
# Settings
# ---------------------------------------------------------------------------------------------


def _null(col: str) -> dict[str, Any]:
    return {
        "sql_condition": f'"{col}_l" IS NULL OR "{col}_r" IS NULL',
        "label_for_charts": f"{col} missing",
        "is_null_level": True,
    }


def _exact(col: str, tf: bool = False) -> dict[str, Any]:
    level: dict[str, Any] = {
        "sql_condition": f'"{col}_l" = "{col}_r"',
        "label_for_charts": "exact match",
    }
    if tf:
        level["tf_adjustment_column"] = col
        level["tf_adjustment_weight"] = 1.0
    return level


def _jw(col: str, threshold: float) -> dict[str, Any]:
    return {
        "sql_condition": f'jaro_winkler_similarity("{col}_l", "{col}_r") >= {threshold}',
        "label_for_charts": f"Jaro-Winkler >= {threshold}",
    }


def _word_overlap(col: str, threshold: float) -> dict[str, Any]:
    # The share of words in common, read from the records' word signatures
    # (``rules.word_signature``: a bit per word) in a few integer operations per pair.
    words_l, words_r = f'"{col}_words_l"', f'"{col}_words_r"'
    share = f"bit_count({words_l} & {words_r}) / bit_count({words_l} | {words_r})"
    return {
        "sql_condition": f"{share} >= {threshold}",
        "label_for_charts": f"words in common >= {threshold:.0%}",
    }


def one_edit(col: str) -> str:
    """SQL: ``col`` differs between the records by at most one character or two swapped.

    Damerau-Levenshtein is the measure, but DuckDB's takes five times as long per pair as its
    Levenshtein; a difference of one edit or one transposition is at most two Levenshtein
    edits, so the cheaper test first leaves the same pairs to the exact one.
    """
    pair = f'"{col}_l", "{col}_r"'
    return f"levenshtein({pair}) <= 2 AND damerau_levenshtein({pair}) <= 1"


def _else() -> dict[str, Any]:
    return {"sql_condition": "ELSE", "label_for_charts": "all other comparisons"}


def _name_comparison(col: str, other: str) -> dict[str, Any]:
    # Both names swapped (a typo allowed in each); one-sided agreement is not a swap.
    swapped = (
        f'jaro_winkler_similarity("{col}_l", "{other}_r") >= 0.92'
        f' AND jaro_winkler_similarity("{col}_r", "{other}_l") >= 0.92'
    )
    swap: dict[str, Any] = {
        "sql_condition": swapped,
        "label_for_charts": "first name and surname swapped",
    }
    if col == "surname":
        # The swap is weighed once, in the first-name comparison; here it is neutral.
        swap.update(
            m_probability=0.5, u_probability=0.5, fix_m_probability=True, fix_u_probability=True
        )
    levels = [_null(col), _exact(col, tf=True), swap, _jw(col, 0.92)]
    if col == "first_name":
        levels.append(
            {
                "sql_condition": '"first_name_canonical_l" = "first_name_canonical_r"',
                "label_for_charts": "same name (nickname)",
            }
        )
    levels += [_jw(col, 0.85), _jw(col, 0.7), _else()]
    return {
        "output_column_name": col,
        "comparison_description": f"{col}: exact (term frequency), swapped, Jaro-Winkler",
        "comparison_levels": levels,
    }


def _dob_comparison() -> dict[str, Any]:
    def part(side: str, start: int, length: int) -> str:
        return f'substr("dob_{side}", {start}, {length})'

    transposed = (
        f"{part('l', 1, 4)} = {part('r', 1, 4)} AND {part('l', 6, 2)} = {part('r', 9, 2)}"
        f" AND {part('l', 9, 2)} = {part('r', 6, 2)}"
    )
    within_year = (
        "abs(date_diff('day', try_strptime(\"dob_l\", '%Y-%m-%d'),"
        " try_strptime(\"dob_r\", '%Y-%m-%d'))) <= 366"
    )
    return {
        "output_column_name": "dob",
        "comparison_description": "date of birth: exact, day/month transposed, one typo, a year",
        "comparison_levels": [
            _null("dob"),
            _exact("dob"),
            {"sql_condition": transposed, "label_for_charts": "day and month transposed"},
            {
                "sql_condition": one_edit("dob"),
                "label_for_charts": "one digit different or two swapped",
            },
            {"sql_condition": within_year, "label_for_charts": "within a year"},
            _else(),
        ],
    }


def _postcode_comparison() -> dict[str, Any]:
    return {
        "output_column_name": "postcode",
        "comparison_description": "postcode: full, sector, one typo, district",
        "comparison_levels": [
            _null("postcode"),
            _exact("postcode", tf=True),
            {
                "sql_condition": '"postcode_sector_l" = "postcode_sector_r"',
                "label_for_charts": "same sector",
            },
            {
                "sql_condition": one_edit("postcode"),
                "label_for_charts": "one character different or two swapped",
            },
            {
                "sql_condition": '"postcode_district_l" = "postcode_district_r"',
                "label_for_charts": "same district",
            },
            _else(),
        ],
    }


def _simple(col: str, description: str, levels: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "output_column_name": col,
        "comparison_description": description,
        "comparison_levels": [_null(col), *levels, _else()],
    }


def comparisons(columns: Sequence[str]) -> list[dict[str, Any]]:
    """The comparisons for the usable ``columns`` (names and date of birth always)."""
    result = [
        _name_comparison("first_name", "surname"),
        _name_comparison("surname", "first_name"),
        _dob_comparison(),
    ]
    if "postcode" in columns:
        result.append(_postcode_comparison())
    if "gender" in columns:
        result.append(_simple("gender", "gender: same or not", [_exact("gender")]))
    if "address" in columns:
        result.append(
            _simple(
                "address",
                "address: exact, Jaro-Winkler, words in common",
                [
                    _exact("address", tf=True),
                    _jw("address", 0.92),
                    _word_overlap("address", 0.6),
                    _jw("address", 0.8),
                    _word_overlap("address", 0.3),
                ],
            )
        )
    if "birth_place" in columns:
        result.append(
            _simple(
                "birth_place",
                "place of birth: exact, Jaro-Winkler",
                [_exact("birth_place", tf=True), _jw("birth_place", 0.88)],
            )
        )
    if "identifier" in columns:
        dl1 = {
            "sql_condition": one_edit("identifier"),
            "label_for_charts": "one character different or two swapped",
        }
        result.append(
            _simple("identifier", "identifier: exact, one typo", [_exact("identifier"), dl1])
        )
    return result


def blocking_rules(columns: Sequence[str]) -> list[str]:
    """Candidate pairs: each rule is an equality on rare-enough keys (recall across typos)."""
    rules_ = [
        "l.first_name = r.first_name AND l.surname = r.surname",
        "l.surname = r.surname AND l.dob = r.dob",
        "l.first_name = r.first_name AND l.dob = r.dob",
        "l.first_name = r.surname AND l.surname = r.first_name",
        "l.dob = r.dob AND substr(l.surname, 1, 1) = substr(r.surname, 1, 1)",
        "l.dob = r.dob AND substr(l.first_name, 1, 1) = substr(r.first_name, 1, 1)",
    ]
    if "postcode" in columns:
        rules_ += [
            "l.postcode = r.postcode AND l.dob = r.dob",
            "l.postcode = r.postcode AND l.surname = r.surname",
            "l.postcode = r.postcode AND l.first_name = r.first_name",
            "l.postcode = r.postcode AND substr(l.dob, 1, 4) = substr(r.dob, 1, 4)",
        ]
    if "address" in columns:
        rules_.append("l.address = r.address")
    if "identifier" in columns:
        rules_.append("l.identifier = r.identifier")
    if "postcode" in columns:
        # A typo in both names, or one in a name with the date of birth wrong or missing,
        # still leaves the date of birth or the names' beginnings in the same postcode district.
        # (Added last: a rule's place is part of its keys in the real-time index.)
        rules_ += [
            "l.dob = r.dob AND l.postcode_district = r.postcode_district",
            "l.first_name = r.first_name AND substr(l.surname, 1, 3) = substr(r.surname, 1, 3)"
            " AND l.postcode_district = r.postcode_district",
            "substr(l.first_name, 1, 3) = substr(r.first_name, 1, 3) AND l.surname = r.surname"
            " AND l.postcode_district = r.postcode_district",
        ]
    return rules_


def settings(columns: Sequence[str], link_type: str = "dedupe_only") -> dict[str, Any]:
    """An untrained Splink settings dictionary for records with ``columns``."""
    return {
        "link_type": link_type,
        "unique_id_column_name": "unique_id",
        "probability_two_random_records_match": 0.0001,
        "comparisons": comparisons(columns),
        "blocking_rules_to_generate_predictions": [
            {"blocking_rule": r} for r in blocking_rules(columns)
        ],
        "retain_matching_columns": True,
        "retain_intermediate_calculation_columns": True,
        "additional_columns_to_retain": [],
        "max_iterations": 20,
        "em_convergence": 0.0001,
    }


# ---------------------------------------------------------------------------------------------
# Linkers and training
# ---------------------------------------------------------------------------------------------


def db_api() -> DuckDBAPI:
    """A fresh in-memory DuckDB for one run."""
    from splink import DuckDBAPI

    return DuckDBAPI()


def linker_for(
    frames: Sequence[pd.DataFrame], splink_settings: dict[str, Any], api: DuckDBAPI | None = None
) -> Linker:
    """A Linker over prepared ``frames`` (one: dedupe; two or more: link)."""
    from splink import Linker

    api = api or db_api()
    run = uuid.uuid4().hex[:8]
    tables = [
        api.register(f, table_name=f"jl_input_{run}_{i}", dataset_display_name=f"source_{i}")
        for i, f in enumerate(frames)
    ]
    return Linker(
        tables if len(tables) > 1 else tables[0],
        copy.deepcopy(splink_settings),
        log_level=logging.WARNING,
    )


def _prior_rules(columns: Sequence[str]) -> list[str]:
    found = ["l.first_name = r.first_name AND l.surname = r.surname AND l.dob = r.dob"]
    if "postcode" in columns:
        found.append("l.surname = r.surname AND l.dob = r.dob AND l.postcode = r.postcode")
    return found


def train(
    frames: Sequence[pd.DataFrame],
    *,
    max_pairs_u: float = 1.5e6,
    max_pairs_em: float = 5e5,
    prior_recall: float = 0.7,
    seed: int = 2026,
    em_prior: bool = False,
    progress: Progress = _quiet,
) -> dict[str, Any]:
    """Train a model on prepared ``frames`` without labels; return the model document.

    u by random sampling, m by expectation maximisation over two blocking rules (names; date
    of birth), the prior from deterministic rules assumed to find ``prior_recall`` of matches.
    The sample sizes are what the estimates need, whatever the number of records: u of the
    exact levels that weigh most (names, postcode, address) is replaced at scoring time by the
    value's own term frequency, and each EM pass converges on half a million blocked pairs.
    """
    import splink
    from splink.internals.exceptions import EMTrainingException

    columns = usable_columns(frames)
    records = sum(len(f) for f in frames)
    link_type = "dedupe_only" if len(frames) == 1 else "link_only"
    api = db_api()
    try:
        linker = linker_for(frames, settings(columns, link_type), api)
        progress("estimating the prior")
        try:
            linker.training.estimate_probability_two_random_records_match(
                _prior_rules(columns), recall=prior_recall
            )
        except ValueError:
            progress("prior: deterministic rules found too many pairs; default kept")
        progress("estimating u by random sampling")
        linker.training.estimate_u_using_random_sampling(max_pairs=max_pairs_u, seed=seed)
        for rule, prior_from_em in (
            ("l.first_name = r.first_name AND l.surname = r.surname", False),
            ("l.dob = r.dob", em_prior),
        ):
            progress(f"estimating m by EM over {rule}")
            try:
                linker.training.estimate_parameters_using_expectation_maximisation(
                    rule,
                    max_pairs=max_pairs_em,
                    populate_probability_two_random_records_match_from_trained_values=prior_from_em,
                )
            except EMTrainingException as exc:
                raise LinkageInputError(
                    f"too few records to train a model ({records:,}): train on a larger set and "
                    "pass --model"
                ) from exc
        splink_settings = linker.misc.save_model_to_json()
        header = {
            "name": DEFAULT_NAME,
            "version": DEFAULT_VERSION,
            "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "record_count": records,
            "splink_version": splink.__version__,
            "columns": columns,
            "link_type": link_type,
        }
        return {HEADER_KEY: header, SETTINGS_KEY: splink_settings}
    finally:
        # An in-memory database left open holds its tables: closed at once, the scoring that
        # follows in the same process runs a third faster at a million records.
        api.duckdb_con.close()


def save_model(model: dict[str, Any], path: str | Path | None = None) -> Path:
    """Write ``model`` as JSON to ``path`` (default ``models/<name>-<version>.json``)."""
    header = model[HEADER_KEY]
    target = Path(path) if path else MODEL_DIR / f"{header['name']}-{header['version']}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(model, indent=2, sort_keys=False) + "\n", encoding="utf-8")
    return target


def load_model(path: str | Path) -> dict[str, Any]:
    """Read a model written by ``save_model``; LinkageInputError when it is not one."""
    p = Path(path)
    try:
        document = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise LinkageInputError(f"cannot read model {p}: {exc}") from exc
    if not isinstance(document, dict) or HEADER_KEY not in document or SETTINGS_KEY not in document:
        raise LinkageInputError(f"{p} is not a JoinedUp linkage model")
    return in_current_form(cast(dict[str, Any], document))


_ONE_EDIT_BEFORE = re.compile(r'^damerau_levenshtein\("(\w+)_l", "\1_r"\) <= 1$')


def in_current_form(document: dict[str, Any]) -> dict[str, Any]:
    """``document`` with levels written before ``one_edit`` (Damerau-Levenshtein alone) in the
    faster form; they select the same pairs, so the trained weights still hold. A copy: the
    document given (a stored model's row, say) is left as it is."""
    found = copy.deepcopy(document)
    for comparison in found[SETTINGS_KEY].get("comparisons", []):
        for level in comparison.get("comparison_levels", []):
            older = _ONE_EDIT_BEFORE.match(str(level.get("sql_condition", "")))
            if older is not None:
                level["sql_condition"] = one_edit(older.group(1))
    return found


def for_link_type(model: dict[str, Any], link_type: str) -> dict[str, Any]:
    """The model's Splink settings for ``link_type`` (a trained model serves both)."""
    found: dict[str, Any] = copy.deepcopy(model[SETTINGS_KEY])
    found["link_type"] = link_type
    return found
