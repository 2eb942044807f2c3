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
from handlers.votes import queries, workflow
from handlers.votes.dialog import read_choices
from handlers.votes.queries import PassRule, Per, Who
from handlers.votes.workflow import LaunchConsultation, ProxyVote
from nlp.slots import Address, digits_from_chinese, extract_choice, extract_date, find_address
from nlp.tokenize import normalize

router = Router("votes.committee")

TITLE = "launch:title"
BACKGROUND = "launch:background"
OPTIONS = "launch:options"
CHOICES = "launch:choices"
SCOPE = "launch:scope"
PER = "launch:per"
WHO = "launch:who"
CLOSES = "launch:closes"
QUORUM = "launch:quorum"
RULE = "launch:rule"
CONFIRM = "launch:confirm"

CLOSING_HOUR = 20  # a consultation closes at 20:00 on the day named
RULES = [PassRule.MAJORITY, PassRule.TWO_THIRDS, PassRule.THREE_QUARTERS, PassRule.PLURALITY]
_SPLIT = re.compile(r"[\s,，、/;；|]+")
_N = r"(?:V?\d{4}-)?0*(\d{1,9})"
_EXTEND = re.compile(rf"^\s*延期议事\s*{_N}\s+(\S+)\s*(.*)$", re.I | re.S)
_CANCEL = re.compile(rf"^\s*取消议事\s*{_N}\s*(.*)$", re.I | re.S)
_SKIP = {"跳过", "无", "不填", "没有"}
_NO_QUORUM = {"不限", "不设", "无", "没有", "0"}
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
        """The draft kept by ``then`` (every field, from the first question on)."""
        data: dict[str, Any] = ctx.dialog.data["draft"]
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
    said = "" if ctx.word in _SKIP else ctx.msg.text.strip()[:4000]
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
        ctx.say("votes.launch.ask_scope")
        return
    draft.then(ctx, CHOICES, options=tuple(found))
    ctx.say("votes.launch.ask_choices", count=len(found))


@router.handle(state(CHOICES), has_text())
async def choices(ctx: Context) -> None:
    draft = LaunchDraft.of(ctx)
    most = extract_choice(ctx.msg.text, len(draft.options))
    if most is None:
        ctx.reask("votes.launch.choices_again", count=len(draft.options))
        return
    draft.then(ctx, SCOPE, max_choices=most, approve_option=None)
    ctx.say("votes.launch.ask_scope")


@router.handle(state(SCOPE), has_text())
async def scope(ctx: Context) -> None:
    if ctx.word in ("全社区", "全部", "所有", "全体"):
        numbers: list[int] = []
    else:
        numbers = [
            int(n) for n in re.findall(r"(\d{1,3})\s*(?:栋|号楼|幢|座)?", digits_from_chinese(ctx.msg.text))
        ]
        if not numbers:
            ctx.reask("votes.launch.scope_again")
            return
    LaunchDraft.of(ctx).then(ctx, PER, buildings=tuple(sorted(set(numbers))))
    ctx.say("votes.launch.ask_per")


@router.handle(state(PER), has_text())
async def per(ctx: Context) -> None:
    choice = extract_choice(ctx.msg.text, 2)
    if choice is None:
        ctx.reask("votes.launch.ask_per")
        return
    LaunchDraft.of(ctx).then(ctx, WHO, per=Per.PERSON if choice == 1 else Per.HOUSEHOLD)
    ctx.say("votes.launch.ask_who")


@router.handle(state(WHO), has_text())
async def who(ctx: Context) -> None:
    choice = extract_choice(ctx.msg.text, 2)
    if choice is None:
        ctx.reask("votes.launch.ask_who")
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
    word = normalize(text).strip()
    if word in _NO_QUORUM:
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
    if share is None:
        ctx.reask("votes.launch.quorum_again")
        return
    LaunchDraft.of(ctx).then(ctx, RULE, quorum=float(share))
    labels = [content.text(f"votes.rule.{r.value}") for r in RULES]
    ctx.say("votes.launch.ask_rule", options=content.numbered(labels))


@router.handle(state(RULE), has_text())
async def rule(ctx: Context) -> None:
    choice = extract_choice(ctx.msg.text, len(RULES))
    if choice is None:
        ctx.reask("votes.launch.rule_again")
        return
    draft = LaunchDraft.of(ctx).then(ctx, CONFIRM, rule=RULES[choice - 1])
    ctx.say(
        "votes.launch.confirm",
        title=draft.title,
        options=content.numbered(list(draft.options)),
        scope="、".join(f"{n}栋" for n in draft.buildings) or content.text("votes.scope_all"),
        per=content.text(f"votes.per.{draft.per.value}"),
        who=content.text(f"votes.who.{draft.who.value}"),
        closes=f"{draft.closes:%m月%d日} {CLOSING_HOUR}:00",
        quorum=f"{draft.quorum:.0%}" if draft.quorum else content.text("votes.launch.no_quorum"),
        rule=content.text(f"votes.rule.{draft.rule.value}"),
    )


@router.handle(state(CONFIRM), has_text())
async def confirm(ctx: Context) -> None:
    choice = extract_choice(ctx.msg.text, 2)
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
    lines = [f"{p.number} {p.text[:40]}" for p in waiting]
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
    )
    ctx.say("votes.proxy.pick", name=name[-1], options=content.numbered([c.title for c in open_to_them]))


@router.handle(state(PROXY_PICK), has_text())
async def proxy_pick(ctx: Context) -> None:
    ids = ctx.dialog.data["ids"]
    choice = extract_choice(ctx.msg.text, len(ids))
    if choice is None:
        ctx.reask("votes.proxy.pick_again")
        return
    c = await queries.consultation(ids[choice - 1])
    ctx.dialog.set(PROXY_BALLOT, consultation=c.id)
    ctx.say("votes.proxy.options", title=c.title, options=content.numbered(list(c.options)))


@router.handle(state(PROXY_BALLOT), has_text())
async def proxy_ballot(ctx: Context) -> None:
    c = await queries.consultation(ctx.dialog.data["consultation"])
    picked = read_choices(ctx.msg.text, len(c.options))
    if picked is None:
        ctx.reask("votes.pick_again")
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
