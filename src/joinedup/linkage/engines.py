"""Where the batch linkage runs: DuckDB in this process (default) or Spark (local or a cluster).

The model's comparison levels and blocking rules are SQL in the DuckDB dialect, and the model
file keeps them so (docs/linkage.md). Spark SQL names several functions differently and has no
``try_strptime``, so ``to_spark_sql`` rewrites each condition through sqlglot when the Spark
engine is chosen: the stored model is never changed.

pyspark is an optional extra (``pip install 'joinedup[spark]'``) and needs Java 17. The string
similarity functions come from the jar Splink ships inside its wheel (registered by
``SparkAPI``), so nothing is downloaded at run time.
"""

from __future__ import annotations

import atexit
import copy
import os
import re
import shutil
import tempfile
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

DUCKDB = "duckdb"
SPARK = "spark"
ENGINES = (DUCKDB, SPARK)
DEFAULT_ENGINE = DUCKDB
# Local Spark's driver heap (the whole job runs in it in local mode); override for big inputs.
DRIVER_MEMORY_ENV = "JOINEDUP_SPARK_DRIVER_MEMORY"
DEFAULT_DRIVER_MEMORY = "4g"

# DuckDB function → Spark SQL function, for functions sqlglot leaves as unknown ("anonymous")
# names. jaro_winkler and damerau_levenshtein are the UDFs Splink registers from its jar
# (splink.internals.spark.jar_location.get_scala_udfs).
_RENAMED = {
    "list_intersect": "array_intersect",
    "list_distinct": "array_distinct",
    "list_concat": "concat",
    "damerau_levenshtein": "damerau_levenshtein",
    "jaro_similarity": "jaro_sim",
}
# strftime codes used in the model → Spark (Java) datetime pattern letters.
_DATE_CODES = {"%Y": "yyyy", "%m": "MM", "%d": "dd", "%H": "HH", "%M": "mm", "%S": "ss"}
# The functions a translated condition may call by a name sqlglot does not know: Spark
# built-ins and Splink's UDFs. Any other such name fails the translation, not the Spark job.
SPARK_FUNCTIONS = frozenset(
    {
        "abs",
        "array_distinct",
        "array_intersect",
        "bit_count",
        "concat",
        "damerau_levenshtein",
        "datediff",
        "jaro_winkler",
        "jaro_sim",
        "lower",
        "size",
        "split",
        "substring",
        "try_to_timestamp",
        "upper",
    }
)


class EngineError(ValueError):
    """The engine cannot run: an unknown name, pyspark or Java missing, untranslatable SQL."""


def check_engine(engine: str) -> str:
    """``engine`` when it is a known engine name, else EngineError."""
    if engine not in ENGINES:
        raise EngineError(f"unknown engine {engine!r}: choose one of {', '.join(ENGINES)}")
    return engine


# ---------------------------------------------------------------------------------------------
# DuckDB SQL → Spark SQL
# ---------------------------------------------------------------------------------------------


def _spark_date_format(strftime: str) -> str:
    found = strftime
    for code, letters in _DATE_CODES.items():
        found = found.replace(code, letters)
    if "%" in found:
        raise EngineError(f"no Spark pattern for the date format {strftime!r}")
    return found


def _is_list(node: Any) -> bool:
    """Whether ``node`` (DuckDB, before translation) gives a list rather than a string."""
    from sqlglot import exp

    if isinstance(node, exp.Split | exp.ArrayDistinct | exp.ArrayConcat | exp.Array):
        return True
    return isinstance(node, exp.Anonymous) and node.name.lower().startswith(("list_", "string_"))


