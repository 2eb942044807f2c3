"""Facts the bot states (issue 13): the holiday calendar never answers with last year's dates, and replies a
70-year-old can read (a short card first, no hashes, nothing cut mid-word, one date format, no empty fields,
no library warnings)."""

from __future__ import annotations

import datetime as dt
import re
import warnings
from pathlib import Path

import pytest

from bot.runtime import Conversations
from handlers.common.formats import clip
from handlers.repairs.models import Ticket
from handlers.services import hours
from storage.models import Notification
from tests.dialog.test_wishes import posted
from tests.helpers import CST, Chat, Clock, bound

DECEMBER = dt.datetime(2026, 12, 10, 9, 0, tzinfo=CST)  # a Thursday; the file covers 2026 only


# -- the holiday calendar ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("question", "holiday"), [("元旦放假吗", "元旦"), ("春节上班吗", "春节"), ("国庆放假吗", "国庆节")]
)
async def test_in_december_next_years_holidays_are_not_announced_yet(
    conv: Conversations, clock: Clock, question: str, holiday: str
) -> None:
    chat = await bound(conv)
    clock.now = DECEMBER
    reply = await chat.say(question)
    assert f"2027年{holiday}" in reply and "还没有公布" in reply, reply
    for old in ("1月1日", "2月15日", "10月1日", "恢复办公"):  # 2026's dates are not next year's
        assert old not in reply, reply


async def test_a_day_of_next_year_is_answered_with_a_caveat(conv: Conversations, clock: Clock) -> None:
    chat = await bound(conv)
    clock.now = DECEMBER
    reply = await chat.say("1月1日社区上班吗")
    assert "2027年的放假安排还没有公布" in reply and "1月1日（周五）" in reply, reply


async def test_on_new_years_eve_the_next_opening_comes_with_a_caveat(
    conv: Conversations, clock: Clock
) -> None:
    chat = await bound(conv)
    clock.now = dt.datetime(2026, 12, 31, 18, 0, tzinfo=CST)
    reply = await chat.say("几点上班")
    assert "2027年的放假安排还没有公布" in reply, reply


NEXT_YEAR = {
    "covered_until": "2027-12-31",
    "holidays": [
        {"name": "元旦", "from": "2026-01-01", "to": "2026-01-03"},
        {"name": "春节", "from": "2026-02-15", "to": "2026-02-23"},
        {"name": "国庆节", "from": "2026-10-01", "to": "2026-10-07"},
        {"name": "元旦", "from": "2027-01-01", "to": "2027-01-03"},
        {"name": "春节", "from": "2027-02-05", "to": "2027-02-13"},
        {"name": "国庆节", "from": "2027-10-01", "to": "2027-10-07"},
    ],
    "workdays": [],
}


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("元旦放假吗", "元旦假期：1月1日至1月3日，幸福里社区"),
        ("春节上班吗", "春节假期：2月5日至2月13日"),
        ("国庆放假吗", "国庆节假期：10月1日至10月7日"),
    ],
)
async def test_a_year_in_the_file_is_answered_with_its_dates(
    conv: Conversations, clock: Clock, monkeypatch: pytest.MonkeyPatch, question: str, expected: str
) -> None:
    monkeypatch.setattr(hours, "calendar", lambda: hours.parse(NEXT_YEAR))
    chat = await bound(conv)
    clock.now = DECEMBER
    reply = await chat.say(question)
    assert expected in reply and "还没有公布" not in reply, reply
    if question.startswith("元旦"):
        assert "1月4日（周一）恢复办公" in reply, reply


async def test_a_holiday_under_way_is_answered_with_its_whole_period(
    conv: Conversations, clock: Clock
) -> None:
    chat = await bound(conv)
    clock.now = dt.datetime(2026, 10, 3, 10, 0, tzinfo=CST)
    assert "国庆节假期：10月1日至10月7日" in await chat.say("国庆放假吗")


# -- replies a 70-year-old can read ------------------------------------------------------------------------
async def test_a_card_leads_with_the_answer_and_keeps_the_rest_for_details(conv: Conversations) -> None:
    chat = await bound(conv)
    first = await chat.say("老人助餐在哪")
    lines = first.splitlines()
    assert lines[0] == "【老年助餐（长者食堂）】", first
    assert lines[1].startswith("地点：幸福里长者食堂") and lines[2].startswith("电话：0871-65550011"), first
    assert lines[3] == '回复"详情"看办理条件、时间和步骤。' and len(lines) == 4, first
    full = await chat.say("详情")
    assert "条件：" in full and "办理：1. " in full and "时间：" in full, full
    assert "【居住证办理】\n材料：居民身份证、近期免冠照片、住所证明" in await chat.say("办居住证要带什么")


