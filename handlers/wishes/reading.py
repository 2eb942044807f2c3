"""What a resident's words say about a wish, beyond the wish itself: for whom (a family member named, else an
"I" form), by when (a frequency is no deadline), and how to be named on the board. Pure: the word lists
are content/wishes.yaml's ``family``, ``self`` and ``naming``; no I/O beyond reading them."""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass
from typing import Literal

import content
from handlers.common.answers import is_any, yes_or_no
from handlers.common.corrections import latest
from nlp.slots import extract_date
from nlp.tokenize import normalize, strip_punctuation


@dataclass(frozen=True)
class WishWords:
    family: dict[str, tuple[str, ...]]  # relation -> the words that name it
    self_form: re.Pattern[str]
    titles: tuple[str, ...]
    lady: tuple[str, ...]
    sir: tuple[str, ...]
    compound_surnames: tuple[str, ...]
    surnames: frozenset[str]


@functools.cache
def words() -> WishWords:
    data = content.load_yaml("wishes.yaml")
    naming = data["naming"]
    forms = [str(w) for w in data["self"]]
    pattern = "|".join(rf"\b{re.escape(w)}\b" if w.isascii() else re.escape(w) for w in forms)

    def listed(key: str) -> tuple[str, ...]:
        return tuple(sorted((str(w) for w in naming[key]), key=len, reverse=True))  # longest first

    return WishWords(
        family={str(k): tuple(str(w) for w in v) for k, v in data["family"].items()},
        self_form=re.compile(pattern, re.I),
        titles=listed("titles"),
        lady=listed("lady"),
        sir=listed("sir"),
        compound_surnames=listed("compound_surnames"),
        surnames=frozenset(str(naming["surnames"]).replace(" ", "")),
    )


# -- for whom --------------------------------------------------------------------------------------
def family_in(text: str) -> str:
    """The relation of the family member the text names first ("我老汉儿八十多了" -> 父亲), or ""."""
    said = normalize(text)
    best: tuple[int, int, str] | None = None  # (position, -length, relation): the earliest, then the longest
    for relation, names in words().family.items():
        for name in names:
            at = said.find(name)
            if at >= 0 and (best is None or (at, -len(name)) < best[:2]):
                best = (at, -len(name), relation)
    return best[2] if best else ""


def speaks_of_self(text: str) -> bool:
    """An "I" form (我, 俺, 咱, 阿拉, 我哋, I...): with no family member named, the wish is one's own."""
    return bool(words().self_form.search(normalize(text)))


_NOT_SELF = re.compile(r"(?:不是|并非|不系|唔系|弗是)(?:给|为|帮)?(?:我|俺|咱|本人|自己)")


def not_for_self(text: str) -> bool:
    """ "不是我", "不是给我自己的": the other of the two, a family member."""
    return bool(_NOT_SELF.search(normalize(text)))


# -- by when ---------------------------------------------------------------------------------------
# how often, not by when: "一个星期一次", "每周六", "每天"
_FREQUENCY = re.compile(
    r"每个?(?:天|日|晚|周[一二三四五六日天末]?|星期[一二三四五六日天]?|礼拜[一二三四五六日天]?|月)"
    r"|[一两二三四五六七八九十\d]+个?(?:天|周|星期|礼拜|月)[一两二三四五六七八九十\d]+(?:次|回|趟)"
)


def deadline_in(text: str, today: dt.date, *, answer: bool = False) -> dt.date | None:
    """The day named as a deadline ("周六", "下周三前"); in an ``answer`` the correction first
    ("周六，啊不对，月底前"), not in a wish's description ("周六陪我妈，不是去医院，是去银行").
    A frequency ("一个星期一次", "每周六") is none."""
    return extract_date(_FREQUENCY.sub(" ", latest(text) if answer else text), today)


# -- how to be named on the board ------------------------------------------------------------------
@dataclass(frozen=True)
class Naming:
    """hidden: anonymous; shown: "yes, show me" with no name said; surname: a surname said (``gender`` when
    they said 女 / 男 too); name: a 称呼 of their own (``value`` as said)."""

    kind: Literal["hidden", "shown", "surname", "name"]
    value: str = ""
    gender: Literal["", "lady", "sir"] = ""


