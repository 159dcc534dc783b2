"""``joinedup demo ...``: load the demo partnership and list its logins."""

from __future__ import annotations

import time
from dataclasses import asdict
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn
from rich.table import Table

from joinedup.config import get_settings
from joinedup.db import engine_for, session_factory
from joinedup.demo import organisations as orgs
from joinedup.demo.groundtruth import GROUND_TRUTH_PATH
from joinedup.demo.loader import is_loaded, load_demo

app = typer.Typer(help="The demo partnership (synthetic people, real police.uk data).",
                  no_args_is_help=True)  # fmt: skip
console = Console()


class ProgressReporter:
    """Shows each load stage as its own progress bar."""

    def __init__(self, progress: Progress) -> None:
        self._progress = progress
        self._task: TaskID | None = None

    def stage(self, name: str, total: int) -> None:
        """Start a bar for the stage."""
        if self._task is not None:
            task = self._progress.tasks[self._task]
            self._progress.update(self._task, completed=task.total)
        self._task = self._progress.add_task(name, total=total)

    def advance(self, steps: int) -> None:
        """Move the current bar on."""
        if self._task is not None:
            self._progress.advance(self._task, steps)


@app.command("load")
def load(
    if_empty: Annotated[
        bool, typer.Option("--if-empty", help="Do nothing when organisations already exist.")
    ] = False,
    seed: Annotated[int, typer.Option(help="Seed for the synthetic population.")] = 2026,
    people: Annotated[int, typer.Option(help="How many synthetic people.", min=0)] = 5000,
    incidents: Annotated[int, typer.Option(help="How many partner incidents.", min=0)] = 20000,
    police_uk: Annotated[
        bool, typer.Option("--police-uk/--no-police-uk", help="Import data/police-uk/.")
    ] = True,
    link: Annotated[
        bool, typer.Option("--link/--no-link", help="Link the person records (joinedup link run).")
    ] = True,
) -> None:
    """Load the demo partnership into an empty, migrated database (one transaction)."""
    settings = get_settings()
    with session_factory(engine_for(settings.database_url))() as session:
        if is_loaded(session):
            if if_empty:
                console.print("The database already holds organisations; nothing loaded.")
                return
            console.print("The database already holds organisations. Use an empty database.")
            raise typer.Exit(1)
        started = time.perf_counter()
        progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                            console=console)  # fmt: skip
        with progress:
            counts = load_demo(
                session,
                seed=seed,
                people=people,
                incidents=incidents,
                police_uk=police_uk,
                h3_resolution=settings.h3_resolution,
                ground_truth_path=GROUND_TRUTH_PATH,
                reporter=ProgressReporter(progress),
            )
        if link:
            from joinedup.linkage import store
            from joinedup.linkage.realtime import thresholds_from

            with console.status("linking person records") as status:
                linked = store.run(
                    session, thresholds=thresholds_from(settings), progress=status.update
                )
            console.print(
                f"Linked {linked.records:,} person records into {linked.entities:,} people; "
                f"{linked.reviews_added:,} pairs wait for review."
            )
    table = Table(title=f"Demo loaded in {time.perf_counter() - started:.1f} s", show_header=False)
    for name, value in asdict(counts).items():
        table.add_row(name.replace("_", " ").capitalize(), f"{value:,}")
    console.print(table)


@app.command("logins")
def logins() -> None:
    """Print the demo logins (only when JOINEDUP_DEMO_MODE is true)."""
    if not get_settings().demo_mode:
        console.print("Demo mode is disabled (set JOINEDUP_DEMO_MODE=true to list demo logins).")
        raise typer.Exit(1)
    table = Table(title="Demo logins")
    for column in ("Username", "Name", "Organisation", "Role", "Password"):
        table.add_column(column, no_wrap=True)
    for user in orgs.USERS:
        table.add_row(user.username, user.display_name, user.organisation, user.role.label,
                      orgs.DEMO_PASSWORD)  # fmt: skip
    # Piped output (a file, a README script) is not wrapped to 80 columns.
    out = console if console.is_terminal else Console(width=200)
    out.print(table)
