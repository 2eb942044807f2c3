"""The chat side of repairs and complaints: report (only what is missing), duplicates, my tickets, urge,
rate, reopen; and for staff: the pool, accept, resolve."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass, fields
from typing import Any

import content
from bot.dialog import Dialog
from bot.dispatcher import Context, Phase, Router, command, has_text, idle, intent, kind, pattern, state
from bot.messages import Kind
from handlers.common import addendum, formats, lookup
from handlers.common.answers import choose, first_part, is_skip, yes_or_no
from handlers.common.corrections import corrected
from handlers.common.menu import CHOOSE_STATE
from handlers.common.pause import answers, closed, questions
from handlers.common.staff_messages import asks_to_pass_on, leave_message
from handlers.repairs import queries, workflow
from handlers.repairs.categories import Category, categories, categories_for, category_in_text
from handlers.repairs.queries import TicketView, status_label
from handlers.repairs.reading import (
    A_ROOM,
    ASKS,
    ASKS_MORE,
    BROKEN,
    COMMAND_FIRST,
    CONFIRMED,
    DROPPED,
    ELSEWHERE,
    INDOORS,
    LANDMARK,
    MEDIATION,
    NEIGHBOUR,
    NO_PLACE,
    NOT_OURS,
    OBVIOUSLY,
    OFFICE,
    ON_THE_ROAD,
    ONLY_A_WORD,
    OUR_PLACE,
    OUTSIDE_A_BUILDING,
    PARTS,
    PHOTO_COMING,
    RHETORICAL,
    STAIRWAY,
    SUBMIT_ONLY,
    WHERE_I_AM,
    declines_photo,
    named_instead,
    submits,
)
from handlers.repairs.workflow import ReportRepair
from handlers.residents.dialog import home_this_turn, require_home
from nlp.slots import extract_address, extract_choice
from nlp.tokenize import normalize, strip_punctuation
from nlp.understand import WISH_ASKED

router = Router("repairs")
router.menu_entry("repair", order=10)
router.menu_entry("complaint", order=15)
router.menu_entry("my_tickets", order=20)

CATEGORY = "repair:category"
HOME_PLACE = "repair:home_place"
PLACE = "repair:place"
DUPLICATE = "repair:duplicate"
PHOTO = "repair:photo"
CONFIRM = "repair:confirm"
DESCRIBE = "repair:describe"
REOPEN_PICK = "repair:reopen_pick"
REOPEN_WHY = "repair:reopen_why"
answers(CATEGORY, PLACE, DESCRIBE, REOPEN_WHY)  # free text: 灯坏了 there is the answer, not a new report
questions(CATEGORY, HOME_PLACE)  # "社区有没有托管的地方" at "是哪一类问题？": answered, the report kept
answers(PHOTO, HOME_PLACE, intents=("repair", "complaint"))  # "灯在三楼楼梯口", "坏了 楼道的": more words
# a photo or 跳过 (or 提交): another clear request is answered, the report kept
# ...and "帮我转告王师傅尽快来修": the report pressed, not a message for the staff
closed(PHOTO, about=r"拍|照|图|相片|提交|交|登记|报上去|发|(?:尽快|快点|赶紧|早点|马上)\S{0,4}?(?:来|修|弄)")

_RATE = re.compile(r"^\s*评价\s*([1-5一二三四五])\s*分?\s*(.*)$", re.S)
# 没修好 [R2611-0003 | 3] [what is still wrong]: a number only when it stands alone (not 3栋...)
_REOPEN = re.compile(
    r"^\s*(?:还是)?没(?:有)?修好(?:了)?\s*(?:(?:R?\d{4}-)?0*(\d{1,6})(?=$|[\s，,。.]))?[\s，,。.]*(.*)$",
    re.S | re.I,
)
JUST_NOTIFIED = dt.timedelta(days=1)
# a ticket number, not a date or a time ("开始3号以后都行" is no command)
_STAFF = re.compile(r"^\s*(接单|开始|完成|办结)\s*(?:R?\d{4}-)?(\d+)(?![\d号日月点天])\s*(.*)$", re.S | re.I)
_CATCH_ALL = {"repair": "facility", "complaint": "property_service"}


# the options of each numbered question, and the words that stand for them besides their labels
_HOME_PLACE = {
    1: ("就是", "就是这", "就在这", "是这里", "在家这边", "家里", "本单元"),
    2: ("别的地方", "其他地方", "别处", "不在这", "换地方", "换"),
}
_DUPLICATE = {
    1: ("关注", "同一个", "一样的", "就是这个", "是同一个"),
    2: ("单独报修", "单独", "不一样", "另外报", "重新报", "不是一个"),
}
_CONFIRM = {
    1: ("提交", "确认提交", "没问题提交", "可以提交", "送出", "确认送出", "交", "交吧", "发", "发吧"),
    2: ("修改", "改一下", "改", "重新描述", "重写", "修改一下"),
}


@dataclass
class Draft:
    """What the report has gathered so far, kept in the dialog between messages."""

    description: str = ""
    report: str = "repair"  # repair (a thing broken) or complaint (a person or business not doing right)
    source: str = ""  # the message that started it: the ticket's idempotency key
    category: str = ""
    photo: str = ""  # a media id
    home_building: int | None = None
    home_unit: int = 0
    home_where: str = ""
    building: int | None = None
    unit: int = 0
    where: str = ""
    latitude: float | None = None
    longitude: float | None = None
    duplicate: int | None = None  # the neighbour's ticket offered to follow
    no_photo: bool = False  # said before the photo was asked for ("这个没有照片，跳过")
    submit: bool = False  # "提交" said before the report was shown: filed once the place is settled

    @classmethod
    def of(cls, dialog: Dialog) -> Draft:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in dialog.data.items() if k in known and v is not None})

    def add_words(self, said: str) -> None:
        """More of the resident's words, after the description so far."""
        self.description = f"{self.description}；{said}" if self.description else said

    def keep(self, dialog: Dialog, state: str | None = None) -> None:
        """Write the draft back to the dialog (entering ``state`` when given)."""
        values: dict[str, Any] = asdict(self)
        if state is None:
            dialog.update(**values)
        else:
            dialog.set(state, **values)


