import datetime as dt

import pytest

from nlp.slots import Address, extract_address, extract_choice, extract_mobile, extract_time, mask_mobile

ADDRESSES = [
    ("3栋2单元502", Address(3, 2, "502")),
    ("3号楼2单元502室", Address(3, 2, "502")),
    ("三号楼二单元五零二", Address(3, 2, "502")),
    ("三号楼二单元五百零二", Address(3, 2, "502")),
    ("3-2-502", Address(3, 2, "502")),
    ("3－2－502", Address(3, 2, "502")),
    ("3 - 2 - 502", Address(3, 2, "502")),
    ("12幢502", Address(12, None, "502")),
    ("十二栋一单元", Address(12, 1, None)),
    ("廿三栋", Address(23, None, None)),
    ("我住5号楼3单元1201", Address(5, 3, "1201")),
    ("3楼2单元", Address(3, 2, None)),
    ("2单元301", Address(None, 2, "301")),
    ("2单元", Address(None, 2, None)),
    ("5栋", Address(5, None, None)),
    ("7-1102", Address(7, None, "1102")),
    ("８栋１单元１０１", Address(8, 1, "101")),
    ("3座2单元502", Address(3, 2, "502")),
    ("我家在幸福里3栋2单元502，楼道灯坏了", Address(3, 2, "502")),
    ("3号2单元502", Address(3, 2, "502")),
    ("楼道灯坏了", Address()),
    ("电话13812345678", Address()),
    ("你好", Address()),
    ("", Address()),
]


@pytest.mark.parametrize(("text", "expected"), ADDRESSES)
def test_extract_address(text: str, expected: Address) -> None:
    assert extract_address(text) == expected


def test_address_describe() -> None:
    assert Address(3, 2, "502").describe() == "3栋2单元502"
    assert Address(12, None, "502").describe() == "12栋502"


MOBILES = [
    ("13812345678", "13812345678"),
    ("我的电话 138 1234 5678", "13812345678"),
    ("138-1234-5678", "13812345678"),
    ("+8613912345678", "13912345678"),
    ("手机：１５９１２３４５６７８", "15912345678"),
    ("12345678901", None),  # 12x is not a mobile prefix
    ("1381234567", None),  # ten digits
    ("123813912345678", None),  # inside a longer number
    ("0871-65550000", None),  # a landline
    ("没有电话", None),
]


@pytest.mark.parametrize(("text", "expected"), MOBILES)
def test_extract_mobile(text: str, expected: str | None) -> None:
    assert extract_mobile(text) == expected


def test_mask_mobile() -> None:
    assert mask_mobile("13812345678") == "138****5678"


CHOICES = [
    ("1", 3, 1),
    ("第2个", 3, 2),
    ("选3", 3, 3),
    ("二", 3, 2),
    (" 2 ", 2, 2),
    ("4", 3, None),
    ("0", 3, None),
    ("12", 3, None),
    ("好的", 3, None),
    ("1栋", 3, None),
]


@pytest.mark.parametrize(("text", "count", "expected"), CHOICES)
def test_extract_choice(text: str, count: int, expected: int | None) -> None:
    assert extract_choice(text, count) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("502", "502"), ("五零二", "502"), ("1201室", "1201"), ("12", None), ("3栋", None), ("好", None)],
)
def test_extract_room(text: str, expected: str | None) -> None:
    from nlp.slots import extract_room

    assert extract_room(text) == expected


TIMES = [
    ("8点", dt.time(8, 0)),
    ("明天上午八点", dt.time(8, 0)),
    ("十点半", dt.time(10, 30)),
    ("下午三点一刻", dt.time(15, 15)),
    ("明天下午 3点20分", dt.time(15, 20)),
    ("晚上8点", dt.time(20, 0)),
    ("今晚七点半", dt.time(19, 30)),
    ("12月5日 9:00", dt.time(9, 0)),
    ("20：30", dt.time(20, 30)),
    ("中午12点", dt.time(12, 0)),
    ("中午1点", dt.time(13, 0)),
    ("3栋", None),
    ("明天", None),
    ("现在", None),
    ("25点", None),
]


@pytest.mark.parametrize(("text", "expected"), TIMES)
def test_extract_time(text: str, expected: dt.time | None) -> None:
    assert extract_time(text) == expected
