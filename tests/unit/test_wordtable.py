"""jieba's dictionary packed in numpy (nlp.wordtable): the same entries, and the same cut as jieba's own
tokenizer, for the text the bot sees and for text made to be awkward."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from nlp import train as training
from nlp.tokenize import Tokenizer, _table
from nlp.wordtable import Frequencies, WordTable, compact_jieba, import_jieba

TEXTS = [
    "楼道灯坏了好几天了",
    "你好",
    "办居住证要带什么",
    "侵华日军南京大屠杀遇难同胞纪念馆在哪",  # a word of 16 characters
    "我想问一下中华人民共和国居民身份证怎么办理",
    "abc 123 hello世界，3栋2单元502漏水了！！",
    "电梯又坏了😡😡老人上不去楼",  # beyond the BMP
    "𠮷野家的外卖到了吗",  # a character beyond the BMP inside a block
    "社区网格员小王的电话是多少啊",
    "核酸检测点在哪里 周六上班吗",
    "",
    "。。。",
    "A座1203的下水道堵了，物业不管",
    "老旧小区加装电梯的补贴政策是什么",
]
OWN_WORDS = ["灯坏了", "网格员", "小区加装电梯", "堵了", "居住证明", "一刻钟便民生活圈", "垃圾分类督导员"]


def _with_own_words(tokenizer: Any, words: list[str]) -> Any:
    for word in words:
        tokenizer.add_word(word, 50)
        tokenizer.suggest_freq(word, tune=True)
    return tokenizer


@pytest.fixture(scope="module")
def jieba_itself() -> Any:
    """jieba's own tokenizer over its own dictionary (loaded once: 60 MB)."""
    tokenizer = import_jieba().Tokenizer()
    tokenizer.initialize()
    return tokenizer


@pytest.mark.parametrize("own", [OWN_WORDS, [*OWN_WORDS, "𠮷野家"]], ids=["own words", "one beyond the BMP"])
def test_cut_as_jieba_cuts(jieba_itself: Any, own: list[str]) -> None:
    reference = copy.copy(jieba_itself)
    reference.FREQ = dict(jieba_itself.FREQ)
    _with_own_words(reference, own)
    ours = _with_own_words(compact_jieba(_table()), own)
    assert ours.FREQ.vectorised == (len(own) == len(OWN_WORDS))  # 𠮷: looked up word by word
    heldout = [text for _, text in training.read_tsv(training.HELDOUT)]
    for text in TEXTS + heldout:
        for hmm in (True, False):
            assert ours.lcut(text, HMM=hmm) == reference.lcut(text, HMM=hmm), text
        assert ours.lcut(text, cut_all=True) == reference.lcut(text, cut_all=True), text
    assert ours.total == reference.total


def test_the_same_entries_as_jieba(jieba_itself: Any) -> None:
    freq = compact_jieba(_table()).FREQ
    theirs = jieba_itself.FREQ
    for word in [
        "你好",
        "中华人民共和国",
        "中华人民",
        "侵华日军南京大屠杀遇难同胞纪",
        "一刻钟便民",
        "灯坏",
        "𠮷",
        "",
    ]:
        assert freq.get(word) == theirs.get(word), word
        assert (word in freq) == (word in theirs)
    words = list(theirs)[::997]  # a sample of the half million
    assert [freq.get(w) for w in words] == [theirs[w] for w in words]


def test_tokenizers_share_the_table_and_keep_their_own_words() -> None:
    first, second = Tokenizer(), Tokenizer()
    first.add_words(["灯坏了"])
    assert first._jieba.FREQ.table is second._jieba.FREQ.table
    assert "灯坏了" in first.words("楼道灯坏了")
    assert "灯坏了" not in second.words("楼道灯坏了")


def _small() -> WordTable:
    freq: dict[str, int] = {}
    for word, f in {"社区": 10, "社区医院": 5, "社区卫生服务中心": 3, "医院": 8, "🏥": 2}.items():
        freq[word] = f
        for i in range(1, len(word)):
            freq.setdefault(word[:i], 0)
    return WordTable.from_frequencies(freq, total=28)


def test_a_short_entry_that_does_not_pack_makes_the_lookup_word_by_word() -> None:
    table = _small()
    assert not table.packs_all_short  # 🏥 is beyond the BMP: kept aside, looked up word by word
    tokenizer = compact_jieba(table)
    assert not tokenizer.FREQ.vectorised
    assert tokenizer.lcut("社区卫生服务中心🏥社区医院", HMM=False) == ["社区卫生服务中心", "🏥", "社区医院"]


def test_entries_and_prefixes(tmp_path: Path) -> None:
    table = _small()
    table.save(tmp_path / "t.npz")
    for loaded in (table, WordTable.load(tmp_path / "t.npz")):
        freq = Frequencies(loaded)
        assert freq.get("社区") == 10 and freq["社区卫生服务中心"] == 3
        assert freq.get("社区卫") == 0  # a prefix
        assert freq.get("卫生") is None and "卫生" not in freq
        freq["卫生"] = 4  # a tokenizer's own word, with a character the table has not seen
        freq["卫生所"] = 1
        assert freq.get("卫生所") == 1 and Frequencies(loaded).get("卫生所") is None


def test_a_cache_that_does_not_load_is_built_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from nlp import wordtable

    cache = tmp_path / "jieba.npz"
    cache.write_bytes(b"half a file")
    monkeypatch.setattr(wordtable, "_jieba_cache", lambda: cache)
    table = WordTable.load_jieba()  # built by a child process, which writes the cache anew
    assert table.total == _table().total and np.array_equal(table.keys, _table().keys)
    assert WordTable.load(cache).long == _table().long
