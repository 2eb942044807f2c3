"""Activities and surveys on the configured database: the waiting list's order, check-in into the service
record (counted apart from wishes), sealing and anonymity, one answer per household, and the quarterly
figures ``quarterly_satisfaction`` gives the console."""

from __future__ import annotations

import datetime as dt

import pytest

from handlers.activities import workflow as activities
from handlers.activities.models import Signup, SignupStatus
from handlers.common.rules import Refusal
from handlers.residents.workflow import bind_home, resolve_address
from handlers.surveys import queries as survey_queries
from handlers.surveys import workflow as surveys
from handlers.surveys.models import Per, QuestionKind, Survey, SurveyResponse
from handlers.surveys.queries import Question
from handlers.wishes import board
from handlers.wishes.models import ServiceRecord
from nlp.slots import Address
from storage.models import Community, Person, Role, RoleName

T0 = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
DAY = dt.timedelta(days=1)


async def resident(openid: str, room: str = "101", building: int = 3) -> Person:
    community = await Community.get(code="xingfuli")
    person = await Person.create(openid=openid, name=openid)
    await bind_home(person, await resolve_address(community, Address(building, 1, room)))
    return await Person.get(id=person.id)


async def activity(capacity: int = 1, **changes: object) -> int:
    spec = {
        "community": await Community.get(code="xingfuli"),
        "by": await Person.get(openid="demo-committee"),
        "title": "敬老院慰问演出",
        "place": "敬老院",
        "starts_at": T0 + 3 * DAY,
        "capacity": capacity,
    }
    spec.update(changes)
    return (await activities.publish(activities.CreateActivity(**spec), T0)).id  # type: ignore[arg-type]


async def test_the_waiting_list_keeps_its_order_and_a_return_goes_to_its_end(seeded: str) -> None:
    a = await activity(capacity=1)
    ann, bo, cy = [
        await resident(name, room) for name, room in (("ann", "101"), ("bo", "102"), ("cy", "201"))
    ]
    assert (await activities.sign_up(a, ann, T0)).status == SignupStatus.CONFIRMED
    assert (await activities.sign_up(a, bo, T0 + dt.timedelta(minutes=1))).status == SignupStatus.WAITING
    await activities.sign_up(a, cy, T0 + dt.timedelta(minutes=2))
    await activities.cancel(a, bo, T0 + dt.timedelta(minutes=3))  # bo leaves the queue...
    await activities.sign_up(a, bo, T0 + dt.timedelta(minutes=4))  # ...and comes back at its end
    promoted = await activities.cancel(a, ann, T0 + dt.timedelta(minutes=5))
    assert promoted is not None and promoted.person_id == cy.id
    bo_signup = await Signup.get(activity_id=a, person=bo)
    assert bo_signup.status == SignupStatus.WAITING
    with pytest.raises(Refusal) as refused:
        await activities.check_in(a, await Person.get(openid="demo-committee"), bo_signup.code, T0 + 3 * DAY)
    assert refused.value.key == "activities.checkin_waiting"
    with pytest.raises(Refusal) as late:
        await activities.cancel(a, cy, T0 + 3 * DAY)
    assert late.value.key == "activities.started"


async def test_attendance_enters_the_service_record_once_and_apart_from_wishes(seeded: str) -> None:
    a = await activity(capacity=5, volunteer_service=True, hours=3, points=40, audience="volunteers")
    helper = await resident("helper")
    with pytest.raises(Refusal):  # not a volunteer yet
        await activities.sign_up(a, helper, T0)
    await Role.create(person=helper, community=await Community.get(code="xingfuli"), role=RoleName.VOLUNTEER)
    code = (await activities.sign_up(a, helper, T0)).code
    staff = await Person.get(openid="demo-grid")
    done = await activities.check_in(a, staff, code, T0 + 3 * DAY)
    assert (done.hours, done.points) == (3, 40)
    with pytest.raises(Refusal):
        await activities.check_in(a, staff, code, T0 + 3 * DAY)
    record = await ServiceRecord.get(volunteer=helper)
    assert record.confirmed_as == "checkin" and record.confirmed_by_id == staff.id and record.wish_id is None
    ledger = await board.ledger_of(helper.id)
    assert (ledger.wishes, ledger.activities, ledger.hours, ledger.points) == (0, 1, 3, 40)
    assert ledger.records[0].activity_number.startswith("A2611-")
    [ranked] = await board.ranking((await Community.get(code="xingfuli")).id)
    assert (ranked.wishes, ranked.activities, ranked.hours) == (0, 1, 3)


