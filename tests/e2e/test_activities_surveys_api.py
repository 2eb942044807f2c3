"""Activities and surveys through the mini-program API: create, sign up, wait, cancel (the first waiting
moves up), check in (into the service record); launch a survey, answer it all at once, once per household,
sealed until the close, then published; who may do what."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from bot.app import china_now
from handlers.surveys import workflow as surveys
from handlers.surveys.models import Survey
from storage.models import Notification, Person
from tests.e2e.conftest import MakeSim
from tests.e2e.test_api import token_for
from tests.e2e.test_tickets_api import staff_token

API = "/api/v1"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
async def api(make_sim: MakeSim) -> TestClient[Any, Any]:
    return (await make_sim("safe")).client


async def resident_at(api: TestClient[Any, Any], openid: str, room: str, building: int = 3) -> str:
    person = await Person.create(openid=openid, name=f"居民{openid}")
    bound = await api.put(
        f"{API}/me/home",
        headers=bearer(await token_for(api, person)),
        json={"community": "xingfuli", "building": building, "unit": 1, "room": room},
    )
    assert bound.status == 200, await bound.text()
    return await token_for(api, await Person.get(id=person.id))


def activity_body(**changes: Any) -> dict[str, Any]:
    starts = china_now() + dt.timedelta(days=3)
    body = {
        "title": "河道清洁志愿活动",
        "place": "东门集合",
        "starts_at": starts.isoformat(),
        "capacity": 1,
        "volunteer_service": True,
        "hours": 2,
    }
    return {**body, **changes}


async def test_activity_sign_up_wait_cancel_and_check_in(api: TestClient[Any, Any]) -> None:
    grid = await staff_token(api, "demo-grid")
    first, second = await resident_at(api, "a1", "101"), await resident_at(api, "a2", "102")
    refused = await api.post(
        f"{API}/communities/xingfuli/activities", headers=bearer(first), json=activity_body()
    )
    assert refused.status == 403
    made = await api.post(
        f"{API}/communities/xingfuli/activities", headers=bearer(grid), json=activity_body()
    )
    assert made.status == 201, await made.text()
    a = await made.json()
    assert a["number"].startswith("A") and a["points"] == 20 and a["confirmed"] == 0
    public = await (await api.get(f"{API}/communities/xingfuli/activities")).json()
    assert [x["id"] for x in public["items"]] == [a["id"]]
    listed = await (await api.get(f"{API}/activities/open", headers=bearer(first))).json()
    assert [x["number"] for x in listed["items"]] == [a["number"]]

    got = await api.post(f"{API}/activities/{a['id']}/signups", headers=bearer(first))
    mine = await got.json()
    assert got.status == 201 and mine["status"] == "confirmed" and len(mine["code"]) == 4
    again = await api.post(f"{API}/activities/{a['id']}/signups", headers=bearer(first))
    assert again.status == 409
    waits = await (await api.post(f"{API}/activities/{a['id']}/signups", headers=bearer(second))).json()
    assert waits["status"] == "waiting" and waits["position"] == 1

    gone = await api.delete(f"{API}/activities/{a['id']}/signups/mine", headers=bearer(first))
    assert gone.status == 200
    moved = await (await api.get(f"{API}/me/signups", headers=bearer(second))).json()
    assert moved["items"][0]["status"] == "confirmed"
    assert await Notification.filter(key__startswith=f"activity:{a['id']}:promoted").count() == 1

    roster = await api.get(f"{API}/activities/{a['id']}/signups", headers=bearer(grid))
    assert (await roster.json())["items"][0]["name"] == "居民a2"
    assert (await api.get(f"{API}/activities/{a['id']}/signups", headers=bearer(second))).status == 403
    code = moved["items"][0]["code"]
    early = await api.post(f"{API}/activities/{a['id']}/checkins", headers=bearer(grid), json={"code": code})
    assert early.status == 422  # the check-in opens a few hours before the start


async def test_survey_once_per_household_sealed_then_published(api: TestClient[Any, Any]) -> None:
    committee = await staff_token(api, "demo-committee")
    body = {
        "title": "社区工作满意度",
        "questions": [
            {"kind": "rating", "text": "您对居委会工作的总体满意度", "topic": "committee"},
            {"kind": "single", "text": "您常参加社区活动吗", "options": ["经常", "偶尔", "从不"]},
            {"kind": "text", "text": "意见建议"},
        ],
        "per": "household",
        "closes_at": (china_now() + dt.timedelta(days=5)).isoformat(),
    }
    first = await resident_at(api, "s1", "201")
    family = await resident_at(api, "s2", "201")
    neighbour = await resident_at(api, "s3", "202")
    assert (
        await api.post(f"{API}/communities/xingfuli/surveys", headers=bearer(first), json=body)
    ).status == 403
    made = await api.post(f"{API}/communities/xingfuli/surveys", headers=bearer(committee), json=body)
    assert made.status == 201, await made.text()
    s = await made.json()

    async def answer(token: str, answers: list[Any], key: str) -> int:
        response = await api.post(
            f"{API}/surveys/{s['id']}/responses",
            headers=bearer(token),
            json={"answers": answers, "client_key": key},
        )
        return response.status

    assert await answer(first, [5, 0, "多办些老年活动，联系我13912345678"], "key-first-1") == 201
    assert await answer(first, [5, 0, "多办些老年活动，联系我13912345678"], "key-first-1") == 201  # the same
    assert await answer(family, [1, 2, None], "key-family-1") == 409  # one answer per household
    assert await answer(neighbour, [6, 0, ""], "key-neigh-1") == 422  # a rating is 1 to 5
    assert await answer(neighbour, [2, 1, ""], "key-neigh-2") == 201
    opened = await (await api.get(f"{API}/surveys/open", headers=bearer(family))).json()
    assert opened["items"][0]["answered"] is True
    assert (await api.get(f"{API}/surveys/{s['id']}/results")).status == 409  # sealed until the close
    assert (await (await api.get(f"{API}/surveys/{s['id']}")).json())["result"] is None
    turnout = await (await api.get(f"{API}/surveys/{s['id']}/turnout", headers=bearer(committee))).json()
    assert turnout["answered"] == 2

    survey = await Survey.get(id=s["id"])
    await surveys.close(survey, china_now())
    result = await (await api.get(f"{API}/surveys/{s['id']}/results")).json()
    assert result["responses"] == 2
    rating, choice, text = result["questions"]
    assert rating["average"] == 3.5 and rating["counts"] == [0, 1, 0, 0, 1]
    assert choice["counts"] == [1, 1, 0]
    assert text["texts"] == ["多办些老年活动，联系我***"]  # without names, the number masked


async def test_check_in_through_the_api_enters_the_service_record(api: TestClient[Any, Any]) -> None:
    committee = await staff_token(api, "demo-committee")
    volunteer = await staff_token(api, "demo-volunteer")
    soon = (china_now() + dt.timedelta(hours=1)).isoformat()
    body = activity_body(starts_at=soon, capacity=5, audience="volunteers", hours=1.5)
    a = await (
        await api.post(f"{API}/communities/xingfuli/activities", headers=bearer(committee), json=body)
    ).json()
    code = (await (await api.post(f"{API}/activities/{a['id']}/signups", headers=bearer(volunteer))).json())[
        "code"
    ]
    wrong = "0000" if code != "0000" else "0001"
    missing = await api.post(
        f"{API}/activities/{a['id']}/checkins", headers=bearer(committee), json={"code": wrong}
    )
    assert missing.status == 404
    done = await api.post(
        f"{API}/activities/{a['id']}/checkins", headers=bearer(committee), json={"code": code}
    )
    assert done.status == 201 and (await done.json()) == {
        "name": "赵阿姨",
        "activity": a["number"],
        "hours": 1.5,
        "points": 15,
    }
    again = await api.post(
        f"{API}/activities/{a['id']}/checkins", headers=bearer(committee), json={"code": code}
    )
    assert again.status == 409
    ledger = await (await api.get(f"{API}/me/service-records", headers=bearer(volunteer))).json()
    assert ledger["activities"] == 1 and ledger["wishes"] == 0 and ledger["hours"] == 1.5
    assert (
        ledger["items"][0]["activity_number"] == a["number"]
        and ledger["items"][0]["confirmed_as"] == "checkin"
    )
    export = await api.get(f"{API}/communities/xingfuli/service-records.csv", headers=bearer(committee))
    assert a["number"] in (await export.read()).decode("utf-8-sig")
