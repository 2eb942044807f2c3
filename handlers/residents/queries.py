"""What the residents' chat and API read: communities, a person's home and roles, a community's roles.
Every list is read in a constant number of statements."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import content
from handlers.common import formats
from storage.models import STAFF_ROLES, Building, Community, Home, Person, Role, RoleName
from storage.pages import page_slice
from storage.roles import holds_staff_role, roles_of

__all__ = [
    "STAFF_ROLES",
    "HomeAddress",
    "Me",
    "RoleName",
    "RolePage",
    "RoleView",
    "address",
    "communities",
    "community",
    "community_by_code",
    "holds_staff_role",
    "home_of",
    "is_village",
    "me",
    "person",
    "role",
    "role_label",
    "roles_in",
    "roles_of",
]


def role_label(role: RoleName | str) -> str:
    """A role as people call it (content/roles.yaml): 网格员, 居委会."""
    return str(content.load_yaml("roles.yaml")[RoleName(role).value]["label"])


@dataclass(frozen=True)
class HomeAddress:
    community: Community
    building: Building
    unit: int
    room: str

    def describe(self) -> str:
        return f"{self.community.name} {self.home()}"

    def home(self) -> str:
        """3栋2单元502, A座1203, 3组15号: the home without its community."""
        return formats.home(self.building.label, self.unit, self.room)


@dataclass(frozen=True)
class Me:
    """Who a person is, as they see themselves: their community, home and roles (community code, role)."""

    person: Person
    community: Community | None
    home: HomeAddress | None
    roles: list[tuple[str, RoleName]]


@dataclass(frozen=True)
class RoleView:
    """A role someone holds in a community, with who they are."""

    id: int
    person_id: int
    person_name: str
    role: RoleName
    granted_at: dt.datetime

    @classmethod
    def of(cls, row: Role) -> RoleView:
        return cls(row.id, row.person.id, row.person.name, row.role, row.granted_at)


@dataclass(frozen=True)
class RolePage:
    rows: list[RoleView]
    meta: dict[str, int] = field(default_factory=dict)  # page, per_page, total


async def communities() -> list[Community]:
    return await Community.all().order_by("id")


async def community(community_id: int | None) -> Community | None:
    return await Community.get_or_none(id=community_id) if community_id is not None else None


async def is_village(community_id: int) -> bool:
    """A village: its homes are written by group (3组15号), not building."""
    return await Building.filter(community_id=community_id, name__endswith="组").exists()


async def community_by_code(code: str) -> Community | None:
    return await Community.get_or_none(code=code)


async def person(person_id: int) -> Person | None:
    return await Person.get_or_none(id=person_id)


async def home_of(someone: Person) -> HomeAddress | None:
    if someone.home_id is None:
        return None
    home = await Home.get(id=someone.home_id).select_related("community", "building")  # one statement
    return HomeAddress(home.community, home.building, home.unit, home.room)


async def address(community_id: int, building_id: int, unit: int, room: str) -> HomeAddress:
    """A home address a dialog confirmed (kept as ids while it asked)."""
    building = await Building.get(id=building_id, community_id=community_id).prefetch_related("community")
    return HomeAddress(building.community, building, unit, room)


async def me(someone: Person) -> Me:
    home = await home_of(someone)
    own: Community | None = home.community if home is not None else None
    if own is None or own.id != someone.community_id:
        own = await community(someone.community_id)
    rows = await Role.filter(person=someone).select_related("community").order_by("community_id", "role")
    return Me(someone, own, home, [(r.community.code, r.role) for r in rows])


async def roles_in(where: Community, page: int, per_page: int) -> RolePage:
    """A community's roles, each with its person: three statements, whatever the page size."""
    listed = await page_slice(Role.filter(community=where), page, per_page, "role", "id")
    await Role.fetch_for_list(listed.rows, "person")
    return RolePage([RoleView.of(r) for r in listed.rows], listed.meta)


async def role(someone: Person, where: Community, name: RoleName) -> RoleView:
    return RoleView.of(await Role.get(person=someone, community=where, role=name).prefetch_related("person"))
