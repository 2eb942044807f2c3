"""What a resident's own words say about the consultations open to them: which one they name (by words
of its title: 充电棚, 东门, 加装电梯...), which option they choose in a sentence ("东门充电棚那个投票，
我家同意"), whether they ask a question about it, or put the vote off ("回去商量商量再说，先不投了").
Pure: no I/O."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from handlers.common.answers import choose, ordinal
from nlp.tokenize import normalize, strip_punctuation

# words of a title that name no consultation in particular
_GENERIC = re.compile(
    r"小区|社区|居民|方案|项目|计划|议事|议题|投票|表决|协商|关于|事项|事情|问题|意见|征求|征集|是否|要不要|"
    r"那个|这个|一下|的"
)
# words of a title that say where, not what: they help to tell two consultations apart, never name one alone
_PLACE = re.compile(
    r"[东南西北](?:门|侧|面|边|区)|门口|大门|楼道|楼下|\d+\s*(?:栋|号楼|幢|单元|号|楼)?|"
    r"[一二两三四五六七八九十廿]+\s*(?:栋|号楼|幢|单元|号|楼)"
)
_GAP = "\x00"
_SHORTEST = 2  # a shared piece of one character (装, 车) names nothing

# a question: an answer from the background, or an opinion for the committee, never a proposal or a vote
_QUESTION = re.compile(
    r"[?？]|吗|请问|想问|问一下|会不会|能不能|是不是|有没有|要不要|为什么|为啥|多久|几时|如何|"
    # 要搞几天 (not 好几天了), 要我们掏钱些不
    r"(?<![好这那前过])几(?:天|号|点|块|个月|年|次)(?!了)|多少钱|多长时间|[不没](?:哦|啊|呀|嘛|哈)?$|"
    r"哪(?![个样]?都|个也)|谁(?![也都])|"  # 谁也别赢, 哪个都行: no question
    r"(?<![没不])(?:怎么(?!说)|什么|多少|咋|啥)|"  # 没什么意见, 不怎么懂, 看别人怎么说: no question
    r"([^\s不没])[不没]\1(?!\S{0,2}(?:都|也|无所谓|随便|没所谓|没关系))"  # 贵不贵 (建不建都行: none)
)
# putting the vote off: no ballot, not an abstention (弃权 is an answer; 先不投了 is none)
_LATER = re.compile(
    r"不投(?:了|啦|咯|喽|吧|$)|先不(?:投|选|表态|决定)|暂(?:时|且)?不(?:投|选)|"
    r"(?:商量|考虑|研究|想想|看看|问问|合计)\S{0,6}再(?:说|投|定|决定)|再说吧?$|以后再|回头再|改天|"
    r"晚点再?投|过(?:两|几|些)天|下次再|等\S{0,10}再(?:投|说|定|决定)|还没想好|没想好"
)


@dataclass(frozen=True)
class Mention:
    """How much of a title's own words a message shares (characters of the title, generic words aside):
    ``named`` counting place words, ``subject`` without them; ``pieces``, the shared words as said."""

    index: int
    named: int
    subject: int
    pieces: tuple[str, ...]


def _masked(text: str, *patterns: re.Pattern[str], words: Sequence[str] = ()) -> str:
    for word in sorted((w for w in words if w), key=len, reverse=True):
        text = text.replace(word, _GAP * len(word))
    for pattern in patterns:
        text = pattern.sub(lambda m: _GAP * len(m.group()), text)
    return text


def _shared(title: str, said: str, cuts: frozenset[int]) -> tuple[int, set[str]]:
    """Title characters inside a piece of two or more characters that ``said`` holds too, and the pieces;
    a piece begins and ends where the title's words do (``cuts``): 车充电 is no piece of 非机动车充电棚."""
    covered = [False] * len(title)
    pieces: set[str] = set()
    for start in sorted(cuts):
        for end in sorted(cuts, reverse=True):
            piece = title[start:end]
            if end - start < _SHORTEST or _GAP in piece or piece not in said:
                continue
            for i in range(start, end):
                covered[i] = True
            pieces.add(piece)
            break
    return sum(covered), {p for p in pieces if not any(p != q and p in q for q in pieces)}


