"""Signing in to the staff console as a person would: open /console, scan its QR code (WeChat posts the SCAN
event to /wechat), let the page's poll pick the session up."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from aiohttp import ClientSession, CookieJar
from aiohttp.test_utils import TestClient

from handlers.repairs import workflow
from handlers.repairs.categories import categories
from handlers.repairs.models import Ticket
from handlers.repairs.workflow import ReportRepair
from handlers.residents import workflow as residents
from handlers.votes import workflow as votes
from handlers.votes.models import Consultation
from handlers.votes.workflow import LaunchConsultation
from handlers.wishes import workflow as wishes
from handlers.wishes.models import Wish
from handlers.wishes.workflow import PostWish
from nlp.slots import Address
from storage.models import Building, Community, Person
from tests.fake_wechat_api import FakeWeChatAPI
from tests.wechat_sim import WeChatSim, event_xml

HTMX = {"HX-Request": "true"}


def last_scene(fake_api: FakeWeChatAPI) -> str:
    """The scene of the QR code the console made last (what WeChat puts in the scan's EventKey)."""
    assert fake_api.qr_scenes, "the console made no QR code"
    return list(fake_api.qr_scenes.values())[-1]


async def scan(sim: WeChatSim, openid: str, scene: str, *, subscribe: bool = False) -> str:
    """The person scans the code with WeChat: the event WeChat posts, and the bot's reply."""
    xml = (
        event_xml(openid, "subscribe", "qrscene_" + scene) if subscribe else event_xml(openid, "SCAN", scene)
    )
    status, raw = await sim.post(xml)
    assert status == 200, raw
    return str(sim.reply(raw).get("Content", ""))


def browser(sim: WeChatSim) -> ClientSession:
    """Another browser (its own cookies) on the same app."""
    return ClientSession(base_url=str(sim.client.make_url("")), cookie_jar=CookieJar(unsafe=True))


async def sign_in(
    client: TestClient[Any, Any] | ClientSession, sim: WeChatSim, fake_api: FakeWeChatAPI, openid: str
) -> str:
    """Sign ``client`` in as ``openid`` by a scan; returns the chat's reply to the scan."""
    page = await client.get("/console")
    assert page.status == 200, await page.text()
    reply = await scan(sim, openid, last_scene(fake_api))
    polled = await client.get("/console/signin/status", headers=HTMX)
    assert polled.headers.get("HX-Redirect"), await polled.text()
    return reply


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF token on the page"
    return found.group(1)


CHINA = dt.timezone(dt.timedelta(hours=8))


async def report(
    category: str, building: int | None, description: str, hours_ago: float, *, code: str = "xingfuli"
) -> Ticket:
    """A ticket reported by a resident ``hours_ago`` (the app's clock is the real one)."""
    community = await Community.get(code=code)
    reporter, _ = await Person.get_or_create(
        openid=f"reporter-{code}", defaults={"name": "王女士", "phone": "13912345678"}
    )
    place = await Building.get(community=community, number=building) if building else None
    return await workflow.report(
        ReportRepair(
            reporter=reporter,
            community_id=community.id,
            category=categories()[category],
            description=description,
            source_key=f"console-test:{category}:{description}",
            building_id=place.id if place else None,
            unit=1 if place else 0,
        ),
        dt.datetime.now(CHINA) - dt.timedelta(hours=hours_ago),
    )


async def some_tickets() -> list[Ticket]:
    """Three tickets of 幸福里 (the oldest overdue) and one of 和平村."""
    return [
        await report("water", 5, "5栋地下室水管漏水", 1),
        await report("lighting", 3, "3栋楼道灯不亮", 48),  # 24 hours promised: overdue
        await report("noise", 3, "楼上装修太吵", 2),
        await report("lighting", None, "村口路灯坏了", 1, code="hepingcun"),
    ]


def origin(sim: WeChatSim) -> dict[str, str]:
    """The Origin header of the console's own pages (an action without it is refused)."""
    return {"Origin": str(sim.client.make_url("")).rstrip("/")}


async def resident(
    openid: str, name: str, address: Address, *, code: str = "xingfuli", phone: str = ""
) -> Person:
    """A resident bound to a home of the community."""
    community = await Community.get(code=code)
    person = await Person.create(openid=openid, name=name, phone=phone or None, community=community)
    await residents.bind_home(person, await residents.resolve_address(community, address))
    return await Person.get(id=person.id)


async def some_wishes() -> dict[str, Wish]:
    """幸福里's wishes in every state the committee works on, and one of 和平村:
    ``review`` (a false sensitive-word hit: 偷偷), ``phone`` (a phone number, masked), ``board``, ``claimed``
    (by 赵阿姨 a day ago, not yet contacted), ``fulfilled`` (2 hours, waiting for the resident),
    ``village``."""
    now = dt.datetime.now(CHINA)
    fang = await resident("wish-resident", "王芳", Address(2, 1, "101"), phone="13900001111")
    committee = await Person.get(openid="demo-committee")
    volunteer = await Person.get(openid="demo-volunteer")

    async def post(key: str, text: str, hours_ago: float, who: Person = fang) -> Wish:
        place = await Community.get(id=who.community_id)
        return await wishes.post(
            PostWish(resident=who, community=place, description=text, source_key=f"console:{key}"),
            now - dt.timedelta(hours=hours_ago),
        )

    made = {
        "review": await post("review", "孩子想偷偷给奶奶准备生日礼物，想找人教折纸花", 30),
        "phone": await post("phone", "周六想找人陪我妈去市一院复查，电话13912345678", 20),
        "board": await post("board", "想要几本适合三年级的课外书", 50),
        "claimed": await post("claimed", "家里灯泡坏了够不着，想请人帮忙换一下", 60),
        "fulfilled": await post("fulfilled", "想请人陪我爸下午去公园散散步", 70),
    }
    for key in ("board", "claimed", "fulfilled"):
        await wishes.approve(made[key].id, committee, now - dt.timedelta(hours=40))
    await wishes.claim(made["claimed"].id, volunteer, now - dt.timedelta(days=1))
    await wishes.claim(made["fulfilled"].id, volunteer, now - dt.timedelta(hours=30))
    await wishes.fulfil(
        made["fulfilled"].id, volunteer, now - dt.timedelta(hours=5), note="陪同散步", hours=2
    )
    village = await resident("village-resident", "周大爷", Address(3, None, "15"), code="hepingcun")
    made["village"] = await post("village", "想请人帮忙修一下院门", 10, village)
    return {k: await Wish.get(id=w.id) for k, w in made.items()}


async def some_consultations() -> dict[str, Consultation]:
    """Three residents of 幸福里; ``open`` (two have voted: 同意, 不同意), ``closed`` (counted: two 同意, one
    不同意); a proposal by 王芳."""
    now = dt.datetime.now(CHINA)
    people = [
        await resident("v-fang", "王芳", Address(2, 1, "101")),
        await resident("v-gang", "李刚", Address(3, 1, "201")),
        await resident("v-min", "陈敏", Address(5, 2, "302")),
    ]
    committee = await Person.get(openid="demo-committee")
    community = await Community.get(code="xingfuli")

    async def launch(title: str, closes: dt.timedelta, at: dt.datetime) -> Consultation:
        return await votes.launch(
            LaunchConsultation(
                community=community,
                by=committee,
                title=title,
                options=("同意", "不同意", "弃权"),
                closes_at=at + closes,
                approve_option=0,
            ),
            at,
        )

    opened = await launch("3栋加装电梯", dt.timedelta(days=5), now)
    for person, choice in zip(people[:2], (0, 1), strict=True):
        await votes.cast(opened.id, person, [choice], now, source_key=f"t:open:{person.id}")
    earlier = now - dt.timedelta(days=3)
    closed = await launch("小区绿化改造", dt.timedelta(days=1), earlier)
    for person, choice in zip(people, (0, 0, 1), strict=True):
        await votes.cast(closed.id, person, [choice], earlier, source_key=f"t:closed:{person.id}")
    await votes.close(closed, now)
    await votes.propose(people[0], "建议在东门增设快递柜", "t:proposal:1", now)
    return {"open": opened, "closed": await Consultation.get(id=closed.id)}
