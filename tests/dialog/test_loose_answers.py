"""Residents who answer loosely, a step ahead or a step behind, in voice input or dialect: 提交 said before
the report was shown files it; a photo declined late is no request to edit; a place corrected or made more
precise at the photo step is taken; a landmark of the estate is the place; the bot's questions about itself
are answered, and a message said with the request is kept. Every example here is written for this file."""

from __future__ import annotations

from bot.runtime import Conversations
from handlers.repairs.models import Ticket
from handlers.votes.models import Ballot
from nlp.tokenize import normalize
from storage.models import StaffMessage
from tests.dialog.test_vote_words import LOCKERS, lockers
from tests.helpers import Clock, bound


async def _ticket(user: str) -> Ticket:
    return await Ticket.filter(reporter__openid=user).prefetch_related("building").get()


async def test_submit_said_at_the_photo_step_files_the_report_and_says_what_was_filed(
    conv: Conversations,
) -> None:
    chat = await bound(conv)
    await chat.run(
        [
            ("楼道灯坏了", "是您家所在的"),
            ("是的", "照片"),
            ("没拍 直接提交吧", ['按"公共照明，3栋2单元"为您提交', "工单号"]),
        ]
    )
    ticket = await _ticket(chat.user)
    assert ticket.category == "lighting" and ticket.unit == 2


async def test_a_yes_with_submit_at_the_place_question_files_at_the_home(conv: Conversations) -> None:
    chat = await bound(conv)
    await chat.run([("单元门口的路灯不亮了", "是您家所在的"), ("好 提交 辛苦了", "工单号")])
    assert (await _ticket(chat.user)).unit == 2
    # "先别提交" is no submit: the photo is asked for as usual
    other = await bound(conv, "r-2", "5栋1单元101")
    await other.run([("楼道灯坏了", "是您家所在的"), ("是的 先别提交", "照片")])
    assert not await Ticket.filter(reporter__openid="r-2").exists()


async def test_no_photo_said_with_the_place_is_not_asked_again(conv: Conversations) -> None:
    chat = await bound(conv)
    reply = await chat.run([("楼道灯坏了", "是您家所在的"), ("是的 在四楼 没拍照片", "请核对")])
    assert "方便拍张照片" not in reply[-1]


async def test_a_photo_on_its_way_is_waited_for(conv: Conversations) -> None:
    chat = await bound(conv)
    await chat.run(
        [
            ("楼道灯坏了", "是您家所在的"),
            ("是的", "照片"),
            ("等一下我下楼去拍", "拍好直接发过来"),
            ("腿脚不方便 不拍了", "请核对"),
            ("确认", "工单号"),
        ]
    )
    assert (await _ticket(chat.user)).description == "楼道灯坏了"  # "我下楼去拍" is no description


async def test_a_photo_declined_at_the_confirmation_is_no_request_to_edit(conv: Conversations) -> None:
    chat = await bound(conv)
    await chat.run(
        [
            ("楼道灯坏了", "是您家所在的"),
            ("是的", "照片"),
            ("灯在三楼拐角", "请核对"),
            ("没拍 跳过", ["不附照片", "1 提交"]),
            ("交上去吧", "工单号"),
        ]
    )
    assert (await _ticket(chat.user)).description == "楼道灯坏了；灯在三楼拐角"


async def test_a_yes_and_submit_when_a_description_is_asked_keeps_the_description(
    conv: Conversations,
) -> None:
    chat = await bound(conv)
    await chat.run(
        [
            ("楼道灯坏了", "是您家所在的"),
            ("是的", "照片"),
            ("跳过", "请核对"),
            ("2", "重新描述"),
            ("对 提交", "工单号"),
        ]
    )
    assert (await _ticket(chat.user)).description == "楼道灯坏了"


async def test_another_unit_said_at_the_photo_step_changes_the_place_and_the_photo_is_still_asked(
    conv: Conversations,
) -> None:
    chat = await bound(conv)
    await chat.run(
        [
            ("4栋1单元楼梯口堆了好多纸箱", "照片"),
            ("哎呀打错了 是2单元 不是1单元", ["位置改为 4栋2单元", "照片"]),
            ("没有照片", "位置：4栋2单元"),
            ("提交", "工单号"),
        ]
    )
    ticket = await _ticket(chat.user)
    assert ticket.building.number == 4 and ticket.unit == 2


