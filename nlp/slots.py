"""Slot extractors: home address (building / unit / room), mainland mobile numbers, menu choices.

Residents write addresses in many ways: 3栋2单元502, 3号楼2单元502室, 三号楼二单元五零二, 3-2-502, 12幢502,
十二栋一单元. Chinese numerals are turned into digits first (cn2an), then a few patterns are tried.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import re
import warnings
from dataclasses import dataclass

import cn2an

from nlp.sounds import day_heard, numerals_heard
from nlp.tokenize import normalize

_CN_NUMERAL = re.compile(r"[零〇一二两三四五六七八九十百千廿幺]")
# what may stand between the parts of an address: spaces, commas, 的 ("3栋的2单元，502")
_SEP = r"[\s,，、。;；:：的之\-－—–/]*"
_UNIT_AHEAD = _SEP + r"\d{1,2}\s*(?:单元|门)"
_BUILDING = (
    r"(?:(?<![\d#])(?P<building>\d{1,3})\s*(?:号楼|号院|栋楼|栋|幢|座|组|#\s*(?:楼|栋)?"
    r"|号(?=" + _UNIT_AHEAD + r")|楼(?=" + _UNIT_AHEAD + r"))"
    r"|(?<![a-z])(?P<letter>[a-z])\s*(?:座|栋|幢|号楼|(?=\s*[-－]?\s*\d{3,5}(?!\d))))"
)
_UNIT = r"(?<!\d)(?P<unit>\d{1,2})\s*(?:单元|门)"
# a room: three to five digits, or one or two followed by 号/室/户 (a village's 15号)
_ROOM = r"(?<!\d)(?P<room>\d{3,5}(?!\d)|\d{1,2}(?=\s*(?:号|室|户)))\s*(?:室|号|房|户)?"
_MARKED_ROOM = r"(?<!\d)(?P<room>\d{1,5})\s*(?:室|号|房|户)"
_DASH = r"\s*[-－—–/]\s*"
_PATTERNS = [
    re.compile(_BUILDING + _SEP + _UNIT + _SEP + _ROOM),
    re.compile(_BUILDING + _SEP + r"(?P<unit>\d{1,2})" + _DASH + r"(?P<room>\d{3,5})(?!\d)"),  # 3栋2-502
    re.compile(
        r"(?<!\d)(?P<building>\d{1,3})" + _DASH + r"(?P<unit>\d{1,2})" + _DASH + r"(?P<room>\d{3,5})(?!\d)"
    ),
    re.compile(_MARKED_ROOM + _SEP + _BUILDING + _SEP + _UNIT),  # 502室3栋2单元
    re.compile(_UNIT + _SEP + _ROOM + _SEP + _BUILDING),  # 2单元502，3栋
    re.compile(_MARKED_ROOM + _SEP + _BUILDING),  # 502室3栋
    re.compile(_BUILDING + _SEP + _UNIT),
    re.compile(_BUILDING + _SEP + _ROOM),
    re.compile(_BUILDING),
    re.compile(r"(?<!\d)(?P<building>\d{1,3})\s*[-－—–]\s*(?P<room>\d{3,5})(?!\d)"),
    re.compile(_UNIT + _SEP + _ROOM),
    re.compile(_UNIT),
    # a room without a building: 楼上1802, 对门1801室, 1802室
    re.compile(r"(?:楼上|楼下|隔壁|对门|对面)\s*(?P<room>\d{3,5})(?!\d)"),
    re.compile(r"(?<!\d)(?P<room>\d{3,5})\s*(?:室|房)"),
]
_BARE_ROOM = re.compile(
    r"^\s*(?:就是|是|在)?\s*(\d{3,5}|\d{1,4}(?=\s*(?:室|号|房|户)))\s*(?:室|号|房|户)?\s*$"
)
_MOBILE = re.compile(r"(?<!\d)(?:\+?86)?(1[3-9]\d{9})(?!\d)")
_CHOICE = re.compile(r"^\s*(?:第|选|选择)?\s*(\d{1,2})\s*(?:个|项|号)?\s*$")


@dataclass(frozen=True)
class Address:
    """A home as written: building number (a village's group: 3组 is 3), unit, room; a lettered building
    (A座, B栋) has ``letter`` instead of a number."""

    building: int | None = None
    unit: int | None = None
    room: str | None = None
    letter: str | None = None

    @property
    def empty(self) -> bool:
        return self.building is None and self.letter is None and self.unit is None and self.room is None

    @property
    def has_building(self) -> bool:
        return self.building is not None or self.letter is not None

    def describe(self) -> str:
        parts = []
        if self.building is not None:
            parts.append(f"{self.building}栋")
        elif self.letter is not None:
            parts.append(f"{self.letter}座")
        if self.unit is not None:
            parts.append(f"{self.unit}单元")
        if self.room is not None:
            parts.append(self.room)
        return "".join(parts)


def digits_from_chinese(text: str) -> str:
    """三号楼二单元五零二 -> 3号楼2单元502; text without Chinese numerals is returned as it is."""
    if not _CN_NUMERAL.search(text):
        return text
    # cn2an warns (and may print) on numerals it cannot read ("十十"): never let that reach a chat or a log
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        try:
            return str(cn2an.transform(text, "cn2an"))
        except (ValueError, KeyError, IndexError):
            return text


def find_address(text: str) -> tuple[Address, str]:
    """The address in ``text`` and what is left of the text around it (digits as written by cn2an)."""
    cleaned = digits_from_chinese(normalize(text))
    for pattern in _PATTERNS:
        match = pattern.search(cleaned)
        if match:
            found = match.groupdict()
            address = Address(
                building=int(found["building"]) if found.get("building") else None,
                unit=int(found["unit"]) if found.get("unit") else None,
                room=found.get("room") or None,
                letter=found["letter"].upper() if found.get("letter") else None,
            )
            return address, (cleaned[: match.start()] + " " + cleaned[match.end() :]).strip()
    return Address(), cleaned


def extract_address(text: str) -> Address:
    """3栋2单元502, 5号楼1门301室, A座1203, 3#楼, 3栋2-502, 502室3栋, 3栋的2单元，502, 楼上1802, 3组15号."""
    return find_address(text)[0]


def extract_room(text: str) -> str | None:
    """A bare room number ("502", "五零二", "1201室", a village's "15号"), for an answer to "which home"."""
    match = _BARE_ROOM.match(digits_from_chinese(normalize(text)))
    return match.group(1) if match else None


def extract_mobile(text: str) -> str | None:
    """The first mainland mobile number, written with or without spaces, dashes or +86."""
    compact = re.sub(r"(?<=\d)[\s\-－]+(?=\d)", "", normalize(text))
    match = _MOBILE.search(compact)
    return match.group(1) if match else None


_WHOLE_MOBILE = re.compile(r"^1[3-9]\d{9}$")


def parse_mobile(text: str) -> str | None:
    """The whole text as one mainland mobile (a register's cell, a number staff typed): 139 1234 5678,
    139-1234-5678, +8613912345678 are all 13912345678; None when it is not one."""
    compact = re.sub(r"[\s\-()（）]", "", text)
    if compact.startswith("+86"):
        compact = compact[3:]
    elif len(compact) == 13 and compact.startswith("86"):
        compact = compact[2:]
    return compact if _WHOLE_MOBILE.match(compact) else None


def mask_mobile(number: str) -> str:
    return number[:3] + "****" + number[-4:] if len(number) == 11 else "***"


def extract_choice(text: str, count: int) -> int | None:
    """A numbered answer (1-based) within ``1..count``: "1", "第2个", "选3", "二"."""
    cleaned = digits_from_chinese(normalize(text))
    match = _CHOICE.match(cleaned)
    if not match:
        return None
    value = int(match.group(1))
    return value if 1 <= value <= count else None


_WEEKDAY = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "末": 5}
_RELATIVE_DAY = {
    "今天": 0,
    "今日": 0,
    "今儿": 0,
    "今早": 0,
    "今晚": 0,
    "明天": 1,
    "明日": 1,
    "明儿": 1,
    "明早": 1,
    "明晚": 1,
    "后天": 2,
    "后儿": 2,
    "后日": 2,
    "明朝": 1,  # 吴语 and 粤语: tomorrow (明朝, 听日), the day after (後日 is 后日)
    "听日": 1,
    "大后天": 3,
}
_WEEK_WORD = re.compile(r"(下下|下个?|这个?|本)?(?:周|星期|礼拜)([一二三四五六日天末])")
_MONTH_DAY = re.compile(r"(?:(\d{1,2})\s*月\s*)(\d{1,2})\s*[日号]?")
# a day of a month named by where it is: 下个月15号, 这个月20日, 本月底 is a span (``_span``)
_MONTH_AHEAD_DAY = re.compile(r"(下下|下个?|这个?|本)月\s*(\d{1,2})\s*[日号]?(?![\d楼栋单组号])")
# a date in figures: 2026-12-10, 2026/12/10, 2026.12.10, 12/10, 12.10 (not a price, a share or a time)
_NUMERIC_DATE = re.compile(
    r"(?<![\d.:/\-])(?:(?P<year>20\d{2})\s*[-/.年]\s*)?(?P<month>\d{1,2})\s*[/.]\s*(?P<day>\d{1,2})"
    r"(?![\d.%:/元块个小斤米])"
)
_ISO_DATE = re.compile(r"(?<!\d)(?P<year>20\d{2})-(?P<month>\d{1,2})-(?P<day>\d{1,2})(?!\d)")
_DAY_ONLY = re.compile(r"(?<![\d月])(\d{1,2})\s*[日号](?!\s*[楼栋单])")


