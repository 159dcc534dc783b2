"""``joinedup bench link-febrl`` and ``joinedup bench link-scale`` (docs/linkage.md)."""

from __future__ import annotations

import multiprocessing
import os
import resource
import time
from queue import Empty
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

console = Console()


def link_febrl(
    threshold: Annotated[float, typer.Option(help="Automatic-merge threshold.")] = 0.99,
    identifier: Annotated[
        bool, typer.Option(help="Also measure with soc_sec_id as an optional identifier.")
    ] = True,
) -> None:
    """FEBRL3 dedupe and FEBRL4 link: pairwise precision, recall, F1 and seconds."""
    from joinedup.linkage.evaluation import febrl_runs

    table = Table(title=f"FEBRL, automatic merges at {threshold}")
    for column in ("dataset", "identifier", "household veto", "precision", "recall", "F1", "s"):
        table.add_column(column, justify="left" if column == "dataset" else "right")
    variants = (False, True) if identifier else (False,)
    for with_id in variants:
        with console.status(f"linking FEBRL ({'with' if with_id else 'without'} identifier)"):
            runs = febrl_runs(identifier=with_id, threshold=threshold)
        for run in runs:
            table.add_row(
                run.dataset,
                "soc_sec_id" if run.identifier else "none",
                "on" if run.household_veto else "off",
                f"{run.scores.precision:.4f}",
                f"{run.scores.recall:.4f}",
                f"{run.scores.f1:.4f}",
                f"{run.seconds:.1f}",
            )
    console.print(table)


def link_demo(
    seed: Annotated[int, typer.Option(help="Demo seed.")] = 2026,
    people: Annotated[int, typer.Option(help="True people in the demo.")] = 5000,
    threshold: Annotated[float, typer.Option(help="Automatic-merge threshold.")] = 0.99,
) -> None:
    """The demo partnership's person records against its ground truth."""
    from joinedup.linkage.evaluation import demo_runs

    table = Table(title=f"Demo population (seed {seed}, {people:,} people), merges at {threshold}")
    for column in ("run", "precision", "recall", "F1", "clusters", "s"):
        table.add_column(column, justify="left" if column == "run" else "right")
    with console.status("linking the demo population"):
        runs = demo_runs(seed, people, threshold)
    for run in runs:
        table.add_row(
            run.dataset,
            f"{run.scores.precision:.4f}",
            f"{run.scores.recall:.4f}",
            f"{run.scores.f1:.4f}",
            f"{run.clusters:,}",
            f"{run.seconds:.1f}",
        )
    console.print(table)


def _bare_splink(frame: Any) -> dict[str, float]:
    """The same data through plain Splink: library comparisons, the same blocking and training."""
    import logging

    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator
    from splink.clustering import cluster_pairwise_predictions_at_threshold

    from joinedup.linkage.model import _prior_rules, blocking_rules
    from joinedup.linkage.rules import pairwise_scores

    columns = ["first_name", "surname", "dob", "postcode", "gender", "address"]
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            cl.NameComparison("first_name"),
            cl.NameComparison("surname"),
            cl.DateOfBirthComparison("dob", input_is_string=True, datetime_format="%Y-%m-%d"),
            cl.PostcodeComparison("postcode"),
            cl.ExactMatch("gender"),
            cl.ExactMatch("address"),
        ],
        # The same rules; bare Splink has no derived district column: the postcode's outward
        # part (before the space) is computed in the rule instead.
        blocking_rules_to_generate_predictions=[
            rule.replace("l.postcode_district", "split_part(l.postcode, ' ', 1)").replace(
                "r.postcode_district", "split_part(r.postcode, ' ', 1)"
            )
            for rule in blocking_rules(columns)
        ],
    )
    data = frame[["unique_id", *columns]].astype(object)
    data = data.where(data.notna() & (data != ""), None)
    started = time.perf_counter()
    api = DuckDBAPI()
    linker = Linker(api.register(data), settings, log_level=logging.WARNING)
    try:
        linker.training.estimate_probability_two_random_records_match(
            _prior_rules(columns), recall=0.7
        )
    except ValueError:
        pass
    linker.training.estimate_u_using_random_sampling(max_pairs=5e6, seed=2026)
    for rule in ("l.first_name = r.first_name AND l.surname = r.surname", "l.dob = r.dob"):
        linker.training.estimate_parameters_using_expectation_maximisation(rule, max_pairs=2e6)
    trained = time.perf_counter()
    predictions = linker.inference.predict(threshold_match_probability=0.5)
    clusters = cluster_pairwise_predictions_at_threshold(
        data[["unique_id"]],
        predictions.as_pandas_dataframe()[["unique_id_l", "unique_id_r", "match_probability"]],
        api,
        node_id_column_name="unique_id",
        threshold_match_probability=0.99,
    ).as_pandas_dataframe()
    done = time.perf_counter()
    truth = dict(zip(frame["unique_id"], frame["truth"], strict=True))
    scores = pairwise_scores(
        [str(c) for c in clusters["cluster_id"]], [truth[u] for u in clusters["unique_id"]]
    )
    return {
        "train": trained - started,
        "link": done - trained,
        "total": done - started,
        "clusters": float(clusters["cluster_id"].nunique()),
        "precision": scores.precision,
        "recall": scores.recall,
        "f1": scores.f1,
    }


