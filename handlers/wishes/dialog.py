"""The resident's side of wishes in the chat: post one (only what is missing is asked), my wishes,
withdraw, revise when asked to, confirm and thank, or say it is not done yet."""

from __future__ import annotations

import datetime as dt
import re

import content
from bot.dispatcher import Context, Router, command, has_text, idle, intent, pattern, state
from handlers.common import formats
from handlers.common.answers import choose, is_any, is_skip
from handlers.common.corrections import corrected, latest
from handlers.common.pause import answers
from handlers.common.rules import Refusal
from handlers.register import verify_queries
from handlers.residents.dialog import require_home
from handlers.wishes import queries, workflow
from handlers.wishes.queries import Beneficiary
from handlers.wishes.rules import NUMBER, rules
from handlers.wishes.workflow import PostWish, status_label
from nlp.slots import extract_choice, extract_date
from nlp.tokenize import normalize, strip_punctuation

router = Router("wishes")
router.menu_entry("wish", order=30)

WHAT = "wish:what"
WHO = "wish:who"
WHEN = "wish:when"
NAME = "wish:name"
CONFIRM = "wish:confirm"
REVISE = "wish:revise"
RATE = "wish:rate"
THANKS = "wish:thanks"
STORY = "wish:story"
NOT_DONE_WHY = "wish:not_done_why"
# free text: 陪老人 there is the answer, not a new wish
answers(WHAT, WHO, REVISE, THANKS, STORY, NOT_DONE_WHY)
PENDING_TTL = 1800

_WITHDRAW = re.compile(rf"^\s*撤回(?:心愿)?\s*(?:{NUMBER})?\s*$", re.I)
_CONFIRM = re.compile(r"^\s*确认心愿\s*([1-5一二三四五])?\s*分?\s*(.*)$", re.S)
_NOT_DONE = re.compile(r"^\s*心愿(?:没|未)(?:有)?实现\s*(.*)$", re.S)
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
_WHO = {1: ("自己", "本人", "我", "给我"), 2: ("家人", "家里", "家里的", "亲人", "老人", "孩子")}
_NAME = {1: ("女士", "女的", "女"), 2: ("先生", "男的", "男")}
_CONFIRM_WORDS = {
    1: ("提交", "发布", "发吧", "确认提交"),
    2: ("重新描述", "重新说", "重写", "修改", "改一下", "改"),
}
_STORY = {1: ("公开", "可以公开", "愿意", "行啊"), 2: ("不公开", "不要公开", "保密", "别公开", "不愿意")}
_RATING = {
    5: ("非常满意", "很满意", "满意", "特别好", "很好", "太好了", "五星", "满分"),
    4: ("比较满意", "挺好", "还不错", "不错", "四星"),
    3: ("一般", "还行", "凑合", "三星"),
    2: ("不太满意", "不大满意", "较差", "二星"),
    1: ("不满意", "很差", "太差了", "差", "一星"),
}
# who the wish is for, from the words: family members as residents name them
_FAMILY = {
    "母亲": ("我妈", "妈妈", "母亲", "老妈", "我娘"),
    "父亲": ("我爸", "爸爸", "父亲", "老爸"),
    "孩子": ("孩子", "儿子", "女儿", "小孩", "娃", "闺女"),
    "老人": ("老人", "奶奶", "爷爷", "外婆", "外公", "姥姥", "姥爷", "婆婆", "公公", "老伴"),
}
# what a wish's words look like when they only ask to make one: "我想许个心愿" says nothing yet
_ONLY_ASKING = re.compile(r"^(我)?(想|要)?(许|发|提|发布|提交)?(个|一个)?(微)?心愿(吧|啊)?$")


def family_in(text: str) -> str:
    for relation, words in _FAMILY.items():
        if any(word in text for word in words):
            return relation
    return ""


# -- posting ---------------------------------------------------------------------------------------
async def start(ctx: Context) -> None:
    """A wish in the resident's words (registered last: the commands below must win over the intent)."""
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


@router.handle(state(WHAT), has_text())
async def what_answer(ctx: Context) -> None:
    text = ctx.msg.text.strip()
    if len(strip_punctuation(text)) < 4:
        ctx.reask("wishes.what_again")
        return
    await _with_description(ctx, text)


async def _with_description(ctx: Context, text: str) -> None:
    category = rules().category_in_text(text)
    ctx.dialog.update(description=text, category=category.key)
    wanted = extract_date(text, ctx.now().date())
    if wanted is not None:
        ctx.dialog.update(wanted_by=wanted.isoformat())
    relation = family_in(text)
    if relation:
        ctx.dialog.update(beneficiary=Beneficiary.FAMILY.value, relation=relation)
    elif any(word in text for word in ("我自己", "本人", "给我")):
        ctx.dialog.update(beneficiary=Beneficiary.SELF.value)
    # the echo and the first question read as one message
    ctx.data["echo"] = content.text("wishes.echo", category=category.label, text=formats.clip(text, 80))
    await _next(ctx)


def _ask(ctx: Context, key: str, **values: object) -> None:
    question = content.text(key, **values)
    echo = ctx.data.pop("echo", "")
    ctx.say_text(f"{echo}\n{question}" if echo else question)


