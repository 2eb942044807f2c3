"""Importing the household register workbook: every problem reported with its row and column and nothing
written; a 2,000-resident file with mistakes, corrected and imported; re-import in place (leavers lose their
household's rights); the export imports back as no change at all."""

from __future__ import annotations

import asyncio
import copy
import datetime as dt
import io
from typing import Any

import pytest
from openpyxl import Workbook

from handlers.register.import_queries import export_workbook
from handlers.register.import_sheets import GRIDS, HEADS, HOMES, PEOPLE, template_workbook
from handlers.register.import_workflow import ImportResult, import_register
from handlers.register.models import (
    Binding,
    BindingMethod,
    BindingStatus,
    BuildingHead,
    Grid,
    GridBuilding,
    GridStaff,
    Household,
    Residence,
    Resident,
)
from storage.models import Building, Community, CommunityKind, Home, Person, Role, RoleName
from tests.helpers import CST
from tests.register_books import Book, generated

NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=CST)
LATER = NOW + dt.timedelta(days=90)


@pytest.fixture
async def community(database: str) -> Community:
    return await Community.create(code="lianhua", name="莲花社区")


def small() -> Book:
    """Two buildings (3栋 of two units, A座 without), three households, a grid, a building head."""
    return Book(
        {
            HOMES: [
                ["3栋", "1", "101"],
                ["3栋", "1", "102"],
                ["3栋", "2", "201"],
                ["A座", "", "1203"],
            ],
            PEOPLE: [
                ["3栋", "1", "101", "", "王建国", "13800138000", "户主", "是", "常住", "", ""],
                ["3栋", "1", "101", "", "李秀英", "", "配偶", "是", "常住", "高龄、独居老人", "耳背"],
                ["3栋", "2", "201", "", "张伟", "13800138003", "本人", "否", "流动", "", "租住"],
                ["A座", "", "1203", "", "赵敏", "13800138005", "户主", "是", "户籍", "低保", ""],
            ],
            GRIDS: [
                ["1", "第一网格", "3栋、A座", "孙丽", "13800138001", "工作日 9:00-17:30", "周红:13800138002"]
            ],
            HEADS: [["3栋", "王建国", "13800138000"]],
        }
    )


async def counts() -> dict[str, int]:
    models: list[Any] = [
        Building,
        Home,
        Household,
        Resident,
        Grid,
        GridBuilding,
        GridStaff,
        BuildingHead,
        Role,
    ]
    return {model.__name__: await model.all().count() for model in models}


def where(result: ImportResult) -> list[tuple[str, int, str]]:
    return [(p.sheet, p.row, p.column) for p in result.problems]


