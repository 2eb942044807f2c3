"""Everyday answers (是的, 对, 不用了, 跳过, 随便...) from content/answers.yaml: one vocabulary every dialog
step shares, instead of a set of words per step; and ``choose``, the one way a numbered question reads its
answer (the number, an ordinal, the option's label or a clear part of it, a yes or a no). Pure: no I/O
beyond reading the content."""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterable, Mapping, Sequence

import content
from nlp.slots import extract_choice
from nlp.sounds import syllable_of
from nlp.tokenize import normalize, strip_punctuation

_PARTICLES = "啊呀吧哦呢啦嘛哈了呗"
# what may stand before an answer ("嗯，是的", "那行") or after it ("不用了，谢谢") without changing it
_LEADING = frozenset(
    {"嗯", "嗯嗯", "哦", "噢", "喔", "额", "呃", "那", "那就", "那么", "唔"}
    | {"em", "emm", "emmm", "emmmm", "hmm"}
)
_POLITE_NO = frozenset({"好的", "好吧", "好", "行吧"})  # "好的，先不用了" is a no
_TRAILING = frozenset(
    {"谢谢", "谢谢你", "谢谢您", "谢啦", "谢了", "多谢", "麻烦了", "麻烦你了", "辛苦了", "辛苦"}
    | {"唔该", "唔该晒", "多谢晒", "谢谢侬", "感谢", "麻烦你们了", "辛苦你们了", "别问了"}
)
_LONGEST_COMPOUND = 16


def _words(kind: str) -> frozenset[str]:
    """Read through the content cache, so a content reload takes effect at once."""
    return _bare_set(tuple(content.load_yaml("answers.yaml")[kind]))


@functools.lru_cache(maxsize=256)
def _bare_set(words: tuple[object, ...]) -> frozenset[str]:
    # an emoji (👌) has no bare form: it stays as it is
    return frozenset(_bare(str(word)) or normalize(str(word)) for word in words)


@functools.lru_cache(maxsize=8192)
def _bare(text: str) -> str:
    """A pure function of the text, kept: the same labels and words are bared on every answer."""
    return strip_punctuation(normalize(text))  # traditional characters (對啊, 係呀) as simplified


def _forms(bare: str) -> list[str]:
    """The answer and the answer without its trailing particles, one at a time ("算了吧" -> 算了 -> 算)."""
    forms = [bare]
    while forms[-1] and forms[-1][-1] in _PARTICLES:
        forms.append(forms[-1][:-1])
    return forms


def _compound(bare: str, words: frozenset[str], kind: str) -> bool:
    """Words of one list said together ("可以可以", "好的没问题", "嗯是的", "不用了谢谢"), each perhaps with
    its particle; a 嗯 / 那 before them and a 谢谢 after them change nothing. Not for figures ("11")."""
    if not bare or len(bare) > _LONGEST_COMPOUND or any(ch.isdigit() for ch in bare):
        return False
    leading = _LEADING | (_POLITE_NO if kind == "no" else frozenset())
    # reach[i]: the first i characters are read, and how: 0 nothing yet, 1 fillers only, 2 an answer said
    reach: dict[int, int] = {0: 0}
    for start in range(len(bare)):
        said = reach.get(start)
        if said is None:
            continue
        if said == 2 and bare[start] in _PARTICLES + "的":  # "没问题的", "ok的"
            reach[start + 1] = max(reach.get(start + 1, 0), 2)
        for end in range(start + 1, len(bare) + 1):
            piece = bare[start:end]
            if piece in words:
                reach[end] = 2
            elif said < 2 and piece in leading:
                reach[end] = max(reach.get(end, 0), 1)
            elif said == 2 and piece in _TRAILING:
                reach[end] = max(reach.get(end, 0), 2)
    return reach.get(len(bare)) == 2


def _is(kind: str, text: str) -> bool:
    return _said(kind, text) or _said_together(kind, text)