_AHEAD = re.compile(
    r"(?<![\d月])(\d{1,3}|半|两)\s*(天|日(?=\s*(?:后|内|之内|以内))|个?\s*(?:周|星期|礼拜)(?![一二三四五六日天末])|个\s*半?\s*月)"
)
_THIS_WEEK = re.compile(r"(这个?|本)(?:周|星期|礼拜)(?:内|之内|以内)?(?![一二三四五六日天末])")
_NEXT_WEEK = re.compile(r"下个?(?:周|星期|礼拜)(?:内|之内|以内)?(?![一二三四五六日天末])")


def _month_end(day: dt.date, months_ahead: int = 0) -> dt.date:
    first = day.replace(day=1)
    for _ in range(months_ahead + 1):
        first = (first + dt.timedelta(days=32)).replace(day=1)
    return first - dt.timedelta(days=1)


_NAMED_MONTH_PART = re.compile(r"(?<![\d下本这个])(\d{1,2})\s*月(?:份)?(底|末|中|初)")


def _span(cleaned: str, today: dt.date) -> dt.date | None:
    """The last day of a span named: 月底(前), 下个月底, 下个月初, 月中, 年底, 这周内, 下周."""
    named = _NAMED_MONTH_PART.search(digits_from_chinese(cleaned))
    if named:  # 12月底, 一月中, 3月初: that month's (this year's, or next year's once it is over)
        month, part = int(named.group(1)), named.group(2)
        if not 1 <= month <= 12:
            return None
        year = today.year if month >= today.month else today.year + 1
        first = dt.date(year, month, 1)
        return _month_end(first) if part in "底末" else first.replace(day=15 if part == "中" else 5)
    if re.search(r"下个?月(?:底|末)", cleaned):
        return _month_end(today, 1)
    if re.search(r"下个?月初", cleaned):
        return _month_end(today) + dt.timedelta(days=5)  # the 5th of next month
    if re.search(r"下个?月中", cleaned):
        return _month_end(today) + dt.timedelta(days=15)
    if re.search(r"(?:这个?|本)?月(?:底|末)", cleaned):
        return _month_end(today)
    if "月中" in cleaned:  # this month's middle, or next month's once it is past
        return today.replace(day=15) if today.day <= 15 else _month_end(today) + dt.timedelta(days=15)
    if re.search(r"年(?:底|末)", cleaned):
        return dt.date(today.year, 12, 31)
    if _THIS_WEEK.search(cleaned):
        return today + dt.timedelta(days=6 - today.weekday())
    if _NEXT_WEEK.search(cleaned):
        return today + dt.timedelta(days=13 - today.weekday())
    return None


