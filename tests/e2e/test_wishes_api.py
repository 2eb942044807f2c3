"""Wishes through the mini-program API: post, review, the public board, claim, fulfil, confirm, the
service record and its export, the public summary; who may do what, and what the public never sees."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from bot.app import china_now
from handlers.wishes.models import Wish
from storage.models import Community, Person, Role, RoleName
from tests.e2e.conftest import MakeSim
from tests.e2e.test_api import bearer, token_for
from tests.e2e.test_tickets_api import resident, staff_token

API = "/api/v1"
WISH = {
    "description": "周六想找人陪我妈去市一院复查，我家在3栋2单元502，电话13912345678",
    "beneficiary": "family",
    "relation": "母亲",
    "wanted_by": (china_now().date() + dt.timedelta(days=4)).isoformat(),
    "display_name": "王女士",
    "client_key": "wish-0001",
}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
async def api(make_sim: MakeSim) -> TestClient[Any, Any]:
    return (await make_sim("safe")).client


async def post(api: TestClient[Any, Any], token: str, **changes: Any) -> dict[str, Any]:
    response = await api.post(f"{API}/wishes", headers=bearer(token), json={**WISH, **changes})
    assert response.status == 201, await response.text()
    body: dict[str, Any] = await response.json()
    return body


async def act(
    api: TestClient[Any, Any], token: str, wish_id: int, action: str, status: int = 200, **body: Any
) -> dict[str, Any]:
    response = await api.post(f"{API}/wishes/{wish_id}/{action}", headers=bearer(token), json=body)
    assert response.status == status, await response.text()
    found: dict[str, Any] = await response.json()
    return found


async def test_the_whole_loop(api: TestClient[Any, Any]) -> None:
    token = await resident(api)
    wish = await post(api, token)
    again = await post(api, token)  # the same client key: one wish
    assert again["id"] == wish["id"] and await Wish.all().count() == 1
    assert wish["status"] == "submitted" and wish["category"] == "escort"
    assert "13912345678" not in wish["public_text"] and "502" not in wish["public_text"]
    assert set(wish["flags"]) == {"phone", "address"}

    committee = await staff_token(api, "demo-committee")
    review = await api.get(f"{API}/communities/xingfuli/wishes?status=submitted", headers=bearer(committee))
    listed = await review.json()
    assert listed["total"] == 1 and listed["items"][0]["resident"]["phone"] == "13912345678"
    await act(api, committee, wish["id"], "approve")

    board = await (await api.get(f"{API}/communities/xingfuli/wish-board")).json()  # public: no token
    assert board["total"] == 1
    shown = board["items"][0]
    assert shown["shown_as"] == "王女士" and shown["for_family"] is True
    assert "13912345678" not in str(board) and "2单元502" not in str(board) and "母亲" not in str(board)

    volunteer = await staff_token(api, "demo-volunteer")
    claimed = await act(api, volunteer, wish["id"], "claim", team="第三党支部")
    assert claimed["status"] == "claimed" and claimed["resident"]["phone"] == "13912345678"
    assert claimed["claim"]["team"] == "第三党支部"
    assert (await api.get(f"{API}/communities/xingfuli/wish-board")).status == 200
    assert (await (await api.get(f"{API}/communities/xingfuli/wish-board")).json())["total"] == 0
    await act(api, volunteer, wish["id"], "contacted")
    photo = await api.post(
        f"{API}/wishes/{wish['id']}/photos",
        headers={**bearer(volunteer), "Content-Type": "image/png"},
        data=PNG,
    )
    assert photo.status == 201
    await act(api, volunteer, wish["id"], "fulfil", status=422, note="陪同复查")  # hours are needed
    done = await act(api, volunteer, wish["id"], "fulfil", note="陪阿姨复查，一切正常", hours=2.5)
    assert done["status"] == "fulfilled" and done["photos"]

    await act(api, token, wish["id"], "confirm", status=422)  # a rating is needed
    thanks = "谢谢赵阿姨，以后有事打我电话13912345678"
    confirmed = await act(api, token, wish["id"], "confirm", rating=5, note=thanks, story_consent=True)
    assert confirmed["status"] == "confirmed" and confirmed["thanks"] == thanks  # her own wish: as written

    ledger = await (await api.get(f"{API}/me/service-records", headers=bearer(volunteer))).json()
    assert (ledger["wishes"], ledger["hours"], ledger["points"]) == (1, 2.5, 30)
    assert ledger["items"][0]["confirmed_as"] == "resident"

    summary = await (await api.get(f"{API}/communities/xingfuli/wishes/summary")).json()
    assert (summary["received"], summary["fulfilled"], summary["volunteers_served"]) == (1, 1, 1)
    story = summary["stories"][0]
    assert (story["shown_as"], story["served_by"], story["team"]) == ("王女士", ["赵阿姨"], "第三党支部")
    assert story["thanks"] == "谢谢赵阿姨，以后有事打我电话***"  # published: the phone masked
    assert "13912345678" not in str(summary) and "2单元502" not in str(summary)

    export = await api.get(f"{API}/communities/xingfuli/service-records.csv", headers=bearer(committee))
    assert export.status == 200 and export.content_type == "text/csv"
    rows = list(csv.reader(io.StringIO((await export.read()).decode("utf-8-sig"))))
    assert rows[0][1] == "志愿者" and rows[1][1] == "赵阿姨" and rows[1][6] == "2.5" and rows[1][7] == "30"


async def test_who_may_do_what(api: TestClient[Any, Any]) -> None:
    token = await resident(api)
    wish = await post(api, token)
    other = await resident(api, "r2", "13800000002")
    volunteer = await staff_token(api, "demo-volunteer")
    committee = await staff_token(api, "demo-committee")
    elsewhere = await staff_token(api, "demo-hp-committee")  # the committee of another community

    # the resident sees their wish but cannot review it; to anyone who cannot see it (another resident, a
    # volunteer before it is on the board, another community's committee) it does not exist: one rule with
    # tickets, so that a wish's existence is not given away by 403 against 404
    await act(api, token, wish["id"], "approve", status=403)
    for caller in (other, volunteer, elsewhere):
        await act(api, caller, wish["id"], "approve", status=404)
        await act(api, caller, wish["id"], "withdraw", status=404)
        await act(api, caller, 999_999, "withdraw", status=404)
    assert (await api.get(f"{API}/wishes/{wish['id']}", headers=bearer(other))).status == 404
    await act(api, volunteer, wish["id"], "claim", status=404)  # not on the board yet: unknown to them
    await act(api, committee, wish["id"], "approve")
    await act(api, other, wish["id"], "claim", status=403)  # not a volunteer
    await act(api, token, wish["id"], "claim", status=403)
    await act(api, volunteer, wish["id"], "claim")
    second = await staff_token(api, "demo-committee")
    await act(api, second, wish["id"], "claim", status=403)  # committee members are not claimers
    await act(api, committee, wish["id"], "fulfil", status=403, hours=1, note="x")
    for caller in (token, committee):  # a photo of the service is the active claimer's only
        photo = await api.post(
            f"{API}/wishes/{wish['id']}/photos",
            headers={**bearer(caller), "Content-Type": "image/png"},
            data=PNG,
        )
        assert photo.status == 403 and "不是您正在认领的" in (await photo.json())["error"]["message"]
    await act(api, token, wish["id"], "confirm", status=409, rating=5)  # not fulfilled yet
    # the listings of one community are the committee's only
    for caller in (token, volunteer, elsewhere):
        listed = await api.get(f"{API}/communities/xingfuli/wishes", headers=bearer(caller))
        assert listed.status == 403
        export = await api.get(f"{API}/communities/xingfuli/service-records.csv", headers=bearer(caller))
        assert export.status == 403


async def test_ask_changes_revise_and_approve_an_edited_text(api: TestClient[Any, Any]) -> None:
    token = await resident(api)
    wish = await post(api, token, description="希望有人借钱给我买个轮椅", relation="", beneficiary="self")
    committee = await staff_token(api, "demo-committee")
    refused = await act(api, committee, wish["id"], "approve", status=422)
    assert "借钱" in refused["error"]["message"]
    await act(api, committee, wish["id"], "ask_changes", status=422)  # a reason is needed
    await act(api, committee, wish["id"], "ask_changes", note="社区不能发布借钱的心愿，可以改成借用轮椅")
    revised = await api.put(
        f"{API}/wishes/{wish['id']}", headers=bearer(token), json={"description": "想借用一个轮椅两周"}
    )
    assert revised.status == 200 and (await revised.json())["status"] == "submitted"
    approved = await act(api, committee, wish["id"], "approve", public_text="一位居民想借用轮椅两周")
    assert approved["public_text"] == "一位居民想借用轮椅两周" and approved["status"] == "open"


async def test_group_claim_records_every_member_and_the_committee_may_confirm(
    api: TestClient[Any, Any],
) -> None:
    community = await Community.get(code="xingfuli")
    members = []
    for i in range(2):
        person = await Person.create(openid=f"branch-{i}", name=f"党员{i}", community=community)
        await Role.create(person=person, community=community, role=RoleName.PARTY_MEMBER)
        members.append(person)
    outsider = await Person.create(openid="outsider", name="路人")
    token = await resident(api)
    wish = await post(api, token)
    committee = await staff_token(api, "demo-committee")
    await act(api, committee, wish["id"], "approve")
    leader = await staff_token(api, "demo-volunteer")
    await act(api, leader, wish["id"], "claim", team="第三党支部")
    await act(api, leader, wish["id"], "fulfil", status=422, hours=2, note="x", served_by=[outsider.id])
    ids = [m.id for m in members]
    done = await act(api, leader, wish["id"], "fulfil", hours=2, note="三人轮流陪同", served_by=ids)
    assert done["claim"]["members"] == 3  # the claimer and the two named members
    confirmed = await act(api, committee, wish["id"], "confirm", rating=4, note="居民电话确认满意")
    assert confirmed["status"] == "confirmed"
    records = await (
        await api.get(f"{API}/communities/xingfuli/service-records", headers=bearer(committee))
    ).json()
    assert records["total"] == 3
    assert {r["confirmed_as"] for r in records["items"]} == {"committee"}
    ranking = await (await api.get(f"{API}/communities/xingfuli/volunteers/ranking")).json()
    assert [v["wishes"] for v in ranking["items"]] == [1, 1, 1]


async def test_posting_needs_a_bound_home_and_a_date_to_come(api: TestClient[Any, Any]) -> None:
    person = await Person.create(openid="unbound")
    response = await api.post(f"{API}/wishes", headers=bearer(await token_for(api, person)), json=WISH)
    assert response.status == 422
    token = await resident(api)
    past = (china_now().date() - dt.timedelta(days=1)).isoformat()
    late = await api.post(f"{API}/wishes", headers=bearer(token), json={**WISH, "wanted_by": past})
    assert late.status == 422 and "已经过去" in (await late.json())["error"]["message"]


async def test_board_filters_and_unknown_community(api: TestClient[Any, Any]) -> None:
    token = await resident(api)
    committee = await staff_token(api, "demo-committee")
    first = await post(api, token)
    second = await post(api, token, description="孩子想要几本课外书", client_key="wish-0002", wanted_by=None)
    for wish in (first, second):
        await act(api, committee, wish["id"], "approve")
    study = await (await api.get(f"{API}/communities/xingfuli/wish-board?category=study")).json()
    assert [w["id"] for w in study["items"]] == [second["id"]]
    assert (await api.get(f"{API}/communities/nowhere/wish-board")).status == 404
    assert (await api.get(f"{API}/communities/xingfuli/wish-board?sort=sideways")).status == 400