def _said(kind: str, text: str) -> bool:
    """The answer is one of ``kind``'s words (with its particles)."""
    bare = _bare(text) or normalize(text).replace(" ", "")  # an emoji alone (👌) is its own form
    return bool(bare) and any(form in _words(kind) for form in _forms(bare))


def _said_together(kind: str, text: str) -> bool:
    bare = _bare(text) or normalize(text).replace(" ", "")
    return bool(bare) and _compound(bare, _words(kind), kind)


def is_yes(text: str) -> bool:
    """是的, 对, 好的, 可以, 确认, ok..."""
    return _is("yes", text)


def is_no(text: str) -> bool:
    """不是, 不对, 不用, 错了, 不要..."""
    return _is("no", text)


def is_ack(text: str) -> bool:
    """好的, 没问题, 嗯嗯...: an acknowledgement, when nothing was asked."""
    return _is("ack", text)


def is_skip(text: str) -> bool:
    """跳过, 没有, 不用了, 无..."""
    return _is("skip", text)


# where one part of an answer ends and the next begins: "对的 尽快来修", "不对，是5栋不是3栋"
_CLAUSES = re.compile(r"[\s,，.。!！?？;；、~～…]+")
_FIRST_PAUSE = re.compile(r"[\s,，.。!！;；、]+")  # a question mark ends no first part: "嗯？" stays whole


def first_part(text: str) -> str:
    """The answer's words up to its first pause ("跳过 水已经流到门口了快点" -> "跳过")."""
    return _FIRST_PAUSE.split(text.strip(), maxsplit=1)[0]


_ASKED_BACK = re.compile(r"[?？]\s*$")
# a first part that only softens what follows: "好的，先不用了" is a no
_SOFTENERS = frozenset({"好", "好的", "好吧", "行", "行吧", "那好", "嗯", "嗯嗯", "哦", "噢"})
# in a part after a yes, a word that may take it back: asked again rather than guessed
# (a "not" about something else is a remark: "要得 喊他们晚上莫整了", "没错 楼上敲门没人在")
_DOUBT = re.compile(
    r"但|可是|只是|不过(?!三)|错|不对|不是|不行|不要(?:提交|交|报|了)|先别|别(?:提交|交|急|报)|先不|不用|没(?:写|填|说|选)|[不没][改换]"
    r"|改|想想|(?:我|我们|俺|再|还得|还要|要|得)考虑(?!过)|考虑考虑|考虑一?下\W*$|考虑好|等等|等一下|稍等|再看|问问|商量|[不没]$"
    r"|说不[准好清]|拿不准|不确定|不知道|不清楚|记不清|没想好|不敢说|吃不准"  # unsure, not a yes
)
# a question in what follows a first word said without a pause ("提交了多久能来修", "取消了还能再报吗")
_QUESTION = re.compile(r"[吗么嘛?？]|多久|什么|啥|怎么|几|哪|谁|能不能|会不会|要不要|还能|为什么|咋")


def yes_or_no(text: str, *, run_on: bool = True) -> bool | None:
    """True for a yes, False for a no, None for anything else.

    The whole answer first ("是的", "不用了谢谢"). Else an answer in parts: its first part decides, and what
    follows is a remark or a reason ("对的 尽快来修哈", "不对 是5栋不是3栋"), unless a later part says the
    opposite: then the first was only a softener ("好的，先不用了": a no) or the answer is unclear ("是的
    不对 等一下"). A yes followed by a doubt it does not resolve ("对 但是楼号错了", "是的 师傅今天能来不")
    is asked again: a wrong yes files what the resident did not confirm. A lone part asked back ("嗯？",
    "是吗？") decides nothing.

    ``run_on`` also reads an answer that runs on without a pause ("不对不对我说的是三单元": a no) and one
    that names a mistake ("地址不是这个": a no); a numbered question, whose options are named, does not
    ("不要匿名" is no answer to "1 显示王女士 ... 3 匿名", not its no)."""
    found = _yes_or_no(text, run_on)
    if found is not None or not run_on or _QUESTION.search(normalize(text)):
        return found  # a question is not read for slips: 是吗 is no 是嘛
    if any(_one_part(p) is not None for p in _CLAUSES.split(normalize(text)) if p):
        return None  # words of an answer said, yet unclear: not made clear by reading slips into the rest
    heard = {_yes_or_no(reading, run_on) for reading in _heard_as(text)} - {None}
    return heard.pop() if len(heard) == 1 else None


