"""Every read of notices the chat and the API need, in views built in batch: the notices a resident may
read, one notice, the staff's list with its delivery figures, who a notice reached and who confirmed it,
the public page. A list is a constant number of SQL statements whatever its length.

The edges (``dialog.py``, ``committee_dialog.py``, ``api.py``) import no models: the enums they need are
re-exported here.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from tortoise.functions import Count

import content
from handlers.common import formats
from handlers.common.rules import Refusal
from handlers.notices import audience
from handlers.notices.audience import Target
from handlers.notices.models import (
    Notice,
    NoticeAudience,
    NoticeFanout,
    NoticeReceipt,
    NoticeStatus,
    number_of,
)
from handlers.register.models import Care, Grid
from storage.models import OVERSEERS, Building, Community, Notification, NotificationStatus, Person
from storage.pages import PageSlice, page_slice
from storage.roles import roles_of

__all__ = ["Care", "NoticeAudience", "NoticeStatus", "NotificationStatus"]

RECENT = 10  # notices a resident's list shows
LOOK_BACK = 60  # of the community's newest notices, those looked at for a resident's list
RECEIPT_OPEN = dt.timedelta(days=3)  # a receipt is taken this long after a notice was published
# the roles a notice may be addressed to (the chat's numbered choice and the console's boxes)
ROLE_CHOICES = ["volunteer", "party_member", "owner", "grid_worker", "property_staff"]


@dataclass(frozen=True)
class NoticeView:
    id: int
    number: str
    community_id: int
    title: str
    text: str
    link: str
    audience: NoticeAudience
    targets: tuple[Any, ...]
    urgent: bool
    public: bool
    receipt: bool
    receipt_hours: float
    publish_at: dt.datetime
    status: NoticeStatus
    published_at: dt.datetime | None
    recipients: int
    created_at: dt.datetime

    @property
    def target(self) -> Target:
        return Target(self.community_id, self.audience, self.targets)

    @property
    def topic(self) -> str:
        return topic_of(self.id)


def topic_of(notice_id: int) -> str:
    """The outbox topic of a notice's notifications."""
    return f"notice:{notice_id}"


def key_of(notice_id: int, person_id: int) -> str:
    """The outbox key of a notice's notification to one person."""
    return f"notice:{notice_id}:{person_id}"


def view_of(n: Notice) -> NoticeView:
    return NoticeView(
        id=n.id,
        number=number_of(n.id, n.created_at),
        community_id=n.community_id,
        title=n.title,
        text=n.text,
        link=n.link,
        audience=NoticeAudience(n.audience),
        targets=tuple(n.targets),
        urgent=n.urgent,
        public=n.public,
        receipt=n.receipt,
        receipt_hours=n.receipt_hours,
        publish_at=n.publish_at,
        status=NoticeStatus(n.status),
        published_at=n.published_at,
        recipients=n.recipients,
        created_at=n.created_at,
    )


# -- formatting ------------------------------------------------------------------------------------------
def heading(n: NoticeView) -> str:
    """【紧急】停水通知, or the title alone."""
    return content.text("notices.urgent_mark") + n.title if n.urgent else n.title


def when(n: NoticeView) -> str:
    return formats.day(n.published_at.date() if n.published_at else n.publish_at.date(), weekday=False)


def describe_audience(n: NoticeView | Target, grid_names: dict[int, str] | None = None) -> str:
    """全社区, 3栋、5栋, 第一网格, 志愿者、业主, 重点关怀居民（独居老人）."""
    target = n.target if isinstance(n, NoticeView) else n
    kind, wanted = target.audience, target.targets
    if kind is NoticeAudience.COMMUNITY:
        return content.text("notices.audience.community")
    if kind is NoticeAudience.BUILDINGS:
        return "、".join(f"{w}栋" for w in wanted)
    if kind is NoticeAudience.GRIDS:
        names = grid_names or {}
        return "、".join(names.get(int(w), str(w)) for w in wanted)
    if kind is NoticeAudience.ROLES:
        return "、".join(role_label(str(w)) for w in wanted)
    needs = "、".join(care_label(str(w)) for w in wanted)
    cared = content.text("notices.audience.care")
    return f"{cared}（{needs}）" if needs else cared


def role_label(role: str) -> str:
    found = content.load_yaml("roles.yaml").get(role)
    return str(found["label"]) if found else role


def care_label(need: str) -> str:
    key = f"grids.care.{need}"
    return content.text(key) if key in content.messages() else need