async def test_a_unit_said_at_the_photo_step_makes_the_place_precise(conv: Conversations) -> None:
    chat = await bound(conv)
    await chat.run(
        [
            ("5栋门口那盏灯晚上不亮", "照片"),
            ("2单元 就单元门顶上那个", "位置：5栋2单元"),
            ("提交", "工单号"),
        ]
    )
    ticket = await _ticket(chat.user)
    assert ticket.building.number == 5 and ticket.unit == 2


async def test_a_landmark_of_the_estate_is_the_place(conv: Conversations) -> None:
    chat = await bound(conv)
    reply = await chat.say("北门那块绿化带里全是垃圾袋，好久没人清了")
    assert "是您家所在的" not in reply and "照片" in reply
    await chat.run([("跳过", "位置：北门那块绿化带"), ("提交", "工单号")])
    ticket = await Ticket.get(reporter__openid=chat.user)
    assert ticket.category == "sanitation" and ticket.building_id is None
    # 广场舞 is a dance, not the square: the resident's home is asked about
    dancer = await bound(conv, "r-2", "3栋1单元101")
    assert "是您家所在的" in await dancer.say("楼下广场舞的音响太吵了，天天闹到十点")


async def test_what_is_reported_decides_the_category_more_than_where_it_is(conv: Conversations) -> None:
    chat = await bound(conv)
    await chat.run([("单元门口的垃圾桶一个礼拜没人清运了，招苍蝇", "环境卫生")])
    dog = await bound(conv, "r-2", "3栋1单元101")
    await dog.run([("对门养的狗子一晚上叫个不停，家里也没人管", "宠物扰民")])
    parked = await bound(conv, "r-3", "3栋1单元102")
    await parked.run([("单元门口的坡道天天被电动车堵住，推婴儿车过不去", "乱停车")])


async def test_voice_input_slips_are_read_as_the_words_meant(conv: Conversations) -> None:
    assert normalize("我们楼到的等坏了") == "我们楼道的灯坏了"
    assert normalize("从三楼到四楼") == "从三楼到四楼"  # a floor range stays
    assert normalize("电体门关不上 没有找片 题交") == "电梯门关不上 没有照片 提交"
    chat = await bound(conv)
    await chat.run(
        [("我们楼到的等坏了好几天", "公共照明"), ("是的", "照片"), ("条过", "请核对"), ("体交", "工单号")]
    )


async def test_an_option_said_with_a_remark_or_a_negation_is_read_right(
    conv: Conversations, clock: Clock
) -> None:
    c = await lockers(clock)
    doubter = await bound(conv, "r-1", "3栋1单元101")
    await doubter.run([("投票", LOCKERS), ("1", "1 同意"), ("我是不太赞成的 南门太窄了", "不同意")])
    leaving = await bound(conv, "r-2", "3栋2单元502")
    await leaving.run(
        [("投票", LOCKERS), ("1", "1 同意"), ("我住不了多久了 装不装都行 我弃权", "已记录您家的投票：弃权")]
    )
    assert sorted(b.choices for b in await Ballot.filter(consultation=c)) == [[1], [2]]


async def test_a_message_said_with_the_request_is_kept_and_a_question_about_the_bot_is_answered(
    conv: Conversations,
) -> None:
    chat = await bound(conv)
    await chat.run([("请帮我留言：明天上午家里没人，师傅下午再来修", "已为您留言")])
    assert (await StaffMessage.get()).text.endswith("师傅下午再来修")
    curious = await bound(conv, "r-2", "3栋1单元101")
    await curious.run([("你是机器人啊还是真人在回", "自动回复")])
    await curious.run([("人工", "请直接说说您的问题"), ("没事没事 我就是看看怎么用", "有需要随时找我")])
    assert await StaffMessage.all().count() == 1
    # "不要机器人 我要找真人" asks for a person
    await curious.run([("不要机器人 我要找真人", "请直接说说您的问题")])


async def test_smoke_gives_the_fire_line_and_a_cantonese_lift_the_lift_line(conv: Conversations) -> None:
    chat = await bound(conv)
    reply = await chat.say("楼道里全是烟 呛得人眼泪直流")
    assert "119" in reply and "120" not in reply.split("119")[0]
    await chat.say("不用")
    assert "96333" in await chat.say("有人困咗喺𨋢入面出唔嚟")


async def test_a_vaccination_question_finds_the_clinic(conv: Conversations) -> None:
    chat = await bound(conv)
    assert "预防接种" in await chat.say("宝宝满月了要去哪里打疫苗")


