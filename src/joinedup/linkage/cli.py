"""``joinedup link``: train, dedupe and evaluate person linkage on CSV files (docs/linkage.md).

The CSV contract is stable: INPUT has ``unique_id, first_name, surname, dob, postcode, gender``
(ISO dates; any of them may be blank) and optionally ``address``, ``birth_place``,
``identifier``; other columns are ignored. ``dedupe`` writes ``unique_id, cluster_id``.
"""

from __future__ import annotations

import enum
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer(help="Probabilistic linkage of person records (Splink).", no_args_is_help=True)
console = Console()
err = Console(stderr=True)

THRESHOLD_HELP = "Match probability at or above which records merge automatically."


def _fail(message: str, code: int = 2) -> typer.Exit:
    err.print(f"[red]error:[/red] {message}")
    return typer.Exit(code)


def _run(
    input_csv: Path,
    model_path: Path | None,
    threshold: float,
    review: float,
    household_veto: bool,
    missing_dob: str = "one-person",
    engine: str = "duckdb",
) -> tuple[Any, Any, float]:
    from joinedup.linkage import batch
    from joinedup.linkage import model as lm

    started = time.perf_counter()
    with err.status("linking") as status:
        try:
            frame = lm.read_csv(input_csv)
            lm.prepare(frame)  # fail early, naming a missing column
            trained = lm.load_model(model_path) if model_path else None
            result = batch.dedupe(
                frame,
                model=trained,
                threshold_auto=threshold,
                threshold_review=review,
                household_veto=household_veto,
                missing_dob=missing_dob,
                progress=lambda step: status.update(step),
                engine=engine,
            )
        except lm.LinkageInputError as exc:
            text = str(exc)
            raise _fail(text if str(input_csv) in text else f"{input_csv}: {text}") from exc
        except ValueError as exc:
            raise _fail(str(exc)) from exc
    return frame, result, time.perf_counter() - started


@app.command("train")
def train_command(
    input_csv: Annotated[Path, typer.Argument(help="Records in the linkage CSV contract.")],
    out: Annotated[Path, typer.Option("--out", help="Where to write the model JSON.")],
    name: Annotated[str, typer.Option(help="Model name in the header.")] = "person",
    version: Annotated[str, typer.Option(help="Model version in the header.")] = "1",
) -> None:
    """Train a model on INPUT without labels and write it as JSON."""
    from joinedup.linkage import model as lm

    started = time.perf_counter()
    with err.status("training") as status:
        try:
            prepared = lm.prepare(lm.read_csv(input_csv))
            trained = lm.train([prepared], progress=lambda step: status.update(step))
        except lm.LinkageInputError as exc:
            text = str(exc)
            raise _fail(text if str(input_csv) in text else f"{input_csv}: {text}") from exc
    trained[lm.HEADER_KEY].update(name=name, version=version)
    path = lm.save_model(trained, out)
    console.print(
        f"Model written to {path} ({len(prepared):,} records, "
        f"{time.perf_counter() - started:.1f} s)."
    )


ModelOption = Annotated[Path | None, typer.Option("--model", help="A trained model (else train).")]
ThresholdOption = Annotated[float, typer.Option("--threshold", help=THRESHOLD_HELP)]
VetoOption = Annotated[
    bool, typer.Option(help="Never auto-merge unlike first names or dates of birth (LNK-1).")
]


class MissingDob(enum.StrEnum):
    """What a missing date of birth does (``rules.MISSING_DOB_CHOICES``, docs/linkage.md)."""

    review = "review"
    one_person = "one-person"
    score = "score"


MissingDobOption = Annotated[
    MissingDob,
    typer.Option(
        "--missing-dob",
        help=(
            "A pair held back only because one date of birth is missing: review it, merge it "
            "when the record without one can be only one person, or merge it on its score."
        ),
    ),
]


class EngineName(enum.StrEnum):
    """Where the pairs are scored and clustered (``linkage.engines``)."""

    duckdb = "duckdb"
    spark = "spark"


EngineOption = Annotated[
    EngineName,
    typer.Option(
        "--engine",
        help="Score and cluster on DuckDB (one machine) or Spark (needs the spark extra, Java).",
    ),
]


@app.command("dedupe")
def dedupe_command(
    input_csv: Annotated[Path, typer.Argument(help="Records in the linkage CSV contract.")],
    out: Annotated[Path, typer.Option("--out", help="Where to write unique_id,cluster_id.")],
    model: ModelOption = None,
    threshold: ThresholdOption = 0.99,
    review: Annotated[
        float, typer.Option("--review-threshold", help="Lower bound for review.")
    ] = 0.5,
    review_out: Annotated[
        Path | None,
        typer.Option("--review-out", help="Also write the pairs for review (with mw_* weights)."),
    ] = None,
    household_veto: VetoOption = True,
    missing_dob: MissingDobOption = MissingDob.one_person,
    engine: EngineOption = EngineName.duckdb,
) -> None:
    """Cluster the records of INPUT that are the same person; write unique_id,cluster_id."""
    _, result, seconds = _run(
        input_csv, model, threshold, review, household_veto, missing_dob.value, engine.value
    )
    result.clusters[["unique_id", "cluster_id"]].to_csv(out, index=False)
    if review_out is not None:
        result.review_pairs.to_csv(review_out, index=False)
    console.print(
        f"{len(result.clusters):,} records in {result.clusters['cluster_id'].nunique():,} "
        f"clusters; {len(result.review_pairs):,} pairs for review; {seconds:.1f} s. "
        f"Written to {out}."
    )


@app.command("evaluate")
def evaluate_command(
    input_csv: Annotated[Path, typer.Argument(help="Records with a truth column.")],
    truth_column: Annotated[str, typer.Option("--truth-column", help="Column naming the person.")],
    model: ModelOption = None,
    threshold: ThresholdOption = 0.99,
    household_veto: VetoOption = True,
    missing_dob: MissingDobOption = MissingDob.one_person,
    engine: EngineOption = EngineName.duckdb,
) -> None:
    """Run the dedupe pipeline on INPUT and print pairwise precision, recall and F1."""
    from joinedup.linkage import model as lm
    from joinedup.linkage import rules

    try:
        header = lm.read_csv(input_csv)
    except lm.LinkageInputError as exc:
        raise _fail(str(exc)) from exc
    if truth_column not in header.columns:
        raise _fail(f"{input_csv}: missing column: {truth_column}")
    frame, result, seconds = _run(
        input_csv, model, threshold, 0.5, household_veto, missing_dob.value, engine.value
    )
    truth = dict(zip(frame["unique_id"].astype(str).str.strip(), frame[truth_column], strict=True))
    clusters = result.clusters
    scores = rules.pairwise_scores(
        [str(c) for c in clusters["cluster_id"]],
        [str(truth[u]) for u in clusters["unique_id"]],
    )
    table = Table(title=f"Linkage of {input_csv.name} at threshold {threshold}")
    table.add_column("measure")
    table.add_column("value", justify="right")
    for label, value in (
        ("records", f"{len(clusters):,}"),
        ("clusters", f"{clusters['cluster_id'].nunique():,}"),
        ("true pairs", f"{scores.true_pairs:,}"),
        ("predicted pairs", f"{scores.predicted_pairs:,}"),
        ("precision", f"{scores.precision:.4f}"),
        ("recall", f"{scores.recall:.4f}"),
        ("F1", f"{scores.f1:.4f}"),
        ("pairs for review", f"{len(result.review_pairs):,}"),
        ("wall time (s)", f"{seconds:.1f}"),
    ):
        table.add_row(label, value)
    console.print(table)
