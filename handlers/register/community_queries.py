"""What the set-up commands and the street office read: street offices and their communities, a community
with its buildings, counts, grids and staff. Each read is a constant number of statements, whatever the number
of communities or buildings."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from tortoise.functions import Count

from handlers.register.models import Grid, GridBuilding, GridStaff, Household, Resident
from storage.models import (
    Building,
    Community,
    CommunityKind,
    Home,
    Person,
    PhoneGrant,
    Role,
    RoleName,
    StreetOffice,
)

__all__ = [
    "Community",
    "CommunityKind",
    "CommunityView",
    "RoleName",
    "StreetView",
]

STREET = RoleName.STREET_OFFICE


# -- street offices ----------------------------------------------------------------------------------------
async def street(code: str) -> StreetOffice | None:
    return await StreetOffice.get_or_none(code=code.strip().lower())


async def community(code: str) -> Community | None:
    return await Community.get_or_none(code=code.strip().lower()).prefetch_related("street_office")


async def all_communities() -> list[Community]:
    return await Community.all().select_related("street_office").order_by("code")


async def communities_of(where: StreetOffice, with_street: bool = False) -> list[Community]:
    query = Community.filter(street_office=where).order_by("code")
    return await (query.select_related("street_office") if with_street else query)


async def street_staff_ids(street_id: int) -> list[int]:
    """Who works for the street office: whoever holds its role in one of its communities."""
    rows = await Role.filter(role=STREET, community__street_office_id=street_id).values_list(
        "person_id", flat=True
    )
    return sorted({int(str(r)) for r in rows})


async def is_street_staff(person_id: int, street_id: int) -> bool:
    return await Role.exists(person_id=person_id, role=STREET, community__street_office_id=street_id)


async def person_by_phone(phone: str) -> Person | None:
    """Who a staff phone number stands for now (the person who proved it, else its placeholder); None
    when nobody was ever named by it."""
    verified = await Person.filter(phone=phone, phone_verified_at__not_isnull=True).first()
    return verified or await Person.filter(phone=phone, openid=None, mp_openid=None).first()


async def phone_of_invite(invite_id: int) -> str | None:
    """The phone number an invite code was issued for (``staff grant --phone``), if it was."""
    grant = await PhoneGrant.filter(invite_id=invite_id).first()
    return grant.phone if grant is not None else None


@dataclass(frozen=True)
class StaffView:
    person_id: int
    name: str
    phone: str | None
    openid: str | None  # None: a placeholder, until the number is proven or the invite used
    roles: tuple[RoleName, ...]


@dataclass(frozen=True)
class StreetView:
    street: StreetOffice
    communities: list[Community]
    staff: list[StaffView]


async def streets() -> list[tuple[StreetOffice, int]]:
    """Every street office with its number of communities: two statements."""
    rows = await StreetOffice.all().order_by("code")
    counts = dict(
        await Community.filter(street_office_id__not_isnull=True)
        .annotate(n=Count("id"))
        .group_by("street_office_id")
        .values_list("street_office_id", "n")
    )
    return [(s, int(counts.get(s.id, 0))) for s in rows]


async def street_view(where: StreetOffice) -> StreetView:
    communities = await communities_of(where)
    roles = await Role.filter(role=STREET, community__street_office_id=where.id).select_related("person")
    people = {r.person.id: r.person for r in roles}
    staff = [
        StaffView(p.id, p.name, p.phone, p.openid or p.mp_openid, (STREET,))
        for p in sorted(people.values(), key=lambda p: p.id)
    ]
    return StreetView(where, communities, staff)


# -- a community -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class BuildingView:
    id: int
    number: int
    name: str
    label: str
    units: int
    homes: int


@dataclass(frozen=True)
class GridView:
    code: str
    name: str
    buildings: tuple[str, ...]
    workers: tuple[str, ...]  # names, deputies marked


@dataclass(frozen=True)
class CommunityView:
    community: Community
    street: StreetOffice | None
    buildings: list[BuildingView]
    homes: int
    households: int
    residents: int
    grids: list[GridView]
    staff: list[StaffView]


async def buildings(where: Community) -> list[BuildingView]:
    """The community's buildings with their homes: two statements."""
    rows = await Building.filter(community=where).order_by("number")
    homes = dict(
        await Home.filter(community=where)
        .annotate(n=Count("id"))
        .group_by("building_id")
        .values_list("building_id", "n")
    )
    return [BuildingView(b.id, b.number, b.name, b.label, b.units, int(homes.get(b.id, 0))) for b in rows]


async def community_view(where: Community) -> CommunityView:
    """Everything ``community show`` prints: nine statements, whatever the community's size."""
    street_office = (
        await StreetOffice.get_or_none(id=where.street_office_id) if where.street_office_id else None
    )
    listed = await buildings(where)
    households = await Household.filter(community=where, active=True).count()
    residents = await Resident.filter(community=where, active=True).count()
    return CommunityView(
        community=where,
        street=street_office,
        buildings=listed,
        homes=sum(b.homes for b in listed),
        households=households,
        residents=residents,
        grids=await _grids(where, {b.id: b.label for b in listed}),
        staff=await staff_of(where),
    )


async def _grids(where: Community, labels: dict[int, str]) -> list[GridView]:
    grids = await Grid.filter(community=where).order_by("code")
    ids = [g.id for g in grids]
    places: dict[int, list[str]] = defaultdict(list)
    for grid_id, building_id in await GridBuilding.filter(grid_id__in=ids).values_list(
        "grid_id", "building_id"
    ):
        places[int(str(grid_id))].append(labels.get(int(str(building_id)), "?"))
    workers: dict[int, list[str]] = defaultdict(list)
    for row in await GridStaff.filter(grid_id__in=ids).select_related("person").order_by("deputy", "id"):
        workers[row.grid_id].append(row.person.name + ("（副）" if row.deputy else ""))
    return [GridView(g.code, g.name, tuple(places[g.id]), tuple(workers[g.id])) for g in grids]


async def staff_of(where: Community) -> list[StaffView]:
    """The community's staff (residents and volunteers left out), each with their roles there."""
    rows = await (
        Role.filter(community=where)
        .exclude(role__in=(RoleName.RESIDENT, RoleName.OWNER))
        .select_related("person")
        .order_by("person_id", "role")
    )
    held: dict[int, list[RoleName]] = defaultdict(list)
    people = {}
    for row in rows:
        held[row.person.id].append(row.role)
        people[row.person.id] = row.person
    return [
        StaffView(p.id, p.name, p.phone, p.openid or p.mp_openid, tuple(held[p.id])) for p in people.values()
    ]