def _yes_or_no(text: str, run_on: bool) -> bool | None:
    if _A_NOT_A.search(_bare(text)):
        return None  # "对不对", "取消不取消", "有没有": a question
    said_yes, said_no = _said("yes", text), _said("no", text)
    if said_yes != said_no:  # one word of one list: the words together below come second ("唔要" is no)
        return None if _asked_back(text) else said_yes
    if is_yes(text):
        return None if _asked_back(text) else True
    if is_no(text):
        return None if _asked_back(text) else False
    parts = [p for p in _CLAUSES.split(normalize(text)) if p]
    if run_on and parts and _one_part(parts[0]) is None:  # said without a pause: "不对不对我说的是三单元"
        parts[:1] = _leading_answer(parts[0])
    first = _one_part(parts[0]) if len(parts) >= 2 else None
    if first is None:
        return _names_a_mistake(text) if run_on else None
    read = [(p, _one_part(p)) for p in parts[1:]]
    later = {said for _, said in read} - {None}
    if first and later == {False} and _bare(parts[0]).rstrip(_PARTICLES) in _SOFTENERS:
        return False
    if (not first) in later:
        return None
    if first and any(said is None and _DOUBT.search(p) and _bare(p) not in _TRAILING for p, said in read):
        return None  # "是的 不过地址不对", "对 就是楼号没写": a yes with a doubt after it is asked again
    return first


# what is wrong, named ("地址不是这个", "门牌号写错了 应该是502"): a no, when nothing in the answer says yes
_MISTAKE = re.compile(r"(?<![没无冇])(?:写|选|填|弄|搞|打|记)?错了?|不对|有误|不是这个|不正确|\bwrong\b")


_NO_MISTAKE = re.compile(r"[没无冇]有?(?:写|选|填|弄|搞|打|记)?错|无误")
_HEDGE = re.compile(r"好像|可能|也许|不确定|不知道|说不好")


def _names_a_mistake(text: str) -> bool | None:
    said = normalize(text)
    if not _MISTAKE.search(_NO_MISTAKE.sub("", said)) or _QUESTION.search(said) or _HEDGE.search(said):
        return None
    if _A_NOT_A.search(_bare(text)):
        return None
    parts = [p for p in _CLAUSES.split(normalize(text)) if p]
    return None if any(_one_part(p) for p in parts) else False


_LONGEST_LEADING = 8
_A_NOT_A = re.compile(r"(?<!不)(.{1,2})[不没]\1")  # 对不对, 要不要, 取消不取消; not 不用不用
_ASKS = tuple("吗么嘛不没")  # "对吗", "可以不", "好没": a question, not an answer with a remark


def _leading_answer(part: str) -> list[str]:
    """A part that begins with an answer of two characters or more and goes on without a pause ("对的就是
    楼道那个灯", "不是楼道灯", "不用了我自己弄"): the answer, and the rest as a part of its own. A part
    that asks ("对吗", "可以不") or begins with a one-character word ("是谁", "好多") is kept whole."""
    bare = _bare(part)
    for end in range(min(len(bare) - 1, _LONGEST_LEADING), 1, -1):
        head, rest = bare[:end], bare[end:]
        if _one_part(head) is not None:
            if rest.startswith(_ASKS) or _QUESTION.search(rest):
                break
            return [head, rest]
    return [part]


# -- homophones: what a pinyin keyboard or voice input wrote for an everyday answer ---------------------
_MOST_READINGS = 32


