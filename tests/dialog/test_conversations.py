"""Whole conversations, as a resident would have them."""

from __future__ import annotations

import datetime as dt

from bot.app import build_conversations
from bot.dispatcher import Context, Phase, Router
from bot.messages import EventName, Kind
from bot.runtime import Conversations
from handlers.residents.dialog import require_home
from storage.kv import Store
from storage.models import Community, Person, StaffMessage
from tests.helpers import CST, Chat


async def test_follow_greets_with_menu(conversations: Conversations) -> None:
    reply = await Chat(conversations).event(EventName.SUBSCRIBE)
    assert "欢迎关注" in reply and "7 绑定住址" in reply and "1 报修" in reply and "人工服务" in reply


async def test_follow_from_a_community_qr_code_preselects_it(conversations: Conversations) -> None:
    chat = Chat(conversations)
    assert "幸福里社区" in await chat.event(EventName.SUBSCRIBE, "xingfuli")
    await chat.run([("绑定", "幸福里社区的门牌号")])  # no need to choose among communities


async def test_bind_happy_path(conversations: Conversations) -> None:
    chat = Chat(conversations)
    await chat.run(
        [
            ("我要绑定住址", ["哪个社区", "1 幸福里社区", "2 和平村"]),
            ("1", "门牌号，例如：3栋2单元502"),
            ("三号楼二单元五零二", ["请核对：幸福里社区 3栋2单元502", "1 确认"]),
            ("1", "绑定成功：幸福里社区 3栋2单元502"),
            ("我的信息", ["3栋2单元502", "居民"]),
        ]
    )
    person = await Person.get(openid=chat.user)
    assert person.home_id is not None


async def test_bind_asks_only_for_what_is_missing(conversations: Conversations) -> None:
    await Chat(conversations).run(
        [
            ("绑定", "哪个社区"),
            ("幸福里", "门牌号"),  # a name works as well as a number
            ("3号楼", "3栋有3个单元"),
            ("2单元", "房号"),
            ("502", "请核对：幸福里社区 3栋2单元502"),
            ("2", "门牌号"),  # 重新填写
            ("5-1-301", "5栋1单元301"),
            ("1", "绑定成功"),
        ]
    )


async def test_bind_wrong_answers_are_asked_again_kindly_then_way_out(conversations: Conversations) -> None:
    await Chat(conversations).run(
        [
            ("绑定", "哪个社区"),
            ("7", ["请回复序号", "1 幸福里社区", "2 和平村"]),
            ("1", "门牌号"),
            ("不知道", "3栋2单元502"),
            ("99栋1单元101", "没有99栋"),
            ("嗯", "3栋2单元502"),
            ("啊", ["3栋2单元502", "取消", "人工"]),  # third miss: the ways out are shown
            ("取消", "已取消"),
            ("1", "没太明白"),  # the dialog really ended
        ]
    )


async def test_bind_in_a_village_without_units(conversations: Conversations) -> None:
    await Chat(conversations).run(
        [
            ("绑定", "哪个社区"),
            ("2", "和平村"),
            ("2号楼101", "和平村 2组101号"),  # a village is written by its groups
            ("1", "绑定成功"),
        ]
    )


async def test_already_bound_can_change_or_keep(conversations: Conversations) -> None:
    chat = Chat(conversations)
    await chat.run([("绑定", "社区"), ("1", "门牌"), ("3栋2单元502", "核对"), ("1", "绑定成功")])
    await chat.run([("绑定", ["已绑定", "1 更换住址"]), ("2", "保持不变")])
    await chat.run(
        [("绑定", "已绑定"), ("1", "社区"), ("1", "门牌"), ("4栋1单元101", "核对"), ("1", "4栋1单元101")]
    )


async def test_bind_understands_everyday_yes_and_no(conversations: Conversations) -> None:
    chat = Chat(conversations)
    await chat.run(
        [
            ("绑定", "社区"),
            ("1", "门牌"),
            ("3栋2单元502", "核对"),
            ("不对", "门牌"),  # 2: write it again
            ("3栋2单元503", "3栋2单元503"),
            ("是的", "绑定成功：幸福里社区 3栋2单元503"),
            ("绑定", ["已绑定", "1 更换住址"]),
            ("不用了", "保持不变"),
            ("绑定", "已绑定"),
            ("好的", "社区"),
        ]
    )


async def test_global_words_work_in_any_state(conversations: Conversations) -> None:
    chat = Chat(conversations)
    await chat.run(
        [
            ("绑定", "哪个社区"),
            ("帮助", ["我可以帮您", "绑定住址"]),
            ("4", "哪个社区"),  # a menu number starts that entry (微心愿, which binds first)
            ("人工", "说说您的问题"),
            ("取消！", "已取消"),
            ("取消", "没有进行中的操作"),
        ]
    )


async def test_human_handoff_keeps_the_message(conversations: Conversations) -> None:
    chat = Chat(conversations)
    await chat.run([("我要找工作人员", "说说您的问题"), ("小区门口的路灯一直不亮，谁来管管", "留言号 H")])
    note = await StaffMessage.get(person__openid=chat.user)
    assert "路灯" in note.text and note.status == "open"


async def test_human_accepts_voice_but_asks_text_for_a_photo(conversations: Conversations) -> None:
    chat = Chat(conversations)
    await chat.say("人工")
    assert "请用文字或语音" in await chat.image()
    assert "留言号" in await chat.voice("我想问问低保怎么申请")


