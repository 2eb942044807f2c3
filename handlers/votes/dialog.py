"""The chat side of consultations: 投票 / 议事 lists what is open to the resident, a number shows one, a
number (or several) votes; 改票, 意见, 议事结果; and "我建议..." proposes a topic to the committee."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import content
from bot.dispatcher import Context, Router, command, has_text, idle, intent, pattern, state
from handlers.common import formats
from handlers.common.answers import choose, ordinal, yes_or_no
from handlers.common.pause import answered_by, answers, spoken_of_by
from handlers.common.staff_messages import asks_to_pass_on, leave_message
from handlers.residents.dialog import require_home
from handlers.votes import mentions, queries, workflow
from handlers.votes.queries import ConsultationView, Per
from nlp.slots import digits_from_chinese
from nlp.tokenize import normalize, strip_punctuation

router = Router("votes")
router.menu_entry("vote", order=40)

PICK = "idle:vote:pick"  # the list is shown: a new request is as welcome as a pick
VOTED = "idle:vote:voted"  # just voted: "哎呀不对 … 那就弃权吧" changes it; anything else is a new request
BALLOT = "vote:ballot"
CONFIRM = "vote:confirm"  # a vote read from a sentence, to be confirmed before it is cast
COMMENT = "vote:comment"
answers(BALLOT, CONFIRM, COMMENT)  # 同意 / an opinion: answers, not new requests
LAST_TTL = 7 * 24 * 3600

# the command word stands alone or is followed by a colon or a space ("意见很大，物业..." is no comment)
_COMMENT = re.compile(r"^\s*(?:意见|评论|留言意见)(?:\s*[:：]\s*|\s+|$)(.*)$", re.S)
_NUMBERS = re.compile(r"\d{1,2}")
_SEPARATORS = re.compile(r"[\s,，、。!！?？;；和与及+跟还有]+")
# words that say the sentence is about voting, so that an option's word in it is a vote ("选择弃权")
_VOTING = re.compile(r"投|选|票|表态|这件事|这事|这个|那个|议事")
_RECHOOSE = {
    2: ("重选", "重新选", "换一个", "选错了", "改一下", "改票", "我要改票", "改一改", "等会儿", "等一下")
}
_THIS_ONE = re.compile(r"^(?:先)?(?:看看|看下|看一下|瞧瞧|了解下|说说)?(?:这个|这事|这件事|详情|详细)\W*$")
_CHANGED_MIND = re.compile(r"不对|改|换成|还是|算了|等下|等等|反悔|重新|我俩意见")


def _last_key(ctx: Context) -> str:
    return f"votes:last:{ctx.msg.user}"


def title_words(ctx: Context) -> mentions.Words:
    """How a title is cut into words (jieba with the community dictionary): 充电棚 names
    东门加装非机动车充电棚, 车充电 does not."""
    return ctx.services.classifier.tokenizer.words


async def open_list(ctx: Context) -> None:
    """投票 / 议事 (registered last: "议事结果", "意见 ..." also read as this intent); a sentence that
    names a consultation ("东门充电棚那个投票") shows it, one that also chooses ("...我家同意") asks to
    confirm."""
    if await require_home(ctx, then="vote") is None:
        return
    person = await ctx.person()
    found = await queries.open_to(person, ctx.now())
    if not found:
        ctx.say("votes.none_open")
        return
    said = ctx.msg.text.strip() if ctx.msg.has_text else ""
    if said and await _from_words(ctx, found, said):
        return
    await _list(ctx, found)


async def _list(ctx: Context, found: list[ConsultationView], pending: str = "") -> None:
    """The numbered list; ``pending``: a sentence that chose an option without saying for which one."""
    mine = await queries.my_choices(await ctx.person(), [c.id for c in found])
    lines = []
    for i, c in enumerate(found, start=1):
        voted = content.text("votes.voted_mark") if c.id in mine else ""
        close = queries.close_label(c)
        per = content.text(f"votes.per.{c.per.value}")
        lines.append(f"{i} " + content.text("votes.list_line", title=c.title, close=close, per=per) + voted)
    ctx.dialog.clear()
    ctx.dialog.set(
        PICK,
        ids=[c.id for c in found],
        titles=[c.title for c in found],
        options=[list(c.options) for c in found],
        pending=pending,
    )
    choice = _option_of(pending, found) if pending else None
    if choice is not None:
        ctx.say("votes.which_for_choice", choice=choice, lines="\n".join(lines))
    else:
        ctx.say("votes.open_list", lines="\n".join(lines))


def _option_of(said: str, found: list[ConsultationView]) -> str | None:
    """The label a sentence chose in any of ``found`` (for saying it back)."""
    for c in found:
        index = mentions.option_in(said, c.options)
        if index is not None:
            return c.options[index]
    return None


async def _from_words(ctx: Context, found: list[ConsultationView], said: str) -> bool:
    """A request to vote in words: the consultation it names (or the only one), the option it chooses."""
    named = mentions.named(said, [c.title for c in found], [c.options for c in found], words=title_words(ctx))
    if named is not None:
        await about(ctx, found[named.index], said, named.pieces)
        return True
    if len(found) == 1 and mentions.option_in(said, found[0].options) is not None:
        await about(ctx, found[0], said)
        return True
    if _option_of(said, found) is not None:
        await _list(ctx, found, pending=said)
        return True
    if mentions.puts_off(said):
        await _later(ctx, found[0] if len(found) == 1 else None)
        return True
    return False


async def about(
    ctx: Context, c: ConsultationView, said: str, pieces: tuple[str, ...] = (), *, pending: str = ""
) -> None:
    """Words about one consultation (naming it in ``pieces``): an option chosen is confirmed, a question
    answered (and kept as an opinion when it names it), anything else shows it."""
    choice = mentions.option_in(said, c.options, pieces)
    if choice is None and pending:
        choice = mentions.option_in(pending, c.options)
    if choice is not None:
        await confirm_choice(ctx, c, choice)
    elif mentions.is_question(said):
        await _answer(ctx, c, said, noted=bool(pieces))  # kept when it names the consultation
    else:
        await _show(ctx, c)


def _picked(ctx: Context) -> dict[str, object] | bool:
    """A number or (a part of) a title from the list, words naming one (就是那个充电棚咯), an option said of
    the only one (选择弃权), or the vote put off; anything else is a new request (the list is idle)."""
    ids = list(ctx.dialog.data.get("ids") or [])
    titles = list(ctx.dialog.data.get("titles") or [""] * len(ids))
    options = list(ctx.dialog.data.get("options") or [[] for _ in ids])
    text = ctx.msg.text
    choice = choose(text, titles, loose=False) if titles else None
    if choice:
        return {"picked": choice, "words": False, "pieces": ()}
    first = _SEPARATORS.split(normalize(text).strip(), maxsplit=1)
    led = ordinal(first[0], len(ids)) if len(first) == 2 else None
    if led:  # "第一个 顺便问下几号截止啊": the pick, then what else the words say
        return {"picked": led, "words": True, "pieces": ()}
    if len(ids) == 1 and _THIS_ONE.search(normalize(text)):  # "看一下这个": the only one listed
        return {"picked": 1, "words": False, "pieces": ()}
    named = mentions.named(text, titles, options, words=title_words(ctx))
    if named is not None:
        return {"picked": named.index + 1, "words": True, "pieces": named.pieces}
    # of the only one listed, an option said or a question asked ("那个棚子建在哪里啊？")
    said = len(ids) == 1 and (
        mentions.is_question(text) or bool(options and mentions.option_in(text, options[0]) is not None)
    )
    if said and (ctx.intent in (None, "vote", "propose") or _VOTING.search(text)):
        return {"picked": 1, "words": True, "pieces": ()}
    if mentions.puts_off(text):
        return {"later": True}
    return False


@router.handle(state(PICK), has_text(), _picked)
async def pick(ctx: Context) -> None:
    ids = ctx.dialog.data["ids"]
    if ctx.data.get("later"):
        await _later(ctx, await queries.find(ids[0]) if len(ids) == 1 else None)
        return
    c = await queries.consultation(ids[ctx.data["picked"] - 1])
    pending = str(ctx.dialog.data.get("pending") or "")
    if ctx.data["words"]:  # what else the words say: an option, a question
        await about(ctx, c, ctx.msg.text, tuple(ctx.data["pieces"]), pending=pending)
    elif pending:  # "同意" said before the number: to confirm
        await about(ctx, c, pending)
    else:
        await _show(ctx, c)


async def _show(ctx: Context, c: ConsultationView, *, offered: str | None = None, words: str = "") -> None:
    """The consultation and its options; ``offered``: shown for a message that seemed to be another
    request (of that intent, None: not understood), which "不是" takes up again in ``words``."""
    await queries.may_vote(await ctx.person(), c, ctx.now())  # a home still to verify is told here
    how = content.text("votes.how_multi", most=c.max_choices) + "\n" if c.max_choices > 1 else ""
    ctx.dialog.clear()
    ctx.dialog.set(BALLOT, consultation=c.id, options=list(c.options))
    if words:
        ctx.dialog.update(offered=offered, words=words)
        ctx.say("votes.offer")
    ctx.say(
        "votes.detail",
        title=c.title,
        background=formats.remark(c.background, empty=""),
        options=content.numbered(list(c.options)),
        how=how,
    )
    if words:
        ctx.say("votes.offer_way_out")


async def show_offered(ctx: Context, c: ConsultationView, intent: str | None, words: str) -> None:
    await _show(ctx, c, offered=intent, words=words)


async def confirm_choice(ctx: Context, c: ConsultationView, choice: int) -> None:
    """A vote read from a sentence is said back before it is cast: "请确认：为"…"投"同意"。"."""
    person = await ctx.person()
    await queries.may_vote(person, c, ctx.now())
    label = c.options[choice]
    if (await queries.my_choices(person, [c.id])).get(c.id) == [choice]:
        ctx.dialog.clear()
        ctx.say("votes.already_chose", title=c.title, choice=label)
        return
    ctx.dialog.clear()
    ctx.dialog.set(CONFIRM, consultation=c.id, choice=choice)
    ctx.say("votes.confirm_vote", title=c.title, choice=label)


@router.handle(state(CONFIRM), has_text())
async def confirm(ctx: Context) -> None:
    c = await queries.consultation(ctx.dialog.data["consultation"])
    choice = int(ctx.dialog.data["choice"])
    text = ctx.msg.text
    other = mentions.option_in(text, c.options)
    if other is not None and other != choice:
        if mentions.is_question(text) or mentions.someone_elses(text):
            # "不同意的话费用谁出？", "我老公要投同意 我俩吵半天了": that one said back, to be sure
            await confirm_choice(ctx, c, other)
        else:  # "不对，是不同意", "那我改票 不同意": the other option, chosen as plainly as from the list
            await _cast(ctx, c, [other])
        return
    step = 1 if other == choice else choose(text, ["确认", "重新选择"], synonyms=_RECHOOSE, yes=1, no=2)
    if step == 1:
        await _cast(ctx, c, [choice])
    elif step == 2:
        await _show(ctx, c)
    elif mentions.puts_off(text):
        await _later(ctx, c)
    elif mentions.is_question(text):  # "这个有没有喷淋啥的": the background, then the same confirmation
        await _note_question(ctx, c, text)
        ctx.say("votes.confirm_after_question", title=c.title, background=formats.remark(c.background))
        ctx.say("votes.confirm_vote", title=c.title, choice=c.options[choice])
    else:
        ctx.reask("votes.confirm_again", choice=c.options[choice])


async def _note_question(ctx: Context, c: ConsultationView, text: str) -> None:
    """A question that names the consultation is kept as an opinion for the committee."""
    if mentions.mention(text, 0, c.title, c.options, title_words(ctx)).named >= 2:
        await workflow.comment(c.id, await ctx.person(), text, ctx.now())


async def _later(ctx: Context, c: ConsultationView | None) -> None:
    """Not now ("回去商量商量再说，先不投了"): no ballot, and the deadline said."""
    ctx.dialog.clear()
    if c is None:
        ctx.say("votes.later_any")
    else:
        ctx.say("votes.later", title=c.title, close=queries.close_label(c))


async def _answer(ctx: Context, c: ConsultationView, said: str, *, noted: bool) -> None:
    """A question about the consultation: its background, and (``noted``) the question kept as an opinion
    for the committee; the resident stays at its options."""
    person = await ctx.person()
    await queries.may_vote(person, c, ctx.now())
    if noted:
        await workflow.comment(c.id, person, said, ctx.now())
    ctx.dialog.clear()
    ctx.dialog.set(BALLOT, consultation=c.id, options=list(c.options))
    ctx.say(
        "votes.question_noted" if noted else "votes.question_answer",
        title=c.title,
        background=formats.remark(c.background),
        options=content.numbered(list(c.options)),
    )


def read_choices(text: str, options: list[str]) -> list[int] | None:
    """ "1", "第2个", "同意", "同意吧", "反对", "1 3", "1、3", "一和三", "A和C" -> 0-based option indexes;
    None when it is not that."""
    count = len(options)
    single = choose(text, options)
    parts = _parts(text)
    picked = [choose(p, options) for p in parts] if len(parts) >= 2 else []
    if single is not None:
        # parts that choose differently, one of them settling it: "一开始想投同意，后来觉得跟我家关系不大，
        # 我家弃权"
        differ = len({p for p in picked if p is not None}) > 1
        settled = _settled(text, parts, picked, options) if differ else None
        return [(settled or single) - 1]
    cleaned = digits_from_chinese(normalize(text))
    if not re.sub(r"[\d\s,，、和与及+]", "", cleaned):
        numbers = [int(n) for n in _NUMBERS.findall(cleaned)]
        if numbers and all(1 <= n <= count for n in numbers):
            return [n - 1 for n in numbers]
        return None
    settled = _settled(text, parts, picked, options)
    if settled is not None:
        return [settled - 1]
    if len(parts) < 2 or any(p is None for p in picked):
        return None
    return [p - 1 for p in picked if p is not None]


def _settled(text: str, parts: list[str], picked: list[int | None], options: list[str]) -> int | None:
    """Reasons, and one part that settles it: "…我年纪大了不骑车，就第三种吧" (1-based)."""
    if len(parts) < 2 or _UNSETTLED.search(text):
        return None
    settled = [
        p
        for p, part in zip(picked, parts, strict=True)
        if p is not None and (_DECIDES.match(part) or _households(part, options))
    ]
    only = [p for p in picked if p is not None]
    last = picked[-1] is not None and (_DECIDES.match(parts[-1]) or _households(parts[-1], options))
    if last or (len(only) == 1 and settled):
        return settled[-1] if settled else only[-1]
    return None


# the part of a longer answer that settles it: "…就第三种吧", "…我选第二个", "那我投弃权吧 …"
_DECIDES = re.compile(r"^(?:那|我|俺|所以)?(?:就|干脆|选|投|我选|我投)")
# a household's word, and nothing but the option after it: "…想了想还是不掺和了，我家弃权" (not "我家孩子说
# 同意也行")
_HOUSEHOLD = re.compile(r"^(?:那|所以)?(?:我们家|我家|俺家|咱家)(?:就|还是|也)?(?:选|投)?")
# unless another part takes it back or puts it off: "选南门吧。算了，我老伴说北门近", "就南门吧。等我问问
# 我儿子再说"
_UNSETTLED = re.compile(r"算了|不对|等等|等我|等下|问问|再说|想想|商量|改")


def _households(part: str, options: list[str]) -> bool:
    """ "我家弃权", "我们家还是投同意吧": a household's word and an option, nothing else."""
    said = _HOUSEHOLD.match(part)
    if said is None or said.end() == 0:
        return False
    rest = _TAIL_WORDS.sub("", part[said.end() :])
    return any(rest == _bare_label(o) for o in options)


