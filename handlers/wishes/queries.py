"""The read side of wishes for the chat and the API (the public board, the public record and the service
record are in ``board``): who may see a wish and its resident's contact, the lists, and their views.

Who may see what is decided here once, for chat and API alike: a wish is seen by its resident, its
community's committee and its active claimer; the resident's name and phone only by the committee and
the active claimer. Views are built in batch: a list of N wishes is a constant number of statements
(one query per related table), whatever N.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import content
from bot.api.core import Binary
from handlers.common.photos import kept_photo
from handlers.common.requests import RequestItem
from handlers.common.rules import Refusal
from handlers.wishes.models import Beneficiary, ClaimStatus, Wish, WishClaim, WishPhoto, WishStatus
from handlers.wishes.workflow import MOVES, status_label
from storage.models import Community, Person, Role, RoleName
from storage.pages import PageSlice, page_slice

__all__ = [
    "Beneficiary",
    "ClaimView",
    "ContactView",
    "WishStatus",
    "WishView",
    "active_claims",
    "awaiting_confirmation",
    "claimed_by",
    "holds_claim",
    "home_community",
    "latest_of",
    "mine",
    "of_community",
    "photo",
    "requests_of",
    "review_queue",
    "revisable",
    "visible",
    "wish_views",
    "withdrawable",
]


@dataclass(frozen=True)
class ContactView:
    name: str
    phone: str | None


@dataclass(frozen=True)
class ClaimView:
    claimer_id: int
    claimer: str  # the claimer's name, or 一位志愿者
    team: str
    active: bool
    claimed_at: dt.datetime
    contact_by: dt.datetime
    contacted_at: dt.datetime | None
    fulfilled_at: dt.datetime | None
    note: str
    hours: float
    members: int


@dataclass(frozen=True)
class WishView:
    wish: Wish
    claim: ClaimView | None  # the active claim, else the latest
    resident: ContactView | None  # for the committee and the active claimer only
    photos: tuple[int, ...]  # the photos kept (downloaded), oldest first


# -- who may see what ----------------------------------------------------------------------------------
async def _committee_of(person: Person) -> set[int]:
    """The communities whose committee the person sits on."""
    query = Role.filter(person_id=person.id, role=RoleName.COMMITTEE)
    return {int(row["community_id"]) for row in await query.values("community_id")}


def _sees_contact(viewer: Person, committee_of: set[int], wish: Wish, active: WishClaim | None) -> bool:
    return wish.community_id in committee_of or (active is not None and active.claimer_id == viewer.id)


def _sees(viewer: Person, committee_of: set[int], wish: Wish, active: WishClaim | None) -> bool:
    return wish.resident_id == viewer.id or _sees_contact(viewer, committee_of, wish, active)


async def wish_views(viewer: Person, wishes: Sequence[Wish]) -> list[WishView]:
    """The wishes as ``viewer`` sees them, in their order: four statements whatever their number."""
    if not wishes:
        return []
    ids = [w.id for w in wishes]
    committee_of = await _committee_of(viewer)
    claims: dict[int, list[WishClaim]] = {}
    for row in await WishClaim.filter(wish_id__in=ids).order_by("id"):
        claims.setdefault(row.wish_id, []).append(row)
    photos: dict[int, list[int]] = {}
    for photo_id, wish_id in (
        await WishPhoto.filter(wish_id__in=ids).exclude(data=None).order_by("id").values_list("id", "wish_id")
    ):
        photos.setdefault(int(wish_id), []).append(int(photo_id))
    shown = [_shown_claim(claims.get(w.id, [])) for w in wishes]
    wanted = {c.claimer_id for c in shown if c is not None}
    wanted |= {
        w.resident_id
        for w, c in zip(wishes, shown, strict=True)
        if _sees_contact(viewer, committee_of, w, _active(c))
    }
    people = {p.id: p for p in await Person.filter(id__in=wanted)} if wanted else {}
    views = []
    for wish, claim in zip(wishes, shown, strict=True):
        resident = people.get(wish.resident_id)
        contact = _sees_contact(viewer, committee_of, wish, _active(claim)) and resident is not None
        views.append(
            WishView(
                wish=wish,
                claim=_claim_view(claim, people.get(claim.claimer_id)) if claim else None,
                resident=ContactView(resident.name, resident.phone) if contact and resident else None,
                photos=tuple(photos.get(wish.id, ())),
            )
        )
    return views


def _shown_claim(rows: list[WishClaim]) -> WishClaim | None:
    """The active claim, else the latest (rows in id order)."""
    active = [r for r in rows if r.status == ClaimStatus.ACTIVE]
    return active[0] if active else (rows[-1] if rows else None)


def _active(claim: WishClaim | None) -> WishClaim | None:
    return claim if claim is not None and claim.status == ClaimStatus.ACTIVE else None


def _claim_view(claim: WishClaim, claimer: Person | None) -> ClaimView:
    return ClaimView(
        claimer_id=claim.claimer_id,
        claimer=(claimer.name if claimer else "") or content.text("wishes.a_volunteer"),
        team=claim.team,
        active=claim.status == ClaimStatus.ACTIVE,
        claimed_at=claim.claimed_at,
        contact_by=claim.contact_by,
        contacted_at=claim.contacted_at,
        fulfilled_at=claim.fulfilled_at,
        note=claim.note,
        hours=claim.hours,
        members=len(claim.served_by or [claim.claimer_id]),
    )


async def visible(viewer: Person, wish_id: int) -> WishView:
    """One wish as ``viewer`` sees it; refused as not found when the viewer may not see it."""
    wish = await Wish.get_or_none(id=wish_id)
    if wish is None:
        raise Refusal("wishes.no_such_wish")
    active = await WishClaim.get_or_none(wish_id=wish.id, status=ClaimStatus.ACTIVE)
    if not _sees(viewer, await _committee_of(viewer), wish, active):
        raise Refusal("wishes.no_such_wish")
    [view] = await wish_views(viewer, [wish])
    return view


PUBLISHED = frozenset({WishStatus.OPEN, WishStatus.CLAIMED, WishStatus.FULFILLED, WishStatus.CONFIRMED})


async def known_to(viewer: Person, wish_id: int) -> int:
    """The wish's id when ``viewer`` may know it exists: their own, their community committee's, the one
    they hold a claim on, or one that has been on the public board; otherwise refused as not found,
    exactly like a number nobody has (so that 403 against 404 gives nothing away)."""
    wish = await Wish.get_or_none(id=wish_id)
    if wish is None:
        raise Refusal("wishes.no_such_wish")
    if wish.status in PUBLISHED:  # it was on the board: a late claim hears "someone was first", not 404
        return wish.id
    active = await WishClaim.get_or_none(wish_id=wish.id, status=ClaimStatus.ACTIVE)
    if not _sees(viewer, await _committee_of(viewer), wish, active):
        raise Refusal("wishes.no_such_wish")
    return wish.id


async def photo(viewer: Person, wish_id: int, photo_id: int) -> Binary:
    """A kept photo of a wish the viewer may see."""
    view = await visible(viewer, wish_id)
    return await kept_photo(WishPhoto, photo_id, wish=view.wish)


# -- lists -------------------------------------------------------------------------------------------------
async def mine(person: Person, page: int, per_page: int) -> PageSlice[Wish]:
    return await page_slice(Wish.filter(resident_id=person.id), page, per_page, "-created_at", "-id")


async def claimed_by(person: Person, page: int, per_page: int) -> PageSlice[Wish]:
    """The wishes the person ever claimed."""
    ids = await WishClaim.filter(claimer_id=person.id).values_list("wish_id", flat=True)
    return await page_slice(Wish.filter(id__in=list(ids)), page, per_page, "-created_at", "-id")


async def of_community(
    community: Community, page: int, per_page: int, *, status: str | None = None, category: str | None = None
) -> PageSlice[Wish]:
    query = Wish.filter(community_id=community.id)
    if status:
        query = query.filter(status=status)
    if category:
        query = query.filter(category=category)
    return await page_slice(query, page, per_page, "created_at", "id")


async def latest_of(person: Person, limit: int = 5) -> list[Wish]:
    return await Wish.filter(resident_id=person.id).order_by("-created_at", "-id").limit(limit)


async def requests_of(person: Person, limit: int) -> tuple[int, list[RequestItem]]:
    """The person's wishes for "my requests", newest first."""
    query = Wish.filter(resident_id=person.id)
    rows = await query.order_by("-created_at", "-id").limit(limit)
    return await query.count(), [
        RequestItem(
            "wish", w.id, w.number, w.description, w.status.value, status_label(w.status), w.created_at
        )
        for w in rows
    ]