@functools.lru_cache(maxsize=4)
def _answer_chars(words: frozenset[str]) -> dict[str, tuple[str, ...]]:
    """The characters of the everyday answers by syllable: 'shi' -> (是, 时...)."""
    sounds = syllable_of()
    by: dict[str, set[str]] = {}
    for ch in "".join(words):
        if ch in sounds and ch not in _PARTICLES:
            by.setdefault(sounds[ch], set()).add(ch)
    return {syllable: tuple(sorted(chars)) for syllable, chars in by.items()}


def _heard_as(text: str) -> list[str]:
    """The answer with each character the answers never use replaced by one they use that sounds the same
    (事的 -> 是的, 队的队的 -> 对的对的, 确人提交 -> 确认提交): every such reading that changes at most half
    of it, or none when there are too many. A single character is not read so (十 is not 是)."""
    said = normalize(text)  # the pauses kept: they part an answer
    bare = _bare(text)
    words = _words("yes") | _words("no")
    by = _answer_chars(words)
    known = {ch for chars in by.values() for ch in chars}
    sounds = syllable_of()
    choices = [(ch,) if ch in known or ch not in sounds else by.get(sounds[ch], (ch,)) for ch in said]
    count = 1
    for options in choices:
        count *= len(options)
    if len(bare) < 2 or count > _MOST_READINGS:
        return []
    readings = ["".join(chosen) for chosen in itertools.product(*choices)]
    # a slip changes a character here and there; one that changes most is another word (事实 is no 是是)
    return [r for r in readings if 0 < sum(a != b for a, b in zip(r, said, strict=True)) * 2 <= len(bare)]


def _one_part(part: str) -> bool | None:
    """One part read as a whole answer is: a word of one list, else words of one list said together."""
    said_yes, said_no = _said("yes", part), _said("no", part)
    if said_yes != said_no:  # "唔系" is a no, though 唔 may lead a yes ("唔，好的")
        return said_yes
    if said_yes:
        return None
    together_yes, together_no = _said_together("yes", part), _said_together("no", part)
    return together_yes if together_yes != together_no else None


def _asked_back(text: str) -> bool:
    """One short part ending in a question mark: the resident asks rather than answers."""
    return bool(_ASKED_BACK.search(text)) and len(_CLAUSES.split(text.strip(" ?？"))) == 1


def numbered_or_yes_no(text: str, count: int, *, yes: int = 1, no: int | None = 2) -> int | None:
    """A numbered answer (1..count) to a question whose options are a yes and a no: the number said, or the
    option a yes (or a no) stands for; None for anything else."""
    choice = extract_choice(text, count)
    if choice is not None:
        return choice
    answer = yes_or_no(text)
    if answer is None:
        return None
    return yes if answer else no


def is_received(text: str) -> bool:
    """收到, 已收到, 知道了, 1...: the answer to a notice asking for a receipt."""
    return _is("received", text)


def is_any(text: str) -> bool:
    """随便, 都行, 不限, 无所谓...: "take the default" where a question has one."""
    return _is("any", text)


# -- numbered questions ---------------------------------------------------------------------------------
# what people put around a pick: "我选第二个吧", "就投同意", "那就三分之二的"
_LEAD = re.compile(r"^(?:那就|那|就|我|我们|俺|咱|咱们)*(?:选择|选项|选|要|投|是|用|按|option|no|number)?")
_TAIL = re.compile(r"(?:那个|这个|那项|这项|那一项|这一项|那种|的|吧|啊|呀|哦|呢|啦|嘛|了|呗)+$")
# an option named by where it stands in the list: the first, the last, and of two, the one before or after
_FIRST = re.compile(r"^(?:头一?个|最前面?|最上面|第一个?|开头|顶上)$")
_LAST = re.compile(r"^(?:最后面?(?:一个|一项|一条)?|最下面|末一?个|末尾|倒数第一个?|最末)$")
_FIRST_OF_TWO = re.compile(r"^(?:前面?|上面|前者|前一个|左边)$")
_LAST_OF_TWO = re.compile(r"^(?:后面?|下面|后者|后一个|右边)$")
_MIDDLE = re.compile(r"^(?:中间|当中)$")
_FROM_END = re.compile(r"^倒数第(\d|[一二两三四五六七八九])个?$")
_ORDINAL = re.compile(
    r"^第?(\d{1,2}|[一二两三四五六七八九十幺]|十[一二三四五六七八九])(?:个|项|号|条|种|位|点|分|星)?$"
)
_CN_DIGIT = dict(zip("一幺二两三四五六七八九", (1, 1, 2, 2, 3, 4, 5, 6, 7, 8, 9), strict=True))
_NEGATIONS = ("不是", "不要", "不用", "并非", "不", "别", "没", "非", "不太", "不大", "不怎么", "不是很")


