"""The community's wish rules from content/wishes.yaml: categories, points, claiming, sensitive words."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

import content

# a wish as residents and staff write it: "W2611-0012", "0012" or "12"; the group is the wish's id
NUMBER = r"(?:W?\d{4}-)?0*(\d{1,9})"


@dataclass(frozen=True)
class WishCategory:
    key: str
    label: str
    keywords: tuple[str, ...]
    hours: float


@dataclass(frozen=True)
class WishRules:
    categories: dict[str, WishCategory]
    points_per_hour: int
    points_per_wish: int
    max_active_claims: int
    contact_within: dt.timedelta
    confirm_reminder_after: dt.timedelta
    sensitive_words: tuple[str, ...]

    def points(self, hours: float) -> int:
        return round(hours * self.points_per_hour) + self.points_per_wish

    def category_in_text(self, text: str) -> WishCategory:
        """The category whose keywords the text mentions most (longer keywords weigh more); else "other"."""
        best: tuple[int, WishCategory] | None = None
        for category in self.categories.values():
            score = sum(len(word) for word in category.keywords if word in text)
            if score and (best is None or score > best[0]):
                best = (score, category)
        return best[1] if best else self.categories["other"]

    def label(self, key: str) -> str:
        found = self.categories.get(key)
        return found.label if found else key


@functools.cache
def rules() -> WishRules:
    data = content.load_yaml("wishes.yaml")
    return WishRules(
        categories={
            key: WishCategory(
                key=key,
                label=str(body["label"]),
                keywords=tuple(str(k) for k in body.get("keywords") or ()),
                hours=float(body.get("hours", 1)),
            )
            for key, body in data["categories"].items()
        },
        points_per_hour=int(data["points_per_hour"]),
        points_per_wish=int(data["points_per_wish"]),
        max_active_claims=int(data["max_active_claims"]),
        contact_within=dt.timedelta(days=float(data["contact_days"])),
        confirm_reminder_after=dt.timedelta(days=float(data["confirm_reminder_days"])),
        sensitive_words=tuple(str(w) for w in data.get("sensitive_words") or ()),
    )