# Commands first: their exact forms must win over the free-text intents below ("完成 3 已更换灯泡"
# mentions a lamp, but is a staff member closing a ticket).
# -- staff in the chat ------------------------------------------------------------------------------
_STAFF_ACTIONS = {"接单": "accept", "开始": "start", "完成": "resolve", "办结": "resolve"}


@router.handle(pattern(_STAFF))
async def staff_action(ctx: Context) -> None:
    match: re.Match[str] = ctx.data["match"]
    ticket = await workflow.move(
        int(match.group(2)),
        _STAFF_ACTIONS[match.group(1)],
        await ctx.person(),
        ctx.now(),
        note=match.group(3).strip(),
    )
    ctx.say("repairs.staff_done", number=ticket.number, status=status_label(ticket.status))


def _line(ticket: TicketView, with_place: bool) -> str:
    overdue = content.text("repairs.overdue_mark") if ticket.overdue else ""
    where = f" {ticket.place}" if with_place else ""
    whom = content.text("repairs.filed_for_mark", name=ticket.filed_for) if ticket.filed_for else ""
    return f"{ticket.number} {ticket.category_label}{where}{whom}：{ticket.status_label}{overdue}"


@router.handle(command("工单", "待办", "待处理工单", args=False), idle())
async def staff_pool(ctx: Context) -> None:
    tickets = await queries.staff_pool(await ctx.person(), ctx.now())
    if tickets is None:
        ctx.say("repairs.staff_only")
    elif not tickets:
        ctx.say("repairs.pool_empty")
    else:
        ctx.say("repairs.pool", lines="\n".join(_line(t, with_place=True) for t in tickets))


# -- rate, reopen ---
@router.handle(pattern(_RATE))
async def rate(ctx: Context) -> None:
    match: re.Match[str] = ctx.data["match"]
    person = await ctx.person()
    ticket = await queries.latest_resolved(person)
    if ticket is None:
        ctx.say("repairs.nothing_to_rate")
        return
    stars = extract_choice(match.group(1), 5) or 0  # the pattern allows only 1-5 and 一-五
    await workflow.rate(ticket.id, person, stars, match.group(2).strip(), ctx.now())
    ctx.dialog.clear()
    ctx.say("repairs.thanks_for_rating", number=ticket.number)


@router.handle(pattern(_REOPEN))
async def reopen(ctx: Context) -> None:
    """没修好: the ticket named by its number, else the one just notified (or the only one waiting), else a
    numbered choice; what follows is the reason, asked for when not said."""
    match: re.Match[str] = ctx.data["match"]
    number, reason = match.group(1), match.group(2).strip()
    waiting = await queries.resolved_of(await ctx.person())
    if number:
        waiting = [t for t in waiting if t.id == int(number)]
    if not waiting:
        ctx.dialog.clear()
        ctx.say("repairs.nothing_to_reopen")
        return
    latest = waiting[0]
    recent = [t for t in waiting if t.resolved_at and ctx.now() - t.resolved_at <= JUST_NOTIFIED]
    if len(waiting) == 1 or (recent and recent[0] is latest and len(recent) == 1):
        await _reopen_or_ask(ctx, latest.id, latest.number, reason)
        return
    ctx.dialog.clear()
    ctx.dialog.set(REOPEN_PICK, tickets=[[t.id, t.number] for t in waiting], reason=reason)
    lines = [f"{t.number} {categories()[t.category].label} {t.place}".rstrip() for t in waiting]
    ctx.say("repairs.reopen_which", options=content.numbered(lines))


@router.handle(state(REOPEN_PICK), has_text())
async def reopen_pick(ctx: Context) -> None:
    tickets: list[list[Any]] = list(ctx.dialog.data.get("tickets") or [])
    choice = extract_choice(ctx.msg.text, len(tickets))
    if not choice:
        ctx.reask("repairs.reopen_which_again")
        return
    ticket_id, number = tickets[choice - 1]
    await _reopen_or_ask(ctx, int(ticket_id), str(number), str(ctx.dialog.data.get("reason") or ""))


async def _reopen_or_ask(ctx: Context, ticket_id: int, number: str, reason: str) -> None:
    if not reason:  # the notification asked them to say what is wrong: the next message says it
        ctx.dialog.clear()
        ctx.dialog.set(REOPEN_WHY, ticket=ticket_id, number=number)
        ctx.say("repairs.reopen_why", number=number)
        return
    await workflow.move(ticket_id, "reopen", await ctx.person(), ctx.now(), note=reason)
    ctx.dialog.clear()
    ctx.say("repairs.reopened", number=number)


@router.handle(state(REOPEN_WHY), has_text())
async def reopen_why(ctx: Context) -> None:
    data = ctx.dialog.data
    await _reopen_or_ask(ctx, int(data["ticket"]), str(data["number"]), ctx.msg.text.strip() or "-")


# -- a photo first, the words after -------------------------------------------------------------------
PHOTO_FIRST_TTL = 600


@router.handle(kind(Kind.IMAGE), idle(), phase=Phase.INTENT)
async def photo_first(ctx: Context) -> None:
    await ctx.services.store.set(f"repairs:photo:{ctx.msg.user}", ctx.msg.media_id, PHOTO_FIRST_TTL)
    ctx.say("repairs.photo_first")


# -- reporting --------------------------------------------------------------------------------------
# how to sort rubbish asked, in a report's words ("烂水果和果皮算哪种垃圾 纸箱子呢 之前被说扔错了"): a
# question for the catalog, not a complaint about rubbish
_SORTING_ASKED = re.compile(
    r"(?:算|属于)(?:哪|什么|啥|啥子|哪样)(?:一?种|一?类|个)?垃圾|垃圾(?:怎么|咋|咋个|如何)分|(?:扔|丢|放)(?:哪|什么|啥)个?桶"
)
# unless rubbish is complained of too ("垃圾桶满了三天没人清 臭死了 顺便问下奶茶杯算哪种垃圾"): the report
_RUBBISH_COMPLAINED = re.compile(r"投诉|反映|臭|满了|没人|不管|堆|堵|脏|苍蝇|乱扔|溢|清运")


