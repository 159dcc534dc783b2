"""``joinedup bench``: measured figures for docs/benchmarks.md (not part of the test suite)."""

from __future__ import annotations

import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import typer
from fastapi import Request
from fastapi.responses import HTMLResponse
from rich.console import Console
from rich.progress import track
from sqlalchemy import func, select

from joinedup.config import Settings, get_settings
from joinedup.db import SessionDep, engine_for, session_factory

app = typer.Typer(help="Measure JoinedUp's speed.", no_args_is_help=True)
console = Console()
DEMO_PASSWORD = "joinedup-demo-2026"


def machine() -> str:
    """A one-line description of this machine."""
    cpus = os.cpu_count() or 0
    mem = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kb = int(meminfo.read_text().split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GiB"
    return f"{platform.machine()}, {cpus} cores{mem}, Python {platform.python_version()}"


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))
    return ordered[index]


def _busiest_person(settings: Settings, username: str) -> tuple[str, int]:
    """The person record with most incidents that ``username``'s organisation holds."""
    from joinedup.incidents.models import Involvement
    from joinedup.partners.models import User
    from joinedup.people.models import PersonRecord

    with session_factory(engine_for(settings.database_url))() as session:
        org_id = session.scalar(select(User.organisation_id).where(User.username == username))
        n = func.count(Involvement.incident_id)
        row = session.execute(
            select(PersonRecord.id, n)
            .join(Involvement, Involvement.person_record_id == PersonRecord.id)
            .where(PersonRecord.organisation_id == org_id)
            .group_by(PersonRecord.id)
            .order_by(n.desc())
            .limit(1)
        ).first()
    if row is None:
        raise typer.BadParameter("no person with incidents: load the demo first")
    return str(row[0]), int(row[1])


def _serve(settings: Settings, port: int, app: Any = None) -> Any:
    import uvicorn

    from joinedup.main import create_app

    server = uvicorn.Server(
        uvicorn.Config(
            app or create_app(settings), host="127.0.0.1", port=port, log_level="warning"
        )
    )
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return server


def _sign_in(client: httpx.Client, username: str) -> None:
    page = client.get("/sign-in")
    token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    response = client.post(
        "/sign-in", data={"username": username, "password": DEMO_PASSWORD, "csrf_token": token}
    )
    if "joinedup_session" not in client.cookies:
        raise typer.BadParameter(f"could not sign in as {username} ({response.status_code})")


@app.command("policy-overhead")
def policy_overhead(
    reads: int = typer.Option(300, help="How many reads of each kind to time."),
    username: str = typer.Option("asb.guildford", help="Demo user whose reads are timed."),
    database_url: str = typer.Option("", help="Database with the demo loaded (default: settings)."),
) -> dict[str, Any]:
    """Person-page data with access policy and audit vs. the same read without them."""
    from joinedup.access.bench import measure

    settings = get_settings()
    url = database_url or settings.database_url
    with session_factory(engine_for(url))() as session:
        result = measure(session, username, reads)
    result |= {"database": url.split(":", 1)[0], "machine": machine()}
    console.print_json(json.dumps(result))
    return result


def _app_with_bare_person_page(settings: Settings) -> Any:
    """The app plus, in this measuring process only, the person page built from the bare read
    (no scope, purpose, signposts or audit) — the baseline of the page-level overhead."""
    from joinedup.access.bench import bare_profile
    from joinedup.main import create_app
    from joinedup.web.templating import render

    app = create_app(settings)

    @app.get("/bench/bare-person/{person_id}", response_class=HTMLResponse)
    def bare_page(request: Request, session: SessionDep, person_id: str) -> HTMLResponse:
        from joinedup.access.purposes import StatedPurpose
        from joinedup.agreements.schemas import Purpose

        profile = bare_profile(session, uuid.UUID(person_id))
        stated = StatedPurpose(Purpose.CRIME_AND_DISORDER, "")
        context: dict[str, object] = {
            "profile": profile,
            "stated": stated,
            "signposts": [],
            "may_reveal": False,
            "revealed": False,
        }
        return render(request, "people/detail.html", context)

    return app


