"""Consultations' reads and the proxy vote on the configured database: every list is a constant number of SQL
statements whatever its length, and a vote recorded for a resident is one transaction (a refused one records
nobody)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Any

import pytest

from bot.api.core import ApiRequest
from handlers.common.rules import Refusal
from handlers.votes import api, queries, tally, workflow
from handlers.votes.models import Per, Proposal
from handlers.votes.workflow import ProxyVote
from nlp.slots import Address
from storage.models import Community, Person
from tests.integration.test_votes_workflow import DAY, T0, launch, resident, vote


class _Statements(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.sql: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if message.lstrip().split(" ", 1)[0].upper() in {"SELECT", "INSERT", "UPDATE", "DELETE", "WITH"}:
            self.sql.append(message)


@contextmanager
def statements() -> Iterator[list[str]]:
    """The SQL statements run inside the block (SQLite and asyncpg clients both log each one)."""
    logger = logging.getLogger("tortoise.db_client")
    handler, level = _Statements(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield handler.sql
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def call(caller: Person | None, path: dict[str, Any], **query: Any) -> ApiRequest:
    services = SimpleNamespace(clock=lambda: T0 + DAY)
    return ApiRequest(request=None, services=services, person=caller, path=path, query=query)  # type: ignore[arg-type]


async def counted(handler: Callable[[ApiRequest], Awaitable[Any]], request: ApiRequest) -> tuple[int, Any]:
    with statements() as sql:
        out = await handler(request)
    return len(sql), out


async def committee() -> Person:
    return await Person.get(openid="demo-committee")


# -- a constant number of statements per list ------------------------------------------------------------
async def test_the_community_list_is_the_same_statements_for_5_and_for_20(seeded: str) -> None:
    made = [await launch(title=f"议题{i}") for i in range(20)]
    voter = await resident("voter")
    await vote(made[0], voter, 0)
    await workflow.sweep(T0 + 10 * DAY)  # closed, with published results to read
    path = {"community": "xingfuli"}
    few, five = await counted(api.community_consultations, call(None, path, page=1, per_page=5))
    many, twenty = await counted(api.community_consultations, call(None, path, page=1, per_page=20))
    assert (len(five.items), len(twenty.items)) == (5, 20)
    assert twenty.items[-1].result is not None  # the results are part of the page, not read per row
    assert 2 <= few == many <= 3


async def test_the_proposals_list_is_the_same_statements_for_5_and_for_20(seeded: str) -> None:
    person = await resident("proposer")
    for i in range(20):
        await workflow.propose(person, f"建议加装充电桩{i}号", f"p:{i}", T0)
    path = {"community": "xingfuli"}
    few, five = await counted(api.proposals, call(await committee(), path, page=1, per_page=5))
    many, twenty = await counted(api.proposals, call(await committee(), path, page=1, per_page=20))
    assert (len(five.items), len(twenty.items), twenty.total) == (5, 20, 20)
    assert 2 <= few == many <= 4


async def test_what_is_open_to_me_is_the_same_statements_for_5_and_for_20(seeded: str) -> None:
    voter = await resident("voter")
    counts = []
    for wanted in (5, 20):
        while len(await queries.open_to(voter, T0 + DAY)) < wanted:
            c = await launch(title="议题")
            await vote(c, voter, 1)
        n, mine = await counted(api.mine, call(voter, {}))
        assert len(mine.items) == wanted and all(item.my_choices == [1] for item in mine.items)
        counts.append(n)
    assert 2 <= counts[0] == counts[1] <= 4


async def test_who_took_part_is_the_same_statements_for_5_and_for_20(seeded: str) -> None:
    c = await launch()
    grid = await Person.get(openid="demo-grid")
    counts = []
    for wanted in (5, 20):
        while (so_far := len(await queries.participants(c.id, await committee()))) < wanted:
            if so_far % 2:
                await vote(c, await resident(f"p{so_far}"), 0)
                continue
            home = Address(4, 1, str(100 + so_far))
            elder = ProxyVote(grid, c.id, home, f"老人{so_far}", (0,), f"x:{so_far}")
            await workflow.cast_for(elder, T0 + DAY)
        n, took_part = await counted(api.participants, call(await committee(), {"consultation_id": c.id}))
        assert took_part.turnout == wanted
        assert {p.recorded_by for p in took_part.items} == {"张网格", None}
        counts.append(n)
    assert 2 <= counts[0] == counts[1] <= 6


# -- the proxy vote is one transaction -------------------------------------------------------------------
async def test_a_refused_proxy_vote_records_nobody(seeded: str) -> None:
    c = await launch(buildings=(3,))
    grid = await Person.get(openid="demo-grid")
    outside = ProxyVote(grid, c.id, Address(4, 1, "101"), "李奶奶", (0,), "proxy:1")
    with pytest.raises(Refusal) as refused:
        await workflow.cast_for(outside, T0 + DAY)  # building 4 is not asked
    assert refused.value.key == "votes.not_in_scope"
    assert not await Person.filter(name="李奶奶").exists()
    neighbour = await resident("neighbour", building=3)
    by_a_resident = ProxyVote(neighbour, c.id, Address(3, 1, "101"), "李奶奶", (0,), "proxy:2")
    with pytest.raises(Refusal) as refused:
        await workflow.cast_for(by_a_resident, T0 + DAY)
    assert refused.value.key == "votes.proxy_not_allowed"
    assert not await Person.filter(name="李奶奶").exists()
    inside = ProxyVote(grid, c.id, Address(3, 1, "101"), "李奶奶", (0,), "proxy:3")
    first = await workflow.cast_for(inside, T0 + DAY)
    again = await workflow.cast_for(inside, T0 + DAY)  # the same delivery: the same ballot
    assert first.id == again.id and await Person.filter(name="李奶奶").count() == 1


async def test_what_is_open_to_a_resident_not_yet_recorded(seeded: str) -> None:
    community = await Community.get(code="xingfuli")
    await launch(title="全社区议题")
    await launch(title="3栋议题", buildings=(3,))
    await launch(title="业主议题", who=queries.Who.OWNERS)
    found = await queries.open_to_resident_at(community.id, Address(4, 1, "101"), "李奶奶", T0 + DAY)
    assert [c.title for c in found] == ["全社区议题"]
    assert not await Person.filter(name="李奶奶").exists()  # reading records nobody


# -- the typed result ------------------------------------------------------------------------------------
async def test_the_published_result_reads_back_as_it_was_counted(seeded: str) -> None:
    c = await launch(per=Per.HOUSEHOLD)
    await vote(c, await resident("a", room="901"), 0)
    await vote(c, await resident("b", room="902"), 1)
    await workflow.comment(c.id, await resident("c", room="903"), "希望先公示费用", T0 + DAY)
    counted_now = await tally.count(c, await workflow.electorate(c))
    await workflow.sweep(T0 + 10 * DAY)
    published = (await queries.consultation(c.id)).result
    assert published is not None
    assert published == counted_now.with_comments(["希望先公示费用"])
    assert tally.TallyResult.from_json(published.to_json()) == published
    assert not await Proposal.all().exists()
