"""``joinedup sar create`` and ``joinedup sar pack``: subject access from the command line."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from joinedup.common.errors import NotFound
from joinedup.config import get_settings
from joinedup.db import engine_for, session_factory
from joinedup.partners.queries import find_organisation_id
from joinedup.subject_access import pack, queries, service
from joinedup.subject_access.schemas import PackFormat, SarIn

app = typer.Typer(help="Subject access requests (DSR-1).", no_args_is_help=True)
console = Console(stderr=True)


@app.command("create")
def create_command(
    org: str = typer.Option(..., help="The handling organisation's name."),
    record: str = typer.Option(..., help="Reference of the person record the organisation holds."),
    received: str = typer.Option("", help="Date received, YYYY-MM-DD (default: today)."),
) -> None:
    """Open a request anchored on a person record; prints its reference and due date."""
    settings = get_settings()
    with session_factory(engine_for(settings.database_url))() as session:
        org_id = find_organisation_id(session, org)
        if org_id is None:
            console.print(f"No organisation is called {org!r}.")
            raise typer.Exit(1)
        try:
            record_id = queries.record_by_reference(session, org_id, record)
        except NotFound:
            console.print("That organisation holds no person record with that reference.")
            raise typer.Exit(1) from None
        sar_in = SarIn(
            person_record_id=record_id,
            received_on=date.fromisoformat(received) if received else None,
        )
        out = service.create(session=session, actor=None, organisation_id=org_id, sar_in=sar_in)
    typer.echo(f"{out.reference} due {out.due_on.isoformat()}")


@app.command("pack")
def pack_command(
    reference: Annotated[str, typer.Argument(help="The request's reference (SAR-...).")],
    out: Annotated[Path, typer.Option("--out", help="File to write.")],
    fmt: Annotated[
        PackFormat, typer.Option("--format", help="html, pdf or json.")
    ] = PackFormat.HTML,
    org: str = typer.Option("", help="The handling organisation's name (checked when given)."),
) -> None:
    """Build the pack across every linked record, third parties redacted, and write it."""
    settings = get_settings()
    with session_factory(engine_for(settings.database_url))() as session:
        org_id = queries.sar_organisation(session, reference)
        if org_id is None or (org and find_organisation_id(session, org) != org_id):
            console.print("No such request for that organisation.")
            raise typer.Exit(1)
        try:
            built = service.generate_pack(
                session=session, actor=None, organisation_id=org_id, reference=reference, fmt=fmt
            )
        except NotFound:
            console.print("No such request for that organisation.")
            raise typer.Exit(1) from None
    out.write_bytes(pack.render_pack(built, fmt))
    typer.echo(f"Wrote {out} ({len(built.records)} records)")