# a report that points back at what was just said ("那我反映一下吧", "那就报修吧"; not "我要投诉", which may
# be about anything)
_REFERS_BACK = re.compile(r"^\W*(?:那|这)")


@router.handle(intent("repair", "complaint"), idle())
async def report(ctx: Context) -> None:
    if (
        ctx.msg.has_text
        and _SORTING_ASKED.search(ctx.msg.text)
        and not _RUBBISH_COMPLAINED.search(ctx.msg.text)
    ):
        await ctx.redirect("service", ctx.msg.text)
        return
    kind = "complaint" if ctx.intent == "complaint" else "repair"
    # a question just left unanswered ("…那块地是私人的吗？有人…搭了个小棚子"), then "那我反映一下吧": what it
    # told may be the report's problem
    idle_data = ctx.dialog.data if (ctx.dialog.state or "").startswith("idle:") else {}
    earlier = str(idle_data.get("question") or idle_data.get("unclear") or "")
    home = await require_home(ctx, then=kind)
    if home is None:
        return
    ctx.dialog.clear()
    draft = Draft(description=ctx.msg.text.strip(), report=kind, source=ctx.msg.dedup_key)
    if ctx.msg.has_text:  # "…谁都能进 没照片 直接提交": said last, done once the place is settled
        parts = [p for p in PARTS.split(normalize(ctx.msg.text)) if p]  # not "我想提交个报修 灯坏了"
        draft.no_photo, draft.submit = declines_photo(ctx.msg.text), bool(parts) and submits(parts[-1])
    earlier_photo = await ctx.services.store.get(f"repairs:photo:{ctx.msg.user}")
    if earlier_photo:
        await ctx.services.store.delete(f"repairs:photo:{ctx.msg.user}")
        draft.photo = earlier_photo
    draft.keep(ctx.dialog, CATEGORY)
    found = _category_said(ctx.msg.text, draft) if ctx.msg.has_text else None
    if found is None and earlier and ctx.msg.has_text and _REFERS_BACK.match(ctx.msg.text):
        found = _category_said(f"{earlier} {ctx.msg.text}", draft)
        if found is not None:
            draft.description = f"{earlier}；{draft.description}"
            draft.keep(ctx.dialog)
    if found is None:
        _ask_category(ctx, kind)
        return
    await _with_category(ctx, draft, found)


def _report_goes_on(ctx: Context) -> dict[str, str] | bool:
    """At "您是想：1 报修 2 投诉", an answer that goes on with the report instead of picking ("嗯哪 是1单元",
    "对 没照片"): when the report's words name a category, that category's kind is the pick."""
    options = set(ctx.dialog.data.get("options") or ())
    said = str(ctx.dialog.data.get("said") or "")
    # "1 紧急求助 2 报修" too: a burst pipe's place said is the repair going on (danger words are the
    # emergency's, answered first in any state)
    reports = {"repair", "complaint"}
    if not said or not options & reports or not options <= reports | {"emergency"} or not ctx.msg.has_text:
        return False
    answer = ctx.msg.text
    offered = [ctx.services.classifier.label(name) for name in sorted(options)]
    if choose(answer, offered, loose=False):  # a pick of one offered (紧急求助 too): the fallback's
        return False
    if not (
        yes_or_no(answer) or is_skip(answer) or declines_photo(answer) or not extract_address(answer).empty
    ):
        return False
    found = category_in_text(f"{said} {answer}")
    if found is None or found.kind == "emergency":
        return False
    return {"goes_on": "repair" if found.kind == "repair" else "complaint", "said": f"{said}，{answer}"}


@router.handle(state(CHOOSE_STATE), _report_goes_on)
async def report_goes_on(ctx: Context) -> None:
    await ctx.redirect(ctx.data["goes_on"], ctx.data["said"])


def _category_said(text: str, draft: Draft) -> Category | None:
    """The category the words name: a thing broken first; then among the report's kind ("投诉物业换个灯泡"
    is about the company); else any that is filed here ("部电梯成日响警报", taken for a complaint, is a
    lift to repair): the report then takes that category's kind."""
    found = _asked_of_people(text)
    if found is not None:
        draft.report = "complaint"
        return found
    found = _filed_instead(text, draft)
    if found is not None:  # two problems, and the one to file named ("…你们就帮我报电梯吧")
        _file_instead(draft, found)
        return found
    broken_named = BROKEN.search(text) and not _PARKED.search(text)
    broken = category_in_text(text, "repair", strict=True) if broken_named else None
    # "电梯又坏了，物业到底管不管": a thing broken is repaired first, whoever the resident blames for it
    found = broken or category_in_text(text, draft.report) or category_in_text(text)
    if found is None or found.kind == "emergency":
        return None
    _take_kind(draft, found)
    return found


# a vehicle parked: its 停了 is no thing stopped ("有辆越野车停在5栋楼下…已经停了两天了")
_PARKED = re.compile(r"(?:车|越野|面包|货车|轿车|摩托)[^，,。]{0,12}停")
# mediation asked for in the first words (not 说和: "物业说和电梯公司联系过了")
_MEDIATION_ASKED = re.compile(r"调解|评评理|坐下来(?:说|谈|聊)")
# a complaint about one of the property company's staff, said first: "我要投诉物业的王师傅。…下水管堵了，他来
# 通了，通完问我要一百五" is about the man, not the pipe (投诉物业 alone may blame it for a thing broken)
_STAFF_COMPLAINED_OF = re.compile(
    r"^\W*(?:我要|我想|我)?投诉(?:一下)?(?:物业的?|小区的?)?(?:保安|门卫|保洁|管家|前台|\S{0,3}师傅)"
)


# the one of two problems the resident asks to have filed: "…还有楼道窗户玻璃碎了…你们就帮我报电梯吧",
# "水龙头保洁阿姨拧紧了，就报秋千那个", "灯昨天已经报过了，这次说装修吵的事"
_FILE_THIS = re.compile(
    r"(?:就|只|先)(?:帮我)?报(?![了过完])(?:一下|个)?(?P<a>[^，,。！!？?\s]{1,8}?)(?:吧|那个|那件|这个|的事|就行|就好|[，,。！!]|$)"
    r"|这次(?:说|报|反映|讲)(?:一下)?(?P<b>[^，,。！!？?]{1,10}?)的事"
)


