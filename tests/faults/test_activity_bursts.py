"""Bursts on activities and surveys, through the API on the configured database (PostgreSQL in the second
pass of the suite): many residents signing up for a few places in the same instant, then many of those with
a place cancelling at once (exactly ``capacity`` confirmed, the rest waiting in order, nobody lost, each
place given back taken by exactly one from the waiting list); two members of every household answering a
household survey at once (one answer each)."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import Counter

from bot.api.server import SERVICES
from bot.api.sessions import create_session
from bot.app import china_now
from handlers.activities import workflow
from handlers.activities.models import Signup, SignupStatus
from handlers.surveys import workflow as surveys
from handlers.surveys.models import Per, QuestionKind, SurveyResponse, SurveySlot
from handlers.surveys.queries import Question
from storage.models import Community, Notification, Person
from tests.e2e.conftest import MakeSim

API = "/api/v1"
CAPACITY = 20
PEOPLE = 80


async def test_a_burst_of_sign_ups_fills_exactly_the_places(make_sim: MakeSim) -> None:
    sim = await make_sim("safe")
    api = sim.client
    store = api.server.app[SERVICES].store
    community = await Community.get(code="xingfuli")
    a = await workflow.publish(
        workflow.CreateActivity(
            community=community,
            by=await Person.get(openid="demo-committee"),
            title="邻里节百家宴",
            place="社区广场",
            starts_at=china_now() + dt.timedelta(days=5),
            capacity=CAPACITY,
        ),
        china_now(),
    )
    tokens: list[str] = []
    token_of: dict[int, str] = {}
    for i in range(PEOPLE):
        person = await Person.create(openid=f"burst-act-{i}", name=f"居民{i}")
        token = await create_session(store, person.id, 3600)
        bound = await api.put(
            f"{API}/me/home",
            headers={"Authorization": f"Bearer {token}"},
            json={
                "community": "xingfuli",
                "building": 4,
                "unit": 1 + i % 3,
                "room": f"{1 + i // 6}0{1 + i % 2}",
            },
        )
        assert bound.status == 200, await bound.text()
        tokens.append(token)
        token_of[person.id] = token

    async def sign_up(token: str) -> tuple[int, str]:
        response = await api.post(
            f"{API}/activities/{a.id}/signups", headers={"Authorization": f"Bearer {token}"}
        )
        body = await response.json()
        return response.status, str(body.get("status", ""))

    results = await asyncio.gather(*(sign_up(t) for t in tokens))
    assert {status for status, _ in results} == {201}, Counter(status for status, _ in results)
    assert Counter(kind for _, kind in results) == {"confirmed": CAPACITY, "waiting": PEOPLE - CAPACITY}
    rows = await Signup.filter(activity=a)
    assert len(rows) == PEOPLE and len({r.person_id for r in rows}) == PEOPLE  # nobody lost, nobody twice
    assert len({r.code for r in rows}) == PEOPLE  # every code tells one person
    queue = [
        r.id for r in sorted(rows, key=lambda r: (r.queued_at, r.id)) if r.status == SignupStatus.WAITING
    ]

    # ten with a place cancel at once: each place goes to exactly one, in the waiting list's order
    confirmed = [r.person_id for r in rows if r.status == SignupStatus.CONFIRMED]
    leaving = [token_of[p] for p in confirmed[:10]]

    async def cancel(token: str) -> int:
        response = await api.delete(
            f"{API}/activities/{a.id}/signups/mine", headers={"Authorization": f"Bearer {token}"}
        )
        return response.status

    assert set(await asyncio.gather(*(cancel(t) for t in leaving))) == {200}
    after = {r.id: r for r in await Signup.filter(activity=a)}
    counted = Counter(r.status for r in after.values())
    assert counted == {"confirmed": CAPACITY, "waiting": PEOPLE - CAPACITY - 10, "cancelled": 10}
    promoted = [sid for sid in queue if after[sid].status == SignupStatus.CONFIRMED]
    assert promoted == queue[:10]  # the first ten in line, nobody jumped the queue
    assert await Notification.filter(key__startswith=f"activity:{a.id}:promoted").count() == 10


async def test_a_burst_of_household_survey_answers_counts_each_household_once(make_sim: MakeSim) -> None:
    sim = await make_sim("safe")
    api = sim.client
    store = api.server.app[SERVICES].store
    homes = [(5, unit, f"{floor}01") for unit in (1, 2) for floor in range(1, 16)]
    tokens = []
    for index, (building, unit, room) in enumerate(homes):
        for member in range(2):  # two members of every household answer at once
            person = await Person.create(openid=f"burst-sv-{index}-{member}", name=f"居民{index}-{member}")
            token = await create_session(store, person.id, 3600)
            bound = await api.put(
                f"{API}/me/home",
                headers={"Authorization": f"Bearer {token}"},
                json={"community": "xingfuli", "building": building, "unit": unit, "room": room},
            )
            assert bound.status == 200, await bound.text()
            tokens.append(token)
    s = await surveys.launch(
        surveys.LaunchSurvey(
            community=await Community.get(code="xingfuli"),
            by=await Person.get(openid="demo-committee"),
            title="5栋环境满意度",
            questions=(Question(QuestionKind.RATING, "楼道保洁"),),
            closes_at=china_now() + dt.timedelta(days=3),
            per=Per.HOUSEHOLD,
            buildings=(5,),
        ),
        china_now(),
    )

    async def answer(i: int, token: str) -> int:
        response = await api.post(
            f"{API}/surveys/{s.id}/responses",
            headers={"Authorization": f"Bearer {token}"},
            json={"answers": [1 + i % 5], "client_key": f"burst-answer-{i:04d}"},
        )
        return response.status

    statuses = await asyncio.gather(*(answer(i, t) for i, t in enumerate(tokens)))
    assert set(statuses) <= {201, 409}, sorted(set(statuses))
    assert statuses.count(201) == len(homes)  # one member of each household, the other refused
    assert await SurveySlot.filter(survey_id=s.id).count() == len(homes)
    assert await SurveyResponse.filter(survey_id=s.id).count() == len(homes)  # no answer without its slot
