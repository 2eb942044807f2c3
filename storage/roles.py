"""Who holds which role where: read by every slice and by the API's community checks."""

from __future__ import annotations

from storage.models import STAFF_ROLES, Community, Person, Role, RoleName


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


async def is_staff(person: Person, community_id: int | None) -> bool:
    """Committee, grid worker, property staff or mediator of that community."""
    return community_id is not None and bool(await roles_of(person, community_id) & STAFF_ROLES)


async def works_for_street(person: Person, street_id: int) -> bool:
    """Holds the street office's role in one of its communities (so, in every one of them)."""
    return await Role.exists(
        person=person, role=RoleName.STREET_OFFICE, community__street_office_id=street_id
    )


__all__ = ["MESSAGE_ANSWERERS", "answers_messages", "is_staff", "roles_of", "works_for_street"]