_TOLD = re.compile(r"^(?:给|的|到|了)|物业|保安|门卫|社区|居委|网格|那边|那里|那了|上去")


def _filed_instead(text: str, draft: Draft) -> Category | None:
    """The category of the problem the words ask to have filed, when another than the draft's."""
    said = _FILE_THIS.search(normalize(text))
    what = (said.group("a") or said.group("b") or "") if said else ""
    if not what or _TOLD.search(what):  # "早就报给物业了", "先报保安那了": whom it was told, not what
        return None
    found = category_in_text(what)
    if found is None or found.kind == "emergency" or found.key == draft.category:
        return None
    return found


def _file_instead(draft: Draft, found: Category) -> None:
    draft.category = found.key
    _take_kind(draft, found)


def _take_kind(draft: Draft, found: Category) -> None:
    """A category of another kind than the report's: the report takes that category's kind."""
    if found not in categories_for(draft.report):
        draft.report = "complaint" if found.kind != "repair" else "repair"


def _asked_of_people(text: str) -> Category | None:
    """What the words ask of people rather than of a thing: mediation asked for is a neighbours' dispute
    whatever they quarrel over ("…说漏水是我家漏的…想请社区调解员来评评理"); the property company's staff
    complained of by name, its service."""
    known = categories()
    if _MEDIATION_ASKED.search(text) and "dispute" in known:
        return known["dispute"]
    if _STAFF_COMPLAINED_OF.search(text) and "property_service" in known:
        return known["property_service"]
    return None


def _ask_category(ctx: Context, kind: str) -> None:
    labels = [c.label for c in categories_for(kind)]
    ctx.dialog.set(CATEGORY)
    ctx.say(
        "repairs.ask_category" if kind == "repair" else "repairs.ask_complaint",
        options=content.numbered(labels),
    )


def _mediation_asked(ctx: Context) -> None:
    if not ctx.msg.has_text or not MEDIATION.search(ctx.msg.text):
        return
    draft = Draft.of(ctx.dialog)
    if draft.category != "dispute" and "dispute" in categories():
        draft.category, draft.report = "dispute", "complaint"
        draft.keep(ctx.dialog)


async def _add_to_ticket(ctx: Context, ticket_id: int, words: str) -> str | None:
    ticket = await workflow.add_note(ticket_id, await ctx.person(), words, ctx.now())
    return content.text("repairs.added_ticket", number=ticket.number) if ticket else None


addendum.register("ticket", _add_to_ticket)


def _a_wish_instead(ctx: Context) -> bool:
    """The report was a wish after all: "那发个心愿嘛 …就是没人帮我装", "想找两个志愿者帮忙把我抬下楼"."""
    return ctx.msg.has_text and bool(WISH_ASKED.search(normalize(ctx.msg.text)))


@router.handle(state(CATEGORY, HOME_PLACE, PLACE, PHOTO, CONFIRM, DESCRIBE), _a_wish_instead)
async def wish_instead(ctx: Context) -> None:
    """A wish asked for in the middle of a report: the report set aside, the wish told in both messages."""
    before = COMMAND_FIRST.sub("", Draft.of(ctx.dialog).description)
    said = ctx.msg.text.strip()
    await ctx.redirect("wish", f"{before}，{said}" if before else said)


def _only_a_word(ctx: Context) -> bool:
    text = normalize(ctx.msg.text) if ctx.msg.has_text else ""
    return bool(text) and (bool(ONLY_A_WORD.search(text)) or asks_to_pass_on(text))


@router.handle(state(CATEGORY, HOME_PLACE, PLACE, PHOTO, CONFIRM, DESCRIBE), _only_a_word)
async def word_for_staff(ctx: Context) -> None:
    """Not a report after all but a word for the staff (thanks, praise): the story and this line left as
    a message."""
    await leave_message(ctx, story=COMMAND_FIRST.sub("", Draft.of(ctx.dialog).description))


# the report pressed on whoever will fix it, in the middle of it: "帮我转告王师傅尽快来修，晚上太黑了"
_PRESSED = re.compile(
    r"(?:转告|告诉|催一下|催催)\S{0,8}?(?:尽快|快点|赶紧|早点|马上)\S{0,4}?(?:来|修|弄|处理)"
)


def _pressed(ctx: Context) -> bool:
    """Pressed, and the step not answered too ("确认，告诉他们赶紧来修啊" confirms: the step's own)."""
    if not ctx.msg.has_text or not _PRESSED.search(text := normalize(ctx.msg.text)):
        return False
    return not (submits(text) or CONFIRMED.match(text) or declines_photo(text) or is_skip(first_part(text)))


@router.handle(state(PHOTO, CONFIRM), _pressed)
async def pressed(ctx: Context) -> None:
    """Not a message for the staff but the report's urgency: added to it, and the step asked again."""
    draft = Draft.of(ctx.dialog)
    said = ctx.msg.text.strip()
    draft.add_words(said)
    draft.keep(ctx.dialog)
    ctx.say("repairs.urgency_added")
    if ctx.dialog.question:
        ctx.say_text(ctx.dialog.question)


@router.handle(state(CATEGORY), has_text())
async def category_answer(ctx: Context) -> None:
    draft = Draft.of(ctx.dialog)
    options = categories_for(draft.report)
    labels = [c.label for c in options]
    choice = choose(ctx.msg.text, labels)
    # the answer's words, or the report's and the answer's together ("楼道里垃圾" to a list of repairs)
    said = ctx.msg.text.strip()
    found = options[choice - 1] if choice else _category_said(f"{said} {draft.description}", draft)
    if found is None and ctx.dialog.data.get("category_asked_again"):
        # asked twice: filed under the kind's general category, which the handler corrects if need be
        found = categories()[_CATCH_ALL[draft.report]]
        ctx.say("repairs.category_default", category=found.label)
    if found is None and ASKS_MORE.search(said) and not declines_photo(said):
        # a question instead of a category: the report was a question about a service all along ("满了
        # 八十岁政府每个月还给点钱 我们家咋个没得", then "那要拿哪样克办"), when the catalog is sure of the
        # two together
        together = f"{draft.description} {said}"
        if await lookup.catalog_knows(ctx, together):
            await ctx.redirect("service", together)
            return
    if found is None:  # more about the problem ("不是我们楼 是二栋楼门口"): kept with it, for its place
        if said not in draft.description:
            draft.add_words(said)
        draft.no_photo = draft.no_photo or declines_photo(said)
        draft.keep(ctx.dialog)
        ctx.dialog.update(category_asked_again=True)
        ctx.reask("repairs.category_again", options=content.numbered(labels))
        return
    if not draft.description:
        draft.description = said
    elif not choice and said not in draft.description:  # more about the problem: kept with it
        draft.description = f"{draft.description}；{said}"
    draft.no_photo = draft.no_photo or declines_photo(said)
    await _with_category(ctx, draft, found)


