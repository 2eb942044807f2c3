"""Register workbooks of any size, as a community's committee would fill them in (for tests and bench/)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from handlers.register.import_sheets import GRIDS, HEADS, HOMES, PEOPLE, write_workbook

SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍红梅鑫建国建华海燕志强丹丹春花小军德明淑珍"
)
RELATIONS = ("配偶", "子女", "子女", "父母", "孙子女", "兄弟姐妹")
CARE = ("", "", "", "", "", "", "", "", "高龄", "独居老人", "低保", "残疾", "高龄、独居老人")


@dataclass
class Book:
    """A workbook's rows by sheet (lists, so a test can spoil or mend a cell)."""

    rows: dict[str, list[list[str]]] = field(default_factory=dict)

    def xlsx(self) -> bytes:
        return write_workbook(self.rows, guide=False)

    @property
    def people(self) -> list[list[str]]:
        return self.rows[PEOPLE]


def generated(residents: int, buildings: int, units: int = 3, seed: int = 14) -> Book:
    """About ``residents`` people in households of one to five (2.9 on average) over ``buildings``
    buildings of ``units`` units, two homes a floor; a grid for every four buildings with a worker and a
    deputy; a building head in each building."""
    rng = random.Random(seed)
    households = max(1, round(residents / 2.86))
    per_unit = -(-households // (buildings * units))
    homes = [
        (b, u, f"{floor}{door:02d}")
        for b in range(1, buildings + 1)
        for u in range(1, units + 1)
        for floor in range(1, per_unit // 2 + 2)
        for door in (1, 2)
    ]
    people: list[list[str]] = []
    heads: dict[int, list[str]] = {}
    phone = 13900000000
    for index in range(households):
        building, unit, room = homes[index]
        size = min(rng.choice((1, 2, 2, 3, 3, 3, 4, 4, 5)), max(1, residents - len(people)))
        names: set[str] = set()
        while len(names) < size:
            names.add(rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(("", "", rng.choice(GIVEN))))
        for member, name in enumerate(sorted(names)):
            phone += 1
            head = member == 0
            row = [
                f"{building}栋",
                str(unit),
                room,
                "",
                name,
                str(phone) if rng.random() < 0.9 else "",
                "户主" if head else rng.choice(RELATIONS),
                "是" if head and rng.random() < 0.8 else "否",
                rng.choice(("常住", "常住", "常住", "户籍", "流动")),
                rng.choice(CARE),
                "",
            ]
            people.append(row)
            if head and building not in heads:
                heads[building] = [f"{building}栋", name, row[5]]
    grids = []
    for number, first in enumerate(range(1, buildings + 1, 4), start=1):
        last = min(buildings, first + 3)
        grids.append(
            [
                str(number),
                f"第{number}网格",
                f"{first}-{last}栋",
                f"网格员{number}",
                str(13700000000 + number),
                "工作日 9:00-17:30",
                f"副网格员{number}:{13600000000 + number}",
            ]
        )
    return Book(
        {
            HOMES: [[f"{b}栋", str(u), room] for b, u, room in homes],
            PEOPLE: people,
            GRIDS: grids,
            HEADS: [heads[b] for b in sorted(heads)],
        }
    )
