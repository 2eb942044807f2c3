"""Residents propose topics ("我建议..."): the committee is told and may launch a consultation from one. A
question is no proposal ("请问小区什么时候装充电桩？"): the resident is asked whether it is one, or a
question for the staff."""

from __future__ import annotations

import re

import content
from bot.dispatcher import Context, Router, has_text, idle, intent, state
from handlers.common import addendum
from handlers.common import workflow as messages
from handlers.common.answers import choose
from handlers.common.pause import answers
from handlers.residents.dialog import require_home
from handlers.votes import mentions, workflow
from nlp.tokenize import strip_punctuation

router = Router("votes.proposals")

PROPOSAL = "vote:proposal"
QUESTION_OR_PROPOSAL = "vote:question_or_proposal"
answers(PROPOSAL, QUESTION_OR_PROPOSAL)  # a topic is an answer, not a new request

_PROPOSAL_LEAD = re.compile(r"^\s*(?:我想|我要)?(?:提个|提一个|提)?(?:建议|议题|提议)\s*[:：，,]?\s*")
# what says a proposal is one, even when it ends asking ("我建议装个充电桩，大家看行不行？")
_PROPOSES = re.compile(
    r"建议|提议|议题|希望|最好|应该|可以考虑|能不能.{0,12}(?:装|建|修|增加|设|搞|办|改|换|加|开|拆|挪)"
)
# a suggestion announced, to come next: "我有个建议想跟居委会说说 可以留言吗"
_ANNOUNCES = re.compile(
    r"^\W*(?:你好|您好)?\W*(?:我|俺)?(?:这里|这边)?(?:有|想提|想说|要提)(?:个|一个|一点|几个|条|点)?"
    r"(?:小)?(?:建议|意见|想法|提议)(?:想|要)?(?:跟|给|向|和)?(?:居委会|社区|你们|领导|书记|网格员|[^\W\d]{1,2}主任)?"
    r"(?:说说|说一下|提提|提一下|反映一下|反映|讲讲|说)?\W*(?:可以留言吗|能留言吗|可以吗|行吗|能说吗|怎么提|找谁)?\W*$"
    # "我想给社区提个建议", "给李主任提个建议"
    r"|^\W*(?:你好|您好)?\W*(?:我|俺)?(?:想|要)?(?:跟|给|向|和)(?:居委会|社区|你们|领导|书记|网格员|[^\W\d]{1,2}主任)"
    r"(?:提|说|反映|留)(?:个|一个|一点|几个|条|点)?(?:小)?(?:建议|意见|想法|提议)\W*(?:可以吗|行吗)?\W*$"
)
# a nuisance asked to stop is a complaint, not a suggestion: "广场舞音响能不能小点声啊"
_STOP_ASKED = re.compile(
    r"(?:能不能|可不可以|能否|可以)(?:让.{1,6})?(?:小点声|小声点|声音小点|关小|别再?|不要再?|管管|停一停|停下)"
)
_WHICH = ["转给工作人员", "登记为建议"]
_WHICH_WORDS = {1: ("问问题", "问题", "问一下", "工作人员", "转给", "人工"), 2: ("建议", "提议", "登记")}


async def propose(ctx: Context) -> None:
    """ "我建议..." (registered last: the commands above must win)."""
    if await require_home(ctx, then="propose") is None:
        return
    text = ctx.msg.text.strip()
    if _STOP_ASKED.search(text) and not _PROPOSAL_LEAD.match(text):
        await ctx.redirect("complaint", text)
        return
    said = _PROPOSAL_LEAD.sub("", text)
    if len(strip_punctuation(said)) < 4 or _ANNOUNCES.match(text):
        ctx.dialog.clear()
        ctx.dialog.set(PROPOSAL, source=ctx.msg.dedup_key)
        ctx.say("votes.ask_proposal")
        return
    if mentions.is_question(text) and not _PROPOSES.search(text):
        ctx.dialog.clear()
        ctx.dialog.set(QUESTION_OR_PROPOSAL, words=text, source=ctx.msg.dedup_key)
        ctx.say("votes.question_or_proposal")
        return
    await _save_proposal(ctx, text, ctx.msg.dedup_key)


@router.handle(state(PROPOSAL), has_text())
async def proposal_answer(ctx: Context) -> None:
    if len(strip_punctuation(ctx.msg.text)) < 4:
        ctx.reask("votes.proposal_too_short")
        return
    await _save_proposal(ctx, ctx.msg.text.strip(), ctx.msg.dedup_key)


@router.handle(state(QUESTION_OR_PROPOSAL), has_text())
async def question_or_proposal(ctx: Context) -> None:
    """ "1 转给工作人员  2 登记为建议" """
    words, source = str(ctx.dialog.data["words"]), str(ctx.dialog.data["source"])
    which = choose(ctx.msg.text, _WHICH, synonyms=_WHICH_WORDS, yes=1)
    if which == 1:
        number = await messages.record_message(await ctx.person(), words, ctx.now())
        ctx.dialog.clear()
        ctx.say("common.human_done", number=number)
    elif which == 2:
        await _save_proposal(ctx, words, source)
    else:
        ctx.reask("votes.question_or_proposal_again")


async def _save_proposal(ctx: Context, text: str, source: str) -> None:
    ctx.dialog.clear()
    proposal = await workflow.propose(await ctx.person(), text, f"chat:{source}", ctx.now())
    addendum.remember(ctx, "proposal", proposal.id)
    ctx.say("votes.proposal_saved", number=proposal.number)


async def _add_to_proposal(ctx: Context, proposal_id: int, words: str) -> str | None:
    proposal = await workflow.add_to_proposal(proposal_id, await ctx.person(), words)
    return content.text("votes.added_proposal", number=proposal.number) if proposal else None


addendum.register("proposal", _add_to_proposal)


router.handle(intent("propose"), idle())(propose)