def _ahead(today: dt.date, amount: str, unit: str) -> dt.date:
    """7天, 3日内, 一周, 两个星期, 一个月, 半个月: that long from today."""
    half = amount == "半"
    count = 0 if half else 2 if amount == "两" else int(amount)
    if unit.endswith("个半月"):  # 一个半月
        return today + dt.timedelta(days=30 * count + 15)
    if unit.endswith("月"):
        return today + dt.timedelta(days=15 if half else 30 * count)
    if unit.endswith(("周", "星期", "礼拜")):
        return today + dt.timedelta(days=4 if half else 7 * count)
    return today + dt.timedelta(days=count)


# days named by their festival, always on the same date: the next one (today included)
_FIXED_DAYS = {"元旦": (1, 1), "平安夜": (12, 24), "圣诞": (12, 25), "国庆": (10, 1), "劳动节": (5, 1),
               "五一": (5, 1), "儿童节": (6, 1), "六一": (6, 1), "教师节": (9, 10)}  # fmt: skip


def _fixed_day(cleaned: str, today: dt.date) -> dt.date | None:
    for word, (month, day) in _FIXED_DAYS.items():
        if word in cleaned:
            found = dt.date(today.year, month, day)
            return found if found >= today else found.replace(year=today.year + 1)
    return None


