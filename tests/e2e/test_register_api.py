"""The register workbook through the API: only the community's committee and street office may download
the template, import and export (the export carries residents' care needs)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from openpyxl import load_workbook

from handlers.register.import_sheets import PEOPLE, XLSX, template_workbook
from handlers.register.models import Resident
from storage.models import Community, Person, Role, RoleName
from tests.e2e.conftest import MakeSim
from tests.e2e.test_api import assert_error, bearer, token_for
from tests.e2e.test_tickets_api import resident, staff_token
from tests.register_books import generated

API = "/api/v1/communities"


@pytest.fixture
async def api(make_sim: MakeSim) -> TestClient[Any, Any]:
    return (await make_sim("safe")).client


async def upload(
    api: TestClient[Any, Any],
    token: str,
    data: bytes,
    query: str = "",
    kind: str = XLSX,
    code: str = "xingfuli",
) -> tuple[int, dict[str, Any]]:
    response = await api.post(
        f"{API}/{code}/register/import{query}", data=data, headers={**bearer(token), "Content-Type": kind}
    )
    body: dict[str, Any] = await response.json()
    return response.status, body


async def test_the_committee_imports_with_problems_then_corrected_and_exports(
    api: TestClient[Any, Any],
) -> None:
    committee = await staff_token(api, "demo-committee")
    template = await api.get(f"{API}/xingfuli/register/template.xlsx", headers=bearer(committee))
    assert template.status == 200 and template.content_type == XLSX
    assert load_workbook(io.BytesIO(await template.read())).sheetnames[0] == "说明"

    book = generated(60, 3)
    book.people[0][5] = "139"  # row 2
    book.people[3][9] = "失独"  # row 5
    status, body = await upload(api, committee, book.xlsx())
    assert status == 422 and body["error"]["code"] == "invalid_workbook"
    assert body["error"]["message"] == "表格里有 2 处问题，什么也没有导入。请改好后重新导入。"
    assert [(d["sheet"], d["row"], d["column"]) for d in body["error"]["details"]] == [
        ("住户", 2, "手机"),
        ("住户", 5, "关爱"),
    ]
    assert await Resident.all().count() == 0

    book.people[0][5], book.people[3][9] = "13912345601", "独居老人"
    status, checked = await upload(api, committee, book.xlsx(), "?dry_run=1")
    assert (
        status == 200 and checked["dry_run"] and checked["counts"]["residents"]["created"] == len(book.people)
    )
    assert await Resident.all().count() == 0
    status, imported = await upload(api, committee, book.xlsx())
    assert status == 200 and not imported["dry_run"], imported
    assert imported["counts"]["residents"] == {"created": len(book.people), "updated": 0, "left": 0}
    assert imported["summary"][0] == "导入完成。"
    assert (await Community.get(code="xingfuli")).register_at is not None

    export = await api.get(f"{API}/xingfuli/register.xlsx", headers=bearer(committee))
    assert export.status == 200 and export.content_type == XLSX
    data = await export.read()
    rows = list(load_workbook(io.BytesIO(data))[PEOPLE].iter_rows(min_row=2, values_only=True))
    assert len(rows) == len(book.people) and any(row[9] == "独居老人" for row in rows)
    status, again = await upload(api, committee, data)
    assert status == 200 and all(
        c == {"created": 0, "updated": 0, "left": 0} for c in again["counts"].values()
    )


async def test_the_street_office_may_too(api: TestClient[Any, Any]) -> None:
    person = await Person.create(openid="o-street", name="街道刘科长")
    await Role.create(
        person=person, community=await Community.get(code="xingfuli"), role=RoleName.STREET_OFFICE
    )
    token = await token_for(api, person)
    status, body = await upload(api, token, template_workbook())
    assert status == 200 and body["counts"]["residents"]["created"] == 3
    assert (await api.get(f"{API}/xingfuli/register.xlsx", headers=bearer(token))).status == 200


async def test_residents_and_other_communities_are_refused(api: TestClient[Any, Any]) -> None:
    committee = await staff_token(api, "demo-committee")
    neighbour = await resident(api)  # bound before the register is in force (then only its homes bind)
    assert (await upload(api, committee, template_workbook()))[0] == 200  # a register with care needs
    other_committee = await staff_token(api, "demo-hp-committee")
    grid_worker = await staff_token(api, "demo-grid")
    for token in (neighbour, other_committee, grid_worker):
        for path in ("register.xlsx", "register/template.xlsx"):
            response = await api.get(f"{API}/xingfuli/{path}", headers=bearer(token))
            assert response.status == 403
            body = await response.json()
            assert_error(body, "forbidden")
            assert "高龄" not in str(body)
        status, body = await upload(api, token, template_workbook())
        assert status == 403 and "高龄" not in str(body)
    assert (await api.get(f"{API}/xingfuli/register.xlsx")).status == 401
    missing = await api.get(f"{API}/nowhere/register.xlsx", headers=bearer(committee))
    assert missing.status == 404


async def test_a_body_that_is_not_a_workbook(api: TestClient[Any, Any]) -> None:
    committee = await staff_token(api, "demo-committee")
    status, body = await upload(api, committee, b"name,phone\n", kind="text/csv")
    assert status == 415 and body["error"]["message"] == "这个文件打不开，请上传 Excel 工作簿（.xlsx）。"
    status, body = await upload(api, committee, b"GIF87a", kind="application/octet-stream")
    assert status == 422 and body["error"]["code"] == "unreadable_file"
    status, body = await upload(api, committee, b"PK\x03\x04broken", kind="application/octet-stream")
    assert status == 422 and body["error"]["details"][0]["why"].startswith("这个文件打不开")
