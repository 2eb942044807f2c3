"""The intent model's vocabulary packed in numpy (nlp.model.Vocabulary): the same columns, in the same
order, as the dict of n-grams it replaces, and the model's weights kept in the precision they ship in."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from nlp.model import IntentModel, Vocabulary, clean, intent_model, ngrams

WORDS = [
    "灯",
    "坏",
    "灯坏",
    "坏了",
    "灯坏了",
    "😡",
    "😡😡",
    "[微笑]",
    "[捂脸]",
    "[a]",
    "a",
    "0",
    "0栋",
    " ",
    "电梯困",
]
TEXTS = [
    "楼道灯坏了，灯坏了😡😡",
    "[微笑][捂脸]好的[a]",
    "",
    "a",
    "3栋 电梯困人",
    "\ud800孤",  # a lone surrogate
    "𠮷野家",
]


def _as_dict(text: str, columns: dict[str, int]) -> list[int]:
    """What the model looked up before: each n-gram of ``ngrams`` in a dict, unknown ones dropped."""
    return [columns[g] for g in ngrams(text) if g in columns]


@pytest.mark.parametrize("text", TEXTS)
def test_columns_as_the_dict_gives_them(text: str) -> None:
    columns = {w: i for i, w in enumerate(WORDS)}
    vocabulary = Vocabulary.from_words(columns)
    assert vocabulary.columns_of(text) == _as_dict(text, columns)
    assert len(vocabulary) == len(WORDS)
    assert vocabulary.words() == WORDS
    for word in [*WORDS, "不在", "[哭]"]:
        assert vocabulary.get(word) == columns.get(word)


def test_the_shipped_model_finds_the_same_n_grams_in_the_same_order() -> None:
    model = intent_model()
    words = model.vocabulary.words()
    columns = {w: i for i, w in enumerate(words)}
    assert len(columns) == len(words) > 100_000
    for text in ["您好，楼道灯坏了好几天了[捂脸]", "电梯里困了人，138xxxx1234", "周六上班吗？？", "👍"]:
        cleaned = clean(text)
        assert model.vocabulary.columns_of(cleaned) == _as_dict(cleaned, columns)
        found = Counter(_as_dict(cleaned, columns))
        assert model.features(cleaned)[0] == list(found)


def test_weights_stay_in_the_precision_they_ship_in() -> None:
    model = intent_model()
    assert model.weights.dtype == np.float16 and model.idf.dtype == np.float32
    again = IntentModel(
        model.labels,
        dict(zip(model.vocabulary.words(), range(len(model.vocabulary)), strict=True)),
        model.idf.astype(np.float64),
        model.weights.astype(np.float64),
        model.bias,
        model.temperature,
    )
    for text in ["楼道灯坏了", "办居住证要带啥", "[微笑]"]:
        assert np.array_equal(again.logits(text), model.logits(text))  # the same sums, not nearly