def extract_date(text: str, today: dt.date) -> dt.date | None:
    """The day a resident names, read forward from ``today``: 明天, 周六, 下周三, 这周末, 12月5日, 20号,
    月底(前), 下个月底, 年底, 这周内, 下周; or a span from today: 7天, 3日内, 一周, 两个星期, 一个月.
    A weekday means the next such day (today included); a date already past means next year's (or
    next month's, for a bare day); a day typed by sound ("下周散", "期号") as meant."""
    cleaned = normalize(text).replace("後", "后")
    heard = day_heard(cleaned)  # "下周散" is 下周三, not next week
    found = _date_in(heard, today) if heard != cleaned else None
    return found if found is not None else _date_in(cleaned, today)


def _date_in(cleaned: str, today: dt.date) -> dt.date | None:
    festival = _fixed_day(cleaned, today)
    if festival is not None:
        return festival
    for word in sorted(_RELATIVE_DAY, key=len, reverse=True):
        if word in cleaned:
            return today + dt.timedelta(days=_RELATIVE_DAY[word])
    match = _WEEK_WORD.search(cleaned)
    if match:
        which, day = match.groups()
        ahead = (_WEEKDAY[day] - today.weekday()) % 7
        if day == "末" and today.weekday() == 6 and not which:
            ahead = 0  # "周末" said on a Sunday: today
        if which and which.startswith("下"):
            # 下周三: the Wednesday of next week (Monday-based), however close this week's is
            monday_next = today + dt.timedelta(days=7 - today.weekday())
            extra = 7 if which == "下下" else 0
            return monday_next + dt.timedelta(days=_WEEKDAY[day] + extra)
        return today + dt.timedelta(days=ahead)
    span = _span(cleaned, today)
    if span is not None:
        return span
    digits = digits_from_chinese(cleaned)
    span_ahead = _AHEAD.search(digits)
    if span_ahead:
        return _ahead(today, span_ahead.group(1), span_ahead.group(2))
    match = _MONTH_AHEAD_DAY.search(digits)
    if match:
        months = {"下下": 2, "这": 0, "这个": 0, "本": 0}.get(match.group(1), 1)
        first = _month_end(today, months - 1) + dt.timedelta(days=1) if months else today.replace(day=1)
        try:
            return first.replace(day=int(match.group(2)))
        except ValueError:
            return None
    match = _ISO_DATE.search(digits) or _NUMERIC_DATE.search(digits)
    if match:
        year = int(match.group("year")) if match.group("year") else None
        try:
            found = dt.date(year or today.year, int(match.group("month")), int(match.group("day")))
        except ValueError:
            return None
        if year is None and found < today:
            found = found.replace(year=today.year + 1)
        return found
    match = _MONTH_DAY.search(digits)
    if match:
        month, day = int(match.group(1)), int(match.group(2))
        for year in (today.year, today.year + 1):
            try:
                found = dt.date(year, month, day)
            except ValueError:
                return None
            if found >= today:
                return found
        return None
    match = _DAY_ONLY.search(digits)
    if match:
        day = int(match.group(1))
        for months_ahead in (0, 1, 2):
            first = (today.replace(day=1) + dt.timedelta(days=32 * months_ahead)).replace(day=1)
            try:
                found = first.replace(day=day)
            except ValueError:
                continue
            if found >= today:
                return found
    return None