_TAIL_WORDS = re.compile(r"[吧了啦呗哈嘛的\s]+$")


def _bare_label(option: str) -> str:
    return strip_punctuation(normalize(option))


def _parts(text: str) -> list[str]:
    """The parts of an answer between its separators: "同意，就是施工太吵" -> ["同意", "就是施工太吵"]."""
    return [p for p in _SEPARATORS.split(_trimmed(text)) if p]


def _trimmed(text: str) -> str:
    """Drop the closing marks of a sentence ("同意、弃权。") but keep the separators between its parts."""
    return normalize(text).strip("。！!？?.；;~～ ")


@router.handle(state(BALLOT), has_text())
async def ballot(ctx: Context) -> None:
    c = await queries.consultation(ctx.dialog.data["consultation"])
    text = ctx.msg.text
    picked = read_choices(text, list(c.options))
    said = _COMMENT.match(text)
    if picked is None and said:  # an opinion on the consultation being read
        await _comment(ctx, said)
        return
    if picked is None and ctx.asks_for("vote"):  # "投票" again: the list again
        ctx.dialog.clear()
        await open_list(ctx)
        return
    if picked is None or _asks(text, c.options):
        await _not_a_choice(ctx, c, text)  # "不同意的话费用谁出？" asks, it does not vote
        return
    await _cast(ctx, c, picked)
    if _chosen_first_then_worried(text, c.options):  # "不同意 …都进不来 咋整": the worry kept too
        await workflow.comment(c.id, await ctx.person(), text, ctx.now())
        ctx.say("votes.worry_noted")