_SURNAME = re.compile(r"(?<!百)(?<!您贵)(?<!你贵)姓\s*([\u4e00-\u9fff]{1,2})")
_NOT_A_SURNAME = frozenset("名氏什啥就也的吧都么啊呀嘛啦了哈就行")
_ANONYMOUS = re.compile(r"匿名")
_NEGATION = ("不要", "不用", "别", "不", "唔要", "唔使", "甭", "覅", "勿")
# 不用写名字, 名字就别写了, 甭写名儿, 唔使写名, 不想显示, 别署名, 不留名
_HIDE = re.compile(
    r"(?:不|别|甭|覅|勿|莫|唔|毋|免|无需|无须)(?:用|要|想|必|需要|使|好|愿意?)?(?:写|留|显示|显|露|署|挂|公开|透露|标|注)"
    r"|(?:名字?|姓名|称呼|名儿)(?:就|也)?(?:不|别|甭|覅|唔|免)"
    r"|保密|隐藏|隐名|不署名|无名氏"
)
_SURNAME_ONLY = re.compile(r"(?:显示|写|留|用|署)(?:个|上|我的?|俺的?)?姓(?!名)")
_SHOW = re.compile(r"显示|写上|写出来|公开|署名|留名|写名|写姓|写我")
_MISTAKE = re.compile(r"不对|不是|错了|搞错|弄错|改一下|改下|要改|修改")
# around a 称呼: "就写王阿姨吧", "叫我小陈就行", "显示为李老师"
_NAME_LEAD = re.compile(
    r"^(?:那|就|那就)?(?:写成?|显示为?|叫我|称呼我?为?|就叫|我叫|我是|叫|署名|用|是)?(?:一?个)?"
)
_NAME_TAIL = re.compile(
    r"(?:就行|就好|就可以|即可|好了|就中|就成|可以|也行|得啦|得了|得嘞|吧|嘛|啦|呀|哈|了|哦|呗|啊|呢|咯|噻|嘞|哇)+$"
)
_NOT_IN_A_NAME = frozenset(
    "的了吧吗呢啊呀嘛哈啦发写显示帮要想用请是不没别谢名字姓称呼匿我你他她俺咱行好可以就这那登记提交"
)
_LATIN_NAME = re.compile(r"^[a-z][a-z .'-]{1,20}$")
_LATIN_ANSWERS = frozenset({"ok", "okay", "yes", "no", "sure", "yep", "yeah", "yup", "nope", "nah", "thanks"})


# a mind changed in the answer: what comes after it decides ("…算了算了还是匿名", "…算了 写个王吧")
_CHANGED_MIND = re.compile(r"(?:算了[\W算了]*)+(?:还是)?")


def naming_in(text: str) -> Naming | None:
    """How the resident wants to be named, or None when the answer says nothing of it ("让我想想")."""
    said = normalize(text)
    changed = _CHANGED_MIND.search(said)
    if changed and changed.end() < len(said):  # "显示吧 姓何……算了算了还是匿名": what is said last
        after = naming_in(said[changed.end() :])
        if after is not None:
            return after
    surname = _surname(said)
    if surname:
        return Naming("surname", surname, _gender(said))
    anonymous = _anonymous(said)
    if anonymous is not None:
        return Naming("hidden" if anonymous else "shown")  # "不要匿名": shown
    only = _SURNAME_ONLY.search(said)
    if only and not _HIDE.search(said[max(0, only.start() - 3) : only.end()]):  # not "别写我姓"
        return Naming("shown")  # "不用写全名，显示姓就行": the surname, which they did not say
    if _HIDE.search(said) or is_any(said):  # 随便: the safe default
        return Naming("hidden")
    # "要得 就写王嬢嬢嘛", "写王奶奶 有人来了打我电话就行"
    name = _own_name(said) or _own_name(_after_a_yes(said)) or _own_name(_named_first(said))
    if name:
        return Naming("name", name)
    lone = _NAME_TAIL.sub("", _NAME_LEAD.sub("", strip_punctuation(said)))
    if len(lone) == 1 and lone in words().surnames and lone != said.strip():  # "写个陈就行": 陈
        return Naming("surname", lone)
    if _MISTAKE.search(said):
        return None  # "不对": something is wrong, not a name nor a no to showing one
    named = _named_in_a_part(said)  # "我自己嘛 一个人住 写个孙就行了 孙奶奶"
    if named is not None:
        return named
    answer = yes_or_no(said)
    if answer is False:
        return Naming("hidden")  # "不用了", "不要": no to showing a name
    if answer is True or _SHOW.search(said):
        return Naming("shown")
    return None


