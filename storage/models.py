"""Tortoise models shared by every feature: communities, buildings, homes, people and their roles.

Feature slices add their own tables in their own ``models.py`` (found through ``handlers.FEATURES``).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields

from storage.base import Model


class RoleName(StrEnum):
    RESIDENT = "resident"
    VOLUNTEER = "volunteer"
    PARTY_MEMBER = "party_member"
    COMMITTEE = "committee"
    GRID_WORKER = "grid_worker"
    PROPERTY_STAFF = "property_staff"
    MEDIATOR = "mediator"
    OWNER = "owner"  # 业主, as the committee has recorded (for consultations open to owners only)
    STREET_OFFICE = "street_office"  # 街道: held in every community of its street office


STAFF_ROLES = frozenset(
    {
        RoleName.COMMITTEE,
        RoleName.GRID_WORKER,
        RoleName.PROPERTY_STAFF,
        RoleName.MEDIATOR,
        RoleName.STREET_OFFICE,
    }
)


# the committee and the street office: see and act on everything of their communities (tickets, bindings,
# the register, grids)
OVERSEERS = frozenset({RoleName.COMMITTEE, RoleName.STREET_OFFICE})


class CommunityKind(StrEnum):
    URBAN = "urban"  # 社区: buildings, units, rooms
    RURAL = "rural"  # 村: groups (组) and house numbers (3组15号)


class StreetOffice(Model):
    """街道 (or 乡镇): the level above communities, its staff see and act across its communities."""

    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=32, unique=True)
    name = fields.CharField(max_length=64)
    district = fields.CharField(max_length=64, default="")
    phone = fields.CharField(max_length=32, default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "street_office"


class Community(Model):
    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=32, unique=True, description="short slug for QR scenes, CLI and URLs")
    name = fields.CharField(max_length=64)
    district = fields.CharField(max_length=64, default="")
    phone = fields.CharField(max_length=32, default="")
    street_office: fields.ForeignKeyNullableRelation[StreetOffice] = fields.ForeignKeyField(
        "models.StreetOffice", related_name="communities", null=True, on_delete=fields.SET_NULL
    )
    kind = fields.CharEnumField(CommunityKind, max_length=8, default=CommunityKind.URBAN)
    office = fields.CharField(max_length=128, default="", description="where the office is (党群服务中心...)")
    hours = fields.CharField(max_length=128, default="", description="office hours as written to residents")
    register_at = fields.DatetimeField(
        null=True, description="when its household register was first imported: from then on it is in force"
    )
    # what needs a home verified against the register (in force only once the community has a register)
    verify_household_votes = fields.BooleanField(default=True, description="one vote per household")
    verify_owner_votes = fields.BooleanField(default=True, description="consultations for owners (业主) only")
    verify_wishes = fields.BooleanField(default=False, description="making a micro-wish")
    created_at = fields.DatetimeField(auto_now_add=True)

    street_office_id: int | None

    class Meta:
        table = "community"


class Building(Model):
    id = fields.IntField(primary_key=True)
    community: fields.ForeignKeyRelation[Community] = fields.ForeignKeyField(
        "models.Community", related_name="buildings", on_delete=fields.CASCADE
    )
    number = fields.IntField()
    units = fields.IntField(default=1, description="number of 单元, 0 when the building has none")
    name = fields.CharField(
        max_length=16,
        default="",
        description="its name when it is not '{number}栋': A座 (lettered), 3组 (a village)",
    )

    community_id: int

    @property
    def label(self) -> str:
        """How it is written to residents: 3栋, A座, 3组."""
        return self.name or f"{self.number}栋"

    @property
    def letter(self) -> str | None:
        """A lettered building's letter (A座: A)."""
        first = self.name[:1].upper()
        return first if first.isascii() and first.isalpha() else None

    @property
    def is_group(self) -> bool:
        """A village's group (组) rather than a building."""
        return self.name.endswith("组")

    class Meta:
        table = "building"
        unique_together = (("community", "number"),)


