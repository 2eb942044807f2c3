"""Row-by-row checks of a register workbook: every problem (sheet, row, column, why), and, when there is
none, the register as it should be. Pure: the community's existing buildings are handed in."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import content
from handlers.register.import_sheets import (
    GRIDS,
    HEAD_RELATIONS,
    HEADS,
    HOMES,
    PEOPLE,
    RESIDENCE_WORDS,
    BuildingRef,
    Sheet,
    parse_building,
    parse_building_list,
    parse_care,
    parse_deputies,
    parse_phone,
    parse_room,
    parse_unit,
    parse_yes_no,
)
from handlers.register.models import Residence
from storage.models import Building

BuildingKey = tuple[str, int | str]
HomeKey = tuple[BuildingKey, int, str]  # building, unit (0: none), room
LETTERED_FROM = 900  # lettered buildings (A座) are numbered from here: their number is never shown


@dataclass(frozen=True)
class Problem:
    sheet: str
    row: int
    column: str
    why: str


@dataclass
class BuildingPlan:
    key: BuildingKey
    number: int
    name: str
    units: int
    label: str
    existing: Building | None = None
    listed: bool = False  # on the 房屋 sheet
    rooms: set[tuple[int, str]] = field(default_factory=set)  # the rooms the 房屋 sheet lists


@dataclass(frozen=True)
class PersonRow:
    row: int
    home: HomeKey
    code: str
    name: str
    phone: str | None
    relation: str
    is_head: bool
    is_owner: bool
    residence: Residence
    care: list[str]
    note: str


@dataclass(frozen=True)
class StaffRow:
    name: str
    phone: str
    deputy: bool


@dataclass(frozen=True)
class GridRow:
    row: int
    code: str
    name: str
    buildings: list[BuildingKey]
    staff: list[StaffRow]
    duty_hours: str


@dataclass(frozen=True)
class HeadRow:
    row: int
    building: BuildingKey
    name: str
    phone: str


@dataclass
class Register:
    """The workbook, checked. A sheet left out (or with no data rows) is None: what it holds stays as is."""

    buildings: dict[BuildingKey, BuildingPlan]
    homes: list[HomeKey]
    people: list[PersonRow] | None
    grids: list[GridRow] | None
    heads: list[HeadRow] | None
    rows: int


def building_key(building: Building) -> BuildingKey:
    letter = building.letter
    return ("l", letter) if letter else ("n", building.number)


class Checker:
    def __init__(self, existing: Iterable[Building], rural: bool) -> None:
        self.rural = rural
        self.problems: list[Problem] = []
        self.buildings: dict[BuildingKey, BuildingPlan] = {}
        for building in existing:
            key = building_key(building)
            self.buildings[key] = BuildingPlan(
                key, building.number, building.name, building.units, building.label, existing=building
            )

    def problem(self, sheet: str, row: int, column: str, key: str, /, **values: object) -> None:
        self.problems.append(Problem(sheet, row, column, content.text(f"register_import.{key}", **values)))

    def text(self, sheet: str, row: int, column: str, value: str, limit: int, required: bool = False) -> str:
        if required and not value:
            self.problem(sheet, row, column, "required")
        elif len(value) > limit:
            self.problem(sheet, row, column, "too_long", limit=limit)
        return value[:limit]

    # -- 房屋 ------------------------------------------------------------------------------------------
    def homes(self, sheet: Sheet | None) -> list[HomeKey]:
        written: list[tuple[int, BuildingKey, int | None, str | None]] = []
        for row, cells in sheet.rows if sheet else ():
            ref = self.building_ref(HOMES, row, cells.get("楼栋", ""))
            unit = parse_unit(cells.get("单元", ""))
            if unit == -1:
                self.problem(HOMES, row, "单元", "bad_unit", value=cells["单元"])
            room = None
            if cells.get("房号"):
                room = parse_room(cells["房号"])
                if room is None:
                    self.problem(HOMES, row, "房号", "bad_room", value=cells["房号"])
            if ref is not None and unit != -1 and (room is not None or not cells.get("房号")):
                plan = self.plan_for(ref)
                plan.listed = True
                written.append((row, plan.key, unit, room))
        top: dict[BuildingKey, int] = {}
        for _, key, unit, _ in written:
            top[key] = max(top.get(key, 0), unit or 0)
        for key, units in top.items():
            plan = self.buildings[key]
            # no unit written: a building of one unit (as it was) keeps it, otherwise it has none
            plan.units = units or (1 if plan.existing is not None and plan.existing.units == 1 else 0)
        homes: list[HomeKey] = []
        first: dict[tuple[BuildingKey, int, str], int] = {}
        for row, key, unit, room in written:
            plan = self.buildings[key]
            if unit is None and plan.units > 1:
                self.problem(HOMES, row, "单元", "need_unit", building=plan.label, units=plan.units)
                continue
            if room is None:
                continue
            home = (key, unit or plan.units, room)
            if home in first:
                self.problem(HOMES, row, "房号", "duplicate_room", row=first[home])
                continue
            first[home] = row
            plan.rooms.add((home[1], room))
            homes.append(home)
        return homes

    def building_ref(self, sheet: str, row: int, text: str) -> BuildingRef | None:
        if not text:
            self.problem(sheet, row, "楼栋", "required")
            return None
        ref = parse_building(text)
        if ref is None:
            self.problem(sheet, row, "楼栋", "bad_building", value=text)
        return ref

    def plan_for(self, ref: BuildingRef) -> BuildingPlan:
        """The building ``ref`` names, added to the plan when it is new."""
        plan = self.buildings.get(ref.key)
        group = ref.group or self.rural
        if plan is None:
            if ref.letter:
                plan = BuildingPlan(ref.key, 0, f"{ref.letter}座", 0, f"{ref.letter}座")
            else:
                number = ref.number or 0
                name = f"{number}组" if group else ""
                plan = BuildingPlan(ref.key, number, name, 0, name or f"{number}栋")
            self.buildings[ref.key] = plan
        elif not ref.letter:
            plan.name = f"{plan.number}组" if group else ""
        return plan

    def written(self, ref: BuildingRef) -> str:
        """How a building not (yet) in the community is named to the committee."""
        if ref.letter:
            return f"{ref.letter}座"
        return f"{ref.number}{'组' if ref.group or self.rural else '栋'}"

    def known(self, sheet: str, row: int, text: str) -> BuildingPlan | None:
        ref = self.building_ref(sheet, row, text)
        if ref is None:
            return None
        plan = self.buildings.get(ref.key)
        if plan is None:
            written = self.written(ref)
            self.problem(sheet, row, "楼栋", "unknown_building", building=written)
        return plan

    # -- 住户 ------------------------------------------------------------------------------------------
    def people(self, sheet: Sheet) -> list[PersonRow]:
        found: list[PersonRow] = []
        members: dict[tuple[HomeKey, str], dict[str, int]] = {}
        heads: dict[tuple[HomeKey, str], tuple[str, int]] = {}
        for row, cells in sheet.rows:
            home = self.home_of(row, cells)
            code = self.text(PEOPLE, row, "户号", cells.get("户号", ""), 32)
            name = self.text(PEOPLE, row, "姓名", cells.get("姓名", ""), 32, required=True)
            phone = self.phone(PEOPLE, row, "手机", cells.get("手机", ""))
            relation = self.text(PEOPLE, row, "与户主关系", cells.get("与户主关系", ""), 16)
            owner = parse_yes_no(cells.get("业主", ""))
            if owner is None:
                self.problem(PEOPLE, row, "业主", "bad_yes_no", value=cells["业主"])
            residence = RESIDENCE_WORDS.get(cells.get("人员类型", "") or "常住")
            if residence is None:
                self.problem(PEOPLE, row, "人员类型", "bad_residence", value=cells["人员类型"])
            care, unknown = parse_care(cells.get("关爱", ""))
            for word in unknown:
                self.problem(PEOPLE, row, "关爱", "bad_care", value=word)
            note = self.text(PEOPLE, row, "备注", cells.get("备注", ""), 200)
            if home is None or not name:
                continue
            household = (home, code)
            seen = members.setdefault(household, {})
            if name in seen:
                self.problem(PEOPLE, row, "姓名", "duplicate_person", name=name, row=seen[name])
                continue
            seen[name] = row
            is_head = relation in HEAD_RELATIONS
            if is_head and household in heads:
                other, other_row = heads[household]
                self.problem(PEOPLE, row, "与户主关系", "two_heads", name=other, row=other_row)
            elif is_head:
                heads[household] = (name, row)
            found.append(
                PersonRow(
                    row=row,
                    home=home,
                    code=code,
                    name=name,
                    phone=phone,
                    relation=relation,
                    is_head=is_head,
                    is_owner=bool(owner),
                    residence=residence or Residence.PERMANENT,
                    care=[c.value for c in care],
                    note=note,
                )
            )
        return found

    def home_of(self, row: int, cells: dict[str, str]) -> HomeKey | None:
        plan = self.known(PEOPLE, row, cells.get("楼栋", ""))
        unit = parse_unit(cells.get("单元", ""))
        room_text = cells.get("房号", "")
        room = parse_room(room_text) if room_text else None
        if not room_text:
            self.problem(PEOPLE, row, "房号", "required")
        elif room is None:
            self.problem(PEOPLE, row, "房号", "bad_room", value=room_text)
        if unit == -1:
            self.problem(PEOPLE, row, "单元", "bad_unit", value=cells["单元"])
            return None
        if plan is None:
            return None
        if unit is None:
            if plan.units > 1:
                self.problem(PEOPLE, row, "单元", "need_unit", building=plan.label, units=plan.units)
                return None
            unit = plan.units
        elif plan.units == 0:
            self.problem(PEOPLE, row, "单元", "no_units", building=plan.label)
            return None
        elif unit > plan.units:
            self.problem(PEOPLE, row, "单元", "unit_beyond", building=plan.label, units=plan.units)
            return None
        if room is None:
            return None
        if plan.rooms and (unit, room) not in plan.rooms:
            where = f"{plan.label}{unit}单元" if unit else plan.label
            self.problem(PEOPLE, row, "房号", "unknown_room", where=where, room=room)
            return None
        return (plan.key, unit, room)

    def phone(self, sheet: str, row: int, column: str, text: str) -> str | None:
        if not text:
            return None
        phone = parse_phone(text)
        if phone is None:
            self.problem(sheet, row, column, "bad_phone", value=text)
        return phone

    # -- 网格 ------------------------------------------------------------------------------------------
    def grids(self, sheet: Sheet) -> list[GridRow]:
        found: list[GridRow] = []
        codes: dict[str, int] = {}
        placed: dict[BuildingKey, tuple[str, int]] = {}
        for row, cells in sheet.rows:
            code = self.text(GRIDS, row, "网格编号", cells.get("网格编号", ""), 32, required=True)
            if code in codes:
                self.problem(GRIDS, row, "网格编号", "duplicate_grid", code=code, row=codes[code])
            elif code:
                codes[code] = row
            name = self.text(GRIDS, row, "网格名称", cells.get("网格名称", ""), 64)
            buildings = self.grid_buildings(row, cells.get("楼栋", ""), code, placed)
            staff = self.grid_staff(row, cells)
            duty = self.text(GRIDS, row, "值班时间", cells.get("值班时间", ""), 64)
            found.append(GridRow(row, code, name, buildings, staff, duty))
        return found

    def grid_buildings(
        self, row: int, text: str, code: str, placed: dict[BuildingKey, tuple[str, int]]
    ) -> list[BuildingKey]:
        if not text:
            self.problem(GRIDS, row, "楼栋", "required")
            return []
        refs = parse_building_list(text)
        if refs is None:
            self.problem(GRIDS, row, "楼栋", "bad_building_list", value=text)
            return []
        keys: list[BuildingKey] = []
        for ref in refs:
            plan = self.buildings.get(ref.key)
            if plan is None:
                written = self.written(ref)
                self.problem(GRIDS, row, "楼栋", "grid_building_unknown", building=written)
            elif ref.key in placed and placed[ref.key][1] != row:
                other, other_row = placed[ref.key]
                self.problem(GRIDS, row, "楼栋", "two_grids", building=plan.label, code=other, row=other_row)
            elif ref.key not in placed:
                placed[ref.key] = (code, row)
                keys.append(ref.key)
        return keys

    def grid_staff(self, row: int, cells: dict[str, str]) -> list[StaffRow]:
        staff: list[StaffRow] = []
        name = self.text(GRIDS, row, "网格员姓名", cells.get("网格员姓名", ""), 32)
        phone = self.phone(GRIDS, row, "网格员手机", cells.get("网格员手机", ""))
        if name and not cells.get("网格员手机"):
            self.problem(GRIDS, row, "网格员手机", "worker_needs_phone")
        if phone:
            staff.append(StaffRow(name, phone, deputy=False))
        if cells.get("副网格员"):
            deputies = parse_deputies(cells["副网格员"])
            if deputies is None or any(p is None or len(n) > 32 for n, p in deputies):
                self.problem(GRIDS, row, "副网格员", "bad_deputy", value=cells["副网格员"])
            else:
                staff += [StaffRow(n, p, deputy=True) for n, p in deputies if p]
        phones = [s.phone for s in staff]
        if len(set(phones)) < len(phones):
            self.problem(GRIDS, row, "副网格员", "same_staff_twice")
        return staff

    # -- 楼栋长 ----------------------------------------------------------------------------------------
    def heads(self, sheet: Sheet) -> list[HeadRow]:
        found: list[HeadRow] = []
        first: dict[BuildingKey, int] = {}
        for row, cells in sheet.rows:
            plan = self.known(HEADS, row, cells.get("楼栋", ""))
            name = self.text(HEADS, row, "姓名", cells.get("姓名", ""), 32, required=True)
            phone = self.phone(HEADS, row, "手机", cells.get("手机", ""))
            if plan is None:
                continue
            if plan.key in first:
                self.problem(HEADS, row, "楼栋", "duplicate_head", building=plan.label, row=first[plan.key])
                continue
            first[plan.key] = row
            if name:
                found.append(HeadRow(row, plan.key, name, phone or ""))
        return found

    def number_lettered(self) -> None:
        """New lettered buildings get a free number from LETTERED_FROM on; a lettered building whose number
        a new numbered building takes moves there too."""
        taken = {p.number for p in self.buildings.values() if p.key[0] == "n"}
        for plan in self.buildings.values():
            if plan.key[0] == "l" and (plan.existing is None or plan.number in taken):
                number = LETTERED_FROM + 1
                while number in taken:
                    number += 1
                plan.number = number
            taken.add(plan.number)


def check(
    sheets: dict[str, Sheet],
    existing: Iterable[Building],
    rural: bool,
    progress: Callable[[int], None] = lambda _: None,
) -> tuple[Register, list[Problem]]:
    """The register ``sheets`` describe, and every problem found in them (the register means nothing then).
    ``progress`` is told how many data rows were checked, sheet by sheet."""
    checker = Checker(existing, rural)

    def given(name: str) -> Sheet | None:
        sheet = sheets.get(name)
        return sheet if sheet is not None and sheet.rows else None

    homes_sheet, people_sheet, grids_sheet, heads_sheet = (given(n) for n in (HOMES, PEOPLE, GRIDS, HEADS))
    homes = checker.homes(homes_sheet)
    progress(len(homes_sheet.rows) if homes_sheet else 0)
    people = checker.people(people_sheet) if people_sheet else None
    progress(len(people_sheet.rows) if people_sheet else 0)
    grids = checker.grids(grids_sheet) if grids_sheet else None
    heads = checker.heads(heads_sheet) if heads_sheet else None
    progress(sum(len(s.rows) for s in (grids_sheet, heads_sheet) if s))
    checker.number_lettered()
    rows = sum(len(s.rows) for s in (homes_sheet, people_sheet, grids_sheet, heads_sheet) if s)
    register = Register(checker.buildings, homes, people, grids, heads, rows)
    problems = sorted(checker.problems, key=lambda p: (_SHEET_ORDER.get(p.sheet, 9), p.row))
    return register, problems


_SHEET_ORDER = {"": 0, HOMES: 1, PEOPLE: 2, GRIDS: 3, HEADS: 4}
