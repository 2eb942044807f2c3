"""Posting a wish in the chat, at the pace of CONVERSATIONS.md: the wish said back as understood (what, for
whom, by when), then how the resident may be named on the board, then filed.

Only what the words leave open is asked. For whom is asked when they name no family member and no "I"; by
when is never asked (no date said: no deadline, said back with the rest), except again when the date given
has passed. An answer that answers nothing is not asked about forever: for whom takes what the words most
likely mean (the resident's own) and says so, and a later 不对 / 改一下 turns it to the family; how to be
named is asked once more, then anonymous is taken and said. An answer to the question after the one asked
(匿名 while for whom is asked) is taken for it. A confirmation is kept only where the resident has not seen
what is filed: a guess made in the same turn as the last answer, a description given again, a new date;
there a yes in any words files. The resident can 撤回心愿 afterwards, and the reply says so."""

from __future__ import annotations

import datetime as dt
import re

import content
from bot.dispatcher import Context, Router, has_text, idle, intent, state
from handlers.common import formats
from handlers.common.answers import choose, is_any, yes_or_no
from handlers.common.corrections import corrected
from handlers.common.pause import answers, questions
from handlers.common.rules import Refusal
from handlers.common.staff_messages import asks_to_pass_on, leave_message
from handlers.register import verify_queries
from handlers.residents.dialog import require_home
from handlers.wishes import queries, workflow
from handlers.wishes.queries import Beneficiary
from handlers.wishes.reading import (
    Naming,
    deadline_in,
    family_in,
    is_mistake,
    naming_in,
    not_for_self,
    speaks_of_self,
    surname_of,
)
from handlers.wishes.rules import rules
from handlers.wishes.workflow import PostWish
from nlp.slots import extract_date
from nlp.tokenize import normalize, strip_punctuation

router = Router("wishes.post")
router.menu_entry("wish", order=30)

WHAT = "wish:what"
WHO = "wish:who"
WHEN = "wish:when"
NAME = "wish:name"
CONFIRM = "wish:confirm"
# free text: 陪老人 there is the answer, not a new wish; and asking for a wish there asks for this one
answers(WHAT, WHO)
answers(NAME, CONFIRM, intents={"wish"})
questions(NAME, WHO)
PENDING_TTL = 1800

_NO_DEADLINE = {
    "不限",
    "不急",
    "随时",
    "无",
    "没有",
    "不限时间",
    "什么时候都行",
    "不着急",
    "不赶时间",
    "不赶",
}
# the options of each numbered question, and the words that stand for them besides their labels
_WHO = {1: ("自己", "本人", "我", "给我", "俺", "咱"), 2: ("家人", "家里", "家里的", "亲人", "老人", "孩子")}
_NAME = {1: ("女士", "女的", "女"), 2: ("先生", "男的", "男")}
_CONFIRM_WORDS = {
    1: ("提交", "发布", "发吧", "确认提交", "就这么发", "交了吧"),
    2: ("重新描述", "重新说", "重写", "修改", "改一下", "改"),
}
# what a wish's words look like when they only ask to make one: "我想许个心愿" says nothing yet
_ONLY_ASKING = re.compile(r"^(我)?(想|要)?(许|发|提|发布|提交)?(个|一个)?(微)?心愿(吧|啊)?$")


async def start(ctx: Context) -> None:
    """A wish in the resident's words (registered last: the commands of the slice win over the intent)."""
    pending = f"wishes:pending:{ctx.msg.user}"
    if await require_home(ctx, then="wish") is None:
        if ctx.msg.text.strip():  # kept for after binding, so the resident need not say it twice
            await ctx.services.store.set(pending, ctx.msg.text.strip()[:1000], PENDING_TTL)
        return
    await verify_queries.require(await ctx.person(), "wish")  # told before the wish is written
    text = ctx.msg.text.strip()
    if not text:  # back from binding
        text = await ctx.services.store.get(pending) or ""
        await ctx.services.store.delete(pending)
    ctx.dialog.clear()
    ctx.dialog.set(WHAT, source=ctx.msg.dedup_key)
    said = strip_punctuation(normalize(text))
    if len(said) < 4 or _ONLY_ASKING.match(said):
        ctx.say("wishes.ask_what")
        return
    await _with_description(ctx, text)


@router.handle(
    state(WHO, WHEN, NAME, CONFIRM),
    has_text(),
    # not thanks for the volunteers the wish is for ("帮我谢谢那位志愿者")
    lambda ctx: asks_to_pass_on(normalize(ctx.msg.text)) and "志愿者" not in ctx.msg.text,
)
async def word_for_staff(ctx: Context) -> None:
    """Not a wish after all but thanks or a word to pass on ("帮我谢谢她，再替我问问她…"): the story and
    this line left as a message."""
    await leave_message(ctx, story=str(ctx.dialog.data.get("description") or ""))


