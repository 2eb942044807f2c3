"""Bursts: many residents voting in the same instant, through the API, on the configured store and
database (Redis and PostgreSQL in the second pass of the suite): no 5xx, nothing lost, one vote per
household however many members press at once."""

from __future__ import annotations

import asyncio
import datetime as dt

from bot.api.server import SERVICES
from bot.api.sessions import create_session
from bot.app import china_now
from handlers.votes import workflow
from handlers.votes.models import Ballot, PassRule, Per
from handlers.wishes.models import Wish, WishClaim
from storage.models import Community, Person, Role, RoleName
from tests.e2e.conftest import MakeSim

API = "/api/v1"


async def test_a_burst_of_ballots_loses_none_and_counts_each_household_once(make_sim: MakeSim) -> None:
    sim = await make_sim("safe")
    api = sim.client
    community = await Community.get(code="xingfuli")
    homes = [(3, unit, f"{floor}0{door}") for unit in (1, 2, 3) for floor in range(1, 11) for door in (1, 2)]
    tokens: list[str] = []
    for index, (building, unit, room) in enumerate(homes):
        for member in range(2):  # two members of every household press at once
            person = await Person.create(openid=f"burst-{index}-{member}", name=f"居民{index}-{member}")
            token = await create_session(api.server.app[SERVICES].store, person.id, 3600)
            bound = await api.put(
                f"{API}/me/home",
                headers={"Authorization": f"Bearer {token}"},
                json={"community": "xingfuli", "building": building, "unit": unit, "room": room},
            )
            assert bound.status == 200, await bound.text()
            tokens.append(token)
    c = await workflow.launch(
        workflow.LaunchConsultation(
            community=community,
            by=await Person.get(openid="demo-committee"),
            title="3栋外墙翻新",
            background="外墙脱落，拟用维修基金翻新。",
            options=("同意", "不同意"),
            closes_at=china_now() + dt.timedelta(days=7),
            buildings=(3,),
            per=Per.HOUSEHOLD,
            quorum=0.5,
            rule=PassRule.MAJORITY,
            approve_option=0,
        ),
        china_now(),
    )

    async def vote(i: int, token: str) -> int:
        response = await api.post(
            f"{API}/consultations/{c.id}/ballots",
            headers={"Authorization": f"Bearer {token}"},
            json={"choices": [i % 2], "client_key": f"burst-ballot-{i:04d}"},
        )
        return response.status

    statuses = await asyncio.gather(*(vote(i, t) for i, t in enumerate(tokens)))
    assert set(statuses) <= {201, 409}, sorted(set(statuses))
    assert statuses.count(201) == len(homes)  # one member of each household, the other refused
    assert await Ballot.filter(consultation=c).count() == len(homes)


async def test_a_burst_of_claims_gives_a_wish_to_exactly_one(make_sim: MakeSim) -> None:
    sim = await make_sim("safe")
    api = sim.client
    community = await Community.get(code="xingfuli")
    resident = await Person.create(openid="burst-resident", name="王奶奶")
    wish = await Wish.create(
        community=community, resident=resident, category="companion", description="周六想有人陪我去医院复查",
        public_text="周六想有人陪我去医院复查",
        status="open", source_key="burst-wish", created_at=china_now(), display_name="王奶奶",
    )  # fmt: skip
    volunteers = []
    for i in range(40):
        person = await Person.create(openid=f"burst-vol-{i}", name=f"志愿者{i}", community=community)
        await Role.create(person=person, community=community, role=RoleName.VOLUNTEER)
        volunteers.append(await create_session(api.server.app[SERVICES].store, person.id, 3600))

    async def claim(token: str) -> int:
        response = await api.post(
            f"{API}/wishes/{wish.id}/claim", headers={"Authorization": f"Bearer {token}"}, json={}
        )
        return response.status

    statuses = await asyncio.gather(*(claim(t) for t in volunteers))
    assert set(statuses) <= {200, 409}, sorted(set(statuses))
    assert statuses.count(200) == 1
    assert await WishClaim.filter(wish=wish).count() == 1
