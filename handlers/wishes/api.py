"""The REST side of wishes. Residents post, follow, revise, withdraw and confirm their own; volunteers and
party members read the board, claim, contact, fulfil and read their service record; the committee
reviews, confirms for a resident and exports the record. The board, the public summary and the ranking are
public (居务公开): they carry only what ``board.public_view`` lets out."""

from __future__ import annotations

import csv
import datetime as dt
import io

from pydantic import BaseModel, Field

import content
from bot.api.community import COMMUNITY_PARAM, committee_of
from bot.api.core import (
    PAGE_PARAMS,
    ApiError,
    ApiRequest,
    Binary,
    QueryParam,
    Routes,
    StrictIn,
    page_of,
    paginate,
    refused,
)
from handlers.common.photos import kept_photo
from handlers.common.rules import Refusal
from handlers.wishes import board, workflow
from handlers.wishes.models import Beneficiary, ServiceRecord, Wish, WishClaim, WishPhoto, WishStatus
from handlers.wishes.rules import rules
from handlers.wishes.workflow import PostWish, status_label
from storage.models import Community, Person, RoleName

routes = Routes("wishes")

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
_ERROR_STATUS = {
    "wishes.not_allowed": 403,
    "wishes.own_wish": 403,
    "wishes.no_such_wish": 404,
    "wishes.not_now": 409,
    "wishes.someone_else": 409,
    "wishes.too_many_claims": 409,
}


def _refused(problem: Refusal) -> ApiError:
    return refused(problem, _ERROR_STATUS)


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


class BoardPage(BaseModel):
    items: list[PublicWishOut]
    page: int
    per_page: int
    total: int


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


class WishPage(BaseModel):
    items: list[WishOut]
    page: int
    per_page: int
    total: int


class PostIn(StrictIn):
    description: str = Field(min_length=2, max_length=1000)
    category: str = Field(default="", pattern=r"^([a-z_]{1,16})?$", description="empty: from the words")
    beneficiary: Beneficiary = Beneficiary.SELF
    relation: str = Field(default="", max_length=16)
    wanted_by: dt.date | None = None
    display_name: str = Field(
        default="",
        max_length=16,
        pattern=r"^[^0-9]*$",
        description="how the board names the resident (王女士), no digits; empty: anonymous",
    )
    client_key: str = Field(min_length=8, max_length=64, description="the same key twice posts one wish")


class ReviseIn(StrictIn):
    description: str = Field(min_length=2, max_length=1000)


class ActionIn(StrictIn):
    note: str = Field(default="", max_length=2000, description="a reason, or what was done (fulfil)")
    public_text: str = Field(default="", max_length=500, description="approve: the committee's edit")
    team: str = Field(default="", max_length=32, description="claim: the group claiming, if any")
    hours: float | None = Field(default=None, ge=0.1, le=24, description="fulfil: how long it took")
    served_by: list[int] = Field(default_factory=list, max_length=50, description="fulfil: people ids")
    rating: int | None = Field(default=None, ge=1, le=5, description="confirm")
    story_consent: bool = Field(default=False, description="confirm: the story may be published")


async def wish_out(wish: Wish, *, contact: bool) -> WishOut:
    claim = await workflow.active_claim(wish) or await WishClaim.filter(wish=wish).order_by("-id").first()
    claim_out = None
    if claim is not None:
        claimer = await Person.get(id=claim.claimer_id)
        claim_out = ClaimOut(
            claimer=claimer.name or content.text("wishes.a_volunteer"),
            team=claim.team,
            claimed_at=claim.claimed_at,
            contact_by=claim.contact_by,
            contacted_at=claim.contacted_at,
            fulfilled_at=claim.fulfilled_at,
            note=claim.note,
            hours=claim.hours,
            members=len(claim.served_by or [claim.claimer_id]),
        )
    resident = await Person.get(id=wish.resident_id) if contact else None
    photos = [p.id for p in await WishPhoto.filter(wish=wish).exclude(data=None).only("id").order_by("id")]
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
        claim=claim_out,
        resident=Contact(name=resident.name, phone=resident.phone) if resident else None,
        photos=photos,
    )


