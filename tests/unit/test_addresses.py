"""Every way residents write a home (issue 13): the parser alone, form by form."""

from __future__ import annotations

import pytest

from handlers.common import formats
from nlp.slots import Address, extract_address, extract_room, find_address

FORMS = [
    # 门 is the unit
    ("5号楼1门301室", Address(5, 1, "301")),
    ("五号楼一门三零一室", Address(5, 1, "301")),
    ("5栋1门301", Address(5, 1, "301")),
    ("5号1门301", Address(5, 1, "301")),
    # lettered buildings
    ("A座1203", Address(room="1203", letter="A")),
    ("a座1203", Address(room="1203", letter="A")),
    ("A座一二零三", Address(room="1203", letter="A")),
    ("B栋", Address(letter="B")),
    ("B栋2单元801", Address(unit=2, room="801", letter="B")),
    ("B-1203", Address(room="1203", letter="B")),
    ("C幢 1单元 502", Address(unit=1, room="502", letter="C")),
    # 3#楼
    ("3#楼", Address(3)),
    ("3#楼2单元502", Address(3, 2, "502")),
    ("3#2单元502", Address(3, 2, "502")),
    # Chinese numerals, 廿
    ("廿三栋", Address(23)),
    ("廿三栋一单元一零一", Address(23, 1, "101")),
    # unit-room with a dash
    ("3栋2-502", Address(3, 2, "502")),
    ("3号楼2-502", Address(3, 2, "502")),
    # reversed order
    ("502室3栋", Address(3, None, "502")),
    ("502室，3栋2单元", Address(3, 2, "502")),
    ("2单元502，3栋", Address(3, 2, "502")),
    ("五零二室三栋", Address(3, None, "502")),
    # parts separated by commas, 的, spaces
    ("3栋，2单元，502", Address(3, 2, "502")),
    ("3栋的2单元的502", Address(3, 2, "502")),
    ("3栋、2单元、502室", Address(3, 2, "502")),
    ("3栋 2单元 502", Address(3, 2, "502")),
    ("三栋，二单元，五零二", Address(3, 2, "502")),
    # a room with no building
    ("楼上1802", Address(room="1802")),
    ("楼上1802天天漏水", Address(room="1802")),
    ("对门1801", Address(room="1801")),
    ("1802室", Address(room="1802")),
    # a building with one unit: the parser gives what was said, the community fills the rest
    ("7栋101", Address(7, None, "101")),
    # a village
    ("3组15号", Address(3, None, "15")),
    ("三组十五号", Address(3, None, "15")),
    ("和平村3组15号", Address(3, None, "15")),
    ("3组", Address(3)),
    # in a sentence
    ("我住3栋2单元502", Address(3, 2, "502")),
    ("我想绑定一下我家住在幸福里三栋二单元五零二", Address(3, 2, "502")),
    ("3栋2单元楼道的灯坏了好几天了", Address(3, 2, None)),
    ("A座电梯又停了", Address(letter="A")),
    # nothing that is not an address
    ("5栋电梯20号就坏了", Address(5)),
    ("2024年的事", Address()),
    ("wifi 502", Address()),
    ("我在这住了十年", Address()),
    ("12月5号", Address()),
    ("3号门", Address()),
]


@pytest.mark.parametrize(("text", "expected"), FORMS)
def test_every_address_form(text: str, expected: Address) -> None:
    assert extract_address(text) == expected


ROOMS = [
    ("15号", "15"),
    ("十五号", "15"),
    ("502", "502"),
    ("五零二", "502"),
    ("1802室", "1802"),
    ("就是502", "502"),
    ("15", None),
    ("不知道", None),
]


@pytest.mark.parametrize(("text", "expected"), ROOMS)
def test_a_room_alone(text: str, expected: str | None) -> None:
    assert extract_room(text) == expected


def test_what_is_around_the_address_is_kept() -> None:
    assert find_address("代投 A座1203 李奶奶")[1].split() == ["代投", "李奶奶"]
    assert find_address("代投 王大爷 5号楼1门301室")[1].split() == ["代投", "王大爷"]


def test_a_home_is_written_with_its_building_name() -> None:
    assert formats.home("A座", 0, "1203") == "A座1203"
    assert formats.home("3组", 0, "15") == "3组15号"
    assert formats.home(3, 2, "502") == "3栋2单元502"
    assert Address(room="1203", letter="A").describe() == "A座1203"
