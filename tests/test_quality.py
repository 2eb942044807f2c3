"""Lint and types are part of the suite: ruff and mypy must be clean."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

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
