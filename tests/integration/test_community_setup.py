"""Street offices and communities set up on the configured database: buildings and rooms, the street office's
role following its communities, staff named by phone and taking their roles (invite code or proven number)."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.runtime import Conversations
from handlers.common.rules import Refusal
from handlers.register import community_queries as queries
from handlers.register import community_workflow as workflow
from handlers.register.community_workflow import CommunitySettings, CreateCommunity
from storage.models import (
    Building,
    Community,
    CommunityKind,
    Home,
    InviteCode,
    Person,
    PhoneGrant,
    Role,
    RoleName,
    StreetOffice,
)
from tests.helpers import Chat

T0 = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
STREET = RoleName.STREET_OFFICE


async def street_roles(person: Person) -> set[str]:
    rows = await Role.filter(person=person, role=STREET).prefetch_related("community")
    return {r.community.code for r in rows}


async def test_a_community_with_buildings_units_and_rooms(database: str) -> None:
    street = await workflow.create_street("xinhua", "新华街道", district="盘龙区")
    created = await workflow.create_community(
        CreateCommunity(
            code="xinhua-1",
            name="新华社区",
            street="xinhua",
            settings=CommunitySettings(
                office="党群服务中心一楼", hours="周一至周五 9:00-17:00", verify_wishes=True
            ),
            buildings="1-6:2,7:1,8:0,A座:2",
            rooms=["1-6:6x2", "A座:20x4"],
        )
    )
    assert created.district == "盘龙区" and created.street_office_id == street.id  # from its street office
    assert created.verify_wishes and created.verify_household_votes and created.office == "党群服务中心一楼"
    buildings = {b.label: b for b in await Building.filter(community=created)}
    assert len(buildings) == 9 and buildings["A座"].number >= 1000 and buildings["8栋"].units == 0
    assert await Home.filter(building=buildings["3栋"]).count() == 2 * 12
    assert await Home.filter(building=buildings["A座"], unit=2, room="2004").exists()
    assert await Home.filter(community=created).count() == 6 * 2 * 12 + 2 * 80

    again = await workflow.add_buildings(created, "8:2,9:3", ["1-6:6x2", "9:2x1"])  # rooms kept, not doubled
    assert {b.label: b.units for b in again} == {"8栋": 2, "9栋": 3}
    assert await Home.filter(community=created).count() == 6 * 2 * 12 + 2 * 80 + 3 * 2
    view = await queries.community_view(created)
    assert view.homes == 6 * 2 * 12 + 2 * 80 + 3 * 2 and view.street is not None
    assert [b.label for b in view.buildings][-2:] == ["9栋", "A座"]


async def test_a_village_of_groups_and_house_numbers(seeded: str) -> None:
    village = await workflow.create_community(
        CreateCommunity(
            code="dacun",
            name="大村",
            kind=CommunityKind.RURAL,
            street="xingfu",
            buildings="1-5",
            rooms=["3:40"],
        )
    )
    groups = await Building.filter(community=village).order_by("number")
    assert [(g.label, g.units, g.is_group) for g in groups][2] == ("3组", 0, True)
    assert await Home.filter(community=village, building=groups[2], unit=0, room="15").exists()
    with pytest.raises(Refusal) as err:
        await workflow.add_buildings(village, "", ["9:40"])
    assert err.value.key == "street.no_such_building"


async def test_codes_streets_and_kinds_are_checked(seeded: str) -> None:
    for cmd, key in (
        (CreateCommunity(code="xingfuli", name="重名"), "street.community_exists"),
        (CreateCommunity(code="new", name="新", street="nowhere"), "street.no_street"),
        (CreateCommunity(code="Bad Code", name="新"), "street.bad_code"),
        (CreateCommunity(code="new", name="新", buildings="1-6:x"), "street.bad_buildings"),
    ):
        with pytest.raises(Refusal) as err:
            await workflow.create_community(cmd)
        assert err.value.key == key
    assert not await Community.exists(code="new")  # nothing half-made
    with pytest.raises(Refusal) as err:
        await workflow.create_street("xingfu", "又一个")
    assert err.value.key == "street.street_exists"
    xingfuli = await Community.get(code="xingfuli")
    with pytest.raises(Refusal) as err:
        await workflow.edit_community(xingfuli, CommunitySettings(), kind=CommunityKind.RURAL)
    assert err.value.key == "street.kind_has_buildings"


async def test_the_street_office_role_follows_its_communities(seeded: str) -> None:
    staff = await Person.get(openid="demo-street")
    assert await street_roles(staff) == {"xingfuli", "hepingcun"}  # the demo's 幸福街道
    await workflow.create_community(CreateCommunity(code="third", name="第三社区", street="xingfu"))
    assert await street_roles(staff) == {"xingfuli", "hepingcun", "third"}

    other = await workflow.create_street("other", "另一街道")
    third = await Community.get(code="third")
    await workflow.edit_community(third, CommunitySettings(hours="9:00-17:00"), street="other")
    assert await street_roles(staff) == {"xingfuli", "hepingcun"}  # moved: no longer theirs
    assert (await Community.get(code="third")).street_office_id == other.id

    newcomer = await Person.create(openid="street-2", name="新科员")
    assert await workflow.grant_street(newcomer, await StreetOffice.get(code="xingfu")) == 2
    assert await street_roles(newcomer) == {"xingfuli", "hepingcun"}
    with pytest.raises(Refusal) as err:
        await workflow.grant_street(newcomer, await workflow.create_street("empty", "空街道"))
    assert err.value.key == "street.no_communities"


async def test_a_phone_grant_is_taken_with_its_invite_code(conversations: Conversations) -> None:
    xingfu = await StreetOffice.get(code="xingfu")
    communities = await queries.communities_of(xingfu)
    # now, not T0: the chat below runs on the real clock, and an invite lasts only days
    now = dt.datetime.now(dt.timezone(dt.timedelta(hours=8)))
    granted = await workflow.grant_by_phone("138 1234 5678", "王芳", STREET, communities, now)
    placeholder = granted.person
    assert placeholder.openid is None and placeholder.phone == "13812345678" and granted.new_roles == 2
    assert granted.invite is not None and await street_roles(placeholder) == {"xingfuli", "hepingcun"}
    assert await PhoneGrant.filter(phone="13812345678", claimed_at=None).count() == 2
    # a community created later: the placeholder's role and grant follow
    await workflow.create_community(CreateCommunity(code="third", name="第三社区", street="xingfu"))
    assert await PhoneGrant.filter(phone="13812345678", community__code="third").exists()

    chat = Chat(conversations, "wang-fang-openid")
    await chat.say("你好")
    assert "欢迎加入" in await chat.say(f"加入 {granted.invite.code}")
    person = await Person.get(openid="wang-fang-openid")
    assert await street_roles(person) == {"xingfuli", "hepingcun", "third"}
    assert person.name == "王芳" and person.phone == "13812345678"
    assert not await Person.filter(id=placeholder.id).exists()  # merged into the chat person
    assert await PhoneGrant.filter(phone="13812345678", claimed_by=person).count() == 3
    assert "无效或已过期" in await Chat(conversations, "someone-else").say(f"加入 {granted.invite.code}")


async def test_a_proven_number_takes_its_grants_and_spends_the_code(seeded: str) -> None:
    xingfuli = await Community.get(code="xingfuli")
    granted = await workflow.grant_by_phone("13900001111", "李四", RoleName.COMMITTEE, [xingfuli], T0)
    assert granted.invite is not None
    proven = await Person.create(openid=None, mp_openid="mp-lisi", phone="13900001111")
    claimed = await workflow.claim_phone_grants(proven, "13900001111", T0)
    assert [g.role for g in claimed] == [RoleName.COMMITTEE]
    assert await Role.filter(person=proven, community=xingfuli, role=RoleName.COMMITTEE).exists()
    assert (await InviteCode.get(id=granted.invite.id)).used_by_id == proven.id  # no longer usable
    assert await workflow.claim_phone_grants(proven, "13900001111", T0) == []  # once
    # a number already proven: the role is the person's at once, no code
    proven.phone_verified_at = T0
    await proven.save()
    again = await workflow.grant_by_phone("13900001111", "", RoleName.GRID_WORKER, [xingfuli], T0)
    assert again.invite is None and again.person.id == proven.id
    assert (await PhoneGrant.get(phone="13900001111", role=RoleName.GRID_WORKER)).claimed_by_id == proven.id


async def test_revoking_a_phone_grant(seeded: str) -> None:
    xingfuli = await Community.get(code="xingfuli")
    granted = await workflow.grant_by_phone("13900002222", "", RoleName.GRID_WORKER, [xingfuli], T0)
    assert await workflow.revoke(granted.person, "13900002222", RoleName.GRID_WORKER, [xingfuli])
    assert not await Role.filter(person=granted.person, role=RoleName.GRID_WORKER).exists()
    assert not await PhoneGrant.filter(phone="13900002222").exists()  # proving it later brings nothing back
    assert not await workflow.revoke(granted.person, "13900002222", RoleName.GRID_WORKER, [xingfuli])
    with pytest.raises(Refusal) as err:
        await workflow.grant_by_phone("12345", "", RoleName.GRID_WORKER, [xingfuli], T0)
    assert err.value.key == "street.bad_phone"