async def _with_category(ctx: Context, draft: Draft, category: Category) -> None:
    if category.role is None:
        ctx.dialog.clear()
        ctx.say("repairs.outside", text=category.outside)
        return
    draft.category = category.key
    person = await ctx.person()
    said = extract_address(draft.description)
    building = await queries.building_written(person.community_id, said)
    home = await home_this_turn(ctx)
    assert home is not None
    if building is not None:
        unit = said.unit or 0
        if not unit and building.id == home.building.id and not OUTSIDE_A_BUILDING.search(draft.description):
            unit = home.unit  # "3栋电梯又停了" from 3栋2单元: the resident's own unit
        await _with_place(ctx, draft, building.id, unit, formats.home(building.label, unit))
        return
    landmark = LANDMARK.search(draft.description)
    if landmark and not INDOORS.search(draft.description):
        await _with_place(ctx, draft, None, 0, landmark.group())
        return
    draft.home_building, draft.home_unit = home.building.id, home.unit
    draft.home_where = formats.home(home.building.label, home.unit)
    draft.keep(ctx.dialog, HOME_PLACE)
    ctx.say("repairs.ask_home_place", where=draft.home_where, category=category.label)


@router.handle(state(HOME_PLACE), has_text())
async def home_place_answer(ctx: Context) -> None:
    _mediation_asked(ctx)
    instead = named_instead(ctx.msg.text)
    if instead:  # "不是6栋，饭馆在7栋楼下": the building not denied
        await _take_place(ctx, instead)
        return
    fix = corrected(ctx.msg.text)
    if fix and len(fix) >= 2 and not extract_address(fix).empty:  # "不是，5栋1单元门口": the place itself
        await _take_place(ctx, fix)
        return
    draft = Draft.of(ctx.dialog)
    said = ctx.msg.text.strip()
    other = _filed_instead(said, draft)
    if other is not None:  # "灯昨天已经报过了，这次说装修吵的事": that one, the same question again
        _file_instead(draft, other)
        draft.description = f"{draft.description}；{said}"
        draft.keep(ctx.dialog, HOME_PLACE)
        ctx.say("repairs.ask_home_place", where=draft.home_where, category=other.label)
        return
    if NO_PLACE.search(said):  # "不是哪个地方，就是整个小区物业的服务态度问题": _take_place knows it
        await _take_place(ctx, said)
        return
    # "不是我家，我爸住5栋2单元，我是他女儿": the correction word's words hold no place, the answer does
    words = fix if fix and not extract_address(fix).empty else said
    named, home = extract_address(words), extract_address(draft.home_where)
    if named.building not in (None, home.building) or named.unit not in (None, home.unit):
        await _take_place(ctx, words)  # "3栋撒 挨到自行车棚那个", "二单元 五楼还是六楼": that place
        return
    choice = choose(said, ["是的", "不是，换个位置"], synonyms=_HOME_PLACE, yes=1, no=2)
    if choice is None and (named.room or A_ROOM.search(said)) and not NOT_OURS.search(said):
        choice = 1  # "就302 天天这样": a room of the resident's own unit
    first = PARTS.split(normalize(said))[0]
    if choice == 2 and yes_or_no(first, run_on=False) and (OUR_PLACE.search(said) or ASKS.search(said)):
        choice = 1  # "对 402 就我们单元 物业不是规定八点以后吗": the yes first, the 不是 in a question
    if choice == 2 and OUR_PLACE.search(said) and not NOT_OURS.search(said) and not ELSEWHERE.search(said):
        choice = 1  # "没有 已经出来了 … 就我们单元那部": the no was to something else
    if choice == 2 and RHETORICAL.search(said) and not ELSEWHERE.search(said):
        choice = None  # "这不是作死吗 新闻天天报": a remark, not a no (the question is asked again)
    if OBVIOUSLY.search(said):  # "不是对门还能是哪家": a yes, for all its 不是
        choice = 1
    ours = OUR_PLACE.search(said)
    if choice is None and ours and not NOT_OURS.search(said[: ours.start()]) and yes_or_no(said) is not False:
        choice = 1  # "是我们单元，五楼到六楼那里", "废话 当然是我们单元的", "是我家 就二楼"
    if choice is None and STAIRWAY.search(said) and not NOT_OURS.search(said) and not ELSEWHERE.search(said):
        choice = 1  # "坏了 楼道的": the home's stairway
    no_photo = declines_photo(said)
    if no_photo:  # "是的，在三楼，没拍照片": not asked for a photo afterwards
        draft.no_photo = True
    if choice == 1 and submits(said):  # "好 提交 拍谢": the place is the home's, and the report filed
        draft.no_photo = draft.submit = True
    if choice is None and (no_photo or is_skip(said) or submits(said)):
        # the resident is a step ahead ("这个没有照片，跳过", "提交 赶紧修"): the place suggested, no photo
        # asked for; the report is shown before it is filed, or filed at once when 提交 was said
        draft.no_photo = True
        draft.submit = submits(said)
        await _with_place(ctx, draft, draft.home_building, draft.home_unit, draft.home_where)
        return
    if choice != 1 and (ELSEWHERE.search(said) or (choice == 2 and OFFICE.search(said))):
        # "就东门进来那条道", "不是，北门外面", "不是楼里的事，在物业办公室": the place itself
        await _take_place(ctx, fix or said)
        return
    if choice == 1:
        await _with_place(ctx, draft, draft.home_building, draft.home_unit, draft.home_where)
    elif choice == 2:
        ctx.dialog.set(PLACE)
        ctx.say("repairs.ask_place")
    else:
        ctx.reask("repairs.home_place_again", where=draft.home_where)


