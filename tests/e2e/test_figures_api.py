"""The figures over HTTP: who may read a community's and a street office's, the public ones without a
sign-in (and without names or links), the period's parameters, and every link of a figure opened as the
tickets list it names: the list's total is the figure."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from storage.models import Person
from tests.e2e.conftest import MakeSim
from tests.e2e.test_api import assert_error, bearer, token_for
from tests.integration.fixed_figures import build

API = "/api/v1"
OCT_NOV = {"start": "2026-10-01", "end": "2026-12-01"}


@pytest.fixture
async def api(make_sim: MakeSim) -> TestClient[Any, Any]:
    return (await make_sim("safe")).client


async def as_(api: TestClient[Any, Any], openid: str) -> dict[str, str]:
    person, _ = await Person.get_or_create(openid=openid)
    return bearer(await token_for(api, person))


async def test_who_reads_a_communitys_and_a_street_offices_figures(api: TestClient[Any, Any]) -> None:
    path = f"{API}/communities/xingfuli/figures"
    for openid in ("demo-committee", "demo-grid", "demo-street"):
        read = await api.get(path, headers=await as_(api, openid))
        assert read.status == 200, openid
        assert (await read.json())["scope"] == {"kind": "community", "code": "xingfuli", "name": "幸福里社区"}
    for openid in ("demo-property", "demo-mediator", "demo-resident", "demo-hp-committee"):
        refused = await api.get(path, headers=await as_(api, openid))
        assert refused.status == 403, openid
        assert_error(await refused.json(), "forbidden")
    assert (await api.get(path)).status == 401
    nowhere = await api.get(f"{API}/communities/nowhere/figures", headers=await as_(api, "demo-committee"))
    assert nowhere.status == 404

    street = f"{API}/streets/xingfu/figures"
    read = await api.get(street, headers=await as_(api, "demo-street"))
    body = await read.json()
    assert read.status == 200 and [c["community"] for c in body["communities"]] == ["hepingcun", "xingfuli"]
    for openid in ("demo-committee", "demo-grid", "demo-resident"):
        assert (await api.get(street, headers=await as_(api, openid))).status == 403, openid
    assert (await api.get(street)).status == 401


async def test_the_period_asked(api: TestClient[Any, Any]) -> None:
    committee = await as_(api, "demo-committee")
    path = f"{API}/communities/xingfuli/figures"
    chosen = await (await api.get(path, headers=committee, params=OCT_NOV)).json()
    assert chosen["period"] == {"start": "2026-10-01", "end": "2026-12-01"}
    year = await (await api.get(path, headers=committee, params={"year": "2025"})).json()
    assert year["period"] == {"start": "2025-01-01", "end": "2026-01-01"}
    assert len(year["tickets"]["by_month"]) == 12
    this_month = await (await api.get(path, headers=committee)).json()
    assert this_month["period"]["start"].endswith("-01") and len(this_month["tickets"]["by_month"]) == 1
    backwards = await api.get(path, headers=committee, params={"start": "2026-12-01", "end": "2026-11-01"})
    assert backwards.status == 422
    assert_error(await backwards.json(), "rule_violation")
    not_a_day = await api.get(path, headers=committee, params={"start": "2026-13-45"})
    assert not_a_day.status == 400
    unknown = await api.get(path, headers=committee, params={"since": "2026-11-01"})
    assert unknown.status == 400


async def test_the_public_figures_need_no_sign_in_and_show_no_names(api: TestClient[Any, Any]) -> None:
    await build()
    public = await api.get(f"{API}/public/communities/xingfuli/figures", params=OCT_NOV)
    body = await public.json()
    assert public.status == 200 and body["total"]["tickets"]["received"] == 9
    assert (
        body["tickets"]["by_handler"] == []
        and body["tickets"]["by_building"] == []
        and body["volunteers"] == []
    )
    text = await public.text()
    assert '"params"' not in text and "王师傅" not in text and "赵阿姨" not in text
    assert (await api.get(f"{API}/public/communities/nowhere/figures")).status == 404


async def test_every_link_opens_the_rows_of_its_figure(api: TestClient[Any, Any]) -> None:
    await build()
    committee = await as_(api, "demo-committee")
    body = await (
        await api.get(f"{API}/communities/xingfuli/figures", headers=committee, params=OCT_NOV)
    ).json()
    tickets = body["tickets"]
    blocks = [
        tickets["total"],
        *(row["figures"] for name in ("by_grid", "by_handler") for row in tickets[name]),
    ]
    counted = {"done_rate": "done", "response_rate": "responded_on_time", "on_time_rate": "on_time"}
    counted |= {"average_rating": "rated", "satisfied_share": "satisfied", "reopen_rate": "reopened"}
    counted |= {"median_hours_to_resolve": "done"}
    for block in blocks:
        for figure, link in block["links"].items():
            assert link["list"] == "tickets"
            listed = await api.get(
                f"{API}/communities/{link['community']}/tickets",
                headers=committee,
                params={**link["params"], "per_page": "1"},
            )
            assert listed.status == 200, (figure, link, await listed.text())
            assert (await listed.json())["total"] == block[counted.get(figure, figure)], (figure, link)
    # the street office's total links to every community's tickets: no single list, the rows per community
    street = await (
        await api.get(f"{API}/streets/xingfu/figures", headers=await as_(api, "demo-street"))
    ).json()
    assert street["total"]["tickets"]["links"]["done"]["community"] is None
    assert {c["tickets"]["links"]["done"]["community"] for c in street["communities"]} == {
        "hepingcun",
        "xingfuli",
    }


async def test_the_routes_are_in_the_openapi_document(api: TestClient[Any, Any]) -> None:
    paths = (await (await api.get(f"{API}/openapi.json")).json())["paths"]
    for path in ("/communities/{community}/figures", "/streets/{street}/figures"):
        assert paths[API + path]["get"]["security"] == [{"bearer": []}], path
    assert "security" not in paths[f"{API}/public/communities/{{community}}/figures"]["get"]
    listing = paths[f"{API}/communities/{{community}}/tickets"]["get"]
    ticket_params = {p["name"] for p in listing["parameters"]}
    assert {"grid", "handler", "role", "from", "to", "on_time", "satisfied", "ever_resolved"} <= ticket_params
