"""Activities as whole conversations: staff publish one, residents list it, sign up, read their sign-ups,
cancel; the waiting list moves up; staff check people in at the venue; a reminder the day before."""

from __future__ import annotations

import datetime as dt

from bot.runtime import Conversations
from handlers.activities import workflow
from handlers.activities.models import Activity, Signup, SignupStatus
from handlers.activities.workflow import CreateActivity
from handlers.wishes.models import ServiceRecord
from storage.models import Community, Notification, Person, Role, RoleName
from tests.helpers import Chat, Clock, bound


async def publish(clock: Clock, **changes: object) -> Activity:
    spec = {
        "community": await Community.get(code="xingfuli"),
        "by": await Person.get(openid="demo-committee"),
        "title": "邻里节百家宴",
        "place": "社区广场",
        "starts_at": clock.now + dt.timedelta(days=4, hours=5),  # Saturday 14:00
        "capacity": 2,
        "description": "每家带一道拿手菜，一起吃顿团圆饭。",
    }
    spec.update(changes)
    return await workflow.publish(CreateActivity(**spec), clock.now)  # type: ignore[arg-type]


async def test_what_is_on_gets_the_list_not_the_service_card(conv: Conversations, clock: Clock) -> None:
    a = await publish(clock)
    chat = await bound(conv, "resident-1", "3栋2单元502")
    await chat.run(
        [
            (
                "社区有什么活动",
                ["近期社区活动", f"{a.number} 邻里节百家宴", "11月28日（周六） 14:00-16:00", "还剩 2 个名额"],
            ),
            ("1", ["时间：11月28日（周六） 14:00-16:00", "地点：社区广场", "团圆饭", '回复"报名"确认']),
            ("报名", ["报名成功！邻里节百家宴", "您的签到码："]),
            ("我的报名", [a.number, "已报名，签到码"]),
        ]
    )
    signup = await Signup.get(activity=a)
    assert signup.status == SignupStatus.CONFIRMED and len(signup.code) == 4
    assert signup.code in await chat.say("我的报名")


async def test_sign_up_by_number_full_waiting_list_and_promotion(conv: Conversations, clock: Clock) -> None:
    a = await publish(clock)
    first = await bound(conv, "r-1", "3栋1单元101")
    second = await bound(conv, "r-2", "3栋1单元102")
    third = await bound(conv, "r-3", "3栋1单元201")
    assert "报名成功" in await first.say(f"报名 {a.number}")
    assert "报名成功" in await second.say(f"报名{a.number}")
    assert "已经报名" in await second.say(f"报名 {a.number}")
    await third.run([(f"报名 {a.number}", ["名额已满", "排第 1 位"]), ("我的报名", "候补第 1 位")])
    assert "（您在候补中）" in await third.say("活动")
    await third.say("取消")
    await first.run([("取消报名", ["已取消", "邻里节百家宴"])])  # the only sign-up: no number needed
    promoted = await Signup.get(activity=a, person=await Person.get(openid="r-3"))
    assert promoted.status == SignupStatus.CONFIRMED
    told = await Notification.filter(
        person_id=promoted.person_id, key__startswith=f"activity:{a.id}:promoted"
    )
    assert len(told) == 1 and promoted.code in told[0].text and "有名额了" in told[0].text
    assert "已报名，签到码" in await third.say("我的报名")
    assert "没有报名" in await first.say(f"取消报名 {a.number}")


async def test_who_may_join(conv: Conversations, clock: Clock) -> None:
    only_3 = await publish(
        clock,
        title="3栋楼道议事会",
        audience="buildings",
        buildings=(3,),
        signup_deadline=clock.now + dt.timedelta(days=2),
    )
    volunteers = await publish(
        clock, title="河道清洁志愿活动", audience="volunteers", volunteer_service=True, hours=2
    )
    elsewhere = await bound(conv, "r-5", "5栋1单元101")
    assert "面向3栋的居民" in await elsewhere.say(f"报名 {only_3.number}")
    assert "面向志愿者和党员" in await elsewhere.say(f"报名 {volunteers.number}")
    reply = await elsewhere.say("社区活动")
    assert "近期没有您可以报名的社区活动" in reply
    volunteer = Chat(conv, "demo-volunteer")  # a volunteer without a home in the community
    reply = await volunteer.say("社区活动")
    assert "河道清洁志愿活动" in reply and "3栋楼道议事会" not in reply
    assert "报名成功" in await volunteer.say(f"报名 {volunteers.number}")
    stranger = Chat(conv, "newcomer")
    assert "只面向本社区居民" in await stranger.say(f"报名 {(await publish(clock)).number}")
    clock.now = only_3.signup_deadline
    assert "报名已经截止" in await Chat(conv, "r-6").say(f"报名 {only_3.number}")