@router.handle(state(PLACE), kind(Kind.LOCATION))
async def place_location(ctx: Context) -> None:
    loc = ctx.msg.location
    assert loc is not None
    draft = Draft.of(ctx.dialog)
    draft.latitude, draft.longitude = loc.latitude, loc.longitude
    await _with_place(ctx, draft, None, 0, loc.label or content.text("repairs.place_pinned"))


@router.handle(state(PLACE), has_text())
async def place_answer(ctx: Context) -> None:
    await _take_place(ctx, ctx.msg.text)


async def _take_place(ctx: Context, words: str) -> None:
    text = words.strip()
    fix = corrected(text)
    if fix and not extract_address(fix).empty:  # "3栋，不对，是5栋门口"
        text = fix
    if len(text) < 2:
        ctx.reask("repairs.place_again")
        return
    said = extract_address(text)
    draft = Draft.of(ctx.dialog)
    if declines_photo(text):  # "小广场上 靠东边那两个 没有照片": not asked for one afterwards
        draft.no_photo = True
        if said.empty and not ELSEWHERE.search(text) and not NEIGHBOUR.search(text):
            draft.keep(ctx.dialog)  # "没拍 手都是抖的": the photo answered, the place still to say
            ctx.reask("repairs.place_again")
            return
    if said.empty and NO_PLACE.search(text):  # "没有具体位置，整个小区都这样"
        await _with_place(ctx, draft, None, 0, content.text("repairs.place_whole_estate"))
        return
    if SUBMIT_ONLY.match(strip_punctuation(normalize(text))):  # "确认提交" is no place: filed without one
        draft.submit = True
        await _with_place(ctx, draft, None, 0, content.text("repairs.place_not_said"))
        return
    building = await queries.building_written((await ctx.person()).community_id, said)
    if said.empty and NEIGHBOUR.search(text):
        await _with_place(ctx, draft, draft.home_building, draft.home_unit, text[:60])  # "是楼上": ours
        return
    if building is None and (said.room or said.unit) and not said.has_building:
        # 楼上1802, 隔壁1单元的楼道: in the resident's own building
        await _with_place(ctx, draft, draft.home_building, said.unit or draft.home_unit, text[:60])
        return
    await _with_place(ctx, draft, building.id if building else None, said.unit or 0, text[:60])


# what stands on a public road is the road's: a manhole or a lamp outside the estate is 市政道路
_ROADSIDE = frozenset({"facility", "lighting"})


async def _with_place(ctx: Context, draft: Draft, building_id: int | None, unit: int, where: str) -> None:
    draft.building, draft.unit, draft.where = building_id, unit, where
    if building_id is None and draft.category in _ROADSIDE and ON_THE_ROAD.search(where):
        draft.category = "road"  # "井盖没了！" then "小区外面马路上 公交站往前一点"
    draft.keep(ctx.dialog)
    person = await ctx.person()
    assert person.community_id is not None  # require_home saw to it
    category = categories()[draft.category]
    if category.kind == "repair":
        same = await queries.likely_duplicates(
            person.community_id, category, building_id, ctx.now(), near=(draft.latitude, draft.longitude)
        )
        if same:
            first = same[0]
            draft.duplicate = first.id
            draft.keep(ctx.dialog, DUPLICATE)
            ctx.say(
                "repairs.duplicate",
                where=where,
                category=category.label,
                number=first.number,
                status=status_label(first.status),
            )
            return
    await _ask_photo(ctx, draft)


def _dropped(ctx: Context, said: str) -> bool:
    """ "师傅已经来修了 那不报了 算了": the report left, and said so (False: it goes on)."""
    dropped = DROPPED.search(normalize(said))
    if not dropped or submits(said):
        return False
    if dropped.group().startswith("算了") and declines_photo(said):  # "录音发不了 算了": the photo given up
        return False
    ctx.dialog.clear()
    ctx.say("repairs.dropped")
    return True


async def _ask_photo(ctx: Context, draft: Draft) -> None:
    if draft.submit:
        await _file(ctx, draft, shown=False)
        return
    if draft.photo or draft.no_photo:  # sent before the words ("[photo]" then "这个漏水谁管"), or declined
        _confirm(ctx, draft)
        return
    ctx.dialog.set(PHOTO)
    ctx.say("repairs.ask_photo")


@router.handle(state(DUPLICATE), has_text())
async def duplicate_answer(ctx: Context) -> None:
    labels = ["关注这个工单，有进展通知我", "不是同一个问题，我要单独报修"]
    choice = choose(ctx.msg.text, labels, synonyms=_DUPLICATE, yes=1, no=2)
    draft = Draft.of(ctx.dialog)
    if choice == 1 and draft.duplicate is not None:
        ticket = await workflow.follow(draft.duplicate, await ctx.person())
        ctx.dialog.clear()
        ctx.say("repairs.following", number=ticket.number)
    elif choice == 2:
        await _ask_photo(ctx, draft)
    else:
        ctx.reask("repairs.duplicate_again")


@router.handle(state(PHOTO), kind(Kind.IMAGE))
async def photo(ctx: Context) -> None:
    draft = Draft.of(ctx.dialog)
    draft.photo = ctx.msg.media_id
    _confirm(ctx, draft)


@router.handle(state(CATEGORY, HOME_PLACE, PLACE, DUPLICATE, CONFIRM, DESCRIBE), kind(Kind.IMAGE))
async def photo_at_any_step(ctx: Context) -> None:
    """A photo before it is asked for: attached to the report, and the step's question asked again."""
    draft = Draft.of(ctx.dialog)
    draft.photo = ctx.msg.media_id
    if ctx.dialog.state == CONFIRM:
        _confirm(ctx, draft)
        return
    draft.keep(ctx.dialog)
    ctx.say("repairs.photo_attached")
    if ctx.dialog.question:
        ctx.say_text(ctx.dialog.question)