def _ours(frame: Any) -> dict[str, float]:
    from joinedup.linkage import batch
    from joinedup.linkage.evaluation import score

    started = time.perf_counter()
    result = batch.dedupe(frame.drop(columns=["truth"]))
    done = time.perf_counter()
    scores = score(result, [frame])
    return {
        "train": result.seconds.get("train", 0.0),
        "link": result.seconds["predict"] + result.seconds["cluster"],
        "total": done - started,
        "clusters": float(result.clusters["cluster_id"].nunique()),
        "precision": scores.precision,
        "recall": scores.recall,
        "f1": scores.f1,
    }


def _worker(which: str, records: int, seed: int, queue: Any) -> None:
    from joinedup.linkage import synthetic

    frame = synthetic.records(records, seed=seed)
    figures = _ours(frame) if which == "joinedup" else _bare_splink(frame)
    figures["peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queue.put(figures)


def _measure(which: str, records: int, seed: int) -> dict[str, float]:
    """Run one pipeline in a fresh process so that its peak memory is its own."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_worker, args=(which, records, seed, queue))
    process.start()
    while True:
        try:
            figures: dict[str, float] = queue.get(timeout=5)
            break
        except Empty:
            # A worker that died (out of memory, a crash) never answers: say so, do not wait.
            if not process.is_alive():
                raise RuntimeError(
                    f"the {which} run of {records:,} records ended without figures "
                    f"(exit code {process.exitcode})"
                ) from None
    process.join()
    return figures


def link_scale(
    records: Annotated[int, typer.Option(help="Synthetic records to deduplicate.")] = 100_000,
    seed: Annotated[int, typer.Option(help="Generator seed.")] = 2026,
    bare: Annotated[bool, typer.Option(help="Also run bare Splink on the same data.")] = True,
) -> None:
    """Time the dedupe of synthetic UK person records; peak memory; ratio to bare Splink."""
    table = Table(title=f"Dedupe of {records:,} synthetic records (seed {seed})")
    for column in ("pipeline", "train s", "link s", "total s", "peak MiB", "clusters", "P/R/F1"):
        # P/R/F1 is never cut short, even on a narrow or non-interactive console.
        wide = column == "P/R/F1"
        table.add_column(
            column,
            justify="left" if column == "pipeline" else "right",
            no_wrap=wide,
            min_width=20 if wide else None,
        )
    results: dict[str, dict[str, float]] = {}
    # The machine may be shared: the load average says how much the figures can be trusted.
    load_before = os.getloadavg()
    for which in ("joinedup", "bare splink") if bare else ("joinedup",):
        with console.status(f"{which}: {records:,} records"):
            results[which] = figures = _measure(which, records, seed)
        prf = (
            f"{figures['precision']:.4f}/{figures['recall']:.4f}/{figures['f1']:.4f}"
            if "f1" in figures
            else "-"
        )
        table.add_row(
            which,
            f"{figures['train']:.1f}",
            f"{figures['link']:.1f}",
            f"{figures['total']:.1f}",
            f"{figures['peak_mib']:.0f}",
            f"{figures['clusters']:,.0f}",
            prf,
        )
    console.print(table)
    console.print(
        "Load average (1, 5, 15 min) before: "
        + ", ".join(f"{x:.2f}" for x in load_before)
        + "; after: "
        + ", ".join(f"{x:.2f}" for x in os.getloadavg())
    )
    if bare:
        ratio = results["joinedup"]["total"] / results["bare splink"]["total"]
        console.print(f"JoinedUp / bare Splink wall time: {ratio:.2f}")


def register(app: typer.Typer) -> None:
    """Add the linkage benchmarks to ``joinedup bench``."""
    app.command("link-febrl")(link_febrl)
    app.command("link-scale")(link_scale)
    app.command("link-demo")(link_demo)
