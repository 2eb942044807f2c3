"""Wishes on the configured database: the life-cycle, who may act, the claim race, the 7-day lapse,
privacy on the board, and the service record adding up."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt

import pytest

from handlers.common.rules import Refusal
from handlers.wishes import board, workflow
from handlers.wishes.models import ClaimStatus, ServiceRecord, Wish, WishClaim, WishEvent, WishStatus
from handlers.wishes.workflow import MOVES, PostWish
from storage.models import Community, Notification, Person, Role, RoleName

S = WishStatus
T0 = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
DAY = dt.timedelta(days=1)


async def new_wish(
    text: str = "周六想找人陪我妈去医院复查", source: str = "m:1", who: str = "resident-1"
) -> Wish:
    community = await Community.get(code="xingfuli")
    person, _ = await Person.get_or_create(openid=who, defaults={"community": community})
    return await workflow.post(
        PostWish(resident=person, community=community, description=text, source_key=source), T0
    )


async def person(openid: str) -> Person:
    return await Person.get(openid=openid)


async def volunteer(openid: str, role: RoleName = RoleName.VOLUNTEER, name: str = "") -> Person:
    community = await Community.get(code="xingfuli")
    someone = await Person.create(openid=openid, name=name or openid, community=community)
    await Role.create(person=someone, community=community, role=role)
    return someone


async def on_board(text: str = "孩子想要几本课外书", source: str = "m:1") -> Wish:
    wish = await new_wish(text, source)
    return await workflow.approve(wish.id, await person("demo-committee"), T0)


# -- the life-cycle: every action from every state -----------------------------------------------------
@pytest.mark.parametrize("action", sorted(MOVES))
async def test_every_action_is_allowed_exactly_from_its_states(seeded: str, action: str) -> None:
    spec = MOVES[action]
    resident = await Person.create(openid="owner")
    claimer = await volunteer("claimer")
    other_volunteer = await volunteer("other-volunteer")
    actors = {
        "resident": resident,
        "committee": await person("demo-committee"),
        "claimer": claimer,
        "volunteer": other_volunteer,
        "resident_or_committee": resident,
        "system": None,
    }
    community = await Community.get(code="xingfuli")
    for i, status in enumerate(WishStatus):
        wish = await Wish.create(
            community=community,
            resident=resident,
            category="escort",
            description="陪老人复查",
            public_text="陪老人复查",
            status=status,
            source_key=f"matrix:{action}:{i}",
            created_at=T0,
        )
        await WishClaim.create(wish=wish, claimer=claimer, claimed_at=T0, contact_by=T0 + 7 * DAY)
        try:
            moved = await workflow.move(wish.id, action, actors[spec.by], T0, note="原因")
        except Refusal as refused:
            assert status not in spec.frm, f"{action} refused from {status}: {refused.key}"
            assert refused.key == "wishes.not_now"
            assert (await Wish.get(id=wish.id)).status is status  # nothing changed
            continue
        assert status in spec.frm, f"{action} allowed from {status}"
        assert moved.status is spec.to
        assert await WishEvent.filter(wish=wish, action=action, from_status=status).count() == 1


@pytest.mark.parametrize(
    ("action", "who"),
    [
        ("approve", "resident-1"),
        ("approve", "demo-volunteer"),
        ("approve", "demo-hp-committee"),  # another community's committee
        ("withdraw", "demo-committee"),
        ("withdraw", "resident-2"),
        ("claim", "resident-2"),  # not a volunteer
        ("claim", "demo-committee"),
        ("claim", "demo-hp-committee"),
    ],
)
async def test_who_may_act(seeded: str, action: str, who: str) -> None:
    wish = await new_wish()
    if action == "claim":
        await workflow.approve(wish.id, await person("demo-committee"), T0)
    await Person.get_or_create(openid="resident-2")
    with pytest.raises(Refusal) as refused:
        await workflow.move(wish.id, action, await person(who), T0)
    assert refused.value.key == "wishes.not_allowed"


async def test_refusals_come_in_order_who_then_when_then_why(seeded: str) -> None:
    """Sending a wish back needs a reason, but who may act and whether it is the time come first; a
    refused step changes nothing."""
    wish = await new_wish()
    committee = await person("demo-committee")
    with pytest.raises(Refusal) as refused:
        await workflow.move(wish.id, "ask_changes", await person("resident-1"), T0)
    assert refused.value.key == "wishes.not_allowed"
    with pytest.raises(Refusal) as refused:
        await workflow.move(wish.id, "ask_changes", committee, T0, note="  ")
    assert refused.value.key == "wishes.reason_needed"
    assert (await Wish.get(id=wish.id)).status is S.SUBMITTED
    assert not await WishEvent.filter(wish=wish, action="ask_changes").exists()
    await workflow.approve(wish.id, committee, T0)
    with pytest.raises(Refusal) as refused:
        await workflow.move(wish.id, "ask_changes", committee, T0)
    assert refused.value.key == "wishes.not_now"


async def test_a_volunteer_cannot_claim_their_own_wish(seeded: str) -> None:
    helper = await volunteer("helper-with-a-wish")
    wish = await new_wish(who="helper-with-a-wish")
    await workflow.approve(wish.id, await person("demo-committee"), T0)
    with pytest.raises(Refusal) as refused:
        await workflow.claim(wish.id, helper, T0)
    assert refused.value.key == "wishes.own_wish"


async def test_a_step_sets_only_its_own_columns(seeded: str) -> None:
    """No caller's columns written through: a rewrite is ``revise``, a public text ``approve``."""
    wish = await new_wish()
    with pytest.raises(TypeError):
        await workflow.move(wish.id, "revise", await person("resident-1"), T0, description="别的")  # type: ignore[call-arg]
    revised = await workflow.revise(wish.id, await person("resident-1"), "想请人教我用智能手机", T0)
    assert (revised.status, revised.description, revised.category) == (
        S.SUBMITTED,
        "想请人教我用智能手机",
        "skills",
    )
    event = await WishEvent.get(wish=wish, action="revise")
    assert (event.from_status, event.to_status) == (S.SUBMITTED, S.SUBMITTED)
    assert await Notification.filter(
        person__openid="demo-committee", key__contains="committee_revised"
    ).exists()


