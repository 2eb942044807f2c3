"""Repair categories from content/repair_categories.yaml: who handles them, the promised times, keywords."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import content
from nlp.tokenize import normalize
from storage.models import RoleName

HANDLER_ROLES = {
    "property": RoleName.PROPERTY_STAFF,
    "grid": RoleName.GRID_WORKER,
    "mediator": RoleName.MEDIATOR,
}


@dataclass(frozen=True)
class Category:
    key: str
    label: str
    kind: str  # repair, complaint, dispute
    handler: str  # property, grid, mediator, municipal
    dispatch: str
    response_hours: float
    resolution_hours: float
    keywords: tuple[str, ...]
    outside: str = ""
    assignee: str = ""  # openid, for dispatch "assign"

    @property
    def role(self) -> RoleName | None:
        """The role whose pool takes it; None when it is not the community's (municipal)."""
        return HANDLER_ROLES.get(self.handler)


@functools.cache
def categories() -> dict[str, Category]:
    data = content.load_yaml("repair_categories.yaml")["categories"]
    return {
        key: Category(
            key=key,
            label=str(body["label"]),
            kind=str(body["kind"]),
            handler=str(body["handler"]),
            dispatch=str(body.get("dispatch", "pool")),
            response_hours=float(body["response_hours"]),
            resolution_hours=float(body["resolution_hours"]),
            keywords=tuple(str(k) for k in body["keywords"]),
            outside=str(body.get("outside", "")),
            assignee=str(body.get("assignee", "") if body.get("dispatch") == "assign" else ""),
        )
        for key, body in data.items()
    }


# what a resident may be reporting: a thing broken, or a person or business not doing right
KINDS = {"repair": frozenset({"repair"}), "complaint": frozenset({"complaint", "dispute"})}


def categories_for(report: str) -> list[Category]:
    """The categories a report of ``report`` ("repair" or "complaint") may be filed under, in order."""
    kinds = KINDS.get(report, KINDS["repair"])
    return [c for c in categories().values() if c.kind in kinds]


# words that hold a keyword without meaning it: 单元门口 is where, not a broken unit door; 卫生间 is a
# room, not rubbish; 没电梯 is a building without a lift, not a lift broken; 保安亭 and 卫生服务站 are
# landmarks
_PLACES = re.compile(
    r"单元门[口前外边]|楼门[口前外]|卫生间|洗手间|没[得有]?电梯|保安亭|门卫室|岗亭|卫生服务站"
)


# an animal making the noise: the pets, however loud ("楼下那家养的两条狗天天叫，半夜也叫…吵得整夜睡不着")
_ANIMAL_NOISE = re.compile(r"(?:狗|猫|鸽子)[^，,。；;！!？?的]{0,6}?(?:叫|吠|嚎)")
# unless the animal only answers another noise: "楼下装修天天电钻，吵得我家狗整天叫", "把我家猫吓得直叫"
# ("楼上装修把我家狗都吓叫了"; not "把狗关在屋里，狗从早嚎到晚": the dog is the noise)
_ANIMAL_ANSWERS = re.compile(r"(?:吵|吓|惊|震)得|把[^，,。；;！!？?]{0,6}(?:吵|吓|惊|震)")


def _best(text: str, among: list[Category]) -> tuple[int, Category | None]:
    noise = _ANIMAL_NOISE.search(text)
    if noise and not _ANIMAL_ANSWERS.search(text, max(0, noise.start() - 8), noise.end()):
        pets = [c for c in among if c.key == "pets"]
        if pets:
            return (sum(len(word) for word in pets[0].keywords if word in text), pets[0])
    best: tuple[int, Category | None] = (0, None)
    for category in among:
        score = sum(len(word) for word in category.keywords if word in text)
        if score > best[0]:
            best = (score, category)
    return best


def category_in_text(text: str, report: str | None = None, *, strict: bool = False) -> Category | None:
    """The category whose keywords the text mentions most (longer keywords weigh more), among those of
    ``report`` when given ("投诉物业换个灯泡" is about the property company, not the lamp), unless another
    kind's category is named at least twice as strongly ("1单元门口的垃圾桶三天没清运，招苍蝇" reported as a
    repair is rubbish, not the unit door; ``strict``: only the report's kind); None if none."""
    text = _PLACES.sub(" ", normalize(text))  # 电体 is 电梯 (nlp/data/slips.txt)
    everywhere = _best(text, list(categories().values()))
    if not report:
        return everywhere[1]
    own = _best(text, categories_for(report))
    return everywhere[1] if everywhere[0] >= 2 * own[0] and not strict else own[1]
