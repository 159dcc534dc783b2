"""The ``joinedup`` command: serve, db, users, demo, import ... (documented in docs/cli.md)."""

from __future__ import annotations

import typer
from rich.console import Console

from joinedup.audit.cli import app as audit_app
from joinedup.bench import app as bench_app
from joinedup.config import get_settings
from joinedup.db import engine_for
from joinedup.dbroles import grant_app_role_command
from joinedup.demo.cli import app as demo_app
from joinedup.incidents.cli import app as import_app
from joinedup.linkage.cli import app as link_app
from joinedup.linkage.db_cli import register as register_link_database
from joinedup.linkage.pprl_cli import app as pprl_app
from joinedup.partners.cli import app as users_app
from joinedup.retention.cli import app as retention_app
from joinedup.subject_access.cli import app as sar_app

app = typer.Typer(
    help="JoinedUp: the shared platform of a community safety partnership.", no_args_is_help=True
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")
app.add_typer(demo_app, name="demo")
app.add_typer(import_app, name="import")
app.add_typer(bench_app, name="bench")
app.add_typer(audit_app, name="audit")
app.add_typer(retention_app, name="retention")
app.add_typer(sar_app, name="sar")
app.add_typer(link_app, name="link")
register_link_database(link_app)
app.add_typer(pprl_app, name="pprl")
db_app.command("grant-app-role")(grant_app_role_command)
console = Console(stderr=True)


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    workers: int = typer.Option(1, help="Worker processes (use 1 with SQLite)."),
) -> None:
    """Serve the web application and the API."""
    import uvicorn

    from joinedup.logging_setup import configure_logging

    settings = get_settings()
    configure_logging(settings.log_level, sql=settings.log_sql)
    uvicorn.run(
        "joinedup.main:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_config=None,
        proxy_headers=False,
    )


@app.command()
def worker(
    once: bool = typer.Option(False, help="Run each due job once, then exit."),
    poll: float = typer.Option(30.0, help="Seconds between checks for due jobs."),
) -> None:
    """Run the periodic jobs in jobs.SCHEDULE (misuse monitoring, retention)."""
    from joinedup import jobs
    from joinedup.db import session_factory
    from joinedup.logging_setup import configure_logging

    settings = get_settings()
    configure_logging(settings.log_level, sql=settings.log_sql)
    factory = session_factory(engine_for(settings.database_url))
    if once:
        for name, summary in jobs.run_due(factory, settings, {}):
            typer.echo(f"{name}: {summary}")
        return
    jobs.run_forever(factory, settings, poll)


@db_app.command("upgrade")
def db_upgrade(revision: str = typer.Argument("head", help="Target revision.")) -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    from joinedup.migrations_state import upgrade

    upgrade(get_settings().database_url, revision)
    console.print(f"Database at revision {revision}.")


@db_app.command("current")
def db_current() -> None:
    """Print the database's revision and the newest one; exit 1 when they differ."""
    from joinedup.migrations_state import current_and_head

    with engine_for(get_settings().database_url).connect() as conn:
        current, head = current_and_head(conn)
    typer.echo(f"current={current} head={head}")
    raise typer.Exit(0 if current == head else 1)


if __name__ == "__main__":
    app()
