"""Reading the register workbook's cells as committees write them, and the template's layout."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook, load_workbook

from handlers.register.import_sheets import (
    GUIDE,
    LAYOUT,
    BuildingRef,
    cell_text,
    parse_building,
    parse_building_list,
    parse_care,
    parse_deputies,
    parse_phone,
    parse_room,
    parse_unit,
    parse_yes_no,
    read_workbook,
    template_workbook,
)
from handlers.register.models import Care


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("3", BuildingRef(number=3)),
        ("3栋", BuildingRef(number=3)),
        ("12号楼", BuildingRef(number=12)),
        ("5幢", BuildingRef(number=5)),
        ("三栋", BuildingRef(number=3)),
        ("十二栋", BuildingRef(number=12)),
        ("3组", BuildingRef(number=3, group=True)),
        ("第三组", BuildingRef(number=3, group=True)),
        ("A座", BuildingRef(letter="A")),
        ("b栋", BuildingRef(letter="B")),
        ("Ｃ座", None),  # full width is made half width before (cell_text), not here
        ("综合楼", None),
        ("0栋", None),
        ("", None),
    ],
)
def test_building_as_written(written: str, expected: BuildingRef | None) -> None:
    assert parse_building(written) == expected


def test_building_lists_of_a_grid() -> None:
    def numbers(text: str) -> list[int | str | None]:
        found = parse_building_list(text)
        assert found is not None, text
        return [ref.number or ref.letter for ref in found]

    assert numbers("1、2、3栋") == [1, 2, 3]
    assert numbers("1-3") == [1, 2, 3]
    assert numbers("1至3栋, 7栋") == [1, 2, 3, 7]
    assert numbers("A座、B座") == ["A", "B"]
    assert numbers("3组，4组") == [3, 4]
    assert parse_building_list("3-1") is None
    assert parse_building_list("东区") is None
    assert parse_building_list("") is None


def test_cells_as_excel_keeps_them() -> None:
    assert cell_text(13912345678.0) == "13912345678"  # a phone Excel kept as a number
    assert cell_text(502) == "502"
    assert cell_text("  Ａ座 ") == "A座"
    assert cell_text(None) == ""
    assert cell_text(2.5) == "2.5"


def test_phones_units_rooms_answers() -> None:
    assert parse_phone("139 1234 5678") == "13912345678"
    assert parse_phone("+86 139-1234-5678") == "13912345678"
    assert parse_phone("8613912345678") == "13912345678"
    assert parse_phone("1391234567") is None
    assert parse_phone("0871-65550000") is None
    assert parse_unit("2") == 2 and parse_unit("2单元") == 2 and parse_unit("二单元") == 2
    assert parse_unit("") is None and parse_unit("东") == -1 and parse_unit("0") == -1
    assert parse_room("502") == "502" and parse_room("502室") == "502" and parse_room("15号") == "15"
    assert parse_room("b-3") == "B-3"
    assert parse_room("五楼") is None and parse_room("123456789") is None
    assert parse_yes_no("是") is True and parse_yes_no("否") is False and parse_yes_no("") is False
    assert parse_yes_no("√") is True and parse_yes_no("也许") is None


def test_care_needs_in_order_and_unknown_words() -> None:
    assert parse_care("低保、独居老人") == ([Care.LIVES_ALONE, Care.LOW_INCOME], [])
    assert parse_care("空巢老人,残疾人, 高龄") == ([Care.DISABLED, Care.ELDERLY], [])
    assert parse_care("失独、低保") == ([Care.LOW_INCOME], ["失独"])
    assert parse_care("") == ([], [])


def test_deputies() -> None:
    assert parse_deputies("孙丽:13800138002") == [("孙丽", "13800138002")]
    assert parse_deputies("孙丽：138 0013 8002、王强 13800138003") == [
        ("孙丽", "13800138002"),
        ("王强", "13800138003"),
    ]
    assert parse_deputies("孙丽:1380013") is None  # too short to be a number at all
    assert parse_deputies("孙丽:2380013800") == [("孙丽", None)]  # a number, not a mobile
    assert parse_deputies("13800138002") is None  # no name


def test_template_has_every_sheet_its_columns_examples_and_the_guide() -> None:
    book = load_workbook(io.BytesIO(template_workbook()))
    assert book.sheetnames == [GUIDE, *LAYOUT]
    for name, columns in LAYOUT.items():
        rows = list(book[name].iter_rows(values_only=True))
        assert list(rows[0]) == [c.name for c in columns]
        assert 2 <= len(rows) - 1 <= 3, name
    guide = [row for row in book[GUIDE].iter_rows(values_only=True) if row[1]]
    assert len(guide) - 1 == sum(len(c) for c in LAYOUT.values())
    assert all(row[3] for row in guide)  # every column explained
    rural = load_workbook(io.BytesIO(template_workbook(rural=True)))
    assert "组" in str(rural["房屋"]["A2"].value)


def test_header_found_under_a_title_row_with_other_names() -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "住户"
    sheet.append(["莲花社区住户登记表（2026年11月）"])
    sheet.append(["楼号", "单元", "房间号", "姓名", "联系电话", "是否业主", "籍贯"])
    sheet.append([3, 2, 502, "王芳", 13912345678, "是", "云南"])
    sheet.append([])
    out = io.BytesIO()
    book.save(out)
    sheets, missing = read_workbook(out.getvalue())
    assert missing == []
    people = sheets["住户"]
    assert people.header_row == 2
    assert people.rows == [
        (3, {"楼栋": "3", "单元": "2", "房号": "502", "姓名": "王芳", "手机": "13912345678", "业主": "是"})
    ]


def test_a_missing_required_column_is_named() -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "楼栋长"
    sheet.append(["楼栋", "手机"])
    sheet.append(["3栋", "13912345678"])
    out = io.BytesIO()
    book.save(out)
    assert read_workbook(out.getvalue())[1] == [("楼栋长", 1, "姓名")]
