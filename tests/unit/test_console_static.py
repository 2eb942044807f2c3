"""The console's files: the vendored scripts are the ones VENDORED.md records, and an install ships every
template and static file (pyproject's package data), with no build step."""

from __future__ import annotations

import hashlib
import re
import tomllib
from pathlib import Path

import content
from bot.console.signin import nonce_in, scene_of

ROOT = Path(__file__).resolve().parents[2]
CONSOLE = ROOT / "content" / "console"


def test_the_vendored_files_are_the_recorded_ones() -> None:
    record = (CONSOLE / "static" / "VENDORED.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `([^`]+)` \| `([^`]+)` \| ([0-9.]+) \| .*? \| `([0-9a-f]{64})` \|$", record, re.M)
    assert {name for name, *_ in rows} == {"htmx.min.js", "echarts.min.js"}
    for name, _package, _version, digest in rows:
        assert hashlib.sha256((CONSOLE / "static" / name).read_bytes()).hexdigest() == digest, name
    assert "2.0.11" in (CONSOLE / "static" / "htmx.min.js").read_text(encoding="utf-8")


def test_an_install_ships_every_console_file() -> None:
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"][
        "package-data"
    ]["content"]
    files = {p for p in CONSOLE.rglob("*") if p.is_file()}
    shipped = {p for pattern in patterns for p in (ROOT / "content").glob(pattern)}  # as setuptools globs
    assert files and files <= shipped, sorted(str(p) for p in files - shipped)
    assert content.path("console/templates/base.html").is_file()


def test_only_console_scenes_are_read_as_sign_ins() -> None:
    assert nonce_in(scene_of("AbCdEf123456_-x")) == "AbCdEf123456_-x"
    for scene in ("xingfuli", "console:", "console:short", "console:../../etc", "console:" + "a" * 60, ""):
        assert nonce_in(scene) is None, scene
