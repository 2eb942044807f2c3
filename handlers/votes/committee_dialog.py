"""The committee's side of consultations in the chat: 发起议事 (a guided launch, one question at a time),
议事列表 (what is open and how many took part), 延期议事 / 取消议事 with a reason, 居民建议."""

from __future__ import annotations

import datetime as dt
import re
from fractions import Fraction

import content
from bot.dispatcher import Context, Router, command, has_text, idle, pattern, state
from handlers.common.rules import Refusal
from handlers.votes import workflow
from handlers.votes.models import Consultation, ConsultationStatus, PassRule, Per, Proposal, Who
from handlers.votes.workflow import LaunchConsultation
from nlp.slots import digits_from_chinese, extract_address, extract_choice, extract_date
from nlp.tokenize import normalize
from storage.models import Community, Person, RoleName

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


async def _is_committee(ctx: Context) -> bool:
    person = await ctx.person()
    if person.community_id is None:
        return False
    return RoleName.COMMITTEE in await workflow.roles_in(person, person.community_id)


async def _committee_or_say(ctx: Context) -> bool:
    if await _is_committee(ctx):
        return True
    ctx.say("votes.committee_only")
    return False


# -- 发起议事 ---------------------------------------------------------------------------------------------
@router.handle(command("发起议事", "发起投票", "发起协商", args=False), idle())
async def start(ctx: Context) -> None:
    if not await _committee_or_say(ctx):
        return
    ctx.dialog.clear()
    ctx.dialog.set(TITLE)
    ctx.say("votes.launch.ask_title")


@router.handle(state(TITLE), has_text())
async def title(ctx: Context) -> None:
    text = ctx.msg.text.strip()
    if not 2 <= len(text) <= 64:
        ctx.reask("votes.launch.title_again")
        return
    ctx.dialog.set(BACKGROUND, title=text)
    ctx.say("votes.launch.ask_background")


@router.handle(state(BACKGROUND), has_text())
async def background(ctx: Context) -> None:
    ctx.dialog.set(OPTIONS, background="" if ctx.word in _SKIP else ctx.msg.text.strip()[:4000])
    ctx.say("votes.launch.ask_options")


@router.handle(state(OPTIONS), has_text())
async def options(ctx: Context) -> None:
    found = [o for o in _SPLIT.split(ctx.msg.text.strip()) if o]
    if not 2 <= len(found) <= workflow.MAX_OPTIONS or len(set(found)) != len(found):
        ctx.reask("votes.options_range", most=workflow.MAX_OPTIONS)
        return
    ctx.dialog.update(options=found)
    if "同意" in found:  # a yes-or-no question: single choice, and 同意 is what passes
        ctx.dialog.update(max_choices=1, approve_option=found.index("同意"))
        _ask_scope(ctx)
        return
    ctx.dialog.set(CHOICES)
    ctx.say("votes.launch.ask_choices", count=len(found))


@router.handle(state(CHOICES), has_text())
async def choices(ctx: Context) -> None:
    most = extract_choice(ctx.msg.text, len(ctx.dialog.data["options"]))
    if most is None:
        ctx.reask("votes.launch.choices_again", count=len(ctx.dialog.data["options"]))
        return
    ctx.dialog.update(max_choices=most, approve_option=None)
    _ask_scope(ctx)


def _ask_scope(ctx: Context) -> None:
    ctx.dialog.set(SCOPE)
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
    ctx.dialog.set(PER, buildings=sorted(set(numbers)))
    ctx.say("votes.launch.ask_per")


@router.handle(state(PER), has_text())
async def per(ctx: Context) -> None:
    choice = extract_choice(ctx.msg.text, 2)
    if choice is None:
        ctx.reask("votes.launch.ask_per")
        return
    ctx.dialog.set(WHO, per=(Per.PERSON if choice == 1 else Per.HOUSEHOLD).value)
    ctx.say("votes.launch.ask_who")


@router.handle(state(WHO), has_text())
async def who(ctx: Context) -> None:
    choice = extract_choice(ctx.msg.text, 2)
    if choice is None:
        ctx.reask("votes.launch.ask_who")
        return
    ctx.dialog.set(CLOSES, who=(Who.RESIDENTS if choice == 1 else Who.OWNERS).value)
    ctx.say("votes.launch.ask_closes", hour=CLOSING_HOUR)


