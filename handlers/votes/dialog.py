"""The chat side of consultations: 投票 / 议事 lists what is open to the resident, a number shows one, a
number (or several) votes; 改票, 意见, 议事结果; and "我建议..." proposes a topic to the committee."""

from __future__ import annotations

import re

import content
from bot.dispatcher import Context, Router, command, has_text, idle, intent, pattern, state
from handlers.common import formats
from handlers.common.answers import choose
from handlers.common.pause import answers
from handlers.residents.dialog import require_home
from handlers.votes import queries, workflow
from handlers.votes.queries import ConsultationView, Per
from nlp.slots import digits_from_chinese
from nlp.tokenize import normalize, strip_punctuation

router = Router("votes")
router.menu_entry("vote", order=40)

PICK = "idle:vote:pick"  # the list is shown: a new request is as welcome as a pick
BALLOT = "vote:ballot"
COMMENT = "vote:comment"
PROPOSAL = "vote:proposal"
answers(BALLOT, COMMENT, PROPOSAL)  # 同意 / an opinion / a topic: answers, not new requests
LAST_TTL = 7 * 24 * 3600

# the command word stands alone or is followed by a colon or a space ("意见很大，物业..." is no comment)
_COMMENT = re.compile(r"^\s*(?:意见|评论|留言意见)(?:\s*[:：]\s*|\s+|$)(.*)$", re.S)
_PROPOSAL_LEAD = re.compile(r"^\s*(?:我想|我要)?(?:提个|提一个|提)?(?:建议|议题|提议)\s*[:：，,]?\s*")
_NUMBERS = re.compile(r"\d{1,2}")
_SEPARATORS = re.compile(r"[\s,，、和与及+跟还有]+")


def _last_key(ctx: Context) -> str:
    return f"votes:last:{ctx.msg.user}"


async def open_list(ctx: Context) -> None:
    """投票 / 议事 (registered last: "议事结果", "意见 ..." also read as this intent)."""
    if await require_home(ctx, then="vote") is None:
        return
    person = await ctx.person()
    found = await queries.open_to(person, ctx.now())
    if not found:
        ctx.say("votes.none_open")
        return
    mine = await queries.my_choices(person, [c.id for c in found])
    lines = []
    for i, c in enumerate(found, start=1):
        voted = content.text("votes.voted_mark") if c.id in mine else ""
        close = queries.close_label(c)
        per = content.text(f"votes.per.{c.per.value}")
        lines.append(f"{i} " + content.text("votes.list_line", title=c.title, close=close, per=per) + voted)
    ctx.dialog.clear()
    ctx.dialog.set(PICK, ids=[c.id for c in found], titles=[c.title for c in found])
    ctx.say("votes.open_list", lines="\n".join(lines))


def _picked(ctx: Context) -> dict[str, int] | bool:
    """A number or (a part of) a title from the list; anything else is a new request (the list is idle)."""
    ids = list(ctx.dialog.data.get("ids") or [])
    titles = list(ctx.dialog.data.get("titles") or [""] * len(ids))
    choice = choose(ctx.msg.text, titles, loose=False) if titles else None
    return {"picked": choice} if choice else False


@router.handle(state(PICK), has_text(), _picked)
async def pick(ctx: Context) -> None:
    ids = ctx.dialog.data["ids"]
    await _show(ctx, await queries.consultation(ids[ctx.data["picked"] - 1]))


async def _show(ctx: Context, c: ConsultationView) -> None:
    await queries.may_vote(await ctx.person(), c, ctx.now())  # a home still to verify is told here
    how = content.text("votes.how_multi", most=c.max_choices) + "\n" if c.max_choices > 1 else ""
    ctx.dialog.clear()
    ctx.dialog.set(BALLOT, consultation=c.id)
    ctx.say(
        "votes.detail",
        title=c.title,
        background=formats.remark(c.background, empty=""),
        options=content.numbered(list(c.options)),
        how=how,
    )


def read_choices(text: str, options: list[str]) -> list[int] | None:
    """ "1", "第2个", "同意", "同意吧", "反对", "1 3", "1、3", "一和三", "A和C" -> 0-based option indexes;
    None when it is not that."""
    count = len(options)
    single = choose(text, options)
    if single is not None:
        return [single - 1]
    cleaned = digits_from_chinese(normalize(text))
    if not re.sub(r"[\d\s,，、和与及+]", "", cleaned):
        numbers = [int(n) for n in _NUMBERS.findall(cleaned)]
        if numbers and all(1 <= n <= count for n in numbers):
            return [n - 1 for n in numbers]
        return None
    parts = [p for p in _SEPARATORS.split(_trimmed(text)) if p]
    picked = [choose(p, options) for p in parts]
    if len(parts) < 2 or any(p is None for p in picked):
        return None
    return [p - 1 for p in picked if p is not None]


def _trimmed(text: str) -> str:
    """Drop the closing marks of a sentence ("同意、弃权。") but keep the separators between its parts."""
    return normalize(text).strip("。！!？?.；;~～ ")


