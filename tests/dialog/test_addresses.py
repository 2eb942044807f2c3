"""Binding with every address form residents write (issue 13), in 幸福里社区 and the village 和平村."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.runtime import Conversations
from handlers.repairs.models import Ticket
from handlers.votes import workflow as votes
from handlers.votes.models import Ballot, PassRule, Per
from handlers.votes.workflow import LaunchConsultation
from storage.models import Building, Community, Person
from tests.helpers import Chat, Clock, bound


async def _home_of(user: str) -> str:
    from handlers.residents import queries

    home = await queries.home_of(await Person.get(openid=user))
    assert home is not None
    return home.describe()


@pytest.mark.parametrize(
    ("said", "confirmed"),
    [
        ("5号楼1门301室", "幸福里社区 5栋1单元301"),
        ("3#楼2单元502", "幸福里社区 3栋2单元502"),
        ("3栋2-502", "幸福里社区 3栋2单元502"),
        ("502室，3栋2单元", "幸福里社区 3栋2单元502"),
        ("3栋的2单元，502", "幸福里社区 3栋2单元502"),
        ("7栋101", "幸福里社区 7栋1单元101"),  # 7栋 has one unit: nothing more to ask
    ],
)
async def test_each_form_is_confirmed_at_once(conv: Conversations, said: str, confirmed: str) -> None:
    chat = Chat(conv)
    await chat.run([("绑定", "社区"), ("1", "门牌号"), (said, f"请核对：{confirmed}"), ("对", "绑定成功")])
    assert await _home_of(chat.user) == confirmed


async def test_a_refused_building_is_not_merged_with_the_next_answer(conv: Conversations) -> None:
    chat = Chat(conv)
    await chat.run([("绑定", "社区"), ("1", "门牌号"), ("9栋1单元101", "没有9栋")])
    reply = await chat.say("三栋")  # was: 请核对：3栋1单元101, the refused unit and room carried over
    assert "3栋有3个单元" in reply and "核对" not in reply
    await chat.run([("2单元", "房号"), ("502", "请核对：幸福里社区 3栋2单元502")])


async def test_a_room_first_then_the_building(conv: Conversations) -> None:
    await Chat(conv).run(
        [
            ("绑定", "社区"),
            ("1", "门牌号"),
            ("楼上1802", "几栋"),  # the room is kept
            ("3栋2单元", "请核对：幸福里社区 3栋2单元1802"),
        ]
    )


async def test_lettered_buildings(conv: Conversations) -> None:
    xingfuli = await Community.get(code="xingfuli")
    await Building.create(community=xingfuli, number=101, name="A座", units=0)
    await Building.create(community=xingfuli, number=102, name="B栋", units=2)
    a = Chat(conv, "resident-a")
    await a.run([("绑定", "社区"), ("1", "门牌号"), ("A座1203", "请核对：幸福里社区 A座1203")])
    b = Chat(conv, "resident-b")
    await b.run(
        [
            ("绑定", "社区"),
            ("1", "门牌号"),
            ("B栋", "B栋有2个单元"),
            ("1单元801", "请核对：幸福里社区 B栋1单元801"),
            ("1", "绑定成功"),
            ("我的信息", "B栋1单元801"),
        ]
    )
    await Chat(conv, "resident-c").run([("绑定", "社区"), ("1", "门牌号"), ("C座101", "没有C座")])


async def test_a_village_binds_by_group_and_house_number(conv: Conversations) -> None:
    chat = Chat(conv)
    await chat.run(
        [
            ("绑定", "哪个社区"),
            ("和平村", "例如：3组15号"),
            ("3组15号", "请核对：和平村 3组15号"),  # was: not understood at all
            ("是的", "绑定成功：和平村 3组15号"),
        ]
    )


async def test_a_village_house_number_alone_asks_for_the_group(conv: Conversations) -> None:
    await Chat(conv).run(
        [
            ("绑定", "哪个社区"),
            ("2", "例如：3组15号"),
            ("十五号", "几组"),
            ("三组", "请核对：和平村 3组15号"),
            ("1", "绑定成功"),
        ]
    )
    await Chat(conv, "resident-2").run([("绑定", "社区"), ("2", "门牌号"), ("9组1号", "和平村没有9组")])


async def test_an_address_in_a_sentence_is_a_binding_with_one_confirmation(conv: Conversations) -> None:
    chat = Chat(conv)
    await chat.run([("我住3栋2单元502", "请核对：幸福里社区 3栋2单元502"), ("对的", "绑定成功")])
    assert await _home_of(chat.user) == "幸福里社区 3栋2单元502"


async def test_a_spoken_binding_with_community_and_home(conv: Conversations) -> None:
    chat = Chat(conv)
    reply = await chat.voice("我想绑定一下我家住在幸福里三栋二单元五零二")
    assert "请核对：幸福里社区 3栋2单元502" in reply
    await chat.run([("好的", "绑定成功")])
    village = Chat(conv, "resident-2")
    await village.run([("我家住和平村三组十五号", "请核对：和平村 3组15号"), ("1", "绑定成功")])


async def test_a_sentence_with_part_of_the_home_asks_only_the_rest(conv: Conversations) -> None:
    await Chat(conv).run(
        [
            ("我住幸福里3栋", "3栋有3个单元"),
            ("2单元502", "请核对：幸福里社区 3栋2单元502"),
        ]
    )


async def test_a_bound_resident_moving_confirms_the_new_home(conv: Conversations) -> None:
    chat = await bound(conv)
    await chat.run(
        [
            ("我住4栋1单元101", ["已绑定", "1 更换住址"]),
            ("1", "请核对：幸福里社区 4栋1单元101"),
            ("1", "绑定成功"),
        ]
    )


async def test_a_repair_in_a_lettered_building(conv: Conversations) -> None:
    xingfuli = await Community.get(code="xingfuli")
    await Building.create(community=xingfuli, number=101, name="A座", units=0)
    chat = await bound(conv)
    await chat.run([("A座电梯又停了", "拍张照片"), ("跳过", "位置：A座"), ("1", "工单号")])
    ticket = await Ticket.get(reporter__openid=chat.user)
    assert ticket.place == "A座"


async def test_a_grid_worker_records_a_vote_with_any_address_form(conv: Conversations, clock: Clock) -> None:
    c = await votes.launch(
        LaunchConsultation(
            community=await Community.get(code="xingfuli"),
            by=await Person.get(openid="demo-committee"),
            title="东门加装充电棚",
            background="",
            options=("同意", "不同意"),
            closes_at=clock.now + dt.timedelta(days=10),
            per=Per.PERSON,
            quorum=0.0,
            rule=PassRule.MAJORITY,
            approve_option=0,
        ),
        clock.now,
    )
    grid = Chat(conv, "demo-grid")
    await grid.run(
        [
            ("代投 王大爷 5号楼1门301室", ["为王大爷代为登记", "1 东门加装充电棚"]),
            ("1", "1 同意"),
            ("1", "已为王大爷登记"),
        ]
    )
    ballot = await Ballot.get(consultation=c)
    voter = await Person.get(id=ballot.voter_id)
    assert voter.name == "王大爷" and await _home_of_person(voter) == "幸福里社区 5栋1单元301"


async def _home_of_person(person: Person) -> str:
    from handlers.residents import queries

    home = await queries.home_of(person)
    assert home is not None
    return home.describe()


async def test_a_repair_place_with_only_a_room_is_in_the_residents_building(conv: Conversations) -> None:
    chat = await bound(conv)
    await chat.run(
        [
            ("水管漏水了", "1 是的"),
            ("2", "具体位置"),
            ("楼上1802", "拍张照片"),
            ("跳过", "位置：楼上1802"),
            ("1", "工单号"),
        ]
    )
    ticket = await Ticket.get(reporter__openid=chat.user)
    home = await Building.get(community__code="xingfuli", number=3)
    assert ticket.building_id == home.id and ticket.unit == 2


async def test_a_home_given_when_the_community_is_asked(conv: Conversations) -> None:
    # "3栋2单元502" to "请问您住在哪个社区？": the one community where that home exists (it looped before)
    await Chat(conv).run(
        [
            ("绑定", "哪个社区"),
            ("3栋2单元502", "请核对：幸福里社区 3栋2单元502"),
            ("对的", "绑定成功"),
        ]
    )
    # a home that exists in no community is asked about again
    await Chat(conv, "resident-2").run([("绑定", "哪个社区"), ("99栋1单元101", "没找到这个社区")])
