"""The register workbook's layout and how its cells are read: pure functions, no database.

Sheets: 房屋 (buildings, units, rooms), 住户 (households and residents), 网格 (grids, their buildings and
grid workers), 楼栋长 (building heads), and 说明 (what each column means). A sheet's header row names its
columns (found in the first rows, so a title row above it is fine); the order of the columns is free.
openpyxl (5 MB) is imported when a workbook is read or written, not by every serving process.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import content
from handlers.register.models import Care, Residence
from nlp.slots import parse_mobile as parse_phone  # a register cell is one mobile or none

if TYPE_CHECKING:
    from openpyxl import Workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

HOMES, PEOPLE, GRIDS, HEADS, GUIDE = "房屋", "住户", "网格", "楼栋长", "说明"


@dataclass(frozen=True)
class Column:
    name: str
    required: bool
    width: int


def _columns(*spec: tuple[str, bool, int]) -> tuple[Column, ...]:
    return tuple(Column(*c) for c in spec)


# sheet -> its columns, in the order the template and the export write them (what each means, for the 说明
# sheet, and the template's examples are in content/register_workbook.yaml)
LAYOUT: dict[str, tuple[Column, ...]] = {
    HOMES: _columns(("楼栋", True, 10), ("单元", False, 8), ("房号", False, 10)),
    PEOPLE: _columns(
        ("楼栋", True, 10),
        ("单元", False, 8),
        ("房号", True, 10),
        ("户号", False, 10),
        ("姓名", True, 10),
        ("手机", False, 14),
        ("与户主关系", False, 12),
        ("业主", False, 6),
        ("人员类型", False, 10),
        ("关爱", False, 16),
        ("备注", False, 24),
    ),
    GRIDS: _columns(
        ("网格编号", True, 10),
        ("网格名称", False, 12),
        ("楼栋", True, 16),
        ("网格员姓名", False, 10),
        ("网格员手机", False, 14),
        ("值班时间", False, 18),
        ("副网格员", False, 22),
    ),
    HEADS: _columns(("楼栋", True, 10), ("姓名", True, 10), ("手机", False, 14)),
}

# other ways committees head the same columns
ALIASES = {
    "楼号": "楼栋",
    "楼栋号": "楼栋",
    "组": "楼栋",
    "单元号": "单元",
    "房间号": "房号",
    "门牌号": "房号",
    "手机号": "手机",
    "手机号码": "手机",
    "联系电话": "手机",
    "电话": "手机",
    "关系": "与户主关系",
    "是否业主": "业主",
    "人口类型": "人员类型",
    "关爱类别": "关爱",
    "网格": "网格编号",
    "网格员": "网格员姓名",
    "网格员电话": "网格员手机",
    "楼栋长姓名": "姓名",
}

CARE_WORDS = {
    "独居老人": Care.LIVES_ALONE,
    "独居": Care.LIVES_ALONE,
    "残疾": Care.DISABLED,
    "残疾人": Care.DISABLED,
    "残障": Care.DISABLED,
    "低保": Care.LOW_INCOME,
    "低保户": Care.LOW_INCOME,
    "高龄": Care.ELDERLY,
    "高龄老人": Care.ELDERLY,
    "空巢": Care.ELDERLY,
    "空巢老人": Care.ELDERLY,
    "其他": Care.OTHER,
}
CARE_LABELS = {
    Care.LIVES_ALONE: "独居老人",
    Care.DISABLED: "残疾",
    Care.LOW_INCOME: "低保",
    Care.ELDERLY: "高龄",
    Care.OTHER: "其他",
}
RESIDENCE_WORDS = {
    "常住": Residence.PERMANENT,
    "常住人口": Residence.PERMANENT,
    "户籍": Residence.REGISTERED,
    "户籍人口": Residence.REGISTERED,
    "流动": Residence.FLOATING,
    "流动人口": Residence.FLOATING,
    "暂住": Residence.FLOATING,
}
RESIDENCE_LABELS = {Residence.PERMANENT: "常住", Residence.REGISTERED: "户籍", Residence.FLOATING: "流动"}
YES = {"是", "y", "yes", "√", "✓", "1", "业主"}
NO = {"否", "n", "no", "×", "✗", "0", ""}
HEAD_RELATIONS = {"户主", "本人"}


# -- cells ----------------------------------------------------------------------------------------------
def cell_text(value: Any) -> str:
    """A cell as text: numbers without their ``.0`` (Excel keeps phones and rooms as numbers), full-width
    characters made half-width, spaces trimmed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFKC", str(value)).strip()


