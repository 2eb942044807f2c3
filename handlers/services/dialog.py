"""The chat side of 办事查询: a question in the resident's words gets the best catalog entry as a card (and
the next two, numbered, when unsure); office hours from the schedule and the holiday calendar; browsing by
line; and, when nothing fits, an honest answer, a hand-off to a person, and the right outside line."""

from __future__ import annotations

import datetime as dt
import re

import content
from bot.dispatcher import Context, Phase, Router, has_text, idle, intent, state
from handlers.common import formats, lookup
from handlers.common.answers import choose, extract_choice, is_no, numbered_or_yes_no, yes_or_no
from handlers.common.menu import offer_choices, show_menu
from handlers.common.workflow import record_message
from handlers.services import hours, search
from handlers.services.catalog import Catalog, Entry, Office, catalog
from handlers.services.queries import DEFAULT, catalog_code
from nlp.slots import extract_date

router = Router("services")
router.menu_entry("service", order=45)

MORE = "idle:services:more"
LINES = "idle:services:lines"
ENTRIES = "idle:services:entries"
HANDOFF = "idle:services:handoff"
DETAIL = "idle:services:detail"
_DETAIL_WORDS = {"详情", "详细", "全部", "看详情", "查看详情", "详细点", "具体点", "具体"}
_HOLIDAY_WORDS = {"五一": "劳动节", "十一": "国庆节", "过年": "春节", "新年": "元旦"}


async def community_code(ctx: Context) -> str:
    return await catalog_code(await ctx.person())


# a story and a question about it that the catalog answers this surely (a card's usual lead is 3): asked
# of another feature's step, it was a service question all along
STORY_SURE = 5.0


async def _knows_for_sure(ctx: Context, text: str) -> bool:
    found = search.ask(await community_code(ctx), text)
    return found.sure and found.scores[0] >= STORY_SURE


lookup.register(_knows_for_sure)


async def _finds(ctx: Context, text: str) -> bool:
    return not search.ask(await community_code(ctx), text).none


lookup.register_finder(_finds)


# what a question asks about, in the order a short card leads with it (the words that ask for it)
_ASKED = (
    ("documents", ("带", "材料", "证件", "准备", "资料", "证明")),
    ("where", ("哪", "地址", "地点", "去")),
    ("phone", ("电话", "号码", "打给", "联系")),
    ("when", ("几点", "时间", "什么时候", "哪天", "上班")),
    ("who", ("条件", "能不能", "能否", "可以", "够不够", "符合", "谁", "能领", "能办", "领不", "办不")),
    ("steps", ("怎么", "流程", "步骤", "手续", "如何")),
)
_DEFAULT_LEAD = ("documents", "where", "phone")  # a bare question: what to bring and where
_AFTER_ASKED = ("where", "phone", "documents")  # after what was asked: where to go, whom to call
_REMARK = re.compile(r"[（(][^）)]*[）)]")


def short_card(cat: Catalog, entry: Entry, question: str = "") -> str:
    """The answer first, in two short lines (what the question asks, else what to bring and where), the
    rest behind "详情" (a 70-year-old reads the first lines, not a form)."""
    shown = cat.resolved(entry)
    values = {
        "documents": "、".join(_REMARK.sub("", d).strip() for d in shown.documents),
        "where": shown.where,
        "phone": shown.phone,
        "when": shown.when,
        "who": shown.who,
        "steps": " ".join(f"{i}. {s}" for i, s in enumerate(shown.steps, start=1)),
    }
    asked = [field for field, words in _ASKED if any(w in question for w in words)]
    then = _AFTER_ASKED if asked else _DEFAULT_LEAD
    lead = [f for f in dict.fromkeys([*asked, *then]) if values[f]][:2]
    lines = [content.text(f"services.short.{f}", value=values[f]) for f in lead]
    return content.text("services.short_card", name=shown.name, lines="\n".join(lines))