# -- times of day ------------------------------------------------------------------------------------------
# One set of rules for every time of day a dialog reads (an activity's start and end, a notice's hour):
# 14:00, 9点, 九点半, 3点20分, 三点一刻, 十点差一刻, 8点钟, 3pm; a period word in front moves an hour before
# 12 to the afternoon (下午 / 晚上 / 今晚) or past noon (中午1点), and carries over to the times after it
# ("下午2点到4点" is 14:00 and 16:00). Chinese numerals are read here, not by cn2an, which takes 点 for a
# decimal point ("两点十分" is not 2.10).
_NUM = r"[零〇一二两三四五六七八九十\d]{1,3}"
_PM: tuple[str, ...] = ("下午", "下半天", "下半日", "后半天", "后半晌", "下昼", "晏昼", "后晌", "傍晚")
_PM += ("晚上", "晚黑", "晚头", "夜里", "夜间", "今晚", "明晚", "昨晚", "晚")
_NIGHT = ("晚上", "晚黑", "晚头", "夜里", "夜间", "今晚", "明晚", "昨晚")
_NOON = ("中午", "晌午")
_SMALL_HOURS = ("凌晨", "半夜")  # 半夜十二点 is 0:00
_PERIOD = (
    r"(?P<period>凌晨|半夜|清早|一早|早上|早晨|朝早|今早|明早|上午|上半天|上半日|上昼|中午|晌午|下午|下半天|下半日"
    r"|后半天|后半晌|下昼|晏昼|后晌|傍晚|晚上|晚黑|晚头|夜里|夜间|今晚|明晚|昨晚"
    r"|(?<![最提])早|(?<![最太])晚)?"
)
_CLOCK = re.compile(
    _PERIOD
    + r"\s*(?:"
    + r"(?<![\d.:：])(?P<hh>\d{1,2})\s*[:：]\s*(?P<mm>\d{2})(?![\d.])"
    + r"(?:\s*(?P<hh_ampm>a\.?m\.?|p\.?m\.?)(?![a-z]))?"
    + r"|差\s*(?:(?P<before_quarter>一刻)|(?P<before>"
    + _NUM
    + r")\s*分钟?)"
    + r"\s*(?P<before_hour>"
    + _NUM
    + r")\s*点钟?"
    + r"|(?<![\d零〇一二两三四五六七八九十])(?P<hour>"
    + _NUM
    + r")\s*(?:点钟?|时(?![间候]|半会))(?![点儿])\s*(?:(?P<half>半)|(?P<quarter>一刻|三刻)"
    + r"|差\s*(?:(?P<less_quarter>一刻)|(?P<less>"
    + _NUM
    + r")\s*分?)|过?\s*(?P<minute>"
    + _NUM
    + r")\s*分?(?!钟))?"
    + r"|(?<![\d.])(?P<ampm_hour>\d{1,2})\s*(?P<ampm>a\.?m\.?|p\.?m\.?)(?![a-z])"
    + r")"
)


_FIVES = re.compile(r"[一二三四五六七八九]")  # 点 and one numeral, no 分: the numeral on the dial


def _small_number(said: str) -> int | None:
    """8, 十二, 两, 零五: a number of at most three characters."""
    if said.isdigit():
        return int(said)
    digits = digits_from_chinese(said.replace("两", "二").replace("〇", "零"))
    return int(digits) if digits.isdigit() else None


