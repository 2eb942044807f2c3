"""Who a notice is for, decided here once: the people it is sent to (``recipients``), whether a person may
read it (``Reader``), and the register's residents with care needs it concerns (``cared_for``).

Residents are the people bound to a home of the community; a notice to some buildings or grids is for
those living there, one to roles for their holders (业主 also as the register has them), one to care
needs for the register's residents recorded with them. Every function here reads a constant number of
statements, whatever the size of the audience.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from tortoise.expressions import Subquery

from handlers.notices.models import Notice, NoticeAudience
from handlers.register.models import GridBuilding, Resident
from storage.models import Building, Home, Person, Role, RoleName


@dataclass(frozen=True)
class Target:
    """What a notice is addressed to: its community, the kind of audience and its targets."""

    community_id: int
    audience: NoticeAudience
    targets: tuple[Any, ...]

    @classmethod
    def of(cls, notice: Notice) -> Target:
        return cls(notice.community_id, NoticeAudience(notice.audience), tuple(notice.targets))


def _cares(care: Sequence[str], wanted: Sequence[Any]) -> bool:
    """A resident's recorded needs match the ones asked for (any need, when none is named)."""
    return bool(care) and (not wanted or bool(set(care) & {str(w) for w in wanted}))


async def recipients(target: Target) -> list[int]:
    """The ids of the people the notice goes to, each once, in id order: one or two statements."""
    c, kind, wanted = target.community_id, target.audience, list(target.targets)
    homes = Person.filter(home__community_id=c)
    found: list[Any]
    if kind is NoticeAudience.COMMUNITY:
        found = await homes.values_list("id", flat=True)
    elif kind is NoticeAudience.BUILDINGS:
        found = await homes.filter(home__building__number__in=wanted).values_list("id", flat=True)
    elif kind is NoticeAudience.GRIDS:
        buildings = GridBuilding.filter(grid_id__in=wanted, grid__community_id=c).values("building_id")
        found = await homes.filter(home__building_id__in=Subquery(buildings)).values_list("id", flat=True)
    elif kind is NoticeAudience.ROLES:
        found = await Role.filter(community_id=c, role__in=wanted).values_list("person_id", flat=True)
        if RoleName.OWNER.value in wanted:  # 业主 as the register has them too
            owners: list[Any] = await Resident.filter(
                community_id=c, active=True, is_owner=True, person_id__not_isnull=True
            ).values_list("person_id", flat=True)
            found = [*found, *owners]
    else:
        rows: list[Any] = await Resident.filter(
            community_id=c, active=True, person_id__not_isnull=True
        ).values_list("person_id", "care")
        found = [person for person, care in rows if _cares(care, wanted)]
    return sorted({int(cast(Any, i)) for i in found})


async def recipients_page(target: Target, after: int, limit: int) -> tuple[list[int], int | None]:
    """The next people of the audience after person id ``after``, in id order (about ``limit`` of them),
    and the ``after`` of the page that follows (None: this was the last). The pages together are
    ``recipients``; a person who joins or leaves meanwhile is counted where the pages are then. One or two
    statements, whatever the size of the audience."""
    c, kind, wanted = target.community_id, target.audience, list(target.targets)
    homes = Person.filter(home__community_id=c, id__gt=after).order_by("id").limit(limit)
    sources: list[list[Any]]
    care: dict[int, bool] = {}
    if kind is NoticeAudience.COMMUNITY:
        sources = [await homes.values_list("id", flat=True)]
    elif kind is NoticeAudience.BUILDINGS:
        sources = [await homes.filter(home__building__number__in=wanted).values_list("id", flat=True)]
    elif kind is NoticeAudience.GRIDS:
        buildings = GridBuilding.filter(grid_id__in=wanted, grid__community_id=c).values("building_id")
        sources = [await homes.filter(home__building_id__in=Subquery(buildings)).values_list("id", flat=True)]
    elif kind is NoticeAudience.ROLES:
        roles = Role.filter(community_id=c, role__in=wanted, person_id__gt=after)
        sources = [await roles.order_by("person_id").limit(limit).values_list("person_id", flat=True)]
        if RoleName.OWNER.value in wanted:  # 业主 as the register has them too
            owners = Resident.filter(community_id=c, active=True, is_owner=True, person_id__gt=after)
            sources.append(
                await owners.order_by("person_id").limit(limit).values_list("person_id", flat=True)
            )
    else:  # the care needs are JSON: a page of the register's people, their needs matched here
        rows: list[Any] = (
            await Resident.filter(community_id=c, active=True, person_id__gt=after)
            .order_by("person_id")
            .limit(limit)
            .values_list("person_id", "care")
        )
        for person, needs in rows:
            care[int(person)] = care.get(int(person), False) or _cares(needs, wanted)
        sources = [[person for person, _ in rows]]
    # a source that filled its page covers the ids below its last one (which may go on: a person holding
    # two of the roles, or with two entries in the register); the page is what every source covers
    bounds = [int(rows_[-1]) for rows_ in sources if len(rows_) >= limit]
    bound = min(bounds) if bounds else None
    if bound is not None and bound <= after + 1:  # a page of one person's rows (not with real limits)
        if kind is NoticeAudience.CARE:  # whether they are in it: all their entries
            every: list[Any] = await Resident.filter(
                community_id=c, active=True, person_id=bound
            ).values_list("care", flat=True)
            care[bound] = any(_cares(needs, wanted) for needs in every)
        bound += 1
    found = {int(cast(Any, i)) for rows_ in sources for i in rows_}
    page = sorted(i for i in found if (bound is None or i < bound) and care.get(i, True))
    return page, None if bound is None else bound - 1


