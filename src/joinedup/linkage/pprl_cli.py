"""``joinedup pprl``: encode people locally (partner side), match encodings or upload them into
the app and match them there (platform side), and measure the scheme on FEBRL4. See
docs/pprl.md."""

from __future__ import annotations

import base64
import binascii
import csv
import json
import stat
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from joinedup.audit.rules import csv_safe
from joinedup.linkage.pprl import (
    DEFAULT_SCHEMA,
    Schema,
    SchemaError,
    SecretError,
    encode_timed,
    match,
    read_secret,
)

app = typer.Typer(
    help="Privacy-preserving 'known to' matching with Bloom-filter encodings.",
    no_args_is_help=True,
)
err = Console(stderr=True)
ID_COLUMN = "unique_id"
LINE_KEYS = {"unique_id", "clk"}

SchemaOption = Annotated[
    Path | None,
    typer.Option("--schema", dir_okay=False, help="Schema JSON (default: the built-in v1)."),
]


def _fail(message: str) -> typer.Exit:
    err.print(f"Error: {message}", markup=False)
    return typer.Exit(2)


def _schema(path: Path | None) -> Schema:
    if path is None:
        return DEFAULT_SCHEMA
    try:
        return Schema.load(path)
    except (OSError, SchemaError) as exc:
        raise _fail(f"schema {path}: {exc}") from None


def _secret(path: Path) -> bytes:
    try:
        secret = read_secret(path)
    except SecretError as exc:
        raise _fail(str(exc)) from None
    if path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        err.print(f"Warning: {path} can be read by other users: chmod 600 it.", markup=False)
    return secret


def read_people(path: Path, schema: Schema) -> list[dict[str, str]]:
    """The rows of a people CSV (the linkage contract's columns); refuses a file without
    ``unique_id`` or a schema field, or with a blank or repeated ``unique_id``."""
    with path.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        header = set(reader.fieldnames or [])
        missing = [c for c in [ID_COLUMN, *(f.name for f in schema.fields)] if c not in header]
        if missing:
            raise _fail(f"{path}: missing columns {', '.join(missing)}")
        rows = list(reader)
    seen: set[str] = set()
    for line, row in enumerate(rows, start=2):
        uid = (row.get(ID_COLUMN) or "").strip()
        if not uid or uid in seen:
            raise _fail(f"{path} line {line}: unique_id is {'repeated' if uid else 'blank'}")
        seen.add(uid)
        row[ID_COLUMN] = uid
    return rows


def read_encodings(path: Path) -> tuple[list[str], list[bytes]]:
    """Ids and encodings from a JSONL file ``encode`` wrote. A line holding anything but
    ``unique_id`` and ``clk`` is refused: the platform takes nothing else from a partner."""
    ids: list[str] = []
    clks: list[bytes] = []
    with path.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                doc = json.loads(line)
                if not isinstance(doc, dict) or set(doc) != LINE_KEYS:
                    raise ValueError("a line must hold exactly 'unique_id' and 'clk'")
                ids.append(str(doc["unique_id"]))
                clks.append(base64.b64decode(doc["clk"], validate=True))
            except (ValueError, TypeError, binascii.Error) as exc:
                raise _fail(f"{path} line {number}: {exc}") from None
    return ids, clks


@app.command("encode")
def encode_command(
    people: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="People CSV.")],
    secret_file: Annotated[
        Path, typer.Option("--secret-file", exists=True, dir_okay=False, help="Shared secret.")
    ],
    out: Annotated[Path, typer.Option("--out", dir_okay=False, help="Encodings (JSONL).")],
    schema_path: SchemaOption = None,
) -> None:
    """Partner side: encode PEOPLE locally; write one {unique_id, clk} JSON line per person."""
    schema = _schema(schema_path)
    secret = _secret(secret_file)
    rows = read_people(people, schema)
    report = encode_timed(rows, secret, schema)
    with out.open("w", encoding="utf-8") as fh:
        for row, clk in zip(rows, report.encodings, strict=True):
            line = {"unique_id": row[ID_COLUMN], "clk": base64.b64encode(clk).decode("ascii")}
            fh.write(json.dumps(line) + "\n")
    err.print(
        f"Encoded {len(rows):,} records in {report.seconds:.2f} s "
        f"({report.per_second:,.0f} encodings/s) with schema v{schema.version} → {out}",
        markup=False,
    )


