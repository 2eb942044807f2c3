"""The trained intent model: what a resident's free text is about, with a probability.

A linear model over character n-grams (1 to 3) of the cleaned message, TF-IDF weighted as scikit-learn's
``TfidfVectorizer(sublinear_tf=True)`` does, scored here with numpy alone: scikit-learn is needed only to
train (``community-bot nlp train``, ``nlp/train.py``), never at run time. The weights ship in the package
(``nlp/model/intent.npz``); probabilities are a softmax with a temperature fitted on held-back folds of
the training data, so that "0.6" means right about six times in ten and the bot knows when it is unsure.

Before scoring, the message is cleaned (``clean``): width and case folded, a phone number made one mark
and every other run of digits one digit (3栋 and 12栋 look alike), and the salutations and greetings
that open so many messages (尊敬的领导您好, 在吗, 麻烦问一下) stripped, so that they never decide what
a message is about.
"""

from __future__ import annotations

import functools
import math
import operator
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from nlp.tokenize import normalize

MODEL_PATH = Path(__file__).parent / "model" / "intent.npz"

LABELS = (
    "emergency",
    "repair",
    "complaint",
    "wish",
    "volunteer",
    "vote",
    "propose",
    "service",
    "status",
    "bind",
    "human",
    "smalltalk",
    "out_of_scope",
    "activity",
    "survey",
    "notice",
)

# Openings that say nothing about the request. Longest first; repeated while one matches, so that
# "您好，在吗？请问一下" loses all three. A message that is nothing but a greeting keeps it.
_OPENINGS = sorted(
    (
        "尊敬的各位领导",
        "尊敬的社区领导",
        "尊敬的领导",
        "尊敬的工作人员",
        "尊敬的书记",
        "尊敬的主任",
        "社区领导",
        "各位领导",
        "领导们",
        "领导",
        "亲爱的工作人员",
        "工作人员",
        "社区的同志",
        "同志",
        "小助手",
        "小编",
        "管理员",
        "客服",
        "亲",
        "亲们",
        "你好",
        "您好",
        "你们好",
        "大家好",
        "哈喽",
        "哈罗",
        "hello",
        "hi",
        "嗨",
        "喂",
        "早上好",
        "上午好",
        "中午好",
        "下午好",
        "晚上好",
        "早安",
        "晚安",
        "在吗",
        "在不在",
        "有人吗",
        "有人在吗",
        "打扰了",
        "打扰一下",
        "不好意思",
        "冒昧问一下",
        "麻烦问一下",
        "麻烦问下",
        "麻烦一下",
        "麻烦了",
        "麻烦",
        "请问一下",
        "请问下",
        "请问",
        "问一下",
        "问下",
        "想问一下",
        "想问下",
        "我想问一下",
        "我想问下",
        "我想问",
        "咨询一下",
        "咨询下",
        "我想咨询一下",
        "我想咨询",
        "您",
        "你",
        # exclamations before the matter ("啊啊啊 楼梯上有只死老鼠", "无语 楼上又在装修"); not 救命, which
        # may be the matter itself
        "啊啊啊啊",
        "啊啊啊",
        "啊啊",
        "哎呀呀",
        "哎呀",
        "哎哟",
        "哎",
        "唉",
        "天哪",
        "天啊",
        "我的天哪",
        "我的天",
        "妈呀",
        "我去",
        "我靠",
        "卧槽",
        "绝了",
        "离谱",
        "太离谱了",
        "无语",
        "无语了",
        "服了",
        "我服了",
        "emmm",
        "emm",
        "呃",
    ),
    key=len,
    reverse=True,
)
_OPENING = re.compile("^(?:" + "|".join(re.escape(w) for w in _OPENINGS) + r")[\s,，.。!！?？~～、:：;；…]*")
# a phone number, as written or as the corpus hides it (138xxxx1234), is one mark; any other run of digits
# (3栋, 502, 2024年) one digit: numbers say where and when, not what a message is about
_PHONE = re.compile(r"\d{3,4}[x×*＊]{3,4}\d{3,4}|\d{7,}", re.I)
_DIGITS = re.compile(r"\d+")
# what may be left after the openings and still be "nothing": punctuation, spaces and sentence particles
_NOTHING_LEFT = " ,，.。!！?？~～、…呀啊哈呢吧嘛哦噢喔啦"
_SPACES = re.compile(r"\s+")
_TF = [0.0, *(1.0 + math.log(n) for n in range(1, 64))]  # sublinear term frequency, precomputed
_WECHAT_CODE = re.compile(r"\[[^\[\]]{1,4}\]")  # [微笑], [捂脸]: kept, as one token each


def strip_openings(text: str) -> str:
    """``text`` without its leading salutations and greetings; unchanged if nothing would be left."""
    rest = text
    while True:
        stripped = _OPENING.sub("", rest, count=1)
        if stripped == rest:
            break
        rest = stripped
    return rest if rest.strip(_NOTHING_LEFT) else text