@router.handle(state(WHAT), has_text())
async def what_answer(ctx: Context) -> None:
    text = ctx.msg.text.strip()
    if len(strip_punctuation(text)) < 4:
        ctx.reask("wishes.what_again")
        return
    await _with_description(ctx, text)


async def _with_description(ctx: Context, text: str) -> None:
    category = rules().category_in_text(text)
    wanted = deadline_in(text, ctx.now().date())
    ctx.dialog.update(
        description=text, category=category.key, wanted_by=wanted.isoformat() if wanted else None, seen=False
    )
    relation = family_in(text)
    if relation:
        ctx.dialog.update(beneficiary=Beneficiary.FAMILY.value, relation=relation)
    elif speaks_of_self(text):
        ctx.dialog.update(beneficiary=Beneficiary.SELF.value, relation="")
    _lead(ctx, content.text("wishes.echo", category=category.label, text=formats.clip(text, 80)))
    await _next(ctx)


def _lead(ctx: Context, text: str) -> None:
    """A line said before this turn's question: the lines and the question read as one message."""
    ctx.data.setdefault("lead", []).append(text)


def _ask(ctx: Context, key: str, **values: object) -> None:
    ctx.say_text("\n".join([*ctx.data.pop("lead", []), content.text(key, **values)]))


async def _next(ctx: Context) -> None:
    """Ask for the first thing still missing; else file, or confirm when the resident has not seen it all."""
    data = ctx.dialog.data
    if "beneficiary" not in data:
        ctx.dialog.set(WHO)
        _ask(ctx, "wishes.ask_who")
    elif "wanted_by" not in data:
        ctx.dialog.set(WHEN)
        _ask(ctx, "wishes.ask_when")
    elif "display_name" not in data:
        await _ask_name(ctx)
    elif data.get("seen") and not ctx.data.get("unsure"):
        await _submit(ctx)
    else:
        _confirm(ctx)


async def _surname(ctx: Context) -> str:
    """The resident's surname as the community knows it (the register's name, taken on binding), or ""."""
    if "surname" not in ctx.dialog.data:
        ctx.dialog.update(surname=surname_of((await ctx.person()).name))
    return str(ctx.dialog.data["surname"])


async def _ask_name(ctx: Context) -> None:
    """How to be named, with the wish as understood just above it: what the resident answers, they saw."""
    data = ctx.dialog.data
    ctx.dialog.set(NAME)
    ctx.dialog.update(seen=True)
    _lead(ctx, _summary(data))
    surname = await _surname(ctx)
    if surname:
        _ask(ctx, "wishes.ask_name_known", lady=_lady(surname), sir=_sir(surname))
    else:
        _ask(ctx, "wishes.ask_name")


def _summary(data: dict[str, object]) -> str:
    said = content.text(
        "wishes.summary",
        who=_who(str(data.get("beneficiary", "self")), str(data.get("relation", ""))),
        when=_when(str(data["wanted_by"]) if data.get("wanted_by") else None),
    )
    return f"{said}\n{content.text('wishes.privacy_note')}" if _personal(data) else said


def _personal(data: dict[str, object]) -> bool:
    return any(not f.startswith("word:") for f in workflow.screen(str(data["description"]))[1])


def _lady(surname: str) -> str:
    return content.text("wishes.lady", surname=surname)


def _sir(surname: str) -> str:
    return content.text("wishes.sir", surname=surname)


@router.handle(state(WHO), has_text())
async def who_answer(ctx: Context) -> None:
    text = ctx.msg.text
    relation = family_in(text)
    if relation or not_for_self(text):
        choice: int | None = 2
    else:
        choice = choose(text, ["我自己", "家里人"], synonyms=_WHO)
    _take_date(ctx, text)
    if choice == 1:
        ctx.dialog.update(beneficiary=Beneficiary.SELF.value, relation="")
    elif choice == 2:
        ctx.dialog.update(beneficiary=Beneficiary.FAMILY.value, relation=relation or "家人")
    else:
        # no answer to this question (发吧, 好嘞, 随便): what the words most likely mean, said, and fixable
        ctx.dialog.update(beneficiary=Beneficiary.SELF.value, relation="", assumed=True)
        _lead(ctx, content.text("wishes.assumed_self"))
        naming = naming_in(text)
        if naming is not None and naming.kind != "shown":  # 匿名, 写我姓张: the next question's answer
            await _take_name(ctx, naming)
            ctx.data["unsure"] = True  # guessed in the turn that completes it: shown before it is filed
    await _next(ctx)


