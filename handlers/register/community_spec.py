"""The compact specs a street-office clerk types for a community's buildings and rooms, read without I/O.

Buildings (items separated by commas or spaces):
- a town community: ``1-6:2`` (buildings 1 to 6, two units each), ``7:1``, ``8:0`` (no units), ``A座:2``
  (a lettered building); the units may be left out for one unit (``9``);
- a village: ``1-5`` (groups 1 to 5: 1组 ... 5组, no units; homes are house numbers, 3组15号).

Rooms (one spec per set of buildings):
- a town community: ``1-6:6x2`` (in every unit of buildings 1 to 6: floors 1 to 6, two rooms a floor: 101,
  102, 201 ... 602), ``A座:20x4`` (1001 ... 2004 from the tenth floor);
- a village: ``1-5:40`` (house numbers 1 to 40 in groups 1 to 5).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from handlers.common.rules import Refusal
from storage.models import CommunityKind

MAX_RANGE = 200  # buildings or groups in one item
MAX_UNITS = 30
MAX_FLOORS = 60
MAX_PER_FLOOR = 30
MAX_HOUSES = 999

_ITEMS = re.compile(r"[,，;；、\s]+")
_DASH = r"\s*[-~－—到至]\s*"
_NUMBERED = re.compile(
    rf"^(?P<first>\d{{1,3}})(?:{_DASH}(?P<last>\d{{1,3}}))?\s*(?:栋|号楼|幢|组)?(?:\s*[:：]\s*(?P<rest>.+))?$"
)
_LETTERED = re.compile(r"^(?P<letter>[A-Za-z])\s*(?:座|栋|幢)?(?:\s*[:：]\s*(?P<rest>.+))?$")
_FLOORS = re.compile(r"^(?P<floors>\d{1,2})\s*[xX×*]\s*(?P<per>\d{1,2})$")


@dataclass(frozen=True)
class BuildingSpec:
    """One building (or a village's group) as the spec names it: by number, or by name (A座)."""

    number: int | None  # None: a lettered building, its number chosen free
    name: str  # "" for 3栋; A座; 3组
    units: int

    @property
    def label(self) -> str:
        return self.name or f"{self.number}栋"


@dataclass(frozen=True)
class RoomSpec:
    """The rooms of some buildings: ``floors`` x ``per_floor`` (a village: ``per_floor`` house numbers)."""

    buildings: tuple[BuildingSpec, ...]  # units are not read: the buildings' own count is
    floors: int  # 0 in a village
    per_floor: int

    def rooms(self) -> list[str]:
        if self.floors == 0:
            return [str(n) for n in range(1, self.per_floor + 1)]
        return [
            f"{floor}{n:02d}" for floor in range(1, self.floors + 1) for n in range(1, self.per_floor + 1)
        ]


def items(spec: str) -> list[str]:
    return [item for item in _ITEMS.split(spec.strip()) if item]


def parse_buildings(spec: str, kind: CommunityKind) -> list[BuildingSpec]:
    """Every building of ``spec``; ``street.bad_buildings`` names the first item that is not one."""
    found: list[BuildingSpec] = []
    for item in items(spec):
        for building, rest in _named(item, kind):
            found.append(BuildingSpec(building.number, building.name, _units(item, rest, kind)))
    if not found:
        raise Refusal("street.bad_buildings", item=spec, example=_example(kind))
    seen: set[str] = set()
    for building in found:
        if building.label in seen:
            raise Refusal("street.building_twice", building=building.label)
        seen.add(building.label)
    return found


def parse_rooms(spec: str, kind: CommunityKind) -> RoomSpec:
    """One rooms spec (``1-6:6x2``; a village's ``1-5:40``)."""
    named = [pair for item in items(spec) for pair in _named(item, kind, rooms=True)]
    rests = {rest for _, rest in named}
    if not named or len(rests) != 1 or None in rests:
        raise Refusal("street.bad_rooms", item=spec, example=_rooms_example(kind))
    rest = str(rests.pop())
    buildings = tuple(b for b, _ in named)
    if kind is CommunityKind.RURAL:
        if not rest.isdigit() or not 1 <= int(rest) <= MAX_HOUSES:
            raise Refusal("street.bad_rooms", item=spec, example=_rooms_example(kind))
        return RoomSpec(buildings, 0, int(rest))
    shape = _FLOORS.match(rest)
    if shape is None:
        raise Refusal("street.bad_rooms", item=spec, example=_rooms_example(kind))
    floors, per = int(shape["floors"]), int(shape["per"])
    if not (1 <= floors <= MAX_FLOORS and 1 <= per <= MAX_PER_FLOOR):
        raise Refusal("street.bad_rooms", item=spec, example=_rooms_example(kind))
    return RoomSpec(buildings, floors, per)


def _named(item: str, kind: CommunityKind, rooms: bool = False) -> list[tuple[BuildingSpec, str | None]]:
    """The buildings an item names (units not read yet) and what follows its colon."""
    bad = Refusal(
        "street.bad_rooms" if rooms else "street.bad_buildings",
        item=item,
        example=_rooms_example(kind) if rooms else _example(kind),
    )
    lettered = _LETTERED.match(item)
    if lettered is not None:
        if kind is CommunityKind.RURAL:
            raise bad
        return [(BuildingSpec(None, f"{lettered['letter'].upper()}座", 0), lettered["rest"])]
    numbered = _NUMBERED.match(item)
    if numbered is None:
        raise bad
    first = int(numbered["first"])
    last = int(numbered["last"] or first)
    if first < 1 or last < first or last - first >= MAX_RANGE:
        raise bad
    rural = kind is CommunityKind.RURAL
    return [(BuildingSpec(n, f"{n}组" if rural else "", 0), numbered["rest"]) for n in range(first, last + 1)]


def _units(item: str, rest: str | None, kind: CommunityKind) -> int:
    if kind is CommunityKind.RURAL:
        if rest is not None and rest.strip() != "0":
            raise Refusal("street.group_units", item=item)
        return 0
    if rest is None:
        return 1  # one unit goes without saying (7栋101)
    if not rest.isdigit() or int(rest) > MAX_UNITS:
        raise Refusal("street.bad_buildings", item=item, example=_example(kind))
    return int(rest)


def _example(kind: CommunityKind) -> str:
    return "1-5" if kind is CommunityKind.RURAL else "1-6:2,7:1,8:0,A座:2"


def _rooms_example(kind: CommunityKind) -> str:
    return "1-5:40" if kind is CommunityKind.RURAL else "1-6:6x2"