async def test_a_volunteer_of_another_community_cannot_claim(seeded: str) -> None:
    wish = await on_board()
    elsewhere = await Person.create(openid="far-away")
    await Role.create(person=elsewhere, community=await Community.get(code="hepingcun"), role="volunteer")
    with pytest.raises(Refusal):
        await workflow.claim(wish.id, elsewhere, T0)


# -- the claim race ----------------------------------------------------------------------------------
async def test_many_claimers_at_once_exactly_one_wins(seeded: str) -> None:
    wish = await on_board()
    crowd = [
        await volunteer(f"v-{i}", RoleName.PARTY_MEMBER if i % 2 else RoleName.VOLUNTEER) for i in range(12)
    ]

    async def claim(someone: Person) -> bool:
        try:
            await workflow.claim(wish.id, someone, T0)
        except Refusal as refused:
            assert refused.key in ("wishes.someone_else", "wishes.not_now")
            return False
        return True

    results = await asyncio.gather(*(claim(v) for v in crowd))
    assert results.count(True) == 1
    winner = crowd[results.index(True)]
    claims = await WishClaim.filter(wish=wish)
    assert [(c.claimer_id, c.status) for c in claims] == [(winner.id, ClaimStatus.ACTIVE)]
    assert await WishEvent.filter(wish=wish, action="claim").count() == 1
    assert await Notification.filter(person__openid="resident-1", key__contains=":claimed:").count() == 1


async def test_a_volunteer_holds_a_limited_number_of_claims(seeded: str) -> None:
    helper = await volunteer("busy")
    wishes = [await on_board(source=f"m:{i}") for i in range(4)]
    for wish in wishes[:3]:
        await workflow.claim(wish.id, helper, T0)
    with pytest.raises(Refusal) as refused:
        await workflow.claim(wishes[3].id, helper, T0)
    assert refused.value.key == "wishes.too_many_claims"


# -- the clock -------------------------------------------------------------------------------------------
async def test_reminders_then_the_claim_lapses_and_the_wish_returns_first(seeded: str) -> None:
    wish = await on_board()
    helper = await volunteer("slow")
    await workflow.claim(wish.id, helper, T0)
    assert (await workflow.sweep(T0 + 3 * DAY)).reminded == 0
    assert (await workflow.sweep(T0 + dt.timedelta(days=3.6))).reminded == 1  # halfway
    assert (await workflow.sweep(T0 + 4 * DAY)).reminded == 0  # once
    assert (await workflow.sweep(T0 + dt.timedelta(days=6.1))).reminded == 1  # the day before
    reminders = await Notification.filter(person=helper, key__contains="remind_contact").count()
    assert reminders == 2
    late = T0 + 7 * DAY + dt.timedelta(minutes=1)
    assert (await workflow.sweep(late)).lapsed == 1
    assert (await workflow.sweep(late)).lapsed == 0
    wish = await Wish.get(id=wish.id)
    assert wish.status is S.OPEN and wish.priority
    assert (await WishClaim.get(wish=wish)).status is ClaimStatus.LAPSED
    assert await Notification.filter(person=helper, key__contains="lapse_claimer").exists()
    assert await Notification.filter(person__openid="resident-1", key__contains="lapse_resident").exists()
    newer = await on_board("想请人教我用智能手机", source="m:2")
    shown = await board.board(wish.community_id, late.date())
    assert [w.id for w in shown] == [wish.id, newer.id]  # back first in line, ahead of a newer one
    again = await workflow.claim(wish.id, await volunteer("keen"), late)
    assert again.status is ClaimStatus.ACTIVE and not (await Wish.get(id=wish.id)).priority


async def test_a_contacted_claim_does_not_lapse(seeded: str) -> None:
    wish = await on_board()
    helper = await volunteer("prompt")
    await workflow.claim(wish.id, helper, T0)
    await workflow.move(wish.id, "contacted", helper, T0 + DAY)
    result = await workflow.sweep(T0 + 30 * DAY)
    assert (result.reminded, result.lapsed) == (0, 0)
    assert (await Wish.get(id=wish.id)).status is S.CLAIMED