@app.command("match")
def match_command(
    a: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="Encodings A (JSONL).")],
    b: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="Encodings B (JSONL).")],
    out: Annotated[Path, typer.Option("--out", dir_okay=False, help="Pairs (CSV).")],
    threshold: Annotated[float, typer.Option(min=0.01, max=1.0, help="Least Dice.")] = 0.8,
    k: Annotated[int, typer.Option(min=1, help="Candidates kept per A encoding.")] = 10,
) -> None:
    """Platform side: pair A's and B's encodings one-to-one at Dice >= THRESHOLD."""
    ids_a, clks_a = read_encodings(a)
    ids_b, clks_b = read_encodings(b)
    start = time.perf_counter()
    try:
        pairs = match(clks_a, clks_b, threshold=threshold, k=k)
    except ValueError as exc:
        raise _fail(str(exc)) from None
    seconds = time.perf_counter() - start
    with out.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["a_unique_id", "b_unique_id", "score"])
        for p in pairs:
            writer.writerow([csv_safe(ids_a[p.a]), csv_safe(ids_b[p.b]), f"{p.score:.4f}"])
    err.print(
        f"{len(pairs):,} pairs from {len(ids_a):,} × {len(ids_b):,} encodings "
        f"in {seconds:.2f} s → {out}",
        markup=False,
    )


@app.command("upload")
def upload_command(
    encodings: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="Encodings (JSONL) to upload.")
    ],
    org: Annotated[str, typer.Option("--org", help="The organisation that encoded them.")],
    kind: Annotated[
        str,
        typer.Option(
            "--kind", help="known (your person records, by reference) or holder (opaque ids)."
        ),
    ],
) -> None:
    """Platform side: store ORG's encodings of KIND (replacing its previous upload of that
    kind; refused whole on any problem line), then match them with a progress bar."""
    from joinedup.linkage.pprl_upload_cli import run_upload

    run_upload(encodings, org, kind, err)


@app.command("rematch")
def rematch_command() -> None:
    """Platform side: match every holder's encodings again (e.g. after the threshold changed)."""
    from joinedup.linkage.pprl_upload_cli import run_rematch

    run_rematch(err)


@app.command("schema")
def schema_command(
    out: Annotated[Path | None, typer.Option("--out", dir_okay=False, help="File.")] = None,
) -> None:
    """Print (or write) the built-in encoding schema, to share with the partners."""
    text = DEFAULT_SCHEMA.to_json()
    if out is None:
        sys.stdout.write(text)
    else:
        out.write_text(text, encoding="utf-8")


@app.command("evaluate")
def evaluate_command(
    threshold: Annotated[float, typer.Option(min=0.01, max=1.0, help="Least Dice.")] = 0.8,
    k: Annotated[int, typer.Option(min=1, help="Candidates kept per encoding.")] = 10,
    schema: Annotated[
        str, typer.Option(help="contract (built-in), tutorial (clkhash's FEBRL fields), both.")
    ] = "both",
) -> None:
    """Precision, recall, encodings/s and matching seconds on FEBRL4."""
    print_json(run_evaluation(threshold, k, schema))


def run_evaluation(threshold: float, k: int, which: str) -> list[dict[str, Any]]:
    """FEBRL4 figures for the named schema(s)."""
    from joinedup.linkage.pprl_febrl import SCHEMAS, evaluate_febrl4

    names = list(SCHEMAS) if which == "both" else [which]
    if any(n not in SCHEMAS for n in names):
        raise _fail(f"--schema must be one of {', '.join(SCHEMAS)} or both")
    try:
        return [
            {"schema": n} | evaluate_febrl4(threshold=threshold, k=k, schema=SCHEMAS[n])
            for n in names
        ]
    except RuntimeError as exc:
        raise _fail(str(exc)) from None


def print_json(result: object) -> None:
    """Results on standard output, one JSON document."""
    sys.stdout.write(json.dumps(result, indent=2) + "\n")