# -- one notice, and who may read it ------------------------------------------------------------------
async def find(notice_id: int) -> NoticeView | None:
    n = await Notice.get_or_none(id=notice_id)
    return view_of(n) if n is not None else None


async def notice(notice_id: int) -> NoticeView:
    """The notice; Refusal (not found) when there is none."""
    found = await find(notice_id)
    if found is None:
        raise Refusal("notices.no_such_notice")
    return found


async def may_write(person: Person, community_id: int | None) -> bool:
    """The committee or the street office of the community write its notices and see their receipts."""
    return community_id is not None and bool(await roles_of(person, community_id) & OVERSEERS)


async def for_staff(person: Person, notice_id: int) -> NoticeView:
    """The notice, when the person writes its community's notices; Refusal otherwise."""
    n = await notice(notice_id)
    if not await may_write(person, n.community_id):
        raise Refusal("notices.staff_only")
    return n


async def readable(person: Person, notice_id: int) -> NoticeView:
    """The notice, when the person may read it (it was sent to them or is for where they live, or they
    write the community's notices); Refusal (not found) otherwise: a notice of others is never named."""
    n = await notice(notice_id)
    if await may_write(person, n.community_id):
        return n
    if n.status is NoticeStatus.PUBLISHED and (
        (await audience.reader(person)).reads(n.target)
        or await Notification.exists(key=key_of(n.id, person.id))
    ):
        return n
    raise Refusal("notices.no_such_notice")


@dataclass(frozen=True)
class ForReader:
    """A notice in a resident's list, and whether it waits for their receipt."""

    notice: NoticeView
    awaiting_receipt: bool


async def for_reader(person: Person, now: dt.datetime, limit: int = RECENT) -> list[ForReader]:
    """The published notices the person may read, newest first: seven statements at most."""
    if person.community_id is None:
        return []
    candidates = [
        view_of(n)
        for n in await Notice.filter(community_id=person.community_id, status=NoticeStatus.PUBLISHED)
        .order_by("-published_at", "-id")
        .limit(LOOK_BACK)
    ]
    if not candidates:
        return []
    profile = await audience.reader(person)
    sent = await _sent_to(person, candidates)
    mine = [n for n in candidates if n.id in sent or profile.reads(n.target)][:limit]
    waiting = await _awaiting(person, [n for n in mine if n.id in sent], now)
    return [ForReader(n, n.id in waiting) for n in mine]


async def _sent_to(person: Person, notices: Sequence[NoticeView]) -> set[int]:
    """Which of ``notices`` were sent to the person: one statement."""
    keys = {key_of(n.id, person.id): n.id for n in notices}
    found = await Notification.filter(key__in=list(keys)).values_list("key", flat=True)
    return {keys[str(k)] for k in found}


async def _awaiting(person: Person, sent: Sequence[NoticeView], now: dt.datetime) -> set[int]:
    """Of notices sent to the person, those asking for a receipt they have not given yet (while it is
    taken): one statement."""
    asking = [
        n.id
        for n in sent
        if n.receipt and n.published_at is not None and now - n.published_at <= RECEIPT_OPEN
    ]
    if not asking:
        return set()
    given: list[Any] = await NoticeReceipt.filter(person=person, notice_id__in=asking).values_list(
        "notice_id", flat=True
    )
    return set(asking) - {int(i) for i in given}


async def awaiting_receipt(person: Person, now: dt.datetime) -> list[NoticeView]:
    """The notices sent to the person that ask for a receipt they have not given yet, newest first:
    three statements."""
    asking = [
        view_of(n)
        for n in await Notice.filter(
            receipt=True, status=NoticeStatus.PUBLISHED, published_at__gte=now - RECEIPT_OPEN
        ).order_by("-published_at", "-id")
    ]
    if not asking:
        return []
    sent = await _sent_to(person, asking)
    waiting = await _awaiting(person, [n for n in asking if n.id in sent], now)
    return [n for n in asking if n.id in waiting]