# -- every problem, nothing written -------------------------------------------------------------------
async def test_every_kind_of_problem_is_reported_with_row_and_column_and_nothing_is_written(
    community: Community,
) -> None:
    book = small()
    book.rows[HOMES] += [
        ["综合楼", "", "101"],  # row 6: not a building
        ["3栋", "东", "301"],  # 7: not a unit
        ["3栋", "", "302"],  # 8: 3栋 has two units
        ["3栋", "1", "五楼"],  # 9: not a room
        ["3栋", "1", "101"],  # 10: listed twice
    ]
    book.people[:] = [
        *book.people,  # rows 2-5 fine
        ["9栋", "1", "101", "", "钱一", "", "", "", "", "", ""],  # 6: no such building
        ["3栋", "3", "101", "", "钱二", "", "", "", "", "", ""],  # 7: 3栋 has two units
        ["3栋", "", "101", "", "钱三", "", "", "", "", "", ""],  # 8: which unit?
        ["A座", "1", "1203", "", "钱四", "", "", "", "", "", ""],  # 9: A座 has no units
        ["3栋", "1", "109", "", "钱五", "", "", "", "", "", ""],  # 10: not a listed room
        ["3栋", "1", "102", "", "", "1380013800", "", "也许", "外来", "失独", "备" * 201],  # 11: five
        ["3栋", "1", "101", "", "王建国", "", "子女", "", "", "", ""],  # 12: already in the household
        ["3栋", "1", "101", "", "王小明", "", "本人", "", "", "", ""],  # 13: a second head
    ]
    book.rows[GRIDS] += [
        ["1", "重复", "东区", "", "", "", ""],  # 3: code repeated, buildings unreadable
        ["2", "", "3栋、8栋", "钱六", "", "", "钱七"],  # 4: 3栋 taken, no 8栋, no phone, deputy unreadable
    ]
    book.rows[HEADS] += [["3栋", "钱八", "123"], ["6栋", "钱九", ""]]  # 3: repeated, bad phone; 4: none
    before = await counts()
    result = await import_register(community, book.xlsx(), NOW)
    assert result.summary is None
    assert where(result) == [
        (HOMES, 6, "楼栋"),
        (HOMES, 7, "单元"),
        (HOMES, 8, "单元"),
        (HOMES, 9, "房号"),
        (HOMES, 10, "房号"),
        (PEOPLE, 6, "楼栋"),
        (PEOPLE, 7, "单元"),
        (PEOPLE, 8, "单元"),
        (PEOPLE, 9, "单元"),
        (PEOPLE, 10, "房号"),
        (PEOPLE, 11, "姓名"),
        (PEOPLE, 11, "手机"),
        (PEOPLE, 11, "业主"),
        (PEOPLE, 11, "人员类型"),
        (PEOPLE, 11, "关爱"),
        (PEOPLE, 11, "备注"),
        (PEOPLE, 12, "姓名"),
        (PEOPLE, 13, "与户主关系"),
        (GRIDS, 3, "网格编号"),
        (GRIDS, 3, "楼栋"),
        (GRIDS, 4, "楼栋"),
        (GRIDS, 4, "楼栋"),
        (GRIDS, 4, "网格员手机"),
        (GRIDS, 4, "副网格员"),
        (HEADS, 3, "手机"),
        (HEADS, 3, "楼栋"),
        (HEADS, 4, "楼栋"),
    ]
    why = {(p.sheet, p.row, p.column): p.why for p in result.problems}
    assert why[(HOMES, 6, "楼栋")] == "“综合楼”不是楼栋的写法，请写成 3、3栋、A座，村写 3组。"
    assert why[(PEOPLE, 6, "楼栋")] == "社区里没有9栋，请先在“房屋”表里写上这栋楼。"
    assert why[(PEOPLE, 7, "单元")] == "3栋只有 2 个单元。"
    assert why[(PEOPLE, 8, "单元")] == "3栋有 2 个单元，请写明是哪个单元。"
    assert why[(PEOPLE, 9, "单元")] == "A座没有单元，单元请留空。"
    assert why[(PEOPLE, 10, "房号")] == "“房屋”表里3栋1单元没有 109。"
    assert why[(PEOPLE, 11, "手机")] == "“1380013800”不是 11 位手机号。"
    assert why[(PEOPLE, 11, "关爱")].startswith("“失独”不在关爱类别里")
    assert why[(PEOPLE, 11, "备注")] == "太长了，最多 200 个字。"
    assert why[(PEOPLE, 12, "姓名")] == "这一户已经有王建国了（第 2 行）。"
    assert why[(PEOPLE, 13, "与户主关系")] == "这一户的户主已经是王建国（第 2 行），每户只能有一位户主。"
    assert [p.why for p in result.problems if (p.sheet, p.row, p.column) == (GRIDS, 4, "楼栋")] == [
        "3栋已经在网格 1 里了（第 2 行），一栋楼只能属于一个网格。",
        "社区里没有8栋。",
    ]
    assert await counts() == before  # nothing written, not even the valid rows
    assert (await Community.get(id=community.id)).register_at is None


