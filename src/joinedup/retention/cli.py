"""``joinedup retention run``: erase or flag records past their retention period (RET-1)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from joinedup.common import clock
from joinedup.config import get_settings
from joinedup.db import engine_for, session_factory
from joinedup.incidents.cli import progress_bar
from joinedup.retention.schemas import RetentionMode
from joinedup.retention.service import run as run_retention

app = typer.Typer(help="Retention periods (RET-1).", no_args_is_help=True)
console = Console(stderr=True)


@app.command("run")
def run_command(
    mode: Annotated[
        RetentionMode | None,
        typer.Option(help="erase or flag (default: the JOINEDUP_RETENTION_MODE setting)."),
    ] = None,
    dry_run: bool = typer.Option(False, help="Count what would happen and change nothing."),
) -> None:
    """Erase or flag every record past its retention period; purge old working data."""
    settings = get_settings()
    chosen = mode or RetentionMode(settings.retention_mode)
    with (
        session_factory(engine_for(settings.database_url))() as session,
        progress_bar(console) as bar,
    ):
        task = bar.add_task("Records past retention", total=None)
        summary = run_retention(
            session=session,
            now=clock.utc_now(),
            mode=chosen,
            settings=settings,
            dry_run=dry_run,
            progress=lambda n: bar.advance(task, n),
        )
    prefix = "Dry run: " if dry_run else ""
    typer.echo(
        f"{prefix}mode={summary.mode.value} incidents_past={summary.incidents_past} "
        f"persons_past={summary.persons_past} erased={sum(summary.erased.values())} "
        f"flagged={summary.flagged} "
        + " ".join(f"{k}={v}" for k, v in sorted(summary.purged.items()))
    )
