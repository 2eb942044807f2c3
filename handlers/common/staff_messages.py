"""人工: a resident leaves a message (or a question the bot could not answer is handed on); staff of the
community are told, answer it in the chat ("留言", "答复 H0012 ...") or the API, and the answer reaches the
resident through the outbox."""

from __future__ import annotations

import re

import content
from bot.dispatcher import Context, Router, command, idle, pattern, state
from handlers.common import addendum, formats, queries, workflow
from handlers.common.menu import CHOOSE_STATE, MENU_STATE
from handlers.common.pause import answers
from storage.roles import answers_messages

HUMAN_STATE = "common:human"
answers(HUMAN_STATE)  # the message for staff says what it says
OPEN_SHOWN = 10

router = Router("common.staff_messages")
_ANSWER = re.compile(r"^\s*答复\s*(?:留言)?\s*H?0*(\d{1,9})\s*(.*)$", re.I | re.S)
# the message said with the request: "请帮我留言：我退休了，想报名当楼栋长", "转告网格员，明天上午我不在家"
# a person asked for at the start of a message, and what follows ("找个真人 我上个月报的…")
_PERSON_WANTED = re.compile(
    r"^\W*(?:能不能|能否|可以|可不可以|我要|我想|麻烦)?(?:找|转|叫)(?:个|一下)?(?:真人|人工|工作人员|活人)"
    r"[吗呢吧啊\s,，.。!！?？]*(.*)$",
    re.S,
)
# one of the staff asked for by name, and nothing more ("小张在不在", "李主任在吗"): a person wanted
_NAMED_WANTED = re.compile(
    r"^\W*(?:(?:小|老)(?![区孩人家儿子师时板店楼房学猫狗])[^\W\d]|[^\W\d]{1,2}(?:主任|书记))"
    r"在(?:不在|吗|没|不|家吗)?[吗呢啊\s,，.。!！?？]*$"
)
_LEAVE = re.compile(
    r"^\W*(?:(?:你好|您好|好的?|嗯+|那个|那|呃|就是说?)\W*)*(?:请|麻烦)?(?:你|您)?(?:帮我|给我|帮忙|我要|我想)?"
    r"(?:(?:给|跟|向)\S{1,6}?)?"  # "我想给赵阿姨留个言 就是说…"
    r"(?:留(?:个|一下|一句)?言|留句话|(?:转告|转达|带个话|捎个话)(?:一下)?)(?![了过得没])给?(?:我们|咱们?|俺们?)?的?"
    # the one to tell, maybe by name ("转告网格员小张，…", "转告李主任，…", "留个言给赵阿姨，…")
    r"(?:社区|工作人员|网格员|居委会|书记)?(?:(?:小|老)[^\W\d]{1,2}|[^\W\d]{1,3}?(?:主任|书记|师傅|阿姨))?"
    r"\s*[:：，,\s]\s*(\S.{5,})"
    # "帮我找一下我们的网格员王姐，跟她说我家这套房下个月租出去了": a message for the person named
    # or one of them by name: "…就是麻烦小张方便的时候上门跟他说一声，让他借个电话给我回一个"
    r"|^.{0,30}?(?:网格员|居委会|社区|工作人员|楼长|书记|(?<=麻烦)(?:小|老)(?![区孩人家儿子师时])[^\W\d]"
    r"|(?<=麻烦)[^\W\d]{1,2}(?:主任|师傅|阿姨)).{0,12}?(?:跟|和|给|告诉)(?:她|他|他们)?"
    r"(?:说|讲|带个话|捎个话)(?![了过])(?:一下|一声)?\s*[:：，,]?\s*(\S.{5,})"
    # "麻烦帮我跟那个调解员说一声，上回调解…不用再约了": the one to tell first, then what
    r"|^\W*(?:请|麻烦)?(?:你|您)?(?:帮我|帮忙|替我)?(?:跟|给|向|告诉)(?:那个|我们的?|咱们?的?)?"
    r"(?:网格员|调解员|居委会|社区|工作人员|楼长|[^\W\d]{1,2}(?:主任|书记|阿姨))(?:老师|同志|大姐)?"
    r"(?:说|讲|带个话|捎个话)(?:一下|一声)\s*[:：，,]\s*(\S.{5,})"
    # "…新租客下周搬进来 要跟管流动人口登记的工作人员说一声": what to tell said first
    r"|^(\S.{5,}?)\W*(?:要|想|得|需要|麻烦)?(?:跟|和|给|告诉)(?:管.{1,10}?的)?(?:网格员|居委会|社区|工作人员|楼长|书记)"
    r"(?:说|讲|报备|登记|带个话)(?:一下|一声)?\W*$",
    re.S,
)


