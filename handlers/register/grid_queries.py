"""Reads about grids: whose grid a building is in (repairs routes and scopes tickets with it), a resident's
grid worker, a grid worker's own grid (buildings, open tickets, care needs, residents not yet bound), the
committee's list of grids, visits, and a written "whom" matched to the register.

Care needs (独居老人, 残疾, 低保...) are read here for the grid's own staff and the committee only: every
reader of them goes through ``overview`` / ``grids_of``, whose callers check ``oversees`` or grid staff.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from tortoise.expressions import Q, Subquery
from tortoise.queryset import ValuesQuery

import content
from handlers.common import formats
from handlers.common.rules import Refusal
from handlers.register.models import BuildingHead, Grid, GridBuilding, GridStaff, Resident, Visit
from handlers.repairs.categories import categories
from handlers.repairs.models import OPEN_STATUSES, Ticket
from nlp.slots import Address
from storage.models import OVERSEERS, Building, Community, Home, Person, Role, RoleName
from storage.pages import PageSlice, page_slice
from storage.roles import oversees, roles_of  # oversees: sees every grid

OLDEST = 3  # open tickets shown in "我的网格"
UNBOUND_NAMES = 10  # residents not yet bound, named in "我的网格"


# -- for repairs: routing and scope ------------------------------------------------------------------
# Someone the register names by phone is a placeholder until they write to us: a grid they alone staff
# has nobody to tell yet, so its tickets stay in the pool until then.
_REACHABLE = Q(person__openid__not_isnull=True) | Q(person__mp_openid__not_isnull=True)
_REACHABLE_STAFF = Q(grid__staff__person__openid__not_isnull=True) | Q(
    grid__staff__person__mp_openid__not_isnull=True
)


async def grid_staff_for_building(building_id: int) -> list[Person]:
    """The staff of the grid the building is in who hold the grid worker's role in its community and can
    be reached (not a placeholder): the workers first, then the deputies. Empty when the building is in no
    grid or the grid has none."""
    rows = (
        await GridStaff.filter(_REACHABLE, grid__buildings__building_id=building_id)
        .select_related("person", "grid")
        .order_by("deputy", "id")
    )
    if not rows:
        return []
    holders = set(
        await Role.filter(
            person_id__in=[r.person_id for r in rows],
            community_id=rows[0].grid.community_id,
            role=RoleName.GRID_WORKER,
        ).values_list("person_id", flat=True)
    )
    return [r.person for r in rows if r.person_id in holders]


def buildings_of_staff(person_id: int, community_id: int) -> ValuesQuery[Literal[False]]:
    """The buildings of the grids the person works in (as worker or deputy), for a subquery."""
    return GridBuilding.filter(grid__community_id=community_id, grid__staff__person_id=person_id).values(
        "building_id"
    )


def buildings_of_grid(grid_id: int) -> ValuesQuery[Literal[False]]:
    """A grid's buildings, for a subquery."""
    return GridBuilding.filter(grid_id=grid_id).values("building_id")


async def grid_names(community_id: int) -> list[tuple[int, str]]:
    """The community's grids: (id, name as the register writes it), in their order."""
    rows = (
        await Grid.filter(community_id=community_id).order_by("code", "id").values_list("id", "code", "name")
    )
    return [(grid_id, name or code) for grid_id, code, name in rows]


async def grid_codes(community_id: int) -> list[tuple[str, str]]:
    """The community's grids: (code, name as the register writes it), in order (what visits filter by)."""
    rows = await Grid.filter(community_id=community_id).order_by("code", "id").values_list("code", "name")
    return [(code, name or code) for code, name in rows]


def staffed_buildings(community_id: int) -> ValuesQuery[Literal[False]]:
    """The buildings whose grid has someone (reachable) holding the grid worker's role: their tickets are
    routed to that grid, not left in the pool. For a subquery."""
    return GridBuilding.filter(
        _REACHABLE_STAFF,
        grid__community_id=community_id,
        grid__staff__person__roles__role=RoleName.GRID_WORKER,
        grid__staff__person__roles__community_id=community_id,
    ).values("building_id")


