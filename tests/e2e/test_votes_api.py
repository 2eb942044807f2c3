"""Consultations through the mini-program API: launch, vote, proxy, sealed until the close, the published
result with its log and check, extend, cancel, proposals; who may do what."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from bot.app import china_now
from handlers.votes import workflow
from handlers.votes.models import Ballot, Consultation
from storage.models import Notification, Person
from tests.e2e.conftest import MakeSim
from tests.e2e.test_tickets_api import resident, staff_token

API = "/api/v1"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
async def api(make_sim: MakeSim) -> TestClient[Any, Any]:
    return (await make_sim("safe")).client


def launch_body(**changes: Any) -> dict[str, Any]:
    body = {
        "title": "3栋加装电梯方案",
        "background": "政府补贴一部分，其余按楼层分摊。",
        "options": ["同意", "不同意", "弃权"],
        "buildings": [3],
        "per": "household",
        "closes_at": (china_now() + dt.timedelta(days=10)).isoformat(),
        "quorum": 0.5,
        "rule": "two_thirds",
        "approve_option": 0,
    }
    return {**body, **changes}


async def launched(api: TestClient[Any, Any], committee: str, **changes: Any) -> dict[str, Any]:
    response = await api.post(
        f"{API}/communities/xingfuli/consultations", headers=bearer(committee), json=launch_body(**changes)
    )
    assert response.status == 201, await response.text()
    found: dict[str, Any] = await response.json()
    return found


async def ballot(
    api: TestClient[Any, Any],
    token: str,
    cid: int,
    choices: list[int],
    key: str,
    status: int = 201,
    **more: Any,
) -> dict[str, Any]:
    response = await api.post(
        f"{API}/consultations/{cid}/ballots",
        headers=bearer(token),
        json={"choices": choices, "client_key": key, **more},
    )
    assert response.status == status, await response.text()
    found: dict[str, Any] = await response.json()
    return found


async def test_launch_vote_seal_close_publish_verify(api: TestClient[Any, Any]) -> None:
    committee = await staff_token(api, "demo-committee")
    voters = [await resident(api, f"r{i}", f"1390000000{i}") for i in range(3)]  # all 3栋2单元502: one home
    c = await launched(api, committee)
    assert c["status"] == "open" and c["result"] is None and c["rule_label"] == "三分之二以上通过"
    assert (
        await Notification.filter(key__startswith=f"consultation:{c['id']}:votes.told_launched").count() == 3
    )

    mine = await (await api.get(f"{API}/consultations/mine", headers=bearer(voters[0]))).json()
    assert [i["id"] for i in mine["items"]] == [c["id"]] and mine["items"][0]["my_choices"] is None
    first = await ballot(api, voters[0], c["id"], [0], "key-00001")
    again = await ballot(api, voters[0], c["id"], [0], "key-00001")  # delivered twice: one ballot
    assert first == again and await Ballot.all().count() == 1
    refused = await ballot(api, voters[1], c["id"], [1], "key-00002", status=409)  # the same household
    assert "一户一票" in refused["error"]["message"] and "r0" not in str(refused)
    await ballot(api, voters[0], c["id"], [1], "key-00003")  # changed: the newest counts
    mine = await (await api.get(f"{API}/consultations/mine", headers=bearer(voters[0]))).json()
    assert mine["items"][0]["my_choices"] == [1]

    # sealed: no counts anywhere before the close, not even for the committee
    for path in (f"/consultations/{c['id']}/ballots", f"/consultations/{c['id']}/verify"):
        assert (await api.get(API + path, headers=bearer(committee))).status == 409
    public = await (await api.get(f"{API}/consultations/{c['id']}")).json()
    assert public["result"] is None
    took_part = await (
        await api.get(f"{API}/consultations/{c['id']}/participants", headers=bearer(committee))
    ).json()
    assert took_part["turnout"] == 1 and took_part["items"][0]["address"].endswith("3栋2单元502")
    assert "choices" not in str(took_part) and "不同意" not in str(took_part)
    assert (
        await api.get(f"{API}/consultations/{c['id']}/participants", headers=bearer(voters[0]))
    ).status == 403

    await workflow.sweep(china_now() + dt.timedelta(days=11))
    closed = await (await api.get(f"{API}/consultations/{c['id']}")).json()
    result = closed["result"]
    assert closed["status"] == "closed" and result["turnout"] == 1 and result["eligible"] == 1
    assert [o["votes"] for o in result["options"]] == [0, 1, 0] and result["passed"] is False
    log = await (await api.get(f"{API}/consultations/{c['id']}/ballots")).json()
    assert [(e["choices"], e["counted"]) for e in log["items"]] == [([0], False), ([1], True)]
    assert log["digest"] == result["digest"]
    assert (await (await api.get(f"{API}/consultations/{c['id']}/verify")).json())["valid"] is True
    # a ballot changed behind everyone's back is caught by the published digest
    await Ballot.filter(consultation_id=c["id"], choices=[1]).update(choices=[0])
    assert (await (await api.get(f"{API}/consultations/{c['id']}/verify")).json())["valid"] is False


async def test_a_grid_worker_records_a_vote_for_an_elder_without_a_phone(api: TestClient[Any, Any]) -> None:
    committee = await staff_token(api, "demo-committee")
    c = await launched(api, committee, per="person", buildings=[])
    grid = await staff_token(api, "demo-grid")
    elder = {"building": 4, "unit": 1, "room": "101", "name": "李奶奶"}
    recorded = await ballot(api, grid, c["id"], [0], "proxy-0001", for_resident=elder)
    assert recorded["proxy"] is True and recorded["labels"] == ["同意"]
    person = await Person.get(name="李奶奶")
    assert person.openid is None and person.home_id is not None
    saved = await Ballot.get(consultation_id=c["id"])
    assert (saved.voter_id, saved.proxy_by_id) == (person.id, (await Person.get(openid="demo-grid")).id)
    took_part = await (
        await api.get(f"{API}/consultations/{c['id']}/participants", headers=bearer(committee))
    ).json()
    assert took_part["items"] == [
        {"name": "李奶奶", "address": "幸福里社区 4栋1单元101", "recorded_by": "张网格"}
    ]
    neighbour = await resident(api)
    await ballot(api, neighbour, c["id"], [0], "proxy-0002", status=403, for_resident=elder)


async def test_who_may_launch_and_what_is_checked(api: TestClient[Any, Any]) -> None:
    token = await resident(api)
    for caller in (token, await staff_token(api, "demo-grid"), await staff_token(api, "demo-hp-committee")):
        response = await api.post(
            f"{API}/communities/xingfuli/consultations", headers=bearer(caller), json=launch_body()
        )
        assert response.status == 403
    committee = await staff_token(api, "demo-committee")
    for bad in (
        {"buildings": [99]},
        {"options": ["同意", "同意"]},
        {"closes_at": (china_now() - dt.timedelta(days=1)).isoformat()},
        {"approve_option": 5},
        {"max_choices": 2},  # with an approve option
    ):
        response = await api.post(
            f"{API}/communities/xingfuli/consultations", headers=bearer(committee), json=launch_body(**bad)
        )
        assert response.status == 422, bad
    assert await Consultation.all().count() == 0


async def test_extend_and_cancel_are_told_with_their_reason(api: TestClient[Any, Any]) -> None:
    token = await resident(api)
    committee = await staff_token(api, "demo-committee")
    c = await launched(api, committee)
    later = (china_now() + dt.timedelta(days=20)).isoformat()
    extended = await api.post(
        f"{API}/consultations/{c['id']}/extend",
        headers=bearer(committee),
        json={"closes_at": later, "reason": "参与的户数还不够"},
    )
    assert extended.status == 200 and (await extended.json())["status_note"] == "参与的户数还不够"
    me = await Person.get(openid="r1")
    assert await Notification.filter(person=me, text__contains="参与的户数还不够").exists()
    earlier = {"closes_at": china_now().isoformat(), "reason": "提前"}
    assert (
        await api.post(f"{API}/consultations/{c['id']}/extend", headers=bearer(committee), json=earlier)
    ).status == 422
    assert (
        await api.post(
            f"{API}/consultations/{c['id']}/cancel", headers=bearer(token), json={"reason": "不想投"}
        )
    ).status == 403
    cancelled = await api.post(
        f"{API}/consultations/{c['id']}/cancel",
        headers=bearer(committee),
        json={"reason": "方案需要重新设计"},
    )
    assert (await cancelled.json())["status"] == "cancelled"
    assert await Notification.filter(person=me, text__contains="方案需要重新设计").exists()
    await ballot(api, token, c["id"], [0], "late-0001", status=409)


async def test_proposals_become_consultations_or_are_answered(api: TestClient[Any, Any]) -> None:
    token = await resident(api)
    committee = await staff_token(api, "demo-committee")
    made = await api.post(
        f"{API}/proposals",
        headers=bearer(token),
        json={"text": "建议在3栋门口加装充电桩", "client_key": "prop-0001"},
    )
    other = await api.post(
        f"{API}/proposals",
        headers=bearer(token),
        json={"text": "建议广场舞晚上九点前结束", "client_key": "prop-0002"},
    )
    first, second = await made.json(), await other.json()
    listed = await (
        await api.get(f"{API}/communities/xingfuli/proposals?status=new", headers=bearer(committee))
    ).json()
    assert listed["total"] == 2
    assert (await api.get(f"{API}/communities/xingfuli/proposals", headers=bearer(token))).status == 403
    await launched(api, committee, title="3栋门口加装充电桩", proposal_id=first["id"])
    dismissed = await api.post(
        f"{API}/proposals/{second['id']}/dismiss",
        headers=bearer(committee),
        json={"reason": "已写入居民公约"},
    )
    assert (await dismissed.json())["status"] == "dismissed"
    me = await Person.get(openid="r1")
    assert await Notification.filter(person=me, text__contains="已被社区采纳").exists()
    assert await Notification.filter(person=me, text__contains="已写入居民公约").exists()


async def test_text_with_control_characters_is_refused_not_a_500(api: TestClient[Any, Any]) -> None:
    token = await resident(api)
    for text in ("建议\x00加装充电桩", "建议\x1b[31m加装"):
        response = await api.post(
            f"{API}/proposals", headers=bearer(token), json={"text": text, "client_key": "ctrl-0001"}
        )
        assert response.status == 400, await response.text()
    ok = await api.post(
        f"{API}/proposals",
        headers=bearer(token),
        json={"text": "建议\n加装充电桩\t两个", "client_key": "ctrl-0002"},
    )
    assert ok.status == 201


async def test_the_committee_undoes_a_home_taken_to_vote_first(api: TestClient[Any, Any]) -> None:
    # someone binds to another family's home (no register yet: nothing to check against) and votes first
    committee = await staff_token(api, "demo-committee")
    c = await launched(api, committee)
    squatter = await resident(api, "r-squat", "13800000009")
    await ballot(api, squatter, c["id"], [1], "squat-0001")
    family = await resident(api, "r-family", "13800000010")
    await ballot(api, family, c["id"], [0], "family-0001", status=409)  # "your household has voted"
    from handlers.register.models import Binding

    taken = await Binding.get(person__openid="r-squat")
    for caller in (squatter, family, await staff_token(api, "demo-grid")):
        refused = await api.post(
            f"{API}/bindings/{taken.id}/revoke", headers=bearer(caller), json={"reason": "不是这户的住户"}
        )
        assert refused.status == 403
    revoked = await api.post(
        f"{API}/bindings/{taken.id}/revoke",
        headers=bearer(committee),
        json={"reason": "经核实不是这户的住户"},
    )
    assert revoked.status == 200, await revoked.text()
    assert (await Person.get(openid="r-squat")).home_id is None
    assert await Notification.filter(person__openid="r-squat", text__contains="经核实不是这户").exists()
    await ballot(api, family, c["id"], [0], "family-0002")  # the family's own vote now
    took_part = await (
        await api.get(f"{API}/consultations/{c['id']}/participants", headers=bearer(committee))
    ).json()
    assert took_part["turnout"] == 1
    await workflow.sweep(china_now() + dt.timedelta(days=11))
    log = await (await api.get(f"{API}/consultations/{c['id']}/ballots")).json()
    # every ballot stays in the published log; the voided one and the void itself are not counted
    assert [(e["choices"], e["counted"]) for e in log["items"]] == [([1], False), ([], False), ([0], True)]
    assert (await (await api.get(f"{API}/consultations/{c['id']}/verify")).json())["valid"] is True


async def test_a_home_bound_by_mistake_and_undone_leaves_its_person_their_own_household_vote(
    api: TestClient[Any, Any],
) -> None:
    # 502 instead of 501: the committee undoes it and the vote cast from 502 counts for nothing; the
    # person bound to their real home votes for it, once
    committee = await staff_token(api, "demo-committee")
    c = await launched(api, committee)
    mistaken = await resident(api, "r-mistake", "13800000011")
    await ballot(api, mistaken, c["id"], [1], "mistake-0001")
    from handlers.register.models import Binding

    taken = await Binding.get(person__openid="r-mistake")
    revoked = await api.post(
        f"{API}/bindings/{taken.id}/revoke", headers=bearer(committee), json={"reason": "房号填错了"}
    )
    assert revoked.status == 200, await revoked.text()
    home = {"community": "xingfuli", "building": 3, "unit": 2, "room": "501"}
    assert (await api.put(f"{API}/me/home", headers=bearer(mistaken), json=home)).status == 200
    await ballot(api, mistaken, c["id"], [0], "mistake-0002")
    await ballot(api, mistaken, c["id"], [2], "mistake-0003")  # and may change it, as anyone may
    await workflow.sweep(china_now() + dt.timedelta(days=11))
    log = await (await api.get(f"{API}/consultations/{c['id']}/ballots")).json()
    assert [e["counted"] for e in log["items"]] == [False, False, False, True]
    assert (await (await api.get(f"{API}/consultations/{c['id']}/verify")).json())["valid"] is True