async def test_voice_is_understood_like_text(conversations: Conversations) -> None:
    chat = Chat(conversations)
    assert "哪个社区" in await chat.voice("我要绑定住址")
    assert "没听清" in await Chat(conversations, "other").voice("")


async def test_unusable_messages_get_a_kind_answer(conversations: Conversations) -> None:
    chat = Chat(conversations)
    for kind in (Kind.VIDEO, Kind.LINK, Kind.UNKNOWN):
        assert "暂时看不了" in await chat.kind(kind)
    assert "收到照片" in await chat.image()  # kept for a report that may follow
    assert "我可以帮您" in await chat.location(25.0, 102.7, "幸福里")


async def test_confused_resident_sees_the_menu(conversations: Conversations) -> None:
    reply = await Chat(conversations).say("啊？")
    assert "没太明白" in reply and "7 绑定住址" in reply and "1 报修" in reply and "取消" in reply


async def test_greeting_and_thanks(conversations: Conversations) -> None:
    chat = Chat(conversations)
    assert "小助手" in await chat.say("你好")
    assert "不客气" in await chat.say("谢谢")


async def test_menu_click_event_runs_the_intent(conversations: Conversations) -> None:
    chat = Chat(conversations)
    assert "哪个社区" in await chat.event(EventName.CLICK, "MENU_BIND")
    assert "我可以帮您" in await Chat(conversations, "u2").event(EventName.CLICK, "MENU_NOPE")


async def test_silent_events(conversations: Conversations) -> None:
    chat = Chat(conversations)
    await chat.say("你好")
    assert await chat.event(EventName.VIEW, "https://example.org") == ""
    assert await chat.event(EventName.LOCATION) == ""
    assert await chat.event(EventName.UNSUBSCRIBE) == ""
    assert (await Person.get(openid=chat.user)).following is False


async def test_invite_code_from_committee_to_new_grid_worker(conversations: Conversations) -> None:
    boss = Chat(conversations, "demo-committee")
    reply = await boss.say("邀请码 网格员")
    code = reply.split("邀请码 ")[1][:8]
    assert code.isdigit()
    newcomer = Chat(conversations, "new-grid-worker")
    assert "您现在是幸福里社区的网格员" in await newcomer.say(f"加入 {code}")
    assert "无效或已过期" in await Chat(conversations, "someone-else").say(f"加入 {code}")
    assert "网格员" in await newcomer.say("我的信息")


async def test_residents_cannot_make_invites(conversations: Conversations) -> None:
    chat = Chat(conversations)
    await chat.run([("绑定", "社区"), ("1", "门牌"), ("3栋2单元502", "核对"), ("1", "绑定成功")])
    assert "只有社区两委成员" in await chat.say("生成邀请码 网格员")


async def test_dialog_state_survives_between_turns_only_for_its_user(conversations: Conversations) -> None:
    a, b = Chat(conversations, "a"), Chat(conversations, "b")
    await a.say("绑定")
    assert "没太明白" in await b.say("1")
    assert "门牌号" in await a.say("1")
    assert await Community.all().count() == 2


async def test_a_tie_is_offered_as_a_numbered_choice(conversations: Conversations) -> None:
    chat = Chat(conversations)
    reply = await chat.say("绑定帮助")  # as strong for 绑定住址 as for the menu
    assert "您是想" in reply and "1 查看菜单" in reply and "2 绑定住址" in reply
    assert "哪个社区" in await chat.say("2")


async def test_a_choice_out_of_range_is_not_a_guess(conversations: Conversations) -> None:
    chat = Chat(conversations)
    await chat.say("绑定帮助")
    assert "没太明白" in await chat.say("7")


async def test_a_workflow_that_needs_a_home_binds_first_then_resumes(seeded: str, store: Store) -> None:
    needs_home = Router("test.needs_home")

    @needs_home.handle(lambda ctx: ctx.msg.text == "要住址的事", phase=Phase.COMMAND)
    async def start(ctx: Context) -> None:
        home = await require_home(ctx, then="my_info")
        if home is not None:
            ctx.say_text(f"好的：{home.describe()}")

    chat = Chat(build_conversations(store, extra_routers=[needs_home]))
    await chat.run(
        [
            ("要住址的事", ["先绑定您家的住址", "哪个社区"]),
            ("1", "门牌号"),
            ("3栋2单元502", "核对"),
            ("1", ["绑定成功", "好的：幸福里社区 3栋2单元502"]),  # the request itself is taken up again
            ("要住址的事", "好的：幸福里社区 3栋2单元502"),
        ]
    )


async def test_a_command_refused_in_the_middle_of_a_dialog_leaves_that_dialog_as_it_was(
    conversations: Conversations,
) -> None:
    """A half-written wish survives a refused "认领" (the resident is no volunteer): the refusal is said,
    and the next answer still goes to the wish."""
    chat = Chat(conversations)
    await chat.run([("绑定", "社区"), ("1", "门牌"), ("3栋2单元502", "核对"), ("1", "绑定成功")])
    await chat.run([("希望有人周六陪我妈去医院复查", "称呼")])
    refused = await chat.say("认领 W2611-0001")
    assert "称呼" not in refused and "出了点问题" not in refused
    month = dt.datetime.now(CST).strftime("%y%m")  # this conversation runs on the real clock
    await chat.run([("匿名", [f"已提交，心愿号 W{month}-", "匿名"])])
