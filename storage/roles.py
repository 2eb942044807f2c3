"""Who holds which role where: read by every slice and by the API's community checks."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from storage.models import OVERSEERS, STAFF_ROLES, Community, Person, Role, RoleName, StreetOffice

# who may act on a community's pages (the API's and the console's alike): the person and the community's id
CommunityRule = Callable[[Person, int], Awaitable[bool]]


async def roles_of(person: Person, community: Community | int | None = None) -> set[RoleName]:
    """The person's roles (in one community, given as itself or its id)."""
    query = Role.filter(person=person)
    if community is not None:
        query = query.filter(community_id=community if isinstance(community, int) else community.id)
    return {RoleName(str(r)) for r in await query.values_list("role", flat=True)}


# who reads and answers residents' messages for a person (人工): their words may be private, so not the
# property company's staff or a mediator, who see only the tickets of their pool
MESSAGE_ANSWERERS = frozenset({RoleName.COMMITTEE, RoleName.GRID_WORKER, RoleName.STREET_OFFICE})


async def answers_messages(person: Person, community_id: int | None) -> bool:
    return community_id is not None and bool(await roles_of(person, community_id) & MESSAGE_ANSWERERS)


# who reads a community's register (residents, households, verification requests, visits): the committee
# and the street office all of it, a grid worker their grids' buildings; not the property company's staff or
# a mediator
REGISTER_READERS = frozenset({RoleName.COMMITTEE, RoleName.GRID_WORKER, RoleName.STREET_OFFICE})


async def reads_register(person: Person, community_id: int | None) -> bool:
    return community_id is not None and bool(await roles_of(person, community_id) & REGISTER_READERS)


async def is_staff(person: Person, community_id: int | None) -> bool:
    """Committee, grid worker, property staff or mediator of that community."""
    return community_id is not None and bool(await roles_of(person, community_id) & STAFF_ROLES)


async def on_committee(person: Person, community_id: int | None) -> bool:
    """On the community's committee."""
    return community_id is not None and RoleName.COMMITTEE in await roles_of(person, community_id)


async def oversees(person: Person, community_id: int | None) -> bool:
    """On the community's committee or working for its street office."""
    return community_id is not None and bool(await roles_of(person, community_id) & OVERSEERS)


async def holds_staff_role(person: Person) -> bool:
    """Staff somewhere: of some community, or of a street office (who may open the staff console)."""
    return await Role.exists(person=person, role__in=list(STAFF_ROLES))


async def staff_places(person: Person) -> tuple[list[Community], list[StreetOffice]]:
    """The communities where the person is staff (by name), and the street offices they work for."""
    held = await Role.filter(person=person, role__in=list(STAFF_ROLES)).select_related("community")
    communities = {r.community.id: r.community for r in held}
    street_ids = {
        r.community.street_office_id
        for r in held
        if r.role == RoleName.STREET_OFFICE and r.community.street_office_id is not None
    }
    streets = await StreetOffice.filter(id__in=street_ids).order_by("name") if street_ids else []
    return sorted(communities.values(), key=lambda c: c.name), list(streets)


async def works_for_street(person: Person, street_id: int) -> bool:
    """Holds the street office's role in one of its communities (so, in every one of them)."""
    return await Role.exists(
        person=person, role=RoleName.STREET_OFFICE, community__street_office_id=street_id
    )


__all__ = [
    "MESSAGE_ANSWERERS",
    "REGISTER_READERS",
    "CommunityRule",
    "answers_messages",
    "holds_staff_role",
    "is_staff",
    "on_committee",
    "oversees",
    "reads_register",
    "roles_of",
    "staff_places",
    "works_for_street",
]