def _asks(text: str, options: tuple[str, ...]) -> bool:
    """A question, and more than a number or an option's label with a question mark ("2？"); an answer
    whose last part chooses, with no question in it, asks nothing ("我也住不了多久了…我弃权")."""
    bare = strip_punctuation(normalize(text))
    if not mentions.is_question(text) or bare.isdigit() or bare in options:
        return False
    parts = _parts(text)
    if _chosen_first_then_worried(text, options):
        return False
    last = parts[-1:]
    return not (last and choose(last[0], list(options)) and not mentions.is_question(last[0]))


# a worry said aloud, not asked of anyone: "…万一着火咋办", "…小推车都进不来 咋整"
_WORRY = re.compile(r"咋整|咋办|咋个整|咋个办|咋弄|怎么办|怎么整|怎么弄")


def _chosen_first_then_worried(text: str, options: tuple[str, ...]) -> bool:
    """ "不同意 东门本来就贼挤 再搭个棚 买菜的小推车都进不来 咋整": an option said first and alone, then the
    reasons, whose only question is a worry (no question mark, nothing else asked)."""
    parts = _parts(text)
    first = _TAIL_WORDS.sub("", parts[0]) if parts else ""
    if len(parts) < 2 or len(first) > 4 or choose(first, list(options)) is None:  # "不同意", "反对", "同意吧"
        return False
    chosen = {choose(p, list(options)) for p in parts} - {None}
    if len(chosen) > 1 or mentions.someone_elses(text) or _UNDECIDED.search(text):
        return False  # "同意 不同意 咋整 我也拿不定主意", "同意 我媳妇说不同意 咋整"
    return not re.search(r"[?？]", text) and not mentions.is_question(_WORRY.sub(" ", text))


