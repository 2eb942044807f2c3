"""How long the staff console's overview takes to count: a street office with 20 communities and 100,000
tickets received over eleven months (and, in proportion, 5,000 wishes with their service record, 400 closed
consultations and 10,000 residents' messages), on PostgreSQL. It times every query the overview page runs
(``handlers.figures.queries.street_overview`` and ``community_overview``: the figures in all, per community,
by category, month, grid, building and handler, the medians, the backlog, the labels) for this month and for
the whole year, and prints the median of several runs. Then the page itself: the street office's overview
and 月报 rendered by the app over HTTP (a signed-in street office worker's browser: session, access check,
the figures, the charts' options, the template), and one community's overview.

    python bench/console_figures.py [--database-url postgres://...] [--tickets 100000] [--communities 20]
                                    [--runs 7] [--keep | --reuse NAME]

A fresh database is created on the server of ``--database-url`` (or DATABASE_URL) for the run and dropped
after it (``--keep``: left, to EXPLAIN its queries); the rows are inserted with ``bulk_create`` and the
tables analysed before timing. ``--reuse NAME``: time a database a run with ``--keep`` left (its name is
printed), without inserting anything or dropping it: two versions of the code timed on the same rows, one
after the other.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import functools
import logging
import os
import random
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fresh_db import drop_database, fresh_database

from handlers.figures import queries
from handlers.figures.period import Period
from handlers.register.models import Grid, GridBuilding
from handlers.repairs.categories import categories
from handlers.repairs.models import Ticket, TicketStatus
from handlers.votes.models import Consultation, ConsultationStatus
from handlers.votes.tally import TallyResult
from handlers.wishes.models import ServiceRecord, Wish, WishStatus
from storage import db
from storage.models import Building, Community, Person, StaffMessage, StreetOffice

S = TicketStatus
CST = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 11, 25, 10, 0, tzinfo=CST)
FIRST = dt.datetime(2026, 1, 1, tzinfo=CST)
H = dt.timedelta(hours=1)
BUILDINGS, GRIDS, HANDLERS, REPORTERS, VOLUNTEERS = 30, 6, 6, 300, 40
CATEGORIES = ["lighting", "lift", "water", "facility", "noise", "parking", "dispute", "sanitation", "pets"]


def when(rng: random.Random) -> dt.datetime:
    return FIRST + (NOW - FIRST) * rng.random()


def ticket(rng: random.Random, key: str, community: Community, people: dict[str, list[Any]]) -> Ticket:
    created = when(rng)
    category = categories()[rng.choice(CATEGORIES)]
    row: dict[str, Any] = {
        "community_id": community.id,
        "reporter_id": rng.choice(people["reporters"]).id,
        "kind": category.kind,
        "category": category.key,
        "description": "楼道灯坏了",
        "building_id": rng.choice(people["buildings"]).id if rng.random() < 0.9 else None,
        "handler_role": "property_staff",
        "assignee_id": rng.choice(people["handlers"]).id if rng.random() < 0.85 else None,
        "source_key": key,
        "created_at": created,
        "respond_by": created + category.response_hours * H,
        "resolve_by": created + category.resolution_hours * H,
    }
    young, fate = NOW - created < dt.timedelta(days=3), rng.random()
    if young or fate > 0.96:  # still open: recent, or stuck (overdue)
        row["status"] = rng.choice((S.SUBMITTED, S.ACCEPTED, S.IN_PROGRESS, S.REOPENED))
        if row["status"] is not S.SUBMITTED:
            row["accepted_at"] = min(created + rng.uniform(0.2, 8) * H, NOW)
        row["reopen_count"] = int(row["status"] is S.REOPENED)
    elif fate > 0.85:
        row["status"] = rng.choice((S.REJECTED, S.DUPLICATE, S.CANCELLED))
        row["closed_at"] = created + rng.uniform(0.5, 12) * H
    else:
        accepted = created + rng.uniform(0.2, 8) * H
        resolved = accepted + rng.uniform(1, 90) * H
        closed = rng.random() < 0.9
        row.update(status=S.CLOSED if closed else S.RESOLVED, accepted_at=accepted, resolved_at=resolved)
        row["reopen_count"] = int(rng.random() < 0.05)
        if closed:
            row["closed_at"] = resolved + rng.uniform(1, 72) * H
            if rng.random() < 0.6:
                row["rating"] = rng.choices((1, 2, 3, 4, 5), (3, 5, 10, 35, 47))[0]
    return Ticket(**row)


async def community(rng: random.Random, street: StreetOffice, n: int, tickets: int) -> None:
    """One community with its buildings, grids, staff and residents, and its share of every kind of row."""
    place = await Community.create(code=f"bench-{n}", name=f"基准社区{n:02d}", street_office=street)
    await Building.bulk_create(
        [Building(community=place, number=b, units=2) for b in range(1, BUILDINGS + 1)]
    )
    buildings = await Building.filter(community=place).order_by("number")
    grids = [await Grid.create(community=place, code=f"G{g}", name=f"第{g}网格") for g in range(1, GRIDS + 1)]
    per_grid = len(buildings) // GRIDS
    await GridBuilding.bulk_create(
        [
            GridBuilding(grid=grids[i // per_grid], building=b)
            for i, b in enumerate(buildings[: GRIDS * per_grid - 3])
        ]
    )

    async def persons(kind: str, count: int) -> list[Person]:
        await Person.bulk_create(
            [Person(openid=f"{kind}-{n}-{i}", name=f"{kind}{i}", community=place) for i in range(count)]
        )
        return list(await Person.filter(openid__startswith=f"{kind}-{n}-"))

    people = {
        "buildings": buildings,
        "handlers": await persons("handler", HANDLERS),
        "reporters": await persons("reporter", REPORTERS),
        "volunteers": await persons("volunteer", VOLUNTEERS),
    }
    rows = [ticket(rng, f"bench:{n}:{i}", place, people) for i in range(tickets)]
    await Ticket.bulk_create(rows, batch_size=2000)
    await wishes(rng, place, people, tickets // 20)
    await consultations(rng, place, 20)
    await messages(rng, place, people, tickets // 10)


async def wishes(rng: random.Random, place: Community, people: dict[str, list[Any]], count: int) -> None:
    made = []
    for i in range(count):
        created = when(rng)
        done = created + rng.uniform(1, 20) * 24 * H
        confirmed = rng.random() < 0.6 and done < NOW
        made.append(
            Wish(
                community=place,
                resident=rng.choice(people["reporters"]),
                category="escort",
                description="想请人陪我去医院复查",
                public_text="想请人陪我去医院复查",
                status=WishStatus.CONFIRMED
                if confirmed
                else rng.choice((WishStatus.OPEN, WishStatus.CLAIMED)),
                source_key=f"bench:wish:{place.id}:{i}",
                created_at=created,
                fulfilled_at=done if confirmed else None,
                confirmed_at=done + H if confirmed else None,
            )
        )
    await Wish.bulk_create(made, batch_size=2000)
    records = []
    for wish in await Wish.filter(community=place, status=WishStatus.CONFIRMED):
        assert wish.fulfilled_at is not None
        for volunteer in rng.sample(people["volunteers"], rng.choice((1, 1, 2))):
            records.append(
                ServiceRecord(
                    community=place,
                    volunteer=volunteer,
                    volunteer_name=volunteer.name,
                    wish=wish,
                    activity="陪同就医",
                    served_on=wish.fulfilled_at.date(),
                    hours=rng.choice((1.0, 1.5, 2.0, 3.0)),
                    points=10,
                    confirmed_as="resident",
                    created_at=wish.fulfilled_at,
                )
            )
    await ServiceRecord.bulk_create(records, batch_size=2000)


async def consultations(rng: random.Random, place: Community, count: int) -> None:
    rows = []
    for _ in range(count):
        closed, eligible = when(rng), rng.randint(50, 400)
        turnout = rng.randint(eligible // 5, eligible)
        result = TallyResult(
            eligible, turnout, round(turnout / eligible, 4), 0.5, turnout * 2 >= eligible, "majority",
            (), turnout, 0, turnout * 2 >= eligible, 0, "-",
        )  # fmt: skip
        rows.append(
            Consultation(
                community=place,
                title="加装电梯",
                options=["同意", "不同意"],
                opens_at=closed - 72 * H,
                closes_at=closed,
                status=ConsultationStatus.CLOSED,
                created_at=closed - 72 * H,
                closed_at=closed,
                result=result.to_json(),
            )
        )
    await Consultation.bulk_create(rows)


async def messages(rng: random.Random, place: Community, people: dict[str, list[Any]], count: int) -> None:
    rows = []
    for _ in range(count):
        left = when(rng)
        answered = left + rng.uniform(0.5, 72) * H
        done = rng.random() < 0.85 and answered < NOW
        rows.append(
            StaffMessage(
                person=rng.choice(people["reporters"]),
                community=place,
                text="请问社区什么时候办理老年证？",
                status="answered" if done else "open",
                answer="周三上午，带身份证和照片。" if done else None,
                created_at=left,
                answered_at=answered if done else None,
            )
        )
    await StaffMessage.bulk_create(rows, batch_size=2000)


class Statements(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        words = record.getMessage().split(None, 1)
        self.count += bool(words) and words[0].upper() in ("SELECT", "WITH")


async def timed(label: str, runs: int, make: Callable[[], Awaitable[Any]]) -> None:
    logger, counter = logging.getLogger("tortoise.db_client"), Statements()
    logger.addHandler(counter)
    logger.setLevel(logging.DEBUG)
    await make()  # warm: the plans, the connection pool
    counter.count = 0
    seconds = []
    for _ in range(runs):
        start = time.perf_counter()
        await make()
        seconds.append(time.perf_counter() - start)
    logger.removeHandler(counter)
    ms = sorted(s * 1000 for s in seconds)
    print(
        f"{label}: median {statistics.median(ms):.0f} ms (min {ms[0]:.0f}, max {ms[-1]:.0f}; "
        f"{counter.count // runs} statements)"
    )


async def run(url: str, tickets: int, communities: int, runs: int, *, reuse: bool = False) -> None:
    await db.upgrade(url)
    await db.open_db(url)
    try:
        if reuse:
            street = await StreetOffice.get(code="bench")
            print(f"reused {await Ticket.all().count():,} tickets")
        else:
            rng = random.Random(7)
            start = time.perf_counter()
            street = await StreetOffice.create(code="bench", name="基准街道")
            for n in range(communities):
                await community(rng, street, n, tickets // communities)
            print(f"inserted {await Ticket.all().count():,} tickets in {time.perf_counter() - start:.1f} s")
        await db_analyse()
        one = await Community.get(code="bench-0")
        month, year = Period.month_of(NOW.date()), Period.year_of(NOW.date())
        await timed("street office, this month", runs, lambda: queries.street_overview(street, month, NOW))
        await timed("street office, the year", runs, lambda: queries.street_overview(street, year, NOW))
        await timed("one community, this month", runs, lambda: queries.community_overview(one, month, NOW))
        await timed("one community, the year", runs, lambda: queries.community_overview(one, year, NOW))
        await pages_over_http(street, one, runs)
    finally:
        await db.close_db()


async def pages_over_http(street: StreetOffice, one: Community, runs: int) -> None:
    """The console's pages as a browser gets them: the console mounted as the app mounts it (sessions,
    access checks, templates; without the app's outbox worker and clock-driven rounds, which would escalate
    the bench's overdue tickets while it measures) on a local port, a street office worker's session
    cookie, each page's whole response read."""
    import aiohttp
    from aiohttp import web
    from aiohttp.test_utils import TestServer

    import handlers
    from bot.app import wechat_client
    from bot.config import Settings
    from bot.console.core import ConsoleServices
    from bot.console.server import SERVICES, mount
    from bot.console.sessions import COOKIE, open_session
    from storage.kv import MemoryStore
    from storage.models import Role, RoleName

    worker, made = await Person.get_or_create(openid="bench-street", defaults={"name": "街道"})
    if made:
        await Role.create(person=worker, community=one, role=RoleName.STREET_OFFICE)
    settings, store = Settings(), MemoryStore()
    app = web.Application()
    mount(app, handlers.console_pages())
    async with aiohttp.ClientSession() as wechat_session:
        client = wechat_client(settings, wechat_session, store)
        app[SERVICES] = ConsoleServices(settings, store, client, lambda: NOW, time.time)
        session = await open_session(store, worker.id, app[SERVICES].policy, time.time())
        async with (
            TestServer(app) as server,
            aiohttp.ClientSession(
                base_url=str(server.make_url("")), cookies={COOKIE: session.token}
            ) as browser,
        ):

            async def page(path: str) -> None:
                async with browser.get(path, allow_redirects=False) as response:
                    await response.read()
                    assert response.status == 200, (path, response.status)

            for label, path in (
                ("page: street office overview, this month", "/console/s/bench/overview"),
                ("page: street office overview, the year", "/console/s/bench/overview?period=year"),
                ("page: street office 月报, this month", "/console/s/bench/report"),
                ("page: one community's overview, the year", "/console/c/bench-0/overview?period=year"),
            ):
                await timed(label, runs, functools.partial(page, path))


async def db_analyse() -> None:
    from tortoise import connections

    await connections.get("default").execute_script("ANALYZE")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--communities", type=int, default=20)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="keep the database (to EXPLAIN its queries)")
    parser.add_argument("--reuse", metavar="NAME", help="time a database --keep left, as it is")
    args = parser.parse_args()
    if not args.database_url or db.is_sqlite(args.database_url):
        parser.error("a PostgreSQL --database-url (or DATABASE_URL) is needed")
    if args.reuse:
        url = args.database_url.rsplit("/", 1)[0] + "/" + args.reuse
        print(f"database: PostgreSQL {url.rsplit('@', 1)[-1]} (reused)")
        asyncio.run(run(url, args.tickets, args.communities, args.runs, reuse=True))
        return
    url, admin = asyncio.run(fresh_database(args.database_url))
    print(f"database: PostgreSQL {url.rsplit('@', 1)[-1]}")
    try:
        asyncio.run(run(url, args.tickets, args.communities, args.runs))
    finally:
        if not args.keep:
            asyncio.run(drop_database(url, admin))


if __name__ == "__main__":
    main()
