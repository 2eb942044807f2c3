"""Satisfaction surveys (满意度测评, 民主评议): the survey and its questions, each taker's (or household's)
one slot, and the answers (kept apart from who gave them when the survey is anonymous)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields

from handlers.votes.models import Per, Who
from storage.base import Model
from storage.models import Community, Person

__all__ = ["Per", "QuestionKind", "Survey", "SurveyResponse", "SurveySlot", "SurveyStatus", "Who"]


class QuestionKind(StrEnum):
    RATING = "rating"  # 1 to 5, 5 the most satisfied
    SINGLE = "single"  # one option
    MULTIPLE = "multiple"  # one or more options
    TEXT = "text"  # free text, may be left empty


class SurveyStatus(StrEnum):
    OPEN = "open"  # answered between opens_at and closes_at, results sealed
    CLOSED = "closed"  # counted and published
    CANCELLED = "cancelled"


class Survey(Model):
    id = fields.IntField(primary_key=True)
    community: fields.ForeignKeyRelation[Community] = fields.ForeignKeyField(
        "models.Community", related_name="surveys", on_delete=fields.CASCADE
    )
    title = fields.CharField(max_length=64)
    intro = fields.TextField(default="")
    questions: Any = fields.JSONField(description="[{kind, text, options, topic}], in order")
    buildings: Any = fields.JSONField(default=list, description="building numbers, empty for the community")
    who = fields.CharEnumField(Who, max_length=10, default=Who.RESIDENTS)
    per = fields.CharEnumField(Per, max_length=10, default=Per.PERSON)
    anonymous = fields.BooleanField(default=True, description="answers are kept apart from who gave them")
    opens_at = fields.DatetimeField()
    closes_at = fields.DatetimeField(db_index=True)
    status = fields.CharEnumField(SurveyStatus, max_length=10, default=SurveyStatus.OPEN)
    standing_key = fields.CharField(
        max_length=48, null=True, unique=True, description="quarterly:2026Q4:<community> for the standing one"
    )
    created_by: fields.ForeignKeyNullableRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name="surveys_created", null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField()
    closed_at = fields.DatetimeField(null=True)
    result: Any = fields.JSONField(null=True, description="the published result, written once at the close")

    community_id: int
    created_by_id: int | None

    class Meta:
        table = "survey"
        indexes = (("community_id", "status"),)

    @property
    def number(self) -> str:
        return f"S{self.created_at:%y%m}-{self.id:03d}"


class SurveySlot(Model):
    """The one answer a person (or a household) has in a survey, held by whoever answered first: its
    uniqueness refuses a second answer from one household however many members try at once."""

    id = fields.IntField(primary_key=True)
    survey: fields.ForeignKeyRelation[Survey] = fields.ForeignKeyField(
        "models.Survey", related_name="slots", on_delete=fields.CASCADE
    )
    key = fields.CharField(max_length=24, description="p:<person id>, hh:<household id> or h:<home id>")
    holder: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name="survey_slots", on_delete=fields.CASCADE
    )
    source_key = fields.CharField(max_length=128, description="the message or request that answered")
    created_at = fields.DatetimeField()

    survey_id: int
    holder_id: int

    class Meta:
        table = "survey_slot"
        unique_together = (("survey", "key"),)


class SurveyResponse(Model):
    """One set of answers, in the order of the questions. Of an anonymous survey neither the person nor
    the slot is recorded with it, and only the day it came (nothing to match against the slots' times)."""

    id = fields.IntField(primary_key=True)
    survey: fields.ForeignKeyRelation[Survey] = fields.ForeignKeyField(
        "models.Survey", related_name="responses", on_delete=fields.CASCADE
    )
    person: fields.ForeignKeyNullableRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name="survey_responses", null=True, on_delete=fields.SET_NULL
    )
    answers: Any = fields.JSONField(description="per question: 1-5, an option index, indexes, or text")
    submitted_on = fields.DateField()

    survey_id: int
    person_id: int | None

    class Meta:
        table = "survey_response"
