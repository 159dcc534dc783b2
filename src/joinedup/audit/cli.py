"""``joinedup audit ...``: verify the ledger's hash chain (AUD-6) and time it."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import text
from sqlalchemy.engine import Engine

from joinedup.audit.verify import VerifyResult, verify_ledger
from joinedup.config import get_settings
from joinedup.db import engine_for, make_engine

app = typer.Typer(help="The audit ledger.", no_args_is_help=True)
console = Console(stderr=True)


def _verify_with_progress(engine: Engine, from_seq: int) -> VerifyResult:
    with engine.connect() as conn:
        head = conn.scalar(text("SELECT seq FROM audit_ledger_head WHERE id = 1")) or 0
    columns = (TextColumn("Verifying"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("verify", total=max(0, head - from_seq + 1))
        return verify_ledger(
            engine, from_seq=from_seq, progress=lambda n: progress.advance(task, n)
        )


def _report(result: VerifyResult) -> None:
    if result.ok:
        typer.echo(f"Ledger whole: {result.checked} entries verified.")
        return
    typer.echo(f"Ledger broken at seq {result.broken_seq}: {result.reason}.")
    raise typer.Exit(1)


@app.command("verify")
def verify(
    from_seq: int = typer.Option(1, "--from", min=1, help="First sequence number to check."),
) -> None:
    """Recompute the hash chain; exit 1 naming the first broken entry and why."""
    _report(_verify_with_progress(engine_for(get_settings().database_url), from_seq))


@app.command("bench-verify")
def bench_verify(
    entries: int = typer.Option(1_000_000, min=1, help="How many entries to write."),
    database_url: str = typer.Option(
        "", help="An empty scratch database (default: a temporary SQLite file)."
    ),
) -> None:
    """Fill a scratch ledger with ENTRIES chained entries and time ``verify`` over it."""
    from joinedup.audit.bench import fill_ledger
    from joinedup.migrations_state import upgrade

    with tempfile.TemporaryDirectory() as tmp:
        url = database_url or f"sqlite:///{Path(tmp) / 'ledger.db'}"
        upgrade(url)
        engine = make_engine(url)
        started = time.perf_counter()
        fill_ledger(engine, entries)
        filled = time.perf_counter() - started
        started = time.perf_counter()
        result = verify_ledger(engine)
        took = time.perf_counter() - started
        engine.dispose()
    typer.echo(f"{engine.dialect.name}: wrote {entries} entries in {filled:.1f} s")
    typer.echo(f"{engine.dialect.name}: verified {result.checked} entries in {took:.2f} s")
    _report(result)