def _rewrite(node: Any) -> Any:
    """One sqlglot node in DuckDB's meaning → the same meaning in Spark SQL."""
    from sqlglot import exp

    if isinstance(node, exp.JarowinklerSimilarity):
        return exp.Anonymous(this="jaro_winkler", expressions=[node.this, node.expression])
    if isinstance(node, exp.Length) and _is_list(node.this):
        # DuckDB's len() of a list is its size; in Spark length() is for strings only.
        return exp.Anonymous(this="size", expressions=[node.this])
    if isinstance(node, exp.Split) and isinstance(node.expression, exp.Literal):
        # Spark's split() takes a regular expression; DuckDB's string_split a plain string.
        delimiter = node.expression.name
        pattern = delimiter if delimiter.isalnum() or delimiter == " " else re.escape(delimiter)
        return exp.Anonymous(this="split", expressions=[node.this, exp.Literal.string(pattern)])
    if isinstance(node, exp.ArrayConcat):
        return exp.Anonymous(this="concat", expressions=[node.this, *node.expressions])
    if isinstance(node, exp.DateDiff):
        unit = node.text("unit").lower()
        if unit not in ("", "day"):
            raise EngineError(f"no Spark translation for date_diff in {unit!r}")
        # sqlglot holds DuckDB's date_diff(unit, start, end) as (this=end, expression=start),
        # which is Spark's datediff(end, start).
        return exp.Anonymous(this="datediff", expressions=[node.this, node.expression])
    if isinstance(node, exp.Anonymous):
        name = node.name.lower()
        if name == "try_strptime":
            value, pattern = node.expressions
            spark_pattern = exp.Literal.string(_spark_date_format(pattern.name))
            return exp.Anonymous(this="try_to_timestamp", expressions=[value, spark_pattern])
        if name in _RENAMED:
            return exp.Anonymous(this=_RENAMED[name], expressions=node.expressions)
    return node


def _unknown_calls(tree: Any) -> list[str]:
    """Functions sqlglot does not know (kept by name) that are not known to Spark either.

    A function sqlglot knows is written in Spark's own spelling when the SQL is generated.
    """
    from sqlglot import exp

    names = {call.name.lower() for call in tree.find_all(exp.Anonymous)}
    return sorted(names - SPARK_FUNCTIONS)


def to_spark_sql(sql: str) -> str:
    """A DuckDB-dialect SQL condition (a comparison level, a blocking rule) in Spark SQL.

    Raises EngineError when it calls a function with no Spark counterpart known here.
    """
    import sqlglot
    from sqlglot.errors import ErrorLevel, ParseError, UnsupportedError

    if sql.strip().upper() == "ELSE":
        return sql
    try:
        tree = sqlglot.parse_one(sql, read="duckdb")
    except ParseError as exc:
        raise EngineError(f"cannot read the condition {sql!r}: {exc}") from exc
    # sqlglot does not revisit the arguments of a replaced node: repeat until nothing changes.
    translated = tree
    for _ in range(8):
        before = translated.sql(dialect="duckdb")
        translated = translated.transform(_rewrite)
        if translated.sql(dialect="duckdb") == before:
            break
    unknown = _unknown_calls(translated)
    if unknown:
        raise EngineError(f"no Spark translation for {', '.join(unknown)} in {sql!r}")
    try:
        return str(translated.sql(dialect="spark", unsupported_level=ErrorLevel.RAISE))
    except UnsupportedError as exc:
        raise EngineError(f"no Spark translation for {sql!r}: {exc}") from exc


def spark_settings(splink_settings: dict[str, Any]) -> dict[str, Any]:
    """A copy of Splink ``splink_settings`` with every condition in Spark SQL."""
    found = copy.deepcopy(splink_settings)
    for comparison in found["comparisons"]:
        for level in comparison["comparison_levels"]:
            level["sql_condition"] = to_spark_sql(level["sql_condition"])
    rules: list[Any] = []
    for rule in found.get("blocking_rules_to_generate_predictions", []):
        if isinstance(rule, str):
            rules.append(to_spark_sql(rule))
        else:
            rule = dict(rule, blocking_rule=to_spark_sql(rule["blocking_rule"]))
            if "sql_dialect" in rule:
                rule["sql_dialect"] = SPARK
            rules.append(rule)
    found["blocking_rules_to_generate_predictions"] = rules
    if "sql_dialect" in found:
        found["sql_dialect"] = SPARK
    return found


def settings_for(splink_settings: dict[str, Any], engine: str) -> dict[str, Any]:
    """The model's settings in the SQL dialect of ``engine``."""
    return spark_settings(splink_settings) if check_engine(engine) == SPARK else splink_settings


# ---------------------------------------------------------------------------------------------
# Sessions and Splink database APIs
# ---------------------------------------------------------------------------------------------

_session: Any = None


def _stop_session(checkpoint_dir: str) -> None:
    global _session
    if _session is not None:
        _session.stop()
        _session = None
    shutil.rmtree(checkpoint_dir, ignore_errors=True)