def _clock(match: re.Match[str], period: str) -> dt.time | None:
    """The time a match of ``_CLOCK`` names, in the period said before it (its own or one carried over)."""
    bare = not period  # no 上午 / 下午 said: 1 to 5 o'clock is the afternoon (两点半 is 14:30)
    if match.group("hh"):
        hour, minute = int(match.group("hh")), int(match.group("mm"))
        if match.group("hh_ampm"):
            return _ampm(hour, minute, match.group("hh_ampm"))
        bare = bare and not match.group("hh").startswith("0")  # 02:30 is a 24-hour clock
    elif match.group("before_hour"):  # 差一刻三点, 差五分四点: before the hour
        said_hour = _small_number(match.group("before_hour"))
        less = 15 if match.group("before_quarter") else _small_number(match.group("before") or "")
        if said_hour is None or less is None or not 0 < less < 60 or not 0 < said_hour <= 24:
            return None
        hour, minute = said_hour - 1, 60 - less
    elif match.group("ampm_hour"):
        return _ampm(int(match.group("ampm_hour")), 0, match.group("ampm"))
    else:
        said_hour = _small_number(match.group("hour"))
        quarter = {"一刻": 15, "三刻": 45}.get(match.group("quarter") or "", 0)
        said_minute = (
            _small_number(match.group("minute"))
            if match.group("minute")
            else 30
            if match.group("half")
            else quarter
        )
        if _FIVES.fullmatch(match.group("minute") or "") and not re.search(r"[过分]", match.group(0)):
            said_minute = (said_minute or 0) * 5  # Cantonese 两点三: 2:15 (the minute hand's numeral)
        if said_hour is None or said_minute is None:
            return None
        hour, minute = said_hour, said_minute
        less = 15 if match.group("less_quarter") else _small_number(match.group("less") or "0")
        if less is None or (less and (minute or not 0 < less < 60 or hour == 0)):
            return None
        if less:  # 十点差一刻: a quarter to ten
            hour, minute = hour - 1, 60 - less
    if period in _NIGHT and hour <= 4:
        pass  # 晚上一点: the small hours, not 13:00
    elif (period in _PM and hour < 12) or (period in _NOON and hour < 6):
        hour += 12
    elif period in _SMALL_HOURS and hour == 12:
        hour = 0
    elif bare and 1 <= hour <= 5:
        hour += 12
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        return None
    return dt.time(hour, minute)


def _ampm(hour: int, minute: int, said: str) -> dt.time | None:
    """3pm, 7:30pm, 12am."""
    if said.startswith("p") and hour < 12:
        hour += 12
    elif said.startswith("a") and hour == 12:
        hour = 0
    return dt.time(hour, minute) if hour <= 23 and minute <= 59 else None


_VAGUE_BEFORE = tuple("快慢多少好有差大小高低近远再早晚")


def _vague(text: str, match: re.Match[str]) -> bool:
    """快一点 / 晚一点 / 早一点: "a little", not one o'clock."""
    if match.group("hour") != "一" or not match.group(0).endswith("点"):
        return False
    before = text[: match.start("hour")].rstrip()
    return before.endswith(_VAGUE_BEFORE)


def extract_times(text: str) -> list[dt.time]:
    """Every time of day said, in order: "14:00", "下午2点", "上午9点半", "晚上7点30分", "9点到11点",
    "下午2点到4点" (14:00 and 16:00), "3pm"; a time that cannot be ("25点") is left out."""
    cleaned = normalize(text)
    found = _times_in(cleaned)
    heard = numerals_heard(cleaned)
    return found if found or heard == cleaned else _times_in(heard)  # "下午散点": typed by sound


def _times_in(cleaned: str) -> list[dt.time]:
    found: list[dt.time] = []
    period = ""
    for match in _CLOCK.finditer(cleaned):
        if _vague(cleaned, match):
            continue
        period = match.group("period") or period
        when = _clock(match, period)
        if when is not None:
            found.append(when)
    return found


def extract_time(text: str) -> dt.time | None:
    """The (first) time of day named: 8点, 八点半, 9:30, 上午十点, 下午3点一刻, 晚上8点, 中午12点, 下午3:30;
    of a start and an end, the start ("晚上9点前结束 7点开始" is 19:00); None when there is none."""
    times = extract_times(text)
    start = text.find("开始")
    if len(times) > 1 and start > 0:
        before = extract_times(text[:start])
        return before[-1] if before else times[0]
    return times[0] if times else None
