"""Scoring one record against a few candidates with a trained model, without Splink.

Real-time matching must not re-run Splink over everything: it finds candidates through an index
of blocking keys and scores only those. This module holds the pure part:

- ``clean_one`` cleans one record exactly as ``model.prepare`` cleans a column of them;
- ``BlockingKeys`` turns the model's blocking rules (``l.x = r.x`` and ``substr(l.x, a, b) =
  substr(r.x, a, b)`` terms joined by AND) into 64-bit keys: a record's stored keys are the
  left-hand sides, the keys probed for a new record the right-hand sides, so an asymmetric rule
  (first name and surname swapped) finds its pairs too;
- ``Scorer`` evaluates the model's own comparison-level SQL (the same text Splink runs) in an
  in-process DuckDB over the candidate pairs, then adds the trained log2 Bayes factors, the
  term-frequency adjustments (Splink's formula: weight × (log2 u_exact − log2 max(tf_l, tf_r)))
  and the prior. The result matches Splink's ``match_weight`` for the same pair (tested).

No database of the application here: callers pass values and term frequencies.
"""

from __future__ import annotations

import hashlib
import math
import re
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from joinedup.linkage import levels, rules
from joinedup.linkage import model as lm

# The cleaned columns a record can have (``model.prepare``'s output, without unique_id).
CLEAN_COLUMNS: tuple[str, ...] = (
    "first_name",
    "first_name_canonical",
    "surname",
    "dob",
    "postcode",
    "postcode_sector",
    "postcode_district",
    "gender",
    "address",
    "address_words",
    "birth_place",
    "identifier",
)
# Cleaned columns holding numbers (``rules.word_signature``); the rest are text.
NUMBER_COLUMNS = frozenset({"address_words"})

Record = Mapping[str, str | int | None]


def clean_one(values: Mapping[str, object]) -> dict[str, str | int | None]:
    """One record in the CSV contract's terms, cleaned as ``model.prepare`` cleans a frame."""
    first = rules.clean_name(values.get("first_name"))
    postcode = rules.clean_postcode(values.get("postcode"))
    address = rules.clean_address(values.get("address"))
    return {
        "first_name": first,
        "first_name_canonical": rules.canonical_first_name(first),
        "surname": rules.clean_name(values.get("surname")),
        "dob": rules.clean_dob(values.get("dob")),
        "postcode": postcode,
        "postcode_sector": rules.postcode_sector(postcode),
        "postcode_district": rules.postcode_district(postcode),
        "gender": rules.clean_gender(values.get("gender")),
        "address": address,
        "address_words": rules.word_signature(address),
        "birth_place": rules.clean_name(values.get("birth_place")),
        "identifier": rules.clean_identifier(values.get("identifier")),
    }


def _sql_type(column: str) -> str:
    return "BIGINT" if column in NUMBER_COLUMNS else "VARCHAR"


# ---------------------------------------------------------------------------------------------
# Blocking keys
# ---------------------------------------------------------------------------------------------

_SIDE = r"(?:{s}\.(\w+)|substr\({s}\.(\w+), (\d+), (\d+)\))"
_TERM = re.compile(rf"^{_SIDE.format(s='l')} = {_SIDE.format(s='r')}$")


@dataclass(frozen=True, slots=True)
class KeyPart:
    """One side of an equality: a column, or ``substr(column, start, length)``."""

    column: str
    start: int = 1
    length: int | None = None

    def value(self, record: Record) -> str | None:
        found = record.get(self.column)
        if found is None:
            return None
        text = str(found)  # blocking rules compare text columns
        if self.length is None:
            return text
        return text[self.start - 1 : self.start - 1 + self.length]


def _part(groups: tuple[str | None, ...]) -> KeyPart:
    plain, column, start, length = groups
    if plain is not None:
        return KeyPart(plain)
    assert column is not None and start is not None and length is not None
    return KeyPart(column, int(start), int(length))


def _hash(rule: int, values: Sequence[str]) -> int:
    text = "\x1f".join([str(rule), *values]).encode("utf-8")
    return int.from_bytes(hashlib.blake2b(text, digest_size=8).digest(), "big", signed=True)


