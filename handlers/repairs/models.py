"""Tickets: a repair, a complaint or a dispute, its history, photos and followers."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields

from storage.base import Model
from storage.models import Building, Community, Person

if TYPE_CHECKING:
    from handlers.register.models import Resident


class TicketStatus(StrEnum):
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    CLOSED = "closed"
    REOPENED = "reopened"
    REJECTED = "rejected"
    DUPLICATE = "duplicate"
    CANCELLED = "cancelled"


OPEN_STATUSES = (
    TicketStatus.SUBMITTED,
    TicketStatus.ACCEPTED,
    TicketStatus.IN_PROGRESS,
    TicketStatus.REOPENED,
)


class Ticket(Model):
    id = fields.IntField(primary_key=True)
    community: fields.ForeignKeyRelation[Community] = fields.ForeignKeyField(
        "models.Community", related_name="tickets", on_delete=fields.CASCADE
    )
    reporter: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name="tickets", on_delete=fields.CASCADE
    )
    kind = fields.CharField(max_length=16, description="repair, complaint or dispute")
    category = fields.CharField(max_length=32, description="content/repair_categories.yaml key")
    description = fields.TextField()
    building: fields.ForeignKeyNullableRelation[Building] = fields.ForeignKeyField(
        "models.Building", related_name="tickets", null=True, on_delete=fields.SET_NULL
    )
    unit = fields.IntField(default=0)
    place = fields.CharField(max_length=128, default="", description="where, as the resident said it")
    latitude = fields.FloatField(null=True)
    longitude = fields.FloatField(null=True)
    status = fields.CharEnumField(TicketStatus, max_length=16, default=TicketStatus.SUBMITTED, db_index=True)
    handler_role = fields.CharField(max_length=20, description="the role whose pool it is in")
    assignee: fields.ForeignKeyNullableRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name="assigned_tickets", null=True, on_delete=fields.SET_NULL
    )
    source_key = fields.CharField(max_length=128, unique=True, description="the message that filed it, once")
    created_at = fields.DatetimeField()
    respond_by = fields.DatetimeField()
    resolve_by = fields.DatetimeField()
    accepted_at = fields.DatetimeField(null=True)
    resolved_at = fields.DatetimeField(null=True)
    closed_at = fields.DatetimeField(null=True)
    escalated_at = fields.DatetimeField(null=True)
    street_escalated_at = fields.DatetimeField(null=True, description="overdue past the committee: 街道 told")
    filed_for = fields.CharField(
        max_length=64, default="", description="whom a grid worker filed it for (a resident without a phone)"
    )
    filed_for_resident: fields.ForeignKeyNullableRelation[Resident] = fields.ForeignKeyField(
        "models.Resident", related_name="tickets_filed_for", null=True, on_delete=fields.SET_NULL
    )
    urged_at = fields.DatetimeField(null=True)
    rating = fields.IntField(null=True)
    rating_comment = fields.TextField(default="")
    reopen_count = fields.IntField(default=0)
    outcome_note = fields.TextField(default="", description="what the resident is told on resolve or reject")

    community_id: int
    reporter_id: int
    building_id: int | None
    assignee_id: int | None
    filed_for_resident_id: int | None

    class Meta:
        table = "ticket"
        # the second: a period's tickets of a community or a street office (handlers.figures)
        indexes = (("community_id", "status", "category"), ("community_id", "created_at"))

    @property
    def number(self) -> str:
        return f"R{self.created_at:%y%m}-{self.id:04d}"


class TicketEvent(Model):
    """Every change: who, when, from what to what, and a note."""

    id = fields.IntField(primary_key=True)
    ticket: fields.ForeignKeyRelation[Ticket] = fields.ForeignKeyField(
        "models.Ticket", related_name="events", on_delete=fields.CASCADE
    )
    actor: fields.ForeignKeyNullableRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name="ticket_events", null=True, on_delete=fields.SET_NULL
    )
    action = fields.CharField(max_length=24)
    from_status = fields.CharField(max_length=16, default="")
    to_status = fields.CharField(max_length=16, default="")
    note = fields.TextField(default="")
    created_at = fields.DatetimeField()

    ticket_id: int
    actor_id: int | None

    class Meta:
        table = "ticket_event"


class TicketPhoto(Model):
    """A photo kept with its ticket (WeChat's temporary media expire after 3 days)."""

    id = fields.IntField(primary_key=True)
    ticket: fields.ForeignKeyRelation[Ticket] = fields.ForeignKeyField(
        "models.Ticket", related_name="photos", on_delete=fields.CASCADE
    )
    media_id = fields.CharField(max_length=128, default="")
    content_type = fields.CharField(max_length=64, default="")
    data = fields.BinaryField(null=True)
    by_staff = fields.BooleanField(default=False)
    created_at = fields.DatetimeField()

    ticket_id: int

    class Meta:
        table = "ticket_photo"


class TicketFollower(Model):
    """A neighbour who reported the same problem follows this ticket instead of filing another."""

    id = fields.IntField(primary_key=True)
    ticket: fields.ForeignKeyRelation[Ticket] = fields.ForeignKeyField(
        "models.Ticket", related_name="followers", on_delete=fields.CASCADE
    )
    person: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name="followed_tickets", on_delete=fields.CASCADE
    )

    ticket_id: int
    person_id: int

    class Meta:
        table = "ticket_follower"
        unique_together = (("ticket", "person"),)
