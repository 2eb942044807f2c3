"""Pure pieces behind wishes: days named in words, personal data on its way to a public board, durations."""

from __future__ import annotations

import datetime as dt

import pytest

from handlers.wishes.reading import deadline_in, family_in, naming_in, speaks_of_self
from handlers.wishes.rules import rules
from handlers.wishes.service_dialog import parse_hours
from nlp.privacy import inspect, redact
from nlp.slots import extract_date

TUESDAY = dt.date(2026, 11, 24)
DATES = [
    ("周六陪我妈去医院", dt.date(2026, 11, 28)),
    ("星期二", TUESDAY),  # a weekday means the next such day, today included
    ("周一", dt.date(2026, 11, 30)),
    ("下周三", dt.date(2026, 12, 2)),
    ("下个星期一", dt.date(2026, 11, 30)),
    ("下下周五", dt.date(2026, 12, 11)),
    ("这周末", dt.date(2026, 11, 28)),
    ("礼拜天", dt.date(2026, 11, 29)),
    ("今天", TUESDAY),
    ("明天下午", dt.date(2026, 11, 25)),
    ("后天", dt.date(2026, 11, 26)),
    ("大后天", dt.date(2026, 11, 27)),
    ("12月5日前", dt.date(2026, 12, 5)),
    ("十二月五号", dt.date(2026, 12, 5)),
    ("1月3号", dt.date(2027, 1, 3)),  # already past this year: next year's
    ("11月24日", TUESDAY),
    ("20号", dt.date(2026, 12, 20)),  # past this month: next month's
    ("30号", dt.date(2026, 11, 30)),
    ("月底前", dt.date(2026, 11, 30)),
    ("2月30日", None),
    ("不急", None),
    ("3栋502", None),
    ("3号楼", None),
    ("", None),
]


@pytest.mark.parametrize(("text", "expected"), DATES)
def test_extract_date(text: str, expected: dt.date | None) -> None:
    assert extract_date(text, TUESDAY) == expected


PERSONAL = [
    ("我妈住3栋2单元502，电话13812345678", {"phone", "address"}, "我妈住***，电话***"),
    ("身份证110101199003071234", {"id_number"}, "身份证***"),
    ("身份证11010119900307123X", {"id_number"}, "身份证***"),
    ("座机0871-65123456", {"phone"}, "座机***"),
    ("手机138 1234 5678", {"phone"}, "手机***"),
    ("+86 138-1234-5678", {"phone"}, "***"),
    ("一三八一二三四五六七八", {"phone"}, "***"),
    ("三号楼五零二室的老人", {"address"}, "***的老人"),
    ("3-2-502", {"address"}, "***"),
    ("给3栋的王奶奶买两本书", set(), "给3栋的王奶奶买两本书"),
    ("周六上午9点陪我妈去医院", set(), "周六上午9点陪我妈去医院"),
    ("孩子想要几本课外书", set(), "孩子想要几本课外书"),
]


@pytest.mark.parametrize(("text", "kinds", "masked"), PERSONAL)
def test_personal_data_found_and_masked(text: str, kinds: set[str], masked: str) -> None:
    assert set(inspect(text, ()).personal) == kinds
    assert redact(text) == masked


def test_sensitive_words_are_flagged_not_masked() -> None:
    found = inspect("希望有人借钱给我", rules().sensitive_words)
    assert found.words == ("借钱",) and not found.clean
    assert redact("希望有人借钱给我") == "希望有人借钱给我"


@pytest.mark.parametrize(
    ("text", "hours"),
    [
        ("2小时", 2.0),
        ("1.5 小时", 1.5),
        ("半小时", 0.5),
        ("一个半小时", 1.5),
        ("两个小时", 2.0),
        ("90分钟", 1.5),
        ("两个半钟头", 2.5),
        ("3h", 3.0),
        ("陪同复查", None),
    ],
)
def test_parse_hours(text: str, hours: float | None) -> None:
    assert parse_hours(text) == hours


@pytest.mark.parametrize(
    ("text", "category", "relation"),
    [
        ("希望有人周末陪我妈去医院复查", "escort", "母亲"),
        ("孩子想要几本课外书", "study", "孩子"),
        ("想请人教我爸用智能手机", "skills", "父亲"),
        ("独居老人想找人聊聊天", "elderly", "老人"),
        ("想要一副老花镜", "goods", ""),
        ("想找人帮忙搬个家", "other", ""),
    ],
)
def test_category_and_family_from_words(text: str, category: str, relation: str) -> None:
    assert rules().category_in_text(text).key == category
    assert family_in(text) == relation


@pytest.mark.parametrize(
    ("answer", "kind", "value"),
    [
        ("匿名就中", "hidden", ""),
        ("名字就别写了", "hidden", ""),
        ("不要匿名", "shown", ""),
        ("可以显示", "shown", ""),
        ("好的 麻烦帮我发出去", "shown", ""),
        ("不用写全名，显示姓就行", "shown", ""),
        ("免贵姓王", "surname", "王"),
        ("我姓欧阳", "surname", "欧阳"),
        ("别写我姓张", "hidden", ""),
        ("就写刘大姐吧", "name", "刘大姐"),
        ("叫我Anna吧", "name", "Anna"),
        ("写黄婆婆得啦", "name", "黄婆婆"),  # Cantonese: "…will do"
        ("就写老么", "name", "老么"),  # the youngest child's nickname, not a 么 at the end
        ("老妈", None, ""),
        ("快点帮我弄好", None, ""),
        ("不对", None, ""),
    ],
)
def test_how_to_be_named_from_the_answer(answer: str, kind: str | None, value: str) -> None:
    found = naming_in(answer)
    assert ((found.kind, found.value) if found else (None, "")) == (kind, value)


@pytest.mark.parametrize(
    ("text", "relation", "own"),
    [
        ("我老婆刚做完手术，想找人帮忙买菜", "老伴", True),
        ("儿媳妇想学做饭", "孩子", False),  # the first named: 儿媳, not 媳妇
        ("咱一个人住，想找人换个灯泡", "", True),
        ("想找人帮忙修一下自行车", "", False),
    ],
)
def test_for_whom_from_the_words(text: str, relation: str, own: bool) -> None:
    assert (family_in(text), speaks_of_self(text)) == (relation, own)


@pytest.mark.parametrize(
    ("text", "day"),
    [("一个星期一次", None), ("每周六上午陪我爸下棋", None), ("周六上午陪我爸下棋", dt.date(2026, 11, 28))],
)
def test_how_often_is_no_deadline(text: str, day: dt.date | None) -> None:
    assert deadline_in(text, dt.date(2026, 11, 24)) == day
