"""The import rules of docs/architecture.md, enforced on the source tree."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "joinedup"
DB_OR_WEB = ("sqlalchemy", "fastapi", "starlette", "joinedup.db", "joinedup.web", "alembic")
LAYERS = ("models", "service", "queries", "routes")
# Packages that load data in bulk or glue the app together rather than being a domain.
NOT_DOMAINS = {"demo", "web", "common", "cli", "main", "models", "db", "config"}
# Documented exceptions (docs/adr/0001): auth keeps the credentials of partners' users.
SHARED_MODELS = {("auth", "partners")}


def _modules() -> list[Path]:
    return sorted(p for p in SRC.rglob("*.py") if "templates" not in p.parts)


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
            names += [f"{node.module}.{a.name}" for a in node.names]
    return names


def _domain(path: Path) -> str:
    rel = path.relative_to(SRC)
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def _layer_of(name: str) -> tuple[str, str] | None:
    parts = name.split(".")
    if len(parts) >= 3 and parts[0] == "joinedup" and parts[2] in LAYERS:
        return parts[1], parts[2]
    return None


def _pure_modules() -> list[Path]:
    pure = [
        p for p in _modules() if p.name in ("rules.py", "schemas.py", "taxonomy.py", "events.py")
    ]
    return pure + [SRC / "access" / "policy.py", SRC / "access" / "actor.py"]


@pytest.mark.parametrize("path", _pure_modules(), ids=lambda p: str(p.relative_to(SRC)))
def test_pure_modules_import_no_db_or_web_code(path: Path) -> None:
    for name in _imports(path):
        assert not name.startswith(DB_OR_WEB), f"{path.name} imports {name}"
        assert _layer_of(name) is None, f"{path.name} imports {name}"


@pytest.mark.parametrize(
    "path",
    [p for p in _modules() if p.name == "routes.py" or p.name.endswith("_routes.py")],
    ids=lambda p: str(p.relative_to(SRC)),
)
def test_routes_never_touch_models(path: Path) -> None:
    for name in _imports(path):
        layer = _layer_of(name)
        assert layer is None or layer[1] != "models", f"{path} imports {name}"


@pytest.mark.parametrize(
    "path",
    [p for p in _modules() if p.name == "service.py" and _domain(p) not in NOT_DOMAINS],
    ids=lambda p: str(p.relative_to(SRC)),
)
def test_services_use_only_their_own_models(path: Path) -> None:
    own = _domain(path)
    for name in _imports(path):
        layer = _layer_of(name)
        if layer and layer[1] == "models":
            allowed = layer[0] == own or (own, layer[0]) in SHARED_MODELS
            assert allowed, f"{path} imports another domain's {name}"


def test_only_main_imports_routes() -> None:
    for path in _modules():
        if path.name == "main.py":
            continue
        for name in _imports(path):
            layer = _layer_of(name)
            assert layer is None or layer[1] != "routes", f"{path} imports {name}"


def test_nothing_reads_naive_utc_time() -> None:
    for path in _modules():
        text = path.read_text()
        assert "datetime.utcnow(" not in text and "utcfromtimestamp(" not in text, path
