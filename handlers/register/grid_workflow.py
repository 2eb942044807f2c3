"""What grid workers record: a visit (走访) to a household, and a report filed for a resident (代报: an
elderly resident without a phone), which goes through the repairs workflow like any other with the grid
worker as its reporter (so they hear of its progress and tell the resident) and the resident named.

Only a grid worker of the community, or its committee (or street office), records either.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from handlers.common.rules import Refusal
from handlers.register.grid_queries import VisitView, Whom, match_whom, records_visits, visit_views
from handlers.register.models import Visit
from handlers.repairs import workflow as repairs
from handlers.repairs.categories import Category
from handlers.repairs.models import Ticket
from nlp.slots import Address
from storage.models import Person

NOTHING = frozenset({"无", "没有", "暂无", "没", "不用", "无需", "不需要", "没有了", "-", "/"})


@dataclass(frozen=True)
class RecordVisit:
    by: Person
    community_id: int
    address: Address
    name: str
    found: str
    follow_up: str = ""
    visited_at: dt.datetime | None = None  # now, when not said


@dataclass(frozen=True)
class FileForResident:
    by: Person
    community_id: int
    address: Address
    name: str
    category: Category
    description: str
    source_key: str


def no_follow_up(text: str) -> bool:
    """无, 没有, 暂无...: nothing follows the visit."""
    return text.strip(" 。.！!") in NOTHING


async def _whom(by: Person, community_id: int, address: Address, name: str) -> Whom:
    whom = await match_whom(community_id, address, name, by)
    if address.has_building and whom.building_id is None:
        raise Refusal("grids.no_such_building", building=address.describe(), keep=True)
    if not whom.written:
        raise Refusal("grids.whom_missing", keep=True)
    return whom


async def record_visit(cmd: RecordVisit, now: dt.datetime) -> tuple[VisitView, Whom]:
    """Record a visit, matched to the register when the home and name are found there."""
    if not await records_visits(cmd.by, cmd.community_id):
        raise Refusal("grids.staff_only")
    found = cmd.found.strip()
    if not found:
        raise Refusal("grids.found_missing", keep=True)
    whom = await _whom(cmd.by, cmd.community_id, cmd.address, cmd.name)
    follow_up = "" if no_follow_up(cmd.follow_up) else cmd.follow_up.strip()
    visit = await Visit.create(
        community_id=cmd.community_id,
        by=cmd.by,
        home_id=whom.home_id,
        resident_id=whom.resident_id,
        whom=whom.written,
        visited_at=cmd.visited_at or now,
        found=found[:2000],
        follow_up=follow_up[:2000],
    )
    return (await visit_views([visit]))[0], whom


async def check_filer(by: Person, community_id: int) -> None:
    if not await records_visits(by, community_id):
        raise Refusal("grids.file_staff_only")


async def file_for_resident(cmd: FileForResident, now: dt.datetime) -> tuple[Ticket, Whom]:
    """File a ticket for a resident: the grid worker reports, the resident is named (and matched to the
    register when possible); once per source, as every report."""
    await check_filer(cmd.by, cmd.community_id)
    if not cmd.name.strip():
        raise Refusal("grids.file_whom_missing", keep=True)
    whom = await _whom(cmd.by, cmd.community_id, cmd.address, cmd.name)
    ticket = await repairs.report(
        repairs.ReportRepair(
            reporter=cmd.by,
            community_id=cmd.community_id,
            category=cmd.category,
            description=cmd.description,
            source_key=cmd.source_key,
            building_id=whom.building_id,
            unit=whom.unit,
            place=whom.place,
            filed_for=whom.name,
            filed_for_resident_id=whom.resident_id,
        ),
        now,
    )
    return ticket, whom
