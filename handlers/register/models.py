"""The household register, grids, home verification and grid workers' visits.

The committee's own spreadsheet is the source of truth: households and residents are imported (and
re-imported, updated in place) from it; a WeChat person is tied to a register resident when their binding
is verified.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields

from storage.base import Model
from storage.models import Building, Community, Home, Person


class Residence(StrEnum):
    """常住 / 户籍 / 流动, as the register writes them."""

    PERMANENT = "permanent"  # 常住 (lives here)
    REGISTERED = "registered"  # 户籍 (household registration here, may live elsewhere)
    FLOATING = "floating"  # 流动 (lives here, registered elsewhere)


class Care(StrEnum):
    """Care needs the register records: seen by the committee and the resident's grid worker only."""

    LIVES_ALONE = "lives_alone"  # 独居老人
    DISABLED = "disabled"  # 残疾
    LOW_INCOME = "low_income"  # 低保
    ELDERLY = "elderly"  # 高龄 / 空巢
    OTHER = "other"


class Household(Model):
    """户: a household at a home (a home can hold more than one: 合租, 一房两户)."""

    id = fields.IntField(primary_key=True)
    community: fields.ForeignKeyRelation[Community] = fields.ForeignKeyField(
        "models.Community", related_name="households", on_delete=fields.CASCADE
    )
    home: fields.ForeignKeyRelation[Home] = fields.ForeignKeyField(
        "models.Home", related_name="households", on_delete=fields.CASCADE
    )
    code = fields.CharField(
        max_length=32, default="", description="户号 from the register, empty when one per home"
    )
    active = fields.BooleanField(default=True, description="false once no member is left on the register")
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    community_id: int
    home_id: int

    class Meta:
        table = "household"
        unique_together = (("home", "code"),)


class Resident(Model):
    """A person on the register: who actually lives (or is registered) at a home."""

    id = fields.IntField(primary_key=True)
    community: fields.ForeignKeyRelation[Community] = fields.ForeignKeyField(
        "models.Community", related_name="register", on_delete=fields.CASCADE
    )
    household: fields.ForeignKeyRelation[Household] = fields.ForeignKeyField(
        "models.Household", related_name="members", on_delete=fields.CASCADE
    )
    home: fields.ForeignKeyRelation[Home] = fields.ForeignKeyField(
        "models.Home", related_name="register", on_delete=fields.CASCADE
    )
    name = fields.CharField(max_length=32)
    phone = fields.CharField(max_length=20, null=True, db_index=True, description="11 digits, as normalised")
    relation = fields.CharField(
        max_length=16, default="", description="与户主关系: 本人, 配偶, 子女, 租户..."
    )
    is_head = fields.BooleanField(default=False, description="户主")
    is_owner = fields.BooleanField(default=False, description="业主")
    residence = fields.CharEnumField(Residence, max_length=12, default=Residence.PERMANENT)
    care: Any = fields.JSONField(default=list, description="Care values, never shown to other residents")
    note = fields.CharField(max_length=200, default="")
    person: fields.ForeignKeyNullableRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name="register_entries", null=True, on_delete=fields.SET_NULL
    )
    active = fields.BooleanField(default=True, description="false once a re-import no longer lists them")
    left_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    community_id: int
    household_id: int
    home_id: int
    person_id: int | None

    class Meta:
        table = "register_resident"
        unique_together = (("household", "name"),)
        indexes = (("community_id", "active"),)


class Grid(Model):
    """网格: a set of buildings with its grid worker (and deputies)."""

    id = fields.IntField(primary_key=True)
    community: fields.ForeignKeyRelation[Community] = fields.ForeignKeyField(
        "models.Community", related_name="grids", on_delete=fields.CASCADE
    )
    code = fields.CharField(max_length=32, description="网格编号 or name as the register writes it")
    name = fields.CharField(max_length=64, default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    community_id: int

    class Meta:
        table = "grid"
        unique_together = (("community", "code"),)


class GridBuilding(Model):
    """A building belongs to one grid."""

    id = fields.IntField(primary_key=True)
    grid: fields.ForeignKeyRelation[Grid] = fields.ForeignKeyField(
        "models.Grid", related_name="buildings", on_delete=fields.CASCADE
    )
    building: fields.OneToOneRelation[Building] = fields.OneToOneField(
        "models.Building", related_name="grid_link", on_delete=fields.CASCADE
    )

    grid_id: int
    building_id: int

    class Meta:
        table = "grid_building"


class GridStaff(Model):
    """A grid's worker (网格员) or deputy, with the hours residents may call them."""

    id = fields.IntField(primary_key=True)
    grid: fields.ForeignKeyRelation[Grid] = fields.ForeignKeyField(
        "models.Grid", related_name="staff", on_delete=fields.CASCADE
    )
    person: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name="grids", on_delete=fields.CASCADE
    )
    deputy = fields.BooleanField(default=False)
    duty_hours = fields.CharField(max_length=64, default="")

    grid_id: int
    person_id: int

    class Meta:
        table = "grid_staff"
        unique_together = (("grid", "person"),)


