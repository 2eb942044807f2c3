"""The figures against a count by hand of the fixed data (tests/integration/fixed_figures.py): every
figure, its breakdowns, the street office's totals, the public variant; every link opens exactly the rows
the figure counts; and the number of statements does not grow with the data.

The period is October and November 2026; "now" is 2 December, 12:00. Every ticket must be answered within
4 hours and resolved within 24 (ticket I: 72). In 幸福里社区, tickets received in the period:
  A Oct 10 lighting 1栋 王师傅: answered +2h, resolved +20h, closed, 5 stars
  B Oct 20 lighting 2栋 王师傅: answered +5h (late), resolved +30h (late), closed, 3 stars
  C Nov 1 00:30 (China time: November) lift 3栋 王师傅: +1h, resolved +10h after one reopen, not rated
  D Nov 5 noise 4栋 (no grid) 陈调解: +3h, in progress, past its 24 hours: overdue
  E Nov 10 lighting, no building, nobody's: never answered: overdue
  F Nov 12 lift 1栋: rejected after 1h (an answer, on time), nobody's
  G Nov 15 lighting 3栋 王师傅: +2h, resolved once then reopened (open again): overdue
  H Nov 20 noise 2栋 陈调解: +1h, resolved +6h, closed, 4 stars
  I Nov 30 lighting 1栋 王师傅: +1h, in progress, due 3 December: not overdue
and outside it X (Sep 30 23:30) and Y (Dec 1 00:00), both still waiting: overdue. Grids: G1 = 1栋 and 2栋,
G2 = 3栋; 4栋 is in none. 和平村 has Z (Nov 3, 周书记): +1h, resolved +5h, 2 stars.
"""

from __future__ import annotations

from typing import Any

import pytest

from handlers.figures import queries
from handlers.figures.period import Period, chosen
from handlers.figures.render import Chosen
from handlers.figures.views import Overview, TicketFigures
from handlers.register import community_workflow as register
from handlers.repairs import queries as tickets
from handlers.repairs.filters import FLAGS, TicketFilter
from storage.models import Community, Person, RoleName, StreetOffice
from storage.roles import roles_of
from tests.integration.fixed_figures import NOW, PERIOD, at, build, ticket
from tests.integration.test_votes_queries import statements

FIGURES = list(TicketFigures.model_fields)[:-1]  # every figure, in order (links aside)


def numbers(f: TicketFigures) -> tuple[Any, ...]:
    return tuple(getattr(f, name) for name in FIGURES)


async def community() -> Overview:
    return await queries.community_overview(await Community.get(code="xingfuli"), PERIOD, NOW)


async def test_a_communitys_ticket_figures_are_the_hand_count(seeded: str) -> None:
    await build()
    total = (await community()).total
    # received A-I: 9 | done A B C H: 4 (4/9) | answered all but E: 8, on time all but B: 7 (7/8)
    # on time of done A C H: 3 (3/4) | rated A B H: 3, stars 5+3+4 = 12 (4.0), 4 or 5 A H: 2 (2/3)
    # reopened C G: 2 of resolved once A B C G H: 5 (2/5) | hours to resolve of done: 6 10 20 30, median 15
    # overdue now of these: D E G: 3; and of all ever received: D E G X Y: 5
    assert numbers(total.tickets) == (
        9,
        4,
        0.4444,
        8,
        7,
        0.875,
        3,
        0.75,
        3,
        4.0,
        2,
        0.6667,
        2,
        5,
        0.4,
        15.0,
        3,
    )
    assert total.overdue_backlog == 5