# a message for staff announced, to come next: "我是老张家的闺女 人在外地 想给社区留个言"
_WILL_LEAVE = re.compile(
    r"^.{0,40}?(?:想|要|能|可以|得|帮我|请帮我|麻烦|请)?(?:给|跟|向)\S{0,4}?"
    r"(?:社区|网格员|居委会|工作人员|书记|你们|楼长)\S{0,4}?留(?:个|一下|一句|句)?(?:言|话)\W*$",
    re.S,
)
# "我想给小张带个话": a message for a person named, to come
_CARRY = re.compile(
    r"^\W*(?:你好|您好)?\W*(?:我|俺)?(?:想|要|请|麻烦)?(?:你们?)?(?:帮我)?(?:给|跟|向)\S{1,6}?(?:带|捎|传)(?:个|句)?话\W*$"
)
# "请转网格员小张。": the message to come (idle only: "转给工作人员吧" may answer a question)
_FORWARD = re.compile(
    r"^(?!.*留)\W*(?:你好|您好)?\W*(?:请|麻烦)?(?:帮我)?转(?:给|达给?|告给?)?(?:一下)?(?:我们的?)?"
    r"(?:社区|网格员|居委会|工作人员|书记|楼长)\S{0,4}\W*$",
)
# a person of the community asked to be told, anywhere in a message that says what about ("想表扬一下他们
# 麻烦给李主任说一声", "催办有啥用 我要找活人 给李主任留言 让他给我个说法")
# words of a problem to report, which a message for the staff told with praise or a call-back must not carry
_A_PROBLEM = r"漏|坏|爆|堵|吵|臭|脏|没人(?:收|管|修)|不亮|停水|停电|投诉"
_TELL_THEM = re.compile(
    r"^.{4,}?(?:给|跟|向|告诉)\S{0,3}(?:主任|书记|网格员|社区|居委会|工作人员|领导|楼长)"
    r"(?:说一声|说一下|讲一声|留个?言|反映一下|带个话|转告|请个?假)"
    # "…一直没消息，能不能帮我给她带个话问问": a word carried to the one just named
    r"|^.{6,}?(?:给|跟|向)(?:她|他|他们)(?:带|捎|传)(?:个|句)话"
    # thanks passed on: "王师傅…弄到晚上八点多，帮我跟他说声谢谢", "替我谢谢王师傅"
    r"|^.{4,}?(?:(?:帮我|替我|麻烦)(?:跟|给|向|对)\S{0,5}?(?:说|道)(?:声|个|一声)?(?:谢谢|感谢|谢)"
    r"|替我(?:谢谢|感谢)\S{0,5}?(?:他|她|他们|师傅|主任|书记|网格员|阿姨)"
    # "…我就是想麻烦你们，帮我谢谢那位调解员"
    r"|(?:帮我|替我|麻烦你们?)(?:谢谢|感谢)(?:一下)?(?:那位|那个|我们的?|咱们?的?)?\S{0,3}?"
    r"(?:调解员|网格员|师傅|主任|书记|阿姨|老师|志愿者|工作人员))"
    # praise to pass on: "…总算弄好了，就是想表扬一下王师傅"
    # (not praise with a problem after it: "想表扬一下保洁阿姨，不过2栋门口的垃圾桶好几天没倒了")
    rf"|^(?!.*(?:{_A_PROBLEM}|不过|但是|可是|另外|还有|顺便))"
    r".{0,60}?(?:想|要)表扬(?:一下)?(?:你们的?|我们的?|那位|那个)?\S{0,3}?"
    r"(?:师傅|主任|书记|网格员|阿姨|调解员|保安|保洁|志愿者|工作人员)"
    # one of the staff asked to get in touch: "想参加社区志愿者 麻烦让赵阿姨跟我联系一下"
    rf"|^(?!.*(?:{_A_PROBLEM}))"
    r".{0,40}?(?:麻烦|请|让|叫)(?:让|叫)?(?:社区的?|你们的?)?"
    r"(?:网格员|工作人员|调解员|楼长|(?:小|老)[^\W\d]|[^\W\d]{1,2}(?:主任|书记|阿姨|老师))"
    r"(?:有空|方便的?时候)?(?:跟|和|给)我(?:联系|打个?电话|回个?电话)(?:一下|吧|哈|啊|呀|谢谢)*\W*$"  # last
    # a suggestion to pass on: "…另外有个建议想转给社区：棚子建的话一定要装监控…"
    r"|^.{4,}?(?:有个|有条|一个|一条|几个|几条|点)(?:建议|意见|想法)\S{0,2}?(?:想|要|麻烦)?(?:转给|转告|转达给?|带给)"
    r"(?:社区|居委会|主任|书记|工作人员|网格员|\S{1,2}主任)"
    # "…另外有个建议想让李主任知道"
    r"|^.{4,}?(?:有个|有条|一个|一条|几个|几条|点)(?:建议|意见|想法)\S{0,2}?(?:想|要)?(?:让|叫)"
    r"(?:社区|居委会|主任|书记|工作人员|网格员|\S{1,2}主任|\S{1,2}书记)(?:知道|看看|了解|听听)"
    # someone asked to look in on a person: "不用报警，应该是手机没电了，麻烦网格员去敲个门看一眼"
    # (not a report: "楼上漏水漏到我家了 家里没人 麻烦网格员去敲个门")
    r"|^(?!.*(?:漏|吵|闹|叫|响|臭|堵|坏|吠|跺))"
    r".{0,40}?(?:麻烦|请|让)(?:社区的?|你们的?|我们的?)?(?:网格员|工作人员|小张|社区的人)"
    r"(?:去|过去|上门|帮忙|帮我)?\S{0,8}?(?:敲个?门(?:看看|看一眼|看一下)|(?:看看|看一眼|看一下)"
    r"(?:她|他|我妈|我爸|老人|老太太|老爷子))"
    # a person asked for last, after what it is about: "上个月报的楼顶漏水…问你也是白问。我要跟真人说"
    r"|^.{10,}?(?:我要|我想|让|请|麻烦你?|能不能)(?:找|跟|和|转|叫)(?:个|一下)?(?:真人|人工|活人)"
    r"(?:说|讲|聊|沟通|对话|谈)?(?:吧|啊|呀)?\W*$",
    re.S,
)
# a message left before and not answered, with what it was about: "我上个月在这里留言说要来社区报到 …
# 到现在没人回我": left again, for the staff to see
_UNANSWERED = re.compile(
    r"^.{0,30}?留(?:了|过)?(?:个)?言.{0,40}?(?:没人回|没回|没人理|没有回音|没消息|没人答复|没答复)", re.S
)
_ASKS_A_MESSAGE = re.compile(r"留(?:个|一下)?言|转告|转达|带个话")
# at "您是想：…", a message asked for first, whatever follows: "对 留个言 麻烦小张隔几天上门看看她"
_MESSAGE_FIRST = re.compile(r"^\W*(?:对|好的?|嗯|是的?|那)?\W*(?:就|帮我|请)?(?:留(?:个|一下)?言|转告|转达)")
# at "您是想：…", the words already said are the message: "留言就可以，谢谢"
_JUST_A_MESSAGE = re.compile(
    r"^\W*(?:就|那就|帮我)?(?:留(?:个|一下)?言|转告|转达)(?:就(?:可以|行|好)了?)?\W*(?:谢谢\W*)?$"
)


