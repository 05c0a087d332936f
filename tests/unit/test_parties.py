"""Whether a party is a citizen or an organisation, as the 当场处罚 limits need it."""

from __future__ import annotations

import pytest

from liuhen.rules import parties


@pytest.mark.parametrize(
    ("person", "kind"),
    [
        ({"name": "赵春生", "id_no": "130227198104126615"}, parties.CITIZEN),
        ({"name": "赵春生", "id_no": "13022719810412661x"}, parties.CITIZEN),
        ({"name": "王某", "id_no": "130227810412661"}, parties.CITIZEN),  # 15-digit card
        ({"name": "某市悦动文化传播有限公司", "id_no": "91110105MA01C8KX3T"}, parties.ORGANISATION),
        ({"name": "某区老王烧烤店", "id_no": "92110105MA01D7PQ4W"}, parties.SOLE_TRADER),
        ({"name": "某区星空网吧"}, parties.ORGANISATION),
        ({"name": "刘桂兰", "title": "负责人"}, parties.ORGANISATION),  # named for a unit
        ({"name": "毛俊杰", "id_no": "110109********0619"}, parties.CITIZEN),  # masked: by name
        ({"name": "阿卜杜热合曼·买买提"}, None),
        ({"name": "李四", "id_no": "130227198113406615"}, parties.CITIZEN),  # no 13th month: name
        ("赵春生", None),
    ],
)
def test_kind_of(person: object, kind: str | None) -> None:
    assert parties.kind_of(person) == kind


def test_several_parties_take_the_lower_limit_when_one_is_a_citizen() -> None:
    company = {"name": "某市悦动文化传播有限公司", "id_no": "91110105MA01C8KX3T"}
    citizen = {"name": "赵春生", "id_no": "130227198104126615"}
    assert parties.kind_of_all([company, citizen]) == parties.CITIZEN
    assert parties.kind_of_all([company, company]) == parties.ORGANISATION
    assert parties.kind_of_all([company, {"name": "Zhang San"}]) is None
    assert parties.kind_of_all([]) is None
