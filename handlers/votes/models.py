"""Consultations, each voter's (or household's) vote slot, the append-only ballot log, comments, proposals."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields

from storage.base import Model
from storage.models import Community, Person


class Per(StrEnum):
    PERSON = "person"  # one vote per resident
    HOUSEHOLD = "household"  # one vote per home (户代表)


class Who(StrEnum):
    RESIDENTS = "residents"  # every bound resident, registered or not
    OWNERS = "owners"  # residents the committee has recorded as owners (业主)


class PassRule(StrEnum):
    """What an option needs of the ballots cast to pass, as Chinese rules are written."""

    MAJORITY = "majority"  # 过半数: more than half
    TWO_THIRDS = "two_thirds"  # 三分之二以上: two thirds or more
    THREE_QUARTERS = "three_quarters"  # 四分之三以上: three quarters or more
    PLURALITY = "plurality"  # 得票最多: the most votes, alone at the top


class ConsultationStatus(StrEnum):
    OPEN = "open"  # accepting ballots between opens_at and closes_at
    CLOSED = "closed"  # counted and published
    CANCELLED = "cancelled"


class Consultation(Model):
    id = fields.IntField(primary_key=True)
    community: fields.ForeignKeyRelation[Community] = fields.ForeignKeyField(
        "models.Community", related_name="consultations", on_delete=fields.CASCADE
    )
    title = fields.CharField(max_length=64)
    background = fields.TextField(default="")
    options: Any = fields.JSONField(description="the option labels, in order")
    max_choices = fields.IntField(default=1, description="1: single choice")
    buildings: Any = fields.JSONField(default=list, description="building numbers, empty for the community")
    who = fields.CharEnumField(Who, max_length=10, default=Who.RESIDENTS)
    per = fields.CharEnumField(Per, max_length=10, default=Per.PERSON)
    opens_at = fields.DatetimeField()
    closes_at = fields.DatetimeField()
    quorum = fields.FloatField(default=0.0, description="share of the eligible who must take part")
    rule = fields.CharEnumField(PassRule, max_length=16, default=PassRule.MAJORITY)
    approve_option = fields.IntField(null=True, description="the option meaning yes, none to choose a plan")
    status = fields.CharEnumField(ConsultationStatus, max_length=10, default=ConsultationStatus.OPEN)
    status_note = fields.TextField(default="", description="the reason of the last extension or the cancel")
    created_by: fields.ForeignKeyNullableRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name="consultations_created", null=True, on_delete=fields.SET_NULL
    )
    proposal_id = fields.IntField(null=True, description="the resident proposal it came from")
    created_at = fields.DatetimeField()
    closed_at = fields.DatetimeField(null=True)
    reminded_at = fields.DatetimeField(null=True, description="when those yet to vote were reminded")
    result: Any = fields.JSONField(null=True, description="the published result, written once at the close")

    community_id: int
    created_by_id: int | None

    class Meta:
        table = "consultation"
        indexes = (("community_id", "status"),)

    @property
    def number(self) -> str:
        return f"V{self.created_at:%y%m}-{self.id:03d}"


VOID = "void:"  # a voided slot's key prefix: its household key is free again, its ballots stay in the log


class VoteSlot(Model):
    """The one vote a person (or a household) has in a consultation, held by whoever cast it first. Its
    uniqueness is what makes a second vote from the same household impossible, however many members try
    at once."""

    id = fields.IntField(primary_key=True)
    consultation: fields.ForeignKeyRelation[Consultation] = fields.ForeignKeyField(
        "models.Consultation", related_name="slots", on_delete=fields.CASCADE
    )
    key = fields.CharField(max_length=24, description="p:<person id> or h:<home id>")
    holder: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name="vote_slots", on_delete=fields.CASCADE
    )
    created_at = fields.DatetimeField()

    consultation_id: int
    holder_id: int

    class Meta:
        table = "vote_slot"
        unique_together = (("consultation", "key"),)


class Ballot(Model):
    """The append-only log. A ballot is never changed: a changed vote is a newer ballot of the same slot,
    and the newest of each slot is the one counted."""

    id = fields.IntField(primary_key=True)
    consultation: fields.ForeignKeyRelation[Consultation] = fields.ForeignKeyField(
        "models.Consultation", related_name="ballots", on_delete=fields.CASCADE
    )
    slot: fields.ForeignKeyRelation[VoteSlot] = fields.ForeignKeyField(
        "models.VoteSlot", related_name="ballots", on_delete=fields.CASCADE
    )
    voter: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name="ballots", on_delete=fields.CASCADE
    )
    proxy_by: fields.ForeignKeyNullableRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name="proxy_ballots", null=True, on_delete=fields.SET_NULL
    )
    choices: Any = fields.JSONField(description="option indexes, 0-based, ascending")
    source_key = fields.CharField(max_length=128, unique=True, description="the message or request, once")
    cast_at = fields.DatetimeField()
    review = fields.BooleanField(
        default=False, description="a proxy ballot for someone no register vouches for: the committee checks"
    )

    consultation_id: int
    slot_id: int
    voter_id: int
    proxy_by_id: int | None

    class Meta:
        table = "ballot"


class Comment(Model):
    """A resident's opinion on a consultation, published at the close without a name."""

    id = fields.IntField(primary_key=True)
    consultation: fields.ForeignKeyRelation[Consultation] = fields.ForeignKeyField(
        "models.Consultation", related_name="comments", on_delete=fields.CASCADE
    )
    person: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name="consultation_comments", on_delete=fields.CASCADE
    )
    text = fields.TextField()
    created_at = fields.DatetimeField()

    consultation_id: int
    person_id: int

    class Meta:
        table = "consultation_comment"


class Proposal(Model):
    """A topic a resident suggests ("我建议..."), which the committee may turn into a consultation."""

    id = fields.IntField(primary_key=True)
    community: fields.ForeignKeyRelation[Community] = fields.ForeignKeyField(
        "models.Community", related_name="proposals", on_delete=fields.CASCADE
    )
    person: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name="proposals", on_delete=fields.CASCADE
    )
    text = fields.TextField()
    status = fields.CharField(max_length=12, default="new", description="new, adopted or dismissed")
    source_key = fields.CharField(max_length=128, unique=True)
    created_at = fields.DatetimeField()

    community_id: int
    person_id: int

    class Meta:
        table = "proposal"

    @property
    def number(self) -> str:
        return f"P{self.created_at:%y%m}-{self.id:03d}"