async def in_own_grid(person_id: int, community_id: int, building_id: int | None) -> bool:
    if building_id is None:
        return False
    return await GridBuilding.exists(
        building_id=building_id, grid__community_id=community_id, grid__staff__person_id=person_id
    )


async def routed_to_a_grid(community_id: int, building_id: int | None) -> bool:
    """The building's grid has a worker: a grid worker's ticket there is that grid's, not the pool's."""
    if building_id is None:
        return False
    return await GridBuilding.exists(
        _REACHABLE_STAFF,
        building_id=building_id,
        grid__community_id=community_id,
        grid__staff__person__roles__role=RoleName.GRID_WORKER,
        grid__staff__person__roles__community_id=community_id,
    )


# -- who is who -----------------------------------------------------------------------------------------
async def records_visits(person: Person, community_id: int) -> bool:
    """May record visits and file for residents there: a grid worker or an overseer."""
    return bool(await roles_of(person, community_id) & (OVERSEERS | {RoleName.GRID_WORKER}))


async def staff_community(person: Person) -> int | None:
    """Where the person works in a grid: their own community when they hold a role that records visits
    there, else the community of their first grid, else of their first such role."""
    held = {
        c: r
        for c, r in await Role.filter(person=person, role__in=[RoleName.GRID_WORKER, *OVERSEERS]).values_list(
            "community_id", "role"
        )
    }
    if person.community_id in held:
        return person.community_id
    grid = await GridStaff.filter(person=person).select_related("grid").order_by("id").first()
    if grid is not None:
        return grid.grid.community_id
    return min(held) if held else None


# -- a resident's grid worker ---------------------------------------------------------------------------
@dataclass(frozen=True)
class StaffContact:
    name: str
    phone: str
    duty_hours: str = ""
    deputy: bool = False


@dataclass(frozen=True)
class Office:
    name: str
    phone: str
    office: str
    hours: str


@dataclass(frozen=True)
class GridContact:
    """Who a resident's building is looked after by."""

    building: str
    grid: str
    staff: list[StaffContact]
    head: StaffContact | None
    office: Office


async def _office(community_id: int) -> Office:
    c = await Community.get(id=community_id)
    return Office(c.name, c.phone, c.office, c.hours)


async def grid_contact(person: Person) -> GridContact | None:
    """The grid worker (and deputies, and the 楼栋长) of the person's home; None when they have no home.
    ``staff`` is empty when the building is in no grid or its grid has nobody yet."""
    if person.home_id is None:
        return None
    home = await Home.get(id=person.home_id).select_related("building")
    link = await GridBuilding.get_or_none(building_id=home.building_id).select_related("grid")
    staff: list[StaffContact] = []
    if link is not None:
        rows = await GridStaff.filter(grid_id=link.grid_id).select_related("person").order_by("deputy", "id")
        staff = [StaffContact(r.person.name, r.person.phone or "", r.duty_hours, r.deputy) for r in rows]
    head = await BuildingHead.get_or_none(building_id=home.building_id)
    return GridContact(
        building=home.building.label,
        grid=(link.grid.name or link.grid.code) if link else "",
        staff=staff,
        head=StaffContact(head.name, head.phone) if head else None,
        office=await _office(home.community_id),
    )


async def community_office(community_id: int | None) -> Office | None:
    return await _office(community_id) if community_id is not None else None


# -- a grid worker's grid -------------------------------------------------------------------------------
@dataclass(frozen=True)
class OpenTicket:
    id: int
    number: str
    category: str
    place: str
    created_at: dt.datetime
    filed_for: str


@dataclass(frozen=True)
class CareResident:
    id: int
    name: str
    home: str
    needs: list[str]  # as the committee reads them: 独居老人, 残疾, 低保...


@dataclass(frozen=True)
class Unbound:
    id: int
    name: str
    home: str