def _core(text: str) -> str:
    """The answer without punctuation and the words around it: "我选第二个吧！" -> "第二个"."""
    bare = _bare(text)
    core = _TAIL.sub("", _LEAD.sub("", bare))
    return core or bare.rstrip(_PARTICLES)


_KEYCAP = str.maketrans("", "", "\ufe0f\u20e3")  # 2️⃣ is 2, a variation selector and a keycap
_ENGLISH = {"one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "first": "1",
            "second": "2", "third": "3"}  # fmt: skip
# a pick said last, after a hesitation: "1还是2……算了选2", "1、2都不好 选3"
_LAST_PICK = re.compile(
    r"(?:算了|还是|就|那就)?(?:选|投)\s*(?:第)?\s*(\d{1,2}|[一二两三四五六七八九])\s*(?:个|项|号)?[吧啊呀了]*$"
)


def ordinal(text: str, count: int) -> int | None:
    """A number among ``1..count``: "2", "第二个", "第2个", "选一", "二", "两", "2号", "①", "2️⃣",
    "选项二", "option 2", "two"; and a pick said last after a hesitation ("1还是2……算了选2")."""
    text = text.translate(_KEYCAP)
    found = extract_choice(text, count)
    if found is not None:
        return found
    core = _core(text)
    core = _ENGLISH.get(core, core)
    last = _LAST_PICK.search(_bare(text))
    if last is not None and _ORDINAL.match(core) is None:
        said = last.group(1)
        value = int(said) if said.isdigit() else _CN_DIGIT[said]
        return value if 1 <= value <= count else None
    match = _ORDINAL.match(core)
    if match is None:
        return _position(core, count)
    said = match.group(1)
    if said.isdigit():
        value = int(said)
    elif said.startswith("十"):
        value = 10 + (_CN_DIGIT[said[1]] if len(said) > 1 else 0)
    else:
        value = _CN_DIGIT[said]
    return value if 1 <= value <= count else None


def _position(core: str, count: int) -> int | None:
    """头一个, 最后一个, 倒数第二个; of two options 前面那个 / 后面那个; of three 中间那个."""
    if count < 2:
        return None
    if _FIRST.match(core):
        return 1
    if _LAST.match(core):
        return count
    if count == 2 and _FIRST_OF_TWO.match(core):
        return 1
    if count == 2 and _LAST_OF_TWO.match(core):
        return 2
    if count == 3 and _MIDDLE.match(core):
        return 2
    match = _FROM_END.match(core)
    if match:
        said = match.group(1)
        back = int(said) if said.isdigit() else _CN_DIGIT[said]
        return count - back + 1 if 1 <= back <= count else None
    return None


def _parts(label: str) -> list[str]:
    """A label and its clear parts: '不是，换个位置' -> 不是，换个位置 / 不是 / 换个位置."""
    bare = _bare(label)
    pieces = [_bare(p) for p in re.split(r"[\s,，、;；:：/（）()\"“”]+", normalize(label))]
    return [bare] + [p for p in pieces if len(p) >= 2 and p != bare]


def _vocabulary(label: str) -> list[str]:
    """The shared words for a label (content/answers.yaml ``labels``)."""
    table = content.load_yaml("answers.yaml").get("labels") or {}
    return [_bare(str(w)) for w in table.get(_bare(label), [])]