@router.handle(state(BALLOT), has_text())
async def ballot(ctx: Context) -> None:
    c = await queries.consultation(ctx.dialog.data["consultation"])
    picked = read_choices(ctx.msg.text, list(c.options))
    said = _COMMENT.match(ctx.msg.text)
    if picked is None and said:  # an opinion on the consultation being read
        await _comment(ctx, said)
        return
    if picked is None and ctx.asks_for("vote"):  # "投票" again: the list again
        ctx.dialog.clear()
        await open_list(ctx)
        return
    if picked is None:
        ctx.reask("votes.pick_again", options=content.numbered(list(c.options)))
        return
    await workflow.cast(c.id, await ctx.person(), picked, ctx.now(), source_key=f"chat:{ctx.msg.dedup_key}")
    ctx.dialog.clear()
    await ctx.services.store.set(_last_key(ctx), str(c.id), LAST_TTL)
    labels = "、".join(c.options[i] for i in sorted(set(picked)))
    ctx.say("votes.recorded_household" if c.per == Per.HOUSEHOLD else "votes.recorded_person", choice=labels)


async def _last(ctx: Context) -> ConsultationView | None:
    """The consultation the resident last voted in (or, failing that, their newest ballot's), still open."""
    remembered = await ctx.services.store.get(_last_key(ctx))
    return await queries.last_voted(await ctx.person(), int(remembered) if remembered else None, ctx.now())


@router.handle(command("改票", "修改投票", "重新投票", args=False))
async def change_vote(ctx: Context) -> None:
    c = await _last(ctx)
    if c is None or not await queries.has_voted(await ctx.person(), c.id):
        ctx.say("votes.nothing_to_change")
        return
    await _show(ctx, c)


@router.handle(pattern(_COMMENT))
async def comment(ctx: Context) -> None:
    await _comment(ctx, ctx.data["match"])


async def _comment(ctx: Context, match: re.Match[str]) -> None:
    consultation_id = ctx.dialog.data.get("consultation")
    c = (await queries.find(consultation_id) if consultation_id else None) or await _last(ctx)
    if c is None:
        ctx.say("votes.nothing_to_comment")
        return
    text = match.group(1).strip()
    if not text:
        ctx.dialog.clear()
        ctx.dialog.set(COMMENT, consultation=c.id)
        ctx.say("votes.ask_comment", title=c.title)
        return
    await _save_comment(ctx, c.id, text)


@router.handle(state(COMMENT), has_text())
async def comment_answer(ctx: Context) -> None:
    await _save_comment(ctx, ctx.dialog.data["consultation"], ctx.msg.text)


async def _save_comment(ctx: Context, consultation_id: int, text: str) -> None:
    if len(text.strip()) < workflow.COMMENT_MIN:  # the person may simply say more
        ctx.reask("votes.comment_too_short")
        return
    await workflow.comment(consultation_id, await ctx.person(), text, ctx.now())
    ctx.dialog.clear()
    ctx.say("votes.comment_saved")


# -- results -------------------------------------------------------------------------------------------
@router.handle(command("议事结果", "投票结果", "表决结果", args=False), idle())
async def results(ctx: Context) -> None:
    c = await queries.latest_result((await ctx.person()).community_id)
    if c is None or c.result is None:
        ctx.say("votes.no_results")
        return
    lines = [
        content.text("votes.result_line", label=o.label, votes=o.votes, share=f"{o.share:.0%}")
        for o in c.result.options
    ]
    ctx.say(
        "votes.results",
        title=c.title,
        number=c.number,
        outcome=queries.describe_outcome(c),
        lines="\n".join(lines),
    )


@router.handle(command("核验", "核验结果", args=False), idle())
async def check_result(ctx: Context) -> None:
    """The ballot log's digest, for whoever wants to check the published result against the public log
    (behind "核验": a hash means nothing to most residents)."""
    c = await queries.latest_result((await ctx.person()).community_id)
    if c is None or c.result is None:
        ctx.say("votes.no_results")
        return
    valid, digest = await queries.verify(c.id)
    ctx.say("votes.verified" if valid else "votes.not_verified", title=c.title, digest=digest)


# -- proposals -------------------------------------------------------------------------------------------
async def propose(ctx: Context) -> None:
    """ "我建议..." (registered last: the commands above must win)."""
    if await require_home(ctx, then="propose") is None:
        return
    said = _PROPOSAL_LEAD.sub("", ctx.msg.text.strip())
    if len(strip_punctuation(said)) < 4:
        ctx.dialog.clear()
        ctx.dialog.set(PROPOSAL, source=ctx.msg.dedup_key)
        ctx.say("votes.ask_proposal")
        return
    await _save_proposal(ctx, ctx.msg.text.strip(), ctx.msg.dedup_key)


@router.handle(state(PROPOSAL), has_text())
async def proposal_answer(ctx: Context) -> None:
    if len(strip_punctuation(ctx.msg.text)) < 4:
        ctx.reask("votes.proposal_too_short")
        return
    await _save_proposal(ctx, ctx.msg.text.strip(), ctx.msg.dedup_key)


async def _save_proposal(ctx: Context, text: str, source: str) -> None:
    ctx.dialog.clear()
    proposal = await workflow.propose(await ctx.person(), text, f"chat:{source}", ctx.now())
    ctx.say("votes.proposal_saved", number=proposal.number)


router.handle(intent("vote"), idle())(open_list)
router.handle(intent("propose"), idle())(propose)
