"""An emergency answers at once, in any state, before binding: the number to call and what to do now;
then, for a bound resident, the offer to tell the grid worker, which files a top-priority ticket."""

from __future__ import annotations

from bot.dispatcher import Context, Phase, Router, has_text, state
from handlers.common.answers import choose, first_part, is_skip, yes_or_no
from handlers.common.menu import CHOOSE_STATE
from handlers.common.pause import speaks_of_step, takes_words
from handlers.emergency import workflow
from nlp.tokenize import normalize

router = Router("emergency")

OFFER = "emergency:offer"
SURE_IN_A_DIALOG = 0.6  # the model's emergency probability that interrupts an open question without a signal
SURE_IN_WORDS = 0.9  # the same where the step takes free words ("…屋头莫得人 喊她下周三以后再来嘛")
_NO_REQUEST = frozenset({None, "out_of_scope", "greet", "thanks", "emergency"})  # the offer asked again
_TELL = {1: ("通知", "通知他", "通知吧", "快通知", "叫人", "来人", "要", "需要", "麻烦了", "快点")}


def _is_emergency(ctx: Context) -> bool:
    """An emergency, except the answer to the offer itself ("要，快点，着火了" accepts it), and except the
    answer to an open question that only the model took for one: "提交提交 快点来人啊" at a report's
    confirmation is a resident in a hurry (a danger signal in the words is an emergency in any answer)."""
    if not ctx.msg.has_text or ctx.dialog.state == OFFER or not ctx.classification.emergency:
        return False
    asked = ctx.dialog.open  # a question waits (a menu shown, a list, a vote just cast are none)
    signal = getattr(ctx.classification, "signal", True)
    if asked and _asked_in_passing(ctx):  # "电瓶车扎堆充电，着火了咋办？…我选第二个" at a vote's options
        return False
    if not asked or signal:
        return True
    # only the model, at an open question: an answer to it is no emergency ("手机快没电了 不拍" at the
    # photo step), and the model must be sure
    prediction = getattr(ctx.classification, "prediction", None)
    # words being written for a step (a message for staff, a description): surer still
    bar = SURE_IN_WORDS if takes_words(ctx.dialog.state) else SURE_IN_A_DIALOG
    sure = prediction is None or prediction.probability_of("emergency") >= bar
    first = first_part(ctx.msg.text)  # "跳过 水已经流到门口了快点": answered
    return sure and not any(yes_or_no(said) is not None or is_skip(said) for said in (ctx.msg.text, first))


def _asked_in_passing(ctx: Context) -> bool:
    """A danger asked about ("着火了咋办？") in a message that answers the open step all the same, or speaks
    of what it asks ("不同意，着火了怎么办？" at a vote's options)."""
    signals = getattr(ctx.services.classifier, "signals", None)
    text = normalize(ctx.msg.text)
    return (
        signals is not None
        and signals.asked_what_if(text)
        and speaks_of_step(ctx.dialog.state, ctx.dialog.data, ctx.msg.text)
    )


@router.handle(_is_emergency, phase=Phase.GLOBAL)
async def emergency(ctx: Context) -> None:
    text = ctx.msg.text.strip()
    # "您是想：1 投诉 2 紧急求助" asked about the message before, or a report being filled ("电梯卡在两层
    # 中间了" then "我和宝宝在里面 救命"): its words say which number is needed
    data = ctx.dialog.data
    asked_about = data.get("said") if ctx.dialog.state == CHOOSE_STATE else data.get("description")
    before = str(asked_about or "")
    ctx.say(f"emergency.{workflow.kind_of(text, before)}")
    person = await ctx.person()
    ctx.dialog.clear()
    if person.home_id is None:
        ctx.say("emergency.offer_unbound")
        return
    ctx.dialog.set(OFFER, text=text[:2000], key=ctx.msg.dedup_key)
    ctx.say("emergency.offer_grid")


@router.handle(state(OFFER), has_text())
async def offer_answer(ctx: Context) -> None:
    data = ctx.dialog.data
    choice = choose(ctx.msg.text, ["通知网格员", "不用通知"], synonyms=_TELL, yes=1, no=2)
    if choice is None and ctx.intent not in _NO_REQUEST:  # "改票 不同意": another matter, answered as one
        ctx.dialog.clear()
        await ctx.dispatcher.feed(ctx)
        return
    kind = workflow.kind_of(ctx.msg.text) if choice is None else "medical"
    if kind != "medical" and kind != workflow.kind_of(str(data.get("text") or "")):
        # "救命" then "我妈关在电梯里头了 …门打不开": the number this danger needs, and the offer again
        ctx.say(f"emergency.{kind}")
        ctx.dialog.update(text=f"{data.get('text') or ''}\n{ctx.msg.text.strip()}"[:2000])
        ctx.say("emergency.offer_grid")
        return
    if choice is None:  # neither: the offer again, not a silent no
        ctx.reask("emergency.offer_grid_again")
        return
    ctx.dialog.clear()
    if choice != 1:
        ctx.say("emergency.not_told")
        return
    ticket = await workflow.tell_grid_worker(await ctx.person(), data["text"], data["key"], ctx.now())
    ctx.say("emergency.grid_told", number=ticket.number)
