"""Repair categories from content/repair_categories.yaml: who handles them, the promised times, keywords."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import content
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


def category_in_text(text: str, report: str | None = None) -> Category | None:
    """The category whose keywords the text mentions most (longer keywords weigh more), among those of
    ``report`` when given ("投诉物业换个灯泡" is about the property company, not the lamp); None if none."""
    best: tuple[int, Category] | None = None
    for category in categories_for(report) if report else categories().values():
        score = sum(len(word) for word in category.keywords if word in text)
        if score and (best is None or score > best[0]):
            best = (score, category)
    return best[1] if best else None
