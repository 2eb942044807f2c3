"""The committee's side of consultations in the chat: 发起议事 (a guided launch, one question at a time),
议事列表 (what is open and how many took part), 延期议事 / 取消议事 with a reason, 居民建议."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any

import content
from bot.dispatcher import Context, Router, command, has_text, idle, pattern, state
from handlers.common import formats
from handlers.common.answers import choose, is_any, is_skip
from handlers.common.pause import answers
from handlers.common.rules import Refusal
from handlers.votes import queries, workflow
from handlers.votes.dialog import read_choices
from handlers.votes.queries import PassRule, Per, Who
from handlers.votes.workflow import LaunchConsultation, ProxyVote
from nlp.slots import (
    Address,
    digits_from_chinese,
    extract_date,
    find_address,
)
from nlp.tokenize import normalize

router = Router("votes.committee")

TITLE = "launch:title"
BACKGROUND = "launch:background"
OPTIONS = "launch:options"
CHOICES = "launch:choices"
SCOPE = "launch:scope"
BUILDINGS = "launch:buildings"
PER = "launch:per"
WHO = "launch:who"
CLOSES = "launch:closes"
QUORUM = "launch:quorum"
RULE = "launch:rule"
CONFIRM = "launch:confirm"
answers(TITLE, BACKGROUND, OPTIONS, CHOICES)  # the words of a topic (加装电梯) are answers

CLOSING_HOUR = 20  # a consultation closes at 20:00 on the day named
RULES = [PassRule.MAJORITY, PassRule.TWO_THIRDS, PassRule.THREE_QUARTERS, PassRule.PLURALITY]
_SPLIT = re.compile(r"[\s,，、/;；|]+")
_N = r"(?:V?\d{4}-)?0*(\d{1,9})"
_EXTEND = re.compile(rf"^\s*延期议事\s*{_N}\s+(\S+)\s*(.*)$", re.I | re.S)
_CANCEL = re.compile(rf"^\s*取消议事\s*{_N}\s*(.*)$", re.I | re.S)
_NO_QUORUM = {"不限", "不设", "无", "没有", "0", "不要求", "没要求", "不设要求"}
# the options of each numbered question (their labels are in content), and words for them besides
_SCOPE = {
    1: ("全体", "全部", "所有", "全体居民", "所有楼", "所有楼栋", "整个社区", "全小区"),
    2: ("部分", "部分楼栋", "几栋", "指定"),
}
_CHOICES: dict[int, tuple[str, ...]] = {1: ("单选", "只能选一个", "一个", "一项", "选一个")}
_CONFIRM = {1: ("发起", "发起吧", "通知居民", "发吧"), 2: ("取消", "不发了", "先不发")}
_BUILDING_NUMBERS = re.compile(r"(\d{1,3})\s*(?:栋|号楼|幢|座|楼)?")
_NAMED_BUILDINGS = re.compile(r"\d{1,3}\s*(?:栋|号楼|幢|座)")
_SHARES = {"一半": Fraction(1, 2), "半数": Fraction(1, 2), "过半": Fraction(1, 2), "三分之一": Fraction(1, 3)}
_SHARES |= {"三分之二": Fraction(2, 3), "四分之三": Fraction(3, 4), "五分之一": Fraction(1, 5)}


@dataclass(frozen=True)
class LaunchDraft:
    """What the committee member has answered so far in the guided launch (kept in the dialog's data)."""

    title: str = ""
    background: str = ""
    options: tuple[str, ...] = ()
    max_choices: int = 1
    approve_option: int | None = None  # set when 同意 is one of the options
    buildings: tuple[int, ...] = ()  # empty: the whole community
    per: Per = Per.PERSON
    who: Who = Who.RESIDENTS
    closes: dt.date | None = None
    quorum: float = 0.0
    rule: PassRule = PassRule.MAJORITY

    @classmethod
    def of(cls, ctx: Context) -> LaunchDraft:
        """The draft kept by ``then`` (every field, from the first question on). A launch saved by an older
        version has none: it is refused as expired (the dialog ends), never a KeyError on every answer."""
        data: dict[str, Any] | None = ctx.dialog.data.get("draft")
        if not isinstance(data, dict):
            raise Refusal("votes.launch.expired")
        return cls(
            title=str(data["title"]),
            background=str(data["background"]),
            options=tuple(str(o) for o in data["options"]),
            max_choices=int(data["max_choices"]),
            approve_option=data["approve_option"],
            buildings=tuple(int(n) for n in data["buildings"]),
            per=Per(data["per"]),
            who=Who(data["who"]),
            closes=dt.date.fromisoformat(data["closes"]) if data["closes"] else None,
            quorum=float(data["quorum"]),
            rule=PassRule(data["rule"]),
        )

    def then(self, ctx: Context, next_state: str, **changes: Any) -> LaunchDraft:
        """The draft with ``changes``, kept in the dialog, which moves on to ``next_state``."""
        draft = replace(self, **changes)
        ctx.dialog.set(next_state, draft=draft.data())
        return draft

    def data(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "background": self.background,
            "options": list(self.options),
            "max_choices": self.max_choices,
            "approve_option": self.approve_option,
            "buildings": list(self.buildings),
            "per": self.per.value,
            "who": self.who.value,
            "closes": self.closes.isoformat() if self.closes else None,
            "quorum": self.quorum,
            "rule": self.rule.value,
        }


async def _committee_or_say(ctx: Context) -> bool:
    if await queries.is_committee(await ctx.person()):
        return True
    ctx.say("votes.committee_only")
    return False


# -- 发起议事 ---------------------------------------------------------------------------------------------
@router.handle(command("发起议事", "发起投票", "发起协商", args=False), idle())
async def start(ctx: Context) -> None:
    if not await _committee_or_say(ctx):
        return
    ctx.dialog.clear()
    LaunchDraft().then(ctx, TITLE)
    ctx.say("votes.launch.ask_title")


@router.handle(state(TITLE), has_text())
async def title(ctx: Context) -> None:
    text = ctx.msg.text.strip()
    if not 2 <= len(text) <= 64:
        ctx.reask("votes.launch.title_again")
        return
    LaunchDraft.of(ctx).then(ctx, BACKGROUND, title=text)
    ctx.say("votes.launch.ask_background")


@router.handle(state(BACKGROUND), has_text())
async def background(ctx: Context) -> None:
    said = "" if is_skip(ctx.msg.text) or ctx.word == "不填" else ctx.msg.text.strip()[:4000]
    LaunchDraft.of(ctx).then(ctx, OPTIONS, background=said)
    ctx.say("votes.launch.ask_options")


@router.handle(state(OPTIONS), has_text())
async def options(ctx: Context) -> None:
    found = [o for o in _SPLIT.split(ctx.msg.text.strip()) if o]
    if not 2 <= len(found) <= workflow.MAX_OPTIONS or len(set(found)) != len(found):
        ctx.reask("votes.options_range", most=workflow.MAX_OPTIONS)
        return
    draft = LaunchDraft.of(ctx)
    if "同意" in found:  # a yes-or-no question: single choice, and 同意 is what passes
        draft.then(ctx, SCOPE, options=tuple(found), max_choices=1, approve_option=found.index("同意"))
        _ask_scope(ctx)
        return
    draft.then(ctx, CHOICES, options=tuple(found))
    ctx.say("votes.launch.ask_choices", count=len(found))


@router.handle(state(CHOICES), has_text())
async def choices(ctx: Context) -> None:
    draft = LaunchDraft.of(ctx)
    count = len(draft.options)
    labels = [f"{n}项" for n in range(1, count + 1)]
    many: dict[int, tuple[str, ...]] = {
        count: ("多选", "不限", "都可以选", "全选", "全部", "随便选", "不限制")
    }
    if ctx.word in many[count]:  # "不限": no limit, every option may be picked
        most: int | None = count
    elif is_any(ctx.msg.text):  # single choice is the default
        ctx.say("common.took_default", value=content.text("votes.launch.single"))
        most = 1
    else:
        most = choose(ctx.msg.text, labels, synonyms=_CHOICES | many)
    if most is None:
        ctx.reask("votes.launch.choices_again", count=count)
        return
    draft.then(ctx, SCOPE, max_choices=most, approve_option=None)
    _ask_scope(ctx)


def _ask_scope(ctx: Context) -> None:
    ctx.say(
        "votes.launch.ask_scope",
        options=content.numbered([content.text("votes.scope_all"), content.text("votes.scope_some")]),
    )


def buildings_named(text: str, *, bare: bool) -> list[int]:
    """Building numbers: "3栋 5栋", "三号楼和五号楼"; with ``bare``, also "3 5" (asked for buildings only)."""
    digits = digits_from_chinese(normalize(text))
    if not bare and not _NAMED_BUILDINGS.search(digits):
        return []
    return sorted({int(n) for n in _BUILDING_NUMBERS.findall(digits)})


@router.handle(state(SCOPE), has_text())
async def scope(ctx: Context) -> None:
    """1 全社区, 2 指定楼栋 (then which), or the buildings named with 栋 at once: a bare "1" is option 1."""
    labels = [content.text("votes.scope_all"), content.text("votes.scope_some")]
    named = buildings_named(ctx.msg.text, bare=False)
    choice = 1 if is_any(ctx.msg.text) else None if named else choose(ctx.msg.text, labels, synonyms=_SCOPE)
    if is_any(ctx.msg.text):  # the whole community is the default
        ctx.say("common.took_default", value=labels[0])
    if named:
        _scope_then_per(ctx, named)
    elif choice == 1:
        _scope_then_per(ctx, [])
    elif choice == 2:
        LaunchDraft.of(ctx).then(ctx, BUILDINGS)
        ctx.say("votes.launch.ask_buildings")
    else:
        ctx.reask("votes.launch.scope_again", options=content.numbered(labels))


@router.handle(state(BUILDINGS), has_text())
async def buildings(ctx: Context) -> None:
    numbers = buildings_named(ctx.msg.text, bare=True)
    if not numbers or re.sub(
        r"[\d\s,，、和与及栋号楼幢座以及还有]", "", digits_from_chinese(normalize(ctx.msg.text))
    ):
        ctx.reask("votes.launch.buildings_again")
        return
    _scope_then_per(ctx, numbers)


def _scope_then_per(ctx: Context, numbers: list[int]) -> None:
    LaunchDraft.of(ctx).then(ctx, PER, buildings=tuple(numbers))
    _ask_labelled(ctx, "votes.launch.ask_per", _PER_LABELS)


_PER_LABELS = ("votes.per.person", "votes.per.household")
_WHO_LABELS = ("votes.who.residents", "votes.who.owners")


def _ask_labelled(ctx: Context, key: str, labels: tuple[str, ...], **values: object) -> None:
    ctx.say(key, options=content.numbered([content.text(k) for k in labels]), **values)


def _labelled_answer(ctx: Context, labels: tuple[str, ...], question: str) -> int | None:
    """Option 1 or 2 of a question whose first option is the default ("随便" takes it, and says so)."""
    texts = [content.text(k) for k in labels]
    if is_any(ctx.msg.text):
        ctx.say("common.took_default", value=texts[0])
        return 1
    choice = choose(ctx.msg.text, texts)
    if choice is None:
        ctx.reask(question, options=content.numbered(texts))
    return choice


@router.handle(state(PER), has_text())
async def per(ctx: Context) -> None:
    choice = _labelled_answer(ctx, _PER_LABELS, "votes.launch.ask_per")
    if choice is None:
        return
    LaunchDraft.of(ctx).then(ctx, WHO, per=Per.PERSON if choice == 1 else Per.HOUSEHOLD)
    _ask_labelled(ctx, "votes.launch.ask_who", _WHO_LABELS)


@router.handle(state(WHO), has_text())
async def who(ctx: Context) -> None:
    choice = _labelled_answer(ctx, _WHO_LABELS, "votes.launch.ask_who")
    if choice is None:
        return
    LaunchDraft.of(ctx).then(ctx, CLOSES, who=Who.RESIDENTS if choice == 1 else Who.OWNERS)
    ctx.say("votes.launch.ask_closes", hour=CLOSING_HOUR)


@router.handle(state(CLOSES), has_text())
async def closes(ctx: Context) -> None:
    day = extract_date(ctx.msg.text, ctx.now().date())
    if day is None or day <= ctx.now().date():
        ctx.reask("votes.launch.closes_again")
        return
    LaunchDraft.of(ctx).then(ctx, QUORUM, closes=day)
    ctx.say("votes.launch.ask_quorum")


def read_share(text: str) -> Fraction | None:
    """ "一半", "三分之二", "60%", "0.6", "不限" (0) -> a share of 1; None when it is not one."""
    word = normalize(text).strip().rstrip("吧啊呀的了。！!")
    if word in _NO_QUORUM or is_any(text):
        return Fraction(0)
    for said, share in _SHARES.items():
        if said in word:
            return share
    digits = digits_from_chinese(word)
    match = re.fullmatch(r"(?:百分之)?(\d{1,3}(?:\.\d+)?)\s*[%％]?", digits)
    if match is None:
        return None
    value = Fraction(match.group(1))
    if value > 1 or any(mark in digits for mark in ("%", "％", "百分之")):
        value /= 100
    return value if 0 <= value <= 1 else None


@router.handle(state(QUORUM), has_text())
async def quorum(ctx: Context) -> None:
    share = read_share(ctx.msg.text)
    if is_any(ctx.msg.text) and ctx.word != "不限":  # no requirement is the default
        ctx.say("common.took_default", value=content.text("votes.launch.no_quorum"))
    if share is None:
        ctx.reask("votes.launch.quorum_again")
        return
    LaunchDraft.of(ctx).then(ctx, RULE, quorum=float(share))
    labels = [content.text(f"votes.rule.{r.value}") for r in RULES]
    ctx.say("votes.launch.ask_rule", options=content.numbered(labels))


@router.handle(state(RULE), has_text())
async def rule(ctx: Context) -> None:
    labels = [content.text(f"votes.rule.{r.value}") for r in RULES]
    choice = 1 if is_any(ctx.msg.text) else choose(ctx.msg.text, labels)
    if is_any(ctx.msg.text):  # a simple majority is the default
        ctx.say("common.took_default", value=labels[0])
    if choice is None:
        ctx.reask("votes.launch.rule_again", options=content.numbered(labels))
        return
    draft = LaunchDraft.of(ctx).then(ctx, CONFIRM, rule=RULES[choice - 1])
    assert draft.closes is not None  # asked before the rule
    ctx.say(
        "votes.launch.confirm",
        title=draft.title,
        options=content.numbered(list(draft.options)),
        scope="、".join(f"{n}栋" for n in draft.buildings) or content.text("votes.scope_all"),
        per=content.text(f"votes.per.{draft.per.value}"),
        who=content.text(f"votes.who.{draft.who.value}"),
        closes=f"{formats.day(draft.closes)} {CLOSING_HOUR}:00",
        quorum=f"{draft.quorum:.0%}" if draft.quorum else content.text("votes.launch.no_quorum"),
        rule=content.text(f"votes.rule.{draft.rule.value}"),
    )


@router.handle(state(CONFIRM), has_text())
async def confirm(ctx: Context) -> None:
    choice = choose(ctx.msg.text, ["发起并通知居民", "取消"], synonyms=_CONFIRM, yes=1, no=2)
    if choice == 2:
        ctx.dialog.clear()
        ctx.say("common.cancelled")
        return
    if choice != 1:
        ctx.reask("votes.launch.confirm_again")
        return
    draft = LaunchDraft.of(ctx)
    person = await ctx.person()
    assert draft.closes is not None and person.community_id is not None
    closes_at = dt.datetime.combine(draft.closes, dt.time(CLOSING_HOUR), tzinfo=ctx.now().tzinfo)
    c = await workflow.launch(
        LaunchConsultation(
            community=person.community_id,
            by=person,
            title=draft.title,
            background=draft.background,
            options=draft.options,
            max_choices=draft.max_choices,
            buildings=draft.buildings,
            who=draft.who,
            per=draft.per,
            closes_at=closes_at,
            quorum=draft.quorum,
            rule=draft.rule,
            approve_option=draft.approve_option,
        ),
        ctx.now(),
    )
    ctx.dialog.clear()
    eligible = len(await workflow.eligible_people(c))
    ctx.say("votes.launch.done", number=c.number, title=c.title, told=eligible)


# -- the committee's lists and changes --------------------------------------------------------------------
@router.handle(command("议事列表", "议事管理", args=False), idle())
async def overview(ctx: Context) -> None:
    if not await _committee_or_say(ctx):
        return
    running = await queries.running((await ctx.person()).community_id)
    if not running:
        ctx.say("votes.launch.none_running")
        return
    lines = [
        content.text(
            "votes.launch.overview_line",
            number=row.consultation.number,
            title=row.consultation.title,
            close=queries.close_label(row.consultation),
            turnout=row.turnout,
            eligible=row.eligible,
            unit=queries.unit_label(row.consultation),
        )
        for row in running
    ]
    ctx.say("votes.launch.overview", lines="\n".join(lines))


@router.handle(pattern(_EXTEND))
async def extend(ctx: Context) -> None:
    match = ctx.data["match"]
    day = extract_date(match.group(2), ctx.now().date())
    if day is None:
        ctx.say("votes.launch.extend_how")
        return
    closes_at = dt.datetime.combine(day, dt.time(CLOSING_HOUR), tzinfo=ctx.now().tzinfo)
    c = await workflow.extend(int(match.group(1)), await ctx.person(), closes_at, match.group(3), ctx.now())
    ctx.say("votes.launch.extended", title=c.title, close=queries.close_label(queries.view_of(c)))


@router.handle(pattern(_CANCEL))
async def cancel(ctx: Context) -> None:
    match = ctx.data["match"]
    c = await workflow.cancel(int(match.group(1)), await ctx.person(), match.group(2), ctx.now())
    ctx.say("votes.launch.cancelled", title=c.title)


@router.handle(command("居民建议", "建议列表", "议题建议", args=False), idle())
async def proposals(ctx: Context) -> None:
    if not await _committee_or_say(ctx):
        return
    waiting = await queries.waiting_proposals((await ctx.person()).community_id, limit=10)
    if not waiting:
        ctx.say("votes.launch.no_proposals")
        return
    lines = [f"{p.number} {formats.clip(p.text, 40)}" for p in waiting]
    ctx.say("votes.launch.proposals", lines="\n".join(lines))


# -- 代投: a grid worker records the vote of a resident without a phone ---------------------------------
PROXY_PICK = "proxy:pick"
PROXY_BALLOT = "proxy:ballot"
_PROXY = re.compile(r"^\s*(?:代投|代为登记|代登记)\s*(.*)$", re.S)


@router.handle(pattern(_PROXY))
async def proxy_start(ctx: Context) -> None:
    person = await ctx.person()
    await workflow.check_proxy(person, person.community_id)  # early: the cast checks again
    assert person.community_id is not None
    rest = ctx.data["match"].group(1).strip()
    address, around = find_address(rest)  # 代投 A座1203 李奶奶, 代投 王大爷 5号楼1门301室
    name = re.sub(r"[\d\s,，、的\-－]+", " ", around).split()
    if not address.has_building or not address.room or not name:
        ctx.say("votes.proxy.how")
        return
    open_to_them = await queries.open_to_resident_at(person.community_id, address, name[-1], ctx.now())
    if not open_to_them:
        ctx.say("votes.proxy.none_open", name=name[-1])
        return
    ctx.dialog.clear()
    ctx.dialog.set(
        PROXY_PICK,
        home=[address.building, address.unit, address.room, address.letter],
        name=name[-1],
        ids=[c.id for c in open_to_them],
        titles=[c.title for c in open_to_them],
    )
    ctx.say("votes.proxy.pick", name=name[-1], options=content.numbered([c.title for c in open_to_them]))


@router.handle(state(PROXY_PICK), has_text())
async def proxy_pick(ctx: Context) -> None:
    ids = ctx.dialog.data["ids"]
    titles = list(ctx.dialog.data.get("titles") or [""] * len(ids))
    choice = choose(ctx.msg.text, titles)
    if choice is None:
        ctx.reask("votes.proxy.pick_again", options=content.numbered(titles) if all(titles) else "")
        return
    c = await queries.consultation(ids[choice - 1])
    ctx.dialog.set(PROXY_BALLOT, consultation=c.id)
    ctx.say("votes.proxy.options", title=c.title, options=content.numbered(list(c.options)))


@router.handle(state(PROXY_BALLOT), has_text())
async def proxy_ballot(ctx: Context) -> None:
    c = await queries.consultation(ctx.dialog.data["consultation"])
    picked = read_choices(ctx.msg.text, list(c.options))
    if picked is None:
        ctx.reask("votes.pick_again", options=content.numbered(list(c.options)))
        return
    building, unit, room, letter = [*ctx.dialog.data["home"], None][:4]  # states saved before: three parts
    name = ctx.dialog.data["name"]
    ctx.dialog.clear()
    await workflow.cast_for(
        ProxyVote(
            by=await ctx.person(),
            consultation_id=c.id,
            address=Address(building, unit, room, letter),
            name=name,
            choices=tuple(picked),
            source_key=f"chat:{ctx.msg.dedup_key}",
        ),
        ctx.now(),
    )
    labels = "、".join(c.options[i] for i in sorted(set(picked)))
    ctx.say("votes.proxy.recorded", name=name, title=c.title, choice=labels)