async def _latest(person: Person, statuses: Iterable[WishStatus], wish_id: int | None = None) -> Wish | None:
    query = Wish.filter(resident_id=person.id, status__in=list(statuses))
    if wish_id is not None:
        query = query.filter(id=wish_id)
    return await query.order_by("-created_at", "-id").first()


async def withdrawable(person: Person, wish_id: int | None = None) -> Wish | None:
    """The person's wish ``wish_id`` (else their latest) that may still be withdrawn."""
    return await _latest(person, MOVES["withdraw"].frm, wish_id)


async def revisable(person: Person) -> Wish | None:
    """The person's latest wish still in review or sent back for changes."""
    return await _latest(person, MOVES["revise"].frm)


async def awaiting_confirmation(person: Person) -> Wish | None:
    """The person's latest wish a volunteer says is done."""
    return (
        await Wish.filter(resident_id=person.id, status=WishStatus.FULFILLED)
        .order_by("-fulfilled_at", "-id")
        .first()
    )


async def holds_claim(person: Person, wish_id: int) -> bool:
    """Whether the person holds the active claim of the wish."""
    return await WishClaim.filter(wish_id=wish_id, status=ClaimStatus.ACTIVE, claimer_id=person.id).exists()


async def active_claims(person: Person) -> list[WishClaim]:
    """The person's active claims, their wishes read with them."""
    return (
        await WishClaim.filter(claimer_id=person.id, status=ClaimStatus.ACTIVE)
        .order_by("id")
        .prefetch_related("wish")
    )


async def review_queue(person: Person) -> list[Wish]:
    """The wishes waiting for review in the community whose committee the person sits on."""
    if person.community_id is None or person.community_id not in await _committee_of(person):
        raise Refusal("wishes.committee_only")
    return await Wish.filter(community_id=person.community_id, status=WishStatus.SUBMITTED).order_by(
        "created_at", "id"
    )


async def home_community(person: Person) -> Community:
    """The community of the person's bound home (a wish is posted there)."""
    if person.community_id is None or person.home_id is None:
        raise Refusal("residents.bind_first")
    return await Community.get(id=person.community_id)