def _take_date(ctx: Context, text: str) -> bool:
    """A deadline said in an answer to another question is taken ("匿名，下周五前就行")."""
    wanted = deadline_in(text, ctx.now().date(), answer=True)
    if wanted is None or wanted.isoformat() == ctx.dialog.data.get("wanted_by"):
        return False
    ctx.dialog.update(wanted_by=wanted.isoformat())
    return True


def _to_family(ctx: Context, text: str) -> None:
    """The guess "the resident's own" was wrong: of the two, the family (the member named, if one is)."""
    ctx.dialog.update(beneficiary=Beneficiary.FAMILY.value, relation=family_in(text) or "家人", assumed=False)


def _fixes_whom(ctx: Context, text: str) -> bool:
    """不对 / 改一下 after a guess, or a family member named ("是给我妈的"): for whom changes."""
    data = ctx.dialog.data
    relation = family_in(text)
    family = Beneficiary.FAMILY.value
    named = relation and (data.get("beneficiary") != family or relation != data.get("relation"))
    guessed = data.get("assumed") and (is_mistake(text) or not_for_self(text))
    return bool(named or guessed)


@router.handle(state(WHEN), has_text())
async def when_answer(ctx: Context) -> None:
    if ctx.word in _NO_DEADLINE or is_any(ctx.msg.text):  # no deadline is the default
        ctx.dialog.update(wanted_by=None)
    else:
        wanted = deadline_in(ctx.msg.text, ctx.now().date(), answer=True)  # "周六，啊不对，月底前"
        if wanted is None:
            ctx.reask("wishes.when_again")
            return
        ctx.dialog.update(wanted_by=wanted.isoformat())
    ctx.dialog.update(seen=False)  # a new date the resident has not seen with the rest
    await _next(ctx)


# "算了算了 他爸说寒假自己教 不用发了": the wish itself is dropped, not a name declined (nothing is filed)
# "不用了不用了 取消吧", "我儿子周末回来 他去拿就行了": someone of the family will do it
_DROPPED = re.compile(
    r"算了|不(?:用|要|想|需要|必)?(?:发|发布|许|登记|提交|报)了|先不(?:发|许|登记)|不(?:用|必)?麻烦(?:你们)?了(?!.*(?:名|匿名|写|显示|姓))"
    r"|取消|撤销|不用了?\W*不用了|唔使(?:喇|啦|嘞)(?!.*(?:名|显示))|(?:自己|他|她|儿子|女儿|孩子|家里人|家人|老伴)\S{0,4}?(?:去|来)\S{0,3}就(?:行|好|可以)了?"
)
# unless the wish is said to go on after it ("…那我老公已经投过了 那算了。心愿接着弄，匿名吧")
_GOES_ON = re.compile(
    r"(?:心愿|这个)(?:还是|接着|继续|照样)(?:弄|发|办|填|许)|(?:接着|继续)(?:发|填|许)|心愿(?:还是)?要(?:发|许)"
    r"|^(?:\W|算了)*还是(?:匿名|写(?!了)|显示)"
)


def _wish_dropped(text: str) -> bool:
    found = _DROPPED.search(text)
    return found is not None and not _GOES_ON.search(text[found.end() :])


@router.handle(state(NAME), has_text(), lambda ctx: _wish_dropped(ctx.msg.text))
async def wish_dropped(ctx: Context) -> None:
    ctx.dialog.clear()
    ctx.say("wishes.dropped")


@router.handle(state(NAME), has_text())
async def name_answer(ctx: Context) -> None:
    text = ctx.msg.text
    naming = naming_in(text)
    if naming is None or naming.kind == "shown":
        if _fixes_whom(ctx, text):
            _to_family(ctx, text)
            await _ask_name(ctx)
            return
        if naming is None and _take_date(ctx, text):  # "啊不对，下周五前就行": the date, said back
            await _ask_name(ctx)
            return
    surname = await _surname(ctx)
    if naming is None and surname:
        choice = choose(text, [_lady(surname), _sir(surname), "匿名"], synonyms=_NAME, no=3)
        if choice is not None:
            naming = (
                Naming("hidden") if choice == 3 else Naming("surname", surname, ("lady", "sir")[choice - 1])
            )
    if naming is not None and await _take_name(ctx, naming):
        if is_any(text):
            _lead(ctx, content.text("common.took_default", value=content.text("wishes.anonymous")))
        await _next(ctx)
        return
    if not ctx.dialog.data.get("asked_again"):  # a yes with no name known, or no answer: asked once more
        ctx.dialog.update(asked_again=True)
        if naming is not None:
            ctx.reask("wishes.ask_surname")
        elif surname:
            ctx.reask("wishes.name_again_known", lady=_lady(surname), sir=_sir(surname))
        else:
            ctx.reask("wishes.name_again")
        return
    ctx.dialog.update(display_name="")  # asked twice: anonymous, the safe default, and said
    _lead(ctx, content.text("wishes.name_default"))
    await _next(ctx)


