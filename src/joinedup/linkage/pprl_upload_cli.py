"""``joinedup pprl upload`` and ``joinedup pprl rematch``: the operator's way to store a
partner's encodings and match them, with the same checks and transactions as the upload page
(``pprl_service``). Audited with no user: the organisation named by ``--org``."""

from __future__ import annotations

import uuid
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from joinedup.config import get_settings
from joinedup.db import engine_for, session_factory
from joinedup.linkage import pprl_service
from joinedup.linkage.pprl_models import UploadKind
from joinedup.linkage.pprl_service import CLK_BYTES, MatchSummary, Uploader, UploadRefused
from joinedup.linkage.pprl_validate import check_text
from joinedup.partners.queries import find_organisation_id

PROBLEMS_SHOWN = 20


def _match(console: Console, uploader: Uploader, holders: list[uuid.UUID] | None) -> MatchSummary:
    settings = get_settings()
    with session_factory(engine_for(settings.database_url))() as session:
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
        ) as bar:
            task = bar.add_task("Matching holders' encodings", total=None)

            def on_progress(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            return pprl_service.match_holders(
                session=session,
                uploader=uploader,
                threshold=settings.pprl_threshold,
                holders=holders,
                progress=on_progress,
            )


def _print_match(console: Console, summary: MatchSummary) -> None:
    table = Table(title="Matching", show_header=False)
    table.add_row("Holders matched", f"{summary.holders:,}")
    table.add_row("Known encodings", f"{summary.known_encodings:,}")
    table.add_row("Holder encodings", f"{summary.holder_encodings:,}")
    table.add_row("Known-to flags", f"{summary.flags:,}")
    table.add_row("Seconds", f"{summary.seconds:.2f}")
    console.print(table)


def run_upload(path: Path, org: str, kind_name: str, console: Console) -> None:
    """Check, store and match one file of encodings for ``org``; exit 2 on refusal."""
    try:
        kind = UploadKind(kind_name)
    except ValueError:
        console.print("Error: --kind must be known or holder", markup=False)
        raise typer.Exit(2) from None
    settings = get_settings()
    with session_factory(engine_for(settings.database_url))() as session:
        organisation_id = find_organisation_id(session, org)
        if organisation_id is None:
            console.print(f"Error: there is no organisation called {org!r}", markup=False)
            raise typer.Exit(1)
        entries, problems = check_text(path.read_bytes(), CLK_BYTES)
        uploader = Uploader(organisation_id)
        try:
            outcome = pprl_service.upload(
                session=session, uploader=uploader, kind=kind, entries=entries, problems=problems
            )
        except UploadRefused as exc:
            console.print(f"Error: {exc.message}", markup=False)
            for p in exc.problems[:PROBLEMS_SHOWN]:
                where = f"line {p.line}" if p.line else "whole file"
                console.print(f"  {path.name} {where}: {p.reason}", markup=False)
            if len(exc.problems) > PROBLEMS_SHOWN:
                console.print(f"  … and {len(exc.problems) - PROBLEMS_SHOWN} more problems")
            raise typer.Exit(2) from None
    console.print(
        f"Stored {outcome.encodings:,} {kind.value} encodings for {org} "
        f"(replacing {outcome.replaced:,}).",
        markup=False,
    )
    holders = pprl_service.holders_to_match(kind, organisation_id)
    _print_match(console, _match(console, uploader, holders))


def run_rematch(console: Console) -> None:
    """Match every holder upload again at the current threshold."""
    _print_match(console, _match(console, Uploader(), None))
