"""Cleaning a whole source in DuckDB SQL, value for value the same as the ``rules`` functions.

``rules.clean_name``, ``rules.clean_dob`` and the rest clean one value at a time in Python (the
real-time matcher uses them on one record). A batch of a million records is cleaned here
instead, in one vectorised DuckDB query. The SQL reproduces the Python functions exactly for
ASCII text, where Python's and DuckDB's case mapping, whitespace and ``\\d`` agree; a value with
any other character (rare in practice: accents, non-breaking spaces, fullwidth digits) is
cleaned by the Python function itself, called from the query, so the two never disagree.
``tests/linkage/test_cleaning.py`` checks the equivalence over FEBRL, synthetic records and
every ASCII character.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from joinedup.linkage import rules

if TYPE_CHECKING:
    import duckdb
    import pandas as pd

# What Python's str.strip() and re's \s treat as whitespace, restricted to ASCII.
_ASCII_SPACE = "".join(chr(c) for c in range(128) if chr(c).isspace())
_SPACE_CLASS = "[" + "".join(f"\\x{ord(c):02x}" for c in _ASCII_SPACE) + "]"
_UK = "([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9])([A-Z]{2})"

# Per-record functions the query falls back to for text that is not plain ASCII.
PYTHON_FUNCTIONS: dict[str, Callable[[str], str | None]] = {
    "jl_clean_name": rules.clean_name,
    "jl_clean_gender": rules.clean_gender,
    "jl_clean_dob": rules.clean_dob,
    "jl_clean_postcode": rules.clean_postcode,
    "jl_postcode_sector": rules.postcode_sector,
    "jl_postcode_district": rules.postcode_district,
    "jl_clean_address": rules.clean_address,
    "jl_clean_identifier": rules.clean_identifier,
}


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _map(pairs: dict[str, str]) -> str:
    entries = ", ".join(f"{_literal(k)}: {_literal(v)}" for k, v in sorted(pairs.items()))
    return f"MAP {{{entries}}}"


def _ascii_or_python(col: str, sql: str, function: str) -> str:
    # strlen counts bytes, length characters: equal exactly when the text is ASCII.
    return f"CASE WHEN strlen({col}) = length({col}) THEN {sql} ELSE {function}({col}) END"


# Each cleaned column is built in three steps (nested SELECTs) so that a part used several times,
# such as the trimmed date of birth, is computed once: 1. helper parts of the raw text;
# 2. the cleaned values; 3. the values derived from cleaned ones (canonical name, postcode parts).
def _helpers() -> dict[str, str]:
    trim_chars = _literal(_ASCII_SPACE)
    return {
        "jl_dob_head": f"substr(trim(dob, {trim_chars}), 1, 10)",
        "jl_postcode_packed": f"upper(regexp_replace(postcode, '{_SPACE_CLASS}+', '', 'g'))",
        "jl_gender_key": f"lower(trim(gender, {trim_chars}))",
    }


def name_sql(col: str) -> str:
    """``rules.clean_name`` of the text column ``col``."""
    letters = f"regexp_replace(lower({col}), '[^a-z'' -]+', '', 'g')"
    spaced = f"regexp_replace(replace({letters}, '-', ' '), ' +', ' ', 'g')"
    return _ascii_or_python(col, f"nullif(trim({spaced}), '')", "jl_clean_name")


def _gender_sql() -> str:
    sql = f"map_extract_value({_map(rules._GENDERS)}, jl_gender_key)"
    return _ascii_or_python("gender", sql, "jl_clean_gender")


def _dob_sql() -> str:
    head = "jl_dob_head"
    sql = (
        f"CASE WHEN regexp_full_match({head}, '[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}') THEN {head}"
        f" WHEN regexp_full_match({head}, '[0-9]{{8}}') THEN substr({head}, 1, 4) || '-'"
        f" || substr({head}, 5, 2) || '-' || substr({head}, 7, 2) END"
    )
    return _ascii_or_python("dob", sql, "jl_clean_dob")


def _postcode_sql() -> str:
    packed = "jl_postcode_packed"
    sql = (
        f"CASE WHEN regexp_full_match({packed}, '{_UK}')"
        f" THEN regexp_replace({packed}, '^{_UK}$', '\\1 \\2\\3')"
        f" ELSE nullif({packed}, '') END"
    )
    return _ascii_or_python("postcode", sql, "jl_clean_postcode")


def _postcode_part(col: str, uk_groups: str, digits: int, function: str) -> str:
    packed = f"replace({col}, ' ', '')"
    sql = (
        f"CASE WHEN regexp_full_match({packed}, '{_UK}')"
        f" THEN regexp_replace({packed}, '^{_UK}$', '{uk_groups}')"
        f" WHEN regexp_full_match({col}, '[0-9]{{4,}}') THEN substr({col}, 1, {digits}) END"
    )
    return _ascii_or_python(col, sql, function)


def sector_sql(col: str) -> str:
    """``rules.postcode_sector`` of the cleaned postcode ``col``."""
    return _postcode_part(col, "\\1 \\2", 3, "jl_postcode_sector")


def district_sql(col: str) -> str:
    """``rules.postcode_district`` of the cleaned postcode ``col``."""
    return _postcode_part(col, "\\1", 2, "jl_postcode_district")


def address_sql(col: str) -> str:
    """``rules.clean_address`` of ``col``."""
    words = f"regexp_replace(lower({col}), '[^a-z0-9 ]+', ' ', 'g')"
    sql = f"nullif(trim(regexp_replace({words}, ' +', ' ', 'g')), '')"
    return _ascii_or_python(col, sql, "jl_clean_address")


def identifier_sql(col: str) -> str:
    """``rules.clean_identifier`` of ``col``."""
    sql = f"nullif(upper(regexp_replace({col}, '[^0-9A-Za-z]', '', 'g')), '')"
    return _ascii_or_python(col, sql, "jl_clean_identifier")


def canonical_sql(col: str) -> str:
    """``rules.canonical_first_name`` of the cleaned first name ``col``."""
    return f"coalesce(map_extract_value({_map(rules._CANONICAL)}, {col}), {col})"


def prepare_query(table: str, optional: list[str]) -> str:
    """The SELECT that cleans ``table`` (text columns of the contract) as ``model.prepare`` does.

    ``optional`` are the optional contract columns the table has. Rows keep their order (DuckDB
    preserves insertion order for a query without ORDER BY).
    """
    raw = ["unique_id", *rules.REQUIRED_COLUMNS[1:], *optional]
    step1 = ", ".join([*raw, *(f"{sql} AS {name}" for name, sql in _helpers().items())])
    cleaned = {
        "unique_id": "unique_id",
        "first_name": name_sql("first_name"),
        "surname": name_sql("surname"),
        "dob": _dob_sql(),
        "postcode": _postcode_sql(),
        "gender": _gender_sql(),
        "address": address_sql("address"),
        "birth_place": name_sql("birth_place"),
        "identifier": identifier_sql("identifier"),
    }
    step2 = ", ".join(f"{sql} AS {name}" for name, sql in cleaned.items() if name in raw)
    derived = {
        "first_name_canonical": canonical_sql("first_name"),
        "postcode_sector": sector_sql("postcode"),
        "postcode_district": district_sql("postcode"),
    }
    order = [
        "unique_id",
        "first_name",
        "first_name_canonical",
        "surname",
        "dob",
        "postcode",
        "postcode_sector",
        "postcode_district",
        "gender",
        *optional,
    ]
    step3 = ", ".join(f"{derived[c]} AS {c}" if c in derived else c for c in order)
    return f"SELECT {step3} FROM (SELECT {step2} FROM (SELECT {step1} FROM {table}))"


def register_functions(con: duckdb.DuckDBPyConnection) -> None:
    """Make the per-record fallbacks callable from SQL on ``con``."""
    from duckdb import func, sqltypes

    for name, function in PYTHON_FUNCTIONS.items():
        con.create_function(
            name,
            function,
            [sqltypes.VARCHAR],
            sqltypes.VARCHAR,
            null_handling=func.SPECIAL,
            side_effects=False,
        )


def _as_text(series: pd.Series) -> pd.Series:
    """The column as Python strings (or missing), as ``str(value)`` would read each value."""
    import pandas as pd

    kind = pd.api.types.infer_dtype(series, skipna=True)
    if kind in ("string", "empty"):
        return series.astype(object)
    return series.map(str, na_action="ignore").astype(object)


def clean_frame(df: pd.DataFrame, ids: pd.Series) -> pd.DataFrame:
    """``df`` (the contract's columns, validated) cleaned in DuckDB; ``ids`` are the unique ids.

    The result has the columns and values ``model.prepare`` documents, missing values as None.
    """
    import duckdb
    import pandas as pd

    optional = [c for c in rules.OPTIONAL_COLUMNS if c in df.columns]
    raw = pd.DataFrame(
        {c: _as_text(df[c]) for c in [*rules.REQUIRED_COLUMNS[1:], *optional]}
    ).reset_index(drop=True)
    raw.insert(0, "unique_id", ids.to_numpy())
    con = duckdb.connect()
    try:
        register_functions(con)
        con.register("jl_raw", raw)
        cleaned = con.sql(prepare_query("jl_raw", optional)).df()
    finally:
        con.close()
    if "address" in cleaned.columns:
        # Each distinct address's word signature once (addresses repeat: a fifth of the rows
        # at a million records), by the very function real-time matching uses.
        distinct = cleaned["address"].dropna().unique()
        signatures = {a: rules.word_signature(a) for a in distinct}
        cleaned["address_words"] = pd.array(
            [signatures.get(a) for a in cleaned["address"]], dtype="Int64"
        )
    return cleaned
