"""The compact building and room specs a street-office clerk types."""

from __future__ import annotations

import pytest

from handlers.common.rules import Refusal
from handlers.register.community_spec import BuildingSpec, parse_buildings, parse_rooms
from storage.models import CommunityKind

URBAN, RURAL = CommunityKind.URBAN, CommunityKind.RURAL


def test_town_buildings_with_ranges_units_and_a_letter() -> None:
    found = parse_buildings("1-3:2, 7:1，8:0 A座:2 9", URBAN)
    assert found == [
        BuildingSpec(1, "", 2),
        BuildingSpec(2, "", 2),
        BuildingSpec(3, "", 2),
        BuildingSpec(7, "", 1),
        BuildingSpec(8, "", 0),
        BuildingSpec(None, "A座", 2),
        BuildingSpec(9, "", 1),  # one unit goes without saying
    ]
    assert [b.label for b in found[-3:]] == ["8栋", "A座", "9栋"]
    assert parse_buildings("b:3", URBAN) == [BuildingSpec(None, "B座", 3)]
    assert parse_buildings("3栋：2", URBAN) == [BuildingSpec(3, "", 2)]  # a full-width colon, 栋 written


def test_village_groups() -> None:
    assert parse_buildings("1-3", RURAL) == [
        BuildingSpec(1, "1组", 0),
        BuildingSpec(2, "2组", 0),
        BuildingSpec(3, "3组", 0),
    ]
    assert parse_buildings("5组", RURAL) == [BuildingSpec(5, "5组", 0)]


@pytest.mark.parametrize(
    ("spec", "kind", "key"),
    [
        ("1-6:x", URBAN, "street.bad_buildings"),
        ("6-1:2", URBAN, "street.bad_buildings"),
        ("1-500:2", URBAN, "street.bad_buildings"),  # a typo, not 500 buildings
        ("1:99", URBAN, "street.bad_buildings"),
        ("一栋", URBAN, "street.bad_buildings"),
        ("", URBAN, "street.bad_buildings"),
        ("1-3:2,3:1", URBAN, "street.building_twice"),
        ("1-3:2", RURAL, "street.group_units"),
        ("A座", RURAL, "street.bad_buildings"),
    ],
)
def test_a_bad_building_spec_names_its_item(spec: str, kind: CommunityKind, key: str) -> None:
    with pytest.raises(Refusal) as err:
        parse_buildings(spec, kind)
    assert err.value.key == key
    assert err.value.text()  # a sentence for the clerk


def test_rooms_by_floors_or_house_numbers() -> None:
    town = parse_rooms("1-2:12x2", URBAN)
    assert [b.label for b in town.buildings] == ["1栋", "2栋"]
    rooms = town.rooms()
    assert rooms[:3] == ["101", "102", "201"] and rooms[-1] == "1202" and len(rooms) == 24
    assert parse_rooms("A座:3x4", URBAN).rooms()[-1] == "304"
    village = parse_rooms("1-5:40", RURAL)
    assert village.rooms() == [str(n) for n in range(1, 41)] and len(village.buildings) == 5
    for bad, kind in (("1-6", URBAN), ("1-6:6", URBAN), ("1-6:0x2", URBAN), ("1-5:6x2", RURAL)):
        with pytest.raises(Refusal) as err:
            parse_rooms(bad, kind)
        assert err.value.key == "street.bad_rooms"
