"""Comparison-level SQL compiled to Python, for scoring a handful of pairs in microseconds.

A model's levels are DuckDB SQL (the text Splink runs). Planning that SQL in DuckDB costs tens
of milliseconds per call, too slow for one record on intake, so each condition is parsed once
(sqlglot, which Splink already uses) and turned into a Python function of the two records with
SQL's three-valued logic (a comparison with NULL is unknown; CASE takes only true). The
functions our levels use are covered — equality and order, AND/OR/IS NULL, Jaro-Winkler,
Levenshtein and Damerau-Levenshtein (jellyfish, which agrees with DuckDB's), substr, string_split,
list_intersect/list_distinct/list_concat/len, bitwise and/or with bit_count, try_strptime,
date_diff('day'), abs and division.
``compile_condition`` raises ``Unsupported`` for anything else; the scorer then falls back to
DuckDB for that model. ``tests/linkage/test_scoring.py`` checks the results equal Splink's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from functools import lru_cache
from typing import Any

import jellyfish
import sqlglot
from sqlglot import exp

Record = Mapping[str, str | int | None]
Value = Callable[[Record, Record], Any]


class Unsupported(ValueError):
    """A level's SQL uses something this compiler does not evaluate."""


def compile_condition(sql: str) -> Callable[[Record, Record], bool]:
    """A function (left, right) -> whether the level's condition is true."""
    node = sqlglot.parse_one(sql, read="duckdb")
    if not isinstance(node, exp.Expression):
        raise Unsupported(f"not an expression: {sql}")
    value = _compile(node)

    def condition(left: Record, right: Record) -> bool:
        return value(left, right) is True

    return condition


def _column(node: exp.Column) -> Value:
    name = node.name
    if name.endswith("_l"):
        column = name[:-2]
        return lambda left, right: left.get(column)
    if name.endswith("_r"):
        column = name[:-2]
        return lambda left, right: right.get(column)
    raise Unsupported(f"column {name!r} is neither _l nor _r")


def _literal(node: exp.Literal) -> Value:
    text = node.this
    constant: Any = text if node.is_string else (float(text) if "." in text else int(text))
    return lambda left, right: constant


def _null_safe(function: Callable[..., Any], *args: Value) -> Value:
    """``function`` of the arguments' values; NULL when any of them is NULL (SQL semantics)."""
    if len(args) == 1:
        (a,) = args

        def one(left: Record, right: Record) -> Any:
            x = a(left, right)
            return None if x is None else function(x)

        return one
    if len(args) == 2:
        a, b = args

        def two(left: Record, right: Record) -> Any:
            x = a(left, right)
            if x is None:
                return None
            y = b(left, right)
            return None if y is None else function(x, y)

        return two

    def many(left: Record, right: Record) -> Any:
        found = [f(left, right) for f in args]
        if any(v is None for v in found):
            return None
        return function(*found)

    return many


# Levels of one comparison often ask the same question at several thresholds (Jaro-Winkler
# >= 0.92, >= 0.85, >= 0.7): the answers are kept for the pairs seen most recently.
_jaro_winkler = lru_cache(maxsize=8192)(jellyfish.jaro_winkler_similarity)
_damerau = lru_cache(maxsize=8192)(jellyfish.damerau_levenshtein_distance)
_levenshtein = lru_cache(maxsize=8192)(jellyfish.levenshtein_distance)


def _and(a: Value, b: Value) -> Value:
    # False on the left decides it whatever the right is (the cheaper test comes first).
    def value(left: Record, right: Record) -> bool | None:
        x = a(left, right)
        if x is False:
            return False
        y = b(left, right)
        if y is False:
            return False
        if x is None or y is None:
            return None
        return True

    return value


def _or(a: Value, b: Value) -> Value:
    def value(left: Record, right: Record) -> bool | None:
        x = a(left, right)
        if x is True:
            return True
        y = b(left, right)
        if y is True:
            return True
        if x is None or y is None:
            return None
        return False

    return value


@lru_cache(maxsize=8192)
def _strptime(text: str, pattern: str) -> datetime | None:
    try:
        return datetime.strptime(text, pattern)
    except ValueError:
        return None


def _intersect(a: list[Any], b: list[Any]) -> list[Any]:
    other = set(b)
    return [x for x in dict.fromkeys(a) if x in other]


def _divide(a: float, b: float) -> float | None:
    return None if b == 0 else a / b


