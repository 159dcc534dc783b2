"""Cleaning a source in DuckDB SQL gives exactly what the per-record ``rules`` functions give."""

from __future__ import annotations

import math
import string

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from joinedup.linkage import cleaning, febrl, rules, synthetic
from joinedup.linkage import model as lm

TEXT_COLUMNS = ["first_name", "surname", "dob", "postcode", "gender", "address", "birth_place"]


def _by_record(df: pd.DataFrame) -> pd.DataFrame:
    """The reference: every value through the per-record functions, one at a time."""
    rows = []
    for record in df.to_dict("records"):
        first = rules.clean_name(record["first_name"])
        postcode = rules.clean_postcode(record["postcode"])
        row = {
            "unique_id": str(record["unique_id"]).strip(),
            "first_name": first,
            "first_name_canonical": rules.canonical_first_name(first),
            "surname": rules.clean_name(record["surname"]),
            "dob": rules.clean_dob(record["dob"]),
            "postcode": postcode,
            "postcode_sector": rules.postcode_sector(postcode),
            "postcode_district": rules.postcode_district(postcode),
            "gender": rules.clean_gender(record["gender"]),
        }
        if "address" in record:
            row["address"] = rules.clean_address(record["address"])
        if "birth_place" in record:
            row["birth_place"] = rules.clean_name(record["birth_place"])
        if "identifier" in record:
            row["identifier"] = rules.clean_identifier(record["identifier"])
        if "address" in record:
            row["address_words"] = rules.word_signature(row["address"])
        rows.append(row)
    return pd.DataFrame(rows, columns=list(rows[0]), dtype=object)


def _assert_same(df: pd.DataFrame) -> None:
    expected = _by_record(df)
    found = lm.prepare(df)
    assert list(found.columns) == list(expected.columns)
    for column in expected.columns:
        want = expected[column].tolist()
        got = [None if v is pd.NA else v for v in found[column].tolist()]
        diff = [
            (df.index[i], w, g) for i, (w, g) in enumerate(zip(want, got, strict=True)) if w != g
        ]
        assert not diff, f"{column}: {diff[:5]}"


def _frame(values: list[object], **columns: list[object]) -> pd.DataFrame:
    """One row per value, the value in every text column (or the columns given)."""
    data: dict[str, list[object]] = {"unique_id": [f"u{i}" for i in range(len(values))]}
    for column in TEXT_COLUMNS:
        data[column] = columns.get(column, values)
    data["identifier"] = columns.get("identifier", values)
    return pd.DataFrame(data)


@pytest.mark.slow
def test_synthetic_records_clean_the_same() -> None:
    _assert_same(synthetic.records(20_000, seed=5).drop(columns=["truth"]))


@pytest.mark.slow
@pytest.mark.parametrize("with_identifier", [False, True])
def test_febrl_cleans_the_same(with_identifier: bool) -> None:
    _assert_same(febrl.febrl3(with_identifier=with_identifier))
    for frame in febrl.febrl4(with_identifier=with_identifier):
        _assert_same(frame)


TRICKY: list[object] = [
    None,
    math.nan,
    "",
    "   ",
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f",
    "Mary-Jane",
    "  O'Brien\t",
    "Jean--Luc   Picard",
    "-x-",
    "'",
    "KELVIN",
    "İlker",
    "\u212aate",  # Kelvin sign: Python lower-cases it to "k"
    "straße",
    "ﬁona",
    "Zoë",
    "\xa0Anna\xa0",
    "a\x00b",
    "19900102",
    "1990-01-02",
    "1990-01-02T10:00:00",
    " 19900102 ",
    "\x1c19900102\x1f",
    "199001021",
    "1990-1-2",
    "２０２０-01-01",
    "٢٠٢٠٠١٠١",
    "1990/01/02",
    "gu1 4ab",
    "GU14AB",
    "gu1  4ab",
    "A11AA",
    "ec1a1bb",
    "EC1A 1BB",
    "\xa0GU1\u20034AB",
    "sw1a 0aa x",
    "2000",
    "200",
    " 12 34 ",
    "１２３４",
    "²³⁴⁵",
    "Female",
    " M ",
    "non-binary",
    "NON_BINARY",
    "x",
    "W",
    "man",
    "femalé",
    "Flat 2, 10 High St.",
    "10 high st",
    "a--b",
    "Ünter den Linden",
    "AB-12 34/c",
    "ab 12 34 c",
    "liz",
    "Bill",
    "BETH",
]


def test_tricky_values_clean_the_same() -> None:
    _assert_same(_frame(TRICKY))


def test_every_ascii_character_cleans_the_same() -> None:
    values: list[object] = []
    for c in map(chr, range(128)):
        values += [c, f"a{c}b", f"{c}gu1 4ab{c}", f"1990{c}01{c}02", f"{c}19900102", f"ma{c}le"]
    _assert_same(_frame(values))


def test_numbers_and_missing_values_are_read_as_python_reads_them() -> None:
    frame = _frame(
        [1, 2.5, None, math.nan, 19900102, 2000, -3, 1e20],
        gender=["m", "f", None, math.nan, "x", 1, 0.0, "male"],
    )
    _assert_same(frame)


def test_prepared_values_keep_the_input_order() -> None:
    frame = synthetic.records(3000, seed=9).drop(columns=["truth"]).sample(frac=1, random_state=1)
    prepared = lm.prepare(frame)
    assert prepared["unique_id"].tolist() == frame["unique_id"].tolist()


def test_non_ascii_text_is_cleaned_by_the_python_functions() -> None:
    # The SQL itself would differ here (DuckDB upper-cases "ß" to "ẞ", Python to "SS").
    prepared = lm.prepare(_frame(["straße 1"], postcode=["straße 1"]))
    assert prepared["postcode"].tolist() == ["STRASSE1"]
    assert set(cleaning.PYTHON_FUNCTIONS.values()) >= {rules.clean_name, rules.clean_postcode}


ASCII = st.text(alphabet=string.printable + "\x00\x1c\x1d\x1e\x1f'-", max_size=14)
ANY_TEXT = st.text(max_size=12)
PIECES = st.lists(
    st.sampled_from(["GU1", "4AB", " ", "-", "19", "90", "0102", "liz", "'", "x", "\t", "é"]),
    max_size=6,
).map("".join)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(ASCII, ANY_TEXT, PIECES, st.none()), min_size=1, max_size=40))
def test_any_text_cleans_the_same(values: list[object]) -> None:
    _assert_same(_frame(values))
