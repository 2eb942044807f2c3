"""`community-bot content check | reload`: the catalog and the calendar are data an operator edits; check
them before they are used, and load them into a running server without a restart (SIGHUP)."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import signal
from pathlib import Path

import content
from bot.config import Settings

CALENDAR_NOTICE_DAYS = 60  # the State Council's notice is usually out in November: ask for it in time


def pid_file(settings: Settings) -> Path:
    return Path(settings.data_dir) / "community-bot.pid"


def check(settings: Settings, today: dt.date | None = None) -> tuple[list[str], list[str]]:
    """(errors, warnings) of every community's catalog and of the holiday calendar."""
    from handlers.services import catalog
    from handlers.services.hours import calendar

    catalog.configure(settings.effective_content_dir)
    errors: list[str] = []
    warnings: list[str] = []
    for code in catalog.known_communities():
        _, problems = catalog.build(code)
        for problem in problems:
            (errors if problem.error else warnings).append(f"{code}: {problem}")
    today = today or dt.date.today()
    covered = calendar().covered_until
    if covered < today + dt.timedelta(days=CALENDAR_NOTICE_DAYS):
        warnings.append(
            f"calendar: holidays are known until {covered}; add next year's to content/calendar.yaml"
        )
    return errors, warnings


def cmd_content(args: argparse.Namespace, settings: Settings) -> int:
    errors, warnings = check(settings)
    for line in [*errors, *warnings]:
        print(line)
    if args.action == "check":
        from handlers.services import catalog

        for code in catalog.known_communities():
            built, _ = catalog.build(code)
            lines = len({e.line for e in built.entries.values()})
            print(f"{code}: {len(built.entries)} entries in {lines} lines")
        print("ok" if not errors else f"{len(errors)} error(s)")
        return 1 if errors else 0
    if errors:
        print("not reloaded: fix the errors first")
        return 1
    target = args.pid or _running_pid(settings)
    if target is None:
        print(
            f"no running server found ({pid_file(settings)} is missing); start one with `community-bot serve`"
        )
        return 1
    try:
        os.kill(target, signal.SIGHUP)
    except ProcessLookupError:
        print(f"no process {target}: is the server running?")
        return 1
    print(f"asked the server (pid {target}) to reload the content")
    return 0


def _running_pid(settings: Settings) -> int | None:
    path = pid_file(settings)
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return None


def reload_in_process() -> list[str]:
    """What SIGHUP does in a serve process: read every content file again (sentences, intents, and each
    feature's own: repair categories, wish rules, the calendar, the catalogs). Returns the errors that
    kept something as it was (empty when everything reloaded)."""
    import handlers
    from bot.app import classifier

    content.load_yaml.cache_clear()
    problems = list(handlers.reload())
    classifier.cache_clear()  # the intent keywords, with the features' own, are read again
    return problems
