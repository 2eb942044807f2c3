"""Importing the household register from the committee's workbook: checked row by row (every problem is
reported and nothing is written), then written whole in one transaction, updating in place.

On re-import a resident is the same one when the household and the name are: their details are updated;
residents the workbook no longer lists leave the register (``active`` false, ``left_at``) and their verified
bindings end, since a household's rights belong to its members; a household with no member left is no
longer active. Buildings, homes and households are never deleted (tickets and bindings point at them);
grids and building heads the workbook no longer lists are removed.

Fast for a normal file (10,000 residents): each table is read once into a dict, then written in bulk.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from tortoise.models import Model
from tortoise.transactions import in_transaction

import content
from handlers.register.import_check import (
    BuildingKey,
    GridRow,
    HeadRow,
    HomeKey,
    PersonRow,
    Problem,
    Register,
    building_key,
    check,
)
from handlers.register.import_sheets import HEADS, NotAWorkbook, read_workbook
from handlers.register.models import (
    Binding,
    BindingStatus,
    BuildingHead,
    Grid,
    GridBuilding,
    GridStaff,
    Household,
    Resident,
)
from storage.models import Building, Community, CommunityKind, Home, Person, Role, RoleName
from storage.people import staff_by_phone

KINDS = ("buildings", "homes", "households", "residents", "grids", "grid_staff", "building_heads")
BATCH = 500
M = TypeVar("M", bound=Model)
Progress = Callable[[int, int], None]


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    left: int = 0


@dataclass
class ImportSummary:
    counts: dict[str, Counts] = field(default_factory=lambda: {kind: Counts() for kind in KINDS})
    bindings_ended: int = 0
    rows: int = 0
    dry_run: bool = False

    @property
    def changed(self) -> bool:
        return self.bindings_ended > 0 or any(c.created or c.updated or c.left for c in self.counts.values())

    def lines(self) -> list[str]:
        """The summary as the committee reads it."""
        lines = [content.text("register_import.checked" if self.dry_run else "register_import.imported")]
        for kind, counts in self.counts.items():
            lines.append(
                content.text(
                    "register_import.counts",
                    kind=content.text(f"register_import.kind.{kind}"),
                    created=counts.created,
                    updated=counts.updated,
                    left=counts.left,
                )
            )
        if self.bindings_ended:
            lines.append(content.text("register_import.bindings_ended", count=self.bindings_ended))
        return lines


@dataclass
class ImportResult:
    problems: list[Problem]
    summary: ImportSummary | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


class _DryRun(Exception):
    """Raised at the end of a dry run: the transaction is rolled back, the summary kept."""


def _sheet_problem(key: str, **values: object) -> Problem:
    return Problem("", 0, "", content.text(f"register_import.{key}", **values))


async def import_register(
    community: Community,
    data: bytes,
    now: dt.datetime,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportResult:
    """Check the workbook ``data`` and, when nothing is wrong, write it (not with ``dry_run``: the whole
    import runs and is rolled back, so the summary is the one a real import would give). ``progress`` is
    told (done, total): every data row counts once when checked and once when written."""
    try:
        sheets, missing = read_workbook(data)
    except NotAWorkbook:
        return ImportResult([_sheet_problem("not_a_workbook")])
    if not sheets:
        return ImportResult([_sheet_problem("no_sheets")])
    total = 2 * sum(len(sheet.rows) for sheet in sheets.values())
    done = 0

    def advance(rows: int) -> None:
        nonlocal done
        done = min(total, done + rows)
        if progress is not None:
            progress(done, total)

    header_problems = [
        Problem(sheet, row, column, content.text("register_import.missing_column", column=column))
        for sheet, row, column in missing
    ]
    register_at = community.register_at
    try:
        async with in_transaction():
            # one import of a community at a time (the command line and the API at once): the second
            # waits here, then checks the workbook against what the first wrote
            locked = await Community.filter(id=community.id).select_for_update().get()
            community.register_at = register_at = locked.register_at
            register, problems = check(
                {name: sheet for name, sheet in sheets.items() if not any(p[0] == name for p in missing)},
                await Building.filter(community=community),
                community.kind == CommunityKind.RURAL,
                advance,
            )
            if header_problems or problems:
                return ImportResult(header_problems + problems)
            if not register.rows:
                return ImportResult([_sheet_problem("no_rows")])
            summary = ImportSummary(rows=register.rows, dry_run=dry_run)
            await _Writer(community, register, now, summary, advance).write()
            if dry_run:
                raise _DryRun
    except _DryRun:
        community.register_at = register_at  # as the rolled-back database has it
    advance(total)
    return ImportResult([], summary)


def chunks(items: Sequence[Any], size: int = BATCH) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class _Writer:
    def __init__(
        self,
        community: Community,
        register: Register,
        now: dt.datetime,
        summary: ImportSummary,
        advance: Callable[[int], None],
    ) -> None:
        self.community = community
        self.register = register
        self.now = now
        self.summary = summary
        self.advance = advance
        self.buildings: dict[BuildingKey, Building] = {}
        self.homes: dict[tuple[int, int, str], Home] = {}
        self.households: dict[tuple[int, str], Household] = {}

    def count(self, kind: str) -> Counts:
        return self.summary.counts[kind]

    async def write(self) -> None:
        await self.write_buildings()
        await self.write_homes()
        self.advance(len(self.register.homes))
        if self.register.people is not None:
            await self.write_households()
            await self.write_residents(self.register.people)
        if self.register.grids is not None:
            await self.write_grids(self.register.grids)
            self.advance(len(self.register.grids))
        if self.register.heads is not None:
            await self.write_heads(self.register.heads)
            self.advance(len(self.register.heads))
        if self.community.register_at is None and self.register.people:  # in force from now on
            self.community.register_at = self.now
            await self.community.save(update_fields=["register_at"])

    # -- buildings and homes ---------------------------------------------------------------------------
    async def write_buildings(self) -> None:
        new: list[Building] = []
        changed: list[Building] = []
        for plan in self.register.buildings.values():
            building = plan.existing
            if building is None:
                new.append(
                    Building(community=self.community, number=plan.number, units=plan.units, name=plan.name)
                )
            elif (building.number, building.units, building.name) != (plan.number, plan.units, plan.name):
                building.number, building.units, building.name = plan.number, plan.units, plan.name
                changed.append(building)
        # numbers first moved out of the way (a lettered building making room for a numbered one)
        for building in changed:
            await building.save(update_fields=["number", "units", "name"])
        if new:
            await Building.bulk_create(new)
        self.count("buildings").created += len(new)
        self.count("buildings").updated += len(changed)
        self.buildings = {building_key(b): b for b in await Building.filter(community=self.community)}

    def home_key(self, home: HomeKey) -> tuple[int, int, str]:
        key, unit, room = home
        return (self.buildings[key].id, unit, room)

    async def write_homes(self) -> None:
        existing = {(h.building_id, h.unit, h.room): h for h in await Home.filter(community=self.community)}
        wanted = dict.fromkeys(self.home_key(h) for h in self.register.homes)
        for person in self.register.people or ():
            wanted[self.home_key(person.home)] = None
        new = [
            Home(community=self.community, building_id=b, unit=u, room=r)
            for (b, u, r) in wanted
            if (b, u, r) not in existing
        ]
        if new:
            await Home.bulk_create(new, batch_size=BATCH)
            existing = {
                (h.building_id, h.unit, h.room): h for h in await Home.filter(community=self.community)
            }
        self.count("homes").created += len(new)
        self.homes = existing

    # -- households and residents ----------------------------------------------------------------------
    def household_key(self, person: PersonRow) -> tuple[int, str]:
        return (self.homes[self.home_key(person.home)].id, person.code)

    async def write_households(self) -> None:
        assert self.register.people is not None
        existing = {(h.home_id, h.code): h for h in await Household.filter(community=self.community)}
        wanted = dict.fromkeys(self.household_key(p) for p in self.register.people)
        new = [
            Household(community=self.community, home_id=home_id, code=code)
            for (home_id, code) in wanted
            if (home_id, code) not in existing
        ]
        back = [h for key, h in existing.items() if key in wanted and not h.active]
        gone = [h for key, h in existing.items() if key not in wanted and h.active]
        for household in back:
            household.active = True
        for household in gone:
            household.active = False
        await _bulk_update(Household, back + gone, ["active"])
        if new:
            await Household.bulk_create(new, batch_size=BATCH)
            existing = {(h.home_id, h.code): h for h in await Household.filter(community=self.community)}
        counts = self.count("households")
        counts.created, counts.updated, counts.left = len(new), len(back), len(gone)
        self.households = existing

    async def write_residents(self, people: list[PersonRow]) -> None:
        existing = {(r.household_id, r.name): r for r in await Resident.filter(community=self.community)}
        new: list[Resident] = []
        changed: list[Resident] = []
        seen: set[int] = set()
        for person in people:
            household = self.households[self.household_key(person)]
            resident = existing.get((household.id, person.name))
            values = _resident_values(person)
            if resident is None:
                new.append(
                    Resident(
                        community=self.community,
                        household_id=household.id,
                        home_id=household.home_id,
                        name=person.name,
                        **values,
                    )
                )
                continue
            seen.add(resident.id)
            if any(getattr(resident, name) != value for name, value in values.items()):
                for name, value in values.items():
                    setattr(resident, name, value)
                resident.updated_at = self.now
                changed.append(resident)
        fields = [*_resident_values(people[0]), "updated_at"] if people else []
        for batch in chunks(changed):
            await _bulk_update(Resident, batch, fields)
            self.advance(len(batch))
        for batch in chunks(new, 1000):
            await Resident.bulk_create(batch)
            self.advance(len(batch))
        self.advance(len(people) - len(changed) - len(new))
        leavers = [r.id for r in existing.values() if r.active and r.id not in seen]
        ended = 0
        for batch in chunks(leavers):
            await Resident.filter(id__in=batch).update(active=False, left_at=self.now, updated_at=self.now)
            ended += await Binding.filter(resident_id__in=batch, status=BindingStatus.VERIFIED).update(
                status=BindingStatus.ENDED, ended_at=self.now
            )
        counts = self.count("residents")
        counts.created, counts.updated, counts.left = len(new), len(changed), len(leavers)
        self.summary.bindings_ended += ended

    # -- grids -----------------------------------------------------------------------------------------
    async def write_grids(self, rows: list[GridRow]) -> None:
        counts = self.count("grids")
        existing = {g.code: g for g in await Grid.filter(community=self.community)}
        listed = {row.code for row in rows}
        gone = [g.id for code, g in existing.items() if code not in listed]
        if gone:
            await Grid.filter(id__in=gone).delete()  # their buildings and staff go with them
        counts.left = len(gone)
        new = [
            Grid(community=self.community, code=row.code, name=row.name)
            for row in rows
            if row.code not in existing
        ]
        renamed = [existing[r.code] for r in rows if r.code in existing and existing[r.code].name != r.name]
        for row in rows:
            if row.code in existing:
                existing[row.code].name = row.name
        await _bulk_update(Grid, renamed, ["name"])
        if new:
            await Grid.bulk_create(new)
        counts.created = len(new)
        grids = {g.code: g for g in await Grid.filter(community=self.community)}
        moved = await self.write_grid_buildings(rows, grids)
        staffed = await self.write_grid_staff(rows, grids)
        touched = {g.id for g in renamed} | moved | staffed
        counts.updated = len(touched - {grids[r.code].id for r in rows if r.code not in existing})

    async def write_grid_buildings(self, rows: list[GridRow], grids: dict[str, Grid]) -> set[int]:
        """The grids whose buildings changed."""
        existing = {
            link.building_id: link for link in await GridBuilding.filter(grid__community=self.community)
        }
        wanted = {self.buildings[key].id: grids[row.code].id for row in rows for key in row.buildings}
        touched: set[int] = set()
        gone = [link for building_id, link in existing.items() if building_id not in wanted]
        touched |= {link.grid_id for link in gone}
        for batch in chunks([link.id for link in gone]):
            await GridBuilding.filter(id__in=batch).delete()
        moved = []
        for building_id, grid_id in wanted.items():
            link = existing.get(building_id)
            if link is not None and link.grid_id != grid_id:
                touched |= {link.grid_id, grid_id}
                link.grid_id = grid_id
                moved.append(link)
        await _bulk_update(GridBuilding, moved, ["grid_id"])
        new = [GridBuilding(grid_id=g, building_id=b) for b, g in wanted.items() if b not in existing]
        touched |= {link.grid_id for link in new}
        if new:
            await GridBuilding.bulk_create(new)
        return touched

    async def write_grid_staff(self, rows: list[GridRow], grids: dict[str, Grid]) -> set[int]:
        """Grid workers and deputies by phone (a placeholder person until the number is proven), each
        holding the grid_worker role here. Returns the grids whose staff changed."""
        people: dict[str, Person] = {}
        for row in rows:
            for staff in row.staff:
                if staff.phone not in people:
                    people[staff.phone] = await staff_by_phone(staff.phone, staff.name)
        existing = {
            (s.grid_id, s.person_id): s for s in await GridStaff.filter(grid__community=self.community)
        }
        wanted: dict[tuple[int, int], tuple[bool, str]] = {}
        for row in rows:
            for staff in row.staff:
                wanted[(grids[row.code].id, people[staff.phone].id)] = (staff.deputy, row.duty_hours)
        counts = self.count("grid_staff")
        gone = [s.id for key, s in existing.items() if key not in wanted]
        for batch in chunks(gone):
            await GridStaff.filter(id__in=batch).delete()
        changed = []
        for key, (deputy, hours) in wanted.items():
            member = existing.get(key)
            if member is not None and (member.deputy, member.duty_hours) != (deputy, hours):
                member.deputy, member.duty_hours = deputy, hours
                changed.append(member)
        await _bulk_update(GridStaff, changed, ["deputy", "duty_hours"])
        new = [
            GridStaff(grid_id=g, person_id=p, deputy=deputy, duty_hours=hours)
            for (g, p), (deputy, hours) in wanted.items()
            if (g, p) not in existing
        ]
        if new:
            await GridStaff.bulk_create(new)
        counts.created, counts.updated, counts.left = len(new), len(changed), len(gone)
        await self.grant_grid_workers([p.id for p in people.values()])
        removed_grids = {s.grid_id for key, s in existing.items() if key not in wanted}
        return {s.grid_id for s in changed} | {s.grid_id for s in new} | removed_grids

    async def grant_grid_workers(self, person_ids: list[int]) -> None:
        if not person_ids:
            return
        holding = set(
            await Role.filter(
                community=self.community, role=RoleName.GRID_WORKER, person_id__in=person_ids
            ).values_list("person_id", flat=True)
        )
        await Role.bulk_create(
            [
                Role(person_id=p, community=self.community, role=RoleName.GRID_WORKER)
                for p in person_ids
                if p not in holding
            ]
        )
        await Person.filter(id__in=person_ids, community_id=None).update(community_id=self.community.id)

    # -- building heads --------------------------------------------------------------------------------
    async def write_heads(self, rows: list[HeadRow]) -> None:
        existing = {h.building_id: h for h in await BuildingHead.filter(building__community=self.community)}
        candidates = await Resident.filter(
            community=self.community, active=True, name__in=[row.name for row in rows]
        ).values("id", "name", "phone", "home__building_id")
        wanted: dict[int, tuple[str, str, int | None]] = {}
        for row in rows:
            building_id = self.buildings[row.building].id
            matches = [
                c for c in candidates if c["name"] == row.name and c["home__building_id"] == building_id
            ]
            matches.sort(key=lambda c: (c["phone"] != row.phone, c["id"]))
            wanted[building_id] = (row.name, row.phone, matches[0]["id"] if matches else None)
        counts = self.count("building_heads")
        gone = [h.id for b, h in existing.items() if b not in wanted]
        if gone:
            await BuildingHead.filter(id__in=gone).delete()
        changed = []
        for building_id, (name, phone, resident_id) in wanted.items():
            head = existing.get(building_id)
            if head is not None and (head.name, head.phone, head.resident_id) != (name, phone, resident_id):
                head.name, head.phone, head.resident_id = name, phone, resident_id
                changed.append(head)
        await _bulk_update(BuildingHead, changed, ["name", "phone", "resident_id"])
        new = [
            BuildingHead(building_id=b, name=n, phone=p, resident_id=r)
            for b, (n, p, r) in wanted.items()
            if b not in existing
        ]
        if new:
            await BuildingHead.bulk_create(new)
        counts.created, counts.updated, counts.left = len(new), len(changed), len(gone)


def _resident_values(person: PersonRow) -> dict[str, Any]:
    return {
        "phone": person.phone,
        "relation": person.relation,
        "is_head": person.is_head,
        "is_owner": person.is_owner,
        "residence": person.residence,
        "care": person.care,
        "note": person.note,
        "active": True,
        "left_at": None,
    }


async def _bulk_update(model: type[M], rows: Sequence[M], fields: list[str]) -> None:
    if rows:
        await model.bulk_update(rows, fields=fields, batch_size=BATCH)


__all__ = ["HEADS", "ImportResult", "ImportSummary", "Problem", "import_register"]
