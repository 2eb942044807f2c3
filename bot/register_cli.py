"""``community-bot register template|import|export``: the household register workbook from the command line.

``import`` checks the whole workbook first: with any problem it prints them all as a table (sheet, row,
column, why) and exits 1, having written nothing; otherwise it writes the register in one transaction and
prints what changed (``--dry-run``: the same, rolled back). A large file shows a progress bar.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

import content
from bot.app import china_now, prepare_database
from bot.config import Settings
from handlers.register import import_queries
from handlers.register.import_sheets import template_workbook
from handlers.register.import_workflow import ImportResult, import_register
from storage import db
from storage.models import Community


async def run_register(settings: Settings, args: argparse.Namespace) -> int:
    path = Path(args.file)
    if args.action == "template":
        path.write_bytes(template_workbook(rural=args.rural))
        print(f"template written to {path}")
        return 0
    if not args.community:
        print("--community is required", file=sys.stderr)
        return 2
    if args.action == "import" and not path.is_file():
        print(f"no such file: {path}", file=sys.stderr)
        return 2
    await prepare_database(settings)
    await db.open_db(settings.effective_database_url)
    try:
        community = await import_queries.community_by_code(args.community)
        if community is None:
            codes = ", ".join(c.code for c in await import_queries.all_communities())
            print(f"no community {args.community!r}; known: {codes or 'none'}", file=sys.stderr)
            return 2
        if args.action == "export":
            path.write_bytes(await import_queries.export_workbook(community))
            print(f"register of {community.code} written to {path}")
            return 0
        return await _import(community, path.read_bytes(), args.dry_run)
    finally:
        await db.close_db()


async def _import(community: Community, data: bytes, dry_run: bool) -> int:
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    with progress:
        task = progress.add_task(community.name, total=None)

        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        result = await import_register(community, data, china_now(), dry_run=dry_run, progress=advance)
    return report(result, Console(soft_wrap=True))


def report(result: ImportResult, console: Console) -> int:
    """The problems as a table (exit 1), or the summary (exit 0)."""
    if result.summary is None:
        table = Table(show_lines=False)
        for key in ("sheet", "row", "column", "why"):
            table.add_column(content.text(f"register_import.column.{key}"), overflow="fold")
        for problem in result.problems:
            table.add_row(problem.sheet, str(problem.row or ""), problem.column, problem.why)
        console.print(table)
        console.print(content.text("register_import.invalid", count=len(result.problems)))
        return 1
    for line in result.summary.lines():
        console.print(line)
    return 0
