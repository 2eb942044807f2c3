"""Every list of wishes (and of service records) is a constant number of SQL statements, whatever the page
size or the number of rows: the rows' claims, claimers, residents, photos and wish numbers are read in
batch, never one query per row."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from bot.app import china_now
from handlers.wishes.models import ClaimStatus, ServiceRecord, Wish, WishClaim, WishPhoto, WishStatus
from storage.models import Community, Person
from tests.e2e.conftest import MakeSim
from tests.e2e.test_api import bearer
from tests.e2e.test_tickets_api import resident, staff_token

API = "/api/v1"
_SQL = ("SELECT", "INSERT", "UPDATE", "DELETE", "WITH")


class _Statements(logging.Handler):
    """Counts the statements tortoise's clients log (SQLite and asyncpg alike) at debug level."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.seen: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        task = asyncio.current_task()
        if task is not None and task.get_name() in ("outbox", "periodic"):
            return
        args = record.args if isinstance(record.args, tuple) else ()
        query = str(args[0]) if args else str(record.msg)  # "%s: %s" % (query, values), or the query
        if query.lstrip().upper().startswith(_SQL):
            self.seen.append(query)


@contextlib.contextmanager
def counted() -> Iterator[_Statements]:
    logger = logging.getLogger("tortoise.db_client")
    handler, level = _Statements(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


@pytest.fixture
async def api(make_sim: MakeSim) -> TestClient[Any, Any]:
    # the outbox and the clock-driven rounds would add their own statements to the count
    return (await make_sim("safe", outbox_poll=3600.0, periodic_every=3600.0)).client


async def statements(api: TestClient[Any, Any], path: str, token: str | None = None) -> int:
    headers = bearer(token) if token else {}
    with counted() as seen:
        response = await api.get(f"{API}{path}", headers=headers)
        assert response.status == 200, await response.text()
        await response.read()
    return len(seen.seen)


async def add_wishes(count: int, first: int, resident_id: int, volunteer: Person) -> None:
    """``count`` wishes of one resident in every state a list shows: on the board, claimed by the volunteer
    with a photo kept, and confirmed with a service record."""
    community = await Community.get(code="xingfuli")
    now = china_now()
    for i in range(first, first + count):
        status = (WishStatus.OPEN, WishStatus.CLAIMED, WishStatus.CONFIRMED)[i % 3]
        wish = await Wish.create(
            community=community,
            resident_id=resident_id,
            category="escort",
            description=f"心愿 {i}",
            public_text=f"心愿 {i}",
            status=status,
            source_key=f"lists:{i}",
            created_at=now + dt.timedelta(minutes=i),
            published_at=now,
            story_consent=status is WishStatus.CONFIRMED,
        )
        if status is WishStatus.OPEN:
            continue
        done = status is WishStatus.CONFIRMED
        await WishClaim.create(
            wish=wish,
            claimer=volunteer,
            status=ClaimStatus.DONE if done else ClaimStatus.ACTIVE,
            claimed_at=now,
            contact_by=now + dt.timedelta(days=7),
            served_by=[volunteer.id],
        )
        await WishPhoto.create(wish=wish, data=b"png", content_type="image/png", created_at=now)
        if done:
            await ServiceRecord.create(
                community=community,
                volunteer=volunteer,
                volunteer_name=volunteer.name,
                wish=wish,
                activity=f"助医陪护：心愿 {i}",
                served_on=now.date(),
                hours=2,
                points=25,
                confirmed_as="resident",
                created_at=now,
            )


async def test_every_list_is_a_constant_number_of_statements(api: TestClient[Any, Any]) -> None:
    token = await resident(api)
    me = await Person.get(openid="r1")
    volunteer = await Person.get(openid="demo-volunteer")
    committee = await staff_token(api, "demo-committee")
    helper = await staff_token(api, "demo-volunteer")
    lists = {
        "community wishes": ("/communities/xingfuli/wishes?per_page={n}", committee),
        "my wishes": ("/wishes/mine?per_page={n}", token),
        "my claims": ("/me/claims?per_page={n}", helper),
        "the board": ("/communities/xingfuli/wish-board?per_page={n}", None),
        "community records": ("/communities/xingfuli/service-records?per_page={n}", committee),
        "my records": ("/me/service-records", helper),
        "records export": ("/communities/xingfuli/service-records.csv", committee),
        "summary": ("/communities/xingfuli/wishes/summary", None),
        "ranking": ("/communities/xingfuli/volunteers/ranking", None),
    }
    await add_wishes(6, 0, me.id, volunteer)  # 2 of each state
    few = {name: await statements(api, path.format(n=5), who) for name, (path, who) in lists.items()}
    await add_wishes(54, 6, me.id, volunteer)  # 18 of each state
    many = {name: await statements(api, path.format(n=20), who) for name, (path, who) in lists.items()}
    assert many == few, f"statements with 5 rows: {few}; with 20: {many}"
    assert max(many.values()) <= 12, many