class Home(Model):
    id = fields.IntField(primary_key=True)
    community: fields.ForeignKeyRelation[Community] = fields.ForeignKeyField(
        "models.Community", related_name="homes", on_delete=fields.CASCADE
    )
    building: fields.ForeignKeyRelation[Building] = fields.ForeignKeyField(
        "models.Building", related_name="homes", on_delete=fields.CASCADE
    )
    unit = fields.IntField(default=0, description="0 when the building has no units")
    room = fields.CharField(max_length=8)

    community_id: int
    building_id: int

    class Meta:
        table = "home"
        unique_together = (("building", "unit", "room"),)


class Person(Model):
    id = fields.IntField(primary_key=True)
    openid = fields.CharField(
        max_length=64, unique=True, null=True, description="Official Account openid (none: mini-program only)"
    )
    mp_openid = fields.CharField(max_length=64, unique=True, null=True, description="mini-program openid")
    unionid = fields.CharField(max_length=64, null=True, db_index=True)
    name = fields.CharField(max_length=32, default="")
    phone = fields.CharField(max_length=20, null=True)
    community: fields.ForeignKeyNullableRelation[Community] = fields.ForeignKeyField(
        "models.Community", related_name="people", null=True, on_delete=fields.SET_NULL
    )
    home: fields.ForeignKeyNullableRelation[Home] = fields.ForeignKeyField(
        "models.Home", related_name="people", null=True, on_delete=fields.SET_NULL
    )
    phone_verified_at = fields.DatetimeField(
        null=True, description="when WeChat itself confirmed the phone (the mini-program's getPhoneNumber)"
    )
    following = fields.BooleanField(default=True)
    last_message_at = fields.DatetimeField(null=True, description="opens WeChat's 48-hour service window")
    created_at = fields.DatetimeField(auto_now_add=True)

    community_id: int | None
    home_id: int | None

    class Meta:
        table = "person"


class Role(Model):
    id = fields.IntField(primary_key=True)
    person: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name="roles", on_delete=fields.CASCADE
    )
    community: fields.ForeignKeyRelation[Community] = fields.ForeignKeyField(
        "models.Community", related_name="roles", on_delete=fields.CASCADE
    )
    role = fields.CharEnumField(RoleName, max_length=20)
    granted_by: fields.ForeignKeyNullableRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name="granted_roles", null=True, on_delete=fields.SET_NULL
    )
    granted_at = fields.DatetimeField(auto_now_add=True)

    person_id: int
    community_id: int
    granted_by_id: int | None

    class Meta:
        table = "role"
        unique_together = (("person", "community", "role"),)


class PhoneGrant(Model):
    """A role granted to a phone number before its holder has written to the account (``staff grant
    --phone``): it becomes a role when that phone is verified by WeChat in the mini-program, or with the
    invite code issued beside it in the chat."""

    id = fields.IntField(primary_key=True)
    phone = fields.CharField(max_length=20, db_index=True)
    name = fields.CharField(max_length=32, default="")
    community: fields.ForeignKeyRelation[Community] = fields.ForeignKeyField(
        "models.Community", related_name="phone_grants", on_delete=fields.CASCADE
    )
    role = fields.CharEnumField(RoleName, max_length=20)
    invite: fields.ForeignKeyNullableRelation[InviteCode] = fields.ForeignKeyField(
        "models.InviteCode", related_name="phone_grants", null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField(auto_now_add=True)
    claimed_by: fields.ForeignKeyNullableRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name="phone_grants", null=True, on_delete=fields.SET_NULL
    )
    claimed_at = fields.DatetimeField(null=True)

    community_id: int
    invite_id: int | None
    claimed_by_id: int | None

    class Meta:
        table = "phone_grant"
        unique_together = (("phone", "community", "role"),)


class InviteCode(Model):
    """A one-time code a committee member hands to a new staff member or volunteer."""

    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=12, unique=True)
    community: fields.ForeignKeyRelation[Community] = fields.ForeignKeyField(
        "models.Community", related_name="invites", on_delete=fields.CASCADE
    )
    role = fields.CharEnumField(RoleName, max_length=20)
    created_by: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name="invites_created", on_delete=fields.CASCADE
    )
    expires_at = fields.DatetimeField()
    used_by: fields.ForeignKeyNullableRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name="invites_used", null=True, on_delete=fields.SET_NULL
    )
    used_at = fields.DatetimeField(null=True)

    community_id: int
    created_by_id: int
    used_by_id: int | None

    class Meta:
        table = "invite_code"


