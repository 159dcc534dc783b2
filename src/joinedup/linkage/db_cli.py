"""``joinedup link run | match | retrain | activate | status``: linkage of the partnership's own
person records, in its database (docs/linkage.md). The CSV commands are in ``linkage.cli``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

console = Console()
err = Console(stderr=True)

AutoOption = Annotated[
    float, typer.Option("--threshold", help="Match probability at or above which records join.")
]
ReviewOption = Annotated[
    float, typer.Option("--review-threshold", help="Lower bound of the review band.")
]
MissingDobOption = Annotated[
    str | None,
    typer.Option(
        "--missing-dob",
        help=(
            "review | one-person | score: a pair held back only because one date of birth is "
            "missing goes to review, joins when the record can be only one person, or joins on "
            "its score (default: the JOINEDUP_LINKAGE_MISSING_DOB setting)."
        ),
    ),
]


def _session() -> Session:
    from joinedup.config import get_settings
    from joinedup.db import engine_for, session_factory

    return session_factory(engine_for(get_settings().database_url))()


def _thresholds(auto: float, review: float, missing_dob: str | None) -> Any:
    from joinedup.config import get_settings
    from joinedup.linkage import rules
    from joinedup.linkage.realtime import Thresholds

    if not 0 < review <= auto <= 1:
        err.print("[red]error:[/red] thresholds must satisfy 0 < review <= auto <= 1")
        raise typer.Exit(2)
    choice = missing_dob or get_settings().linkage_missing_dob
    if choice not in rules.MISSING_DOB_CHOICES:
        err.print(
            f"[red]error:[/red] --missing-dob must be one of {', '.join(rules.MISSING_DOB_CHOICES)}"
        )
        raise typer.Exit(2)
    return Thresholds(auto=auto, review=review, missing_dob=choice)


def run_command(
    threshold: AutoOption = 0.99,
    review: ReviewOption = 0.5,
    missing_dob: MissingDobOption = None,
) -> None:
    """Link every person record with the active model; store entities, reviews and the index."""
    from joinedup.linkage import store

    thresholds = _thresholds(threshold, review, missing_dob)
    with _session() as session, err.status("linking") as status:
        summary = store.run(session, thresholds=thresholds, progress=status.update)
    table = Table(title="Linkage run")
    table.add_column("measure")
    table.add_column("value", justify="right")
    for label, value in (
        ("person records", f"{summary.records:,}"),
        ("people (entities)", f"{summary.entities:,}"),
        ("pairs joined automatically", f"{summary.auto_pairs:,}"),
        ("joins refused by a reviewer's decision", f"{summary.constrained:,}"),
        ("pairs in the review band", f"{summary.review_pairs:,}"),
        ("new pairs for review", f"{summary.reviews_added:,}"),
        ("records moved", f"{summary.moved:,}"),
        *((f"{k} (s)", f"{v:.1f}") for k, v in summary.seconds.items()),
    ):
        table.add_row(label, value)
    console.print(table)


def match_command(
    limit: Annotated[int | None, typer.Option(help="Match at most this many records.")] = None,
    threshold: AutoOption = 0.99,
    review: ReviewOption = 0.5,
    missing_dob: MissingDobOption = None,
) -> None:
    """Match the records waiting in the queue (new or changed since they were last matched)."""
    from joinedup.linkage import realtime

    thresholds = _thresholds(threshold, review, missing_dob)
    with _session() as session:
        waiting = realtime.pending_count(session)
        total = min(waiting, limit) if limit is not None else waiting
        with Progress(
            TextColumn("matching"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err,
        ) as bar:
            task = bar.add_task("match", total=total)
            summary = realtime.match_pending(
                session,
                thresholds=thresholds,
                limit=limit,
                progress=lambda n: bar.advance(task, n),
            )
    p50 = realtime.percentile(summary.latencies_ms, 0.50)
    p95 = realtime.percentile(summary.latencies_ms, 0.95)
    console.print(
        f"{summary.matched:,} records matched in {summary.seconds:.1f} s: {summary.joined:,} "
        f"joined a person, {summary.new_entities:,} new, {summary.reviews:,} pairs for review; "
        f"per record p50 {p50:.1f} ms, p95 {p95:.1f} ms."
    )


def _store_model(session: Session, document: dict[str, Any]) -> Any:
    from joinedup.audit.events import AuditEvent
    from joinedup.audit.service import record
    from joinedup.db import atomic
    from joinedup.linkage import model as lm
    from joinedup.linkage.entities import LinkageModelRow

    header = document[lm.HEADER_KEY]
    with atomic(session):
        versions = session.scalars(
            select(LinkageModelRow.version).where(LinkageModelRow.name == header["name"])
        ).all()
        if header["version"] in versions:
            numeric = [int(v) for v in versions if v.isdigit()]
            header["version"] = str(max(numeric, default=0) + 1)
        session.execute(update(LinkageModelRow).values(active=False))
        row = LinkageModelRow(
            name=header["name"],
            version=header["version"],
            document=document,
            active=True,
            record_count=int(header.get("record_count", 0)),
        )
        session.add(row)
        session.flush()
        record(
            session,
            AuditEvent(
                name="linkage.model_activated",
                details={
                    "model": f"{row.name}-{row.version}",
                    "records": row.record_count,
                },
            ),
        )
    return row


def activate_command(
    model_json: Annotated[Path, typer.Argument(help="A model written by `joinedup link train`.")],
) -> None:
    """Store MODEL_JSON in the database and make it the active model."""
    from joinedup.linkage import model as lm

    try:
        document = lm.load_model(model_json)
    except lm.LinkageInputError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
    with _session() as session:
        row = _store_model(session, document)
    console.print(
        f"Model {row.name}-{row.version} is active. Run `joinedup link run` to relink everyone "
        "with it."
    )


def retrain_command(
    out: Annotated[Path | None, typer.Option(help="Also write the model JSON here.")] = None,
    activate: Annotated[bool, typer.Option(help="Make the new model the active one.")] = True,
) -> None:
    """Train a model on the partnership's own person records (no labels) and store it."""
    from joinedup.linkage import model as lm
    from joinedup.linkage import realtime, store
    from joinedup.people.models import PersonRecord

    with _session() as session:
        rows = session.execute(select(*realtime.FIELDS).order_by(PersonRecord.id)).all()
        frame = store.frame(rows)
        if frame.empty:
            err.print("[red]error:[/red] there are no person records to train on")
            raise typer.Exit(2)
        with err.status("training") as status:
            try:
                document = lm.train([lm.prepare(frame)], progress=status.update)
            except lm.LinkageInputError as exc:
                err.print(f"[red]error:[/red] {exc}")
                raise typer.Exit(2) from exc
        if out is not None:
            lm.save_model(document, out)
        if activate:
            row = _store_model(session, document)
            console.print(f"Model {row.name}-{row.version} trained on {len(frame):,} records.")
        else:
            console.print(f"Model trained on {len(frame):,} records (not activated).")