# not decided yet, or asking the committee: "…我也拿不定主意", "…你们倒是说说 要是没人来充电怎么办"
_UNDECIDED = re.compile(_UNSETTLED.pattern + r"|拿不定|犹豫|纠结|不知道|不晓得|你们|说说|请问|问一下|想问")


def _chooses(data: Mapping[str, Any], text: str) -> bool:
    """The ballot's answer in a message that also says other things ("…着火了咋办？…我选第二个")."""
    options = [str(o) for o in data.get("options") or ()]
    return bool(options) and read_choices(text, options) is not None and not _asks(text, tuple(options))


answered_by(BALLOT, _chooses)


def _names_an_option(data: Mapping[str, Any], text: str) -> bool:
    """An option named, asked about or not ("不同意，着火了怎么办？")."""
    options = [str(o) for o in data.get("options") or ()]
    return bool(options) and read_choices(text, options) is not None


spoken_of_by(BALLOT, _names_an_option)


async def _not_a_choice(ctx: Context, c: ConsultationView, text: str) -> None:
    if mentions.puts_off(text):
        await _later(ctx, c)
        if asks_to_pass_on(text):  # "我们家先不投。请帮我给李主任留个言：建棚子一定要…": and that word left
            await leave_message(ctx)
        return
    names_it = mentions.mention(text, 0, c.title, c.options, title_words(ctx)).named >= 2
    if _THIS_ONE.search(normalize(text)):  # "看看这个": the consultation shown, its options again
        ctx.reask("votes.pick_again", options=content.numbered(list(c.options)))
        return
    if "offered" in ctx.dialog.data and (
        yes_or_no(text) is False or not (names_it or mentions.is_question(text))
    ):  # "不是", or more of what it seemed to be ("车位被占三天了"): that request, in its words
        offered, words = ctx.dialog.data.get("offered"), str(ctx.dialog.data.get("words") or "")
        if offered:
            await ctx.redirect(str(offered), words)
        else:
            ctx.dialog.clear()
            ctx.say("votes.offer_declined")
        return
    if mentions.is_question(text):
        await _answer(ctx, c, text, noted=names_it)
        return
    side = side_taken(text, c.options)
    if side is not None and c.max_choices == 1:  # "装起来好嘛，省得…": that side, said back to confirm
        await confirm_choice(ctx, c, side)
        return
    ctx.reask("votes.pick_again", options=content.numbered(list(c.options)))


