"""Wishes, their claims and history, photos, and the volunteers' service record (志愿服务记录)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields

from storage.base import Model
from storage.models import Community, Person


class WishStatus(StrEnum):
    SUBMITTED = "submitted"  # waiting for the committee's review
    CHANGES = "changes"  # the committee asked the resident to change it
    DECLINED = "declined"
    OPEN = "open"  # on the board
    CLAIMED = "claimed"
    FULFILLED = "fulfilled"  # the volunteer says done; the resident is asked to confirm
    CONFIRMED = "confirmed"
    WITHDRAWN = "withdrawn"


class ClaimStatus(StrEnum):
    ACTIVE = "active"
    LAPSED = "lapsed"  # nobody contacted the resident in time
    RELEASED = "released"  # the claimer gave it back
    ENDED = "ended"  # the wish was withdrawn while claimed
    DONE = "done"  # fulfilled and confirmed


class Beneficiary(StrEnum):
    SELF = "self"
    FAMILY = "family"


class Wish(Model):
    id = fields.IntField(primary_key=True)
    community: fields.ForeignKeyRelation[Community] = fields.ForeignKeyField(
        "models.Community", related_name="wishes", on_delete=fields.CASCADE
    )
    resident: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name="wishes", on_delete=fields.CASCADE
    )
    category = fields.CharField(max_length=16, description="content/wishes.yaml key")
    description = fields.TextField(description="as the resident wrote it: never shown on the board")
    public_text = fields.TextField(description="what the board shows: personal data masked, edited by review")
    beneficiary = fields.CharEnumField(Beneficiary, max_length=8, default=Beneficiary.SELF)
    relation = fields.CharField(max_length=16, default="", description="the family member, as said")
    wanted_by = fields.DateField(null=True)
    display_name = fields.CharField(max_length=16, default="", description="empty: anonymous on the board")
    flags: Any = fields.JSONField(default=list, description="personal data kinds and sensitive words found")
    status = fields.CharEnumField(WishStatus, max_length=12, default=WishStatus.SUBMITTED, db_index=True)
    priority = fields.BooleanField(default=False, description="back on the board after a lapsed claim")
    review_note = fields.TextField(default="")
    source_key = fields.CharField(max_length=128, unique=True, description="the message that filed it, once")
    created_at = fields.DatetimeField()
    published_at = fields.DatetimeField(null=True)
    fulfilled_at = fields.DatetimeField(null=True)
    confirmed_at = fields.DatetimeField(null=True)
    confirm_reminded = fields.BooleanField(default=False)
    rating = fields.IntField(null=True)
    thanks = fields.TextField(default="")
    story_consent = fields.BooleanField(default=False, description="the resident lets the story be published")

    community_id: int
    resident_id: int

    class Meta:
        table = "wish"
        indexes = (("community_id", "status", "category"), ("community_id", "created_at"))

    @property
    def number(self) -> str:
        return f"W{self.created_at:%y%m}-{self.id:04d}"


class WishClaim(Model):
    """One claim of a wish by a volunteer or party member, alone or for a group (a party branch, a team).
    At most one is active per wish: the wish's own conditional update from open to claimed decides."""

    id = fields.IntField(primary_key=True)
    wish: fields.ForeignKeyRelation[Wish] = fields.ForeignKeyField(
        "models.Wish", related_name="claims", on_delete=fields.CASCADE
    )
    claimer: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name="wish_claims", on_delete=fields.CASCADE
    )
    team = fields.CharField(max_length=32, default="", description="the group claiming, if any")
    status = fields.CharEnumField(ClaimStatus, max_length=10, default=ClaimStatus.ACTIVE, db_index=True)
    claimed_at = fields.DatetimeField()
    contact_by = fields.DatetimeField()
    contacted_at = fields.DatetimeField(null=True)
    reminders = fields.IntField(default=0)
    fulfilled_at = fields.DatetimeField(null=True)
    note = fields.TextField(default="", description="what was done, in the claimer's words")
    hours = fields.FloatField(default=0)
    served_by: Any = fields.JSONField(default=list, description="ids of the people who served (group claims)")
    ended_at = fields.DatetimeField(null=True)

    wish_id: int
    claimer_id: int

    class Meta:
        table = "wish_claim"


class WishEvent(Model):
    id = fields.IntField(primary_key=True)
    wish: fields.ForeignKeyRelation[Wish] = fields.ForeignKeyField(
        "models.Wish", related_name="events", on_delete=fields.CASCADE
    )
    actor: fields.ForeignKeyNullableRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name="wish_events", null=True, on_delete=fields.SET_NULL
    )
    action = fields.CharField(max_length=16)
    from_status = fields.CharField(max_length=12, default="")
    to_status = fields.CharField(max_length=12, default="")
    note = fields.TextField(default="")
    created_at = fields.DatetimeField()

    wish_id: int
    actor_id: int | None

    class Meta:
        table = "wish_event"


class WishPhoto(Model):
    """The volunteer's photo of the service done."""

    id = fields.IntField(primary_key=True)
    wish: fields.ForeignKeyRelation[Wish] = fields.ForeignKeyField(
        "models.Wish", related_name="photos", on_delete=fields.CASCADE
    )
    media_id = fields.CharField(max_length=128, default="")
    content_type = fields.CharField(max_length=64, default="")
    data = fields.BinaryField(null=True)
    created_at = fields.DatetimeField()

    wish_id: int

    class Meta:
        table = "wish_photo"


class ServiceRecord(Model):
    """志愿服务记录: who served, what, when, how long, the points, and who confirmed it. Written once per
    person who served when a wish is confirmed, or when a volunteer is checked in at a volunteer activity
    (handlers/activities); never changed afterwards."""

    id = fields.IntField(primary_key=True)
    community: fields.ForeignKeyRelation[Community] = fields.ForeignKeyField(
        "models.Community", related_name="service_records", on_delete=fields.CASCADE
    )
    volunteer: fields.ForeignKeyNullableRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name="service_records", null=True, on_delete=fields.SET_NULL
    )
    volunteer_name = fields.CharField(max_length=32, description="kept as it was when served")
    team = fields.CharField(max_length=32, default="")
    wish: fields.ForeignKeyNullableRelation[Wish] = fields.ForeignKeyField(
        "models.Wish", related_name="service_records", null=True, on_delete=fields.CASCADE
    )
    activity_ref = fields.IntField(null=True, description="the community activity attended, when not a wish")
    reference = fields.CharField(max_length=16, default="", description="the wish's or activity's number")
    activity = fields.CharField(max_length=128)
    served_on = fields.DateField()
    hours = fields.FloatField()
    points = fields.IntField()
    confirmed_by: fields.ForeignKeyNullableRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name="confirmed_services", null=True, on_delete=fields.SET_NULL
    )
    confirmed_as = fields.CharField(max_length=16, description="resident, committee or checkin")
    created_at = fields.DatetimeField()

    community_id: int
    volunteer_id: int | None
    wish_id: int | None
    confirmed_by_id: int | None

    class Meta:
        table = "service_record"
        unique_together = (("wish", "volunteer"), ("activity_ref", "volunteer"))
        indexes = (("community_id", "served_on"),)