def _negated(text: str, word: str) -> bool:
    """Every place ``word`` occurs in ``text`` follows a 不 / 别 / 不是... ("不要匿名" is no 匿名)."""
    if word[0] in "不别没非":
        return False
    starts = [m.start() for m in re.finditer(re.escape(word), text)]
    return all(text[:start].endswith(_NEGATIONS) for start in starts)


def _score(text: str, words: Iterable[str], loose: bool) -> int:
    best = 0
    for word in words:
        if not word:
            continue
        if text == word:
            best = max(best, 100 + len(word))
        elif loose and len(word) >= 2 and word in text and not _negated(text, word):
            best = max(best, len(word))
        elif len(text) >= 2 and text in word:  # a clear part of the option: 业主 for 仅限业主
            best = max(best, len(text))
    return best


def _pick(text: str, options: list[list[str]], loose: bool) -> int | None:
    """The option picked (1-based), None when two fit as well, 0 when none does."""
    found = ordinal(text, len(options))
    if found is not None:
        return found
    said, whole = _core(text), _bare(text)
    scores = [max(_score(said, w, loose), _score(whole, w, loose)) if said else 0 for w in options]
    best = max(scores, default=0)
    if not best:
        return 0
    return scores.index(best) + 1 if scores.count(best) == 1 else None  # a tie: ask again, not guess


_NUMERAL_CHARS = "一二三四五六七八九十"


def _heard_for_options(text: str, options: list[list[str]]) -> str:
    """The answer with each character no option uses replaced by the one character of the labels (or
    numeral) that sounds the same, where there is only one: "衣人衣票" -> "一人一票", "选伞" -> "选三"."""
    sounds = syllable_of()
    known = set("".join(word for words in options for word in words)) | set(_NUMERAL_CHARS)
    by: dict[str, set[str]] = {}
    for ch in set("".join(words[0] for words in options if words)) | set(_NUMERAL_CHARS):
        if ch in sounds:
            by.setdefault(sounds[ch], set()).add(ch)
    heard = []
    for ch in normalize(text):
        alike = by.get(sounds.get(ch, ""), set()) if ch not in known else set()
        heard.append(next(iter(alike)) if len(alike) == 1 else ch)
    return "".join(heard)


_DIALECT_NOT = re.compile(r"唔(?!该|好意思)|冇|勿|覅|甭")
_STANDARD_NOT = {"唔": "不", "冇": "没", "勿": "不", "覅": "不", "甭": "不用"}


def _standard_negations(text: str) -> str:
    """Dialect negations as 不 / 没, so that a label is found negated: "我唔同意" is 不同意, not 同意."""
    return _DIALECT_NOT.sub(lambda m: _STANDARD_NOT[m.group()], text)


def choose(
    text: str,
    labels: Sequence[str],
    *,
    synonyms: Mapping[int, Iterable[str]] | None = None,
    yes: int | None = None,
    no: int | None = None,
    loose: bool = True,
) -> int | None:
    """The option (1-based) a numbered question's answer picks, or None when it picks none or is unclear.

    In order: the number or an ordinal ("2", "第二个", "选一", "两"); the option's label, a clear part of
    it, or a word for it (``synonyms`` by option number, plus the shared ``labels`` vocabulary), the
    longest word found deciding and a tie meaning "unclear"; then a plain yes (``yes``) or no (``no``).
    ``loose`` also finds a label inside a longer sentence ("我不同意加装"); steps where a new request is as
    welcome as a pick (a menu, a list) pass ``loose=False``: the answer must be the label or a part of it.
    """
    options = [
        _parts(label) + _vocabulary(label) + [_bare(w) for w in (synonyms or {}).get(index, ())]
        for index, label in enumerate(labels, start=1)
    ]
    picked = _pick(_standard_negations(text), options, loose)
    if not picked:  # "衣人衣票", "选伞": typed by sound
        heard = _heard_for_options(text, options)
        if heard != normalize(text):
            picked = _pick(heard, options, loose) or picked
    if picked != 0:
        return picked
    answer = yes_or_no(text, run_on=False)
    if answer is True:
        return yes
    return no if answer is False else None