def show_card(ctx: Context, cat: Catalog, entry: Entry, question: str = "") -> None:
    ctx.dialog.clear()
    ctx.dialog.set(DETAIL, key=entry.key)
    ctx.say_text(short_card(cat, entry, question))


@router.handle(state(DETAIL), has_text(), lambda ctx: ctx.word in _DETAIL_WORDS)
async def detail(ctx: Context) -> None:
    cat = catalog(await community_code(ctx))
    entry = cat.entries.get(ctx.dialog.data["key"])
    ctx.dialog.clear()
    if entry is not None:
        ctx.say_text(card(cat, entry))


def _about_the_card(ctx: Context) -> bool:
    """After a card, a question about it ("要带照片吗", "都要带啥东西", "几点上班"): what it asks of that
    entry, unless the search is sure of another entry (then it is a new question: ``card_question``)."""
    text = ctx.msg.text
    if not any(mark in text for mark in (*_QUESTION, "?", "？", "呢")) and not _ELIGIBLE.search(text):
        return False  # "我想去报修" names a place word, and asks nothing of the card
    if ctx.classification.label not in (None, "service"):
        return False
    return any(word in text for _, words in _ASKED for word in words) or any(
        word in text for word in _CARD_WORDS
    )


_ELIGIBLE = re.compile(r"能领|能办|能申请|能不能(?:领|办|申请)|可以领|可以办|领不|办不|算不算|符合")
_CONDITIONS = re.compile(r"户口|户籍|外地|老家|本地|外省|租房|租的房")
_CARD_WORDS = ("照片", "复印件", "东西", "费用", "收费", "多少钱", "要钱", "多久", "几天")


@router.handle(state(DETAIL), has_text(), _about_the_card)
async def card_question(ctx: Context) -> None:
    code = await community_code(ctx)
    # "她户口还在河南老家，在这儿能领不": who may, asked of the card; the conditions name no other entry
    words = _CONDITIONS.sub(" ", ctx.msg.text) if _ELIGIBLE.search(ctx.msg.text) else ctx.msg.text
    found = search.ask(code, words)
    if found.sure and found.entries[0].key != ctx.dialog.data.get("key"):  # a new question after all
        await answer(ctx, found)
        return
    cat = catalog(code)
    entry = cat.entries.get(ctx.dialog.data["key"])
    if entry is None:
        ctx.dialog.clear()
        show_menu(ctx, "common.not_understood")
        return
    asked = [field for field, words in _ASKED if any(w in ctx.msg.text for w in words)]
    # what to bring is the usual follow-up: "要带照片吗" is about the documents
    question = ctx.msg.text if asked else f"{ctx.msg.text} 带"
    show_card(ctx, cat, entry, question)


def card(cat: Catalog, entry: Entry) -> str:
    """The whole card (what "详情" shows)."""
    shown = cat.resolved(entry)
    documents = (
        content.text("services.card_documents", documents="；".join(shown.documents)) + "\n"
        if shown.documents
        else ""
    )
    steps = " ".join(f"{i}. {s}" for i, s in enumerate(shown.steps, start=1))
    link = content.text("services.card_link", link=shown.link) if shown.link else ""
    return content.text(
        "services.card",
        name=shown.name,
        what=shown.what,
        who=shown.who,
        documents=documents,
        where=shown.where,
        when=shown.when,
        phone=shown.phone or content.text("wishes.no_phone"),
        steps=steps,
        link=link,
    )


# -- office hours ----------------------------------------------------------------------------------------
@router.handle(intent("office_hours"), idle())
async def office_hours(ctx: Context) -> None:
    code = await community_code(ctx)
    office = catalog(code).office
    if code == DEFAULT:
        ctx.say("services.hours_unbound")
        ctx.say_text(_week(office))
        return
    now = ctx.now()
    holiday = _holiday_named(ctx.msg.text, now.date())
    if holiday is not None:
        ctx.say_text(_holiday_answer(office, holiday, now))
        return
    day = extract_date(ctx.msg.text, now.date())
    if day is not None and day != now.date():
        ctx.say_text(_day_answer(office, day, now.date()))
        return
    ctx.say_text(_now_answer(office, now))


