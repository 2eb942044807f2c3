"""The register as staff read it in the console: residents and households of a community, searched and
filtered by building or grid, in home order.

Who reads what is decided here once (the API's rules): the committee and the street office read the whole
community, a grid worker the buildings of the grids they staff (while they hold the role); care needs
(独居老人, 残疾, 低保...) are shown to the committee and the grid worker only, never to the street office
(``grid_queries``' rule). A page is a constant number of statements whatever its size.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tortoise.expressions import Q, Subquery
from tortoise.queryset import QuerySet

import content
from handlers.common import formats
from handlers.register.grid_queries import buildings_of_grid, buildings_of_staff, care_label
from handlers.register.models import Household, Resident
from storage.models import Building, Person, RoleName
from storage.pages import PageSlice, page_slice
from storage.roles import roles_of

EXPORT_LIMIT = 20_000
HOME_ORDER = ("home__building__number", "home__unit", "home__room")


@dataclass(frozen=True)
class Scope:
    """What a staff member reads of a community's register."""

    whole: bool  # every building (the committee, the street office)
    grid_of: int | None  # a grid worker: their person id (the buildings of the grids they staff)
    care: bool  # sees care needs


async def scope_of(person: Person, community_id: int) -> Scope:
    roles = await roles_of(person, community_id)
    whole = bool(roles & {RoleName.COMMITTEE, RoleName.STREET_OFFICE})
    grid = RoleName.GRID_WORKER in roles and not whole
    care = bool(roles & {RoleName.COMMITTEE, RoleName.GRID_WORKER})
    return Scope(whole=whole, grid_of=person.id if grid else None, care=care)


async def building_choices(community_id: int) -> list[tuple[int, str]]:
    """The community's buildings as forms offer them: (number, label), in order."""
    return [(b.number, b.label) for b in await Building.filter(community_id=community_id).order_by("number")]


@dataclass(frozen=True)
class RegisterFilter:
    q: str = ""  # part of a name, a phone number's digits, or a 户号
    building: int | None = None  # its number
    grid: int | None = None  # its id
    unbound: bool = False  # only those not yet bound to a WeChat account


def _in_scope(query: QuerySet, community_id: int, scope: Scope, prefix: str = "") -> QuerySet:
    if scope.whole:
        return query
    if scope.grid_of is None:
        return query.filter(id=0)  # nothing
    return query.filter(
        **{f"{prefix}home__building_id__in": Subquery(buildings_of_staff(scope.grid_of, community_id))}
    )


def _filtered(query: QuerySet, community_id: int, f: RegisterFilter, prefix: str = "") -> QuerySet:
    if f.building is not None:
        query = query.filter(**{f"{prefix}home__building__number": f.building})
    if f.grid is not None:
        query = query.filter(**{f"{prefix}home__building_id__in": Subquery(buildings_of_grid(f.grid))})
    return query


# -- residents -----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ResidentRow:
    id: int
    name: str
    home: str
    household: str  # 户号, when the register gives one
    relation: str
    head: bool
    owner: bool
    residence: str  # 常住 / 户籍 / 流动
    phone: str
    care: list[str]  # empty for those who may not see care needs
    note: str
    bound: bool


def _residents(community_id: int, scope: Scope, f: RegisterFilter) -> QuerySet[Resident]:
    query = _filtered(
        _in_scope(Resident.filter(community_id=community_id, active=True), community_id, scope),
        community_id,
        f,
    )
    text = f.q.strip()
    if text.isdigit():
        query = query.filter(Q(phone__contains=text) | Q(household__code=text))
    elif text:
        query = query.filter(Q(name__icontains=text) | Q(household__code=text))
    if f.unbound:
        query = query.filter(person_id=None)
    return query


def _resident_row(r: Resident, scope: Scope) -> ResidentRow:
    home = r.home
    return ResidentRow(
        id=r.id,
        name=r.name,
        home=formats.home(home.building.label, home.unit, home.room),
        household=r.household.code,
        relation=r.relation,
        head=r.is_head,
        owner=r.is_owner,
        residence=content.text(f"register.console_residence.{r.residence}"),
        phone=r.phone or "",
        care=[care_label(c) for c in r.care or []] if scope.care else [],
        note=r.note if scope.care else "",
        bound=r.person_id is not None,
    )


async def resident_page(
    community_id: int, scope: Scope, f: RegisterFilter, page: int, per_page: int
) -> PageSlice[ResidentRow]:
    """A page of the residents the scope reads, in home order: two statements."""
    query = _residents(community_id, scope, f).select_related("home__building", "household")
    listed = await page_slice(query, page, per_page, *HOME_ORDER, "household_id", "-is_head", "id")
    return PageSlice([_resident_row(r, scope) for r in listed.rows], page, per_page, listed.total)


async def resident_rows(community_id: int, scope: Scope, f: RegisterFilter) -> list[ResidentRow]:
    """The whole filtered list in the page's order (the export): one statement."""
    query = _residents(community_id, scope, f).select_related("home__building", "household")
    rows = await query.order_by(*HOME_ORDER, "household_id", "-is_head", "id").limit(EXPORT_LIMIT)
    return [_resident_row(r, scope) for r in rows]


# -- households ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class HouseholdRow:
    id: int
    home: str
    code: str
    head: str
    members: list[str]
    owners: int
    bound: int
    care: int  # members with care needs (0 for those who may not see them)
    updated_at: dt.datetime


def _households(community_id: int, scope: Scope, f: RegisterFilter) -> QuerySet[Household]:
    query = _filtered(
        _in_scope(Household.filter(community_id=community_id, active=True), community_id, scope),
        community_id,
        f,
    )
    text = f.q.strip()
    if text:
        members = Resident.filter(community_id=community_id, active=True, name__icontains=text).values(
            "household_id"
        )
        query = query.filter(Q(code=text) | Q(id__in=Subquery(members)))
    return query


async def _household_rows(households: list[Household], scope: Scope) -> list[HouseholdRow]:
    """Each with its members: one more statement whatever their number."""
    ids = [h.id for h in households]
    members: dict[int, list[Resident]] = {}
    if ids:
        for r in await Resident.filter(household_id__in=ids, active=True).order_by("-is_head", "id"):
            members.setdefault(r.household_id, []).append(r)
    rows = []
    for h in households:
        people = members.get(h.id, [])
        heads = [r.name for r in people if r.is_head]
        rows.append(
            HouseholdRow(
                id=h.id,
                home=formats.home(h.home.building.label, h.home.unit, h.home.room),
                code=h.code,
                head=heads[0] if heads else "",
                members=[r.name for r in people],
                owners=sum(1 for r in people if r.is_owner),
                bound=sum(1 for r in people if r.person_id is not None),
                care=sum(1 for r in people if r.care) if scope.care else 0,
                updated_at=h.updated_at,
            )
        )
    return rows


async def household_page(
    community_id: int, scope: Scope, f: RegisterFilter, page: int, per_page: int
) -> PageSlice[HouseholdRow]:
    """A page of the households the scope reads, in home order: three statements."""
    query = _households(community_id, scope, f).select_related("home__building")
    listed = await page_slice(query, page, per_page, *HOME_ORDER, "code", "id")
    return PageSlice(await _household_rows(listed.rows, scope), page, per_page, listed.total)


async def household_rows(community_id: int, scope: Scope, f: RegisterFilter) -> list[HouseholdRow]:
    query = _households(community_id, scope, f).select_related("home__building")
    rows = await query.order_by(*HOME_ORDER, "code", "id").limit(EXPORT_LIMIT)
    return await _household_rows(list(rows), scope)