class StaffMessage(Model):
    """A resident's message for a person (人工): kept until a staff member answers it."""

    id = fields.IntField(primary_key=True)
    person: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name="staff_messages", on_delete=fields.CASCADE
    )
    community: fields.ForeignKeyNullableRelation[Community] = fields.ForeignKeyField(
        "models.Community", related_name="staff_messages", null=True, on_delete=fields.SET_NULL
    )
    text = fields.TextField()
    status = fields.CharField(max_length=16, default="open")
    answer = fields.TextField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    answered_at = fields.DatetimeField(null=True)

    person_id: int
    community_id: int | None

    class Meta:
        table = "staff_message"
        indexes = (("community_id", "created_at"),)


class NotificationStatus(StrEnum):
    PENDING = "pending"  # waiting for its (next) attempt
    SENDING = "sending"  # claimed by a worker
    SENT = "sent"
    FAILED = "failed"  # gave up after the retries
    UNDELIVERABLE = "undeliverable"  # WeChat refused for good (unfollowed, no template configured...)
    UNKNOWN = "unknown"  # a worker died while sending: not sent again, so never twice


class Notification(Model):
    """The outbox, delivered by ``bot.outbox``, written in the same transaction as the change it tells of.

    Delivery: a customer-service message within WeChat's 48-hour window, a template message after it.
    """

    id = fields.IntField(primary_key=True)
    person: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name="notifications", on_delete=fields.CASCADE
    )
    key = fields.CharField(max_length=128, unique=True, description="the same notification is recorded once")
    text = fields.TextField(description="the customer-service message")
    template = fields.CharField(max_length=64, default="", description="content/notifications.yaml key")
    template_data: Any = fields.JSONField(default=dict)
    status = fields.CharEnumField(NotificationStatus, max_length=16, default=NotificationStatus.PENDING)
    priority = fields.SmallIntField(
        default=5,
        db_default=5,  # the rows of before, too
        description="lower goes first: 0 urgent notices, 5 everything else, 9 routine notices",
    )
    topic = fields.CharField(
        max_length=64,
        default="",
        db_default="",
        description="what a mass sending belongs to (notice:12)",
    )
    channel = fields.CharField(max_length=16, default="", description="custom or template, once sent")
    attempts = fields.IntField(default=0)
    next_attempt_at = fields.DatetimeField(db_index=True)
    # pending: reserved by a worker until then (``storage.outbox.reserve``). sending: its claim ends then
    locked_until = fields.DatetimeField(null=True)
    worker = fields.CharField(
        max_length=32, default="", db_default="", description="the worker that reserved or claimed it last"
    )
    last_error = fields.TextField(default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    sent_at = fields.DatetimeField(null=True)

    person_id: int

    class Meta:
        table = "notification"
        indexes = (("status", "priority", "next_attempt_at"), ("topic",))


class AuditEntry(Model):
    """A staff action in the console (and its sign-ins): who, what, on what, when and from where."""

    id = fields.IntField(primary_key=True)
    person: fields.ForeignKeyNullableRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name="audit_entries", null=True, on_delete=fields.SET_NULL
    )
    community: fields.ForeignKeyNullableRelation[Community] = fields.ForeignKeyField(
        "models.Community", related_name="audit_entries", null=True, on_delete=fields.SET_NULL
    )
    action = fields.CharField(max_length=48, description="the page's name: tickets.accept, signin.qr ...")
    target = fields.CharField(max_length=64, default="", description="what it acted on: R2611-0012 ...")
    outcome = fields.CharField(max_length=16, default="ok", description="ok, refused or forbidden")
    detail = fields.CharField(max_length=255, default="", description="a short note: the refusal key ...")
    address = fields.CharField(max_length=64, default="", description="the client's address")
    at = fields.DatetimeField(db_index=True)

    person_id: int | None
    community_id: int | None

    class Meta:
        table = "audit_entry"
        indexes = (("community_id", "at"),)