def _named_in_a_part(said: str) -> Naming | None:
    """Of an answer in several parts, the last part that is a 称呼 ("孙奶奶") or writes a surname ("写个孙就
    行了"); None when no part does or the answer is one part."""
    parts = [p for p in re.split(r"[\s,，.。!！、~～]+", said) if p]
    if len(parts) < 2:
        return None
    for part in reversed(parts):
        naming = naming_in(part)
        if naming is not None and naming.kind in ("name", "surname"):
            return naming
    return None


def _after_a_yes(said: str) -> str:
    """What follows a first part that is a yes ("好的，就写李老师吧" -> "就写李老师吧"), or ""."""
    parts = [p for p in re.split(r"[\s,，.。!！、~～]+", said) if p]
    return " ".join(parts[1:]) if len(parts) > 1 and yes_or_no(parts[0]) is True else ""


def _named_first(said: str) -> str:
    """A first part that writes a name ("写王奶奶 有人来了打我电话就行" -> "写王奶奶"), or ""."""
    parts = [p for p in re.split(r"[\s,，.。!！、~～]+", said) if p]
    return parts[0] if len(parts) > 1 and re.match(r"(?:就|那就)?(?:写|显示|署名)", parts[0]) else ""


def surname_of(name: str) -> str:
    """The surname of a full name as the register writes it ("欧阳娜娜" -> 欧阳), or ""."""
    name = name.strip()
    if not name or not "\u4e00" <= name[0] <= "\u9fff":
        return ""
    return next((c for c in words().compound_surnames if name.startswith(c) and len(name) > len(c)), name[0])


def is_mistake(text: str) -> bool:
    """ "不对", "改一下": what was said back is wrong."""
    return bool(_MISTAKE.search(normalize(text))) and yes_or_no(text) is not True


def _surname(said: str) -> str:
    for match in reversed(list(_SURNAME.finditer(said))):  # the last said: "显示姓就行，我姓刘"
        found = match.group(1)
        for compound in words().compound_surnames:
            if found.startswith(compound):
                return compound
        if found[0] not in _NOT_A_SURNAME and not _negated(said, match.start()):
            return found[0]
    return ""


def _negated(said: str, at: int) -> bool:
    """ "别写我姓": a surname not to be shown."""
    return bool(_HIDE.search(said[max(0, at - 6) : at]))


def _gender(said: str) -> Literal["", "lady", "sir"]:
    lady = any(w in said for w in words().lady)
    sir = any(w in said for w in words().sir)
    return "lady" if lady and not sir else "sir" if sir and not lady else ""


def _anonymous(said: str) -> bool | None:
    """匿名 said: True, or False when every 匿名 is negated ("不要匿名"); None when it is not said."""
    found = [m.start() for m in _ANONYMOUS.finditer(said)]
    if not found:
        return None
    return any(not said[:at].endswith(_NEGATION) for at in found)


def _own_name(said: str) -> str:
    """A 称呼 as the resident wrote it, or "" when the answer is no name."""
    bare = strip_punctuation(said)
    core = _NAME_TAIL.sub("", _NAME_LEAD.sub("", bare)) or bare
    if not 2 <= len(core) <= 5 or any(ch.isdigit() for ch in core) or yes_or_no(core) is not None:
        return ""
    if _LATIN_NAME.match(core):
        return core.title() if core not in _LATIN_ANSWERS else ""
    if not all("\u4e00" <= ch <= "\u9fff" for ch in core):
        return ""
    known = words()
    family = next((c for c in known.compound_surnames if core.startswith(c)), "")
    family = family or (core[0] if core[0] in known.surnames else "")
    rest = core[len(family) :] if family else ""
    if family and rest in known.titles:
        return core  # 王阿姨, 李老师, 欧阳先生
    plain = not any(ch in _NOT_IN_A_NAME for ch in core[1:])
    if core[0] in "小老阿" and len(core) <= 3 and plain and not family_in(core) and not speaks_of_self(core):
        return core  # 小李, 老张, 阿芳; not 老妈, 阿拉
    if family and 1 <= len(rest) <= 2 and not any(ch in _NOT_IN_A_NAME for ch in rest):
        return "" if core in _WORDS_LIKE_NAMES else core  # 张伟, 欧阳娜娜; not 明白
    return ""


# everyday words that begin with a surname: "明白了，谢谢" is no 明白 to show
_WORDS_LIKE_NAMES = frozenset({"明白", "明天", "周末", "马上", "安心", "谢谢"})
