"""Who sees which ticket is decided once (handlers/repairs/queries.py): the chat's "工单", the API's list and
the API's single ticket agree, for every staff role."""

from __future__ import annotations

import datetime as dt

from handlers.common.rules import Refusal
from handlers.repairs import queries, workflow
from handlers.repairs.categories import categories
from handlers.repairs.queries import TicketFilter
from handlers.repairs.workflow import ReportRepair
from storage.models import Community, Person
from storage.roles import roles_of

T0 = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


async def test_the_chat_pool_the_list_and_the_ticket_agree(seeded: str) -> None:
    community = await Community.get(code="xingfuli")
    reporter = await Person.create(openid="resident-v", name="王女士", phone="13912345678")
    filed = {}
    for i, key in enumerate(("lighting", "noise", "dispute")):
        filed[key] = await workflow.report(
            ReportRepair(
                reporter=reporter,
                community_id=community.id,
                category=categories()[key],
                description="说明",
                source_key=f"v:{i}",
                place="3栋",
            ),
            T0,
        )
    expected = {
        "demo-property": {"lighting"},
        "demo-grid": {"noise"},
        "demo-mediator": {"dispute"},
        "demo-committee": {"lighting", "noise", "dispute"},
    }
    for openid, keys in expected.items():
        person = await Person.get(openid=openid)
        ids = {filed[k].id for k in keys}
        pool = await queries.staff_pool(person, T0)
        assert pool is not None and {t.id for t in pool} == ids, openid
        roles = await roles_of(person, community.id)
        page = await queries.community_page(person, community.id, roles, TicketFilter(), 1, 20, T0)
        assert {t.id for t in page.rows} == ids, openid
        for ticket in filed.values():
            try:
                seen = await queries.seen_by(person, ticket.id)
            except Refusal:
                assert ticket.id not in ids, (openid, ticket.category)
            else:
                assert ticket.id in ids and seen.as_staff, (openid, ticket.category)
    assert await queries.staff_pool(reporter, T0) is None  # not staff: "工作人员的功能"
