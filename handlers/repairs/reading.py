"""Reading a resident's words during a report: the place they mean (their own unit, a neighbour's, another
building, a landmark of the estate), a photo declined, 提交 said, the report dropped, mediation asked for.
Only words: the dialog (``handlers/repairs/dialog.py``) decides what they do."""

from __future__ import annotations

import re

from nlp.slots import digits_from_chinese
from nlp.tokenize import normalize

BROKEN = re.compile(
    r"坏了|坏掉|坏咗|不亮|不动了|停了|停运|漏水|漏了|爆了|故障|卡住|打不开|关不上|掉下来|塌了"
)

# at "是您家所在的 3栋2单元 吗？": the resident's own place said in words, another place named, or none
OUR_PLACE = re.compile(
    r"(?:我们|咱们?|俺们?|阿拉|我哋)(?:这|那)?(?:个|栋|单元|楼)|我家|我们家|俺家|屋头|屋里"
)

NOT_OURS = re.compile(r"不是|不在|别的|隔壁|对面")

# the stairway, nothing else named, at "是您家所在的 3栋2单元 吗": the home's own ("坏了 楼道的")
STAIRWAY = re.compile(r"楼道|楼梯|过道|单元门|走廊")

# a neighbour's home, the resident's own building and unit ("哦不是隔壁 是楼上")
NEIGHBOUR = re.compile(r"楼上|隔壁|对门|对面(?:那?家|邻居)|楼下(?:那家|邻居|住的)|邻居家")

ELSEWHERE = re.compile(
    r"[东南西北]门|大门|门口|路边|马路|路上|道上|那条道|广场|花园|绿化带|地下室|车库|停车场|楼顶|天台|"
    r"健身|球场|小区外|外面|对面|隔壁|旁边|附近"
)
# an office named as the place, after the home was said not to be it ("不是楼里的事，在物业办公室")
OFFICE = re.compile(r"物业(?:办公室|服务中心|前台)|居委会办公室|社区办公室|保安亭|门卫室")

# nothing but a submit, said where a place was asked ("确认提交"): no place at all
SUBMIT_ONLY = re.compile(
    r"^(?:好的?|行|嗯)?(?:确认|确定)?(?:提交|上报|报上去|交上去|确认)(?:吧|了|啦|哈|嘛)?$"
)

# a place of the estate that belongs to no building, named in the report ("西门那块草坪上到处是塑料袋"): taken
# as the place instead of asking about the resident's own unit, unless the words are about indoors
LANDMARK = re.compile(
    r"(?:小区)?(?:[东南西北]大?门|大门|正门|后门|中心花园|花园|广场(?!舞)|草坪|绿化带|停车场|地下车库|车库|篮球场|球场|"
    r"健身区|凉亭|门卫|岗亭|小区外面?|外面(?:的|那条)?马路|马路(?:上|边|对面))(?!舞)(?:那块|那边|这边|那儿|旁边|附近|口|外面|外|里面|内)?的?(?:草坪|绿化带|花坛|空地|路|道)?"
)

BUILDING_SAID = re.compile(
    r"(不是|不在|并非)?\s*(?:俺们|我们|咱们?|我家|俺家|阿拉)?的?\s*(\d{1,2})\s*(?:栋|幢|号楼|号|楼)"
)


def named_instead(said: str) -> str | None:
    """The words from the building named that is not the one denied ("不是6栋，饭馆在7栋楼下" -> "7栋楼下…"),
    when the answer denies one building and names one other; else None."""
    cleaned = digits_from_chinese(normalize(said))
    named = list(BUILDING_SAID.finditer(cleaned))
    denied = {m.group(2) for m in named if m.group(1)}
    others = [m for m in named if not m.group(1) and m.group(2) not in denied]
    if not denied or len({m.group(2) for m in others}) != 1:
        return None
    return cleaned[others[0].start() :]


RHETORICAL = re.compile(r"(?:这|那|这还|那还)不是.{1,10}[吗嘛么]")

OUTSIDE_A_BUILDING = re.compile(r"门口|门前|后面|后头|前面|楼下|空地|外面|外头|旁边|边上|周围|楼顶|天台")

A_ROOM = re.compile(r"(?<![\d栋单元号])[1-9]\d{2,3}(?![\d栋单元])")  # 302, 1801: a room, alone

WHERE_I_AM = re.compile(r"我(?:在|住|家在|家住)")

INDOORS = re.compile(r"楼道|楼梯|我家|家里|屋里|屋头|电梯|楼上|楼下|单元")

# "提交咯", "对 提交", "行 整吧 提交", "确认送出": filed as it stands, whatever step it is said at
# ("先别提交", "等会再提交", "提交照片" are not)
SUBMIT = re.compile(
    r"(?<![不别没再])(?:确认|直接|赶紧|马上)?(?:提交|送出)(?!照片|图|相片)|(?<![不别没再])(?:交|报)上去|(?:先|直接|就这样|那就)交|"
    r"(?<![不别没再])交了?吧|交交|(?:赶紧|快点?)交|就(?:这样|这么)发|发出去|发过去|(?:这|咯|那|介)样交|^交[吧了啦咯哈呗]*$"
    r"|登记吧|(?<!不用)(?<!不要)(?<![不别莫])(?:先|帮我|给我|你先)登记|(?:赶紧|快点?)报|报吧|^发[吧了啦呗]*$"
    # "先这样报", "先报上"
    r"|(?<![不别莫])(?:先|就)(?:这样|这么)报(?!修)|(?<![不别莫])先报(?:上|着)"
)