async def _next(ctx: Context) -> None:
    """Ask for the first thing still missing, or confirm."""
    data = ctx.dialog.data
    if "beneficiary" not in data:
        ctx.dialog.set(WHO)
        _ask(ctx, "wishes.ask_who")
    elif "wanted_by" not in data:
        ctx.dialog.set(WHEN)
        _ask(ctx, "wishes.ask_when")
    elif "display_name" not in data:
        ctx.dialog.set(NAME)
        surname = (await ctx.person()).name[:1]
        if surname:
            ctx.dialog.update(surname=surname)
            _ask(ctx, "wishes.ask_name_known", lady=f"{surname}女士", sir=f"{surname}先生")
        else:
            _ask(ctx, "wishes.ask_name")
    else:
        _confirm(ctx)


@router.handle(state(WHO), has_text())
async def who_answer(ctx: Context) -> None:
    relation = family_in(ctx.msg.text)
    choice = 2 if relation else choose(ctx.msg.text, ["我自己", "家里人"], synonyms=_WHO)
    if choice == 1:
        ctx.dialog.update(beneficiary=Beneficiary.SELF.value)
    elif choice == 2:
        ctx.dialog.update(beneficiary=Beneficiary.FAMILY.value, relation=relation or "家人")
    else:
        ctx.reask("wishes.who_again")
        return
    await _next(ctx)


@router.handle(state(WHEN), has_text())
async def when_answer(ctx: Context) -> None:
    if ctx.word in _NO_DEADLINE or is_any(ctx.msg.text):  # no deadline is the default
        ctx.dialog.update(wanted_by=None)
    else:
        wanted = extract_date(latest(ctx.msg.text), ctx.now().date())  # "周六，啊不对，月底前"
        if wanted is None:
            ctx.reask("wishes.when_again")
            return
        ctx.dialog.update(wanted_by=wanted.isoformat())
    await _next(ctx)


@router.handle(state(NAME), has_text())
async def name_answer(ctx: Context) -> None:
    surname = ctx.dialog.data.get("surname", "")
    labels = [f"{surname}女士", f"{surname}先生", "匿名"] if surname else ["匿名"]
    choice = choose(ctx.msg.text, labels, synonyms=_NAME if surname else {}, no=len(labels))
    if is_any(ctx.msg.text):  # no preference: anonymous, the safe default
        ctx.say("common.took_default", value=content.text("wishes.anonymous"))
        shown = ""
    elif choice == len(labels):
        shown = ""
    elif surname and choice in (1, 2):
        shown = labels[choice - 1]
    elif not surname and _looks_like_a_name(ctx):
        shown = ctx.word
    else:
        if surname:
            ctx.reask("wishes.name_again_known", lady=labels[0], sir=labels[1])
        else:
            ctx.reask("wishes.name_again")
        return
    ctx.dialog.update(display_name=shown)
    await _next(ctx)


def _looks_like_a_name(ctx: Context) -> bool:
    """ "王阿姨", "小李", "老张": short, no digits, and not something else the resident asked for."""
    word = ctx.word
    asked = ctx.classification.source == "rule" and ctx.intent is not None  # a clear request, not a name
    return 1 <= len(word) <= 6 and not any(c.isdigit() for c in word) and not asked


