"""Consultations on the configured database: eligibility, the household rule, changed votes, proxies, the
results arithmetic, the digest, and hundreds voting at once (PostgreSQL in CI's second run)."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools

import pytest

from handlers.common.rules import Refusal
from handlers.residents import workflow as residents
from handlers.votes import queries, tally, workflow
from handlers.votes.models import Ballot, Consultation, PassRule, Per, VoteSlot, Who
from handlers.votes.workflow import LaunchConsultation
from nlp.slots import Address
from storage.models import Community, Notification, Person, Role, RoleName

T0 = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
DAY = dt.timedelta(days=1)
_rooms = itertools.count(101)


async def launch(**changes: object) -> Consultation:
    spec: dict[str, object] = {
        "community": await Community.get(code="xingfuli"),
        "by": await Person.get(openid="demo-committee"),
        "title": "3栋加装电梯方案",
        "options": ("同意", "不同意", "弃权"),
        "closes_at": T0 + 10 * DAY,
        "approve_option": 0,
    }
    spec.update(changes)
    return await workflow.launch(LaunchConsultation(**spec), T0)  # type: ignore[arg-type]


async def resident(
    openid: str, building: int = 3, unit: int = 1, room: str | None = None, owner: bool = False
) -> Person:
    community = await Community.get(code="xingfuli")
    person = await Person.create(openid=openid, name=openid)
    place = await residents.resolve_address(community, Address(building, unit, room or str(next(_rooms))))
    await residents.bind_home(person, place)
    if owner:
        await Role.create(person=person, community=community, role=RoleName.OWNER)
    return await Person.get(id=person.id)


_keys = itertools.count()


async def vote(c: Consultation, person: Person, *choices: int, at: dt.datetime = T0 + DAY) -> Ballot:
    return await workflow.cast(c.id, person, list(choices), at, source_key=f"t:{next(_keys)}")


# -- eligibility -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("changes", "who", "at", "refusal"),
    [
        ({}, {"building": 5}, T0 + DAY, None),  # the whole community
        ({"buildings": (3,)}, {"building": 5}, T0 + DAY, "votes.not_in_scope"),
        ({"buildings": (3, 5)}, {"building": 5}, T0 + DAY, None),
        ({"who": Who.OWNERS}, {"owner": False}, T0 + DAY, "votes.owners_only"),
        ({"who": Who.OWNERS}, {"owner": True}, T0 + DAY, None),
        ({"opens_at": T0 + 2 * DAY}, {}, T0 + DAY, "votes.not_yet"),
        ({}, {}, T0 + 10 * DAY, "votes.closed"),
        ({}, {"unbound": True}, T0 + DAY, "votes.bind_first"),
        ({}, {"elsewhere": True}, T0 + DAY, "votes.not_your_community"),
    ],
)
async def test_eligibility(
    seeded: str, changes: dict[str, object], who: dict[str, object], at: dt.datetime, refusal: str | None
) -> None:
    c = await launch(**changes)
    if who.get("unbound"):
        person = await Person.create(openid="unbound")
    elif who.get("elsewhere"):
        person = await Person.create(openid="far")
        hp = await Community.get(code="hepingcun")
        await residents.bind_home(person, await residents.resolve_address(hp, Address(1, None, "101")))
    else:
        person = await resident("voter", int(who.get("building", 3)), owner=bool(who.get("owner")))  # type: ignore[call-overload]
    if refusal is None:
        assert (await vote(c, person, 0, at=at)).choices == [0]
    else:
        with pytest.raises(Refusal) as refused:
            await vote(c, person, 0, at=at)
        assert refused.value.key == refusal
        assert await Ballot.all().count() == 0


async def test_a_cancelled_consultation_takes_no_votes(seeded: str) -> None:
    c = await launch()
    person = await resident("voter")
    await workflow.cancel(c.id, await Person.get(openid="demo-committee"), "方案撤回", T0)
    with pytest.raises(Refusal) as refused:
        await vote(c, person, 0)
    assert refused.value.key == "votes.cancelled"


async def test_choices_are_checked(seeded: str) -> None:
    c = await launch(options=("甲", "乙", "丙", "丁"), max_choices=2, approve_option=None)
    person = await resident("voter")
    for bad in ([], [4], [0, 0], [0, 1, 2]):
        with pytest.raises(Refusal):
            await workflow.cast(c.id, person, bad, T0 + DAY, source_key=f"bad:{bad}")
    assert (await vote(c, person, 2, 0)).choices == [0, 2]


# -- one vote per household, changed votes, proxies ------------------------------------------------------
async def test_household_one_vote_the_voter_may_change_it(seeded: str) -> None:
    c = await launch(per=Per.HOUSEHOLD)
    mother = await resident("mother", room="501")
    son = await resident("son", room="501")
    await vote(c, mother, 0)
    with pytest.raises(Refusal) as refused:
        await vote(c, son, 1)
    assert refused.value.key == "votes.household_voted"
    await vote(c, mother, 1)
    result = await tally.count(c, await workflow.electorate(c))
    assert [o.votes for o in result.options] == [0, 1, 0]
    assert (result.eligible, result.turnout, result.ballots) == (1, 1, 2)


async def test_a_delivery_seen_twice_is_one_ballot(seeded: str) -> None:
    c = await launch()
    person = await resident("voter")
    first = await workflow.cast(c.id, person, [0], T0 + DAY, source_key="msg:1")
    again = await workflow.cast(c.id, person, [0], T0 + DAY, source_key="msg:1")
    assert first.id == again.id and await Ballot.all().count() == 1
    # the row found again is read as Tortoise reads it: its JSON choices a list, its times aware
    assert again.choices == [0] and again.cast_at == first.cast_at


async def test_proxy_votes_say_who_acted_for_whom(seeded: str) -> None:
    c = await launch()
    grid = await Person.get(openid="demo-grid")
    xingfuli = await Community.get(code="xingfuli")
    elder, review = await workflow.resident_at(xingfuli, Address(3, 1, "101"), "李奶奶", c)
    again, _ = await workflow.resident_at(xingfuli, Address(3, 1, "101"), "李奶奶", c)
    assert again.id == elder.id and review  # found, not created twice; new without a register: reviewed
    ballot = await workflow.cast(c.id, elder, [0], T0 + DAY, source_key="p:1", proxy_by=grid)
    assert (ballot.voter_id, ballot.proxy_by_id) == (elder.id, grid.id)
    volunteer = await Person.get(openid="demo-volunteer")
    with pytest.raises(Refusal) as refused:
        await workflow.cast(c.id, elder, [1], T0 + DAY, source_key="p:2", proxy_by=volunteer)
    assert refused.value.key == "votes.proxy_not_allowed"
    [took_part] = await queries.participants(c.id, await Person.get(openid="demo-committee"))
    assert (took_part.name, took_part.recorded_by) == ("李奶奶", "张网格")


# -- the results arithmetic ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("rule", "approve", "ballots", "eligible", "quorum", "passed", "winner"),
    [
        (PassRule.MAJORITY, 0, [0, 0, 1], 3, 0.5, True, 0),
        (PassRule.MAJORITY, 0, [0, 1], 2, 0.5, False, None),  # half is not more than half
        (PassRule.TWO_THIRDS, 0, [0, 0, 1], 3, 0.5, True, 0),  # two thirds exactly passes
        (PassRule.TWO_THIRDS, 0, [0, 0, 1, 1], 4, 0.5, False, None),
        (PassRule.THREE_QUARTERS, 0, [0, 0, 0, 1], 4, 0.5, True, 0),
        (PassRule.THREE_QUARTERS, 0, [0, 0, 1], 3, 0.5, False, None),
        (PassRule.MAJORITY, 0, [0, 0, 0], 10, 0.5, False, None),  # 3 of 10 took part: no quorum
        (PassRule.MAJORITY, 0, [0, 0, 0, 0, 0], 10, 0.5, True, 0),  # half took part: quorum met
        (PassRule.MAJORITY, 0, [1, 1, 0], 3, 0.0, False, None),  # most said no
        (PassRule.PLURALITY, None, [0, 1, 1, 2], 4, 0.0, True, 1),
        (PassRule.PLURALITY, None, [0, 1], 2, 0.0, False, None),  # a tie at the top
        (PassRule.MAJORITY, None, [0, 1, 1, 2], 4, 0.0, False, None),  # the leader has only half
        (PassRule.MAJORITY, 0, [], 4, 0.0, False, None),
    ],
)
def test_results_arithmetic(
    rule: PassRule,
    approve: int | None,
    ballots: list[int],
    eligible: int,
    quorum: float,
    passed: bool,
    winner: int | None,
) -> None:
    c = Consultation(options=["甲", "乙", "丙"], rule=rule, approve_option=approve, quorum=quorum)
    log = [{"seq": i + 1, "choices": [b], "proxy": False, "counted": True} for i, b in enumerate(ballots)]
    result = tally.counts_from_log(c, log, eligible)
    assert (result.passed, result.winner) == (passed, winner)
    assert sum(o.votes for o in result.options) == len(ballots)


def test_superseded_ballots_do_not_count_and_the_digest_covers_everything() -> None:
    c = Consultation(options=["甲", "乙"], rule=PassRule.MAJORITY, approve_option=0, quorum=0)
    log = [
        {"seq": 1, "choices": [0], "proxy": False, "counted": False},
        {"seq": 2, "choices": [1], "proxy": False, "counted": True},
    ]
    result = tally.counts_from_log(c, log, 1)
    assert [o.votes for o in result.options] == [0, 1]
    changed = [dict(log[0]), {**log[1], "choices": [0]}]
    assert tally.digest(changed) != tally.digest(log)
    reordered = [log[1], log[0]]
    assert tally.digest(reordered) != tally.digest(log)


async def test_close_once_and_the_published_result_verifies(seeded: str) -> None:
    c = await launch(quorum=0.5)
    people = [await resident(f"v{i}") for i in range(4)]
    for person, choice in zip(people[:3], (0, 0, 1), strict=True):
        await vote(c, person, choice)
    closings = await asyncio.gather(*(workflow.sweep(T0 + 10 * DAY) for _ in range(3)))
    assert sum(closings) == 1
    c = await Consultation.get(id=c.id)
    assert c.result is not None and c.result["turnout"] == 3 and c.result["eligible"] == 4
    assert c.result["passed"] is True and await tally.verify(c)
    with pytest.raises(Refusal):
        await vote(c, people[3], 0, at=T0 + 10 * DAY)


# -- many at once ----------------------------------------------------------------------------------------
async def test_many_households_at_once_all_count_exactly_once(seeded: str) -> None:
    c = await launch(per=Per.HOUSEHOLD)
    people = [await resident(f"h{i}", room=str(1000 + i)) for i in range(210)]
    await asyncio.gather(*(vote(c, p, i % 3) for i, p in enumerate(people)))
    result = await tally.count(c, await workflow.electorate(c))
    assert result.turnout == 210 and [o.votes for o in result.options] == [70, 70, 70]
    assert await VoteSlot.filter(consultation=c).count() == 210


async def test_many_members_of_one_household_at_once_exactly_one_vote(seeded: str) -> None:
    c = await launch(per=Per.HOUSEHOLD)
    family = [await resident(f"m{i}", room="808") for i in range(8)]

    async def try_vote(person: Person) -> bool:
        try:
            await vote(c, person, 0)
        except Refusal as refused:
            assert refused.key == "votes.household_voted"
            return False
        return True

    results = await asyncio.gather(*(try_vote(p) for p in family))
    assert results.count(True) == 1
    assert await Ballot.filter(consultation=c).count() == 1
    assert (await tally.count(c, await workflow.electorate(c))).turnout == 1


async def test_those_yet_to_vote_are_reminded_once_a_day_before_the_close(seeded: str) -> None:
    c = await launch(per=Per.HOUSEHOLD)
    mother = await resident("mother", room="601")
    son = await resident("son", room="601")
    neighbour = await resident("neighbour", room="602")
    await vote(c, mother, 0)
    assert await workflow.sweep(T0 + 8 * DAY) == 0
    assert not await Notification.filter(key__contains=":reminder:").exists()  # not yet: two days left
    await asyncio.gather(*(workflow.sweep(T0 + 9 * DAY + dt.timedelta(hours=1)) for _ in range(3)))
    reminded = {n.person_id for n in await Notification.filter(key__contains=":reminder:")}
    assert reminded == {neighbour.id}  # the son's household has voted; once, however many workers
    assert mother.id not in reminded and son.id not in reminded


async def test_a_proposal_is_adopted_once(seeded: str) -> None:
    """Launching twice from one proposal: the second launch is refused and leaves nothing behind."""
    from handlers.votes.models import Proposal

    author = await resident("proposer")
    proposal = await workflow.propose(author, "建议小区装电动车充电桩", "t:proposal", T0)
    await launch(proposal_id=proposal.id)
    with pytest.raises(Refusal) as refused:
        await launch(proposal_id=proposal.id, title="再发一次")
    assert refused.value.key == "votes.proposal_done"
    assert await Consultation.filter(proposal_id=proposal.id).count() == 1
    assert (await Proposal.get(id=proposal.id)).status == "adopted"