QUESTIONS = (
    Question(QuestionKind.RATING, "物业服务", topic="property"),
    Question(QuestionKind.RATING, "居委会工作", topic="committee"),
    Question(QuestionKind.TEXT, "意见"),
)


async def test_sealed_anonymous_and_one_answer_per_household(seeded: str) -> None:
    community = await Community.get(code="xingfuli")
    s = await surveys.launch(
        surveys.LaunchSurvey(
            community=community,
            by=await Person.get(openid="demo-committee"),
            title="年中测评",
            questions=QUESTIONS,
            closes_at=T0 + 7 * DAY,
            per=Per.HOUSEHOLD,
        ),
        T0,
    )
    one, same_home, other = (
        await resident("h1", "301"),
        await resident("h2", "301"),
        await resident("h3", "302"),
    )
    await surveys.answer(s.id, one, [4, 5, "好"], T0, source_key="k1")
    with pytest.raises(Refusal) as refused:
        await surveys.answer(s.id, same_home, [1, 1, ""], T0, source_key="k2")
    assert refused.value.key == "surveys.household_answered"
    await surveys.answer(s.id, other, [2, 3, ""], T0, source_key="k3")
    assert await SurveyResponse.filter(survey=s, person_id__not_isnull=True).count() == 0
    with pytest.raises(Refusal) as sealed:
        await survey_queries.results(s.id)
    assert sealed.value.key == "surveys.sealed"
    with pytest.raises(Refusal):
        await survey_queries.turnout(s.id, one)  # a resident sees no turnout either
    await surveys.sweep(T0 + 7 * DAY)
    published = await survey_queries.results(s.id)
    assert published.result is not None and published.result.responses == 2
    assert published.result.questions[2].texts == ("好",)


async def test_quarterly_satisfaction_for_the_figures(seeded: str) -> None:
    q1 = dt.datetime(2027, 1, 2, 10, 0, tzinfo=T0.tzinfo)
    assert await surveys.open_quarterly(q1) == 2  # both demo communities
    assert await surveys.open_quarterly(q1) == 0
    xingfuli = await Community.get(code="xingfuli")
    s = await Survey.get(community=xingfuli, standing_key__startswith="quarterly:2027Q1:")
    questions = len(s.questions)
    for i, (prop, comm) in enumerate(((5, 4), (3, 4), (4, 2))):
        voter = await resident(f"q{i}", f"40{i + 1}")
        given: list[surveys.Answer] = [prop, prop, prop, prop, comm, comm, 0, [1], ""]
        assert len(given) == questions
        await surveys.answer(s.id, voter, given, q1, source_key=f"q{i}")
    window = (dt.datetime(2027, 1, 1, tzinfo=T0.tzinfo), dt.datetime(2027, 4, 1, tzinfo=T0.tzinfo))
    assert await survey_queries.quarterly_satisfaction([xingfuli.id], *window) == []  # sealed: nothing yet
    await surveys.sweep(s.closes_at + dt.timedelta(minutes=1))
    [found] = await survey_queries.quarterly_satisfaction([xingfuli.id], *window)
    assert found.quarter == "2027Q1" and found.responses == 3
    assert found.scores == {"property": 4.0, "committee": 3.33}