def _office_values(office: Office) -> dict[str, str]:
    return {"office": office.name, "address": office.address, "phone": office.phone}


def _duty(office: Office) -> str:
    phone = office.duty_phone or office.phone
    return content.text("services.hours_duty", phone=phone) if phone else ""


def _next(status: hours.Status, today: dt.date) -> str:
    if status.next_open is None:
        return content.text("services.hours_no_next")
    return content.text(
        "services.hours_next",
        day=formats.day_from(status.next_open.date(), today),
        time=f"{status.next_open:%H:%M}",
    ).strip()


def _now_answer(office: Office, now: dt.datetime) -> str:
    status = hours.status(office, now)
    spans = hours.describe_spans(status.today)
    if status.holiday:
        return content.text(
            "services.hours_holiday",
            holiday=status.holiday,
            office=office.name,
            next=_next(status, now.date()),
            duty=_duty(office),
        )
    key = "services.hours_open" if status.open_now else "services.hours_closed"
    said = content.text(key, spans=spans, next=_next(status, now.date()), **_office_values(office))
    unknown = [d for d in (now.date(), status.next_open and status.next_open.date()) if d]
    unknown = [d for d in unknown if not hours.calendar().known(d)]
    if unknown:  # last year's calendar says nothing about next year's holidays
        said += "\n" + content.text("services.hours_next_unannounced", year=unknown[0].year)
    return said


def _day_answer(office: Office, day: dt.date, today: dt.date) -> str:
    cal = hours.calendar()
    name = cal.holidays.get(day)
    label = formats.day_from(day, today)
    if not cal.known(day):
        return content.text(
            "services.hours_day_unannounced",
            year=day.year,
            office=office.name,
            day=label,
            spans=hours.describe_spans(hours.spans_on(office, day)),
        )
    if name:
        return content.text(
            "services.hours_day_holiday", day=label, holiday=name, office=office.name, duty=_duty(office)
        )
    return content.text(
        "services.hours_day",
        office=office.name,
        day=label,
        spans=hours.describe_spans(hours.spans_on(office, day)),
    )


def _holiday_named(text: str, today: dt.date) -> tuple[str, tuple[dt.date, dt.date] | None] | None:
    """A holiday the question names (国庆, 五一...): its name and its period on or still to come (None when
    that is in a year whose arrangement is not announced yet: never last year's dates)."""
    cal = hours.calendar()
    for word, name in _HOLIDAY_WORDS.items():
        text = text.replace(word, name)
    for name in dict.fromkeys(cal.holidays.values()):
        if name.removesuffix("节") in text:
            return name, cal.next_period(name, today)
    return None


def _holiday_answer(
    office: Office, holiday: tuple[str, tuple[dt.date, dt.date] | None], now: dt.datetime
) -> str:
    name, period = holiday
    if period is None:
        known = hours.calendar().periods(name)
        year = max(now.year, known[-1][0].year + 1) if known else now.year
        return content.text(
            "services.hours_holiday_unannounced",
            year=year,
            holiday=name,
            office=office.name,
            duty=_duty(office),
        )
    first, last = period
    back = last + dt.timedelta(days=1)
    while not hours.spans_on(office, back) and back < last + dt.timedelta(days=14):
        back += dt.timedelta(days=1)
    return content.text(
        "services.hours_holiday_range",
        holiday=name,
        start=formats.day(first, weekday=False),
        end=formats.day(last, weekday=False),
        office=office.name,
        back=formats.day_from(back, now.date()),
        duty=_duty(office),
    )


def _week(office: Office) -> str:
    return content.text(
        "services.hours_week",
        office=office.name,
        weekdays=hours.describe_spans(office.hours.get("weekdays", ())),
        saturday=hours.describe_spans(office.hours.get("saturday", ())),
        sunday=hours.describe_spans(office.hours.get("sunday", ())),
    )