# how to reach the resident, said right after the message was left ("我电话就是绑定的这个 白天都在家",
# "下午三点以后都在家"): added to that message, not read as something new
_HOW_TO_REACH = re.compile(
    r"^\W*(?:我|俺)?的?(?:电话|手机|号码)(?:就是|是)?\S{0,6}?(?:绑定的|这个|1[3-9]\d{9})"
    r"|^\W*(?:我|俺)?(?:白天|晚上|下午|上午|中午|周末|平时|一般|随时|天天)[^。！!？?]{0,10}?"
    r"(?:在家|有空|能接电话|接电话)(?:的|呢|哈|啊|呀)?\W*$"  # said last: not "晚上在家的时候楼上特别吵"
    r"|^\W*1[3-9]\d{9}\W*$"
)
_A_QUESTION_TOO = re.compile(r"[?？吗呢]|怎么|几点|哪里|什么")


def _reach_for_message(ctx: Context) -> bool:
    last = addendum.last_filed(ctx)
    text = ctx.msg.text
    return last is not None and last[0] == "message" and len(text) <= 40 and not _A_QUESTION_TOO.search(text)


@router.handle(pattern(_HOW_TO_REACH), _reach_for_message)
async def how_to_reach(ctx: Context) -> None:
    last = addendum.last_filed(ctx)
    assert last is not None
    what = await _add_to_message(ctx, last[1], ctx.msg.text.strip())
    if what is None:  # answered and closed since: a message of its own
        await leave_message(ctx)
        return
    ctx.say("common.added", what=what)