async def test_a_yes_asked_back_at_the_place_question_takes_the_home(conv: Conversations) -> None:
    chat = await bound(conv)
    await chat.run(
        [
            ("对门那家天天半夜摔东西吵架，想请社区来调解", "是您家所在的"),
            ("不是我们单元还能是哪 就对门", "照片"),
        ]
    )


async def test_a_pick_from_the_list_with_a_question_after_it_opens_the_consultation(
    conv: Conversations, clock: Clock
) -> None:
    c = await lockers(clock)
    chat = await bound(conv)
    await chat.run(
        [
            ("投票", LOCKERS),
            ("第一个 顺便问下几号截止啊 我得问问老伴", LOCKERS),
            ("跟老伴商量过了 那就同意", "已记录您家的投票：同意"),
        ]
    )
    assert [b.choices for b in await Ballot.filter(consultation=c)] == [[0]]


async def test_the_door_of_a_unit_as_a_place_is_no_broken_door(conv: Conversations) -> None:
    chat = await bound(conv)
    await chat.run([("2单元门口的无障碍坡道老被电动车堵着，轮椅出不去", "乱停车")])


async def test_a_burst_pipe_outdoors_is_a_repair_not_an_emergency(conv: Conversations) -> None:
    chat = await bound(conv)
    reply = await chat.say("花园边上那根水管爆了 水一直哗哗往外冒")
    assert "120" not in reply and "照片" in reply
    # with people in danger it is one
    await chat.say("取消")
    assert "120" in await chat.say("水管爆了 我爸滑倒在地上起不来了")


async def test_traditional_characters_are_read_as_simplified(conv: Conversations) -> None:
    chat = await bound(conv)
    await chat.run(
        [
            ("我們單元的電梯這兩天一直有異響", "电梯"),
            ("是的", "照片"),
            ("沒有照片", "核对"),
            ("確認送出", "工单号"),
        ]
    )


async def test_another_building_or_unit_named_at_the_place_question_is_the_place(conv: Conversations) -> None:
    chat = await bound(conv)  # 3栋2单元502
    await chat.run(
        [
            ("后面那栋楼门口堆了好多垃圾 都招老鼠了", "是您家所在的"),
            ("4栋撒 挨着车棚那边", "照片"),
            ("提交", "工单号"),
        ]
    )
    ticket = await _ticket(chat.user)
    assert ticket.building.number == 4 and ticket.unit == 0
    neighbour = await bound(conv, "r-2", "5栋2单元301")
    await neighbour.run(
        [("隔壁单元天天在阳台上熏腊肉 烟大得很", "是您家所在的"), ("一单元 五楼那家", "照片")]
    )
    await neighbour.run([("直接交", "工单号")])
    ticket = await _ticket("r-2")
    assert ticket.building.number == 5 and ticket.unit == 1


async def test_a_yes_first_then_a_question_with_a_no_in_it_is_a_yes(conv: Conversations) -> None:
    chat = await bound(conv)
    await chat.run(
        [("楼上装修一大早就上电钻", "是您家所在的"), ("对 就我们单元 不是说八点以后才能干吗", "照片")]
    )


async def test_a_report_dropped_at_the_photo_step_is_not_filed(conv: Conversations) -> None:
    chat = await bound(conv)
    await chat.run(
        [
            ("楼道灯又坏了", "是您家所在的"),
            ("嗯", "照片"),
            ("哦 物业师傅扛着梯子上来了 应该就是来修的 那不报了 算了", "先不报了"),
        ]
    )
    assert not await Ticket.filter(reporter__openid=chat.user).exists()


async def test_a_place_said_at_the_category_question_is_kept(conv: Conversations) -> None:
    chat = await bound(conv)
    await chat.run(
        [("我要投诉", "哪一类"), ("不是我们楼 是5栋楼门口那块", "没认出"), ("不知道 你们看着办", "先按")]
    )
    reply = await chat.say("跳过")
    assert "位置：5栋" in reply
    await chat.run([("提交", "工单号")])
    assert (await _ticket(chat.user)).building.number == 5


