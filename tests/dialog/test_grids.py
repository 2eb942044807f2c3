"""Grids in the chat: a resident's 我的网格员, a grid worker's 我的网格, 走访 and 代报."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from bot.runtime import Conversations
from handlers.register.models import Resident, Visit
from handlers.repairs.models import Ticket, TicketStatus
from storage.models import Notification, Person
from tests import grid_fixtures as fx
from tests.helpers import Chat, bound


@dataclass(frozen=True)
class Grid:
    worker: Person
    deputy: Person
    li: Resident


@pytest.fixture
async def grid(seeded: str) -> Grid:
    """第一网格 (3栋, 4栋): 张晓燕 with deputy 李明, 楼栋长 of 3栋; register residents of 3栋, two with
    care needs, one of them 李秀英 at 3栋2单元502, and one 1栋 resident (no grid there)."""
    worker = await fx.staff("grid-w1", "张晓燕", "13800000001")
    deputy = await fx.staff("grid-d1", "李明", "13800000002")
    await fx.grid("G1", [3, 4], worker, [deputy], name="第一网格", duty_hours="工作日 9:00-17:30")
    await fx.building_head(3, "王建国", "13700000009")
    li = await fx.resident("3栋2单元502", "李秀英", care=["lives_alone", "low_income"])
    await fx.resident("3栋2单元502", "周强")
    await fx.resident("4栋1单元101", "陈芳", care=["disabled"])
    await fx.resident("1栋1单元101", "马六", care=["lives_alone"])
    return Grid(worker, deputy, li)


# -- 我的网格员 -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("asked", ["我的网格员", "网格员是谁", "我们楼的网格员是谁", "网格员电话多少"])
async def test_a_resident_learns_their_grid_worker(conv: Conversations, grid: Grid, asked: str) -> None:
    chat = await bound(conv)
    reply = await chat.say(asked)
    for piece in (
        "3栋",
        "第一网格",
        "网格员：张晓燕 13800000001，工作日 9:00-17:30",
        "副网格员：李明 13800000002",
    ):
        assert piece in reply, reply
    assert "楼栋长：王建国 13700000009" in reply


async def test_no_grid_the_community_office_instead(conv: Conversations, grid: Grid) -> None:
    chat = await bound(conv, address="1栋1单元101")
    reply = await chat.say("我的网格员")
    assert "1栋 暂时还没有安排网格员" in reply and "0871-65550000" in reply
    assert "张晓燕" not in reply


async def test_not_bound_yet_binds_first_then_answers(conv: Conversations, grid: Grid) -> None:
    chat = Chat(conv, "resident-new")
    await chat.run([("我的网格员", ["绑定", "社区"]), ("1", "门牌"), ("3栋1单元301", "核对")])
    assert "张晓燕" in await chat.say("1")


# -- 我的网格 -------------------------------------------------------------------------------------------
async def test_the_grid_worker_sees_their_grid_with_care_needs(conv: Conversations, grid: Grid) -> None:
    resident = await bound(conv)
    await resident.run([("楼上天天半夜拖椅子", "1 是的"), ("1", "照片"), ("跳过", "核对"), ("1", "工单号")])
    worker = Chat(conv, "grid-w1")
    reply = await worker.say("我的网格")
    for piece in (
        "第一网格",
        "楼栋：3栋、4栋",
        "未办结工单 1 件",
        "噪音扰民 3栋2单元",
        "需要多关照的居民 2 位",
        "李秀英 3栋2单元502：独居老人、低保",
        "陈芳 4栋1单元101：残疾",
        "还有 3 位登记居民没有绑定",
    ):
        assert piece in reply, reply
    assert "马六" not in reply  # 1栋 is not their grid


async def test_care_needs_never_reach_a_resident(conv: Conversations, grid: Grid) -> None:
    chat = await bound(conv)
    for asked in ("我的网格", "网格情况", "我的网格员"):
        reply = await chat.say(asked)
        assert "张晓燕" in reply
        for secret in ("李秀英", "独居", "低保", "残疾", "关照"):
            assert secret not in reply, (asked, reply)


async def test_the_committee_sees_every_grid(conv: Conversations, grid: Grid) -> None:
    reply = await Chat(conv, "demo-committee").say("我的网格")
    assert "第一网格：3栋、4栋；网格员 张晓燕；2 户，关照 2 人，未绑定 3 人" in reply


# -- 走访 -----------------------------------------------------------------------------------------------
async def test_a_visit_step_by_step(conv: Conversations, grid: Grid) -> None:
    worker = Chat(conv, "grid-w1")
    await worker.run(
        [
            ("走访", "走访哪一户"),
            ("3栋2单元502 李奶奶", ["已对上登记的居民", "走访情况怎么样"]),
            ("身体还好，缺降压药", "需要跟进什么"),
            ("无", ["已记录走访：3栋2单元502 李奶奶", "情况：身体还好，缺降压药", "跟进：无"]),
        ]
    )
    visit = await Visit.get()
    assert visit.resident_id == grid.li.id
    assert visit.by_id == grid.worker.id and visit.follow_up == ""


async def test_a_visit_all_at_once(conv: Conversations, grid: Grid) -> None:
    reply = await Chat(conv, "grid-d1").say("走访 3栋2单元502 李奶奶 身体还好，缺降压药；跟进：周五送药")
    assert "已记录走访" in reply and "跟进：周五送药" in reply and "已对上登记的居民" in reply
    visit = await Visit.get()
    assert (visit.found, visit.follow_up, visit.resident_id) == (
        "身体还好，缺降压药",
        "周五送药",
        grid.li.id,
    )


async def test_a_visit_off_the_register_is_kept_as_written(conv: Conversations, grid: Grid) -> None:
    worker = Chat(conv, "grid-w1")
    await worker.run(
        [
            ("走访 4栋2单元702 老孙", ["登记里没有找到这一户", "走访情况"]),
            ("家里没人，邻居说去女儿家了", "跟进"),
            ("下周再去", "跟进：下周再去"),
        ]
    )
    visit = await Visit.get()
    assert visit.whom == "4栋2单元702 老孙" and visit.resident_id is None and visit.home_id is None


async def test_a_grid_worker_keeps_to_their_own_grid(conv: Conversations, grid: Grid) -> None:
    """Another grid's homes are its own worker's: no visit, no report, no register match by name there."""
    other = await fx.staff("grid-w2", "王强", "13800000003")
    await fx.grid("G2", [5], other, name="第二网格")
    await fx.resident("5栋1单元101", "赵兰", care=["disabled"])
    worker = Chat(conv, "grid-w1")
    await worker.run(
        [
            ("走访", "走访哪一户"),
            ("5栋1单元101 赵兰", "5栋不在您负责的网格"),
            ("3栋2单元502 李奶奶", "已对上登记的居民"),
        ]
    )
    await worker.say("取消")
    reply = await worker.say("走访 赵兰 身体还好")
    assert "登记里没有找到这一户" in reply and "5栋" not in reply, reply
    assert await Visit.filter(resident_id__not_isnull=True).count() == 0
    assert "5栋不在您负责的网格" in await worker.say("代报 5栋1单元101 赵兰 厨房水管漏水")
    assert await Ticket.all().count() == 0
    reply = await Chat(conv, "demo-committee").say("走访 5栋1单元101 赵兰 身体还好")
    assert "已对上登记的居民" in reply  # the committee acts on every grid


async def test_only_grid_workers_and_the_committee_record_visits(conv: Conversations, grid: Grid) -> None:
    resident = await bound(conv)
    assert "网格员和社区两委的功能" in await resident.say("走访 3栋2单元502 李奶奶 身体还好")
    assert "网格员和社区两委的功能" in await Chat(conv, "demo-property").say("走访")
    assert await Visit.all().count() == 0
    assert "已记录走访" in await Chat(conv, "demo-committee").say("走访 3栋2单元502 李奶奶 身体还好")


async def test_a_visit_to_a_building_that_is_not_there(conv: Conversations, grid: Grid) -> None:
    worker = Chat(conv, "grid-w1")
    await worker.run(
        [("走访", "哪一户"), ("99栋1单元101 张三", "没有 99栋"), ("3栋2单元502 周强", "走访情况")]
    )


# -- 代报 -----------------------------------------------------------------------------------------------
async def test_filing_for_a_resident_end_to_end(conv: Conversations, grid: Grid) -> None:
    worker = Chat(conv, "grid-w1")
    await worker.run(
        [
            (
                "代报 3栋2单元502 李奶奶 厨房水管漏水",
                ["代报：李奶奶（3栋2单元502）", "已对上登记的居民", "类别：水管漏水", "描述：厨房水管漏水"],
            ),
            ("1", ["已替李奶奶提交，工单号 R2611-", "麻烦转告李奶奶"]),
        ]
    )
    ticket = await Ticket.get()
    assert ticket.reporter_id == grid.worker.id
    assert ticket.filed_for == "李奶奶" and ticket.filed_for_resident_id == grid.li.id
    assert "（代报：李奶奶）" in await worker.say("我的报修")
    property_staff = Chat(conv, "demo-property")
    assert "（代报：李奶奶）" in await property_staff.say("工单")
    await property_staff.run([(f"接单 {ticket.id}", "已受理"), (f"完成 {ticket.id} 已换水管", "已处理")])
    told = await Notification.filter(person_id=grid.worker.id, key__startswith=f"ticket:{ticket.id}:resolve")
    assert len(told) == 1 and "已处理：已换水管" in told[0].text and "代李奶奶报的" in told[0].text
    assert await Notification.filter(person__openid="demo-property", key__contains=":new:").count() == 1
    assert "谢谢您的评价" in await worker.say("评价 5 李奶奶说修得很好")  # on her behalf
    assert (await Ticket.get()).status is TicketStatus.CLOSED


async def test_filing_for_a_resident_step_by_step(conv: Conversations, grid: Grid) -> None:
    worker = Chat(conv, "grid-d1")
    await worker.run(
        [
            ("代报", "替哪位居民报"),
            ("4栋1单元101 陈阿姨", "遇到了什么问题"),
            ("家门口总有人堆东西", ["哪一类问题", "楼道堆物和消防隐患"]),
            ("楼道堆物和消防隐患", "请核对"),
            ("2", "没有提交"),
        ]
    )
    assert await Ticket.all().count() == 0
    await worker.run([("代报 4栋1单元101 陈阿姨 楼道堆满杂物", "堆物"), ("1", "工单号")])
    ticket = await Ticket.get()
    assert (
        ticket.handler_role == "grid_worker" and ticket.assignee_id == (await Person.get(openid="grid-w1")).id
    )
    assert ticket.filed_for == "陈阿姨" and ticket.filed_for_resident_id is not None


async def test_residents_cannot_file_for_others(conv: Conversations, grid: Grid) -> None:
    resident = await bound(conv)
    assert "代报是网格员和社区两委的功能" in await resident.say("代报 3栋2单元502 李奶奶 厨房水管漏水")
    assert await Ticket.all().count() == 0