async def _take_name(ctx: Context, naming: Naming) -> bool:
    """Set how the resident is shown; False for a plain yes when no surname is known (nothing to show)."""
    if naming.kind == "hidden":
        shown = ""
    elif naming.kind == "name":
        shown = naming.value
    else:
        surname = naming.value or await _surname(ctx)
        if not surname:
            return False
        gender = naming.gender
        shown = _lady(surname) if gender == "lady" else _sir(surname) if gender == "sir" else ""
        shown = shown or content.text("wishes.surname_shown", surname=surname)
    ctx.dialog.update(display_name=shown[:16])
    return True


def _confirm(ctx: Context) -> None:
    data = ctx.dialog.data
    ctx.dialog.set(CONFIRM)
    _ask(
        ctx,
        "wishes.confirm",
        text=formats.clip(str(data["description"]), 120),
        category=rules().label(str(data["category"])),
        who=_who(str(data.get("beneficiary", "self")), str(data.get("relation", ""))),
        when=_when(data.get("wanted_by")),
        shown=data.get("display_name") or content.text("wishes.anonymous"),
        privacy=content.text("wishes.privacy_note") + "\n" if _personal(data) else "",
    )


def _who(beneficiary: str, relation: str) -> str:
    if beneficiary == Beneficiary.SELF.value:
        return content.text("wishes.for_self")
    return content.text("wishes.for_family", relation=relation or "家人")


def _when(wanted_by: str | None) -> str:
    if not wanted_by:
        return content.text("wishes.no_deadline")
    day = dt.date.fromisoformat(wanted_by)
    return content.text("wishes.by_date", day=formats.day(day, weekday=False))


@router.handle(state(CONFIRM), has_text())
async def confirm_answer(ctx: Context) -> None:
    text = ctx.msg.text
    fix = corrected(text)  # "啊不对，月底前就行": the date changes, the rest stays
    new_date = extract_date(fix, ctx.now().date()) if fix else None
    if new_date is not None:
        ctx.dialog.update(wanted_by=new_date.isoformat())
        _confirm(ctx)
        return
    if _fixes_whom(ctx, text):
        _to_family(ctx, text)
        _confirm(ctx)
        return
    naming = naming_in(text) if yes_or_no(text) is None else None
    if naming is not None and naming.kind != "shown" and await _take_name(ctx, naming):  # "匿名吧", "我姓刘"
        _confirm(ctx)
        return
    choice = choose(text, ["提交", "重新描述"], synonyms=_CONFIRM_WORDS, yes=1, no=2)
    if choice == 2:
        for key in ("description", "wanted_by", "beneficiary", "relation", "assumed", "seen"):
            ctx.dialog.data.pop(key, None)
        ctx.dialog.set(WHAT)
        ctx.say("wishes.ask_what")
        return
    if choice != 1:
        ctx.reask("wishes.confirm_again")
        return
    await _submit(ctx)


async def _submit(ctx: Context) -> None:
    data = ctx.dialog.data
    person = await ctx.person()
    wanted = data.get("wanted_by")
    try:
        wish = await workflow.post(
            PostWish(
                resident=person,
                community=await queries.home_community(person),
                description=data["description"],
                source_key=f"chat:{data['source']}",
                category=data["category"],
                beneficiary=Beneficiary(data.get("beneficiary", "self")),
                relation=data.get("relation", ""),
                wanted_by=dt.date.fromisoformat(wanted) if wanted else None,
                display_name=data.get("display_name", ""),
            ),
            ctx.now(),
        )
    except Refusal as refusal:
        if refusal.key != "wishes.date_past":
            raise
        # the day passed before it was filed (今天 said at 23:50): why, then the date again
        del data["wanted_by"]
        _lead(ctx, refusal.text())
        await _next(ctx)
        return
    ctx.dialog.clear()
    shown = wish.display_name
    ctx.say_text(
        "\n".join(
            [
                *ctx.data.pop("lead", []),
                content.text(
                    "wishes.submitted",
                    number=wish.number,
                    shown=content.text("wishes.shown_as", name=shown)
                    if shown
                    else content.text("wishes.shown_anonymous"),
                ),
            ]
        )
    )


router.handle(intent("wish"), idle())(start)