def _bare(text: str) -> str:
    return strip_punctuation(normalize(text))


Words = Callable[[str], Sequence[str]]


def _cuts(title: str, words: Words | None) -> frozenset[int]:
    """Where the title's words begin and end (every character, without a segmenter)."""
    if words is None:
        return frozenset(range(len(title) + 1))
    ends, at = {0}, 0
    for word in words(title):
        at += len(word)
        ends.add(at)
    return frozenset(ends) if at == len(title) else frozenset(range(len(title) + 1))


def mention(
    text: str, index: int, title: str, options: Sequence[str] = (), words: Words | None = None
) -> Mention:
    """How far ``text`` names the consultation ``title`` (its options' labels are no words of the title:
    "是否同意加装电梯" is not named by 同意); ``words`` cuts the title into words (jieba's)."""
    # "充电的棚子" names 充电棚: a title's words are said with 的 between them
    said, own = _bare(text).replace("的", ""), _bare(title)
    labels = [_bare(o) for o in options]
    cuts = _cuts(own, words)
    named, pieces = _shared(_masked(own, _GENERIC, words=labels), said, cuts)
    subject, _ = _shared(_masked(own, _GENERIC, _PLACE, words=labels), said, cuts)
    return Mention(index, named, subject, tuple(sorted(pieces, key=len, reverse=True)))


def named(
    text: str,
    titles: Sequence[str],
    options: Sequence[Sequence[str]] = (),
    *,
    least: int = 2,
    subject: bool = False,
    words: Words | None = None,
) -> Mention | None:
    """The one consultation (0-based) the words name best, with at least ``least`` characters of its
    title (of its subject, not its place, with ``subject``); None when none does or two do as well."""
    found = [
        mention(text, i, title, options[i] if i < len(options) else (), words)
        for i, title in enumerate(titles)
    ]
    scored = [(m.subject if subject else m.named, m) for m in found]
    best = max((s for s, _ in scored), default=0)
    if best < least or sum(1 for s, _ in scored if s == best) > 1:
        return None
    return next(m for s, m in scored if s == best)


def option_in(text: str, options: Sequence[str], pieces: Sequence[str] = ()) -> int | None:
    """The option (0-based) a sentence chooses by its words ("我家同意", "选择弃权", "坚决反对"), the
    title's words said in it set aside; never a number in it (3栋 is no option 3)."""
    said = _bare(text)
    for piece in pieces:
        said = said.replace(piece, " ")
    said = re.sub(r"\d+", " ", said).strip()
    if not said or ordinal(said, len(options)) is not None:  # "第一个" is a place in a list, not a word
        return None
    found = choose(said, list(options))
    return found - 1 if found is not None else None


# a question told of, not asked: "也不晓得房东咋想", "不知道别人怎么投"
_TOLD_OF = re.compile(
    r"(?:不晓得|不知道|不清楚|搞不懂)[^，,。.!！?？\s吗]{0,6}?(?:咋想|怎么想|怎么投|怎么看|咋看|啥想法|什么想法)"
)


def is_question(text: str) -> bool:
    return bool(_QUESTION.search(_TOLD_OF.sub(" ", normalize(text))))


def puts_off(text: str) -> bool:
    """ "先不投了", "回去跟家里人商量商量再说", "过两天再投": the resident will vote later, or not at all;
    a question is none ("建好以后再收费吗？")."""
    return bool(_LATER.search(normalize(text))) and not is_question(text)


# a choice said to be someone else's: "我老公要投同意 我俩吵半天了" (a household's vote, not yet hers)
_SOMEONE_ELSES = re.compile(
    r"(?:老公|老婆|爱人|媳妇|丈夫|对象|孩子|儿子|女儿|我妈|我爸|老头子?|老太婆|家里人|他们|他|她)"
    r"(?:非要|坚持|一定要|偏要|要|想|说|讲|觉得)(?:投|选)?"
)


def someone_elses(text: str) -> bool:
    """The option named is another person's wish, to be said back before it is cast."""
    return bool(_SOMEONE_ELSES.search(normalize(text)))
