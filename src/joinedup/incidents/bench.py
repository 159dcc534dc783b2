"""Intake benchmarks: police.uk import, the single-incident API under 16 concurrent clients, and
the batch endpoint's incidents per second. Each builds its own fresh database."""

from __future__ import annotations

import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text

from joinedup.config import REPO_ROOT
from joinedup.db import engine_for, session_factory
from joinedup.migrations_state import upgrade

POLICE_UK = REPO_ROOT / "data" / "police-uk"


@contextmanager
def fresh_database(database_url: str) -> Iterator[str]:
    """A migrated, empty database: a temporary SQLite file, or a new database on the
    PostgreSQL server of ``database_url`` (dropped afterwards)."""
    if not database_url or database_url.startswith("sqlite"):
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{Path(tmp) / 'bench.db'}"
            upgrade(url)
            yield url
        return
    base, _, _name = database_url.rpartition("/")
    name = f"joinedup_bench_{os.getpid()}"
    admin = engine_for(f"{base}/postgres").execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = f"{base}/{name}"
    try:
        upgrade(url)
        yield url
    finally:
        engine_for(url).dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _organisation(url: str, name: str, kind: str) -> Any:
    from joinedup.partners.models import Organisation
    from joinedup.partners.schemas import OrgKind

    with session_factory(engine_for(url))() as session:
        org = Organisation(name=name, short_name=name[:8], kind=OrgKind(kind))
        session.add(org)
        session.commit()
        return org.id


def police_uk_import(database_url: str) -> dict[str, Any]:
    """Import the six shared police.uk months into a fresh database, then again."""
    from joinedup.incidents.imports import run_import
    from joinedup.incidents.intake import Recorder

    files = sorted(POLICE_UK.glob("*.csv.gz"))
    with fresh_database(database_url) as url:
        org_id = _organisation(url, "Surrey Police", "police")
        timings = []
        summaries = []
        for _ in range(2):
            with session_factory(engine_for(url))() as session:
                start = time.perf_counter()
                _, summary = run_import(
                    session,
                    recorder=Recorder(org_id),
                    file_format="police_uk",
                    paths=files,
                    h3_resolution=9,
                )
                timings.append(time.perf_counter() - start)
                summaries.append(summary)
    return {
        "benchmark": "police.uk import, six months",
        "database": url.split(":", 1)[0].split("+", 1)[0],
        "rows": summaries[0].rows_read,
        "imported": summaries[0].imported,
        "seconds": round(timings[0], 2),
        "rows_per_second": round(summaries[0].rows_read / timings[0]),
        "again_seconds": round(timings[1], 2),
        "again_imported": summaries[1].imported,
    }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _token(url: str, org_id: Any) -> str:
    from joinedup.auth import service
    from joinedup.auth.models import ApiToken
    from joinedup.auth.rules import new_api_token
    from joinedup.common import clock
    from joinedup.common.ids import token_digest
    from joinedup.partners.schemas import Role, UserIn

    with session_factory(engine_for(url))() as session:
        user = service.create_user(
            session=session,
            actor=None,
            user_in=UserIn(
                username="feed.bench",
                display_name="Case system feed",
                organisation_id=org_id,
                role=Role.PRACTITIONER,
                password="bench-password-2026",
            ),
        )
        plaintext, prefix = new_api_token()
        now = clock.utc_now()
        session.add(
            ApiToken(
                user_id=user.id,
                name="bench",
                prefix=prefix,
                token_hash=token_digest(plaintext),
                created_at=now,
                expires_at=now + timedelta(days=1),
            )
        )
        session.commit()
    return plaintext


@contextmanager
def _server(url: str, workers: int = 1, match_seconds: float = 0) -> Iterator[str]:
    """``joinedup serve`` in its own process, as deployed.

    Person records are matched after intake, not in the request: by default here the web
    process's background matcher is off (``match_seconds`` 0), so the figures are the intake
    API's own; a positive ``match_seconds`` runs it as a default deployment does."""
    port = _free_port()
    env = {
        **os.environ,
        "JOINEDUP_DATABASE_URL": url,
        "JOINEDUP_LOG_LEVEL": "WARNING",
        "JOINEDUP_LINKAGE_MATCH_SECONDS": str(match_seconds),
    }
    command = [sys.executable, "-m", "joinedup.cli", "serve", "--port", str(port)]
    command += ["--workers", str(workers)]
    # The server's log goes to a file: a pipe nobody reads would fill up and stall the server.
    log = Path(os.environ.get("JOINEDUP_BENCH_SERVER_LOG", os.devnull))
    with log.open("ab") as err:
        proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=err)
    base = f"http://127.0.0.1:{port}"
    try:
        # Generous: several workers importing the app on 2 busy cores can take a while.
        deadline = time.monotonic() + 120
        while True:
            try:
                httpx.get(f"{base}/health", timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("the server did not start") from None
                time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _letters(n: int) -> str:
    """``n`` spelt in letters (base 26): names are cleaned to letters before matching, so a
    surname told apart by digits would make every benchmark person look the same."""
    out = ""
    while True:
        n, digit = divmod(n, 26)
        out = chr(97 + digit) + out
        if n == 0:
            return out


def _incident(n: int, worker: int) -> dict[str, Any]:
    return {
        "reference": f"BENCH-{worker}-{n}",
        "category": "asb_personal",
        "occurred_at": "2026-11-20T22:15:00+00:00",
        "location": {"description": f"Block {n % 50}, Westborough estate", "postcode": "GU2 8AA"},
        "narrative": "Residents report youths shouting and kicking doors.",
        "people": [
            {
                "role": "victim",
                "person": {
                    "reference": f"BENCH-P-{worker}-{n}",
                    "first_name": "Sam",
                    "surname": "Okafor" + _letters(worker * 1_000_000 + n),
                    "date_of_birth": f"{1940 + n % 60}-{1 + n % 12:02d}-{1 + n % 28:02d}",
                },
            }
        ],
    }


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))]