@dataclass(frozen=True)
class GridOverview:
    grids: list[str]
    buildings: list[str]
    open_tickets: int
    oldest: list[OpenTicket]
    care: list[CareResident]
    unbound: int
    unbound_some: list[Unbound]


def care_label(need: str) -> str:
    key = f"grids.care.{need}"
    return content.text(key) if key in content.messages() else need


async def overview(person: Person, community_id: int) -> GridOverview | None:
    """The person's grids in the community (as worker or deputy): None when they work in none, or no
    longer hold the role that lets them (the register may still list someone whose role was revoked)."""
    if not await records_visits(person, community_id):
        return None
    grids = await Grid.filter(community_id=community_id, staff__person_id=person.id).distinct()
    if not grids:
        return None
    return await _overview(community_id, [g.id for g in grids], [g.name or g.code for g in grids])


async def _overview(community_id: int, grid_ids: list[int], names: list[str]) -> GridOverview:
    links = await GridBuilding.filter(grid_id__in=grid_ids).select_related("building")
    buildings = {link.building_id: link.building for link in links}
    ids = list(buildings)
    tickets = Ticket.filter(community_id=community_id, building_id__in=ids, status__in=OPEN_STATUSES)
    oldest = await tickets.order_by("created_at", "id").limit(OLDEST)
    residents = Resident.filter(community_id=community_id, active=True, home__building_id__in=ids)
    rows = await residents.order_by("home_id", "id").values_list(
        "id", "name", "care", "home__building_id", "home__unit", "home__room"
    )
    cared = [
        CareResident(rid, name, formats.home(buildings[b].label, unit, room), [care_label(c) for c in care])
        for rid, name, care, b, unit, room in rows
        if care
    ]
    unbound = residents.filter(person_id=None)
    some = (
        await unbound.order_by("home_id", "id")
        .limit(UNBOUND_NAMES)
        .values_list("id", "name", "home__building_id", "home__unit", "home__room")
    )
    return GridOverview(
        grids=names,
        buildings=[b.label for b in sorted(buildings.values(), key=lambda b: b.number)],
        open_tickets=await tickets.count(),
        oldest=[_open_ticket(t, buildings) for t in oldest],
        care=cared,
        unbound=await unbound.count(),
        unbound_some=[
            Unbound(rid, name, formats.home(buildings[b].label, unit, room))
            for rid, name, b, unit, room in some
        ],
    )


def _open_ticket(ticket: Ticket, buildings: dict[int, Building]) -> OpenTicket:
    where = ticket.place
    if not where and ticket.building_id in buildings:
        where = formats.home(buildings[ticket.building_id].label, ticket.unit)
    return OpenTicket(
        ticket.id,
        ticket.number,
        categories()[ticket.category].label,
        where,
        ticket.created_at,
        ticket.filed_for,
    )


# -- the committee's list of grids ----------------------------------------------------------------------
@dataclass(frozen=True)
class GridStaffView:
    person_id: int
    name: str
    phone: str
    deputy: bool
    duty_hours: str


@dataclass(frozen=True)
class GridSummary:
    id: int
    code: str
    name: str
    buildings: list[str]
    staff: list[GridStaffView]
    head_count: int  # 楼栋长 recorded for its buildings
    households: int
    residents: int
    care: int
    unbound: int
    open_tickets: int


