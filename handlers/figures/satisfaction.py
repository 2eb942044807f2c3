"""满意度测评 in the figures: the standing quarterly survey of the property company's service and of the
committee's work (``handlers.surveys``), as the overview, the monthly report and 居务公开 show it.

For a period, each community's most recent published quarterly survey by the period's end (a survey is
sealed until its close: the quarter it opened in may still be answering); a street office's scores are its
communities' together, each topic's ratings weighted by how many gave them. Aggregates only: the free-text
answers stay on the survey's own results. One statement, whatever the number of communities.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import content
from handlers.figures.period import Period
from handlers.surveys.queries import QuarterlyScore, quarterly_satisfaction
from storage.models import Community, StreetOffice

TOPICS = ("property", "committee")  # content/surveys/quarterly.yaml's topics, in the order shown
LOOK_BACK = dt.timedelta(days=366)  # a community without a survey published in the year before: none


@dataclass(frozen=True)
class CommunityScore:
    code: str
    name: str
    quarter: str  # 2026Q4
    responses: int
    eligible: int
    scores: dict[str, float]  # topic -> average rating, 1-5


@dataclass(frozen=True)
class Satisfaction:
    """The latest quarterly scores of one community, or of a street office's communities together."""

    quarters: list[str]  # the quarters the scores are from (one, unless communities differ)
    responses: int
    eligible: int
    scores: dict[str, float | None]  # topic -> average rating, 1-5 (None: nobody rated it)
    communities: list[CommunityScore]  # a street office's, one by one

    @property
    def turnout_share(self) -> float | None:
        return self.responses / self.eligible if self.eligible else None

    @property
    def any(self) -> bool:
        return bool(self.communities)


def _weight(score: QuarterlyScore, topic: str) -> int:
    """How many ratings the topic's score averages (its rating questions' answers)."""
    return sum(q.answered for q in score.questions if q.topic == topic and q.average is not None)


def _combined(latest: list[QuarterlyScore], topic: str) -> float | None:
    weighted = [(s.scores[topic], _weight(s, topic)) for s in latest if topic in s.scores]
    total = sum(w for _, w in weighted)
    return round(sum(v * w for v, w in weighted) / total, 2) if total else None


async def of_communities(communities: list[Community], period: Period, now: dt.datetime) -> Satisfaction:
    """Each community's latest published quarterly survey by the end of ``period``, and all together."""
    _, end = period.bounds(now)
    found = await quarterly_satisfaction([c.id for c in communities], end - LOOK_BACK, end)
    latest: dict[int, QuarterlyScore] = {}
    for score in found:  # by community, then by when it opened: the last one stays
        latest[score.community_id] = score
    named = {c.id: c for c in communities}
    shown = [latest[c.id] for c in communities if c.id in latest]
    return Satisfaction(
        quarters=sorted({s.quarter for s in shown}),
        responses=sum(s.responses for s in shown),
        eligible=sum(s.eligible for s in shown),
        scores={topic: _combined(shown, topic) for topic in TOPICS},
        communities=[
            CommunityScore(
                code=named[s.community_id].code,
                name=named[s.community_id].name,
                quarter=s.quarter,
                responses=s.responses,
                eligible=s.eligible,
                scores=s.scores,
            )
            for s in shown
        ],
    )


async def of_community(community: Community, period: Period, now: dt.datetime) -> Satisfaction:
    return await of_communities([community], period, now)


async def of_street(street: StreetOffice, period: Period, now: dt.datetime) -> Satisfaction:
    communities = await Community.filter(street_office_id=street.id).order_by("name", "id")
    return await of_communities(list(communities), period, now)


def quarter_label(quarter: str) -> str:
    """2026Q4 as people write it (2026年第4季度)."""
    year, _, number = quarter.partition("Q")
    return content.text("figures.console.quarter", year=year, quarter=number) if number else quarter


def topic_label(topic: str) -> str:
    return content.text(f"figures.satisfaction.{topic}")