def status_command() -> None:
    """The active model, people, records waiting to be matched and pairs waiting for review."""
    from joinedup.linkage import realtime
    from joinedup.linkage.entities import (
        EntityMember,
        LinkReview,
        PersonEntity,
        ReviewStatus,
    )
    from joinedup.people.models import PersonRecord

    with _session() as session:
        matcher = realtime.active_matcher(session)

        def count(stmt: Any) -> int:
            return int(session.scalar(stmt) or 0)

        table = Table(title="Linkage")
        table.add_column("measure")
        table.add_column("value", justify="right")
        for label, value in (
            ("active model", matcher.label + ("" if matcher.model_id else " (shipped default)")),
            ("person records", f"{count(select(func.count()).select_from(PersonRecord)):,}"),
            ("matched records", f"{count(select(func.count()).select_from(EntityMember)):,}"),
            ("people (entities)", f"{count(select(func.count()).select_from(PersonEntity)):,}"),
            ("waiting to be matched", f"{realtime.pending_count(session):,}"),
            (
                "pairs waiting for review",
                f"{count(select(func.count()).where(LinkReview.status == ReviewStatus.PENDING)):,}",
            ),
        ):
            table.add_row(label, value)
    console.print(table)


def register(app: typer.Typer) -> None:
    """Add the database commands to ``joinedup link``."""
    app.command("run")(run_command)
    app.command("match")(match_command)
    app.command("retrain")(retrain_command)
    app.command("activate")(activate_command)
    app.command("status")(status_command)