# "是不是我们单元还能是哪" , "不是对门还能是哪家": a yes asked back
OBVIOUSLY = re.compile(r"不是.{0,8}还(?:能|会|可能)是|除了.{0,6}还(?:能|会)是|废话")

NO_PLACE = re.compile(r"整个小区|全小区|不是哪个地方|没有具体(?:位置|地方)|不是具体|到处都")

COMMAND_FIRST = re.compile(r"^(?:我要|我想)?(?:报修|投诉)[\s,，:：]*")

# mediation asked for after the report began ("我就想请社区出面调解一下"): a dispute between neighbours,
# whatever the thing they quarrel over (a leak, water from flowers)
MEDIATION = re.compile(r"调解|出面|出个面|坐下来(?:说|谈|聊)|评评理|说和")

ON_THE_ROAD = re.compile(r"小区外|马路|大街|街上|公交站|人行道|市政")


# the report was only a word for the staff: "不是报修也不是投诉，就是想带个话",
# "不用登记 就是想表扬一下王师傅"
ONLY_A_WORD = re.compile(
    r"(?:不是|不用|不要|不需要)(?:要)?(?:报修|投诉|登记|立案).{0,12}?(?:就是|只是|就|只)(?:想)?"
    r"(?:带个话|捎个话|传个话|表扬|感谢|谢谢|夸)"
)


def submits(text: str) -> bool:
    """提交 said in a part of the answer that asks nothing ("那就这样交吧，调解的时候能不能别吵起来啊")."""
    asked = bool(re.search(r"[?？]", text))
    return any(
        SUBMIT.search(part)
        and not ASKS.search(part if asked or _CAN.search(part) else _BIDDING.sub("", part))
        and not _EITHER.search(part)
        for part in PARTS.split(normalize(text))
    )


# 嘛 closing a bidding ("好的交上去嘛", "那就提交嘛"), not a question ("能交上去嘛", "交上去嘛？")
_BIDDING = re.compile(r"(?<=[交去上])嘛$")
_CAN = re.compile(r"能|可以|会不会|是不是|要不要|还是")
# one of two asked: "现在交上去嘛还是等我拍个照"
_EITHER = re.compile(r"[嘛吗呢]还是")


def declines_photo(text: str) -> bool:
    return bool(NO_PHOTO.search(normalize(text)))


ASKS = re.compile(r"怎么|咋|如何|怎样|能不能|可不可以|[吗嘛呢]$|[?？]")
# a question in the words of any region: what, where, how much, or "去不去" said as "克不"
ASKS_MORE = re.compile(
    ASKS.pattern + r"|哪样|啥|什么|哪里|哪儿|哪点|哪个|多少|[要能去克得办]不(?=$|[\s，,。？?])|不嘛"
)

# no photo, said in a resident's words: "跳过 我不会拍", "没图", "照片在我老公手机里 先跳过", "不会弄照片"
NO_PHOTO = re.compile(
    r"跳过|略过|没[有得]?(?:图|照片|相片|拍)|冇(?:相|图|影)|(?:不会|不方便|没法|拍不了|弄不了)(?:拍|弄|发)?"
    r"(?:照|图|相)?|照片.{0,8}(?:不在|没在|手机里)|先不(?:拍|发)|不(?:拍|发)了?|没空拍|无法度拍|照片没有|拍(?:啥|什么|个啥)|有啥好拍|拍不(?:了|清|到|着|出来?)"
    r"|不要(?:照片|图)|照片不要|(?:发|传|上传)不(?:出|上)(?:去|来|克)?|(?:发|传|上传)不了|莫拍|嫑(?:照片|拍)|(?:不想|懒得)\S{0,3}拍"
    r"|这次没有|下(?:回|次)再?(?:拍|录|发)|(?:不知道|不晓得|不会)(?:咋个?|怎么|怎样)发|哪有空拍"
    r"|(?:照片|相片|图片|录音|视频|拍照)就?算了"
    # "照片回头路过再补"
    r"|(?:照片|相片|图片?)\S{0,8}?(?:回头|以后|改天|晚点|晚些|过后|明天|有空)\S{0,6}补"
    r"|(?:回头|以后|改天|晚点|晚些|过后|明天|有空)\S{0,6}补(?:拍|发|传|照片|图|张)"
    r"|拍不来|拍(?:了|出来)(?:也|啥也|什么也|都)?(?:看不[见清到出]|没用|白拍|是黑的|黑黢黢|黑乎乎)"
)

CONFIRMED = re.compile(r"^(?:确认|确定|确认无误)[吧了啦哈\s!！。.,，]*(?:麻烦|谢谢|尽快|快点|辛苦)?")

PARTS = re.compile(r"[\s,，.。!！?？;；~～…]+")

# the report dropped after all, said last ("…应该就是来修这个的 那不报了 算了")
DROPPED = re.compile(
    r"(?:不报了|不弄了|不修了|不用报了|不交了|不提交了|不用修了|算了吧?|取消吧?"
    # "…跟你摆两句。不用帮我登记啥子"
    r"|(?<![用要必])不(?:用|要|必)(?:帮我|给我|帮忙)?(?:登记|上报|报上去|报)(?:啥子?|什么|了|啦)?)\W*$"
)

# the photo on its way: "等一下我下楼去拍", "稍等 这就拍"
PHOTO_COMING = re.compile(
    r"^(?:好的?|行|嗯|可以)?[\s，,]*(?:等(?:一)?下|稍等|等会儿?|待会儿?|马上|这就|我去|现在就)\S{0,6}拍"
    r"|^(?:等一下|等下|稍等|等等|等会儿?)[哦喔噢啊呀哈啦嘛~～!！。.…\s]*$"
)
