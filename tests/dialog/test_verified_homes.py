"""Verified homes as whole conversations, in a community whose register is in force: verified by phone or
by name, a room not on the register, waiting for staff who confirm in the chat, a move, a second home and
switching, and what a verified home opens (household votes, owners-only votes, wishes)."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.runtime import Conversations
from handlers.common.rules import Refusal
from handlers.register.models import Binding, BindingMethod, BindingStatus, Resident
from handlers.votes import workflow as votes
from handlers.votes.models import Ballot, Consultation, Per, Who
from handlers.votes.workflow import LaunchConsultation
from storage.models import Community, Notification, Person, Role, RoleName
from tests.helpers import Chat, Clock
from tests.verify_register import leave_register, put_in_force

WHO = "为了核对住户信息，请告诉我您的姓名或手机号"


async def bind(conv: Conversations, user: str, address: str, who: str, expected: str) -> Chat:
    chat = Chat(conv, user)
    await chat.run([("绑定", "社区"), ("1", "门牌"), (address, "请核对"), ("1", WHO), (who, expected)])
    return chat


async def person(user: str) -> Person:
    return await Person.get(openid=user)


async def bindings(user: str) -> list[Binding]:
    return list(await Binding.filter(person=await person(user)).order_by("id"))


async def told(user: str) -> list[str]:
    return [n.text for n in await Notification.filter(person=await person(user)).order_by("id")]


async def launch(clock: Clock, **changes: object) -> Consultation:
    spec: dict[str, object] = {
        "community": await Community.get(code="xingfuli"),
        "by": await Person.get(openid="demo-committee"),
        "title": "3栋加装电梯方案",
        "options": ("同意", "不同意", "弃权"),
        "closes_at": clock.now + dt.timedelta(days=10),
        "buildings": (3,),
        "per": Per.HOUSEHOLD,
    }
    spec.update(changes)
    return await votes.launch(LaunchConsultation(**spec), clock.now)  # type: ignore[arg-type]


# -- binding ---------------------------------------------------------------------------------------------
async def test_verified_at_once_by_phone(conv: Conversations, clock: Clock) -> None:
    await put_in_force(clock.now)
    await bind(conv, "r-wang", "3栋2单元502", "13912345678", "核对通过，绑定成功：幸福里社区 3栋2单元502")
    [binding] = await bindings("r-wang")
    assert (binding.status, binding.method) == (BindingStatus.VERIFIED, BindingMethod.PHONE)
    me = await person("r-wang")
    assert me.phone == "13912345678" and me.name == "王芳" and me.home_id is not None
    assert (await Resident.get(name="王芳")).person_id == me.id
    assert await Notification.filter(text__contains="待核实").count() == 0  # nobody bothered


async def test_verified_at_once_by_name(conv: Conversations, clock: Clock) -> None:
    await put_in_force(clock.now)
    await bind(conv, "r-li", "3栋2单元502", "我叫李强", "核对通过")
    [binding] = await bindings("r-li")
    assert binding.method == BindingMethod.NAME and binding.said_name == "李强"
    assert (await person("r-li")).phone is None  # a name says nothing of the phone


async def test_a_room_not_on_the_register_is_refused_kindly(conv: Conversations, clock: Clock) -> None:
    await put_in_force(clock.now)
    chat = Chat(conv, "r-new")
    await chat.run(
        [
            ("绑定", "社区"),
            ("1", "门牌"),
            ("3栋2单元503", ["登记的住户信息里没有找到3栋2单元503", "人工"]),
            ("3栋2单元502", "请核对：幸福里社区 3栋2单元502"),
            ("1", WHO),
            ("好的", "请告诉我您的姓名"),
            ("3栋的", "请告诉我您的姓名"),
        ]
    )
    assert await Binding.all().count() == 0


async def test_pending_then_confirmed_by_the_grid_worker_in_the_chat(
    conv: Conversations, clock: Clock
) -> None:
    await put_in_force(clock.now)
    await bind(conv, "r-zhao", "3栋2单元502", "赵敏", ["已提交（编号 B1）", "需要社区工作人员确认"])
    [binding] = await bindings("r-zhao")
    assert binding.status == BindingStatus.PENDING and binding.said_name == "赵敏"
    assert (await person("r-zhao")).home_id == binding.home_id  # may report repairs meanwhile
    assert any("B1" in t and "赵敏" in t for t in await told("demo-grid"))  # the grid of 3栋
    assert any("B1" in t for t in await told("demo-committee"))
    assert await told("demo-property") == []
    property_staff = Chat(conv, "demo-property")
    await property_staff.run([("确认绑定 B1", "不在您负责的范围")])
    grid = Chat(conv, "demo-grid")
    await grid.run(
        [
            ("核实", ["B1 幸福里社区 3栋2单元502，自称赵敏", "登记住户：王芳、李强", "确认绑定 编号"]),
            ("确认绑定 B1", ["已确认 B1", "已通知居民"]),
            ("确认绑定 B1", "B1 已经处理过了"),
            ("核实", "目前没有待核实的住址绑定"),
        ]
    )
    binding = await Binding.get(id=binding.id)
    assert (binding.status, binding.method) == (BindingStatus.VERIFIED, BindingMethod.CONFIRMED)
    assert binding.decided_by_id == (await person("demo-grid")).id and binding.resident_id is None
    assert any("已经社区确认" in t for t in await told("r-zhao"))


async def test_confirmed_with_the_register_member_named(conv: Conversations, clock: Clock) -> None:
    await put_in_force(clock.now)
    await bind(conv, "r-li2", "3栋2单元502", "跳过", "编号 B1")
    committee = Chat(conv, "demo-committee")
    await committee.run(
        [
            ("确认绑定 B1 张三", "这户登记的住户里没有这个人"),
            ("确认绑定 B1 李强", ["已确认 B1", "对应登记住户李强"]),
        ]
    )
    assert (await Resident.get(name="李强")).person_id == (await person("r-li2")).id


async def test_a_resident_asks_for_the_staff_list(conv: Conversations, clock: Clock) -> None:
    await put_in_force(clock.now)
    await Chat(conv, "r-curious").run([("核实", "社区工作人员核实住址用的功能")])


# -- a move, a second home -------------------------------------------------------------------------------
async def test_a_move_ends_the_old_binding(conv: Conversations, clock: Clock) -> None:
    await put_in_force(clock.now)
    chat = await bind(conv, "r-move", "3栋2单元502", "13912345678", "核对通过")
    clock.now += dt.timedelta(days=30)
    await chat.run(
        [
            ("我搬家了", "需要更换吗"),
            ("1", "门牌"),
            ("3栋2单元501", "请核对"),
            ("1", WHO),
            ("陈静", "核对通过，绑定成功：幸福里社区 3栋2单元501"),
            ("我的信息", "3栋2单元501"),
        ]
    )
    old, new = await bindings("r-move")
    assert (old.status, old.ended_at) == (BindingStatus.ENDED, clock.now)
    assert new.status == BindingStatus.VERIFIED and new.home_id == (await person("r-move")).home_id
    assert (await Resident.get(name="王芳")).person_id is None  # no longer stands for her


async def test_a_second_home_and_switching(conv: Conversations, clock: Clock) -> None:
    register = await put_in_force(clock.now)
    chat = await bind(conv, "r-two", "3栋2单元502", "王芳", "核对通过")
    await chat.run(
        [
            ("添加住址 4栋1单元101", "请核对：幸福里社区 4栋1单元101"),
            ("1", WHO),
            ("孙悟空", ["已添加住址（编号 B2）：幸福里社区 4栋1单元101", "切换住址"]),
            (
                "切换住址",
                ["1 幸福里社区 3栋2单元502", "2 幸福里社区 4栋1单元101（待确认）（正在使用）", "回复序号"],
            ),
            ("3栋", "已切换到：幸福里社区 3栋2单元502"),
            ("我的信息", "您的住址：幸福里社区 3栋2单元502"),
            ("切换地址", "3栋2单元502（正在使用）"),
            ("2", "已切换到：幸福里社区 4栋1单元101"),
        ]
    )
    first, second = await bindings("r-two")
    assert (first.status, second.status) == (BindingStatus.VERIFIED, BindingStatus.PENDING)
    assert (await person("r-two")).home_id == register.home_101.id


async def test_switching_with_one_home(conv: Conversations, clock: Clock) -> None:
    await put_in_force(clock.now)
    chat = await bind(conv, "r-one", "3栋2单元502", "王芳", "核对通过")
    await chat.run([("切换住址", ["只绑定了一处住址：幸福里社区 3栋2单元502", "添加住址"])])


# -- what needs a verified home ------------------------------------------------------------------------
async def test_a_household_vote_waits_for_the_confirmation(conv: Conversations, clock: Clock) -> None:
    await put_in_force(clock.now)
    c = await launch(clock)
    chat = await bind(conv, "r-wait", "3栋2单元501", "跳过", "编号 B1")
    await chat.run(
        [
            ("投票", ["1 3栋加装电梯方案", "一户一票"]),
            ("1", ["还在等社区工作人员确认", "参加一户一票的议事"]),
        ]
    )
    assert await Ballot.filter(consultation=c).count() == 0
    await Chat(conv, "demo-committee").run([("确认绑定 B1", "已确认 B1")])
    await chat.run([("投票", "1 3栋加装电梯方案"), ("1", "1 同意"), ("1", "已记录您家的投票：同意")])
    assert await Ballot.filter(consultation=c).count() == 1


async def test_one_vote_for_a_registered_household(conv: Conversations, clock: Clock) -> None:
    await put_in_force(clock.now)
    c = await launch(clock, quorum=0.5)
    wang = await bind(conv, "r-wang", "3栋2单元502", "13912345678", "核对通过")
    li = await bind(conv, "r-li", "3栋2单元502", "李强", "核对通过")
    await wang.run([("投票", "回复序号"), ("1", "同意"), ("1", "您家")])
    await li.run([("投票", "回复序号"), ("1", "同意"), ("2", "已经有家人投过票")])
    # two households sharing one home (合租) vote once each
    liu = await bind(conv, "r-liu", "3栋2单元601", "刘一", "核对通过")
    sun = await bind(conv, "r-sun", "3栋2单元601", "孙二", "核对通过")
    await liu.run([("投票", "回复序号"), ("1", "同意"), ("1", "您家")])
    await sun.run([("投票", "回复序号"), ("1", "同意"), ("2", "您家")])
    assert await Ballot.filter(consultation=c).count() == 3
    # the electorate is the registered households of 3栋 (502, 501, 601 twice), bound or not
    assert await votes.electorate(c) == 4
    clock.now = c.closes_at
    await votes.sweep(clock.now)
    result = (await Consultation.get(id=c.id)).result
    assert (result["turnout"], result["eligible"]) == (3, 4)


async def test_leaving_the_register_loses_the_household_vote(conv: Conversations, clock: Clock) -> None:
    await put_in_force(clock.now)
    await launch(clock)
    wang = await bind(conv, "r-wang", "3栋2单元502", "13912345678", "核对通过")
    await leave_register("王芳", clock.now)  # the next import no longer lists her
    await wang.run([("投票", "1 3栋加装电梯方案"), ("1", ["需要先核对您的住址", "绑定"])])
    assert await Ballot.all().count() == 0


async def test_a_member_off_the_register_votes_no_more_even_before_the_binding_ends(
    conv: Conversations, clock: Clock
) -> None:
    await put_in_force(clock.now)
    await launch(clock)
    wang = await bind(conv, "r-wang", "3栋2单元502", "13912345678", "核对通过")
    await Resident.filter(name="王芳").update(active=False)  # read now, not a flag kept at binding
    await wang.run([("投票", "1 3栋加装电梯方案"), ("1", "需要先核对您的住址")])


async def test_owners_only_follows_the_register(conv: Conversations, clock: Clock) -> None:
    await put_in_force(clock.now)
    c = await launch(clock, title="小区停车位收费标准", who=Who.OWNERS, per=Per.PERSON, buildings=())
    wang = await bind(conv, "r-wang", "3栋2单元502", "13912345678", "核对通过")  # 业主
    li = await bind(conv, "r-li", "3栋2单元502", "李强", "核对通过")  # lives there, not the owner
    await wang.run([("投票", "小区停车位收费标准"), ("1", "1 同意"), ("1", "已记录")])
    # an OWNER role recorded by hand does not make an owner where the register says otherwise
    await Role.create(person=await person("r-li"), community_id=c.community_id, role=RoleName.OWNER)
    await li.run([("投票", "目前没有您可以参与的议事")])
    with pytest.raises(Refusal) as refused:
        await votes.cast(c.id, await person("r-li"), [0], clock.now, source_key="t:li")
    assert refused.value.key == "votes.owners_only"


async def test_a_wish_needs_a_verified_home_where_the_community_asks_it(
    conv: Conversations, clock: Clock
) -> None:
    await put_in_force(clock.now, wishes=True)
    chat = await bind(conv, "r-wish", "3栋2单元502", "跳过", "编号 B1")
    await chat.run([("我想发个微心愿，找人陪我妈去医院复查", ["还在等社区工作人员确认", "发布微心愿"])])


# -- no register: as before, recorded --------------------------------------------------------------------
async def test_without_a_register_binding_is_recorded_unchecked(conv: Conversations, clock: Clock) -> None:
    chat = Chat(conv, "r-demo")
    await chat.run([("绑定", "社区"), ("1", "门牌"), ("3栋2单元502", "核对"), ("1", "绑定成功")])
    [binding] = await bindings("r-demo")
    assert (binding.status, binding.method) == (BindingStatus.VERIFIED, BindingMethod.UNCHECKED)


async def test_a_vote_recorded_by_the_grid_worker_finds_the_register_member(
    conv: Conversations, clock: Clock
) -> None:
    from handlers.votes.workflow import ProxyVote
    from nlp.slots import Address

    await put_in_force(clock.now)
    c = await launch(clock)
    grid = await Person.get(openid="demo-grid")
    await votes.cast_for(ProxyVote(grid, c.id, Address(3, 2, "502"), "王芳", (0,), "proxy:1"), clock.now)
    [binding] = await Binding.filter(resident__name="王芳")
    assert (binding.status, binding.method) == (BindingStatus.VERIFIED, BindingMethod.NAME)
    li = await bind(conv, "r-li", "3栋2单元502", "李强", "核对通过")
    await li.run([("投票", "回复序号"), ("1", "同意"), ("1", "已经有家人投过票")])


async def test_a_home_bound_before_the_register_is_checked_when_it_comes(
    conv: Conversations, clock: Clock
) -> None:
    chat = Chat(conv, "r-early")
    await chat.run([("绑定", "社区"), ("1", "门牌"), ("3栋2单元502", "核对"), ("1", "绑定成功")])
    await put_in_force(clock.now)  # the committee's first import
    await launch(clock)
    await chat.run(
        [
            ("投票", "1 3栋加装电梯方案"),
            ("1", ["需要先核对您的住址", '回复"绑定"']),
            ("我的信息", "3栋2单元502"),
            ("绑定", WHO),
            ("李强", "核对通过，绑定成功：幸福里社区 3栋2单元502"),
            ("投票", "1 3栋加装电梯方案"),
            ("1", "1 同意"),
        ]
    )
    [binding] = await bindings("r-early")  # the binding recorded as said is the one checked now
    assert (binding.status, binding.method) == (BindingStatus.VERIFIED, BindingMethod.NAME)


async def test_a_register_member_is_bound_to_one_person(conv: Conversations, clock: Clock) -> None:
    await put_in_force(clock.now)
    await bind(conv, "r-li", "3栋2单元502", "李强", "核对通过")
    await bind(conv, "r-other", "3栋2单元502", "跳过", "编号 B2")
    committee = Chat(conv, "demo-committee")
    assert "另一个微信账号绑定了" in await committee.say("确认绑定 B2 李强")
    assert (await Resident.get(name="李强")).person_id == (await person("r-li")).id


async def test_a_proxy_vote_for_a_member_who_voted_herself_is_refused_whatever_her_chat_name(
    conv: Conversations, clock: Clock
) -> None:
    from handlers.votes.workflow import ProxyVote
    from nlp.slots import Address

    await put_in_force(clock.now)
    c = await launch(clock, per=Per.PERSON)
    await bind(conv, "r-wang", "3栋2单元502", "13912345678", "核对通过")
    wang = await person("r-wang")
    wang.name = "芳芳"  # the name she goes by in the chat is not the register's
    await wang.save(update_fields=["name"])
    await votes.cast(c.id, wang, [1], clock.now, source_key="t:wang")
    grid = await Person.get(openid="demo-grid")
    with pytest.raises(Refusal) as refused:
        await votes.cast_for(ProxyVote(grid, c.id, Address(3, 2, "502"), "王芳", (0,), "proxy:1"), clock.now)
    assert refused.value.key == "votes.voted_themselves"
    assert await Ballot.filter(consultation=c).count() == 1
    assert await Person.filter(name="王芳").count() == 0  # nobody invented in her place


async def test_a_proxy_vote_for_a_member_now_voting_from_another_home_is_refused(
    conv: Conversations, clock: Clock
) -> None:
    from handlers.votes.workflow import ProxyVote
    from nlp.slots import Address

    await put_in_force(clock.now)
    c = await launch(clock, per=Per.PERSON)
    await bind(conv, "r-wang", "3栋2单元502", "13912345678", "核对通过")
    other = await Person.get(openid="demo-grid")  # any other home will do: hers is now elsewhere
    await Person.filter(openid="r-wang").update(home_id=other.home_id)
    grid = await Person.get(openid="demo-grid")
    with pytest.raises(Refusal) as refused:
        await votes.cast_for(ProxyVote(grid, c.id, Address(3, 2, "502"), "王芳", (0,), "proxy:2"), clock.now)
    assert refused.value.key == "votes.proxy_member_elsewhere"
    assert await Ballot.filter(consultation=c).count() == 0