WRK_SCRIPT = Path(__file__).parent / "bench_assets" / "intake.lua"


def intake_api_wrk(
    database_url: str, clients: int, seconds: int, workers: int, match_seconds: float = 0
) -> dict[str, Any]:
    """``POST /api/v1/incidents`` from ``clients`` concurrent connections for ``seconds``,
    driven by wrk (a C load generator, so the clients take little of the 2 cores)."""
    with fresh_database(database_url) as url:
        org_id = _organisation(url, "Guildford Borough Council", "district_council")
        token = _token(url, org_id)
        with _server(url, workers, match_seconds) as base:
            warm = httpx.post(
                f"{base}/api/v1/incidents",
                json=_incident(0, 0),
                headers={"Authorization": f"Bearer {token}"},
            )
            warm.raise_for_status()
            command = [
                "wrk",
                f"-t{min(2, clients)}",
                f"-c{clients}",
                f"-d{seconds}s",
                "--timeout",
                "10s",
                "-s",
                str(WRK_SCRIPT),
                base,
                "--",
                token,
            ]
            out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    line = next(x for x in out.splitlines() if x.startswith("WRK-RESULT "))
    result = json.loads(line.removeprefix("WRK-RESULT "))
    return {
        "benchmark": "single-incident API (wrk)",
        "database": url.split(":", 1)[0].split("+", 1)[0],
        "clients": clients,
        "server_workers": workers,
        "background_matcher_seconds": match_seconds,
        **result,
        "requests_per_second": round(result["requests"] / result["seconds"]),
    }


def intake_api(database_url: str, clients: int, per_client: int) -> dict[str, Any]:
    """``POST /api/v1/incidents`` from ``clients`` concurrent clients, each incident new."""
    with fresh_database(database_url) as url:
        org_id = _organisation(url, "Guildford Borough Council", "district_council")
        headers = {"Authorization": f"Bearer {_token(url, org_id)}"}
        with _server(url) as base:
            latencies: list[float] = []
            failures: list[int] = []
            lock = threading.Lock()

            def client(worker: int) -> None:
                mine: list[float] = []
                bad: list[int] = []
                with httpx.Client(base_url=base, headers=headers, timeout=30) as http:
                    http.post("/api/v1/incidents", json=_incident(-1, worker))  # warm-up
                    for n in range(per_client):
                        start = time.perf_counter()
                        response = http.post("/api/v1/incidents", json=_incident(n, worker))
                        mine.append((time.perf_counter() - start) * 1000)
                        if response.status_code != 201:
                            bad.append(response.status_code)
                with lock:
                    latencies.extend(mine)
                    failures.extend(bad)

            threads = [threading.Thread(target=client, args=(w,)) for w in range(clients)]
            start = time.perf_counter()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            wall = time.perf_counter() - start
    return {
        "benchmark": "single-incident API",
        "database": url.split(":", 1)[0].split("+", 1)[0],
        "clients": clients,
        "requests": len(latencies),
        "failures": len(failures),
        "p50_ms": round(statistics.median(latencies), 1),
        "p95_ms": round(_percentile(latencies, 95), 1),
        "p99_ms": round(_percentile(latencies, 99), 1),
        "requests_per_second": round(len(latencies) / wall),
    }


def intake_batch(database_url: str, batches: int, size: int) -> dict[str, Any]:
    """``POST /api/v1/incidents/batch`` with ``size`` new incidents each, one after another."""
    with fresh_database(database_url) as url:
        org_id = _organisation(url, "Guildford Borough Council", "district_council")
        headers = {"Authorization": f"Bearer {_token(url, org_id)}"}
        with (
            _server(url) as base,
            httpx.Client(base_url=base, headers=headers, timeout=120) as http,
        ):
            warm = {"items": [_incident(n, 999) for n in range(10)]}
            http.post("/api/v1/incidents/batch", json=warm).raise_for_status()
            seconds: list[float] = []
            created = 0
            for b in range(batches):
                body = {"items": [_incident(n, b) for n in range(size)]}
                start = time.perf_counter()
                response = http.post("/api/v1/incidents/batch", json=body)
                seconds.append(time.perf_counter() - start)
                response.raise_for_status()
                created += int(response.json()["created"])
    total = sum(seconds)
    return {
        "benchmark": "batch API",
        "database": url.split(":", 1)[0].split("+", 1)[0],
        "batches": batches,
        "batch_size": size,
        "created": created,
        "median_batch_seconds": round(statistics.median(seconds), 3),
        "incidents_per_second": round(created / total),
    }