async def count(target: Target) -> int:
    """How many people the audience reaches now: one statement (a count, for the usual audiences)."""
    c, kind, wanted = target.community_id, target.audience, list(target.targets)
    homes = Person.filter(home__community_id=c)
    if kind is NoticeAudience.COMMUNITY:
        return await homes.count()
    if kind is NoticeAudience.BUILDINGS:
        return await homes.filter(home__building__number__in=wanted).count()
    if kind is NoticeAudience.GRIDS:
        buildings = GridBuilding.filter(grid_id__in=wanted, grid__community_id=c).values("building_id")
        return await homes.filter(home__building_id__in=Subquery(buildings)).count()
    return len(await recipients(target))


@dataclass(frozen=True)
class Reader:
    """What decides which of a community's notices a person may read: where they live, their grid, their
    roles and the care needs the register records for them."""

    community_id: int | None
    building_number: int | None
    grids: frozenset[int]
    roles: frozenset[str]
    care: frozenset[str]
    owner: bool

    def reads(self, target: Target) -> bool:
        if target.community_id != self.community_id:
            return False
        kind, wanted = target.audience, target.targets
        if kind is NoticeAudience.ROLES:
            return bool(self.roles & {str(w) for w in wanted}) or (
                self.owner and RoleName.OWNER.value in wanted
            )
        if self.building_number is None:  # the rest are for those living in the community
            return False
        if kind is NoticeAudience.BUILDINGS:
            return self.building_number in wanted
        if kind is NoticeAudience.GRIDS:
            return bool(self.grids & {int(w) for w in wanted})
        if kind is NoticeAudience.CARE:
            return _cares(sorted(self.care), wanted)
        return True


async def reader(person: Person) -> Reader:
    """Four statements (none without a community)."""
    community_id = person.community_id
    if community_id is None:
        return Reader(None, None, frozenset(), frozenset(), frozenset(), False)
    home = await Home.filter(id=person.home_id, community_id=community_id).first() if person.home_id else None
    number: Any = None
    grids: list[Any] = []
    if home is not None:
        number = await Building.filter(id=home.building_id).first().values_list("number", flat=True)
        grids = await GridBuilding.filter(building_id=home.building_id).values_list("grid_id", flat=True)
    roles = await Role.filter(person=person, community_id=community_id).values_list("role", flat=True)
    entries = await Resident.filter(person_id=person.id, community_id=community_id, active=True).values_list(
        "care", "is_owner"
    )
    return Reader(
        community_id,
        int(number) if number is not None else None,
        frozenset(int(g) for g in grids),
        frozenset(str(r) for r in roles),
        frozenset(str(need) for care, _ in entries for need in care),
        any(owner for _, owner in entries),
    )


@dataclass(frozen=True)
class CaredFor:
    """A register resident with care needs whom the notice concerns."""

    resident_id: int
    person_id: int | None  # None: not on WeChat (never told, so never confirmed)
    name: str
    phone: str
    care: tuple[str, ...]
    home_id: int
    building_id: int
    unit: int
    room: str


async def cared_for(target: Target, sent_to: set[int]) -> list[CaredFor]:
    """The active register residents with a care need the notice concerns: those living where it went
    (the community, its buildings, its grids), those with the needs it names, or, for a notice to roles,
    those it was sent to (``sent_to``). Two statements."""
    c, kind, wanted = target.community_id, target.audience, list(target.targets)
    query = Resident.filter(community_id=c, active=True)
    if kind is NoticeAudience.BUILDINGS:
        query = query.filter(home__building__number__in=wanted)
    elif kind is NoticeAudience.GRIDS:
        buildings = GridBuilding.filter(grid_id__in=wanted, grid__community_id=c).values("building_id")
        query = query.filter(home__building_id__in=Subquery(buildings))
    elif kind is NoticeAudience.ROLES:
        query = query.filter(person_id__in=sorted(sent_to) or [0])
    rows = await query.order_by("home_id", "id").values_list(
        "id", "person_id", "name", "phone", "care", "home_id", "home__building_id", "home__unit", "home__room"
    )
    needs = wanted if kind is NoticeAudience.CARE else []
    return [
        CaredFor(rid, person, name, phone or "", tuple(care), home, building, unit, room)
        for rid, person, name, phone, care, home, building, unit, room in rows
        if _cares(care, needs)
    ]
