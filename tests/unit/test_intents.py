import pytest

from bot.app import classifier, global_words
from nlp.intents import IntentClassifier, IntentSpec
from nlp.tokenize import Tokenizer, normalize, strip_punctuation

CASES = [
    ("绑定", "bind"),
    ("我要绑定住址", "bind"),
    ("怎么绑定门牌", "bind"),
    ("我搬家了要换绑", "bind"),
    ("帮助", "help"),
    ("你能做什么", "help"),
    ("菜单", "help"),
    ("转人工", "human"),
    ("我要找工作人员", "human"),
    ("取消", "cancel"),
    ("我的信息", "my_info"),
    ("你好", "greet"),
    ("在吗？", "greet"),
    ("谢谢你", "thanks"),
    ("辛苦了", "thanks"),
    ("生成邀请码 网格员", "invite"),
    ("今天天气怎么样", "out_of_scope"),  # the model: not something the community does
    ("我不想取消这个报修", "my_tickets"),  # a control word inside content is not the control
    ("啊？", None),
    ("1", None),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_content_intents(text: str, expected: str | None) -> None:
    assert classifier().classify(text).intent == expected


def test_tie_is_offered_not_guessed() -> None:
    tok = Tokenizer()
    clf = IntentClassifier(
        [IntentSpec("repair", "报修", {"坏了": 2}), IntentSpec("complain", "投诉", {"物业": 2})],
        tok,
        threshold=2,
    )
    result = clf.classify("物业的灯坏了")
    assert result.intent is None
    assert result.ambiguous
    assert result.candidates == ("repair", "complain")


def test_below_threshold_is_no_intent() -> None:
    clf = IntentClassifier([IntentSpec("a", "A", {"灯": 1})], Tokenizer(), threshold=2)
    assert clf.classify("灯").intent is None


def test_keywords_survive_segmentation() -> None:
    tokens = classifier().tokenizer.tokens("我想转人工服务")
    assert "转人工" in tokens


def test_normalize_and_punctuation() -> None:
    assert normalize("　ＡＢＣ  １２３ ") == "abc 123"
    assert strip_punctuation("取消！") == "取消"
    assert strip_punctuation("取 消。") == "取消"


def test_global_words_loaded() -> None:
    words = global_words()
    assert {"取消", "退出"} <= words["cancel"]
    assert {"帮助", "菜单"} <= words["help"]
    assert "人工" in words["human"]