async def grids_of(community_id: int) -> list[GridSummary]:
    """Every grid of the community with its buildings, staff and figures: six statements, whatever
    the number of grids."""
    grids = await Grid.filter(community_id=community_id).order_by("code")
    links = await GridBuilding.filter(grid__community_id=community_id).select_related("building")
    staff = (
        await GridStaff.filter(grid__community_id=community_id)
        .select_related("person")
        .order_by("deputy", "id")
    )
    heads = set(
        await BuildingHead.filter(building__community_id=community_id).values_list("building_id", flat=True)
    )
    grid_of = {link.building_id: link.grid_id for link in links}
    per_building = await Resident.filter(community_id=community_id, active=True).values_list(
        "home__building_id", "household_id", "person_id", "care"
    )
    households: dict[int, set[int]] = {}
    people: Counter[int] = Counter()
    cared: Counter[int] = Counter()
    unbound: Counter[int] = Counter()
    for building_id, household_id, person_id, care in per_building:
        grid = grid_of.get(building_id)
        if grid is None:
            continue
        households.setdefault(grid, set()).add(household_id)
        people[grid] += 1
        cared[grid] += bool(care)
        unbound[grid] += person_id is None
    open_by_building = await Ticket.filter(
        community_id=community_id, status__in=OPEN_STATUSES, building_id__in=list(grid_of)
    ).values_list("building_id", flat=True)
    tickets = Counter(grid_of[int(str(b))] for b in open_by_building)
    return [
        GridSummary(
            id=g.id,
            code=g.code,
            name=g.name,
            buildings=[
                link.building.label
                for link in sorted(links, key=lambda link: link.building.number)
                if link.grid_id == g.id
            ],
            staff=[
                GridStaffView(s.person_id, s.person.name, s.person.phone or "", s.deputy, s.duty_hours)
                for s in staff
                if s.grid_id == g.id
            ],
            head_count=sum(1 for link in links if link.grid_id == g.id and link.building_id in heads),
            households=len(households.get(g.id, ())),
            residents=people[g.id],
            care=cared[g.id],
            unbound=unbound[g.id],
            open_tickets=tickets[g.id],
        )
        for g in grids
    ]


# -- "whom": a written address and name matched to the register -----------------------------------------
# 李奶奶, 王大爷, 老张, 小李: a surname and how a neighbour calls them
_KIN = re.compile(
    r"^(?:老|小)?(?P<surname>[\u4e00-\u9fff])(?:奶奶|爷爷|阿姨|叔叔|大爷|大妈|大娘|婆婆|阿婆|阿公|伯伯|大伯|"
    r"老师|师傅|大姐|大哥|姐|哥|姨|叔|伯|婶|嫂|老)?$"
)


@dataclass(frozen=True)
class Whom:
    """A home and a person as a grid worker wrote them, with what the register knows of them."""

    written: str  # 3栋2单元502 李奶奶
    name: str  # 李奶奶
    place: str  # 3栋2单元502, from the register's home when the address was not written
    building_id: int | None = None
    unit: int = 0
    home_id: int | None = None
    resident_id: int | None = None


async def building_written(community_id: int, address: Address) -> Building | None:
    """The building an address names: by its number (3栋, 3组) or its letter (A座)."""
    if address.letter is not None:
        named = await Building.filter(community_id=community_id, name__istartswith=address.letter)
        return next((b for b in named if b.letter == address.letter), None)
    if address.building is None:
        return None
    return await Building.get_or_none(community_id=community_id, number=address.building)


def surname_of(name: str) -> str | None:
    found = _KIN.match(name)
    return found.group("surname") if found and name != found.group("surname") else None


def _pick(candidates: Sequence[Resident], name: str) -> Resident | None:
    """The one register resident ``name`` stands for: the same name, else the only one of the surname a
    neighbour's way of calling them gives (李奶奶: the only 李 there)."""
    same = [r for r in candidates if r.name == name]
    if len(same) == 1:
        return same[0]
    surname = surname_of(name)
    if surname is None:
        return None
    kin = [r for r in candidates if r.name.startswith(surname)]
    return kin[0] if len(kin) == 1 else None


async def other_grids(person: Person, community_id: int) -> set[int]:
    """The buildings of the community's grids the person does not staff: none for an overseer, who acts
    on every grid; a grid worker acts on their own grid (and buildings in no grid), not on another's."""
    if await oversees(person, community_id):
        return set()
    mine = GridStaff.filter(person_id=person.id).values("grid_id")
    found = (
        await GridBuilding.filter(grid__community_id=community_id)
        .exclude(grid_id__in=Subquery(mine))
        .values_list("building_id", flat=True)
    )
    return {int(str(building_id)) for building_id in found}


