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


class IntentModel:
    """Scoring only: vocabulary, idf, weights, bias and temperature, as trained."""

    def __init__(
        self,
        labels: tuple[str, ...],
        vocabulary: dict[str, int],
        idf: np.ndarray,
        weights: np.ndarray,
        bias: np.ndarray,
        temperature: float,
    ) -> None:
        self.labels = labels
        self.vocabulary = vocabulary
        self.idf = idf.astype(np.float64)
        self.weights = weights.astype(np.float64)  # (features, labels)
        self.bias = bias.astype(np.float64)
        self.temperature = float(temperature)

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> IntentModel:
        with np.load(path, allow_pickle=False) as data:
            words = str(data["vocabulary"]).split("\n")
            return cls(
                labels=tuple(str(data["labels"]).split("\n")),
                vocabulary={w: i for i, w in enumerate(words)},
                idf=data["idf"],
                weights=data["weights"],
                bias=data["bias"],
                temperature=float(data["temperature"]),
            )

    def save(self, path: Path) -> None:
        """Deterministic bytes for the same model (``np.savez_compressed`` of sorted, fixed-type arrays)."""
        words = sorted(self.vocabulary, key=self.vocabulary.__getitem__)
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
        found: Counter[int | None] = Counter(map(self.vocabulary.get, ngrams(cleaned)))
        found.pop(None, None)
        counts: dict[int, int] = found  # type: ignore[assignment]  # None is gone
        if not counts:
            return [], np.zeros(0)
        columns = list(counts)
        tf = np.fromiter(
            (_TF[c] if c < 64 else 1.0 + math.log(c) for c in counts.values()), float, len(counts)
        )
        values = tf * self.idf[columns]
        return columns, values / math.sqrt(values @ values)

    def logits(self, text: str) -> np.ndarray:
        return self._logits(clean(text))

    def _logits(self, cleaned: str) -> np.ndarray:
        columns, values = self.features(cleaned)
        if not columns:
            return self.bias.copy()
        return values @ self.weights[columns] + self.bias

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
        words = {i: w for w, i in self.vocabulary.items() if i in set(columns)}
        pushes = [
            (words[c], float(v * self.weights[c, column])) for c, v in zip(columns, values, strict=True)
        ]
        return sorted(pushes, key=lambda p: -abs(p[1]))[:top]


@functools.cache
def intent_model() -> IntentModel:
    """The shipped model, loaded once per process."""
    return IntentModel.load()