@router.handle(state(PHOTO), has_text())
async def photo_text(ctx: Context) -> None:
    """跳过 (or 不方便: no photo), a yes (a photo is coming), or more words about the problem ("灯在三楼楼梯
    口"): added to the description, and the report shown to confirm (a photo may still follow)."""
    _mediation_asked(ctx)
    said = ctx.msg.text.strip()
    if await _place_corrected(ctx):  # "不好意思说错了，是5栋1单元": the place, not a no to a photo
        return
    answer = yes_or_no(said)
    draft = Draft.of(ctx.dialog)
    if _dropped(ctx, said):
        return
    if submits(said) or CONFIRMED.match(normalize(said)):  # "提交", "确认": no photo, filed as it stands
        await _file(ctx, draft, shown=False)
    elif is_skip(said) or answer is False or declines_photo(said):
        draft.no_photo = True
        _confirm(ctx, draft)
    elif PHOTO_COMING.search(normalize(said)):
        ctx.say("repairs.photo_wait")
    elif _WHO_AND_WHEN.search(said) and ASKS_MORE.search(said):  # "一般报了多久能修好啊？"
        _who_and_when(ctx, draft)
        ctx.say("repairs.photo_again")
    elif answer is True and await _unit_added(ctx, draft, said):
        return
    elif answer is True or len(ctx.word) < 2 or ASKS.search(said):  # "这个怎么拍": still the photo
        ctx.reask("repairs.photo_again")
    else:
        draft.add_words(said)
        await _place_refined(ctx, draft, said)
        other = _filed_instead(said, draft)
        if other is not None:  # "水龙头已经拧紧了，就报秋千那个": the report is that one
            _file_instead(draft, other)
        ctx.say("repairs.photo_words_added")
        _confirm(ctx, draft)


# asked of the report at one of its steps: how long it takes, and whose it is
_WHO_AND_WHEN = re.compile(
    r"多久|几天|多长时间|多少天|(?:什么|啥|哪个|啥子)时候(?:能|会|可以|才)?(?:修|来|处理|弄|好)|好久"
    r"|谁来|谁管|哪个(?:来|管)|归谁|谁负责|城管还是物业"
)


def _who_and_when(ctx: Context, draft: Draft) -> None:
    category = categories()[draft.category]
    who = content.text(f"repairs.handler.{category.handler}")
    ctx.say("repairs.who_and_when", who=who, hours=formats.hours(category.resolution_hours))


async def _place_refined(ctx: Context, draft: Draft, said: str) -> bool:
    """ "1单元 单元门上面那个灯" (or "3栋2单元那部") about a report placed in 2栋 (3栋): the unit the place
    lacked (False: nothing refined)."""
    address = extract_address(said)
    if draft.building is None or draft.unit or not address.unit or address.letter is not None:
        return False
    building = await queries.building_by_id(draft.building)
    if building is None or address.building not in (None, building.number):
        return False
    if building.units and address.unit > building.units:
        return False
    draft.unit = address.unit
    draft.where = formats.home(building.label, address.unit)
    return True


async def _unit_added(ctx: Context, draft: Draft, said: str) -> bool:
    """ "对，1单元，我店就是101…" at the photo: a yes to no question asked, with the unit the place lacked;
    the words kept, the report shown to confirm (a photo may still follow)."""
    if ASKS.search(said) or not await _place_refined(ctx, draft, said):
        return False
    draft.add_words(said)
    ctx.say("repairs.photo_words_added")
    _confirm(ctx, draft)
    return True


def _confirm(ctx: Context, draft: Draft) -> None:
    draft.keep(ctx.dialog, CONFIRM)
    ctx.say(
        "repairs.confirm",
        category=categories()[draft.category].label,
        where=draft.where,
        description=content.text("repairs.confirm_description", text=draft.description) + "\n"
        if draft.description
        else "",
        photo=content.text("repairs.photo_yes") + "\n" if draft.photo else "",
    )


# "不用了" at the confirmation while the photo was never answered (words were added at the photo step, and
# the report shown): no photo, not "2 修改描述"
_NO_NEED = re.compile(r"^(?:不用了?|不需要了?|不要了|没有|没得|不用拍了?|不必了?)(?:谢谢)?$")


@router.handle(state(CONFIRM), has_text())
async def confirm(ctx: Context) -> None:
    if await _place_corrected(ctx):
        return
    said = ctx.msg.text.strip()
    if _dropped(ctx, said):
        return
    draft = Draft.of(ctx.dialog)
    # "没拍 跳过", or "不用了" while the photo was never answered: the photo question, a step behind
    behind = not draft.photo and not draft.no_photo and _NO_NEED.match(ctx.word)
    if (declines_photo(said) or behind) and not submits(said):
        draft.no_photo = True
        draft.keep(ctx.dialog)
        ctx.say("repairs.no_photo_noted")
        ctx.reask("repairs.confirm_again")
        return
    choice = choose(said, ["提交", "修改描述"], synonyms=_CONFIRM, yes=1, no=2)
    if choice is None and submits(said) and yes_or_no(said) is not False:
        choice = 1  # "要得 交上去 莫讲是我报的啊", "交交交"
    if choice == 2:
        ctx.dialog.set(DESCRIBE)
        ctx.say("repairs.ask_description")
        return
    if choice != 1:
        if choice is None and _WHO_AND_WHEN.search(said) and ASKS_MORE.search(said):  # "几天能修好？"
            _who_and_when(ctx, draft)
        ctx.reask("repairs.confirm_again")
        return
    await _file(ctx, draft, shown=True)