async def test_tickets_by_month_category_building_grid_and_handler(seeded: str) -> None:
    people = await build()
    t = (await community()).tickets
    # October A B; November C (00:30 China time is still October in UTC) D E F G H I
    assert [(r.key, r.label) for r in t.by_month] == [("2026-10", "2026年10月"), ("2026-11", "2026年11月")]
    assert numbers(t.by_month[0].figures) == (
        2,
        2,
        1.0,
        2,
        1,
        0.5,
        1,
        0.5,
        2,
        4.0,
        1,
        0.5,
        0,
        2,
        0.0,
        25.0,
        0,
    )
    # November: done C H | answered C D F G H I, all on time | rated H | reopened C G of C G H | 6 10 -> 8
    nov = (7, 2, 0.2857, 6, 6, 1.0, 2, 1.0, 1, 4.0, 1, 1.0, 2, 3, 0.6667, 8.0, 3)
    assert numbers(t.by_month[1].figures) == nov
    # lighting A B E G I | lift C F | noise D H: most received first
    assert [(r.key, r.label) for r in t.by_category] == [
        ("lighting", "公共照明"),
        ("lift", "电梯"),
        ("noise", "噪音扰民"),
    ]
    lighting = (5, 2, 0.4, 4, 3, 0.75, 1, 0.5, 2, 4.0, 1, 0.5, 1, 3, 0.3333, 25.0, 2)
    assert numbers(t.by_category[0].figures) == lighting
    assert numbers(t.by_category[1].figures) == (
        2,
        1,
        0.5,
        2,
        2,
        1.0,
        1,
        1.0,
        0,
        None,
        0,
        None,
        1,
        1,
        1.0,
        10.0,
        0,
    )
    assert numbers(t.by_category[2].figures) == (
        2,
        1,
        0.5,
        2,
        2,
        1.0,
        1,
        1.0,
        1,
        4.0,
        1,
        1.0,
        0,
        1,
        0.0,
        6.0,
        1,
    )
    # 1栋 A F I | 2栋 B H | 3栋 C G | 4栋 D | no building E
    assert [(r.key, r.label, r.figures.received) for r in t.by_building] == [
        ("1", "1栋", 3),
        ("2", "2栋", 2),
        ("3", "3栋", 2),
        ("4", "4栋", 1),
        ("none", "未填楼栋", 1),
    ]
    assert (t.by_building[0].figures.done, t.by_building[0].figures.overdue_open) == (1, 0)  # A; I not yet
    # G1 (1栋 2栋): A B F H I, done A B H, on time A H, hours 6 20 30 | G2 (3栋): C G | none: D (4栋) E
    g1_id, g2_id = (g.id for g in people["grids"])
    assert [(r.key, r.label, r.community) for r in t.by_grid] == [
        (str(g1_id), "第一网格", "xingfuli"),
        (str(g2_id), "第二网格", "xingfuli"),
        ("none", "未划入网格", None),
    ]
    g1, g2, no_grid = (r.figures for r in t.by_grid)
    assert (g1.received, g1.done, g1.on_time, g1.median_hours_to_resolve) == (5, 3, 2, 20.0)
    assert (g2.received, g2.done, g2.reopened, g2.overdue_open) == (2, 1, 2, 1)
    assert (no_grid.received, no_grid.done, no_grid.overdue_open, no_grid.median_hours_to_resolve) == (
        2,
        0,
        2,
        None,
    )
    # 王师傅 A B C G I: done A B C (20 30 10), on time A C, overdue G | 陈调解 D H | nobody's E F
    assert [(r.label, r.figures.received) for r in t.by_handler] == [
        ("王师傅", 5),
        ("陈调解", 2),
        ("尚未分派", 2),
    ]
    wang = t.by_handler[0].figures
    assert (wang.done, wang.on_time, wang.median_hours_to_resolve, wang.overdue_open) == (3, 2, 20.0, 1)
    assert t.by_handler[2].key == "none" and t.by_handler[2].figures.responded == 1  # F's rejection


async def test_wishes_volunteers_consultations_and_messages(seeded: str) -> None:
    people = await build()
    overview = await community()
    total = overview.total
    # wishes posted in the period W1-W4; confirmed W1 (3 days) and W2 (2 days); W5 was posted in September
    w = total.wishes
    assert (w.received, w.fulfilled, w.fulfilled_rate, w.average_days_to_fulfil) == (4, 2, 0.5, 2.5)
    # served in the period: 赵阿姨 2h (Oct 8) and 3h (Nov 3), 小李 1.5h (Oct 8); not 赵阿姨's 5h on Sep 30
    v = total.volunteers
    assert (v.volunteers, v.services, v.hours) == (2, 3, 6.5)
    assert [(r.name, r.services, r.hours) for r in overview.volunteers] == [
        ("赵阿姨", 2, 5.0),
        ("小李", 1, 1.5),
    ]
    assert people["zhao"].name == "赵阿姨"
    # closed in the period: 加装电梯 30 of 40, 停车收费 5 of 20 (not the cancelled 改造花园, nor September's)
    c = total.consultations
    assert (c.closed, c.eligible, c.turnout, c.turnout_share) == (2, 60, 35, 0.5833)
    assert [(r.title, r.turnout, r.eligible, r.passed) for r in overview.consultations] == [
        ("加装电梯", 30, 40, True),
        ("停车收费", 5, 20, False),
    ]
    # messages left Nov 2, 3, 5, 6 (answered after 2, 24 and 6 hours, the last not yet); Sep 15's is before
    m = total.messages
    assert (m.received, m.answered, m.answered_share, m.waiting, m.median_hours_to_answer) == (
        4,
        3,
        0.75,
        1,
        6.0,
    )