async def test_the_same_building_said_again_keeps_its_unit_and_where_the_resident_is_is_no_place(
    conv: Conversations,
) -> None:
    chat = await bound(conv)
    await chat.run([("5栋2单元电梯老是卡在三楼", "照片"), ("对 不是我家那栋 是五栋的", "照片")])
    await chat.run([("没拍", "位置：5栋2单元"), ("提交", "工单号")])
    other = await bound(conv, "r-2", "3栋1单元101")
    await other.run(
        [("举报 4栋2单元顶楼私搭了一间铁皮房", "照片"), ("对 不是我们楼的 我在三栋看得清清楚楚", "照片")]
    )
    await other.run([("跳过", "1 提交"), ("提交", "工单号")])
    ticket = await _ticket("r-2")
    assert ticket.building.number == 4 and ticket.unit == 2


async def test_a_change_of_mind_right_after_voting_changes_the_vote(
    conv: Conversations, clock: Clock
) -> None:
    c = await lockers(clock)
    chat = await bound(conv)
    await chat.run([("投票", LOCKERS), ("1", "1 同意"), ("同意", "已记录您家的投票：同意")])
    await chat.run([("等等 我老伴说南门太挤了 还是改成不同意", "已记录您家的投票：不同意")])
    assert [b.choices for b in await Ballot.filter(consultation=c).order_by("id")] == [[0], [1]]
    # anything else after a vote is a new request
    assert "是您家所在的" in await chat.say("楼道灯坏了")


async def test_a_message_for_the_grid_worker_is_left_for_staff(conv: Conversations) -> None:
    chat = await bound(conv)
    await chat.say("帮我找下网格员，跟她说我家下个月租出去了，租客信息过两天送来")
    assert "租出去了" in (await StaffMessage.get()).text


async def test_work_hours_in_a_story_are_no_question_about_office_hours(conv: Conversations) -> None:
    chat = await bound(conv)
    reply = await chat.say("孩子三点半放学 我们六点才下班 社区的四点半课堂还收人吗")
    assert "办公时间" not in reply and "儿童之家" in reply


async def test_terse_everyday_answers_file_the_report(conv: Conversations) -> None:
    chat = await bound(conv)  # 3栋2单元502
    await chat.run([("3栋电梯又停了", "照片"), ("没拍", "位置：3栋2单元"), ("发", "工单号")])
    assert (await _ticket(chat.user)).unit == 2  # the resident's own unit of the building named
    other = await bound(conv, "r-2", "5栋2单元301")
    await other.run(
        [("楼上半夜还在打钻", "是您家所在的"), ("就401 天天这样", "照片"), ("拍啥 声音拍不出来", "核对")]
    )
    await other.run([("赶紧报 咋这么磨叽", "工单号")])


async def test_no_photo_and_submit_said_with_the_report_file_it_once_the_place_is_settled(
    conv: Conversations,
) -> None:
    chat = await bound(conv)
    await chat.run([("单元门禁坏了 刷卡没反应 没照片 直接提交", "是您家所在的"), ("对的 赶紧修", "工单号")])
    assert (await _ticket(chat.user)).category == "facility"


async def test_is_not_x_after_the_place_said_keeps_the_place(conv: Conversations) -> None:
    chat = await bound(conv)  # 3栋
    await chat.run([("8栋门口天天停一排车 推轮椅都出不来", "照片"), ("是8栋 不是俺们3栋", "照片")])
    await chat.run([("跳过", ["类别：乱停车", "位置：8栋"]), ("提交", "工单号")])
    assert (await _ticket(chat.user)).building.number == 8


async def test_a_person_asked_for_with_the_reason_leaves_the_message(conv: Conversations) -> None:
    chat = await bound(conv)
    reply = await chat.say("能不能找个真人 我上个月报的楼顶漏水到现在都没人来看")
    assert "已为您留言" in reply
    assert "楼顶漏水" in (await StaffMessage.get()).text
    await chat.run([("找个工作人员", "请直接说说您的问题")])


async def test_just_looking_gets_a_kind_word(conv: Conversations) -> None:
    chat = await bound(conv)
    assert "有需要随时找我" in await chat.say("没事 就是看看这个怎么用")
    await chat.say("在吗")  # the menu shown: the same
    assert "有需要随时找我" in await chat.say("没事 随便看看")
    assert await StaffMessage.all().count() == 0


async def test_smoke_and_burning_plastic_give_the_fire_line(conv: Conversations) -> None:
    chat = await bound(conv)
    assert "119" in await chat.say("楼道里有烟 一股烧塑料的味道")


async def test_look_at_this_opens_the_only_consultation_listed(conv: Conversations, clock: Clock) -> None:
    await lockers(clock)
    chat = await bound(conv)
    await chat.run([("议事", LOCKERS), ("看一下这个", ["1 同意", LOCKERS])])