async def test_staff_publish_in_the_chat(conv: Conversations, clock: Clock) -> None:
    staff = Chat(conv, "demo-grid")
    await staff.run(
        [
            ("发布活动", "活动名称是什么"),
            ("重阳节包饺子", "什么时候"),
            ("下周六上午9点到11点半", "地点在哪里"),
            ("社区党群服务中心二楼", "限多少人"),
            ("三十人", ["面向哪些人", "1 全体居民", "4 指定楼栋"]),
            ("随便", ["按默认：全体居民", "报名什么时候截止"]),
            ("12月4日晚上6点", "算志愿服务吗"),
            (
                "不算",
                [
                    "活动：重阳节包饺子",
                    "时间：12月5日（周六） 09:00",
                    "名额：30 人",
                    "报名截止：12月4日（周五） 18:00",
                    "不计入志愿服务",
                ],
            ),
            ("发布", ["活动已发布，编号 A2611-", "签到 A2611-"]),
        ]
    )
    a = await Activity.get(title="重阳节包饺子")
    assert a.capacity == 30 and a.ends_at.hour == 11 and a.ends_at.minute == 30 and not a.volunteer_service
    assert "只需要社区两委、网格员或街道工作人员身份" not in await Chat(conv, "r-9").say("发布活动")
    assert "需要社区两委、网格员或街道工作人员身份" in await Chat(conv, "r-9").say("发布活动")


async def test_check_in_at_the_venue_adds_to_the_service_record(conv: Conversations, clock: Clock) -> None:
    a = await publish(
        clock, title="河道清洁志愿活动", audience="volunteers", volunteer_service=True, hours=2.5, capacity=10
    )
    volunteer = Chat(conv, "demo-volunteer")
    await volunteer.say(f"报名 {a.number}")
    code = (await Signup.get(activity=a)).code
    staff = Chat(conv, "demo-committee")
    assert "还没到签到时间" in await staff.say(f"签到 {a.number} {code}")
    clock.now = a.starts_at - dt.timedelta(minutes=30)
    await staff.run(
        [
            (f"签到 {a.number}", "请逐个回复居民的签到码"),
            ("0000" if code != "0000" else "0001", "签到码"),
            (code, ["赵阿姨签到成功", "2.5 小时", "积分 25"]),
            (code, "已经签过到了"),
            ("结束签到", "签到结束"),
            (f"活动名单 {a.number}", ["已报名 1/10 人，已签到 1 人", "赵阿姨（已签到）"]),
        ]
    )
    record = await ServiceRecord.get(activity_ref=a.id)
    assert (
        record.hours == 2.5
        and record.points == 25
        and record.wish_id is None
        and record.reference == a.number
    )
    await volunteer.run([("服务记录", ["1 次志愿活动", "2.5 小时", "积分 25", "河道清洁志愿活动"])])
    assert "需要社区两委、网格员或街道工作人员身份" in await volunteer.say(f"签到 {a.number} {code}")


async def test_reminder_the_day_before_and_staff_cancel(conv: Conversations, clock: Clock) -> None:
    a = await publish(clock, capacity=1)
    first = await bound(conv, "r-1", "3栋1单元101")
    second = await bound(conv, "r-2", "3栋1单元102")
    await first.say(f"报名 {a.number}")
    await second.say(f"报名 {a.number}")
    assert await workflow.sweep(clock.now) == 0
    clock.now = a.starts_at - dt.timedelta(hours=20)
    assert await workflow.sweep(clock.now) == 1  # those with a place, once
    assert await workflow.sweep(clock.now) == 0
    reminder = await Notification.get(key__startswith=f"activity:{a.id}:reminder")
    assert (
        "明天开始" in reminder.text
        and (await Signup.get(activity=a, status="confirmed")).code in reminder.text
    )
    staff = Chat(conv, "demo-grid")
    assert "请写上原因" in await staff.say(f"取消活动 {a.number}")
    assert "已取消活动" in await staff.say(f"取消活动 {a.number} 天气预报有大雨，改期另行通知")
    assert await Notification.filter(key__startswith=f"activity:{a.id}:cancelled").count() == 2
    assert "已经取消" in await Chat(conv, "r-3").say(f"报名 {a.number}")


async def test_a_grid_worker_of_another_community_cannot_check_in(conv: Conversations, clock: Clock) -> None:
    a = await publish(clock)
    other = await Person.create(
        openid="hp-grid", name="周网格", community=await Community.get(code="hepingcun")
    )
    await Role.create(
        person=other, community=await Community.get(code="hepingcun"), role=RoleName.GRID_WORKER
    )
    assert "需要社区两委" in await Chat(conv, "hp-grid").say(f"活动名单 {a.number}")


async def test_a_newcomer_binds_first_then_sees_the_list(conv: Conversations, clock: Clock) -> None:
    a = await publish(clock)
    newcomer = Chat(conv, "newcomer")
    await newcomer.run([("社区有什么活动", ["绑定", "社区"]), ("1", "门牌"), ("3栋1单元101", "核对")])
    assert a.number in await newcomer.say("1")  # bound, then straight to the list
