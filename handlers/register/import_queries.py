"""Reads for the register workbook: who may import and export it, and the export itself (the current
register in the template's layout, so that importing an export changes nothing). Care needs are in it:
it is for the committee and the street office only."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from handlers.register.import_sheets import (
    CARE_LABELS,
    GRIDS,
    HEAD_RELATIONS,
    HEADS,
    HOMES,
    PEOPLE,
    RESIDENCE_LABELS,
    write_workbook,
)
from handlers.register.models import BuildingHead, Care, Grid, GridBuilding, GridStaff, Residence, Resident
from storage.models import Building, Community, CommunityKind, Home


async def community_by_code(code: str) -> Community | None:
    return await Community.get_or_none(code=code)


async def all_communities() -> list[Community]:
    return await Community.all().order_by("code")


def is_rural(community: Community) -> bool:
    return community.kind == CommunityKind.RURAL


def _natural(text: str) -> tuple[int, str]:
    return (int(text), "") if text.isdigit() else (10**9, text)


def _code_order(text: str) -> tuple[Any, ...]:
    return tuple(_natural(part) for part in re.split(r"(\d+)", text) if part)


async def export_workbook(community: Community) -> bytes:
    """The community's register as a workbook in the template's layout (without the 说明 sheet)."""
    buildings = {b.id: b for b in await Building.filter(community=community).order_by("number")}
    order = {building_id: index for index, building_id in enumerate(buildings)}
    homes = await Home.filter(community=community).values_list("building_id", "unit", "room")
    residents = await Resident.filter(community=community, active=True).values(
        "id",
        "name",
        "phone",
        "relation",
        "is_head",
        "is_owner",
        "residence",
        "care",
        "note",
        "household__code",
        "home__building_id",
        "home__unit",
        "home__room",
    )
    return write_workbook(
        {
            HOMES: _home_rows(buildings, homes),
            PEOPLE: _people_rows(buildings, order, residents),
            GRIDS: await _grid_rows(community, buildings, order),
            HEADS: await _head_rows(community, buildings, order),
        },
        guide=False,
    )


def _unit(unit: int) -> str:
    return str(unit) if unit else ""


def _home_rows(buildings: dict[int, Building], homes: Iterable[tuple[Any, ...]]) -> list[tuple[str, ...]]:
    """Homes building by building (``buildings`` in their order), room by room."""
    rooms: dict[int, set[tuple[int, str]]] = {b: set() for b in buildings}
    for building_id, unit, room in homes:
        units = buildings[building_id].units
        if (unit == 0 and units == 0) or 1 <= unit <= units:  # a home as the building is now
            rooms[building_id].add((unit, room))
    rows: list[tuple[str, ...]] = []
    for building_id, building in buildings.items():
        listed = rooms[building_id]
        # units with no room yet, and a building with neither, still say that they exist
        listed |= {(u, "") for u in range(1, building.units + 1) if not any(x == u for x, _ in listed)}
        if not listed:
            listed.add((0, ""))
        for unit, room in sorted(listed, key=lambda home: (home[0], _natural(home[1]))):
            rows.append((building.label, _unit(unit), room))
    return rows


def _people_rows(
    buildings: dict[int, Building], order: dict[int, int], residents: list[dict[str, Any]]
) -> list[tuple[str, ...]]:
    def place(r: dict[str, Any]) -> tuple[Any, ...]:
        return (
            order[r["home__building_id"]],
            r["home__unit"],
            _natural(r["home__room"]),
            _code_order(r["household__code"]),
            not r["is_head"],
            r["id"],
        )

    rows: list[tuple[str, ...]] = []
    for r in sorted(residents, key=place):
        relation = r["relation"]
        if r["is_head"] and relation not in HEAD_RELATIONS:
            relation = "户主"
        rows.append(
            (
                buildings[r["home__building_id"]].label,
                _unit(r["home__unit"]),
                r["home__room"],
                r["household__code"],
                r["name"],
                r["phone"] or "",
                relation,
                "是" if r["is_owner"] else "否",
                RESIDENCE_LABELS[Residence(r["residence"])],
                "、".join(CARE_LABELS[Care(c)] for c in r["care"] or ()),
                r["note"],
            )
        )
    return rows


async def _grid_rows(
    community: Community, buildings: dict[int, Building], order: dict[int, int]
) -> list[tuple[str, ...]]:
    grids = await Grid.filter(community=community)
    links = await GridBuilding.filter(grid__community=community).values_list("grid_id", "building_id")
    staff = (
        await GridStaff.filter(grid__community=community)
        .order_by("id")
        .values("grid_id", "deputy", "duty_hours", "person__name", "person__phone")
    )
    rows: list[tuple[str, ...]] = []
    for grid in sorted(grids, key=lambda g: _code_order(g.code)):
        mine = sorted((b for g, b in links if g == grid.id), key=lambda b: order[b])
        members = [s for s in staff if s["grid_id"] == grid.id]
        worker = next((s for s in members if not s["deputy"]), None)
        deputies = [s for s in members if s["deputy"]]
        hours = (worker or (deputies[0] if deputies else {})).get("duty_hours", "")
        rows.append(
            (
                grid.code,
                grid.name,
                "、".join(buildings[b].label for b in mine),
                worker["person__name"] if worker else "",
                worker["person__phone"] if worker else "",
                hours,
                "、".join(f"{d['person__name']}:{d['person__phone']}" for d in deputies),
            )
        )
    return rows


async def _head_rows(
    community: Community, buildings: dict[int, Building], order: dict[int, int]
) -> list[tuple[str, ...]]:
    heads = await BuildingHead.filter(building__community=community)
    return [
        (buildings[h.building_id].label, h.name, h.phone)
        for h in sorted(heads, key=lambda h: order[h.building_id])
    ]