def _confirm(ctx: Context) -> None:
    data = ctx.dialog.data
    personal = [f for f in workflow.screen(data["description"])[1] if not f.startswith("word:")]
    ctx.dialog.set(CONFIRM)
    _ask(
        ctx,
        "wishes.confirm",
        text=formats.clip(data["description"], 120),
        category=rules().label(data["category"]),
        who=_who(data.get("beneficiary", "self"), data.get("relation", "")),
        when=_when(data.get("wanted_by")),
        shown=data.get("display_name") or content.text("wishes.anonymous"),
        privacy=content.text("wishes.privacy_note") + "\n" if personal else "",
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
    fix = corrected(ctx.msg.text)  # "啊不对，月底前就行": the date changes, the rest stays
    new_date = extract_date(fix, ctx.now().date()) if fix else None
    if new_date is not None:
        ctx.dialog.update(wanted_by=new_date.isoformat())
        _confirm(ctx)
        return
    choice = choose(ctx.msg.text, ["提交", "重新描述"], synonyms=_CONFIRM_WORDS, yes=1, no=2)
    if choice == 2:
        for key in ("description", "wanted_by", "beneficiary", "relation"):
            ctx.dialog.data.pop(key, None)
        ctx.dialog.set(WHAT)
        ctx.say("wishes.ask_what")
        return
    if choice != 1:
        ctx.reask("wishes.confirm_again")
        return
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
        # the day passed while the resident was confirming (今天 said at 23:50): why, then the date again
        del data["wanted_by"]
        ctx.data["echo"] = refusal.text()
        await _next(ctx)
        return
    ctx.dialog.clear()
    ctx.say("wishes.submitted", number=wish.number)


# -- my wishes, withdraw, revise ---------------------------------------------------------------------
@router.handle(intent("my_wishes"), idle())
async def my_wishes(ctx: Context) -> None:
    wishes = await queries.latest_of(await ctx.person(), 5)
    if not wishes:
        ctx.say("wishes.none_yet")
        return
    lines = [f"{w.number} {formats.clip(w.public_text, 16)}：{status_label(w.status)}" for w in wishes]
    ctx.say("wishes.mine", lines="\n".join(lines))


@router.handle(pattern(_WITHDRAW))
async def withdraw(ctx: Context) -> None:
    person = await ctx.person()
    number = ctx.data["match"].group(1)
    wish = await queries.withdrawable(person, int(number) if number else None)
    if wish is None:
        ctx.say("wishes.nothing_to_withdraw")
        return
    await workflow.move(wish.id, "withdraw", person, ctx.now())
    ctx.dialog.clear()
    ctx.say("wishes.withdrawn", number=wish.number)


@router.handle(command("修改心愿", "补充心愿", args=False))
async def revise(ctx: Context) -> None:
    wish = await queries.revisable(await ctx.person())
    if wish is None:
        ctx.say("wishes.nothing_to_revise")
        return
    ctx.dialog.clear()
    ctx.dialog.set(REVISE, wish=wish.id)
    ctx.say(
        "wishes.ask_revise",
        number=wish.number,
        note=content.text("wishes.review_said", note=wish.review_note) if wish.review_note else "",
    )


@router.handle(state(REVISE), has_text())
async def revise_answer(ctx: Context) -> None:
    if len(strip_punctuation(ctx.msg.text)) < 4:
        ctx.reask("wishes.what_again")
        return
    wish = await workflow.revise(ctx.dialog.data["wish"], await ctx.person(), ctx.msg.text, ctx.now())
    ctx.dialog.clear()
    ctx.say("wishes.revised", number=wish.number)


# -- confirming a fulfilled wish ---------------------------------------------------------------------
@router.handle(pattern(_CONFIRM))
async def confirm_start(ctx: Context) -> None:
    match = ctx.data["match"]
    wish = await queries.awaiting_confirmation(await ctx.person())
    if wish is None:
        ctx.say("wishes.nothing_to_confirm")
        return
    ctx.dialog.clear()
    ctx.dialog.set(RATE, wish=wish.id)
    if match.group(1):
        raw = match.group(1)
        ctx.dialog.update(rating=extract_choice(raw, 5), thanks=match.group(2).strip())
        _ask_story(ctx)
        return
    ctx.say("wishes.ask_rating", number=wish.number)


@router.handle(state(RATE), has_text())
async def rating_answer(ctx: Context) -> None:
    labels = ["1分", "2分", "3分", "4分", "5分"]
    choice = choose(ctx.msg.text, labels, synonyms=_RATING)
    if choice is None:
        ctx.reask("wishes.rating_again")
        return
    ctx.dialog.set(THANKS, rating=choice)
    ctx.say("wishes.ask_thanks")


@router.handle(state(THANKS), has_text())
async def thanks_answer(ctx: Context) -> None:
    ctx.dialog.update(thanks="" if is_skip(ctx.msg.text) else ctx.msg.text.strip()[:200])
    _ask_story(ctx)


def _ask_story(ctx: Context) -> None:
    ctx.dialog.set(STORY)
    ctx.say("wishes.ask_story")


@router.handle(state(STORY), has_text())
async def story_answer(ctx: Context) -> None:
    choice = choose(ctx.msg.text, ["可以", "不公开"], synonyms=_STORY, yes=1, no=2)
    if choice is None:
        ctx.reask("wishes.story_again")
        return
    data = ctx.dialog.data
    wish = await workflow.confirm(
        data["wish"],
        await ctx.person(),
        ctx.now(),
        rating=int(data["rating"]),
        thanks=data.get("thanks", ""),
        story_consent=choice == 1,
    )
    ctx.dialog.clear()
    ctx.say("wishes.confirmed", number=wish.number)


@router.handle(pattern(_NOT_DONE))
async def not_done(ctx: Context) -> None:
    match = ctx.data["match"]
    wish = await queries.awaiting_confirmation(await ctx.person())
    if wish is None:
        ctx.say("wishes.nothing_to_confirm")
        return
    note = match.group(1).strip(" ，,。")
    ctx.dialog.clear()
    if not note:  # what follows is the explanation, not a new wish
        ctx.dialog.set(NOT_DONE_WHY, wish=wish.id, number=wish.number)
        ctx.say("wishes.not_done_why", number=wish.number)
        return
    await workflow.move(wish.id, "not_done", await ctx.person(), ctx.now(), note=note)
    ctx.say("wishes.not_done_noted", number=wish.number)


@router.handle(state(NOT_DONE_WHY), has_text())
async def not_done_why(ctx: Context) -> None:
    data = ctx.dialog.data
    note = ctx.msg.text.strip()
    await workflow.move(int(data["wish"]), "not_done", await ctx.person(), ctx.now(), note=note)
    ctx.dialog.clear()
    ctx.say("wishes.not_done_noted", number=data["number"])


router.handle(intent("wish"), idle())(start)