@router.handle(state(CLOSES), has_text())
async def closes(ctx: Context) -> None:
    day = extract_date(ctx.msg.text, ctx.now().date())
    if day is None or day <= ctx.now().date():
        ctx.reask("votes.launch.closes_again")
        return
    ctx.dialog.set(QUORUM, closes=day.isoformat())
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
    ctx.dialog.set(RULE, quorum=float(share))
    labels = [content.text(f"votes.rule.{r.value}") for r in RULES]
    ctx.say("votes.launch.ask_rule", options=content.numbered(labels))


@router.handle(state(RULE), has_text())
async def rule(ctx: Context) -> None:
    choice = extract_choice(ctx.msg.text, len(RULES))
    if choice is None:
        ctx.reask("votes.launch.rule_again")
        return
    ctx.dialog.set(CONFIRM, rule=RULES[choice - 1].value)
    data = ctx.dialog.data
    ctx.say(
        "votes.launch.confirm",
        title=data["title"],
        options=content.numbered(data["options"]),
        scope="、".join(f"{n}栋" for n in data["buildings"]) or content.text("votes.scope_all"),
        per=content.text(f"votes.per.{data['per']}"),
        who=content.text(f"votes.who.{data['who']}"),
        closes=f"{dt.date.fromisoformat(data['closes']):%m月%d日} {CLOSING_HOUR}:00",
        quorum=f"{data['quorum']:.0%}" if data["quorum"] else content.text("votes.launch.no_quorum"),
        rule=content.text(f"votes.rule.{data['rule']}"),
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
    data = ctx.dialog.data
    person = await ctx.person()
    day = dt.date.fromisoformat(data["closes"])
    closes_at = dt.datetime.combine(day, dt.time(CLOSING_HOUR), tzinfo=ctx.now().tzinfo)
    try:
        c = await workflow.launch(
            LaunchConsultation(
                community=await Community.get(id=person.community_id),
                by=person,
                title=data["title"],
                background=data["background"],
                options=tuple(data["options"]),
                max_choices=int(data["max_choices"]),
                buildings=tuple(data["buildings"]),
                who=Who(data["who"]),
                per=Per(data["per"]),
                closes_at=closes_at,
                quorum=float(data["quorum"]),
                rule=PassRule(data["rule"]),
                approve_option=data.get("approve_option"),
            ),
            ctx.now(),
        )
    except Refusal as problem:
        ctx.dialog.clear()
        ctx.say_text(problem.text())
        return
    ctx.dialog.clear()
    eligible = len(await workflow.eligible_people(c))
    ctx.say("votes.launch.done", number=c.number, title=c.title, told=eligible)


# -- the committee's lists and changes --------------------------------------------------------------------
@router.handle(command("议事列表", "议事管理", args=False), idle())
async def overview(ctx: Context) -> None:
    if not await _committee_or_say(ctx):
        return
    person = await ctx.person()
    running = await Consultation.filter(
        community_id=person.community_id, status=ConsultationStatus.OPEN
    ).order_by("closes_at")
    if not running:
        ctx.say("votes.launch.none_running")
        return
    lines = []
    for c in running:
        took_part = len(await workflow.participants(c))
        eligible = await workflow.electorate(c)
        lines.append(
            content.text(
                "votes.launch.overview_line",
                number=c.number,
                title=c.title,
                close=workflow.close_label(c),
                turnout=took_part,
                eligible=eligible,
                unit=content.text("votes.unit_households" if c.per == Per.HOUSEHOLD else "votes.unit_people"),
            )
        )
    ctx.say("votes.launch.overview", lines="\n".join(lines))


@router.handle(pattern(_EXTEND))
async def extend(ctx: Context) -> None:
    match = _EXTEND.match(ctx.msg.text)
    assert match is not None
    day = extract_date(match.group(2), ctx.now().date())
    if day is None:
        ctx.say("votes.launch.extend_how")
        return
    closes_at = dt.datetime.combine(day, dt.time(CLOSING_HOUR), tzinfo=ctx.now().tzinfo)
    try:
        c = await workflow.extend(
            int(match.group(1)), await ctx.person(), closes_at, match.group(3), ctx.now()
        )
    except Refusal as problem:
        ctx.say_text(problem.text())
        return
    ctx.say("votes.launch.extended", title=c.title, close=workflow.close_label(c))


@router.handle(pattern(_CANCEL))
async def cancel(ctx: Context) -> None:
    match = _CANCEL.match(ctx.msg.text)
    assert match is not None
    try:
        c = await workflow.cancel(int(match.group(1)), await ctx.person(), match.group(2), ctx.now())
    except Refusal as problem:
        ctx.say_text(problem.text())
        return
    ctx.say("votes.launch.cancelled", title=c.title)


@router.handle(command("居民建议", "建议列表", "议题建议", args=False), idle())
async def proposals(ctx: Context) -> None:
    if not await _committee_or_say(ctx):
        return
    person = await ctx.person()
    waiting = await Proposal.filter(community_id=person.community_id, status="new").order_by("created_at")
    if not waiting:
        ctx.say("votes.launch.no_proposals")
        return
    lines = [f"{p.number} {p.text[:40]}" for p in waiting[:10]]
    ctx.say("votes.launch.proposals", lines="\n".join(lines))


# -- 代投: a grid worker records the vote of a resident without a phone ---------------------------------
PROXY_PICK = "proxy:pick"
PROXY_BALLOT = "proxy:ballot"
_PROXY = re.compile(r"^\s*(?:代投|代为登记|代登记)\s*(.*)$", re.S)


@router.handle(pattern(_PROXY))
async def proxy_start(ctx: Context) -> None:
    match = _PROXY.match(ctx.msg.text)
    assert match is not None
    person = await ctx.person()
    if person.community_id is None or not (await workflow.roles_in(person, person.community_id)) & set(
        workflow.PROXIES
    ):
        ctx.say("votes.proxy_not_allowed")
        return
    rest = match.group(1).strip()
    address = extract_address(rest)
    name = re.sub(r"[\d\s\-－栋号楼单元室幢座]+", " ", digits_from_chinese(rest)).split()
    if address.building is None or not address.room or not name:
        ctx.say("votes.proxy.how")
        return
    try:
        voter = await workflow.resident_at(await Community.get(id=person.community_id), address, name[-1])
    except Refusal as problem:
        ctx.say_text(problem.text())
        return
    open_to_them = await workflow.open_to(voter, ctx.now())
    if not open_to_them:
        ctx.say("votes.proxy.none_open", name=voter.name)
        return
    ctx.dialog.clear()
    ctx.dialog.set(PROXY_PICK, voter=voter.id, ids=[c.id for c in open_to_them])
    ctx.say("votes.proxy.pick", name=voter.name, options=content.numbered([c.title for c in open_to_them]))


@router.handle(state(PROXY_PICK), has_text())
async def proxy_pick(ctx: Context) -> None:
    ids = ctx.dialog.data["ids"]
    choice = extract_choice(ctx.msg.text, len(ids))
    if choice is None:
        ctx.reask("votes.proxy.pick_again")
        return
    c = await Consultation.get(id=ids[choice - 1])
    ctx.dialog.set(PROXY_BALLOT, consultation=c.id)
    ctx.say("votes.proxy.options", title=c.title, options=content.numbered(list(c.options)))


@router.handle(state(PROXY_BALLOT), has_text())
async def proxy_ballot(ctx: Context) -> None:
    from handlers.votes.dialog import read_choices

    c = await Consultation.get(id=ctx.dialog.data["consultation"])
    picked = read_choices(ctx.msg.text, len(c.options))
    if picked is None:
        ctx.reask("votes.pick_again")
        return
    voter = await Person.get(id=ctx.dialog.data["voter"])
    ctx.dialog.clear()
    try:
        await workflow.cast(
            c.id,
            voter,
            picked,
            ctx.now(),
            source_key=f"chat:{ctx.msg.dedup_key}",
            proxy_by=await ctx.person(),
        )
    except Refusal as problem:
        ctx.say_text(problem.text())
        return
    labels = "、".join(c.options[i] for i in sorted(set(picked)))
    ctx.say("votes.proxy.recorded", name=voter.name, title=c.title, choice=labels)