# -- for staff -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Figures:
    """What became of a notice's sending: per delivery status, and how many confirmed."""

    by_status: dict[str, int]
    confirmed: int
    sent_by: dict[str, int] = field(default_factory=dict)  # of the sent ones, per channel: custom, template
    queued: int = 0  # not in the outbox yet: the workers are still fanning the notice out

    @property
    def custom(self) -> int:
        """Sent as a customer-service message (the resident wrote in the last 48 hours)."""
        return self.sent_by.get("custom", 0)

    @property
    def template(self) -> int:
        """Sent as a template message."""
        return self.sent_by.get("template", 0)

    @property
    def recorded(self) -> int:
        """Outbox rows so far (fewer than the recipients while the workers are still fanning out)."""
        return sum(self.by_status.values())

    @property
    def delivered(self) -> int:
        return self.by_status.get(NotificationStatus.SENT.value, 0)

    @property
    def waiting(self) -> int:
        """Not sent yet: waiting in the outbox, or not in it yet."""
        waiting = (NotificationStatus.PENDING, NotificationStatus.SENDING)
        return self.queued + sum(self.by_status.get(s.value, 0) for s in waiting)

    @property
    def not_delivered(self) -> int:
        gone = (NotificationStatus.FAILED, NotificationStatus.UNDELIVERABLE)
        return sum(self.by_status.get(s.value, 0) for s in gone)

    @property
    def unknown(self) -> int:
        return self.by_status.get(NotificationStatus.UNKNOWN.value, 0)


async def figures(notice_ids: Sequence[int]) -> dict[int, Figures]:
    """The delivery figures of several notices: three statements (counted in the database, not row by row:
    a notice to 50,000 residents has 50,000 outbox rows)."""
    if not notice_ids:
        return {}
    topics = {topic_of(i): i for i in notice_ids}
    rows = (
        await Notification.filter(topic__in=list(topics))
        .annotate(count=Count("id"))
        .group_by("topic", "status", "channel")
        .values_list("topic", "status", "channel", "count")
    )
    counted: dict[int, Counter[str]] = {i: Counter() for i in notice_ids}
    channels: dict[int, Counter[str]] = {i: Counter() for i in notice_ids}
    for topic, status, channel, count in rows:
        notice_id = topics[str(topic)]
        counted[notice_id][str(status)] += int(count)
        if str(status) == NotificationStatus.SENT.value:
            channels[notice_id][str(channel)] += int(count)
    receipts = (
        await NoticeReceipt.filter(notice_id__in=list(notice_ids))
        .annotate(count=Count("id"))
        .group_by("notice_id")
        .values_list("notice_id", "count")
    )
    confirmed = {int(i): int(n) for i, n in receipts}
    fanning = await NoticeFanout.filter(notice_id__in=list(notice_ids), finished_at=None).values_list(
        "notice_id", "recorded", "notice__recipients"
    )
    queued = {int(i): max(0, int(total) - int(done)) for i, done, total in fanning}
    return {
        i: Figures(dict(counted[i]), confirmed.get(i, 0), dict(channels[i]), queued.get(i, 0))
        for i in notice_ids
    }


async def staff_page(community: Community, page: int, per_page: int) -> PageSlice[NoticeView]:
    """A community's notices for its staff, scheduled ones included, newest first: two statements."""
    listed = await page_slice(Notice.filter(community=community), page, per_page, "-publish_at", "-id")
    return PageSlice([view_of(n) for n in listed.rows], **listed.meta)


async def all_for_staff(community: Community) -> list[NoticeView]:
    """Every notice of the community, newest first (the console's export): one statement."""
    rows = await Notice.filter(community=community).order_by("-publish_at", "-id")
    return [view_of(n) for n in rows]


async def recent_for_staff(community_id: int, limit: int = 5) -> list[NoticeView]:
    rows = await Notice.filter(community_id=community_id).order_by("-publish_at", "-id").limit(limit)
    return [view_of(n) for n in rows]


async def public_page(community: Community, page: int, per_page: int) -> PageSlice[NoticeView]:
    """The community's public notices, newest first: two statements."""
    query = Notice.filter(community=community, public=True, status=NoticeStatus.PUBLISHED)
    listed = await page_slice(query, page, per_page, "-published_at", "-id")
    return PageSlice([view_of(n) for n in listed.rows], **listed.meta)


async def grids(community_id: int | None) -> list[tuple[int, str]]:
    """The community's grids (id, name), for choosing an audience."""
    if community_id is None:
        return []
    rows = await Grid.filter(community_id=community_id).order_by("code")
    return [(g.id, g.name or g.code) for g in rows]


async def buildings(community_id: int) -> list[tuple[int, str]]:
    """The community's buildings (number, label), for choosing an audience."""
    rows = await Building.filter(community_id=community_id).order_by("number").values_list("number", "name")
    return [(int(number), str(name or f"{number}栋")) for number, name in rows]


async def grid_names(community_id: int) -> dict[int, str]:
    return dict(await grids(community_id))


async def audience_size(target: Target) -> int:
    return len(await audience.recipients(target))


async def community_name(community_id: int) -> str:
    name = await Community.filter(id=community_id).first().values_list("name", flat=True)
    return str(name or "")