async def test_a_file_that_is_not_a_workbook_or_has_no_register_sheet(community: Community) -> None:
    garbage = await import_register(community, b"PK\x03\x04 not really a zip", NOW)
    assert [p.why for p in garbage.problems] == ["这个文件打不开，请上传 Excel 工作簿（.xlsx）。"]
    book = Workbook()
    assert book.active is not None
    book.active.title = "Sheet1"
    out = io.BytesIO()
    book.save(out)
    other = await import_register(community, out.getvalue(), NOW)
    assert other.problems and "任何一张表" in other.problems[0].why
    empty = Book({HOMES: [], PEOPLE: []}).xlsx()  # headers only
    assert [p.why for p in (await import_register(community, empty, NOW)).problems] == [
        "表格里只有表头，没有要导入的内容。"
    ]


async def test_the_register_is_in_force_once_it_has_residents(community: Community) -> None:
    book = small()
    book.rows[PEOPLE] = []
    assert (await import_register(community, book.xlsx(), NOW)).ok
    assert (await Community.get(id=community.id)).register_at is None  # buildings and grids only
    assert (await import_register(community, small().xlsx(), LATER)).ok
    assert (await Community.get(id=community.id)).register_at == LATER


async def test_numbers_as_excel_stores_them(community: Community) -> None:
    """Phones and rooms typed into a sheet are numbers (13912345678.0); the register keeps them as text."""
    book = Workbook()
    homes = book.active
    assert homes is not None
    homes.title = HOMES
    homes.append(["楼栋", "单元", "房号"])
    homes.append([3, 2, 502])
    people = book.create_sheet(PEOPLE)
    people.append(["楼栋", "单元", "房号", "姓名", "手机", "与户主关系"])
    people.append([3, 2.0, 502, "王芳", 13912345678.0, "户主"])
    out = io.BytesIO()
    book.save(out)
    result = await import_register(community, out.getvalue(), NOW)
    assert result.ok, result.problems
    resident = await Resident.get(name="王芳").prefetch_related("home")
    assert resident.phone == "13912345678" and resident.home.room == "502" and resident.home.unit == 2
    assert resident.is_head and resident.residence is Residence.PERMANENT and resident.care == []