# a word asked to be passed on to the staff, said in the middle of a report or a wish ("…麻烦帮我转达谢意",
# "对，留言给李主任", "帮我谢谢那位调解员"); not a word for a neighbour ("麻烦转告楼上那家一声"), not a
# volunteer asked to leave one ("有意愿的志愿者可以给我留言"), not the step's own answer ("确认提交，也替我
# 谢谢网格员") and not the report pressed on someone ("转告王师傅快点来修")
_STAFF = r"(?:李主任|主任|书记|居委会?|社区|网格员|调解员|工作人员|领导|[^\W\d]{1,2}(?:主任|书记|阿姨))"
_PASSED_ON = re.compile(
    rf"(?:留(?:个|一下|句)?言|转告|转达|(?:带|捎|传)(?:个|句)话)(?:一下)?给?(?:一下)?(?:那位|那个|我们的?)?{_STAFF}"
    rf"|(?:给|跟|向){_STAFF}\S{{0,3}}?(?:留(?:个|一下|句)?言|转告|转达|(?:带|捎|传)(?:个|句)话)"
    rf"|转达(?:一下)?(?:我的|我们的)?谢意|(?:帮我|替我)(?:谢谢|感谢)(?:一下)?(?:那位|那个|我们的?)?\S{{0,3}}?"
    r"(?:调解员|网格员|主任|书记|阿姨|志愿者|工作人员)|(?:帮我|替我)(?:谢谢|感谢)(?:一下)?(?:他|她)"
)
_NOT_PASSED_ON = re.compile(r"修|坏|漏|堵|处理|快点|尽快|赶紧|催|投诉|提交|确认|跳过|照片|匿名|姓")


def asks_to_pass_on(text: str) -> bool:
    """The words ask for a message to the staff, not for the report or wish they interrupt."""
    return bool(_PASSED_ON.search(text)) and not _NOT_PASSED_ON.search(text)


@router.handle(pattern(_WILL_LEAVE))
async def will_leave(ctx: Context) -> None:
    start_human(ctx)


@router.handle(pattern(_CARRY), idle())
async def message_to_carry(ctx: Context) -> None:
    start_human(ctx)


@router.handle(pattern(_FORWARD), idle())
async def forward_to_come(ctx: Context) -> None:
    start_human(ctx)


def start_human(ctx: Context) -> None:
    ctx.dialog.clear()
    ctx.dialog.set(HUMAN_STATE)
    ctx.say("common.human_ask")


async def leave_message(ctx: Context, *, story: str = "") -> None:
    """What was just said left for the staff, after ``story`` (the words it follows) when there is one."""
    said = ctx.msg.text.strip()
    number = await workflow.record_message(
        await ctx.person(), f"{story}；{said}" if story else said, ctx.now()
    )
    ctx.dialog.clear()
    addendum.remember(ctx, "message", queries.id_of(number))
    ctx.say("common.human_done", number=number)


async def _add_to_message(ctx: Context, message_id: int, words: str) -> str | None:
    number = await workflow.add_to_message(message_id, await ctx.person(), words)
    return content.text("common.added_message", number=number) if number else None


addendum.register("message", _add_to_message)


def _only_unanswered(ctx: Context) -> bool:
    return not any(p.match(ctx.msg.text) for p in (_LEAVE, _WILL_LEAVE, _PERSON_WANTED))