@dataclass(frozen=True, slots=True)
class BlockingRule:
    """A blocking rule as the left-hand and right-hand parts of its equalities."""

    index: int
    left: tuple[KeyPart, ...]
    right: tuple[KeyPart, ...]

    @classmethod
    def parse(cls, index: int, sql: str) -> BlockingRule:
        left: list[KeyPart] = []
        right: list[KeyPart] = []
        for term in re.split(r"\s+AND\s+", sql.strip(), flags=re.IGNORECASE):
            found = _TERM.match(term.strip())
            if found is None:
                raise lm.LinkageInputError(
                    f"blocking rule {sql!r}: real-time matching understands only "
                    "l.col = r.col and substr(l.col, a, b) = substr(r.col, a, b) terms"
                )
            groups = found.groups()
            left.append(_part(groups[:4]))
            right.append(_part(groups[4:]))
        return cls(index, tuple(left), tuple(right))

    def _key(self, parts: tuple[KeyPart, ...], record: Record) -> int | None:
        values = [p.value(record) for p in parts]
        if any(v is None or v == "" for v in values):
            return None  # SQL equality with NULL is never true
        return _hash(self.index, [v for v in values if v is not None])


class BlockingKeys:
    """The keys of a model's blocking rules."""

    def __init__(self, blocking_rules: Sequence[str]) -> None:
        self.rules = [BlockingRule.parse(i, sql) for i, sql in enumerate(blocking_rules)]

    @classmethod
    def of_model(cls, model: Mapping[str, Any]) -> BlockingKeys:
        splink = model[lm.SETTINGS_KEY]
        return cls([r["blocking_rule"] for r in splink["blocking_rules_to_generate_predictions"]])

    def stored(self, record: Record) -> set[int]:
        """The keys to store for ``record`` (it as the left-hand side)."""
        return {k for r in self.rules if (k := r._key(r.left, record)) is not None}

    def probe(self, record: Record) -> set[int]:
        """The keys to look up for a new ``record`` (it as the right-hand side)."""
        return {k for r in self.rules if (k := r._key(r.right, record)) is not None}


# ---------------------------------------------------------------------------------------------
# Scoring
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Level:
    """One comparison level with its trained weight."""

    gamma: int
    sql: str
    label: str
    weight: float  # log2(m / u); 0 for the null level
    tf_column: str | None = None
    tf_weight: float = 0.0
    log2_u: float = 0.0
    tf_minimum_u: float = 0.0


@dataclass(frozen=True, slots=True)
class Comparison:
    """One comparison: its output column and levels in evaluation order."""

    column: str
    description: str
    levels: tuple[Level, ...]

    def level(self, gamma: int) -> Level:
        for lv in self.levels:
            if lv.gamma == gamma:
                return lv
        raise KeyError(gamma)


@dataclass(frozen=True, slots=True)
class Evidence:
    """A comparison's contribution to a pair's match weight."""

    comparison: str
    label: str
    weight: float

    def as_dict(self) -> dict[str, Any]:
        return {"comparison": self.comparison, "label": self.label, "weight": self.weight}


@dataclass(frozen=True, slots=True)
class Scored:
    """A candidate scored against the new record."""

    candidate: int  # index into the candidates given
    match_weight: float
    match_probability: float
    evidence: tuple[Evidence, ...]
    veto: str | None

    def label_of(self, comparison: str) -> str | None:
        for e in self.evidence:
            if e.comparison == comparison:
                return e.label
        return None


PRIOR = "prior"


def probability(weight: float) -> float:
    """Match probability from a match weight (log2 odds), without overflow."""
    if weight > 60:
        return 1.0
    if weight < -60:
        return 0.0
    odds: float = 2.0**weight
    return odds / (1.0 + odds)


# What Splink writes for a level that training never observed; it then uses 1e-6.
NOT_OBSERVED = "level not observed in training dataset"


def _defaults(levels: int) -> tuple[list[float], list[float]]:
    """Splink's default m and u by comparison vector value, for a level left untrained."""
    m = [0.05 / (levels - 1)] * (levels - 1) + [0.95]
    if levels == 2:
        weights = [-5.0]
    else:
        step = 8 / (levels - 2)
        weights = [-5 + i * step for i in range(levels - 1)]
    weights.append(10.0)
    return m, [mi / 2.0**w for mi, w in zip(m, weights, strict=True)]


def _probability(value: object, default: float) -> float:
    if value is None:
        return default
    if value == NOT_OBSERVED:
        return 1e-6
    return float(cast(float, value))