# -- picking from a list -----------------------------------------------------------------------------------
def _picked(ctx: Context) -> dict[str, int] | bool:
    """A number or (a part of) a name in the list: "2", "第二个", "居住证续签". The list is idle: a sentence
    is a new question, not a pick."""
    keys = list(ctx.dialog.data.get("keys") or [])
    labels = list(ctx.dialog.data.get("labels") or [""] * len(keys))
    choice = choose(ctx.msg.text, labels, loose=False) if keys else None
    return {"picked": choice} if choice else False


@router.handle(state(MORE, ENTRIES), has_text(), _picked)
async def pick_entry(ctx: Context) -> None:
    keys = ctx.dialog.data["keys"]
    choice = ctx.data["picked"]
    cat = catalog(await community_code(ctx))
    entry = cat.entries.get(keys[choice - 1])
    ctx.dialog.clear()
    if entry is not None:
        show_card(ctx, cat, entry)


# a question after "您是想了解：…" that picks nothing ("要去医院做鉴定吗"): read with the question before it
_FOLLOW_UP = re.compile(r"[吗?？]|怎么|咋|哪|要不要|需不需要|能不能|可不可以|多少|多久|什么")


def _follow_up(ctx: Context) -> bool:
    asked = bool(ctx.dialog.data.get("question"))
    return asked and bool(_FOLLOW_UP.search(ctx.msg.text)) and not _picked(ctx)


@router.handle(state(MORE), has_text(), _follow_up)
async def follow_up(ctx: Context) -> None:
    """The question asked again with more said: the listed entry both point to is the card; anything else
    is a new message, read as if nothing had been asked."""
    code = await community_code(ctx)
    keys = list(ctx.dialog.data.get("keys") or [])
    # the new words alone first ("评的时候要本人去吗" is about 评残), else read with the question before
    alone = search.ask(code, ctx.msg.text)
    listed_alone = alone.entries[0].key if alone.entries and alone.entries[0].key in keys else None
    # what the new words surely ask about, listed or not ("他下不了床，能不能不去现场评定？" is about 评残)
    picked = alone.entries[0].key if alone.sure else listed_alone
    if picked is None:  # else read with the question before
        found = search.ask(code, f"{ctx.dialog.data['question']} {ctx.msg.text}")
        picked = found.entries[0].key if found.entries and found.entries[0].key in keys else None
    cat = catalog(code)
    entry = cat.entries.get(picked) if picked else None
    ctx.dialog.clear()
    if entry is None:
        await ctx.dispatcher.feed(ctx)
        return
    show_card(ctx, cat, entry, ctx.msg.text)


@router.handle(state(LINES), has_text(), _picked)
async def pick_line(ctx: Context) -> None:
    keys = ctx.dialog.data["keys"]
    cat = catalog(await community_code(ctx))
    line = keys[ctx.data["picked"] - 1]
    entries = [e for e in cat.entries.values() if e.line == line]
    ctx.dialog.clear()
    ctx.dialog.set(ENTRIES, keys=[e.key for e in entries], labels=[e.name for e in entries])
    ctx.say("services.entries", line=cat.lines[line], options=content.numbered([e.name for e in entries]))


# words that ask for the question to be passed on, where no yes is said ("帮我问问", "转给他们吧")
_PASS_ON = re.compile(r"转|(?:帮|替)(?:我|忙)问|问问?(?:他们|工作人员|社区)|交给|留个?言|回复我|答复我")
# the resident's own plan, or an acknowledgement, after a yes: "好的，我找房东要合同去", "好 晓得了 谢谢你们"
_OWN_PLAN = re.compile(
    r"(?:我|俺|我们)(?:自己|再|先|回头|去|找|问问|跑一趟)|晓得了|知道了|明白了|懂了|(?:带|陪)(?:他|她|老人)去|去看看"
)