def _timed_gets(client: httpx.Client, paths: tuple[str, str], n: int) -> list[list[float]]:
    """``n`` timed GETs of each path, alternating between them after a warm-up, so a change
    in the machine's load during the run (other work on shared cores) weighs on both alike."""
    for _ in range(10):
        for path in paths:
            client.get(path).raise_for_status()
    out: list[list[float]] = [[] for _ in paths]
    for _ in range(n):
        for path, timings in zip(paths, out, strict=True):
            start = time.perf_counter()
            client.get(path).raise_for_status()
            timings.append((time.perf_counter() - start) * 1000)
    return out


@app.command("policy-overhead-page")
def policy_overhead_page(
    requests: int = typer.Option(300, help="Page loads of each kind to time."),
    username: str = typer.Option("asb.guildford", help="Demo user to sign in as."),
    port: int = typer.Option(8766, help="Local port for the measured server."),
    database_url: str = typer.Option("", help="Database with the demo loaded (default: settings)."),
) -> dict[str, Any]:
    """The person page over HTTP with policy and audit vs. the same page from a bare read."""
    settings = get_settings()
    if database_url:
        settings = settings.model_copy(update={"database_url": database_url})
    person_id, incidents = _busiest_person(settings, username)
    server = _serve(settings, port, _app_with_bare_person_page(settings))
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            _sign_in(client, username)
            _declare_purpose(client, person_id)
            paths = (f"/people/{person_id}", f"/bench/bare-person/{person_id}")
            checked, bare = _timed_gets(client, paths, requests)
    finally:
        server.should_exit = True
    p50_checked, p50_bare = statistics.median(checked), statistics.median(bare)
    result = {
        "benchmark": "access policy overhead (person page over HTTP)",
        "incidents_on_page": incidents,
        "requests": requests,
        "with_policy_and_audit_p50_ms": round(p50_checked, 1),
        "bare_p50_ms": round(p50_bare, 1),
        "ratio_p50": round(p50_checked / p50_bare, 2),
        "ratio_mean": round(statistics.fmean(checked) / statistics.fmean(bare), 2),
        "database": settings.database_url.split(":", 1)[0],
        "machine": machine(),
    }
    console.print_json(json.dumps(result))
    return result


def _declare_purpose(client: httpx.Client, person_id: str) -> None:
    """Answer "Why are you opening this record?" once (AUD-2); it holds for 30 minutes."""
    page = client.get(f"/people/{person_id}")
    token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    data = {"csrf_token": token, "purpose": "crime_and_disorder"}
    client.post(f"/people/{person_id}/purpose", data=data)


@app.command("person-page")
def person_page(
    requests: int = typer.Option(300, help="How many page loads to time."),
    username: str = typer.Option("asb.guildford", help="Demo user to sign in as."),
    port: int = typer.Option(8765, help="Local port for the measured server."),
    database_url: str = typer.Option("", help="Database with the demo loaded (default: settings)."),
) -> dict[str, Any]:
    """p50/p95/p99 latency of the person page for the demo's busiest person."""
    settings = get_settings()
    if database_url:
        settings = settings.model_copy(update={"database_url": database_url})
    person_id, incidents = _busiest_person(settings, username)
    server = _serve(settings, port)
    timings: list[float] = []
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            _sign_in(client, username)
            _declare_purpose(client, person_id)
            for _ in range(10):  # warm caches and the template compiler
                client.get(f"/people/{person_id}")
            for _ in track(range(requests), description="person page"):
                start = time.perf_counter()
                response = client.get(f"/people/{person_id}")
                timings.append((time.perf_counter() - start) * 1000)
                response.raise_for_status()
    finally:
        server.should_exit = True
    result = {
        "benchmark": "person page",
        "incidents_on_page": incidents,
        "requests": requests,
        "p50_ms": round(statistics.median(timings), 1),
        "p95_ms": round(_percentile(timings, 95), 1),
        "p99_ms": round(_percentile(timings, 99), 1),
        "database": settings.database_url.split(":", 1)[0],
        "machine": machine(),
    }
    console.print_json(json.dumps(result))
    return result


def _timed_demo_load(url: str) -> float:
    env = {**os.environ, "JOINEDUP_DATABASE_URL": url}
    exe = [sys.executable, "-m", "joinedup.cli"]
    subprocess.run([*exe, "db", "upgrade"], env=env, check=True, capture_output=True)
    start = time.perf_counter()
    subprocess.run([*exe, "demo", "load"], env=env, check=True)
    return time.perf_counter() - start


