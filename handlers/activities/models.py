"""Community activities (活动报名): what staff organise, and each person's sign-up (confirmed or on the
waiting list, with the short code shown at the venue to check in)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields

from storage.base import Model
from storage.models import Community, Person


class Audience(StrEnum):
    RESIDENTS = "residents"  # every resident of the community (and its volunteers)
    VOLUNTEERS = "volunteers"  # volunteers and party members
    PARTY_MEMBERS = "party_members"
    BUILDINGS = "buildings"  # residents of the buildings listed


class ActivityStatus(StrEnum):
    OPEN = "open"  # announced: sign-ups until the deadline, check-in at the venue
    CANCELLED = "cancelled"


class SignupStatus(StrEnum):
    CONFIRMED = "confirmed"  # has a place
    WAITING = "waiting"  # on the waiting list (候补), moves up when someone cancels
    CANCELLED = "cancelled"


class Activity(Model):
    id = fields.IntField(primary_key=True)
    community: fields.ForeignKeyRelation[Community] = fields.ForeignKeyField(
        "models.Community", related_name="activities", on_delete=fields.CASCADE
    )
    title = fields.CharField(max_length=64)
    description = fields.TextField(default="")
    place = fields.CharField(max_length=128)
    starts_at = fields.DatetimeField(db_index=True)
    ends_at = fields.DatetimeField()
    capacity = fields.IntField(description="places, the waiting list beyond")
    audience = fields.CharEnumField(Audience, max_length=16, default=Audience.RESIDENTS)
    buildings: Any = fields.JSONField(default=list, description="building numbers, for a buildings audience")
    signup_deadline = fields.DatetimeField()
    volunteer_service = fields.BooleanField(default=False, description="attendance enters the service record")
    hours = fields.FloatField(default=0, description="service hours of an attendance")
    points = fields.IntField(default=0, description="service points of an attendance")
    status = fields.CharEnumField(ActivityStatus, max_length=10, default=ActivityStatus.OPEN)
    status_note = fields.TextField(default="", description="why it was cancelled")
    created_by: fields.ForeignKeyNullableRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name="activities_created", null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField()
    reminded_at = fields.DatetimeField(null=True, description="when those signed up were reminded")

    community_id: int
    created_by_id: int | None

    class Meta:
        table = "activity"
        indexes = (("community_id", "status", "starts_at"),)

    @property
    def number(self) -> str:
        return f"A{self.created_at:%y%m}-{self.id:03d}"


class Signup(Model):
    """One person's sign-up. Whether it has a place is decided with the activity's row locked, so that
    however many sign up at once exactly ``capacity`` are confirmed and the rest wait in order."""

    id = fields.IntField(primary_key=True)
    activity: fields.ForeignKeyRelation[Activity] = fields.ForeignKeyField(
        "models.Activity", related_name="signups", on_delete=fields.CASCADE
    )
    person: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name="activity_signups", on_delete=fields.CASCADE
    )
    status = fields.CharEnumField(SignupStatus, max_length=10)
    code = fields.CharField(max_length=8, description="shown or said at the venue to check in")
    queued_at = fields.DatetimeField(description="signed up (again): the waiting list's order")
    confirmed_at = fields.DatetimeField(null=True)
    cancelled_at = fields.DatetimeField(null=True)
    attended_at = fields.DatetimeField(null=True)
    checked_in_by: fields.ForeignKeyNullableRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name="activity_checkins", null=True, on_delete=fields.SET_NULL
    )

    activity_id: int
    person_id: int
    checked_in_by_id: int | None

    class Meta:
        table = "activity_signup"
        unique_together = (("activity", "person"), ("activity", "code"))
