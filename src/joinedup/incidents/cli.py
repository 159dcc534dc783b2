"""``joinedup import ...``: bring published or partner data in as incidents."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn
from rich.table import Table

from joinedup.common.errors import JoinedUpError
from joinedup.config import get_settings
from joinedup.db import engine_for, session_factory
from joinedup.incidents.imports import FORMATS, report_csv, run_import
from joinedup.incidents.intake import Recorder
from joinedup.incidents.police_uk import ImportSummary
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


def print_summary(summary: ImportSummary, out: Console, title: str = "Import") -> None:
    """Print an import's counts and its first problems."""
    table = Table(title=title, show_header=False)
    if summary.outcome != "imported":
        table.add_row("Outcome", "REFUSED: nothing was imported (--strict)")
    table.add_row("Files", str(summary.files))
    table.add_row("Rows read", f"{summary.rows_read:,}")
    table.add_row("Imported", f"{summary.imported:,}")
    table.add_row("Already present", f"{summary.already_present:,}")
    table.add_row("Rejected", f"{summary.rejected:,}")
    table.add_row("No location (imported)", f"{summary.no_location:,}")
    table.add_row("Outside the area (imported)", f"{summary.outside_area:,}")
    out.print(table)
    for notice in summary.notices:
        out.print(f"  Note: {notice}", markup=False)
    for problem in summary.problems[:PROBLEMS_SHOWN]:
        column = f" column {problem.column}" if problem.column else ""
        out.print(f"  {problem.file} line {problem.line}{column}: {problem.reason}", markup=False)
    if len(summary.problems) > PROBLEMS_SHOWN:
        out.print(f"  … and {len(summary.problems) - PROBLEMS_SHOWN} more problems")


Files = Annotated[
    list[Path], typer.Argument(exists=True, dir_okay=False, help="CSV files (.csv or .csv.gz)")
]
Org = Annotated[str, typer.Option("--org", help="The organisation the incidents belong to.")]
Strict = Annotated[
    bool,
    typer.Option("--strict", help="All or nothing: any problem row means nothing is imported."),
]
Report = Annotated[
    Path | None,
    typer.Option(
        "--report",
        dir_okay=False,
        help="Where to write the problem rows as CSV (default: <first file>.problems.csv in the "
        "current folder, written only when there are problems).",
    ),
]


def _run(file_format: str, files: list[Path], org: str, strict: bool, report: Path | None) -> None:
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
                _run_id, summary = run_import(
                    session,
                    recorder=Recorder(organisation_id),
                    file_format=file_format,
                    paths=files,
                    h3_resolution=settings.h3_resolution,
                    strict=strict,
                    on_progress=on_progress,
                )
            except JoinedUpError as exc:
                progress.stop()
                console.print(exc.message, markup=False)
                raise typer.Exit(2) from None
    print_summary(summary, console, FORMATS[file_format])
    if summary.problems:
        target = report or Path(
            files[0].name.removesuffix(".gz").removesuffix(".csv") + ".problems.csv"
        )
        target.write_text(report_csv(summary.problems), encoding="utf-8")
        console.print(f"Problem rows written to {target}", markup=False)
    if summary.outcome != "imported":
        raise typer.Exit(3)


@app.command("police-uk")
def police_uk(files: Files, org: Org, strict: Strict = False, report: Report = None) -> None:
    """Import police.uk street-level crime and ASB files (as published) for one organisation."""
    _run("police_uk", files, org, strict, report)


@app.command("incidents")
def incidents(files: Files, org: Org, strict: Strict = False, report: Report = None) -> None:
    """Import JoinedUp incident CSV files (docs/formats/incident-csv.md) for one organisation."""
    _run("incidents", files, org, strict, report)