async def _community(code: str) -> Community:
    community = await Community.get_or_none(code=code)
    if community is None:
        raise ApiError(404, "not_found", content.text("api.no_community"))
    return community


# -- residents --------------------------------------------------------------------------------------------
@routes.add("GET", "/wishes/mine", summary="My wishes", response=WishPage, query=PAGE_PARAMS)
async def my_wishes(call: ApiRequest) -> WishPage:
    mine = await paginate(Wish.filter(resident=call.caller), call.query, "-created_at", "-id")
    return WishPage(items=[await wish_out(w, contact=False) for w in mine.rows], **mine.meta)


@routes.add(
    "POST", "/wishes", summary="Post a wish", response=WishOut, body=PostIn, status=201, errors=(422,)
)
async def post_wish(call: ApiRequest) -> WishOut:
    body: PostIn = call.body
    caller = call.caller
    if caller.community_id is None or caller.home_id is None:
        raise ApiError(422, "rule_violation", content.text("residents.bind_first"))
    try:
        wish = await workflow.post(
            PostWish(
                resident=caller,
                community=await Community.get(id=caller.community_id),
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
    except Refusal as problem:
        raise _refused(problem) from None
    return await wish_out(wish, contact=False)


async def _visible(call: ApiRequest, wish_id: int) -> tuple[Wish, bool]:
    """The wish, for its resident, its community's committee, or its active claimer; and whether the
    caller may see the resident's contact (committee, claimer)."""
    wish = await Wish.get_or_none(id=wish_id)
    if wish is None:
        raise ApiError(404, "not_found", content.text("wishes.no_such_wish"))
    if RoleName.COMMITTEE in await workflow.roles_in(call.caller, wish.community_id):
        return wish, True
    claim = await workflow.active_claim(wish)
    if claim is not None and claim.claimer_id == call.caller.id:
        return wish, True
    if wish.resident_id == call.caller.id:
        return wish, False
    raise ApiError(404, "not_found", content.text("wishes.no_such_wish"))


@routes.add(
    "GET",
    "/wishes/{wish_id}",
    summary="One wish (its resident, committee, or claimer)",
    response=WishOut,
    path_params=WISH_PARAM,
    errors=(404,),
)
async def one_wish(call: ApiRequest) -> WishOut:
    wish, contact = await _visible(call, call.path["wish_id"])
    return await wish_out(wish, contact=contact)


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
    wish, contact = await _visible(call, call.path["wish_id"])
    try:
        wish = await workflow.revise(wish.id, call.caller, call.body.description, call.now())
    except Refusal as problem:
        raise _refused(problem) from None
    return await wish_out(wish, contact=contact)


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
    wish = await Wish.get_or_none(id=call.path["wish_id"])
    claim = await workflow.active_claim(wish) if wish else None
    if wish is None or claim is None or claim.claimer_id != call.caller.id:
        raise ApiError(403, "forbidden", content.text("api.forbidden"))
    image: Binary = call.body
    photo = await WishPhoto.create(
        wish=wish, data=image.data, content_type=image.content_type, created_at=call.now()
    )
    return PhotoOut(id=photo.id)


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
    wish, _ = await _visible(call, call.path["wish_id"])
    return await kept_photo(WishPhoto, call.path["photo_id"], wish=wish)


# after the fixed paths above: {action} would match them too
@routes.add(
    "POST",
    "/wishes/{wish_id}/{action}",
    summary="Move a wish (review, claim, contact, fulfil, confirm...: who may do what, see the states)",
    response=WishOut,
    body=ActionIn,
    errors=(403, 404, 409, 422),
    path_params={**WISH_PARAM, "action": {"type": "string", "enum": ACTIONS}},
)
async def act(call: ApiRequest) -> WishOut:
    wish_id: int = call.path["wish_id"]
    action: str = call.path["action"]
    body: ActionIn = call.body
    caller, now = call.caller, call.now()
    try:
        if action == "approve":
            await workflow.approve(wish_id, caller, now, public_text=body.public_text)
        elif action == "claim":
            await workflow.claim(wish_id, caller, now, team=body.team)
        elif action == "fulfil":
            if body.hours is None:
                raise ApiError(422, "rule_violation", content.text("wishes.hours_range"))
            await workflow.fulfil(
                wish_id, caller, now, note=body.note, hours=body.hours, served_by=body.served_by or None
            )
        elif action == "confirm":
            if body.rating is None:
                raise ApiError(422, "rule_violation", content.text("wishes.rating_range"))
            await workflow.confirm(
                wish_id, caller, now, rating=body.rating, thanks=body.note, story_consent=body.story_consent
            )
        else:
            await workflow.move(wish_id, action, caller, now, note=body.note)
    except Refusal as problem:
        raise _refused(problem) from None
    wish, contact = await _visible(call, wish_id)
    return await wish_out(wish, contact=contact)


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
    community = await _community(call.path["community"])
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
    community = await _community(call.path["community"])
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
    community = await _community(call.path["community"])
    return RankingOut(items=[_volunteer(v) for v in (await board.ranking(community.id))[:50]])


# -- volunteers ----------------------------------------------------------------------------------------
class RecordOut(BaseModel):
    id: int
    volunteer: str
    team: str
    wish_number: str
    activity: str
    served_on: dt.date
    hours: float
    points: int
    confirmed_as: str = Field(description="resident, or committee (for a resident)")


class LedgerOut(BaseModel):
    wishes: int
    hours: float
    points: int
    items: list[RecordOut]


async def _record(record: ServiceRecord) -> RecordOut:
    wish = await Wish.get(id=record.wish_id)
    return RecordOut(
        id=record.id,
        volunteer=record.volunteer_name,
        team=record.team,
        wish_number=wish.number,
        activity=record.activity,
        served_on=record.served_on,
        hours=record.hours,
        points=record.points,
        confirmed_as=record.confirmed_as,
    )


@routes.add("GET", "/me/service-records", summary="My service record", response=LedgerOut)
async def my_records(call: ApiRequest) -> LedgerOut:
    ledger = await board.ledger_of(call.caller.id)
    return LedgerOut(
        wishes=ledger.wishes,
        hours=ledger.hours,
        points=ledger.points,
        items=[await _record(r) for r in ledger.records],
    )


@routes.add("GET", "/me/claims", summary="Wishes I claimed", response=WishPage, query=PAGE_PARAMS)
async def my_claims(call: ApiRequest) -> WishPage:
    ids = await WishClaim.filter(claimer=call.caller).values_list("wish_id", flat=True)
    listed = await paginate(Wish.filter(id__in=list(ids)), call.query, "-created_at", "-id")
    return WishPage(
        items=[await wish_out(w, contact=await _claims_now(w, call.caller)) for w in listed.rows],
        **listed.meta,
    )


async def _claims_now(wish: Wish, person: Person) -> bool:
    claim = await workflow.active_claim(wish)
    return claim is not None and claim.claimer_id == person.id


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
    query = Wish.filter(community=community)
    if "status" in call.query:
        query = query.filter(status=call.query["status"])
    if "category" in call.query:
        query = query.filter(category=call.query["category"])
    listed = await paginate(query, call.query, "created_at", "id")
    return WishPage(items=[await wish_out(w, contact=True) for w in listed.rows], **listed.meta)


class RecordPage(BaseModel):
    items: list[RecordOut]
    page: int
    per_page: int
    total: int


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
    listed = await paginate(ServiceRecord.filter(community=community), call.query, "-served_on", "-id")
    return RecordPage(items=[await _record(r) for r in listed.rows], **listed.meta)


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
    for record in await ServiceRecord.filter(community=community).order_by("served_on", "id"):
        row = await _record(record)
        confirmed_as = content.text(f"wishes.confirmed_as.{row.confirmed_as}")
        writer.writerow(
            [
                row.id,
                row.volunteer,
                row.team,
                row.wish_number,
                row.activity,
                row.served_on.isoformat(),
                f"{row.hours:g}",
                row.points,
                confirmed_as,
            ]
        )
    # with a BOM, so that Excel opens the Chinese text as UTF-8
    return Binary(("\ufeff" + out.getvalue()).encode("utf-8"), "text/csv")