@pytest.mark.parametrize("said", ["十十栋的灯坏了", "十十号楼门口有垃圾"])
async def test_a_library_warning_never_reaches_a_chat(
    conv: Conversations, capsys: pytest.CaptureFixture[str], said: str
) -> None:
    chat = await bound(conv)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        reply = await chat.say(said)
    assert "不符合格式" not in reply and "注意" not in reply, reply
    assert not [w for w in caught if "不符合格式" in str(w.message)], [str(w.message) for w in caught]
    printed = capsys.readouterr()
    assert "不符合格式" not in printed.out + printed.err


async def test_one_date_format_in_a_reminder_too_early(conv: Conversations, clock: Clock) -> None:
    clock.now = dt.datetime(2026, 12, 1, 9, 0, tzinfo=CST)
    chat = await bound(conv)
    await chat.run([("楼道灯坏了好几天了", "1 是的"), ("1", "拍张照片"), ("跳过", "请核对"), ("1", "已提交")])
    reply = await chat.say("催办")
    assert "还在承诺时间内" in reply and "12月2日（周三）" in reply and "12月02日" not in reply, reply


def test_no_date_is_written_by_hand() -> None:
    """Every day a resident reads goes through handlers/common/formats.py (12月5日（周六）)."""
    root = Path(__file__).resolve().parents[2]
    by_hand = re.compile(r"%m月|%d日|\{month\}月|\.month\}月")
    found = [
        f"{path.relative_to(root)}:{n}"
        for path in [*root.glob("handlers/**/*.py"), root / "content/messages.yaml"]
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if by_hand.search(line) and "formats.py" not in path.name
    ]
    assert not found, found


async def test_no_empty_field_is_written_as_none(conv: Conversations) -> None:
    chat = await bound(conv)
    replies = await chat.run(
        [("楼道灯坏了", "1 是的"), ("1", "照片"), ("跳过", ["核对", "描述：楼道灯坏了"])]
    )
    assert "照片" not in replies[-1] and "：无" not in replies[-1], replies[-1]
    await chat.say("1")
    number = (await Ticket.get()).number
    staff = Chat(conv, "demo-property")
    await staff.run([(f"接单 {number}", "已受理"), (f"完成 {number}", "已处理")])
    told = [n.text for n in await Notification.filter(person__openid="resident-1").order_by("id")]
    resolved = [t for t in told if "已处理" in t]
    assert resolved and all("：无" not in t for t in told), told
    assert f"您的工单 {number} 已处理。" in resolved[0]


async def test_a_volunteer_is_not_told_it_waits_for_them(conv: Conversations, clock: Clock) -> None:
    _, wish = await posted(conv)
    await Chat(conv, "demo-committee").say(f"通过 {wish.number}")
    volunteer = Chat(conv, "demo-volunteer")
    await volunteer.run([(f"认领 {wish.number}", "认领成功"), (f"已联系 {wish.number}", "已记录")])
    await volunteer.run([(f"完成心愿 {wish.number} 3小时 陪阿姨复查", "服务照片"), ("跳过", "已标记完成")])
    mine = await volunteer.say("我的认领")
    assert "等居民确认" in mine and "待您" not in mine, mine
    again = await volunteer.say(f"完成心愿 {wish.number} 1小时 又去了一次")
    assert "待您" not in again, again


def test_text_is_cut_at_a_boundary_with_an_ellipsis() -> None:
    assert clip("短句", 10) == "短句"
    said = "周六想请人陪我妈去医院复查，她腿脚不方便，需要有人扶着上下楼梯"
    assert clip(said, 20) == "周六想请人陪我妈去医院复查…"
    unbroken = "希望有志愿者帮忙修理自行车和电动车"
    cut = clip(unbroken, 12)
    assert cut.endswith("…") and len(cut) <= 12 and unbroken.startswith(cut[:-1]), cut
    assert cut[:-1] in ("希望有志愿者帮忙", "希望有志愿者帮忙修理"), cut  # whole words only


async def test_a_wish_list_line_is_not_cut_mid_word(conv: Conversations) -> None:
    chat = await bound(conv)
    await chat.run(
        [
            ("希望有人周六陪我妈去医院复查，顺便帮她拿药", ["微心愿", "称呼"]),
            ("匿名", "已提交"),
        ]
    )
    reply = await chat.say("我的心愿")
    line = next(x for x in reply.splitlines() if x.startswith("W"))
    assert ("…" in line and "复查…" in line) or "陪我妈…" in line or "医院…" in line, line
