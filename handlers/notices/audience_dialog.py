"""Who a notice is for, in the chat (the audience steps of 发布通知): the whole community, some
buildings ("3栋 5栋" at once), grids of the register, roles (志愿者, 业主...), residents with care needs."""

from __future__ import annotations

from typing import Any

import content
from bot.dispatcher import Context, Router, has_text, state
from handlers.common.answers import choose, is_any
from handlers.notices import queries
from handlers.notices.draft import AUDIENCE, BUILDINGS, CARE, GRIDS, ROLES, URGENT, NoticeDraft
from handlers.notices.queries import Care, NoticeAudience
from handlers.votes.committee_dialog import buildings_named
from handlers.votes.dialog import read_choices

router = Router("notices.audience")

KINDS = [
    NoticeAudience.COMMUNITY,
    NoticeAudience.BUILDINGS,
    NoticeAudience.GRIDS,
    NoticeAudience.ROLES,
    NoticeAudience.CARE,
]
ROLE_CHOICES = queries.ROLE_CHOICES


def _kind_labels() -> list[str]:
    return [content.text(f"notices.write.audience.{k.value}") for k in KINDS]


def ask_audience(ctx: Context, key: str = "notices.write.ask_audience") -> None:
    ctx.say(key, options=content.numbered(_kind_labels()))


@router.handle(state(AUDIENCE), has_text())
async def audience(ctx: Context) -> None:
    named = buildings_named(ctx.msg.text, bare=False)  # "3栋 5栋" at once
    if named:
        await _audience_then_urgent(ctx, NoticeAudience.BUILDINGS, named)
        return
    if is_any(ctx.msg.text):  # the whole community is the default
        ctx.say("common.took_default", value=_kind_labels()[0])
    choice = 1 if is_any(ctx.msg.text) else choose(ctx.msg.text, _kind_labels())
    draft = NoticeDraft.of(ctx)
    if choice == 1:
        await _audience_then_urgent(ctx, NoticeAudience.COMMUNITY, [])
    elif choice == 2:
        draft.then(ctx, BUILDINGS)
        ctx.say("notices.write.ask_buildings")
    elif choice == 3:
        person = await ctx.person()
        grids = await queries.grids(person.community_id)
        if not grids:
            ctx.reask("notices.write.no_grids", options=content.numbered(_kind_labels()))
            return
        draft.then(ctx, GRIDS)
        ctx.dialog.update(grids=[g for g, _ in grids], grid_names=[name for _, name in grids])
        ctx.say("notices.write.ask_grids", options=content.numbered([name for _, name in grids]))
    elif choice == 4:
        draft.then(ctx, ROLES)
        ctx.say("notices.write.ask_roles", options=content.numbered(_role_labels()))
    elif choice == 5:
        draft.then(ctx, CARE)
        ctx.say("notices.write.ask_care", options=content.numbered(_care_labels()))
    else:
        ctx.reask("notices.write.audience_again", options=content.numbered(_kind_labels()))


@router.handle(state(BUILDINGS), has_text())
async def buildings(ctx: Context) -> None:
    numbers = buildings_named(ctx.msg.text, bare=True)
    if not numbers:
        ctx.reask("notices.write.buildings_again")
        return
    await _audience_then_urgent(ctx, NoticeAudience.BUILDINGS, numbers)


def _role_labels() -> list[str]:
    return [queries.role_label(r) for r in ROLE_CHOICES]


def _care_labels() -> list[str]:
    return [queries.care_label(c.value) for c in Care]


def _several(ctx: Context, labels: list[str]) -> list[int] | None:
    """The options picked (0-based): "1", "1 3", "志愿者和业主"."""
    picked = read_choices(ctx.msg.text, labels)
    return sorted(set(picked)) if picked else None


@router.handle(state(GRIDS), has_text())
async def grids(ctx: Context) -> None:
    names = list(ctx.dialog.data.get("grid_names") or [])
    picked = _several(ctx, names)
    if picked is None:
        ctx.reask("notices.write.pick_again", options=content.numbered(names))
        return
    ids = list(ctx.dialog.data["grids"])
    await _audience_then_urgent(ctx, NoticeAudience.GRIDS, [ids[i] for i in picked])


@router.handle(state(ROLES), has_text())
async def roles(ctx: Context) -> None:
    picked = _several(ctx, _role_labels())
    if picked is None:
        ctx.reask("notices.write.pick_again", options=content.numbered(_role_labels()))
        return
    await _audience_then_urgent(ctx, NoticeAudience.ROLES, [ROLE_CHOICES[i] for i in picked])


@router.handle(state(CARE), has_text())
async def care(ctx: Context) -> None:
    if is_any(ctx.msg.text) or ctx.word in ("全部", "所有", "全部的", "都发"):
        await _audience_then_urgent(ctx, NoticeAudience.CARE, [])
        return
    picked = _several(ctx, _care_labels())
    if picked is None:
        ctx.reask("notices.write.pick_again", options=content.numbered(_care_labels()))
        return
    needs = [c.value for c in Care]
    await _audience_then_urgent(ctx, NoticeAudience.CARE, [needs[i] for i in picked])


async def _audience_then_urgent(ctx: Context, kind: NoticeAudience, targets: list[Any]) -> None:
    NoticeDraft.of(ctx).then(ctx, URGENT, audience=kind.value, targets=tuple(targets))
    ctx.say("notices.write.ask_urgent")