async def test_the_street_office_in_all_and_per_community(seeded: str) -> None:
    await build()
    street = await StreetOffice.get(code="xingfu")
    overview = await queries.street_overview(street, PERIOD, NOW)
    assert overview.scope.kind == "street" and [c.community for c in overview.communities] == [
        "hepingcun",
        "xingfuli",
    ]
    village, home = overview.communities
    # 和平村: Z alone (answered +1h, resolved +5h, 2 stars)
    assert numbers(village.tickets) == (1, 1, 1.0, 1, 1, 1.0, 1, 1.0, 1, 2.0, 0, 0.0, 0, 1, 0.0, 5.0, 0)
    assert numbers(home.tickets) == (
        9,
        4,
        0.4444,
        8,
        7,
        0.875,
        3,
        0.75,
        3,
        4.0,
        2,
        0.6667,
        2,
        5,
        0.4,
        15.0,
        3,
    )
    # in all: 10 received, done 5, answered 9 (8 on time), on time 4, stars 12+2 of 4, hours 5 6 10 20 30
    street_total = (10, 5, 0.5, 9, 8, 0.8889, 4, 0.8, 4, 3.5, 2, 0.5, 2, 6, 0.3333, 10.0, 3)
    assert numbers(overview.total.tickets) == street_total
    assert (overview.total.overdue_backlog, village.overdue_backlog, home.overdue_backlog) == (5, 0, 5)
    # 赵阿姨 served in both communities: two volunteers in all, not three
    assert (
        village.volunteers.volunteers,
        home.volunteers.volunteers,
        overview.total.volunteers.volunteers,
    ) == (
        1,
        2,
        2,
    )
    assert (overview.total.volunteers.services, overview.total.volunteers.hours) == (4, 7.5)
    assert (village.wishes.received, overview.total.wishes.received) == (0, 4)
    assert village.messages.median_hours_to_answer is None and overview.total.messages.received == 4
    # the village's row links to the village's tickets; the street's total to every community's
    assert village.tickets.links["done"].community == "hepingcun"
    assert overview.total.tickets.links["done"].community is None
    assert [r.community for r in overview.tickets.by_grid] == ["xingfuli", "xingfuli", None]
    # the street office's overview page: the same figures, without the grids and handlers it does not show
    page = await queries.street_overview(street, PERIOD, NOW, by_place=False)
    assert page.tickets.by_grid == [] and page.tickets.by_handler == []
    assert page.total == overview.total and page.communities == overview.communities
    assert (page.tickets.by_month, page.tickets.by_category) == (
        overview.tickets.by_month,
        overview.tickets.by_category,
    )


async def test_a_period_cut_mid_month_and_an_empty_one(seeded: str) -> None:
    await build()
    home = await Community.get(code="xingfuli")
    street = await StreetOffice.get(code="xingfu")
    # 15 October to 15 November: B (Oct 20); C (Nov 1 00:30 China time) D E F G; not A (Oct 10) nor H (Nov 20)
    cut = Period(at(10, 15).date(), at(11, 16).date())
    t = (await queries.community_overview(home, cut, NOW)).tickets
    assert [(r.key, r.figures.received, r.figures.median_hours_to_resolve) for r in t.by_month] == [
        ("2026-10", 1, 30.0),
        ("2026-11", 5, 10.0),
    ]
    assert (t.total.received, t.total.done, t.total.median_hours_to_resolve) == (6, 2, 20.0)  # B 30, C 10
    # a year without tickets: nothing counted, no median, every month shown; the backlog is of now
    empty = Period.year_of(at(1, 1).date().replace(year=2025))
    for overview in (
        await queries.community_overview(home, empty, NOW),
        await queries.street_overview(street, empty, NOW),
    ):
        total = overview.tickets.total
        assert (total.received, total.done, total.done_rate, total.median_hours_to_resolve) == (
            0,
            0,
            None,
            None,
        )
        assert [r.figures.received for r in overview.tickets.by_month] == [0] * 12
        assert overview.tickets.by_category == [] and overview.tickets.by_handler == []
        assert overview.total.overdue_backlog == 5
    assert [c.tickets.received for c in (await queries.street_overview(street, empty, NOW)).communities] == [
        0,
        0,
    ]


async def test_the_public_figures_have_no_names_and_no_links(seeded: str) -> None:
    await build()
    public = await queries.public_overview(await Community.get(code="xingfuli"), PERIOD, NOW)
    staff = await community()
    assert numbers(public.total.tickets) == numbers(staff.total.tickets)
    assert public.tickets.by_handler == [] and public.tickets.by_building == [] and public.volunteers == []
    assert [r.label for r in public.tickets.by_grid] == ["第一网格", "第二网格", "未划入网格"]
    dumped = public.model_dump_json()
    assert '"params"' not in dumped and "王师傅" not in dumped and "赵阿姨" not in dumped