def _wants_hand_off(text: str) -> bool:
    """ "1", a yes, or words asking to pass it on; not a yes followed by the resident's own plan or an
    acknowledgement, which closes the matter."""
    choice = numbered_or_yes_no(text, 1, no=None)
    if choice is None:
        return _PASS_ON.search(text) is not None and yes_or_no(text) is not False
    if choice != 1:
        return False
    return extract_choice(text, 1) == 1 or _PASS_ON.search(text) is not None or not _OWN_PLAN.search(text)


@router.handle(state(HANDOFF), has_text(), lambda ctx: _wants_hand_off(ctx.msg.text))
async def hand_off(ctx: Context) -> None:
    question = ctx.dialog.data["question"]
    ctx.dialog.clear()
    number = await record_message(await ctx.person(), question, ctx.now())
    ctx.say("services.handed_off", number=number)


@router.handle(state(HANDOFF), has_text(), lambda ctx: is_no(ctx.msg.text))
async def no_hand_off(ctx: Context) -> None:
    ctx.dialog.clear()
    ctx.say("services.not_handed_off")


# -- questions -------------------------------------------------------------------------------------------
def _browse(ctx: Context, cat: Catalog) -> None:
    used = [line for line in cat.lines if any(e.line == line for e in cat.entries.values())]
    ctx.dialog.clear()
    ctx.dialog.set(LINES, keys=used, labels=[cat.lines[line] for line in used])
    ctx.say("services.lines", options=content.numbered([cat.lines[line] for line in used]))


async def answer(ctx: Context, found: search.Found) -> None:
    """A card only when the search is sure; otherwise the likely entries to choose from (a confident card
    on an unrelated entry is worse than a question)."""
    cat = catalog(await community_code(ctx))
    ctx.dialog.clear()
    if not found.sure:
        ctx.dialog.set(
            MORE,
            keys=[e.key for e in found.entries],
            labels=[e.name for e in found.entries],
            question=ctx.msg.text.strip()[:500],
        )
        ctx.say("services.unsure", options=content.numbered([e.name for e in found.entries]))
        return
    show_card(ctx, cat, found.entries[0], ctx.msg.text)


_SHORT_FOLLOW = 12  # a question this short after one not understood may finish it ("满80了" / "听说有补贴")


@router.handle(intent("service"), idle())
async def service_question(ctx: Context) -> None:
    code = await community_code(ctx)
    found = search.ask(code, ctx.msg.text) if ctx.msg.text.strip() else search.Found([], [])
    # a question not understood just before, that this one may finish ("我公公今年满80了" / "听说有补贴")
    before = str(ctx.dialog.data.get("question" if ctx.dialog.state == HANDOFF else "unclear") or "")
    if before and len(ctx.word) <= _SHORT_FOLLOW:  # "我公公今年满80了" then "听说有补贴": one question
        together = search.ask(code, f"{before} {ctx.msg.text}")
        if not together.none and (found.none or not found.sure or together.sure):
            found = together
    # asked at a step of a report set aside for it, about the story the report was told in ("我儿子…耳朵烧坏
    # 了…听人说办了以后上学就业都有照顾", then "要去哪个医院检查？"): the two together, when surely so
    paused = (ctx.dialog.paused or {}).get("data", {})
    story = str(paused.get("description") or "")
    if story and not found.sure:
        together = search.ask(code, f"{story} {ctx.msg.text}")
        if together.sure and together.scores[0] >= STORY_SURE:
            found = together
            if not paused.get("category"):  # no kind of problem found in it: the story was this question's
                ctx.dialog.drop_paused()
    if not found.none:
        await answer(ctx, found)
        return
    if ctx.classification.source == "rule" and len(ctx.word) <= 6:  # "办事", "办事指南": the whole catalog
        _browse(ctx, catalog(code))
        return
    if not _asks(ctx):  # "真的？": no question to hand anyone
        show_menu(ctx, "common.not_understood")
        return
    _not_found(ctx)