def clean(text: str) -> str:
    """What the model reads: normalised, openings stripped, phones marked, digits folded, spaces collapsed."""
    return fold_numbers(strip_openings(normalize(text)))


def fold_numbers(stripped: str) -> str:
    """The last steps of ``clean``, for a caller that has normalised and stripped the text already."""
    return _SPACES.sub(" ", _DIGITS.sub("0", _PHONE.sub("☎", stripped))).strip()


def ngrams(cleaned: str) -> list[str]:
    """Character 1-, 2- and 3-grams of ``cleaned`` (what scikit-learn's ``analyzer="char"`` makes) and the
    WeChat codes: the same list trains and scores. Built by C-level iteration: most of scoring's time."""
    bigrams = list(map(operator.add, cleaned, cleaned[1:]))
    trigrams = map(operator.add, bigrams, cleaned[2:])
    return [*cleaned, *bigrams, *trigrams, *_WECHAT_CODE.findall(cleaned)]


_BITS = np.uint64(21)  # a code point + 1 (never 0): below 2**21
_END = np.uint64(2**64 - 1)


class Vocabulary:
    """The model's n-grams -> their columns, without a Python string each (106,000 of them: 15 MB as a
    dict). An n-gram of 1 to 3 characters (all but the WeChat codes) is one integer, its code points + 1
    side by side, 21 bits each: exact for any text, and never ambiguous (an n-gram of n characters lies in
    [2**(21(n-1)), 2**(21n))). The integers are sorted, their columns beside them; the longer n-grams, a
    few hundred WeChat codes ([微笑]), stay a dict."""

    def __init__(self, codes: np.ndarray) -> None:
        """``codes``: the code points of the n-grams in column order, each followed by a newline."""
        ends = np.flatnonzero(codes == 10)
        starts = np.concatenate([[0], ends[:-1] + 1])
        lengths = ends - starts
        short = np.flatnonzero(lengths <= 3)
        keys = np.zeros(len(short), dtype=np.uint64)
        for i in range(3):
            has = lengths[short] > i
            digit = codes[np.minimum(starts[short] + i, len(codes) - 1)].astype(np.uint64) + np.uint64(1)
            keys = np.where(has, keys << _BITS | digit, keys)
        order = np.argsort(keys)
        self.keys = np.append(keys[order], _END)
        self.columns = np.append(short[order], -1).astype(np.int32)
        self.long = {
            codes[starts[i] : ends[i]].tobytes().decode("utf-32-le", "surrogatepass"): int(i)
            for i in np.flatnonzero(lengths > 3)
        }
        self.size = len(lengths)

    @classmethod
    def from_words(cls, words: Mapping[str, int]) -> Vocabulary:
        ordered = sorted(words, key=words.__getitem__)
        if [words[w] for w in ordered] != list(range(len(ordered))):
            raise ValueError("the columns must be 0 to n - 1")
        return cls(_codes("".join(w + "\n" for w in ordered)))

    def __len__(self) -> int:
        return self.size

    def columns_of(self, cleaned: str) -> list[int]:
        """The columns of the known n-grams of ``cleaned``, in the order of ``ngrams(cleaned)``."""
        codes = _codes(cleaned).astype(np.uint64) + np.uint64(1)
        bigrams = codes[:-1] << _BITS | codes[1:]
        wanted = np.concatenate([codes, bigrams, bigrams[:-1] << _BITS | codes[2:]])
        at = np.searchsorted(self.keys, wanted)
        found: list[int] = self.columns[at[self.keys[at] == wanted]].tolist()
        for code in _WECHAT_CODE.findall(cleaned):
            column = self.get(code)
            if column is not None:
                found.append(column)
        return found

    def get(self, gram: str) -> int | None:
        """``gram``'s column, if the model knows it."""
        if len(gram) > 3 or not gram:
            return self.long.get(gram)
        key = 0
        for ch in gram:
            key = key << 21 | (ord(ch) + 1)
        at = int(np.searchsorted(self.keys, np.uint64(key)))
        return int(self.columns[at]) if int(self.keys[at]) == key else None

    def words(self) -> list[str]:
        """Every n-gram, in column order."""
        found = [""] * self.size
        for key, column in zip(self.keys[:-1].tolist(), self.columns[:-1].tolist(), strict=True):
            chars = []
            while key:
                chars.append(chr((key & 0x1FFFFF) - 1))
                key >>= 21
            found[column] = "".join(reversed(chars))
        for word, column in self.long.items():
            found[column] = word
        return found


