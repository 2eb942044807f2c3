"""One message (or one client key) delivered several times at once makes one row, and every delivery gets
that row back rather than an error: tickets, wishes, proposals, ballots."""

from __future__ import annotations

import asyncio
import datetime as dt

from handlers.repairs import workflow as repairs
from handlers.repairs.categories import categories
from handlers.repairs.models import Ticket
from handlers.residents import workflow as residents
from handlers.votes import workflow as votes
from handlers.votes.models import Ballot, Proposal
from handlers.wishes import workflow as wishes
from handlers.wishes.models import Wish
from nlp.slots import Address
from storage.models import Community, Person

T0 = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
COPIES = 6


async def resident() -> tuple[Person, Community]:
    community = await Community.get(code="xingfuli")
    person = await Person.create(openid="twice", name="王女士")
    await residents.bind_home(person, await residents.resolve_address(community, Address(3, 2, "502")))
    return await Person.get(id=person.id), community


async def test_racing_deliveries_make_one_row_each(seeded: str) -> None:
    person, community = await resident()
    tickets = await asyncio.gather(
        *(
            repairs.report(
                repairs.ReportRepair(
                    reporter=person,
                    community_id=community.id,
                    category=categories()["lighting"],
                    description="楼道灯坏了",
                    source_key="msg:t",
                ),
                T0,
            )
            for _ in range(COPIES)
        )
    )
    made = await asyncio.gather(
        *(
            wishes.post(
                wishes.PostWish(
                    resident=person, community=community, description="孩子想要几本课外书", source_key="msg:w"
                ),
                T0,
            )
            for _ in range(COPIES)
        )
    )
    proposals = await asyncio.gather(
        *(votes.propose(person, "建议加装充电桩", "msg:p", T0) for _ in range(COPIES))
    )
    consultation = await votes.launch(
        votes.LaunchConsultation(
            community=community,
            by=await Person.get(openid="demo-committee"),
            title="充电桩位置",
            options=("东门", "西门"),
            closes_at=T0 + dt.timedelta(days=5),
        ),
        T0,
    )
    ballots = await asyncio.gather(
        *(votes.cast(consultation.id, person, [0], T0, source_key="msg:b") for _ in range(COPIES))
    )
    for rows, model in ((tickets, Ticket), (made, Wish), (proposals, Proposal), (ballots, Ballot)):
        assert len({row.id for row in rows}) == 1, model
        assert await model.all().count() == 1, model