# A side taken in one's own words when no option is named ("装起来好嘛，省得电驴子推进楼道", "早就该弄了",
# "不要搞那个棚子"): read only at the ballot, and only said back to confirm, never cast from these words.
_FOR = re.compile(
    r"早就?该|是好事|好事情|好嘛|好得很|支持|赞成|举双手|我看行|想通了|(?:应该|该|必须|赶紧)(?:装|搞|弄|建|修|办)"
    r"|(?:装|建|搞|弄)(?:起来|了)(?:好|方便)"
)
_AGAINST = re.compile(
    r"不(?:要|用|需要|准|该|能)(?:搞|装|弄|建|修|办)(?!在)|别(?:搞|装|弄|建|修|办)(?!在)|(?<!不)反对|不赞成|不支持"
    r"|没必要|瞎搞|劳民伤财|不同意"
)
# no vote at all ("别搞了，我不想投", "算了别弄了，我不参加这个"): no side either
_NO_VOTE = re.compile(r"不想投|不投了?|不参加|不参与|不想参与|弃权")
# a side once taken and left ("之前是怕不安全才反对的"): not the side taken now
_PAST_SIDE = re.compile(
    r"(?:之前|以前|原来|本来|开始|一开始|刚开始)[^，。,.！!]{0,10}(?:反对|不同意|支持|赞成|同意)"
)
_SIDES = (("不同意", "反对", "不赞成", "不支持"), ("同意", "赞成", "支持"))