def _codes(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


@dataclass(frozen=True, eq=False)
class Prediction:
    """The best label and its probability; every label's probability (``ranked``: best first)."""

    labels: tuple[str, ...]
    probabilities: tuple[float, ...]  # in the order of ``labels``

    @functools.cached_property
    def ranked(self) -> tuple[tuple[str, float], ...]:
        return tuple(sorted(zip(self.labels, self.probabilities, strict=True), key=lambda lp: -lp[1]))

    @property
    def label(self) -> str:
        return self.ranked[0][0]

    @property
    def probability(self) -> float:
        return self.ranked[0][1]

    @property
    def runner_up(self) -> tuple[str, float]:
        return self.ranked[1]

    def probability_of(self, label: str) -> float:
        return self.probabilities[self.labels.index(label)]

    def without(self, label: str) -> Prediction:
        """The labels' probabilities given that it is not ``label`` (that one 0, the rest scaled to 1)."""
        rest = 1.0 - self.probability_of(label)
        if rest <= 0:
            return self
        return Prediction(
            self.labels,
            tuple(
                0.0 if lb == label else p / rest
                for lb, p in zip(self.labels, self.probabilities, strict=True)
            ),
        )


class IntentModel:
    """Scoring only: vocabulary, idf, weights, bias and temperature, as trained.

    idf and weights are kept in the precision they come in (float32 and float16 as shipped: 4 MB rather
    than 13 MB in float64) and the rows a message needs are made float64 when scoring it: the same
    numbers, so the same sums, as when the whole was float64."""

    def __init__(
        self,
        labels: tuple[str, ...],
        vocabulary: Mapping[str, int] | Vocabulary,
        idf: np.ndarray,
        weights: np.ndarray,
        bias: np.ndarray,
        temperature: float,
    ) -> None:
        self.labels = labels
        self.vocabulary = (
            vocabulary if isinstance(vocabulary, Vocabulary) else Vocabulary.from_words(vocabulary)
        )
        self.idf = idf
        self.weights = weights  # (features, labels)
        self.bias = bias.astype(np.float64)
        self.temperature = float(temperature)

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> IntentModel:
        with np.load(path, allow_pickle=False) as data:
            # the n-grams straight from the array's code points: no string made for each
            words = np.frombuffer(data["vocabulary"].tobytes(), dtype=np.uint32)
            return cls(
                labels=tuple(str(data["labels"]).split("\n")),
                vocabulary=Vocabulary(np.append(words[: np.flatnonzero(words)[-1] + 1], np.uint32(10))),
                idf=data["idf"],
                weights=data["weights"],
                bias=data["bias"],
                temperature=float(data["temperature"]),
            )

    def save(self, path: Path) -> None:
        """Deterministic bytes for the same model (``np.savez_compressed`` of sorted, fixed-type arrays)."""
        words = self.vocabulary.words()
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as out:
            np.savez_compressed(
                out,
                labels=np.array("\n".join(self.labels)),
                vocabulary=np.array("\n".join(words)),
                idf=self.idf.astype(np.float32),
                weights=self.weights.astype(np.float16),
                bias=self.bias.astype(np.float32),
                temperature=np.array(self.temperature, dtype=np.float64),
            )

    def features(self, cleaned: str) -> tuple[list[int], np.ndarray]:
        """The known n-grams' columns of a cleaned text and their TF-IDF values, L2-normalised."""
        counts = Counter(self.vocabulary.columns_of(cleaned))  # first seen first, as ngrams() lists them
        if not counts:
            return [], np.zeros(0)
        columns = list(counts)
        tf = np.fromiter(
            (_TF[c] if c < 64 else 1.0 + math.log(c) for c in counts.values()), float, len(counts)
        )
        values = tf * self.idf[columns].astype(np.float64)
        return columns, values / math.sqrt(values @ values)

    def logits(self, text: str) -> np.ndarray:
        return self._logits(clean(text))

    def _logits(self, cleaned: str) -> np.ndarray:
        columns, values = self.features(cleaned)
        if not columns:
            return self.bias.copy()
        return values @ self.weights[columns].astype(np.float64) + self.bias

    def predict(self, text: str) -> Prediction:
        return self.predict_cleaned(clean(text))

    def predict_cleaned(self, cleaned: str) -> Prediction:
        scores = self._logits(cleaned) / self.temperature
        scores = np.exp(scores - scores.max())
        return Prediction(self.labels, tuple((scores / scores.sum()).tolist()))

    def explain(self, text: str, label: str, top: int = 8) -> list[tuple[str, float]]:
        """The n-grams that pushed ``text`` towards ``label`` most (and against it, negative)."""
        columns, values = self.features(clean(text))
        column = self.labels.index(label)
        words = self.vocabulary.words()
        pushes = [
            (words[c], float(v * float(self.weights[c, column])))
            for c, v in zip(columns, values, strict=True)
        ]
        return sorted(pushes, key=lambda p: -abs(p[1]))[:top]


@functools.cache
def intent_model() -> IntentModel:
    """The shipped model, loaded once per process."""
    return IntentModel.load()