# -- a whole register ------------------------------------------------------------------------------
async def test_two_thousand_residents_with_mistakes_then_corrected(community: Community) -> None:
    book = generated(2000, 12)
    assert 1900 <= len(book.people) <= 2100
    good = copy.deepcopy(book)
    spoiled = {
        2: (5, "1391234567"),  # a digit short
        40: (0, "13栋"),  # no such building
        41: (1, "4"),  # a unit too many
        77: (8, "暂时"),  # not a residence
        78: (9, "孤寡"),  # not a care word
        120: (7, "不详"),  # not yes or no
    }
    for index, (column, value) in spoiled.items():
        book.people[index][column] = value
    book.people.append(list(book.people[10]))  # the same person twice in one household
    result = await import_register(community, book.xlsx(), NOW)
    assert result.summary is None
    rows = sorted({(p.row, p.column) for p in result.problems})
    columns = ["楼栋", "单元", "房号", "户号", "姓名", "手机", "与户主关系", "业主", "人员类型", "关爱"]
    expected = {(index + 2, columns[column]) for index, (column, _) in spoiled.items()}
    expected.add((len(book.people) + 1, "姓名"))
    assert set(rows) == expected
    assert await Resident.all().count() == 0 and await Building.all().count() == 0

    seen: list[tuple[int, int]] = []
    imported = await import_register(
        community, good.xlsx(), NOW, progress=lambda done, total: seen.append((done, total))
    )
    assert imported.ok and imported.summary is not None
    counts_ = imported.summary.counts
    assert counts_["residents"].created == len(good.people) == await Resident.all().count()
    assert counts_["buildings"].created == 12 and counts_["grids"].created == 3
    assert counts_["grid_staff"].created == 6
    assert counts_["building_heads"].created == len(good.rows[HEADS]) == await BuildingHead.all().count()
    assert counts_["households"].created == await Household.all().count()
    assert seen and seen[-1][0] == seen[-1][1] and [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert (await Community.get(id=community.id)).register_at == NOW
    # grid workers and deputies by phone, each a grid worker here; building heads tied to the register
    workers = await Person.filter(phone__in=["13700000001", "13600000001"])
    assert {p.name for p in workers} == {"网格员1", "副网格员1"}
    assert all(p.openid is None for p in workers)
    assert await Role.filter(role=RoleName.GRID_WORKER, community=community).count() == 6
    first = await Building.get(community=community, number=1)
    assert (await GridBuilding.get(building=first).prefetch_related("grid")).grid.code == "1"
    head = await BuildingHead.get(building=first).prefetch_related("resident")
    assert head.resident is not None and head.resident.name == head.name


async def test_reimport_updates_in_place_and_marks_leavers(community: Community) -> None:
    book = small()
    assert (await import_register(community, book.xlsx(), NOW)).ok
    wang = await Resident.get(name="王建国")
    zhang = await Resident.get(name="张伟").prefetch_related("household")
    tenant = await Person.create(openid="o-zhang", name="张伟")
    verified = await Binding.create(
        person=tenant,
        community=community,
        home_id=zhang.home_id,
        resident=zhang,
        status=BindingStatus.VERIFIED,
        method=BindingMethod.PHONE,
        requested_at=NOW,
    )
    waiting = await Binding.create(
        person=await Person.create(openid="o-other"),
        community=community,
        home_id=zhang.home_id,
        requested_at=NOW,
    )

    book.people[0][5] = "13800138099"  # 王建国's new phone
    book.people[1][9] = "高龄"
    del book.people[2]  # 张伟 moved out: his household has nobody left
    result = await import_register(community, book.xlsx(), LATER)
    assert result.ok and result.summary is not None
    residents = result.summary.counts["residents"]
    assert (residents.created, residents.updated, residents.left) == (0, 2, 1)
    assert result.summary.counts["households"].left == 1 and result.summary.bindings_ended == 1

    again = await Resident.get(name="王建国")
    assert again.id == wang.id and again.phone == "13800138099"  # the same row, updated
    assert (await Resident.get(name="李秀英")).care == ["elderly"]
    gone = await Resident.get(id=zhang.id)
    assert not gone.active and gone.left_at == LATER
    assert not (await Household.get(id=zhang.household.id)).active
    ended = await Binding.get(id=verified.id)
    assert ended.status is BindingStatus.ENDED and ended.ended_at == LATER
    assert (await Binding.get(id=waiting.id)).status is BindingStatus.PENDING
    assert (await Community.get(id=community.id)).register_at == NOW  # set by the first import only

    back = await import_register(community, small().xlsx(), LATER)  # he is listed again
    assert back.summary is not None and back.summary.counts["residents"].updated == 3
    returned = await Resident.get(id=zhang.id)
    assert returned.active and returned.left_at is None
    assert (await Household.get(id=zhang.household.id)).active


async def test_grids_and_building_heads_follow_the_workbook(community: Community) -> None:
    verified = await Person.create(
        openid="o-sun", name="孙丽", phone="13800138001", phone_verified_at=NOW, community=community
    )
    book = small()
    assert (await import_register(community, book.xlsx(), NOW)).ok
    worker = await GridStaff.get(deputy=False)
    assert worker.person_id == verified.id and worker.duty_hours == "工作日 9:00-17:30"
    assert await Role.exists(person=verified, community=community, role=RoleName.GRID_WORKER)
    deputy = await GridStaff.get(deputy=True).prefetch_related("person")
    assert deputy.person.openid is None and deputy.person.name == "周红"

    # the grid is split in two, 周红 no longer a deputy, 3栋's head is someone else
    book.rows[GRIDS] = [
        ["1", "第一网格", "3栋", "孙丽", "13800138001", "每天 8:30-18:00", ""],
        ["2", "第二网格", "A座", "吴昊", "13800138007", "", ""],
    ]
    book.rows[HEADS] = [["A座", "赵敏", "13800138005"]]
    result = await import_register(community, book.xlsx(), LATER)
    assert result.summary is not None
    assert result.summary.counts["grids"].created == 1 and result.summary.counts["grids"].updated == 1
    staff = result.summary.counts["grid_staff"]
    assert (staff.created, staff.updated, staff.left) == (1, 1, 1)
    heads = result.summary.counts["building_heads"]
    assert (heads.created, heads.left) == (1, 1)
    a = await Building.get(community=community, name="A座")
    assert (await GridBuilding.get(building=a).prefetch_related("grid")).grid.code == "2"
    head = await BuildingHead.get().prefetch_related("resident")
    assert head.building_id == a.id and head.resident is not None and head.resident.name == "赵敏"

    book.rows[GRIDS] = book.rows[GRIDS][:1]
    assert (await import_register(community, book.xlsx(), LATER)).ok
    assert [g.code for g in await Grid.all()] == ["1"] and not await GridBuilding.exists(building=a)


async def test_dry_run_counts_and_writes_nothing(community: Community) -> None:
    before = await counts()
    result = await import_register(community, small().xlsx(), NOW, dry_run=True)
    assert result.summary is not None and result.summary.dry_run
    assert (
        result.summary.counts["residents"].created == 4 and result.summary.counts["grid_staff"].created == 2
    )
    assert await counts() == before and not await Person.exists()
    assert community.register_at is None and (await Community.get(id=community.id)).register_at is None
    assert result.summary.lines()[0] == "检查通过（试导入，没有保存）。"


async def test_the_template_imports_as_it_is(community: Community) -> None:
    result = await import_register(community, template_workbook(), NOW)
    assert result.ok, result.problems
    village = await Community.create(code="hehua", name="荷花村", kind=CommunityKind.RURAL)
    rural = await import_register(village, template_workbook(rural=True), NOW)
    assert rural.ok, rural.problems
    groups = await Building.filter(community=village).order_by("number")
    assert [(b.label, b.units) for b in groups] == [("1组", 0), ("2组", 0)]
    home = await Home.get(community=village, room="15")
    assert home.unit == 0


# -- export --------------------------------------------------------------------------------------------
async def snapshot(community: Community) -> list[Any]:
    tables: list[Any] = []
    for model in (Building, Home, Household, Resident, Grid, GridBuilding, GridStaff, BuildingHead):
        rows = await model.all().order_by("id").values()
        tables.append([{k: v for k, v in row.items() if k != "updated_at"} for row in rows])
    return tables


async def test_export_then_import_changes_nothing(community: Community) -> None:
    book = generated(300, 4)
    book.rows[HOMES] += [["A座", "", "1203"], ["5栋", "", ""], ["6栋", "2", ""]]  # lettered, empty, no rooms
    book.people.append(
        ["A座", "", "1203", "2", "赵敏", "13800138005", "户主", "是", "户籍", "低保、残疾", "二户"]
    )
    book.rows[GRIDS][0][6] = "周红:13800138002、吴昊:13800138007"
    assert (await import_register(community, book.xlsx(), NOW)).ok
    before = await snapshot(community)
    exported = await export_workbook(community)
    result = await import_register(community, exported, LATER)
    assert result.ok, result.problems[:5]
    assert result.summary is not None and not result.summary.changed, result.summary.lines()
    assert await snapshot(community) == before
    units = {b.label: b.units for b in await Building.filter(community=community)}
    assert units["5栋"] == 0 and units["6栋"] == 2 and units["A座"] == 0


async def test_two_imports_at_once_are_one_after_the_other(community: Community) -> None:
    """The committee's clerk at the command line and a member in the mini-program import the same book at
    the same moment: neither fails halfway, and the second finds the first's rows and changes nothing."""
    data = small().xlsx()
    first, second = await asyncio.gather(
        import_register(community, data, NOW), import_register(community, data, NOW)
    )
    assert first.ok and second.ok, (first.problems, second.problems)
    assert first.summary is not None and second.summary is not None
    assert sorted([first.summary.changed, second.summary.changed]) == [False, True]
    assert (await counts())["Resident"] == 4 and (await counts())["Building"] == 2