@app.command("all")
def run_all(requests: int = typer.Option(300, help="Person-page loads to time.")) -> None:
    """Every benchmark on fresh SQLite databases: the foundation's, then intake's."""
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        seconds = _timed_demo_load(url)
        console.print_json(
            json.dumps(
                {"benchmark": "demo load", "seconds": round(seconds, 1), "machine": machine()}
            )
        )
        person_page(requests=requests, username="asb.guildford", port=8765, database_url=url)
    import_police_uk(database_url="")
    intake_api(database_url="", clients=16, seconds=20, workers=1, per_client=100)
    intake_batch(database_url="", batches=10, size=1000)


@app.command("demo-load")
def demo_load(
    database_url: str = typer.Option("", help="Empty database to load (default: a temp SQLite)."),
) -> dict[str, Any]:
    """Wall time of loading the full demo partnership into an empty, migrated database."""
    with tempfile.TemporaryDirectory() as tmp:
        url = database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        seconds = _timed_demo_load(url)
    result = {
        "benchmark": "demo load",
        "seconds": round(seconds, 1),
        "database": url.split(":", 1)[0],
        "machine": machine(),
    }
    console.print_json(json.dumps(result))
    return result


DatabaseOption = typer.Option(
    "", help="A PostgreSQL URL to benchmark on a fresh database there (default: temp SQLite)."
)


@app.command("import-police-uk")
def import_police_uk(database_url: str = DatabaseOption) -> dict[str, Any]:
    """Import the six shared police.uk months into a fresh database (and again: adds nothing)."""
    from joinedup.incidents.bench import police_uk_import

    result = {**police_uk_import(database_url), "machine": machine()}
    console.print_json(json.dumps(result))
    return result


@app.command("intake-api")
def intake_api(
    database_url: str = DatabaseOption,
    clients: int = typer.Option(16, help="Concurrent clients (connections)."),
    seconds: int = typer.Option(20, help="How long wrk sends for."),
    workers: int = typer.Option(1, help="Server worker processes (keep 1 on SQLite)."),
    per_client: int = typer.Option(100, help="Without wrk: incidents each Python client sends."),
    match_seconds: float = typer.Option(
        0,
        help="Run the web process's background matcher of person records every this many "
        "seconds (0: off, the intake API alone).",
    ),
) -> dict[str, Any]:
    """Single-incident API latency and throughput with concurrent clients: wrk when installed
    (`make bench` installs it), else Python clients (which take CPU from the server)."""
    from joinedup.incidents import bench as intake

    if shutil.which("wrk"):
        measured = intake.intake_api_wrk(database_url, clients, seconds, workers, match_seconds)
    else:
        measured = intake.intake_api(database_url, clients, per_client)
    result = {**measured, "machine": machine()}
    console.print_json(json.dumps(result))
    return result


@app.command("intake-batch")
def intake_batch(
    database_url: str = DatabaseOption,
    batches: int = typer.Option(10, help="Batches to send."),
    size: int = typer.Option(1000, help="Incidents per batch (at most 1,000)."),
) -> dict[str, Any]:
    """Batch API incidents per second (each incident new, with one new person)."""
    from joinedup.incidents.bench import intake_batch as measure

    result = {**measure(database_url, batches, size), "machine": machine()}
    console.print_json(json.dumps(result))
    return result


@app.command("pprl-febrl4")
def pprl_febrl4(
    threshold: float = typer.Option(0.8, help="Least Dice coefficient of a match."),
) -> list[dict[str, Any]]:
    """Bloom-filter "known to" matching on FEBRL4: precision, recall, encodings/s, matching s."""
    from joinedup.linkage.pprl_cli import run_evaluation

    result = [r | {"machine": machine()} for r in run_evaluation(threshold, 10, "both")]
    console.print_json(json.dumps(result))
    return result


# Record linkage benchmarks (joinedup.linkage.bench; docs/linkage.md).
from joinedup.linkage.bench import register as _register_linkage  # noqa: E402

_register_linkage(app)

from joinedup.linkage.realtime_bench import register as _register_realtime  # noqa: E402

_register_realtime(app)