def _only_told(ctx: Context) -> bool:
    others = (_LEAVE, _WILL_LEAVE, _PERSON_WANTED, _UNANSWERED, _CARRY, _FORWARD)
    return (
        # the menu after "没太明白" asks nothing of the next message; "您是想：…" is answered with a number,
        # and words that say more ("不用登记，就是想表扬一下王师傅") are read as they are
        ctx.dialog.state in (None, MENU_STATE, CHOOSE_STATE)
        and not addendum.adds(ctx)
        and not any(p.match(ctx.msg.text) for p in others)
    )


@router.handle(pattern(_TELL_THEM), _only_told)
async def tell_them(ctx: Context) -> None:
    # at "您是想：…", what was said before is what the message is about
    await leave_message(
        ctx, story=str(ctx.dialog.data.get("said") or "") if ctx.dialog.state == CHOOSE_STATE else ""
    )


@router.handle(pattern(_UNANSWERED), _only_unanswered)
async def unanswered_left_again(ctx: Context) -> None:
    await leave_message(ctx)


@router.handle(pattern(_LEAVE))
async def leave_with_request(ctx: Context) -> None:
    await leave_message(ctx)


@router.handle(pattern(_NAMED_WANTED), idle())
async def named_wanted(ctx: Context) -> None:
    """ "小张在不在": what for is asked, and left for them."""
    start_human(ctx)


@router.handle(pattern(_PERSON_WANTED))
async def person_wanted(ctx: Context) -> None:
    """ "能不能找个真人 我上个月报的楼顶漏水到现在都没人来看": a person asked for, and what for said with it:
    the message is left at once; with nothing more said, the resident is asked for it."""
    if len(ctx.data["match"].group(1).strip()) >= 6:
        await leave_message(ctx)
    else:
        start_human(ctx)


# -- staff in the chat -------------------------------------------------------------------------------------
@router.handle(command("留言", "居民留言", "待答复留言", args=False), idle())
async def open_messages(ctx: Context) -> None:
    """Staff: the messages waiting for an answer. A resident: "留言" leaves one (at "您是想：…", what was
    just said is the message)."""
    person = await ctx.person()
    if not await answers_messages(person, person.community_id):
        await _resident_leaves(ctx)
        return
    count, waiting = await queries.open_messages(person.community_id, OPEN_SHOWN)
    if not waiting:
        ctx.say("common.no_open_messages")
        return
    lines = [f"{m.number} {formats.clip(m.text, 40)}" for m in waiting]
    ctx.say("common.open_messages", lines="\n".join(lines), more=max(0, count - OPEN_SHOWN))


def _just_a_message(ctx: Context) -> bool:
    """ "留言就可以", or, when a person was among the offers, any answer asking for a message ("对 帮我留言
    工作日晚上七点后方便")."""
    if not ctx.msg.has_text:
        return False
    offered_a_person = "human" in (ctx.dialog.data.get("options") or ())
    text = ctx.msg.text
    return bool(
        _JUST_A_MESSAGE.match(text)
        or _MESSAGE_FIRST.match(text)
        or (offered_a_person and _ASKS_A_MESSAGE.search(text))
    )


@router.handle(state(CHOOSE_STATE), _just_a_message)
async def offered_words_left(ctx: Context) -> None:
    await _resident_leaves(ctx)


async def _resident_leaves(ctx: Context) -> None:
    said = str(ctx.dialog.data.get("said") or "") if ctx.dialog.state == CHOOSE_STATE else ""
    if not said:
        start_human(ctx)
        return
    if not _JUST_A_MESSAGE.match(ctx.msg.text):  # "对 帮我留言 工作日晚上七点后方便": that too
        said = f"{said}\n{ctx.msg.text.strip()}"
    number = await workflow.record_message(await ctx.person(), said, ctx.now())
    ctx.dialog.clear()
    addendum.remember(ctx, "message", queries.id_of(number))
    ctx.say("common.human_done", number=number)


@router.handle(pattern(_ANSWER))
async def answer_in_chat(ctx: Context) -> None:
    match = ctx.data["match"]
    message = await workflow.answer(int(match.group(1)), await ctx.person(), match.group(2), ctx.now())
    ctx.say("common.answer_sent", number=message.number)
