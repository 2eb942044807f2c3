"""Notices (通知公告) and the receipts residents give for them.

Who a notice went to is the outbox itself: one ``Notification`` per resident, whose key names the notice
and the person (``notice:<id>:<person>``) and whose topic names the notice (``notice:<id>``), with what
finally happened to it (sent, failed, unknown). A receipt is a row here.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from tortoise import fields

from storage.base import Model
from storage.models import Community, Person


class NoticeAudience(StrEnum):
    COMMUNITY = "community"  # every bound resident of the community
    BUILDINGS = "buildings"  # residents of some buildings (targets: building numbers)
    GRIDS = "grids"  # residents of the buildings of some grids (targets: grid ids)
    ROLES = "roles"  # holders of some roles: volunteers, 业主, party members (targets: role names)
    CARE = "care"  # residents the register records with a care need (targets: needs, empty for any)


class NoticeStatus(StrEnum):
    SCHEDULED = "scheduled"  # written, to be published at publish_at
    PUBLISHED = "published"  # sent to its audience through the outbox


class Notice(Model):
    """A notice written by the committee or the street office."""

    id = fields.IntField(primary_key=True)
    community: fields.ForeignKeyRelation[Community] = fields.ForeignKeyField(
        "models.Community", related_name="notices", on_delete=fields.CASCADE
    )
    title = fields.CharField(max_length=64)
    text = fields.TextField()
    link = fields.CharField(max_length=500, default="", description="an image or an attachment, as a URL")
    audience = fields.CharEnumField(NoticeAudience, max_length=12, default=NoticeAudience.COMMUNITY)
    targets: Any = fields.JSONField(default=list, description="buildings, grid ids, roles or care needs")
    urgent = fields.BooleanField(default=False, description="sent before everything else waiting")
    public = fields.BooleanField(default=False, description="on the community's public page")
    receipt = fields.BooleanField(default=False, description="residents are asked to reply 1 (收到)")
    receipt_hours = fields.FloatField(
        default=0, description="then the grid workers get who of those with care needs has not confirmed"
    )
    publish_at = fields.DatetimeField(db_index=True)
    status = fields.CharEnumField(NoticeStatus, max_length=12, default=NoticeStatus.SCHEDULED)
    published_at = fields.DatetimeField(null=True)
    recipients = fields.IntField(default=0, description="how many residents it was sent to")
    followed_up_at = fields.DatetimeField(null=True, description="when the grid workers were given the list")
    created_by: fields.ForeignKeyNullableRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name="notices_written", null=True, on_delete=fields.SET_NULL
    )
    source_key = fields.CharField(max_length=128, unique=True, description="one notice per message or key")
    created_at = fields.DatetimeField()

    community_id: int
    created_by_id: int | None

    @property
    def number(self) -> str:
        return number_of(self.id, self.created_at)

    class Meta:
        table = "notice"
        indexes = (("community_id", "status", "published_at"),)


def number_of(notice_id: int, created_at: dt.datetime) -> str:
    """How a notice is named to people: N2611-0007."""
    return f"N{created_at:%y%m}-{notice_id:04d}"


class NoticeFanout(Model):
    """A published notice's audience, still to be turned into outbox rows: the outbox workers take it a
    batch at a time (``handlers.notices.fanout``), the request that published it does not wait for them.
    ``after_person`` is how far it went: the batches go in person id order."""

    id = fields.IntField(primary_key=True)
    notice: fields.OneToOneRelation[Notice] = fields.OneToOneField(
        "models.Notice", related_name="fanout", on_delete=fields.CASCADE
    )
    priority = fields.SmallIntField(description="the outbox's: urgent notices are expanded first")
    after_person = fields.IntField(default=0, description="the last person given a row so far")
    recorded = fields.IntField(default=0, description="outbox rows offered so far")
    batches = fields.IntField(default=0)
    created_at = fields.DatetimeField()
    finished_at = fields.DatetimeField(null=True)

    notice_id: int

    class Meta:
        table = "notice_fanout"
        indexes = (("finished_at", "priority", "id"),)


class NoticeReceipt(Model):
    """A resident said they received a notice (收到, 1)."""

    id = fields.IntField(primary_key=True)
    notice: fields.ForeignKeyRelation[Notice] = fields.ForeignKeyField(
        "models.Notice", related_name="receipts", on_delete=fields.CASCADE
    )
    person: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name="notice_receipts", on_delete=fields.CASCADE
    )
    said = fields.CharField(max_length=16, default="", description="as they said it: 1, 收到, or api")
    confirmed_at = fields.DatetimeField()

    notice_id: int
    person_id: int

    class Meta:
        table = "notice_receipt"
        unique_together = (("notice", "person"),)