async def match_whom(community_id: int, address: Address, name: str, by: Person | None = None) -> Whom:
    """Match ``address`` and ``name`` to the register: the home (when it exists) and its resident (one
    active resident there of that name, or of that surname); without an address, the only active resident
    of the community so named. With ``by``, a grid worker: a home in another grid is refused, and a name
    alone is looked for in the buildings they may act on only."""
    name = name.strip()[:32]
    forbidden = await other_grids(by, community_id) if by is not None else set()
    building = await building_written(community_id, address) if address.has_building else None
    if building is not None and building.id in forbidden:
        raise Refusal("grids.not_your_grid", building=building.label, keep=True)
    unit = address.unit or (1 if building is not None and building.units == 1 else 0)
    written_place = formats.home(building.label, unit, address.room) if building else address.describe()
    home = None
    if building is not None and address.room:
        home = await Home.get_or_none(building=building, unit=unit, room=address.room)
    resident = None
    if home is not None and name:
        resident = _pick(await Resident.filter(home=home, active=True).order_by("id"), name)
    elif home is None and not address.has_building and name:
        named = Resident.filter(community_id=community_id, active=True, name=name)
        if forbidden:
            named = named.exclude(home__building_id__in=list(forbidden))
        resident = _pick(await named, name)
    if resident is not None and home is None:
        home = await Home.get(id=resident.home_id).select_related("building")
        building, unit = home.building, home.unit
        written_place = formats.home(building.label, unit, home.room)
    written = " ".join(part for part in (address.describe(), name) if part)
    return Whom(
        written=written[:64],
        name=name,
        place=written_place,
        building_id=building.id if building else None,
        unit=unit,
        home_id=home.id if home else None,
        resident_id=resident.id if resident else None,
    )


# -- visits ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class VisitView:
    id: int
    by: str
    whom: str
    place: str
    resident: str
    visited_at: dt.datetime
    found: str
    follow_up: str


async def visit_views(visits: Iterable[Visit]) -> list[VisitView]:
    """Visits as people read them: three statements whatever their number."""
    rows = list(visits)
    names = dict(await Person.filter(id__in={v.by_id for v in rows}).values_list("id", "name"))
    home_ids = {v.home_id for v in rows if v.home_id is not None}
    homes = (
        {h.id: h for h in await Home.filter(id__in=home_ids).select_related("building")} if home_ids else {}
    )
    resident_ids = {v.resident_id for v in rows if v.resident_id is not None}
    residents = (
        dict(await Resident.filter(id__in=resident_ids).values_list("id", "name")) if resident_ids else {}
    )
    return [
        VisitView(
            id=v.id,
            by=str(names.get(v.by_id, "")),
            whom=v.whom,
            place=formats.home(homes[v.home_id].building.label, homes[v.home_id].unit, homes[v.home_id].room)
            if v.home_id in homes
            else "",
            resident=str(residents.get(v.resident_id, "")) if v.resident_id else "",
            visited_at=v.visited_at,
            found=v.found,
            follow_up=v.follow_up,
        )
        for v in rows
    ]


async def visits_page(
    viewer: Person,
    community_id: int,
    grid: str | None,
    since: dt.datetime | None,
    page: int,
    per_page: int,
) -> PageSlice[VisitView]:
    """The visits the viewer may read, newest first: the committee's all (of one grid: its buildings'),
    a grid worker their own."""
    if not await records_visits(viewer, community_id):
        raise Refusal("grids.staff_only")
    query = Visit.filter(community_id=community_id)
    if not await oversees(viewer, community_id):
        query = query.filter(by_id=viewer.id)
    if grid is not None:
        in_grid = GridBuilding.filter(grid__community_id=community_id, grid__code=grid).values("building_id")
        query = query.filter(home__building_id__in=Subquery(in_grid))
    if since is not None:
        query = query.filter(visited_at__gte=since)
    listed = await page_slice(query, page, per_page, "-visited_at", "-id")
    return PageSlice(await visit_views(listed.rows), page, per_page, listed.total)