def side_taken(text: str, options: tuple[str, ...]) -> int | None:
    """The option of the side ``text`` takes (for or against), when the options are such sides and the
    text takes exactly one; None otherwise."""
    said = _PAST_SIDE.sub(" ", normalize(text))
    if _NO_VOTE.search(said):
        return None
    against = _AGAINST.search(said)
    favour = _FOR.search(_AGAINST.sub(" ", said))  # "不支持" is no support
    if bool(against) == bool(favour):
        return None
    labels = _SIDES[0] if against else _SIDES[1]
    for index, option in enumerate(options):
        if option in labels:
            return index
    return None


async def _cast(ctx: Context, c: ConsultationView, picked: list[int]) -> None:
    await workflow.cast(c.id, await ctx.person(), picked, ctx.now(), source_key=f"chat:{ctx.msg.dedup_key}")
    ctx.dialog.clear()
    if c.max_choices == 1:
        ctx.dialog.set(VOTED, consultation=c.id, options=list(c.options), title=c.title)
    await ctx.services.store.set(_last_key(ctx), str(c.id), LAST_TTL)
    labels = "、".join(c.options[i] for i in sorted(set(picked)))
    ctx.say("votes.recorded_household" if c.per == Per.HOUSEHOLD else "votes.recorded_person", choice=labels)


