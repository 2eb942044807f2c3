"""The REST side of notices. The committee and the street office write them and see who they reached and
who confirmed; residents list the ones for them, read one and confirm receipt; the public page lists the
community's public notices, with nothing about anyone."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from bot.api.community import COMMUNITY_PARAM, community_of, overseer_of
from bot.api.core import PAGE_PARAMS, ApiRequest, Paged, Routes, StrictIn, page_of
from handlers.notices import queries, receipt_queries, workflow
from handlers.notices.queries import Figures, NoticeAudience, NoticeStatus, NoticeView
from handlers.notices.workflow import WriteNotice

routes = Routes(
    "notices",
    refusals={
        "notices.staff_only": 403,
        "notices.no_such_notice": 404,
        "notices.no_receipt_asked": 409,
    },
)

NOTICE_PARAM = {"notice_id": {"type": "integer", "minimum": 1}}


# -- shapes ----------------------------------------------------------------------------------------------
class NoticeIn(StrictIn):
    title: str = Field(min_length=2, max_length=64)
    text: str = Field(min_length=2, max_length=2000)
    link: str = Field(default="", max_length=500, description="an image or an attachment (http or https)")
    audience: NoticeAudience = NoticeAudience.COMMUNITY
    targets: list[int | str] = Field(
        default_factory=list,
        max_length=200,
        description="buildings: numbers. grids: grid ids. roles: volunteer, owner, party_member... "
        "care: lives_alone, disabled, low_income, elderly, other (none: any care need)",
    )
    urgent: bool = Field(default=False, description="sent before everything else waiting")
    publish_at: dt.datetime | None = Field(default=None, description="none: now")
    receipt: bool = Field(default=False, description="ask residents to reply 1 (收到)")
    receipt_hours: float | None = Field(
        default=None,
        ge=0.5,
        le=72,
        description="then the grid workers get the residents with care needs "
        "who have not confirmed (default NOTICES_RECEIPT_HOURS)",
    )
    public: bool | None = Field(default=None, description="on the public page (default: when for everyone)")
    client_key: str = Field(min_length=8, max_length=64, description="the same key twice is one notice")


class NoticeOut(BaseModel):
    id: int
    number: str
    title: str
    text: str
    link: str
    urgent: bool
    published_at: dt.datetime | None


class MyNoticeOut(NoticeOut):
    receipt_asked: bool = Field(description="the notice waits for the caller's receipt")


class MyNoticeList(BaseModel):
    items: list[MyNoticeOut]


class NoticeFiguresOut(BaseModel):
    delivered: int
    waiting: int
    not_delivered: int = Field(description="failed after the retries, or refused by WeChat")
    unknown: int = Field(description="may or may not have arrived: never sent twice")
    confirmed: int


class StaffNoticeOut(NoticeOut):
    audience: NoticeAudience
    audience_label: str
    targets: list[int | str]
    public: bool
    receipt: bool
    receipt_hours: float
    publish_at: dt.datetime
    status: NoticeStatus
    recipients: int
    figures: NoticeFiguresOut | None = Field(description="once published")


class StaffNoticePage(Paged[StaffNoticeOut]):
    pass


class PublicNoticePage(Paged[NoticeOut]):
    pass


class RecipientOut(BaseModel):
    name: str
    home: str
    status: str = Field(description="pending, sending, sent, failed, undeliverable or unknown")
    channel: str = Field(description="custom (in the 48-hour window) or template, once sent")
    confirmed_at: dt.datetime | None


class UnconfirmedOut(BaseModel):
    name: str
    home: str
    phone: str
    care: list[str]
    on_wechat: bool = Field(description="false: the notice could not reach them: call or visit")


class ReceiptsOut(BaseModel):
    figures: NoticeFiguresOut
    items: list[RecipientOut]
    page: int
    per_page: int
    total: int
    unconfirmed_care: list[UnconfirmedOut] = Field(description="residents with care needs, not confirmed")


class ReceiptOut(BaseModel):
    notice: str
    confirmed: bool


def notice_out(n: NoticeView) -> NoticeOut:
    return NoticeOut(
        id=n.id,
        number=n.number,
        title=n.title,
        text=n.text,
        link=n.link,
        urgent=n.urgent,
        published_at=n.published_at,
    )


def _figures(f: Figures) -> NoticeFiguresOut:
    return NoticeFiguresOut(
        delivered=f.delivered,
        waiting=f.waiting,
        not_delivered=f.not_delivered,
        unknown=f.unknown,
        confirmed=f.confirmed,
    )


def staff_out(n: NoticeView, f: Figures | None, grid_names: dict[int, str]) -> StaffNoticeOut:
    return StaffNoticeOut(
        **notice_out(n).model_dump(),
        audience=n.audience,
        audience_label=queries.describe_audience(n, grid_names),
        targets=list(n.targets),
        public=n.public,
        receipt=n.receipt,
        receipt_hours=n.receipt_hours,
        publish_at=n.publish_at,
        status=n.status,
        recipients=n.recipients,
        figures=_figures(f) if f is not None and n.status is NoticeStatus.PUBLISHED else None,
    )


# -- the committee and the street office -----------------------------------------------------------------
@routes.add(
    "POST",
    "/communities/{community}/notices",
    summary="Write a notice: sent now, or at publish_at (committee, street office)",
    response=StaffNoticeOut,
    body=NoticeIn,
    status=201,
    path_params=COMMUNITY_PARAM,
    errors=(403, 404, 422),
)
async def write(call: ApiRequest) -> StaffNoticeOut:
    community = await overseer_of(call)
    body: NoticeIn = call.body
    notice = await workflow.write(
        WriteNotice(
            community_id=community.id,
            by=call.caller,
            title=body.title,
            text=body.text,
            link=body.link,
            audience=body.audience,
            targets=tuple(body.targets),
            urgent=body.urgent,
            publish_at=body.publish_at,
            receipt=body.receipt,
            receipt_hours=body.receipt_hours,
            public=body.public,
            source_key=f"api:{call.caller.id}:{body.client_key}",
        ),
        call.now(),
    )
    view = queries.view_of(notice)
    found = await queries.figures([view.id])
    return staff_out(view, found[view.id], await queries.grid_names(community.id))


@routes.add(
    "GET",
    "/communities/{community}/notices",
    summary="The community's notices, scheduled ones too, with delivery figures (committee, street office)",
    response=StaffNoticePage,
    path_params=COMMUNITY_PARAM,
    errors=(403, 404),
    query=PAGE_PARAMS,
)
async def community_notices(call: ApiRequest) -> StaffNoticePage:
    community = await overseer_of(call)
    listed = await queries.staff_page(community, *page_of(call.query))
    counts = await queries.figures([n.id for n in listed.rows])
    names = await queries.grid_names(community.id)
    return StaffNoticePage(items=[staff_out(n, counts.get(n.id), names) for n in listed.rows], **listed.meta)


@routes.add(
    "GET",
    "/notices/{notice_id}/receipts",
    summary="Who the notice reached and who confirmed, and the residents with care needs yet to "
    "(committee, street office)",
    response=ReceiptsOut,
    path_params=NOTICE_PARAM,
    errors=(403, 404),
    query=PAGE_PARAMS,
)
async def receipts(call: ApiRequest) -> ReceiptsOut:
    n = await queries.for_staff(call.caller, call.path["notice_id"])
    found = await receipt_queries.receipts(n, *page_of(call.query))
    return ReceiptsOut(
        figures=_figures(found.figures),
        items=[
            RecipientOut(
                name=r.name, home=r.home, status=r.status, channel=r.channel, confirmed_at=r.confirmed_at
            )
            for r in found.people
        ],
        page=found.page,
        per_page=found.per_page,
        total=found.total,
        unconfirmed_care=[
            UnconfirmedOut(name=u.name, home=u.home, phone=u.phone, care=u.care, on_wechat=u.on_wechat)
            for u in found.unconfirmed_care
        ],
    )


# -- residents -------------------------------------------------------------------------------------------
@routes.add("GET", "/notices/mine", summary="The recent notices for me, newest first", response=MyNoticeList)
async def mine(call: ApiRequest) -> MyNoticeList:
    found = await queries.for_reader(call.caller, call.now())
    return MyNoticeList(
        items=[
            MyNoticeOut(**notice_out(item.notice).model_dump(), receipt_asked=item.awaiting_receipt)
            for item in found
        ]
    )


@routes.add(
    "GET",
    "/notices/{notice_id}",
    summary="One notice sent to me (or one I may read)",
    response=NoticeOut,
    path_params=NOTICE_PARAM,
    errors=(404,),
)
async def one(call: ApiRequest) -> NoticeOut:
    return notice_out(await queries.readable(call.caller, call.path["notice_id"]))


@routes.add(
    "POST",
    "/notices/{notice_id}/receipt",
    summary="Confirm I received a notice that asks for it (收到)",
    response=ReceiptOut,
    path_params=NOTICE_PARAM,
    errors=(404, 409),
)
async def confirm(call: ApiRequest) -> ReceiptOut:
    n = await queries.readable(call.caller, call.path["notice_id"])
    await workflow.confirm(call.caller, "api", call.now(), n.id)
    return ReceiptOut(notice=n.number, confirmed=True)


# -- public ----------------------------------------------------------------------------------------------
@routes.add(
    "GET",
    "/public/communities/{community}/notices",
    summary="The community's public notices (no token; nothing about anyone)",
    response=PublicNoticePage,
    auth=False,
    path_params=COMMUNITY_PARAM,
    errors=(404,),
    query=PAGE_PARAMS,
)
async def public(call: ApiRequest) -> PublicNoticePage:
    community = await community_of(call)
    listed = await queries.public_page(community, *page_of(call.query))
    return PublicNoticePage(items=[notice_out(n) for n in listed.rows], **listed.meta)
