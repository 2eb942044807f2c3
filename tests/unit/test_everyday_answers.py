# ruff: noqa: E501  (tables of answers, one row of short Chinese answers a line)
"""Everyday answers, as residents and committee members write them, for every kind of question the dialogs
ask: each row is the answer text and the value the step reads from it (None: asked again, with the
options). The steps call these same functions with these same labels and words."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest

import content
from handlers.common.answers import choose, is_any, is_skip, ordinal, yes_or_no
from handlers.emergency import dialog as emergency
from handlers.repairs import dialog as repairs
from handlers.residents import dialog as residents
from handlers.votes import committee_dialog as launch
from handlers.votes.dialog import read_choices
from handlers.wishes import dialog as wishes
from handlers.wishes import post_dialog as wish_posting
from nlp.slots import extract_date

TODAY = dt.date(2026, 11, 24)  # a Tuesday


def _table(question: str, rows: dict[str, object]) -> list[tuple[str, str, object]]:
    return [(question, said, expected) for said, expected in rows.items()]


YES_NO = _table(
    "yes_or_no",
    {
        "是的": True, "是": True, "对": True, "对的": True, "对啊": True, "嗯": True, "嗯嗯": True, "好": True,
        "好的": True, "好的呀！": True, "可以": True, "可以的": True, "确认": True, "确定": True, "没问题": True,
        "行": True, "行的": True, "中": True, "要得": True, "OK": True, "没错": True, "当然": True, "好嘞": True,
        "对头": True, "要": True, "需要": True,
        "不是": False, "不对": False, "不用": False, "不用了": False, "算了": False, "错了": False, "不要": False,
        "不行": False, "不需要": False, "否": False, "不": False, "不必": False, "别": False, "no": False,
        "好像不对劲": None, "是不是要交钱": None, "我想想": None, "1": None, "": None,
        # everyday yeses: dialect, doubled, after a 嗯 or before a 谢谢, emoji and WeChat's codes
        "确认无误": True, "信息无误": True, "没毛病": True, "行吧": True, "好嘞！": True, "得嘞": True,
        "妥了": True, "阔以": True, "是滴": True, "可以可以": True, "行行行": True, "对的对的": True,
        "嗯，是的": True, "嗯对": True, "那行": True, "好的没问题": True, "ok没问题": True, "没问题的": True,
        "好的谢谢": True, "可以，谢谢您": True, "当然可以": True, "👌": True, "👍": True, "[强]": True,
        # everyday noes
        "不是这个": False, "改一下": False, "我要改": False, "需要修改": False, "算了吧": False,
        "先不了": False, "先不用": False, "暂时不用": False, "以后再说吧": False, "错啦": False, "搞错了": False,
        "不用了谢谢": False, "好的，先不用了": False, "嗯不对": False, "哦不是": False, "不得行": False,
        "不对头": False, "莫得": False, "不要得": False, "不是不是": False,
        # a yes and a no together, or neither: ask again
        "可以不": None, "行不行": None, "中不中": None, "是不是": None, "要不要": None, "对不对": None,
        "谢谢": None, "11": None, "可是": None,
    },
)  # fmt: skip

ORDINALS = _table(
    "ordinal (of 4)",
    {
        "1": 1, "2": 2, "4": 4, "5": None, "0": None, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": None,
        "第一个": 1, "第二个": 2, "第2个": 2, "第二项": 2, "第三个吧": 3, "选一": 1, "选2": 2, "选择三": 3,
        "我选第二个": 2, "就选1": 1, "第四": 4, "2号": 2, "1。": 1, "2！": 2, "①": 1, "两个": 2, "那就三": 3,
        "第十个": None, "二楼": None, "一户一票": None,
        "第二个呗": 2, "头一个": 1, "最后一个": 4, "最后那个吧": 4, "倒数第二个": 3, "末一个": 4,
        "前面那个": None, "中间那个": None,  # of four: which one?
    },
)  # fmt: skip

SKIP = _table(
    "skip (a photo, a thank-you, a background)",
    {
        "跳过": True, "没有": True, "没": True, "不用": True, "不用了": True, "无": True, "不拍": True,
        "没照片": True, "没有照片": True, "略过": True, "不填": True, "暂时没有": True, "skip": True,
        "跳过吧": True, "没有了": True, "有": False, "我拍一张": False,
    },
)  # fmt: skip

ANY = _table(
    "any (take the default)",
    {
        "随便": True, "随便吧": True, "都行": True, "都可以": True, "不限": True, "无所谓": True, "随意": True,
        "你定": True, "默认": True, "听你的": True, "都好": True, "怎么都行": True, "行": False, "一半": False,
    },
)  # fmt: skip

HOME_PLACE = _table(
    "repair: is it at your home's building? 1 是的 2 不是，换个位置",
    {
        "1": 1, "2": 2, "是的": 1, "是": 1, "对": 1, "对的": 1, "嗯": 1, "好": 1, "好的": 1, "可以": 1,
        "没错": 1, "就是": 1, "就在这": 1, "是这里": 1, "确认": 1, "第一个": 1,
        "不是": 2, "不对": 2, "错了": 2, "换个位置": 2, "换": 2, "别的地方": 2, "其他地方": 2, "不在这": 2,
        "不是，换个位置": 2, "第二个": 2, "两": 2,
        "不知道": None, "楼下": None, "3": None,
    },
)  # fmt: skip

DUPLICATE = _table(
    "repair: a neighbour reported it: 1 关注这个工单 2 不是同一个问题，我要单独报修",
    {
        "1": 1, "关注": 1, "关注这个工单": 1, "是同一个": 1, "同一个": 1, "一样的": 1, "是的": 1, "对": 1,
        "好": 1, "就是这个": 1,
        "2": 2, "不是同一个": 2, "不是同一个问题": 2, "单独报修": 2, "我要单独报修": 2, "不一样": 2, "不是": 2,
        "重新报": 2, "不对": 2,
        "啥意思": None,
    },
)  # fmt: skip

REPAIR_CONFIRM = _table(
    "repair: check it: 1 提交 2 修改描述",
    {
        "1": 1, "提交": 1, "提交吧": 1, "确认": 1, "好的": 1, "没问题": 1, "对": 1, "可以": 1, "嗯": 1, "行": 1,
        "确认提交": 1,
        "2": 2, "修改": 2, "改一下": 2, "改": 2, "修改描述": 2, "重新描述": 2, "不对": 2, "错了": 2,
        "再想想": None, "3": None,
    },
)  # fmt: skip

CATEGORIES = [c.label for c in repairs.categories_for("repair")]
CATEGORY = _table(
    f"repair: which kind? {' '.join(CATEGORIES[:3])}...",
    {
        "1": 1, "第三个": 3, "选二": 2, CATEGORIES[0]: 1, CATEGORIES[1]: 2, CATEGORIES[2]: 3,
        f"{CATEGORIES[2]}吧": 3, f"是{CATEGORIES[1]}": 2, "随便": None,
    },
)  # fmt: skip

CHANGE_HOME = _table(
    "binding: already bound, change? 1 更换住址 2 不用了",
    {
        "1": 1, "更换": 1, "换": 1, "更换住址": 1, "换一个": 1, "重新绑定": 1, "搬家了": 1, "是的": 1, "要": 1,
        "好": 1,
        "2": 2, "不用了": 2, "不用": 2, "不换": 2, "保持": 2, "不变": 2, "不要": 2, "不": 2, "不用换": 2,
        "啥": None,
    },
)  # fmt: skip

BIND_CONFIRM = _table(
    "binding: check the address: 1 确认 2 重新填写",
    {
        "1": 1, "确认": 1, "对": 1, "对的": 1, "是的": 1, "没错": 1, "好": 1, "嗯": 1, "是这个": 1,
        "2": 2, "重新填写": 2, "重填": 2, "填错了": 2, "不对": 2, "错了": 2, "不是": 2, "修改": 2,
        "什么": None,
    },
)  # fmt: skip

COMMUNITIES = ["幸福里社区", "和平村"]
COMMUNITY = _table(
    "binding: which community? 1 幸福里社区 2 和平村",
    {
        "1": 1, "2": 2, "幸福里": 1, "幸福里社区": 1, "和平村": 2, "和平": 2, "第二个": 2, "我住幸福里": 1,
        "是和平村的": 2, "小区": None, "7": None,
    },
)  # fmt: skip

WISH_WHO = _table(
    "wish: for whom? 1 我自己 2 家里人",
    {
        "1": 1, "2": 2, "我自己": 1, "自己": 1, "本人": 1, "我": 1, "给我": 1, "家里人": 2, "家人": 2,
        "家里的": 2, "亲人": 2, "孩子": 2, "老人": 2, "第一个": 1, "为家里人": 2, "随便": None,
    },
)  # fmt: skip

WISH_NAME = _table(
    "wish: show your name? 1 显示\"王女士\" 2 显示\"王先生\" 3 匿名",
    {
        "1": 1, "2": 2, "3": 3, "王女士": 1, "王先生": 2, "女士": 1, "先生": 2, "显示王女士": 1, "女的": 1,
        "男的": 2, "匿名": 3, "匿名吧": 3, "不显示": 3, "不用显示": 3, "隐藏": 3, "保密": 3, "不要": 3,
        "不用": 3, "第三个": 3, "不要匿名": None,
    },
)  # fmt: skip

WISH_CONFIRM = _table(
    "wish: check it: 1 提交 2 重新描述",
    {
        "1": 1, "提交": 1, "发布": 1, "好": 1, "好的": 1, "可以": 1, "没问题": 1, "嗯": 1, "确认": 1, "行": 1,
        "2": 2, "重新描述": 2, "重新说": 2, "修改": 2, "改": 2, "不对": 2, "不是": 2, "让我想想": None,
    },
)  # fmt: skip

RATING_LABELS = ["1分", "2分", "3分", "4分", "5分"]
WISH_RATING = _table(
    "wish: how was it? 1-5",
    {
        "5": 5, "五": 5, "5分": 5, "五分": 5, "满意": 5, "很满意": 5, "非常满意": 5, "满分": 5, "五星": 5,
        "4": 4, "比较满意": 4, "挺好": 4, "不错": 4, "3": 3, "一般": 3, "还行": 3, "凑合": 3,
        "2": 2, "不太满意": 2, "1": 1, "不满意": 1, "很差": 1, "6": None,
    },
)  # fmt: skip

WISH_STORY = _table(
    "wish: may the story be public? 1 可以 2 不公开",
    {
        "1": 1, "可以": 1, "可以公开": 1, "公开": 1, "好的": 1, "行": 1, "愿意": 1, "没问题": 1, "嗯": 1,
        "2": 2, "不公开": 2, "不要公开": 2, "别公开": 2, "保密": 2, "不": 2, "不可以": 2, "不用": 2,
        "不愿意": 2, "看情况": None,
    },
)  # fmt: skip

VOTE = ["同意", "不同意", "弃权"]
BALLOT = _table(
    "consultation: 1 同意 2 不同意 3 弃权",
    {
        "1": [0], "2": [1], "3": [2], "同意": [0], "同意吧": [0], "同意！": [0], "我同意": [0], "赞成": [0],
        "支持": [0], "我投同意": [0], "第一个": [0], "选一": [0], "不同意": [1], "我不同意": [1], "反对": [1],
        "不赞成": [1], "不支持": [1], "第二个": [1], "两": [1], "弃权": [2], "我弃权": [2], "第三个": [2],
        "三": [2], "不表态": [2], "好": None, "我再想想": None, "4": None,
    },
)  # fmt: skip

MULTI = ["加装电梯", "修缮屋顶", "增设车棚", "绿化改造"]
BALLOT_MULTI = _table(
    "consultation (several): 1 加装电梯 2 修缮屋顶 3 增设车棚 4 绿化改造",
    {
        "1 3": [0, 2], "1、3": [0, 2], "一和三": [0, 2], "2,4": [1, 3], "加装电梯": [0], "电梯": [0],
        "车棚": [2], "电梯和车棚": [0, 2], "屋顶、绿化": [1, 3], "加装电梯，修缮屋顶": [0, 1], "5": None,
        "电梯和游泳池": None,
    },
)  # fmt: skip

PER_LABELS = [content.text(k) for k in ("votes.per.person", "votes.per.household")]
PER = _table(
    "launch: how to count? 1 一人一票 2 一户一票",
    {
        "1": 1, "2": 2, "一人一票": 1, "每人一票": 1, "按人": 1, "按人头": 1, "每人": 1, "一个人一票": 1,
        "一户一票": 2, "按户": 2, "每户一票": 2, "一家一票": 2, "每户": 2, "按户吧": 2, "按户数": 2,
        "第二个": 2, "一户一票吧": 2, "随便": None,
        "按户那个": 2, "后面那个": 2, "前面的": 1, "头一个": 1, "最后一个": 2, "第二个呗": 2, "就那个": None,
    },
)  # fmt: skip

WHO_LABELS = [content.text(k) for k in ("votes.who.residents", "votes.who.owners")]
WHO = _table(
    "launch: who takes part? 1 全体居民 2 仅限业主",
    {
        "1": 1, "2": 2, "全体居民": 1, "全体": 1, "所有居民": 1, "所有人": 1, "居民": 1, "租户也可以": 1,
        "大家都可以": 1, "仅限业主": 2, "只限业主": 2, "只有业主": 2, "业主": 2, "仅业主": 2, "业主吧": 2,
        "只限业主吧": 2,
    },
)  # fmt: skip

RULE_LABELS = [content.text(f"votes.rule.{r.value}") for r in launch.RULES]
RULE = _table(
    "launch: passes how? 1 过半数通过 2 三分之二以上通过 3 四分之三以上通过 4 得票最多者当选",
    {
        "1": 1, "4": 4, "过半数": 1, "过半": 1, "过半数通过": 1, "一半以上": 1, "超过一半": 1, "简单多数": 1,
        "三分之二": 2, "三分之二以上": 2, "2/3": 2, "三分之二以上通过": 2, "四分之三": 3, "3/4": 3,
        "得票最多": 4, "票多的": 4, "相对多数": 4, "第二个": 2, "三分之二吧": 2, "三分之一": None,
        "最后一个": 4, "倒数第二个": 3, "后面那个": None,
    },
)  # fmt: skip

SCOPE_LABELS = [content.text("votes.scope_all"), content.text("votes.scope_some")]
SCOPE = _table(
    "launch: who takes part? 1 全社区 2 指定楼栋",
    {
        "1": 1, "2": 2, "全社区": 1, "全体": 1, "全部": 1, "所有": 1, "所有楼": 1, "全体居民": 1,
        "整个社区": 1, "指定楼栋": 2, "部分楼栋": 2, "部分": 2, "指定": 2, "3": None, "1 3": None,
    },
)  # fmt: skip

LAUNCH_CONFIRM = _table(
    "launch: check it: 1 发起并通知居民 2 取消",
    {
        "1": 1, "发起": 1, "发起吧": 1, "好": 1, "确认": 1, "可以": 1, "没问题": 1, "发吧": 1,
        "2": 2, "取消": 2, "不发了": 2, "先不发": 2, "不": 2, "不要": 2,
    },
)  # fmt: skip

EMERGENCY = _table(
    "emergency: 1 通知网格员",
    {
        "1": 1, "通知": 1, "通知网格员": 1, "通知吧": 1, "快通知": 1, "要": 1, "需要": 1, "好": 1, "好的": 1,
        "嗯": 1, "快点": 1, "不用": 2, "不用了": 2, "不要": 2, "不需要": 2, "不用通知": 2, "喂": None,
    },
)  # fmt: skip

DATES = _table(
    "a day (wish: by when; launch: closes) from Tuesday 2026-11-24",
    {
        "7天": "2026-12-01", "七天": "2026-12-01", "7天内": "2026-12-01", "3天后": "2026-11-27",
        "三天之内": "2026-11-27", "3日内": "2026-11-27", "十天以后": "2026-12-04", "两天": "2026-11-26",
        "一周": "2026-12-01", "一周内": "2026-12-01", "一个星期": "2026-12-01", "一个礼拜": "2026-12-01",
        "两周": "2026-12-08", "两个星期": "2026-12-08", "一个月": "2026-12-24", "半个月": "2026-12-09",
        "下个月底": "2026-12-31", "下月底": "2026-12-31", "月底前": "2026-11-30", "月底": "2026-11-30",
        "这个月底": "2026-11-30", "年底前": "2026-12-31", "年底": "2026-12-31", "这周内": "2026-11-29",
        "本周": "2026-11-29", "下周": "2026-12-06", "下周三": "2026-12-02", "周六": "2026-11-28",
        "这周末": "2026-11-28", "明天": "2026-11-25", "后天": "2026-11-26", "12月5日": "2026-12-05",
        "12月10日前": "2026-12-10", "20号": "2026-12-20", "啊不对，月底前就行": "2026-11-30",
        "过几天吧": None, "5号楼": None,
        "下个月15号": "2026-12-15", "下月初": "2026-12-05", "下个月中": "2026-12-15", "这个月28号": "2026-11-28",
        "明早": "2026-11-25", "今晚": "2026-11-24", "明儿": "2026-11-25", "12.10": "2026-12-10",
        "12/10前": "2026-12-10", "2026-12-10": "2026-12-10", "2026年12月10日": "2026-12-10",
        "1.5": "2027-01-05", "一个半月": "2027-01-08", "下周五前": "2026-12-04",
        "1.5小时": None, "3.5元": None, "3/2/502": None,
        # a month named by its number: that month's end, middle or beginning, not this month's
        "12月底": "2026-12-31", "最迟十二月底": "2026-12-31", "1月中": "2027-01-15", "12月初": "2026-12-05",
        "11月底": "2026-11-30", "10月底": "2027-10-31",
    },
)  # fmt: skip

SHARES = _table(
    "launch: how many must take part?",
    {
        "一半": Fraction(1, 2), "过半": Fraction(1, 2), "半数": Fraction(1, 2), "三分之二": Fraction(2, 3),
        "60%": Fraction(3, 5), "百分之六十": Fraction(3, 5), "0.6": Fraction(3, 5), "不限": Fraction(0),
        "不设": Fraction(0), "随便": Fraction(0), "都行": Fraction(0), "无所谓": Fraction(0),
        "没要求": Fraction(0), "很多": None, "150%": None,
    },
)  # fmt: skip

CHOICE_TABLES = [
    (HOME_PLACE, ["是的", "不是，换个位置"], repairs._HOME_PLACE, 1, 2),
    (DUPLICATE, ["关注这个工单，有进展通知我", "不是同一个问题，我要单独报修"], repairs._DUPLICATE, 1, 2),
    (REPAIR_CONFIRM, ["提交", "修改描述"], repairs._CONFIRM, 1, 2),
    (CATEGORY, CATEGORIES, {}, None, None),
    (CHANGE_HOME, ["更换住址", "不用了"], residents._CHANGE, 1, 2),
    (BIND_CONFIRM, ["确认", "重新填写"], residents._CONFIRM, 1, 2),
    (COMMUNITY, COMMUNITIES, residents.community_words(COMMUNITIES), None, None),
    (WISH_WHO, ["我自己", "家里人"], wish_posting._WHO, None, None),
    (WISH_NAME, ["王女士", "王先生", "匿名"], wish_posting._NAME, None, 3),
    (WISH_CONFIRM, ["提交", "重新描述"], wish_posting._CONFIRM_WORDS, 1, 2),
    (WISH_STORY, ["可以", "不公开"], wishes._STORY, 1, 2),
    (PER, PER_LABELS, {}, None, None),
    (WHO, WHO_LABELS, {}, None, None),
    (RULE, RULE_LABELS, {}, None, None),
    (SCOPE, SCOPE_LABELS, launch._SCOPE, None, None),
    (LAUNCH_CONFIRM, ["发起并通知居民", "取消"], launch._CONFIRM, 1, 2),
    (EMERGENCY, ["通知网格员", "不用通知"], emergency._TELL, 1, 2),
]
CHOICE_ROWS = [
    (question, said, expected, labels, synonyms, yes, no)
    for table, labels, synonyms, yes, no in CHOICE_TABLES
    for question, said, expected in table
]


@pytest.mark.parametrize(("question", "said", "expected", "labels", "synonyms", "yes", "no"), CHOICE_ROWS)
def test_a_numbered_question(
    question: str, said: str, expected: int | None, labels: list[str], synonyms: dict, yes: int, no: int
) -> None:
    assert choose(said, labels, synonyms=synonyms, yes=yes, no=no) == expected, question


@pytest.mark.parametrize(("question", "said", "expected"), WISH_RATING)
def test_a_rating(question: str, said: str, expected: int | None) -> None:
    assert choose(said, RATING_LABELS, synonyms=wishes._RATING) == expected, question


@pytest.mark.parametrize(("question", "said", "expected"), BALLOT + BALLOT_MULTI)
def test_a_ballot(question: str, said: str, expected: list[int] | None) -> None:
    options = VOTE if question.startswith("consultation: ") else MULTI
    assert read_choices(said, options) == expected, question


@pytest.mark.parametrize(("question", "said", "expected"), YES_NO)
def test_yes_or_no(question: str, said: str, expected: bool | None) -> None:
    assert yes_or_no(said) is expected


@pytest.mark.parametrize(("question", "said", "expected"), ORDINALS)
def test_an_ordinal(question: str, said: str, expected: int | None) -> None:
    assert ordinal(said, 4) == expected


@pytest.mark.parametrize(("question", "said", "expected"), SKIP)
def test_a_skip(question: str, said: str, expected: bool) -> None:
    assert is_skip(said) is expected


@pytest.mark.parametrize(("question", "said", "expected"), ANY)
def test_take_the_default(question: str, said: str, expected: bool) -> None:
    assert is_any(said) is expected


@pytest.mark.parametrize(("question", "said", "expected"), DATES)
def test_a_day(question: str, said: str, expected: str | None) -> None:
    found = extract_date(said, TODAY)
    assert (found.isoformat() if found else None) == expected


@pytest.mark.parametrize(("question", "said", "expected"), SHARES)
def test_a_share(question: str, said: str, expected: Fraction | None) -> None:
    assert launch.read_share(said) == expected


def test_the_table_covers_at_least_300_everyday_answers() -> None:
    tables = [YES_NO, ORDINALS, SKIP, ANY, WISH_RATING, BALLOT, BALLOT_MULTI, DATES, SHARES]
    tables += [table for table, *_ in CHOICE_TABLES]
    assert sum(len(t) for t in tables) >= 300