async def _last(ctx: Context) -> ConsultationView | None:
    """The consultation the resident last voted in (or, failing that, their newest ballot's), still open."""
    remembered = await ctx.services.store.get(_last_key(ctx))
    return await queries.last_voted(await ctx.person(), int(remembered) if remembered else None, ctx.now())


def _changed_mind(ctx: Context) -> dict[str, object] | bool:
    """Right after a vote, a change of mind that chooses: in its last part ("等下…还是改成不同意"), or as
    the one option it names ("算了算了 改弃权 跟我老公意见不统一", "我老婆话要投同意 改咗佢啦")."""
    options = list(ctx.dialog.data.get("options") or [])
    text = ctx.msg.text
    if not options or not _CHANGED_MIND.search(text):
        return False
    parts = _parts(text)
    # a part that asks chooses nothing: "改天再问问 不同意的人多吗"
    picked = choose(parts[-1], options) if parts and not mentions.is_question(parts[-1]) else None
    if not picked and not mentions.is_question(text):
        picked = choose(text, options)
    return {"picked": picked - 1} if picked else False


@router.handle(state(VOTED), has_text(), _changed_mind)
async def change_of_mind(ctx: Context) -> None:
    c = await queries.consultation(int(ctx.dialog.data["consultation"]))
    await _cast(ctx, c, [int(ctx.data["picked"])])


def _asks_about_it(ctx: Context) -> bool:
    """Right after a vote, a question about the consultation ("建了棚是不是就不能停了")."""
    if not mentions.is_question(ctx.msg.text):
        return False
    title = str(ctx.dialog.data.get("title") or "")
    options = list(ctx.dialog.data.get("options") or [])
    return bool(title) and mentions.mention(ctx.msg.text, 0, title, options, title_words(ctx)).named >= 2


@router.handle(state(VOTED), has_text(), _asks_about_it)
async def question_after_voting(ctx: Context) -> None:
    """Answered from the background and kept as an opinion; the options shown again (the vote may change)."""
    c = await queries.consultation(int(ctx.dialog.data["consultation"]))
    await _answer(ctx, c, ctx.msg.text, noted=True)


@router.handle(command("改票", "修改投票", "重新投票"))
async def change_vote(ctx: Context) -> None:
    """The options again; with the new choice said after the command ("改票，改做不同意", at any step of
    another dialog too), that choice said back to confirm."""
    c = await _last(ctx)
    person = await ctx.person()
    voted = c is not None and await queries.has_voted(person, c.id)
    if not voted and ctx.dialog.state in (BALLOT, CONFIRM):  # a first choice not yet cast: that ballot again
        c = await queries.consultation(int(ctx.dialog.data["consultation"]))
    elif not voted:
        if not await queries.open_to(person, ctx.now()):
            ctx.say("votes.nothing_to_change")
            return
        ctx.say("votes.not_voted_yet")  # nothing to change yet: what is open, to vote now
        await open_list(ctx)
        return
    assert c is not None
    rest = ctx.data["command"].args
    picked = read_choices(rest, list(c.options)) if rest else None
    if picked is not None and len(picked) == 1 and c.max_choices == 1 and not _asks(rest, c.options):
        await confirm_choice(ctx, c, picked[0])  # said back before it is cast, as a vote read from words
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


router.handle(intent("vote"), idle())(open_list)
