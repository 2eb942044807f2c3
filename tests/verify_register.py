"""A register in force for the demo's 幸福里社区, written as the import will write it: homes, households,
residents, a grid for 3栋 with the demo's grid worker."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from handlers.register.models import Grid, GridBuilding, GridStaff, Household, Resident
from storage.models import Building, Community, Home, Person


@dataclass(frozen=True)
class Register:
    community: Community
    home_502: Home  # 王芳 (户主, 业主, 13912345678) and 李强 (配偶)
    home_501: Home  # 陈静 (租户)
    home_601: Home  # two households sharing the home (合租): 刘一 and 孙二
    home_101: Home  # 4栋1单元101, outside the grid: 周红


async def _home(community: Community, building: int, unit: int, room: str) -> Home:
    where = await Building.get(community=community, number=building)
    home, _ = await Home.get_or_create(
        community=community, building=where, unit=unit, room=room
    )  # a home bound before the register came into force is the register's own
    return home


async def _member(household: Household, name: str, phone: str | None = None, **more: object) -> Resident:
    return await Resident.create(
        community_id=household.community_id,
        household=household,
        home_id=household.home_id,
        name=name,
        phone=phone,
        **more,
    )


async def put_in_force(now: dt.datetime, *, wishes: bool = False) -> Register:
    community = await Community.get(code="xingfuli")
    community.register_at = now
    community.verify_wishes = wishes
    await community.save()
    home_502 = await _home(community, 3, 2, "502")
    home_501 = await _home(community, 3, 2, "501")
    home_601 = await _home(community, 3, 2, "601")
    home_101 = await _home(community, 4, 1, "101")
    wang = await Household.create(community=community, home=home_502, code="")
    await _member(wang, "王芳", "13912345678", relation="本人", is_head=True, is_owner=True)
    await _member(wang, "李强", "13800001111", relation="配偶")
    chen = await Household.create(community=community, home=home_501, code="")
    await _member(chen, "陈静", "13700002222", relation="租户")
    first = await Household.create(community=community, home=home_601, code="1")
    second = await Household.create(community=community, home=home_601, code="2")
    await _member(first, "刘一", is_head=True)
    await _member(second, "孙二", is_head=True)
    zhou = await Household.create(community=community, home=home_101, code="")
    await _member(zhou, "周红", "13600003333", is_head=True, is_owner=True)
    grid = await Grid.create(community=community, code="G1", name="第一网格")
    await GridBuilding.create(grid=grid, building=await Building.get(community=community, number=3))
    await GridStaff.create(grid=grid, person=await Person.get(openid="demo-grid"), duty_hours="9:00-17:00")
    return Register(community, home_502, home_501, home_601, home_101)


async def leave_register(name: str, now: dt.datetime) -> None:
    """What the import does when a re-imported register no longer lists a resident."""
    from handlers.register.models import Binding, BindingStatus

    resident = await Resident.get(name=name)
    resident.active, resident.left_at = False, now
    await resident.save()
    await Binding.filter(resident=resident, status__in=("pending", "verified")).update(
        status=BindingStatus.ENDED, ended_at=now
    )