def _comparison(raw: Mapping[str, Any]) -> Comparison:
    raw_levels = list(raw["comparison_levels"])
    non_null = [lv for lv in raw_levels if not lv.get("is_null_level")]
    default_m, default_u = _defaults(len(non_null))
    levels: list[Level] = []
    for lv in raw_levels:
        label = str(lv.get("label_for_charts", lv["sql_condition"]))
        if lv.get("is_null_level"):
            levels.append(Level(-1, lv["sql_condition"], label, 0.0))
            continue
        gamma = len(non_null) - 1 - non_null.index(lv)
        m = _probability(lv.get("m_probability"), default_m[gamma])
        u = _probability(lv.get("u_probability"), default_u[gamma])
        weight = math.inf if u <= 0 else (-math.inf if m <= 0 else math.log2(m / u))
        tf_column = lv.get("tf_adjustment_column")
        levels.append(
            Level(
                gamma=gamma,
                sql=lv["sql_condition"],
                label=label,
                weight=weight,
                tf_column=tf_column,
                tf_weight=float(lv.get("tf_adjustment_weight", 1.0)) if tf_column else 0.0,
                log2_u=math.log2(u) if tf_column and u > 0 else 0.0,
                tf_minimum_u=float(lv.get("tf_minimum_u_value", 0.0)),
            )
        )
    description = raw.get("comparison_description", "")
    return Comparison(raw["output_column_name"], description, tuple(levels))


