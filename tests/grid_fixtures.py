"""Register rows made directly for tests (the Excel import is another engineer's): grids with their
buildings and staff, 楼栋长, households and register residents. Works on the demo's communities."""

from __future__ import annotations

from collections.abc import Sequence

from handlers.register.models import BuildingHead, Grid, GridBuilding, GridStaff, Household, Resident
from nlp.slots import extract_address
from storage.models import Building, Community, Home, Person, Role, RoleName


async def community(code: str = "xingfuli") -> Community:
    return await Community.get(code=code)


async def staff(
    openid: str, name: str, phone: str, code: str = "xingfuli", role: RoleName | None = RoleName.GRID_WORKER
) -> Person:
    """A staff member of the community holding ``role`` (None: no role at all)."""
    where = await community(code)
    person = await Person.create(openid=openid, name=name, phone=phone, community=where)
    if role is not None:
        await Role.create(person=person, community=where, role=role)
    return person


async def grid(
    code: str,
    buildings: Sequence[int],
    worker: Person | None = None,
    deputies: Sequence[Person] = (),
    *,
    name: str = "",
    duty_hours: str = "工作日 9:00-17:30",
    community_code: str = "xingfuli",
) -> Grid:
    """A grid over the buildings numbered ``buildings``, with its worker and deputies."""
    where = await community(community_code)
    made = await Grid.create(community=where, code=code, name=name)
    for number in buildings:
        building = await Building.get(community=where, number=number)
        await GridBuilding.create(grid=made, building=building)
    if worker is not None:
        await GridStaff.create(grid=made, person=worker, duty_hours=duty_hours)
    for deputy in deputies:
        await GridStaff.create(grid=made, person=deputy, deputy=True, duty_hours="")
    return made


async def home(address: str, community_code: str = "xingfuli") -> Home:
    """The home written as 3栋2单元502 (created when missing)."""
    where = await community(community_code)
    said = extract_address(address)
    building = await Building.get(community=where, number=said.building)
    found, _ = await Home.get_or_create(
        community=where, building=building, unit=said.unit or 0, room=said.room or ""
    )
    return found


async def resident(
    address: str,
    name: str,
    *,
    care: Sequence[str] = (),
    phone: str | None = None,
    person: Person | None = None,
    community_code: str = "xingfuli",
) -> Resident:
    """A register resident at ``address`` (the household made when missing)."""
    at = await home(address, community_code)
    household, _ = await Household.get_or_create(community_id=at.community_id, home=at, code="")
    return await Resident.create(
        community_id=at.community_id,
        household=household,
        home=at,
        name=name,
        phone=phone,
        care=list(care),
        person=person,
    )


async def building_head(number: int, name: str, phone: str, community_code: str = "xingfuli") -> BuildingHead:
    building = await Building.get(community=await community(community_code), number=number)
    return await BuildingHead.create(building=building, name=name, phone=phone)
