"""Documentation is part of the change: settings, audit events and CLI commands must be in docs/."""

from __future__ import annotations

from pathlib import Path

import typer.main

from joinedup.audit.events import EVENT_NAMES
from joinedup.cli import app
from joinedup.config import Settings

DOCS = Path(__file__).resolve().parents[1] / "docs"


def _commands(command: object, prefix: str = "joinedup") -> list[str]:
    subcommands: dict[str, object] = getattr(command, "commands", {})
    if not subcommands:
        return [prefix]
    found: list[str] = []
    for name, sub in subcommands.items():
        found += _commands(sub, f"{prefix} {name}")
    return found


def test_every_setting_is_documented() -> None:
    text = (DOCS / "settings.md").read_text()
    missing = [f for f in Settings.model_fields if f"JOINEDUP_{f.upper()}" not in text]
    assert not missing, f"settings missing from docs/settings.md: {missing}"


def test_every_audit_event_is_documented() -> None:
    text = (DOCS / "events.md").read_text()
    missing = [name for name in EVENT_NAMES if f"`{name}`" not in text]
    assert not missing, f"audit events missing from docs/events.md: {missing}"


def test_every_cli_command_is_documented() -> None:
    text = (DOCS / "cli.md").read_text()
    commands = _commands(typer.main.get_command(app))
    missing = [c for c in commands if f"`{c}" not in text]
    assert not missing, f"CLI commands missing from docs/cli.md: {missing}"


def test_every_incident_category_is_in_the_taxonomy_doc() -> None:
    from joinedup.incidents.taxonomy import CATEGORIES

    text = (DOCS / "taxonomy.md").read_text(encoding="utf-8")
    missing = [c.code for c in CATEGORIES if f"| `{c.code}` | {c.label} |" not in text]
    assert missing == [], f"categories missing from docs/taxonomy.md: {missing}"