async def test_every_link_opens_exactly_the_rows_its_figure_counts(seeded: str) -> None:
    await build()
    overview = await community()
    home = await Community.get(code="xingfuli")
    committee = await Person.get(openid="demo-committee")
    roles = await roles_of(committee, home.id)
    blocks = [overview.total.tickets] + [
        row.figures
        for rows in (overview.tickets.by_month, overview.tickets.by_category, overview.tickets.by_building)
        for row in rows
    ]
    blocks += [
        row.figures for rows in (overview.tickets.by_grid, overview.tickets.by_handler) for row in rows
    ]
    counted = {"done_rate": "done", "response_rate": "responded_on_time", "on_time_rate": "on_time"}
    counted |= {"average_rating": "rated", "satisfied_share": "satisfied", "reopen_rate": "reopened"}
    counted |= {"median_hours_to_resolve": "done"}
    checked = 0
    for block in blocks:
        assert set(block.links) == set(FIGURES)
        for figure, link in block.links.items():
            assert link.list == "tickets" and link.community == "xingfuli"
            chosen = TicketFilter.from_params(link.params, NOW)
            listed = await tickets.community_page(committee, home.id, roles, chosen, 1, 1, NOW)
            assert listed.total == getattr(block, counted.get(figure, figure)), (figure, link.params)
            checked += 1
    assert checked == 17 * (1 + 2 + 3 + 5 + 3 + 3)
    backlog = overview.total.links["overdue_backlog"]
    listed = await tickets.community_page(
        committee, home.id, roles, TicketFilter.from_params(backlog.params, NOW), 1, 1, NOW
    )
    assert listed.total == 5


async def test_the_statements_do_not_grow_with_the_data(seeded: str) -> None:
    await build()
    home = await Community.get(code="xingfuli")
    street = await StreetOffice.get(code="xingfu")
    with statements() as few:
        await queries.community_overview(home, PERIOD, NOW)
    with statements() as street_few:
        await queries.street_overview(street, PERIOD, NOW)
    # more of everything: a year, new categories, buildings, handlers, communities of the street office
    others = [await Person.get(openid=o) for o in ("demo-committee", "demo-grid")]
    for n, category in enumerate(("water", "parking", "pets", "sanitation")):
        building = await home.buildings.filter(number=5 + n % 3).first()
        closed = tickets.TicketStatus.CLOSED
        await ticket(
            f"more{n}", at(3 + n, 2), category, building, closed, assignee=others[n % 2], rating=1 + n
        )
    for n in range(4):
        await register.create_community(
            register.CreateCommunity(code=f"more-{n}", name=f"社区{n}", street="xingfu")
        )
    year = Period.year_of(PERIOD.start)
    with statements() as many:
        bigger = await queries.community_overview(home, year, NOW)
    with statements() as street_many:
        wider = await queries.street_overview(street, year, NOW)
    assert (len(bigger.tickets.by_month), len(bigger.tickets.by_category), len(wider.communities)) == (
        12,
        7,
        6,
    )
    assert len(few) == len(many) and len(street_few) == len(street_many)
    assert len(many) <= 30, many


@pytest.mark.parametrize(
    ("query", "period"),
    [
        ({}, Period(at(12, 1).date(), at(12, 1).date().replace(year=2027, month=1))),
        ({"year": 2025}, Period(at(1, 1).date().replace(year=2025), at(1, 1).date())),
        ({"start": "2026-11-03", "end": "2026-11-10"}, Period(at(11, 3).date(), at(11, 10).date())),
    ],
)
def test_the_period_asked(query: dict[str, Any], period: Period) -> None:
    assert chosen(query, NOW.date()) == period


def test_a_quarter_and_its_title() -> None:
    assert Period.quarter_of(at(11, 30).date()) == Period(at(10, 1).date(), at(10, 1).date().replace(2027, 1))
    assert Period.quarter_of(at(1, 1).date()) == Period(at(1, 1).date(), at(4, 1).date())
    assert Chosen(Period.quarter_of(at(5, 20).date()), {}).title == "2026年第2季度"
    assert Chosen(Period.month_of(at(5, 20).date()), {}).title == "2026年5月"


def test_a_filter_travels_as_parameters_and_back() -> None:
    every = TicketFilter(
        category="lift",
        building=3,
        overdue=True,
        done=True,
        grid="none",
        assignee=12,
        role=RoleName.MEDIATOR,
        since=at(11, 1, 0, 0),
        until=at(12, 1, 0, 0),
        **{flag: True for flag in FLAGS},
    )
    params = every.params()
    assert params["status"] == "done" and (params["from"], params["to"]) == ("2026-11-01", "2026-11-30")
    assert params["grid"] == "none" and params["handler"] == "12" and params["on_time"] == "1"
    assert TicketFilter.from_params(params, NOW) == every
    assert TicketFilter.from_params({"status": "open", "overdue": "true"}, NOW) == TicketFilter(
        still_open=True, overdue=True
    )
    with pytest.raises(ValueError, match="to"):
        TicketFilter.from_params({"to": "2026-02-30"}, NOW)
