"""What the figures are, as the overview page, the monthly report, 居务公开 and the API render them.

Every figure of a staff overview carries in ``links`` (keyed by the figure's own field name) the list its
rows are in and the filter that shows them: a rate links to its numerator's rows, a median to the rows it
is the median of. The public variant has no links, no names and no breakdown by handler or building.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

ListName = Literal["tickets", "wishes", "service_records", "consultations", "staff_messages"]


class Link(BaseModel):
    """The rows behind a figure: a list of a community (or of every community of the street office, when
    ``community`` is None) with these query parameters (for tickets: ``handlers.repairs.filters``)."""

    list: ListName
    community: str | None = Field(description="the community's code; none: every one of the street office")
    params: dict[str, str]


Links = dict[str, Link]


class TicketFigures(BaseModel):
    """Tickets received in the period (whatever became of them), and how they were dealt with so far."""

    received: int
    done: int = Field(description="办结: resolved or closed")
    done_rate: float | None = Field(description="办结率: done / received")
    responded: int = Field(description="a handler answered: accepted, rejected or marked a duplicate")
    responded_on_time: int = Field(description="answered at or before its time to respond")
    response_rate: float | None = Field(description="响应及时率: responded on time / responded")
    on_time: int = Field(description="done, resolved at or before its promised time")
    on_time_rate: float | None = Field(description="按时办结率: on time / done")
    rated: int
    average_rating: float | None = Field(description="满意度: the mean of the stars given (1-5)")
    satisfied: int = Field(description="rated 4 or 5")
    satisfied_share: float | None = Field(description="满意率: satisfied / rated")
    reopened: int = Field(description="reopened at least once by the reporter (没修好)")
    ever_resolved: int = Field(description="resolved at least once (done now, or reopened since)")
    reopen_rate: float | None = Field(description="返修率: reopened / ever resolved")
    median_hours_to_resolve: float | None = Field(description="from received to (last) resolved, of done")
    overdue_open: int = Field(description="of these, open and overdue now")
    links: Links = Field(default_factory=dict)


class TicketRow(BaseModel):
    """One line of a breakdown: its key as the tickets list's filter takes it (``none``: without one)."""

    key: str
    label: str
    community: str | None = Field(default=None, description="the community it is of (a street office's)")
    figures: TicketFigures


class TicketSection(BaseModel):
    total: TicketFigures
    overdue_backlog: int = Field(description="open and overdue now, whenever received")
    links: Links = Field(default_factory=dict, description="overdue_backlog's")
    by_category: list[TicketRow]
    by_month: list[TicketRow]
    by_grid: list[TicketRow]
    by_building: list[TicketRow] = Field(default_factory=list, description="staff only")
    by_handler: list[TicketRow] = Field(default_factory=list, description="staff only")


class WishFigures(BaseModel):
    """微心愿 posted in the period, and how many of those were fulfilled (confirmed) so far."""

    received: int
    fulfilled: int = Field(description="confirmed by the resident or the committee")
    fulfilled_rate: float | None
    average_days_to_fulfil: float | None = Field(description="from posted to done, of the fulfilled")
    links: Links = Field(default_factory=dict)


class VolunteerFigures(BaseModel):
    """志愿服务: the service record's entries of services done in the period."""

    volunteers: int = Field(description="people who served")
    services: int = Field(description="entries in the service record")
    hours: float
    links: Links = Field(default_factory=dict)


class VolunteerRow(BaseModel):
    name: str
    services: int
    hours: float


class ConsultationFigures(BaseModel):
    """议事协商: consultations closed (counted) in the period, with their published turnout."""

    closed: int
    eligible: int = Field(description="voters (or households) the consultations were open to, summed")
    turnout: int = Field(description="of them, those who took part, summed")
    turnout_share: float | None = Field(description="参与率: turnout / eligible")
    links: Links = Field(default_factory=dict)


class ConsultationRow(BaseModel):
    number: str
    title: str
    community: str
    closed_at: dt.datetime
    eligible: int
    turnout: int
    turnout_share: float | None
    passed: bool


class MessageFigures(BaseModel):
    """人工: residents' messages for a person left in the period."""

    received: int
    answered: int
    answered_share: float | None
    waiting: int = Field(description="of them, not answered yet")
    median_hours_to_answer: float | None = Field(description="of the answered")
    links: Links = Field(default_factory=dict)


class Figures(BaseModel):
    """One community's (or a whole street office's) headline figures."""

    tickets: TicketFigures
    overdue_backlog: int = Field(description="tickets open and overdue now, whenever received")
    links: Links = Field(default_factory=dict, description="overdue_backlog's")
    wishes: WishFigures
    volunteers: VolunteerFigures
    consultations: ConsultationFigures
    messages: MessageFigures


class CommunityFigures(Figures):
    community: str
    name: str


class Scope(BaseModel):
    kind: Literal["community", "street"]
    code: str
    name: str


class PeriodOut(BaseModel):
    start: dt.date
    end: dt.date = Field(description="the day after the last")


class Overview(BaseModel):
    scope: Scope
    period: PeriodOut
    at: dt.datetime = Field(description="when counted (what 'now' is for overdue)")
    total: Figures
    communities: list[CommunityFigures] = Field(description="a street office's: each of its communities")
    tickets: TicketSection
    volunteers: list[VolunteerRow] = Field(default_factory=list, description="staff only: most hours first")
    consultations: list[ConsultationRow]