_COMPARE: dict[type[exp.Expression], Callable[[Any, Any], bool]] = {
    exp.EQ: lambda a, b: a == b,
    exp.NEQ: lambda a, b: a != b,
    exp.GTE: lambda a, b: a >= b,
    exp.GT: lambda a, b: a > b,
    exp.LTE: lambda a, b: a <= b,
    exp.LT: lambda a, b: a < b,
}

_ANONYMOUS: dict[str, Callable[..., Any]] = {
    "damerau_levenshtein": _damerau,
    "levenshtein": _levenshtein,
    "jaro_winkler_similarity": _jaro_winkler,
    "jaro_similarity": jellyfish.jaro_similarity,
    "try_strptime": _strptime,
    "list_intersect": _intersect,
    "bit_count": int.bit_count,
}


def _compile(node: exp.Expression) -> Value:  # noqa: C901 - one dispatch over node types
    if isinstance(node, exp.Paren):
        return _compile(node.this)
    if isinstance(node, exp.Column):
        return _column(node)
    if isinstance(node, exp.Literal):
        return _literal(node)
    if isinstance(node, exp.Null):
        return lambda left, right: None
    if isinstance(node, exp.Is) and isinstance(node.expression, exp.Null):
        inner = _compile(node.this)
        return lambda left, right: inner(left, right) is None
    if isinstance(node, exp.Not):
        inner = _compile(node.this)
        return _null_safe(lambda v: not v, inner)
    if isinstance(node, exp.And):
        return _and(_compile(node.this), _compile(node.expression))
    if isinstance(node, exp.Or):
        return _or(_compile(node.this), _compile(node.expression))
    compare = _COMPARE.get(type(node))
    if compare is not None:
        return _null_safe(compare, _compile(node.this), _compile(node.expression))
    return _function(node)


def _function(node: exp.Expression) -> Value:  # noqa: C901 - one dispatch over functions
    if isinstance(node, exp.JarowinklerSimilarity):
        return _null_safe(_jaro_winkler, _compile(node.this), _compile(node.expression))
    if isinstance(node, exp.Levenshtein):
        options = ("ins_cost", "del_cost", "sub_cost", "max_dist")
        if any(node.args.get(k) is not None for k in options):
            raise Unsupported("levenshtein with edit costs or a maximum")
        return _null_safe(_levenshtein, _compile(node.this), _compile(node.expression))
    if isinstance(node, exp.Substring):
        start = node.args.get("start")
        length = node.args.get("length")
        if start is None or length is None:
            raise Unsupported("substr needs a start and a length")
        return _null_safe(
            lambda s, a, n: s[a - 1 : a - 1 + n],
            _compile(node.this),
            _compile(start),
            _compile(length),
        )
    if isinstance(node, exp.Split):
        return _null_safe(
            lambda s, sep: s.split(sep), _compile(node.this), _compile(node.expression)
        )
    if isinstance(node, exp.ArrayConcat):
        parts = [_compile(node.this), *(_compile(e) for e in node.expressions)]
        return _null_safe(lambda *lists: [x for lst in lists for x in lst], *parts)
    if isinstance(node, exp.ArrayDistinct):
        return _null_safe(lambda a: list(dict.fromkeys(a)), _compile(node.this))
    if isinstance(node, exp.Length | exp.ArraySize):
        return _null_safe(len, _compile(node.this))
    if isinstance(node, exp.Abs):
        return _null_safe(abs, _compile(node.this))
    if isinstance(node, exp.BitwiseAnd):
        return _null_safe(lambda a, b: a & b, _compile(node.this), _compile(node.expression))
    if isinstance(node, exp.BitwiseOr):
        return _null_safe(lambda a, b: a | b, _compile(node.this), _compile(node.expression))
    if isinstance(node, exp.Div):
        return _null_safe(_divide, _compile(node.this), _compile(node.expression))
    if isinstance(node, exp.DateDiff):
        unit = node.args.get("unit")
        if unit is None or unit.name.lower() != "day":
            raise Unsupported("date_diff other than in days")
        return _null_safe(
            lambda end, start: (end - start).days, _compile(node.this), _compile(node.expression)
        )
    if isinstance(node, exp.Anonymous):
        function = _ANONYMOUS.get(node.name.lower())
        if function is None:
            raise Unsupported(f"function {node.name}")
        return _null_safe(function, *(_compile(e) for e in node.expressions))
    raise Unsupported(f"{type(node).__name__} in {node.sql(dialect='duckdb')}")