class Scorer:
    """A trained model's comparisons, evaluated over candidate pairs in an in-process DuckDB."""

    def __init__(self, model: Mapping[str, Any]) -> None:
        splink = model[lm.SETTINGS_KEY]
        self.comparisons = tuple(_comparison(c) for c in splink["comparisons"])
        prior = float(splink["probability_two_random_records_match"])
        self.prior_weight = math.log2(prior / (1 - prior))
        self._local = threading.local()
        self._sql = self._build_sql()
        self._python = self._compile()

    def _compile(self) -> list[list[tuple[int, Callable[[Record, Record], bool]]]] | None:
        """Every level as a Python function, or None when one cannot be (then DuckDB runs)."""
        try:
            return [
                [
                    (lv.gamma, levels.compile_condition(lv.sql))
                    for lv in comp.levels
                    if lv.sql.upper() != "ELSE"
                ]
                for comp in self.comparisons
            ]
        except levels.Unsupported:
            return None

    @property
    def in_python(self) -> bool:
        """Whether levels are evaluated in Python (else in DuckDB)."""
        return self._python is not None

    def _build_sql(self) -> str:
        columns = ", ".join(
            f'CAST(c{2 * i} AS {_sql_type(c)}) AS "{c}_l", '
            f'CAST(c{2 * i + 1} AS {_sql_type(c)}) AS "{c}_r"'
            for i, c in enumerate(CLEAN_COLUMNS)
        )
        cases = ", ".join(
            "CASE "
            + " ".join(
                f"WHEN {lv.sql} THEN {lv.gamma}" for lv in comp.levels if lv.sql.upper() != "ELSE"
            )
            + " ELSE 0 END"
            for comp in self.comparisons
        )
        names = ", ".join(["idx", *[f"c{i}" for i in range(2 * len(CLEAN_COLUMNS))]])
        return (
            f"SELECT idx, {cases} FROM (SELECT CAST(idx AS INTEGER) AS idx, {columns} "
            f"FROM (VALUES {{rows}}) AS t({names}))"
        )

    def _connection(self) -> Any:
        con = getattr(self._local, "con", None)
        if con is None:
            import duckdb

            con = duckdb.connect(":memory:")
            con.execute("SET threads TO 1")
            self._local.con = con
        return con

    def gammas(self, pairs: Sequence[tuple[Record, Record]]) -> list[tuple[int, ...]]:
        """Each pair's comparison vector (the first record as l, the second as r)."""
        if not pairs:
            return []
        if self._python is not None:
            return [self._vector(left, right, self._python) for left, right in pairs]
        return self._gammas_duckdb(pairs)

    @staticmethod
    def _vector(
        left: Record,
        right: Record,
        compiled: list[list[tuple[int, Callable[[Record, Record], bool]]]],
    ) -> tuple[int, ...]:
        out: list[int] = []
        for comp in compiled:
            found = 0  # the ELSE level
            for gamma, condition in comp:
                if condition(left, right):
                    found = gamma
                    break
            out.append(found)
        return tuple(out)

    def _gammas_duckdb(self, pairs: Sequence[tuple[Record, Record]]) -> list[tuple[int, ...]]:
        width = 1 + 2 * len(CLEAN_COLUMNS)
        row = "(" + ", ".join(["?"] * width) + ")"
        out: list[tuple[int, ...]] = [()] * len(pairs)
        con = self._connection()
        for start in range(0, len(pairs), 500):
            chunk = pairs[start : start + 500]
            params: list[Any] = []
            for i, (left, right) in enumerate(chunk, start):
                params.append(i)
                for column in CLEAN_COLUMNS:
                    params.append(left.get(column))
                    params.append(right.get(column))
            sql = self._sql.replace("{rows}", ", ".join([row] * len(chunk)))
            for found in con.execute(sql, params).fetchall():
                out[found[0]] = tuple(int(g) for g in found[1:])
        return out

    def score(
        self,
        new: Record,
        candidates: Sequence[Record],
        tf: Mapping[tuple[str, str], float] | None = None,
        *,
        household_veto: bool = True,
        allow_missing_dob: bool = False,
    ) -> list[Scored]:
        """Score every candidate against ``new``; ``tf`` maps (column, value) → frequency."""
        return self.score_pairs(
            [(cand, new) for cand in candidates],
            tf,
            household_veto=household_veto,
            allow_missing_dob=allow_missing_dob,
        )

    def score_pairs(
        self,
        pairs: Sequence[tuple[Record, Record]],
        tf: Mapping[tuple[str, str], float] | None = None,
        *,
        household_veto: bool = True,
        allow_missing_dob: bool = False,
    ) -> list[Scored]:
        """Score each pair; ``Scored.candidate`` is the pair's index."""
        return self.weigh(
            pairs,
            self.gammas(pairs),
            tf or {},
            household_veto=household_veto,
            allow_missing_dob=allow_missing_dob,
        )

    def tf_needed(
        self, pairs: Sequence[tuple[Record, Record]], vectors: Sequence[tuple[int, ...]]
    ) -> set[tuple[str, str]]:
        """The (column, value) term frequencies ``weigh`` will read for these vectors: only
        pairs at a level with a term-frequency adjustment need them."""
        needed: set[tuple[str, str]] = set()
        for (left, right), vector in zip(pairs, vectors, strict=True):
            for comp, gamma in zip(self.comparisons, vector, strict=True):
                column = comp.level(gamma).tf_column
                if column is not None and gamma != -1:
                    for value in (left.get(column), right.get(column)):
                        if value:
                            needed.add((column, str(value)))
        return needed

    def weigh(
        self,
        pairs: Sequence[tuple[Record, Record]],
        vectors: Sequence[tuple[int, ...]],
        tf: Mapping[tuple[str, str], float],
        *,
        household_veto: bool = True,
        allow_missing_dob: bool = False,
    ) -> list[Scored]:
        """Each pair's match weight, probability, evidence and veto from its comparison vector."""
        out: list[Scored] = []
        for index, vector in enumerate(vectors):
            left, right = pairs[index]
            evidence = [Evidence(PRIOR, "prior", self.prior_weight)]
            total = self.prior_weight
            for comp, gamma in zip(self.comparisons, vector, strict=True):
                level = comp.level(gamma)
                weight = level.weight + self._tf_adjustment(level, left, right, tf)
                total += weight
                evidence.append(Evidence(comp.column, level.label, weight))
            veto = None
            if household_veto:
                labels = {
                    comp.column: None if gamma == -1 else comp.level(gamma).label
                    for comp, gamma in zip(self.comparisons, vector, strict=True)
                }
                veto = rules.household_veto(
                    labels.get("first_name"),
                    labels.get("dob"),
                    labels.get("identifier"),
                    allow_missing_dob=allow_missing_dob,
                )
            out.append(Scored(index, total, probability(total), tuple(evidence), veto))
        return out

    @staticmethod
    def _tf_adjustment(
        level: Level, left: Record, right: Record, tf: Mapping[tuple[str, str], float]
    ) -> float:
        if level.tf_column is None or level.tf_weight == 0 or level.gamma == -1:
            return 0.0
        column = level.tf_column
        pairs = [(column, str(v)) for v in (left.get(column), right.get(column)) if v]
        found = [f for key in pairs if (f := tf.get(key)) is not None]
        if not found:
            return 0.0
        return level.tf_weight * (level.log2_u - math.log2(max(*found, level.tf_minimum_u)))

    def tf_columns(self) -> set[str]:
        """The columns whose term frequencies the model uses."""
        return {lv.tf_column for c in self.comparisons for lv in c.levels if lv.tf_column}