def _not_found(ctx: Context, key: str = "services.not_found") -> None:
    ctx.dialog.clear()
    ctx.dialog.set(HANDOFF, question=ctx.msg.text.strip()[:2000])
    ctx.say(key, outside=outside_line(ctx.msg.text))


@router.handle(intent("out_of_scope"), idle())
async def out_of_scope(ctx: Context) -> None:
    """Something the community does not do (an advert, the weather, shares): said plainly, with the outside
    line its words point to, and the offer to pass it to a person all the same."""
    _not_found(ctx, "services.out_of_scope")


def outside_line(question: str) -> str:
    """The outside hotline that fits the question's words (content/services/outside_lines.yaml)."""
    for line in content.load_yaml("services/outside_lines.yaml")["lines"]:
        if any(word in question for word in line["words"]):
            return content.text("services.outside_line", phone=line["phone"], label=line["label"])
    return content.text("services.outside_general")


_QUESTION = (
    "吗",
    "怎么",
    "怎样",
    "如何",
    "哪",
    "什么",
    "啥",
    "几",
    "谁",
    "能不能",
    "可不可以",
    "电话",
    "多少",
    "真的假的",
    "是不是",
    "有没有",
)


def _catalog_answers(ctx: Context) -> bool:
    """The last resort before "not understood": a question, or words the default catalog knows. Anything
    else (a greeting, a stray word) still reaches the fallback and its menu."""
    if not ctx.msg.has_text or ctx.classification.candidates or len(ctx.word) < 2:
        return False  # an intent, or a tie between intents (the fallback offers the choice)
    if ctx.classification.label not in (None, "service"):
        return False  # the model reads something else into it: no confident card on an unrelated entry
    return _asks(ctx) or not search.ask(DEFAULT, ctx.msg.text).none


def _asks(ctx: Context) -> bool:
    """A question worth handing to a person: long enough, with a question word ("真的？" is none)."""
    return len(ctx.word) >= 4 and any(mark in ctx.word for mark in _QUESTION)


# help from people asked for: a wish may be meant, and the choice stays the resident's
_HELP_ASKED = re.compile(r"有人|人帮|帮忙|帮我|帮俺|留言|留个言|陪")


def _a_question_the_catalog_knows(ctx: Context) -> bool:
    """ "您是想：1 微心愿 2 投诉" helps nobody when the words ask what the catalog answers for sure ("…听人说
    岁数大了每个月有钱领，真的假的"): the answer instead (a home to bind, a service offered, or help from
    people asked for keep the choice)."""
    found = ctx.classification
    if not ctx.msg.has_text or not found.ambiguous:
        return False
    if {"bind", "human", "activity"} & set(found.candidates):
        return False
    if "wish" in found.candidates and _HELP_ASKED.search(ctx.msg.text):
        return False
    if not _asks(ctx):
        return False
    answer = search.ask(DEFAULT, ctx.msg.text)
    if "service" in found.candidates:  # offered anyway: answered at once when a hotline's number is asked
        hotline = answer.sure and answer.entries[0].line == "hotlines"
        return hotline and bool(_NUMBER_ASKED.search(ctx.msg.text))
    return answer.sure


# "是不是要打那个市民热线？号码是好多？"
_NUMBER_ASKED = re.compile(r"热线|(?:电话|号码)(?:是)?(?:多少|好多|几号|啥|什么)")


@router.handle(_a_question_the_catalog_knows, idle(), phase=Phase.INTENT)
async def question_the_catalog_knows(ctx: Context) -> None:
    found = search.ask(await community_code(ctx), ctx.msg.text)
    if found.sure:
        await answer(ctx, found)
        return
    offer_choices(ctx, list(ctx.classification.candidates))


@router.handle(_catalog_answers, idle(), phase=Phase.FALLBACK)
async def free_question(ctx: Context) -> None:
    found = search.ask(await community_code(ctx), ctx.msg.text)
    if found.none:
        _not_found(ctx)
        return
    await answer(ctx, found)
