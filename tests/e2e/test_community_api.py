"""The set-up routes: who may read and change a street office's communities, a community's settings and
buildings (and who may not read the street office's figures: tests/e2e/test_figures_api.py reads them)."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from storage.models import Community, Person
from tests.e2e.conftest import MakeSim
from tests.e2e.test_api import assert_error, bearer, token_for

API = "/api/v1"


@pytest.fixture
async def api(make_sim: MakeSim) -> TestClient[Any, Any]:
    return (await make_sim("safe")).client


async def as_(api: TestClient[Any, Any], openid: str) -> dict[str, str]:
    person, _ = await Person.get_or_create(openid=openid)
    return bearer(await token_for(api, person))


async def test_the_street_office_lists_and_sets_up_its_communities(api: TestClient[Any, Any]) -> None:
    street = await as_(api, "demo-street")
    listed = await api.get(f"{API}/streets/xingfu/communities", headers=street)
    body = await listed.json()
    assert listed.status == 200 and body["street"]["name"] == "幸福街道"
    assert [c["code"] for c in body["items"]] == ["hepingcun", "xingfuli"]
    assert [c["kind"] for c in body["items"]] == ["rural", "urban"] and body["items"][1]["street"] == "xingfu"

    new = {
        "code": "xinhua",
        "name": "新华社区",
        "office": "党群服务中心一楼",
        "hours": "周一至周五 9:00-17:00",
        "verify_wishes": True,
        "buildings": "1-3:2,A座:1",
        "rooms": ["1-3:6x2"],
    }
    created = await api.post(f"{API}/streets/xingfu/communities", headers=street, json=new)
    assert created.status == 201, await created.text()
    made = await created.json()
    assert made["street"] == "xingfu" and made["verify_wishes"] and made["district"] == "五华区"
    again = await api.post(f"{API}/streets/xingfu/communities", headers=street, json=new)
    assert again.status == 409
    assert_error(await again.json(), "conflict")
    bad = await api.post(
        f"{API}/streets/xingfu/communities", headers=street, json={**new, "code": "x2", "buildings": "1-6:x"}
    )
    assert bad.status == 422 and "1-6:x" in (await bad.json())["error"]["message"]
    # the street office's staff hold their role in the new community: its buildings are theirs to see
    buildings = await (await api.get(f"{API}/communities/xinhua/buildings", headers=street)).json()
    assert [(b["label"], b["units"], b["homes"]) for b in buildings["items"]] == [
        ("1栋", 2, 24),
        ("2栋", 2, 24),
        ("3栋", 2, 24),
        ("A座", 1, 0),
    ]


async def test_only_the_street_office_reads_its_communities_and_figures(api: TestClient[Any, Any]) -> None:
    for openid in ("demo-committee", "demo-grid", "resident-x"):
        headers = await as_(api, openid)
        for path in ("communities", "figures"):
            refused = await api.get(f"{API}/streets/xingfu/{path}", headers=headers)
            assert refused.status == 403, (openid, path)
        posted = await api.post(
            f"{API}/streets/xingfu/communities", headers=headers, json={"code": "sneaky", "name": "偷建"}
        )
        assert posted.status == 403
    assert not await Community.exists(code="sneaky")
    missing = await api.get(f"{API}/streets/nowhere/communities", headers=await as_(api, "demo-street"))
    assert missing.status == 404
    assert (await api.get(f"{API}/streets/xingfu/communities")).status == 401


async def test_the_committee_and_the_street_office_change_the_settings(api: TestClient[Any, Any]) -> None:
    committee, street = await as_(api, "demo-committee"), await as_(api, "demo-street")
    read = await api.get(f"{API}/communities/xingfuli", headers=committee)
    assert read.status == 200 and (await read.json())["has_register"] is False
    changed = await api.patch(
        f"{API}/communities/xingfuli",
        headers=committee,
        json={"hours": "周一至周六 8:30-17:30", "verify_wishes": True},
    )
    assert changed.status == 200 and (await changed.json())["verify_wishes"] is True
    by_street = await api.patch(
        f"{API}/communities/xingfuli", headers=street, json={"office": "幸福里党群服务中心"}
    )
    body = await by_street.json()
    assert body["office"] == "幸福里党群服务中心" and body["hours"] == "周一至周六 8:30-17:30"
    community = await Community.get(code="xingfuli")
    assert community.verify_wishes and community.office == "幸福里党群服务中心"
    # other staff, residents, other communities' committees: no
    for openid in ("demo-grid", "demo-property", "resident-x", "demo-hp-committee"):
        headers = await as_(api, openid)
        assert (await api.get(f"{API}/communities/xingfuli", headers=headers)).status == 403, openid
        patched = await api.patch(f"{API}/communities/xingfuli", headers=headers, json={"hours": "随时"})
        assert patched.status == 403, openid
    assert (await Community.get(code="xingfuli")).hours == "周一至周六 8:30-17:30"
    typo = await api.patch(f"{API}/communities/xingfuli", headers=committee, json={"hour": "9:00"})
    assert typo.status == 400


async def test_buildings_read_by_staff_added_by_the_committee(api: TestClient[Any, Any]) -> None:
    grid, committee = await as_(api, "demo-grid"), await as_(api, "demo-committee")
    listed = await (await api.get(f"{API}/communities/xingfuli/buildings", headers=grid)).json()
    assert [b["label"] for b in listed["items"]] == [f"{n}栋" for n in range(1, 9)]
    refused = await api.post(f"{API}/communities/xingfuli/buildings", headers=grid, json={"spec": "9:2"})
    assert refused.status == 403
    resident = await as_(api, "resident-x")
    assert (await api.get(f"{API}/communities/xingfuli/buildings", headers=resident)).status == 403
    added = await api.post(
        f"{API}/communities/xingfuli/buildings", headers=committee, json={"spec": "9:2", "rooms": ["9:3x2"]}
    )
    assert added.status == 201
    nine = [b for b in (await added.json())["items"] if b["label"] == "9栋"]
    assert nine == [{"number": 9, "name": "", "label": "9栋", "units": 2, "homes": 12}]
    bad = await api.post(f"{API}/communities/xingfuli/buildings", headers=committee, json={"spec": "A座"})
    assert bad.status == 201  # a lettered building with one unit
    village = await api.post(
        f"{API}/communities/hepingcun/buildings", headers=await as_(api, "demo-street"), json={"spec": "4:2"}
    )
    assert village.status == 422  # a village's groups have no units
