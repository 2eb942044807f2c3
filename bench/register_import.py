"""How long importing a household register workbook takes: a generated file of 10,000 residents (about
3,500 households over 40 buildings, a grid for every four buildings with a worker and a deputy, a building
head each), imported into an empty community, then imported again unchanged (every row compared, nothing
written), then exported.

    python bench/register_import.py [--residents 10000] [--buildings 40] [--database-url URL]

With a PostgreSQL ``--database-url`` (or DATABASE_URL) a fresh database is created on that server for the
run and dropped after it, as the tests do; without one, a temporary SQLite file.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fresh_db import drop_database, fresh_database

from handlers.register.import_queries import export_workbook
from handlers.register.import_workflow import import_register
from storage import db
from storage.models import Community
from tests.register_books import generated


async def run(url: str, residents: int, buildings: int) -> None:
    start = time.perf_counter()
    book = generated(residents, buildings)
    data = book.xlsx()
    # a year later: one resident in ten has a new phone or care need, one in twenty has moved out
    for index, row in enumerate(book.people):
        if index % 10 == 3:
            row[5], row[9] = f"158{index:08d}", "高龄"
    book.people[:] = [row for index, row in enumerate(book.people) if index % 20 != 7]
    later = book.xlsx()
    print(f"workbook: {len(data) / 1024:.0f} KiB, generated in {time.perf_counter() - start:.1f} s")
    await db.upgrade(url)
    await db.open_db(url)
    try:
        community = await Community.create(code="bench", name="基准社区")
        now = dt.datetime.now(dt.UTC)
        passes = [
            ("first import", data),
            ("re-import (unchanged)", data),
            ("re-import (a year later)", later),
        ]
        for label, workbook in passes:
            start = time.perf_counter()
            result = await import_register(community, workbook, now)
            seconds = time.perf_counter() - start
            assert result.summary is not None, result.problems[:5]
            people = result.summary.counts["residents"]
            print(
                f"{label}: {seconds:.2f} s, {result.summary.rows / seconds:,.0f} rows/s "
                f"({result.summary.rows} rows: residents created {people.created}, updated {people.updated}, "
                f"left {people.left})"
            )
        start = time.perf_counter()
        exported = await export_workbook(community)
        print(f"export: {time.perf_counter() - start:.2f} s ({len(exported) / 1024:.0f} KiB)")
    finally:
        await db.close_db()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--residents", type=int, default=10_000)
    parser.add_argument("--buildings", type=int, default=40)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    args = parser.parse_args()
    if args.database_url and not db.is_sqlite(args.database_url):
        url, admin = asyncio.run(fresh_database(args.database_url))
        print(f"database: PostgreSQL {url.rsplit('@', 1)[-1]}")
        try:
            asyncio.run(run(url, args.residents, args.buildings))
        finally:
            asyncio.run(drop_database(url, admin))
        return
    with tempfile.TemporaryDirectory() as folder:
        print("database: SQLite (temporary file)")
        asyncio.run(run(f"sqlite://{folder}/bench.sqlite3", args.residents, args.buildings))


if __name__ == "__main__":
    main()