async def test_several_workers_sweeping_at_once_lapse_and_remind_once(seeded: str) -> None:
    wish = await on_board()
    await workflow.claim(wish.id, await volunteer("nobody-called"), T0)
    results = await asyncio.gather(*(workflow.sweep(T0 + dt.timedelta(days=3.6)) for _ in range(4)))
    assert sum(r.reminded for r in results) == 1
    results = await asyncio.gather(*(workflow.sweep(T0 + 8 * DAY) for _ in range(4)))
    assert sum(r.lapsed for r in results) == 1
    assert await WishEvent.filter(wish=wish, action="lapse").count() == 1


async def test_an_unconfirmed_wish_is_reminded_once(seeded: str) -> None:
    wish = await on_board()
    helper = await volunteer("done-it")
    await workflow.claim(wish.id, helper, T0)
    await workflow.fulfil(wish.id, helper, T0 + DAY, note="送了三本书", hours=1)
    assert (await workflow.sweep(T0 + 3 * DAY)).confirm_reminded == 0
    assert (await workflow.sweep(T0 + 4 * DAY + dt.timedelta(minutes=1))).confirm_reminded == 1
    assert (await workflow.sweep(T0 + 5 * DAY)).confirm_reminded == 0
    assert await Notification.filter(person__openid="demo-committee", key__contains="unconfirmed").exists()


# -- privacy ---------------------------------------------------------------------------------------------
async def test_the_board_shows_only_what_was_allowed(seeded: str) -> None:
    community = await Community.get(code="xingfuli")
    resident = await Person.create(openid="private", name="王芳", phone="13912345678", community=community)
    wish = await workflow.post(
        PostWish(
            resident=resident,
            community=community,
            description="我妈住3栋2单元502，身份证110101195003071234，想找人陪她去医院，电话13912345678",
            source_key="p:1",
            relation="母亲",
        ),
        T0,
    )
    assert set(wish.flags) == {"id_number", "phone", "address"}
    with pytest.raises(Refusal):  # the public text is masked, but the committee edits it before approving
        await workflow.approve(wish.id, await person("demo-committee"), T0, public_text="电话 13912345678")
    await workflow.approve(wish.id, await person("demo-committee"), T0)
    [shown] = await board.board(community.id, T0.date())
    public = repr(dataclasses.asdict(shown))
    for secret in ("13912345678", "110101195003071234", "2单元502", "王芳", "母亲"):
        assert secret not in public
    assert shown.shown_as == "一位居民"


# -- the service record -----------------------------------------------------------------------------
async def test_the_ledger_adds_up_and_rankings_count_fulfilled_wishes_only(seeded: str) -> None:
    ada = await volunteer("ada", name="艾达")
    bo = await volunteer("bo", RoleName.PARTY_MEMBER, name="波")
    resident, _ = await Person.get_or_create(openid="resident-1")
    served = [(ada, 2.0), (ada, 1.5), (bo, 3.0)]
    for i, (helper, hours) in enumerate(served):
        wish = await on_board(source=f"m:{i}")
        await workflow.claim(wish.id, helper, T0)
        await workflow.fulfil(wish.id, helper, T0 + DAY, note="完成", hours=hours)
        await workflow.confirm(wish.id, resident, T0 + 2 * DAY, rating=5)
    hoarded = await on_board(source="m:claimed-only")
    await workflow.claim(hoarded.id, bo, T0)  # a claim alone counts for nothing
    ledger = await board.ledger_of(ada.id)
    assert (ledger.wishes, ledger.hours, ledger.points) == (2, 3.5, 20 + 5 + 15 + 5)
    assert ledger.points == sum(r.points for r in await ServiceRecord.filter(volunteer=ada))
    ranking = await board.ranking(ada.community_id or 0)
    assert [(v.name, v.wishes, v.hours) for v in ranking] == [("艾达", 2, 3.5), ("波", 1, 3.0)]
    summary = await board.summary(ada.community_id or 0)
    assert (summary.received, summary.fulfilled, summary.in_progress, summary.total_hours) == (4, 3, 1, 6.5)
    assert summary.average_days_to_fulfil == 1.0  # posted at T0, fulfilled a day later
    assert summary.stories == []  # nobody consented


async def test_confirming_twice_records_once(seeded: str) -> None:
    wish = await on_board()
    helper = await volunteer("once")
    await workflow.claim(wish.id, helper, T0)
    await workflow.fulfil(wish.id, helper, T0, note="完成", hours=1)
    resident = await person("resident-1")
    results = await asyncio.gather(
        *(workflow.confirm(wish.id, resident, T0, rating=5) for _ in range(3)), return_exceptions=True
    )
    assert sum(1 for r in results if isinstance(r, Wish)) == 1
    assert all(isinstance(r, Wish | Refusal) for r in results)
    assert await ServiceRecord.filter(wish=wish).count() == 1
