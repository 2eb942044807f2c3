"""Lint and types are part of the suite: ruff and mypy must be clean."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=300
    )


def test_ruff() -> None:
    result = run("ruff", "check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy() -> None:
    result = run("mypy")
    assert result.returncode == 0, result.stdout + result.stderr


def test_migrations_match_the_models() -> None:
    """A model change without a migration would break `community-bot db upgrade` on PostgreSQL."""
    code = (
        "import asyncio\n"
        "from storage.db import tortoise_config\n"
        "from tortoise.migrations.autodetector import MigrationAutodetector\n"
        "from tortoise.context import TortoiseContext\n"
        "async def main():\n"
        "    cfg = tortoise_config('sqlite://:memory:')\n"
        "    async with TortoiseContext() as ctx:\n"
        "        await ctx.init(config=cfg)\n"
        "        changes = await MigrationAutodetector(ctx.apps, cfg['apps']).changes()\n"
        "    print(len(changes))\n"
        "asyncio.run(main())\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    hint = "models changed: run `tortoise -c storage.db.TORTOISE_ORM makemigrations`"
    assert result.stdout.strip() == "0", hint


def test_migrations_do_not_import_the_live_code() -> None:
    """An old migration must not change meaning when the code does: its enums are frozen in the file,
    not imported from the models they were written for."""
    live = ("storage", "handlers", "bot", "nlp", "content")
    for path in sorted((ROOT / "storage" / "migrations").glob("0*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                modules = [node.module or ""]
            elif isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            else:
                continue
            for module in modules:
                assert module.split(".")[0] not in live, f"{path.name} imports {module}"


def test_no_semicolon_in_what_becomes_a_table_comment() -> None:
    """Model docstrings and field descriptions become SQL comments, and SQLite's migration editor splits
    its statements on ';': one there breaks `community-bot db upgrade` on the embedded default."""
    code = (
        "import asyncio\n"
        "from tortoise import Tortoise\n"
        "from storage.db import model_modules\n"
        "async def main():\n"
        "    await Tortoise.init(db_url='sqlite://:memory:', modules={'models': model_modules()})\n"
        "    for model in Tortoise.apps['models'].values():\n"
        "        fields = model._meta.fields_map.values()\n"
        "        texts = [model._meta.table_description or ''] + [f.description or '' for f in fields]\n"
        "        for text in texts:\n"
        "            if ';' in text:\n"
        "                print(model.__name__, repr(text[:60]))\n"
        "    await Tortoise.close_connections()\n"
        "asyncio.run(main())\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout + result.stderr


# -- the slices' boundary: dialogs and API routes read through queries.py, write through workflow.py -------
EDGE_PATTERNS = ("dialog.py", "*_dialog.py", "api.py", "*_api.py", "console.py", "*_console.py")
ORM_CALLS = {"filter", "exclude", "get_or_none", "get_or_create", "create"}


def edge_modules() -> list[Path]:
    found = {path for pattern in EDGE_PATTERNS for path in (ROOT / "handlers").rglob(pattern)}
    return sorted(found)


def _is_model(module: str, name: str) -> bool:
    from tortoise.models import Model

    try:
        value = getattr(importlib.import_module(module), name, None)
    except ImportError:
        return False
    return isinstance(value, type) and issubclass(value, Model)


def boundary_problems(path: Path) -> list[str]:
    """What makes ``path`` (a dialog or an API module) read or write the database itself."""
    problems = []
    name = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        where = f"{name}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.Import):
            problems += [f"{where} imports {a.name}" for a in node.names if "models" in a.name.split(".")]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                if node.module.split(".")[-1] == "models" or alias.name == "models":
                    problems.append(f"{where} imports {alias.name} from {node.module}")
                elif _is_model(node.module, alias.name):
                    problems.append(f"{where} imports the model {alias.name} (from {node.module})")
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ORM_CALLS
        ):
            problems.append(f"{where} calls .{node.func.attr}(")
    return problems


@pytest.mark.parametrize("path", edge_modules(), ids=lambda p: str(p.relative_to(ROOT / "handlers")))
def test_dialogs_and_api_routes_make_no_database_calls(path: Path) -> None:
    """A dialog (``dialog.py``, ``*_dialog.py``) or an API module (``api.py``, ``*_api.py``) imports no models
    (no model class, from a models module or re-exported) and calls no ``.filter(`` / ``.create(`` ...: reads
    are the slice's ``queries.py`` (visibility decided once for chat and API), writes its ``workflow.py``."""
    assert boundary_problems(path) == []


def test_the_boundary_check_sees_what_it_forbids(tmp_path: Path) -> None:
    sample = tmp_path / "sample_dialog.py"
    sample.write_text(
        "from storage.models import RoleName\n"
        "from handlers.residents.queries import Me\n"  # a view: fine
        "from storage.roles import Role\n"  # a model re-exported: not fine
        "from storage.pages import PageSlice\n"
        "import handlers.repairs.models\n"
        "from handlers.residents.queries import HomeAddress\n"
        "async def f(x):\n"
        "    await x.filter(a=1).first()\n"
        "    await x.create(a=1)\n"
        "    return x.get('a')\n",
        encoding="utf-8",
    )
    found = boundary_problems(sample)
    assert sorted(p.split(" ", 1)[1] for p in found) == [
        "calls .create(",
        "calls .filter(",
        "imports RoleName from storage.models",
        "imports handlers.repairs.models",
        "imports the model Role (from storage.roles)",
    ]