@dataclass(frozen=True)
class BuildingRef:
    """A building as written: its number (a village's group number), or its letter (A座)."""

    number: int | None = None
    letter: str | None = None
    group: bool = False  # written 3组

    @property
    def key(self) -> tuple[str, int | str]:
        return ("l", self.letter) if self.letter else ("n", self.number or 0)


_NUMBERED = re.compile(r"^第?(\d{1,3})\s*(栋|号楼|幢|号|#|#楼|栋楼|座|组)?$")
_LETTERED = re.compile(r"^([a-zA-Z])\s*(座|栋|幢|号楼|#)?$")
_CN_DIGITS = dict(zip("零一二三四五六七八九", "0123456789", strict=True))


def _cn_number(text: str) -> str:
    """三组 -> 3组, 十二栋 -> 12栋 (the small numbers buildings and groups have)."""
    match = re.match(r"^第?([零一二三四五六七八九十]{1,3})(.*)$", text)
    if not match:
        return text
    numeral, rest = match.groups()
    if "十" in numeral:
        tens, _, ones = numeral.partition("十")
        value = int(_CN_DIGITS.get(tens, "1") if tens else 1) * 10 + (int(_CN_DIGITS[ones]) if ones else 0)
        return f"{value}{rest}"
    return "".join(_CN_DIGITS[ch] for ch in numeral) + rest


def parse_building(text: str) -> BuildingRef | None:
    """3, 3栋, 3号楼, 3幢, 第三组, A座, b栋; None when it is none of these."""
    written = _cn_number(text.replace(" ", ""))
    match = _NUMBERED.match(written)
    if match and int(match.group(1)) > 0:
        return BuildingRef(number=int(match.group(1)), group=match.group(2) == "组")
    match = _LETTERED.match(written)
    if match:
        return BuildingRef(letter=match.group(1).upper())
    return None


_RANGE = re.compile(
    r"^第?(\d{1,3})\s*(?:栋|号楼|幢|号|组)?\s*[-~～—–至到]\s*(\d{1,3})\s*(栋|号楼|幢|号|组)?$"
)


def parse_building_list(text: str) -> list[BuildingRef] | None:
    """1、2、3栋 / 1-3 / 1至3栋 / A座、B座 / 3组,4组; None when a piece is none of these."""
    found: list[BuildingRef] = []
    for piece in re.split(r"[、,，;；/\s]+", text.strip()):
        if not piece:
            continue
        span = _RANGE.match(piece)
        if span:
            first, last = int(span.group(1)), int(span.group(2))
            if first == 0 or last < first or last - first > 200:
                return None
            found += [BuildingRef(number=n, group=span.group(3) == "组") for n in range(first, last + 1)]
            continue
        ref = parse_building(piece)
        if ref is None:
            return None
        found.append(ref)
    return found or None


def parse_unit(text: str) -> int | None:
    """2, 2单元, 二单元; -1 when it is not a unit number, None when blank."""
    if not text:
        return None
    match = re.match(r"^(\d{1,2})\s*(单元|门)?$", _cn_number(text))
    return int(match.group(1)) if match and int(match.group(1)) > 0 else -1


_ROOM = re.compile(r"^([0-9a-zA-Z][0-9a-zA-Z\-]{0,7})$")


def parse_room(text: str) -> str | None:
    """502, 502室, 1203, 15号 (a village's house number), B-3; None when it is none of these."""
    written = re.sub(r"\s*(室|号|房|户)$", "", text)
    match = _ROOM.match(written)
    return match.group(1).upper() if match else None


def parse_yes_no(text: str) -> bool | None:
    lowered = text.lower()
    if lowered in YES:
        return True
    return False if lowered in NO else None


def parse_care(text: str) -> tuple[list[Care], list[str]]:
    """(the care needs in the enum's order, the words that are not one)."""
    found: set[Care] = set()
    unknown = []
    for word in re.split(r"[、,，;；/\s]+", text):
        if not word:
            continue
        care = CARE_WORDS.get(word)
        if care is None:
            unknown.append(word)
        else:
            found.add(care)
    return [care for care in Care if care in found], unknown


_DEPUTY = re.compile(r"^(.*?)\s*[:：]?\s*(\+?[\d][\d\s\-]{9,16})$")


def parse_deputies(text: str) -> list[tuple[str, str | None]] | None:
    """李四:13900000001、王五:13900000002 -> [(name, phone, None when not a mobile)]; None: unreadable."""
    found: list[tuple[str, str | None]] = []
    for piece in re.split(r"[、,，;；]+", text.strip()):
        if not piece.strip():
            continue
        match = _DEPUTY.match(piece.strip())
        if not match or not match.group(1).strip():
            return None
        found.append((match.group(1).strip(), parse_phone(match.group(2))))
    return found or None


