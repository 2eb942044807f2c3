import datetime as dt

import pytest

from nlp.slots import (
    Address,
    extract_address,
    extract_choice,
    extract_date,
    extract_mobile,
    extract_time,
    extract_times,
    mask_mobile,
)

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
    # one parser for activities and notices: the period also applies to a time written with a colon
    ("下午3:30", dt.time(15, 30)),
    ("晚8:00", dt.time(20, 0)),
    ("明早九点半", dt.time(9, 30)),
    ("后天下午三点", dt.time(15, 0)),
    ("两点十分", dt.time(14, 10)),  # not cn2an's 2.10; and with no 上午 said, not ten past two at night
    # 1 to 5 o'clock with no period said is the afternoon: no one meets at 3 at night
    ("两点半", dt.time(14, 30)),
    ("三点三刻", dt.time(15, 45)),
    ("1点", dt.time(13, 0)),
    ("02:30", dt.time(2, 30)),  # a 24-hour clock
    ("2:30", dt.time(14, 30)),
    ("凌晨3点", dt.time(3, 0)),
    ("早上5点", dt.time(5, 0)),
    ("四点差五分", dt.time(15, 55)),
    ("差一刻三点", dt.time(14, 45)),  # the "before" said first
    ("差五分十点", dt.time(9, 55)),
    ("7:30pm", dt.time(19, 30)),
    ("8:00 am", dt.time(8, 0)),
    # dialect periods: Cantonese 晏昼 (afternoon), 晚黑 (evening); 下半日, 后半晌
    ("晏昼两点半", dt.time(14, 30)),
    ("晚黑八点", dt.time(20, 0)),
    ("下半日两点", dt.time(14, 0)),
    ("后半晌三点", dt.time(15, 0)),
    ("下午两点零五", dt.time(14, 5)),
    ("八点四十五", dt.time(8, 45)),
    ("十点差一刻", dt.time(9, 45)),
    ("七点钟", dt.time(7, 0)),
    ("3pm", dt.time(15, 0)),
    ("10 am", dt.time(10, 0)),
    ("晚上一点", dt.time(1, 0)),  # the small hours
    ("半夜十二点", dt.time(0, 0)),
    ("快一点", None),  # "a little faster", not one o'clock
    ("晚一点再发", None),
    ("有时间吗", None),
    ("3个小时", None),
]

TIME_SPANS = [
    ("12月5日下午2点到4点", [dt.time(14, 0), dt.time(16, 0)]),
    ("周六 9:00-11:30", [dt.time(9, 0), dt.time(11, 30)]),
    ("下午2:00-4:00", [dt.time(14, 0), dt.time(16, 0)]),
    ("上午九点到十一点半", [dt.time(9, 0), dt.time(11, 30)]),
    ("今晚7点到9点", [dt.time(19, 0), dt.time(21, 0)]),
    ("下午两点一刻至三点三刻", [dt.time(14, 15), dt.time(15, 45)]),
    ("14:00-16:00", [dt.time(14, 0), dt.time(16, 0)]),
    ("明天", []),
    ("25点到26点", []),
]


@pytest.mark.parametrize(("text", "expected"), TIMES)
def test_extract_time(text: str, expected: dt.time | None) -> None:
    assert extract_time(text) == expected


@pytest.mark.parametrize(("text", "expected"), TIME_SPANS)
def test_extract_times(text: str, expected: list[dt.time]) -> None:
    assert extract_times(text) == expected


@pytest.mark.parametrize(("text", "expected"), TIMES)
def test_one_time_is_the_first_of_the_times(text: str, expected: dt.time | None) -> None:
    times = extract_times(text)
    assert (times[0] if times else None) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("下午散点", "15:00"),  # numerals typed by sound before 点
        ("上午酒店半", "09:30"),
        ("晚上期点", "19:00"),
        ("一会儿点个外卖", None),  # 儿 sounds like 二 but is no numeral here
        ("两点三", "14:15"),  # Cantonese: the numeral the minute hand points at
        ("三点过五分", "15:05"),
        ("晚上9点前结束 7点开始", "19:00"),  # of an end and a start, the start
    ],
)
def test_times_typed_by_sound_said_in_cantonese_or_with_an_end(text: str, expected: str | None) -> None:
    found = extract_time(text)
    assert (found.strftime("%H:%M") if found else None) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("下周散", "2026-12-09"), ("期号之前", "2026-12-07"), ("下周", "2026-12-13"), ("我觉得挺好", None)],
)
def test_days_typed_by_sound(text: str, expected: str | None) -> None:
    found = extract_date(text, dt.date(2026, 11, 30))
    assert (found.isoformat() if found else None) == expected


def test_options_typed_by_sound() -> None:
    from handlers.common.answers import choose

    labels = ["一人一票", "一户一票", "仅限业主"]
    assert [choose(t, labels) for t in ("衣人衣票", "一互一票", "选伞")] == [1, 2, 3]
