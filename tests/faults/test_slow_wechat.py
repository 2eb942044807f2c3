"""WeChat's API answering slowly (but answering): residents are still answered at once in the chat, and every
notification their requests caused reaches WeChat exactly once, none lost, none doubled, none left unknown."""

from __future__ import annotations

import asyncio

from storage.models import Notification, NotificationStatus
from tests.e2e.conftest import MakeSim
from tests.fake_wechat_api import FakeWeChatAPI
from tests.wechat_sim import text_xml

RESIDENTS = 12


async def test_a_slow_wechat_loses_and_doubles_no_notification(
    make_sim: MakeSim, fake_api: FakeWeChatAPI
) -> None:
    sim = await make_sim("safe")
    fake_api.token_delay = 1.0  # every call to WeChat takes a second or more, well inside our time-out
    fake_api.answer_delay = 1.5
    ids = iter(range(700_000, 799_999))
    for staff in ("demo-committee", "demo-grid", "demo-property"):  # inside WeChat's 48-hour window
        assert await sim.say(staff, "你好", next(ids))

    async def report(n: int) -> str:
        user = f"o-slow-{n}"
        replies = []
        # each resident at their own home, reporting the same kind of fault in their own words
        for text in (
            f"我住{n % 6 + 1}栋1单元{101 + n}",
            "1",
            f"{n % 6 + 1}栋楼道灯坏了好几天了",
            "1",
            "跳过",
            "1",
        ):
            status, raw = await sim.post(text_xml(user, text, next(ids)))
            assert status == 200, raw  # never a 5xx, whatever WeChat does
            replies.append(str(sim.reply(raw).get("Content", "")))
        return replies[-1]

    finals = await asyncio.gather(*(report(n) for n in range(RESIDENTS)))
    assert all("工单号 R" in final for final in finals), finals

    async def drained() -> bool:
        open_ = NotificationStatus.PENDING, NotificationStatus.SENDING
        return await Notification.filter(status__in=open_).count() == 0

    for _ in range(600):
        if await drained():
            break
        await asyncio.sleep(0.1)
    notes = await Notification.all()
    assert len(notes) >= RESIDENTS  # each new ticket told someone
    assert {n.status for n in notes} == {NotificationStatus.SENT}, [
        (n.key, n.status, n.last_error) for n in notes
    ]
    sent = fake_api.of("/cgi-bin/message/custom/send") + fake_api.of("/cgi-bin/message/template/send")
    assert len(sent) == len(notes)  # each reached WeChat once: nothing doubled, nothing lost