_LOG4J2 = """\
rootLogger.level = error
rootLogger.appenderRef.console.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n
logger.codegen.name = org.apache.spark.sql.catalyst.expressions.codegen
logger.codegen.level = off
"""


def _local_conf(scratch: str, jar: str) -> dict[str, str]:
    """Spark settings for one machine: ``scratch`` is a private temporary directory."""
    log_config = os.path.join(scratch, "log4j2.properties")
    with open(log_config, "w", encoding="utf-8") as handle:
        handle.write(_LOG4J2)
    partitions = str(2 * (os.cpu_count() or 2))
    return {
        "spark.driver.memory": os.environ.get(DRIVER_MEMORY_ENV, DEFAULT_DRIVER_MEMORY),
        "spark.driver.host": "127.0.0.1",
        "spark.driver.bindAddress": "127.0.0.1",
        "spark.driver.extraJavaOptions": f"-Dlog4j2.configurationFile=file:{log_config}",
        "spark.sql.shuffle.partitions": partitions,
        "spark.default.parallelism": partitions,
        # Splink's similarity UDFs, from the jar inside its wheel (no download).
        "spark.jars": jar,
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        # One query scores every comparison level: whole-stage code generation for it
        # exceeds the JVM's 64 KB method limit, fails, and falls back after a long compile.
        "spark.sql.codegen.wholeStage": "false",
        "spark.sql.execution.arrow.pyspark.enabled": "true",
        "spark.sql.legacy.timeParserPolicy": "CORRECTED",
        "spark.sql.warehouse.dir": os.path.join(scratch, "warehouse"),
    }


def spark_session() -> Any:
    """The process's local SparkSession (``local[*]``), started on first use (~10 s).

    UI off, warnings-only logs, shuffle partitions at twice the cores, intermediate tables
    in a temporary directory removed at exit, Splink's similarity jar from its wheel. An
    active session started elsewhere (e.g. spark-submit on a cluster) is used as it is.
    """
    global _session
    if _session is not None:
        return _session
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        raise EngineError(
            "the Spark engine needs Java 17 (apt-get install openjdk-17-jre-headless)"
        )
    try:
        from pyspark.sql import SparkSession
        from splink.backends.spark import similarity_jar_location
    except ImportError as exc:
        raise EngineError("the Spark engine needs pyspark: pip install 'joinedup[spark]'") from exc

    active = SparkSession.getActiveSession()
    if active is not None:
        _session = active
        return _session
    scratch = tempfile.mkdtemp(prefix="joinedup-spark-")
    builder = SparkSession.builder.master("local[*]").appName("joinedup-linkage")
    for key, value in _local_conf(scratch, similarity_jar_location()).items():
        builder = builder.config(key, value)
    # The driver binds to the loopback address: nothing is served beyond this machine.
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    session.sparkContext.setCheckpointDir(os.path.join(scratch, "checkpoints"))
    _session = session
    atexit.register(_stop_session, scratch)
    return _session


def db_api(engine: str = DEFAULT_ENGINE) -> Any:
    """A Splink database API for one run: a fresh in-memory DuckDB, or Spark's."""
    if check_engine(engine) == DUCKDB:
        from joinedup.linkage import model as lm

        return lm.db_api()
    from splink import SparkAPI

    return SparkAPI(spark_session=spark_session())


def tables_for(frames: Sequence[pd.DataFrame], engine: str) -> list[Any]:
    """Prepared frames as the engine reads them (Spark: every column a string but the numbers
    of ``scoring.NUMBER_COLUMNS``).

    Spark cannot infer a type for a column that is missing on every record (FEBRL has no
    gender), so the schema is given.
    """
    if check_engine(engine) == DUCKDB:
        return list(frames)
    from pyspark.sql.types import LongType, StringType, StructField, StructType

    from joinedup.linkage.scoring import NUMBER_COLUMNS

    session = spark_session()
    tables = []
    for frame in frames:
        schema = StructType(
            [
                StructField(str(c), LongType() if c in NUMBER_COLUMNS else StringType(), True)
                for c in frame.columns
            ]
        )
        values = frame.astype(object).where(frame.notna(), None)
        tables.append(session.createDataFrame(values, schema=schema))
    return tables