async def _file(ctx: Context, draft: Draft, *, shown: bool) -> None:
    """The ticket filed; ``shown``: the report was shown to confirm, else what was filed is said with it."""
    person = await ctx.person()
    assert person.community_id is not None  # require_home saw to it
    category = categories()[draft.category]
    ticket = await workflow.report(
        ReportRepair(
            reporter=person,
            community_id=person.community_id,
            category=category,
            description=draft.description,
            source_key=f"chat:{draft.source}",
            building_id=draft.building,
            unit=draft.unit,
            place=draft.where,
            latitude=draft.latitude,
            longitude=draft.longitude,
            photo_media_ids=(draft.photo,) if draft.photo else (),
        ),
        ctx.now(),
    )
    ctx.dialog.clear()
    ctx.dialog.update(filed=ticket.number)  # no step open; a late "跳过" or "提交" is told it is done
    addendum.remember(ctx, "ticket", ticket.id)
    who = content.text(f"repairs.handler.{category.handler}")
    if not shown:
        ctx.say("repairs.filed_as", category=category.label, where=draft.where)
    ctx.say(
        "repairs.submitted", number=ticket.number, who=who, hours=formats.hours(category.resolution_hours)
    )
    if category.outside:  # not the community's own: passed on, and the resident may call too
        ctx.say_text(category.outside)


def _late_step_answer(ctx: Context) -> bool:
    """Just after filing, with no step open, an answer to a step already passed ("跳过 太臭了不想凑近拍",
    "ok 提交"): the report is filed, not started again."""
    if ctx.dialog.state is not None or not ctx.dialog.data.get("filed") or not ctx.msg.has_text:
        return False
    parts = [p for p in PARTS.split(normalize(ctx.msg.text)) if p][:2]  # "ok 提交", "跳过 太臭了"
    # a bare "确认" said again; not "确认了，谢谢" (thanks) nor "确认，还有5栋电梯也坏了" (a new report)
    confirmed = _CONFIRMED_ALONE.fullmatch(ctx.word) is not None
    return confirmed or any(submits(p) or is_skip(p) or declines_photo(p) for p in parts)


_CONFIRMED_ALONE = re.compile(r"(?:确认|确定)(?:提交|无误)?[了吧啦哈]*")


@router.handle(_late_step_answer, phase=Phase.DIALOG)
async def already_filed(ctx: Context) -> None:
    ctx.say("repairs.already_filed", number=ctx.dialog.data["filed"])


# a place of the estate in the open, that a correction can move a report to (not a garage, which may be under
# a building)
_OPEN_SPOT = re.compile(r"[东南西北]大?门|大门|正门|后门|小?花园|小?广场|小区外面?|外面(?:的|那条)?马路|马路")


async def _place_corrected(ctx: Context) -> bool:
    """ "不对，是5栋1单元": the place changes, the rest of the report stays (False: nothing corrected)."""
    fix = named_instead(ctx.msg.text) or corrected(ctx.msg.text)  # "五栋一单元 不是俺们二栋的": 五栋
    said = extract_address(fix) if fix else None
    if fix is None or said is None or WHERE_I_AM.search(fix):
        return False  # "不是我们楼的 我在三栋六楼看得清清楚楚": where the resident is, not the place
    draft = Draft.of(ctx.dialog)
    if said.building is None and not said.unit:  # "哎不是 说错了 是东门 进来那个口子": a place of the estate
        spot = _OPEN_SPOT.search(fix)
        if spot is None or INDOORS.search(fix) or ASKS_MORE.search(ctx.msg.text) or len(fix) > 24:
            return False  # "…另外请问，东门那个充电棚什么时候能建好？": a question, not a place
        if draft.category == "lift":  # "不是，是地下车库到一楼那段": still the building's lift
            return False
        draft.building, draft.unit = None, 0
        return _moved(ctx, draft, spot.group())
    if said.building is not None:
        building = await queries.building_numbered((await ctx.person()).community_id, said.building)
    else:  # "打错了 是3单元": another unit of the same building
        building = await queries.building_by_id(draft.building) if draft.building else None
    if building is None:
        return False
    unit = said.unit or 0
    if building.id == draft.building and not unit:  # "不是我家那栋 是五栋的": the place as it was
        unit = draft.unit
    if said.building is None or unit != (said.unit or 0):
        where = formats.home(building.label, unit)
    else:
        where = fix.strip("。.！!")[:60]
    draft.building, draft.unit = building.id, unit
    return _moved(ctx, draft, where)


def _moved(ctx: Context, draft: Draft, where: str) -> bool:
    draft.where = where
    draft.latitude = draft.longitude = None
    if ctx.dialog.state == PHOTO:  # the photo question is still open: asked again with the new place
        draft.keep(ctx.dialog)
        ctx.say("repairs.place_changed_photo", where=draft.where)
        return True
    _confirm(ctx, draft)
    return True


# a yes or a "leave it" with nothing else: no new description ("不对，是漏水" is one)
_KEEP = re.compile(
    r"^(?:(?:好的?|好滴|好嘞|行|要得|中|嗯+|对的?|是的?|可以|没问题|得嘞|ok)+|不改了?|不用改了?|不修改了?|就这样吧?"
    r"|算了不改了?|原样吧?)$"
)


@router.handle(state(DESCRIBE), has_text())
async def describe(ctx: Context) -> None:
    draft = Draft.of(ctx.dialog)
    said = ctx.msg.text.strip()
    if draft.description and (
        CONFIRMED.match(normalize(said)) or (yes_or_no(said, run_on=False) is True and submits(said))
    ):
        await _file(ctx, draft, shown=True)  # "确认", "对 提交": the description shown stands
        return
    if draft.description and _KEEP.match(ctx.word):
        _confirm(ctx, draft)  # "要得要得", "不改了": no new description; the report shown again
        return
    draft.description = said
    found = category_in_text(ctx.msg.text, draft.report)
    if found is not None and found.key != draft.category and found.role is not None:
        draft.category = found.key
    _confirm(ctx, draft)


# -- my tickets, urge ---------------------------------------------------------------------------------
@router.handle(intent("my_tickets"), idle())
async def my_tickets(ctx: Context) -> None:
    tickets = await queries.my_latest(await ctx.person(), ctx.now())
    if not tickets:
        ctx.say("repairs.none_yet")
        return
    ctx.say("repairs.mine", lines="\n".join(_line(t, with_place=False) for t in tickets))


@router.handle(intent("urge"), idle())
async def urge(ctx: Context) -> None:
    person = await ctx.person()
    ticket = await queries.latest_open(person)
    if ticket is None:
        ctx.say("repairs.nothing_open")
        return
    await workflow.urge(ticket.id, person, ctx.now())
    ctx.say("repairs.urged", number=ticket.number)
