"""The REST side of wishes. Residents post, follow, revise, withdraw and confirm their own; volunteers and
party members read the board, claim, contact, fulfil and read their service record; the committee
reviews, confirms for a resident and exports the record. The board, the public summary and the ranking are
public (居务公开): they carry only what ``board.public_view`` lets out."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from pydantic import BaseModel, Field

import content
from bot.api.community import COMMUNITY_PARAM, committee_of, community_of
from bot.api.core import PAGE_PARAMS, ApiRequest, Binary, Paged, QueryParam, Routes, StrictIn, page_of
from handlers.common.rules import Refusal
from handlers.wishes import board, queries, workflow
from handlers.wishes.queries import Beneficiary, WishStatus
from handlers.wishes.rules import rules
from handlers.wishes.workflow import PostWish, status_label
from storage.pages import PageSlice

routes = Routes(
    "wishes",
    refusals={
        "wishes.not_allowed": 403,
        "wishes.own_wish": 403,
        "wishes.not_your_claim": 403,
        "wishes.no_such_wish": 404,
        "wishes.not_now": 409,
        "wishes.someone_else": 409,
        "wishes.too_many_claims": 409,
    },
)

WISH_PARAM = {"wish_id": {"type": "integer", "minimum": 1}}
CATEGORY_PATTERN = r"^[a-z_]{1,16}$"
ACTIONS = [
    "approve",
    "ask_changes",
    "decline",
    "withdraw",
    "claim",
    "contacted",
    "release",
    "fulfil",
    "confirm",
    "not_done",
]


# -- shapes ------------------------------------------------------------------------------------------
class PublicWishOut(BaseModel):
    id: int
    number: str
    category: str
    category_label: str
    text: str = Field(description="personal data masked")
    shown_as: str = Field(description="the name the resident allowed, or 一位居民")
    for_family: bool
    wanted_by: dt.date | None
    published_at: dt.datetime | None
    priority: bool = Field(description="back on the board after a lapsed claim")
    overdue: bool


class BoardPage(Paged[PublicWishOut]):
    pass


class Contact(BaseModel):
    name: str
    phone: str | None


class ClaimOut(BaseModel):
    claimer: str
    team: str
    claimed_at: dt.datetime
    contact_by: dt.datetime
    contacted_at: dt.datetime | None
    fulfilled_at: dt.datetime | None
    note: str
    hours: float
    members: int


class WishOut(BaseModel):
    id: int
    number: str
    category: str
    category_label: str
    description: str
    public_text: str
    beneficiary: Beneficiary
    relation: str
    wanted_by: dt.date | None
    display_name: str
    flags: list[str]
    status: WishStatus
    status_label: str
    review_note: str
    created_at: dt.datetime
    published_at: dt.datetime | None
    fulfilled_at: dt.datetime | None
    confirmed_at: dt.datetime | None
    rating: int | None
    thanks: str
    claim: ClaimOut | None
    resident: Contact | None = Field(description="for the committee and the active claimer only")
    photos: list[int]


class WishPage(Paged[WishOut]):
    pass


class PostIn(StrictIn):
    description: str = Field(min_length=2, max_length=1000)
    category: str = Field(default="", pattern=r"^([a-z_]{1,16})?$", description="empty: from the words")
    beneficiary: Beneficiary = Beneficiary.SELF
    relation: str = Field(default="", max_length=16)
    wanted_by: dt.date | None = None
    display_name: str = Field(
        default="",
        max_length=16,
        pattern=r"^[^0-9\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$",
        description="how the board names the resident (王女士), no digits; empty: anonymous",
    )
    client_key: str = Field(min_length=8, max_length=64, description="the same key twice posts one wish")


class ReviseIn(StrictIn):
    description: str = Field(min_length=2, max_length=1000)


class WishActionIn(StrictIn):
    note: str = Field(default="", max_length=2000, description="a reason, or what was done (fulfil)")
    public_text: str = Field(default="", max_length=500, description="approve: the committee's edit")
    team: str = Field(default="", max_length=32, description="claim: the group claiming, if any")
    hours: float | None = Field(default=None, ge=0.1, le=24, description="fulfil: how long it took")
    served_by: list[int] = Field(default_factory=list, max_length=50, description="fulfil: people ids")
    rating: int | None = Field(default=None, ge=1, le=5, description="confirm")
    story_consent: bool = Field(default=False, description="confirm: the story may be published")


def wish_out(view: queries.WishView) -> WishOut:
    wish, claim, resident = view.wish, view.claim, view.resident
    return WishOut(
        id=wish.id,
        number=wish.number,
        category=wish.category,
        category_label=rules().label(wish.category),
        description=wish.description,
        public_text=wish.public_text,
        beneficiary=wish.beneficiary,
        relation=wish.relation,
        wanted_by=wish.wanted_by,
        display_name=wish.display_name,
        flags=list(wish.flags or []),
        status=wish.status,
        status_label=status_label(wish.status),
        review_note=wish.review_note,
        created_at=wish.created_at,
        published_at=wish.published_at,
        fulfilled_at=wish.fulfilled_at,
        confirmed_at=wish.confirmed_at,
        rating=wish.rating,
        thanks=wish.thanks,
        claim=ClaimOut.model_validate(claim, from_attributes=True) if claim else None,
        resident=Contact(name=resident.name, phone=resident.phone) if resident else None,
        photos=list(view.photos),
    )


async def wish_page(call: ApiRequest, listed: PageSlice[Any]) -> WishPage:
    """A page of wishes as the caller sees them (built in batch)."""
    views = await queries.wish_views(call.caller, listed.rows)
    return WishPage(items=[wish_out(v) for v in views], **listed.meta)


# -- residents --------------------------------------------------------------------------------------------
@routes.add("GET", "/wishes/mine", summary="My wishes", response=WishPage, query=PAGE_PARAMS)
async def my_wishes(call: ApiRequest) -> WishPage:
    return await wish_page(call, await queries.mine(call.caller, *page_of(call.query)))


@routes.add(
    "POST", "/wishes", summary="Post a wish", response=WishOut, body=PostIn, status=201, errors=(422,)
)
async def post_wish(call: ApiRequest) -> WishOut:
    body: PostIn = call.body
    caller = call.caller
    wish = await workflow.post(
        PostWish(
            resident=caller,
            community=await queries.home_community(caller),
            description=body.description,
            source_key=f"api:{caller.id}:{body.client_key}",
            category=body.category,
            beneficiary=body.beneficiary,
            relation=body.relation,
            wanted_by=body.wanted_by,
            display_name=body.display_name,
        ),
        call.now(),
    )
    [view] = await queries.wish_views(caller, [wish])
    return wish_out(view)


@routes.add(
    "GET",
    "/wishes/{wish_id}",
    summary="One wish (its resident, committee, or claimer)",
    response=WishOut,
    path_params=WISH_PARAM,
    errors=(404,),
)
async def one_wish(call: ApiRequest) -> WishOut:
    return wish_out(await queries.visible(call.caller, call.path["wish_id"]))


@routes.add(
    "PUT",
    "/wishes/{wish_id}",
    summary="Rewrite my wish (before review, or when asked to)",
    response=WishOut,
    body=ReviseIn,
    path_params=WISH_PARAM,
    errors=(403, 404, 409, 422),
)
async def revise(call: ApiRequest) -> WishOut:
    view = await queries.visible(call.caller, call.path["wish_id"])
    await workflow.revise(view.wish.id, call.caller, call.body.description, call.now())
    return wish_out(await queries.visible(call.caller, view.wish.id))


class PhotoOut(BaseModel):
    id: int


@routes.add(
    "POST",
    "/wishes/{wish_id}/photos",
    summary="Add a photo of the service (the claimer)",
    response=PhotoOut,
    upload=True,
    status=201,
    errors=(403, 404),
    path_params=WISH_PARAM,
)
async def add_photo(call: ApiRequest) -> PhotoOut:
    image: Binary = call.body
    await queries.known_to(call.caller, call.path["wish_id"])  # one rule: what you cannot see is not found
    photo_id = await workflow.add_photo(
        call.path["wish_id"], call.caller, call.now(), data=image.data, content_type=image.content_type
    )
    return PhotoOut(id=photo_id)


@routes.add(
    "GET",
    "/wishes/{wish_id}/photos/{photo_id}",
    summary="A photo of the service",
    response=None,
    binary=True,
    errors=(404,),
    path_params={**WISH_PARAM, "photo_id": {"type": "integer", "minimum": 1}},
)
async def wish_photo(call: ApiRequest) -> Binary:
    return await queries.photo(call.caller, call.path["wish_id"], call.path["photo_id"])


# after the fixed paths above: {action} would match them too
@routes.add(
    "POST",
    "/wishes/{wish_id}/{action}",
    summary="Move a wish (review, claim, contact, fulfil, confirm...: who may do what, see the states)",
    response=WishOut,
    body=WishActionIn,
    errors=(403, 404, 409, 422),
    path_params={**WISH_PARAM, "action": {"type": "string", "enum": ACTIONS}},
)
async def act(call: ApiRequest) -> WishOut:
    # one rule with tickets: a wish the caller may not see is not found (404), whether it exists or not;
    # one they see but may not move this way is forbidden (403)
    wish_id = await queries.known_to(call.caller, call.path["wish_id"])
    action: str = call.path["action"]
    body: WishActionIn = call.body
    caller, now = call.caller, call.now()
    if action == "approve":
        await workflow.approve(wish_id, caller, now, public_text=body.public_text)
    elif action == "claim":
        await workflow.claim(wish_id, caller, now, team=body.team)
    elif action == "fulfil":
        if body.hours is None:
            raise Refusal("wishes.hours_range")
        await workflow.fulfil(
            wish_id, caller, now, note=body.note, hours=body.hours, served_by=body.served_by or None
        )
    elif action == "confirm":
        if body.rating is None:
            raise Refusal("wishes.rating_range")
        await workflow.confirm(
            wish_id, caller, now, rating=body.rating, thanks=body.note, story_consent=body.story_consent
        )
    else:
        await workflow.move(wish_id, action, caller, now, note=body.note)
    return wish_out(await queries.visible(caller, wish_id))


# -- the board and the public record ---------------------------------------------------------------------
@routes.add(
    "GET",
    "/communities/{community}/wish-board",
    summary="Open wishes of a community (public)",
    response=BoardPage,
    auth=False,
    path_params=COMMUNITY_PARAM,
    errors=(404,),
    query=[
        *PAGE_PARAMS,
        QueryParam("category", {"type": "string", "pattern": CATEGORY_PATTERN}),
        QueryParam(
            "sort",
            {"type": "string", "enum": ["urgent", "newest"], "default": "urgent"},
            "urgent: back from a lapsed claim, then the most overdue, then the newest",
        ),
    ],
)
async def wish_board(call: ApiRequest) -> BoardPage:
    community = await community_of(call)
    items = await board.board(
        community.id,
        call.now().date(),
        category=call.query.get("category"),
        sort=call.query.get("sort", "urgent"),
    )
    page, per_page = page_of(call.query)
    shown = items[(page - 1) * per_page : page * per_page]
    return BoardPage(
        items=[PublicWishOut(**vars(i)) for i in shown], page=page, per_page=per_page, total=len(items)
    )


class VolunteerOut(BaseModel):
    name: str
    wishes: int = Field(description="wishes fulfilled and confirmed (claims do not count)")
    hours: float
    points: int


class StoryOut(BaseModel):
    number: str
    category_label: str
    text: str
    shown_as: str
    served_by: list[str]
    team: str
    thanks: str
    rating: int | None
    confirmed_on: dt.date | None


class SummaryOut(BaseModel):
    community: str
    received: int
    in_review: int
    on_board: int
    in_progress: int
    fulfilled: int
    declined: int
    withdrawn: int
    average_days_to_fulfil: float | None
    volunteers_served: int
    total_hours: float
    volunteers: list[VolunteerOut]
    stories: list[StoryOut] = Field(description="only those the resident let us publish")


@routes.add(
    "GET",
    "/communities/{community}/wishes/summary",
    summary="The public record of a community's wishes (居务公开)",
    response=SummaryOut,
    auth=False,
    path_params=COMMUNITY_PARAM,
    errors=(404,),
)
async def wish_summary(call: ApiRequest) -> SummaryOut:
    community = await community_of(call)
    found = await board.summary(community.id)
    return SummaryOut(
        community=community.name,
        received=found.received,
        in_review=found.in_review,
        on_board=found.on_board,
        in_progress=found.in_progress,
        fulfilled=found.fulfilled,
        declined=found.declined,
        withdrawn=found.withdrawn,
        average_days_to_fulfil=found.average_days_to_fulfil,
        volunteers_served=len(found.volunteers),
        total_hours=found.total_hours,
        volunteers=[_volunteer(v) for v in found.volunteers[:20]],
        stories=[StoryOut(**vars(s)) for s in found.stories],
    )


def _volunteer(total: board.VolunteerTotal) -> VolunteerOut:
    return VolunteerOut(name=total.name, wishes=total.wishes, hours=total.hours, points=total.points)


class RankingOut(BaseModel):
    items: list[VolunteerOut]


@routes.add(
    "GET",
    "/communities/{community}/volunteers/ranking",
    summary="Volunteers by wishes fulfilled (public)",
    response=RankingOut,
    auth=False,
    path_params=COMMUNITY_PARAM,
    errors=(404,),
)
async def ranking(call: ApiRequest) -> RankingOut:
    community = await community_of(call)
    return RankingOut(items=[_volunteer(v) for v in (await board.ranking(community.id))[:50]])


# -- volunteers ----------------------------------------------------------------------------------------
class RecordOut(BaseModel):
    id: int
    volunteer: str
    team: str
    wish_number: str = Field(description="the wish served; empty for an activity")
    activity_number: str = Field(description="the volunteer activity attended; empty for a wish")
    activity: str
    served_on: dt.date
    hours: float
    points: int
    confirmed_as: str = Field(
        description="resident, committee (for a resident), or checkin (staff at the activity's venue)"
    )


class LedgerOut(BaseModel):
    wishes: int
    activities: int = Field(description="volunteer activities attended")
    hours: float
    points: int
    items: list[RecordOut]


@routes.add("GET", "/me/service-records", summary="My service record", response=LedgerOut)
async def my_records(call: ApiRequest) -> LedgerOut:
    ledger = await board.ledger_of(call.caller.id)
    return LedgerOut(
        wishes=ledger.wishes,
        activities=ledger.activities,
        hours=ledger.hours,
        points=ledger.points,
        items=[RecordOut(**vars(r)) for r in ledger.records],
    )


@routes.add("GET", "/me/claims", summary="Wishes I claimed", response=WishPage, query=PAGE_PARAMS)
async def my_claims(call: ApiRequest) -> WishPage:
    return await wish_page(call, await queries.claimed_by(call.caller, *page_of(call.query)))


# -- the committee ---------------------------------------------------------------------------------------
@routes.add(
    "GET",
    "/communities/{community}/wishes",
    summary="A community's wishes, every state (committee)",
    response=WishPage,
    path_params=COMMUNITY_PARAM,
    errors=(403, 404),
    query=[
        *PAGE_PARAMS,
        QueryParam("status", {"type": "string", "enum": [s.value for s in WishStatus]}),
        QueryParam("category", {"type": "string", "pattern": CATEGORY_PATTERN}),
    ],
)
async def community_wishes(call: ApiRequest) -> WishPage:
    community = await committee_of(call)
    listed = await queries.of_community(
        community,
        *page_of(call.query),
        status=call.query.get("status"),
        category=call.query.get("category"),
    )
    return await wish_page(call, listed)


class RecordPage(Paged[RecordOut]):
    pass


@routes.add(
    "GET",
    "/communities/{community}/service-records",
    summary="The community's service record (committee)",
    response=RecordPage,
    path_params=COMMUNITY_PARAM,
    errors=(403, 404),
    query=PAGE_PARAMS,
)
async def community_records(call: ApiRequest) -> RecordPage:
    community = await committee_of(call)
    records, meta = await board.records_of(community, *page_of(call.query))
    return RecordPage(items=[RecordOut(**vars(r)) for r in records], **meta)


@routes.add(
    "GET",
    "/communities/{community}/service-records.csv",
    summary="Export the community's service record as CSV (committee)",
    response=None,
    binary=True,
    binary_types=("text/csv",),
    path_params=COMMUNITY_PARAM,
    errors=(403, 404),
)
async def export_records(call: ApiRequest) -> Binary:
    community = await committee_of(call)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(content.load_yaml("wishes.yaml")["export_header"])
    for row in await board.all_records_of(community):
        confirmed_as = content.text(f"wishes.confirmed_as.{row.confirmed_as}")
        writer.writerow(
            [
                row.id,
                row.volunteer,
                row.team,
                row.wish_number or row.activity_number,
                row.activity,
                row.served_on.isoformat(),
                f"{row.hours:g}",
                row.points,
                confirmed_as,
            ]
        )
    # with a BOM, so that Excel opens the Chinese text as UTF-8
    return Binary(("\ufeff" + out.getvalue()).encode("utf-8"), "text/csv")