# -- reading ------------------------------------------------------------------------------------------
@dataclass
class Sheet:
    """A sheet's data rows, as text by column name; ``row`` numbers are Excel's (1-based)."""

    name: str
    header_row: int
    columns: set[str]
    rows: list[tuple[int, dict[str, str]]]


class NotAWorkbook(Exception):
    pass


def read_workbook(data: bytes) -> tuple[dict[str, Sheet], list[tuple[str, int, str]]]:
    """The register's sheets in ``data`` (an .xlsx), and the header problems: (sheet, row, missing column)."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, KeyError, ValueError, OSError) as exc:
        raise NotAWorkbook(str(exc)) from exc
    except Exception as exc:  # a zip that is not a workbook raises zipfile's own errors
        if type(exc).__module__.startswith(("zipfile", "openpyxl", "xml")):
            raise NotAWorkbook(str(exc)) from exc
        raise
    sheets: dict[str, Sheet] = {}
    missing: list[tuple[str, int, str]] = []
    try:
        for worksheet in book.worksheets:
            name = cell_text(worksheet.title)
            if name not in LAYOUT:
                continue
            sheet, lacking = _read_sheet(name, worksheet.iter_rows(values_only=True))
            sheets[name] = sheet
            missing += [(name, sheet.header_row, column) for column in lacking]
    finally:
        book.close()
    return sheets, missing


def _read_sheet(name: str, rows: Iterable[Sequence[Any]]) -> tuple[Sheet, list[str]]:
    required = [c.name for c in LAYOUT[name] if c.required]
    known = {c.name for c in LAYOUT[name]}
    table = list(rows)

    def names(values: Sequence[Any]) -> list[str]:
        return [ALIASES.get(cell_text(v), cell_text(v)) for v in values]

    # the header: the first of the first rows naming every required column (a title may stand above it),
    # else the first row with anything in it
    header_row = next(
        (i for i, values in enumerate(table[:5], start=1) if set(required) <= set(names(values))),
        next((i for i, values in enumerate(table, start=1) if any(names(values))), 1),
    )
    header = [n if n in known else None for n in names(table[header_row - 1])] if table else []
    data: list[tuple[int, dict[str, str]]] = []
    for number, values in enumerate(table[header_row:], start=header_row + 1):
        texts = {col: cell_text(v) for col, v in zip(header, values, strict=False) if col}
        if any(texts.values()):
            data.append((number, texts))
    columns = {c for c in header if c}
    return Sheet(name, header_row, columns, data), [c for c in required if c not in columns]


# -- writing ------------------------------------------------------------------------------------------
def _header_style(cell: Any) -> None:
    from openpyxl.styles import Font, PatternFill

    cell.font, cell.fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")


def write_workbook(rows: Mapping[str, Iterable[Sequence[object]]], guide: bool = True) -> bytes:
    """A workbook of the register's sheets (header row, then ``rows[sheet]``) and, with ``guide``, 说明."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for name, columns in LAYOUT.items():
        sheet = book.create_sheet(name)
        sheet.append([c.name for c in columns])
        for index, column in enumerate(columns, start=1):
            cell = sheet.cell(row=1, column=index)
            _header_style(cell)
            sheet.column_dimensions[cell.column_letter].width = column.width
            # everything as text: Excel must not turn 13912345678 into 1.39E+10 or 0502 into 502
            sheet.column_dimensions[cell.column_letter].number_format = "@"
        sheet.freeze_panes = "A2"
        for row in rows.get(name, ()):
            sheet.append(["" if v is None else str(v) for v in row])
    if guide:
        _write_guide(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _write_guide(book: Workbook) -> None:
    from openpyxl.styles import Alignment

    texts = content.load_yaml("register_workbook.yaml")
    sheet = book.create_sheet(GUIDE, 0)
    sheet.append(texts["guide_header"])
    for cell in sheet[1]:
        _header_style(cell)
    for name, columns in LAYOUT.items():
        for column in columns:
            guide = texts["guide"][name][column.name]
            sheet.append([name, column.name, "是" if column.required else "", guide])
    for letter, width in zip("ABCD", (10, 12, 6, 80), strict=True):
        sheet.column_dimensions[letter].width = width
    for row in sheet.iter_rows(min_row=2):
        row[3].alignment = Alignment(wrap_text=True, vertical="top")
    sheet.append([])
    for line in texts["notes"]:
        sheet.append(["", "", "", line])


def template_workbook(rural: bool = False) -> bytes:
    """The template to fill in: every sheet with its header row and a few example rows, and 说明."""
    examples = content.load_yaml("register_workbook.yaml")["examples"]["rural" if rural else "urban"]
    return write_workbook(examples)