class BuildingHead(Model):
    """楼栋长 of a building: a resident on the register, or just a name and a phone."""

    id = fields.IntField(primary_key=True)
    building: fields.OneToOneRelation[Building] = fields.OneToOneField(
        "models.Building", related_name="head", on_delete=fields.CASCADE
    )
    name = fields.CharField(max_length=32)
    phone = fields.CharField(max_length=20, default="")
    resident: fields.ForeignKeyNullableRelation[Resident] = fields.ForeignKeyField(
        "models.Resident", related_name="heads", null=True, on_delete=fields.SET_NULL
    )

    building_id: int
    resident_id: int | None

    class Meta:
        table = "building_head"


class BindingStatus(StrEnum):
    PENDING = "pending"  # waiting for the committee or the grid worker
    VERIFIED = "verified"  # matched the register, or confirmed
    REJECTED = "rejected"  # the committee said no
    ENDED = "ended"  # moved out, bound elsewhere, or left the register


class BindingMethod(StrEnum):
    PHONE = "phone"  # the phone matched a member of the home's household
    NAME = "name"  # the name matched a member at that room
    CONFIRMED = "confirmed"  # a committee member or the grid worker confirmed it
    UNCHECKED = "unchecked"  # the community has no register: recorded as said


class Binding(Model):
    """A person's claim to live at a home, and how it was checked. ``Person.home`` is the home in use, a
    second home is a second binding."""

    id = fields.IntField(primary_key=True)
    person: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name="bindings", on_delete=fields.CASCADE
    )
    community: fields.ForeignKeyRelation[Community] = fields.ForeignKeyField(
        "models.Community", related_name="bindings", on_delete=fields.CASCADE
    )
    home: fields.ForeignKeyRelation[Home] = fields.ForeignKeyField(
        "models.Home", related_name="bindings", on_delete=fields.CASCADE
    )
    resident: fields.ForeignKeyNullableRelation[Resident] = fields.ForeignKeyField(
        "models.Resident", related_name="bindings", null=True, on_delete=fields.SET_NULL
    )
    status = fields.CharEnumField(BindingStatus, max_length=12, default=BindingStatus.PENDING, db_index=True)
    method = fields.CharEnumField(BindingMethod, max_length=12, default=BindingMethod.UNCHECKED)
    said_name = fields.CharField(max_length=32, default="")
    said_phone = fields.CharField(max_length=20, default="")
    requested_at = fields.DatetimeField()
    decided_at = fields.DatetimeField(null=True)
    decided_by: fields.ForeignKeyNullableRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name="bindings_decided", null=True, on_delete=fields.SET_NULL
    )
    reason = fields.CharField(max_length=200, default="")
    ended_at = fields.DatetimeField(null=True)

    person_id: int
    community_id: int
    home_id: int
    resident_id: int | None
    decided_by_id: int | None

    class Meta:
        table = "binding"
        indexes = (("community_id", "status"), ("person_id", "status"))


class Visit(Model):
    """走访: a grid worker's visit to a household or a resident, what was found and what follows."""

    id = fields.IntField(primary_key=True)
    community: fields.ForeignKeyRelation[Community] = fields.ForeignKeyField(
        "models.Community", related_name="visits", on_delete=fields.CASCADE
    )
    by: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name="visits", on_delete=fields.CASCADE
    )
    home: fields.ForeignKeyNullableRelation[Home] = fields.ForeignKeyField(
        "models.Home", related_name="visits", null=True, on_delete=fields.SET_NULL
    )
    resident: fields.ForeignKeyNullableRelation[Resident] = fields.ForeignKeyField(
        "models.Resident", related_name="visits", null=True, on_delete=fields.SET_NULL
    )
    whom = fields.CharField(max_length=64, default="", description="as the grid worker wrote it")
    visited_at = fields.DatetimeField()
    found = fields.TextField(default="")
    follow_up = fields.TextField(default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    community_id: int
    by_id: int
    home_id: int | None
    resident_id: int | None

    class Meta:
        table = "visit"
        indexes = (("community_id", "visited_at"),)
