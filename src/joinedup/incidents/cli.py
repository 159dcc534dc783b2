"""``joinedup import ...``: bring published or partner data in as incidents."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn
from rich.table import Table

from joinedup.config import get_settings
from joinedup.db import engine_for, session_factory
from joinedup.incidents.police_uk import ImportSummary, PoliceUkFormatError, import_files
from joinedup.partners.queries import find_organisation_id

app = typer.Typer(help="Import incidents from files.", no_args_is_help=True)
console = Console()
PROBLEMS_SHOWN = 20


def progress_bar(console: Console) -> Progress:
    """The progress bar the import and demo commands share."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=console,
        transient=False,
    )


def print_summary(summary: ImportSummary, out: Console) -> None:
    """Print an import's counts and its first problems."""
    table = Table(title="police.uk import", show_header=False)
    table.add_row("Files", str(summary.files))
    table.add_row("Rows read", f"{summary.rows_read:,}")
    table.add_row("Imported", f"{summary.imported:,}")
    table.add_row("Already present", f"{summary.already_present:,}")
    table.add_row("Rejected", f"{summary.rejected:,}")
    table.add_row("No location (imported)", f"{summary.no_location:,}")
    table.add_row("Outside the area (imported)", f"{summary.outside_area:,}")
    out.print(table)
    for problem in summary.problems[:PROBLEMS_SHOWN]:
        out.print(f"  {problem.file} line {problem.line}: {problem.reason}", markup=False)
    if len(summary.problems) > PROBLEMS_SHOWN:
        out.print(f"  … and {len(summary.problems) - PROBLEMS_SHOWN} more problems")


@app.command("police-uk")
def police_uk(
    files: Annotated[
        list[Path], typer.Argument(exists=True, dir_okay=False, help="police.uk .csv or .csv.gz")
    ],
    org: Annotated[str, typer.Option("--org", help="The organisation the incidents belong to.")],
) -> None:
    """Import police.uk street-level crime and ASB files (as published) for one organisation."""
    settings = get_settings()
    with session_factory(engine_for(settings.database_url))() as session:
        organisation_id = find_organisation_id(session, org)
        if organisation_id is None:
            console.print(f"There is no organisation called {org!r}.", markup=False)
            raise typer.Exit(1)
        with progress_bar(console) as progress:
            tasks: dict[Path, TaskID] = {f: progress.add_task(f.name, total=None) for f in files}

            def on_progress(path: Path, done: int, total: int) -> None:
                progress.update(tasks[path], completed=done, total=total)

            try:
                summary = import_files(
                    session,
                    organisation_id=organisation_id,
                    paths=files,
                    h3_resolution=settings.h3_resolution,
                    on_progress=on_progress,
                )
            except PoliceUkFormatError as exc:
                progress.stop()
                console.print(exc.message, markup=False)
                raise typer.Exit(2) from None
    print_summary(summary, console)
