"""Whether a party is a citizen or a legal person or other organisation, as far as the record
can tell.

The law sets different limits for the two (行政处罚法 第五十一条: a 当场 fine up to 200 元 for a
citizen, 3000 元 for a legal person or other organisation), but a case's parties are recorded
as plain persons: a name, perhaps an ID number. The kind is read, in order of trust, from a
document that states it (the 当场行政处罚决定书's 当事人类别), from the ID number (a resident
identity card number is a citizen's, a unified social credit code an organisation's), then from
the name. A sole trader (个体工商户, credit code starting 92) is neither for certain: local rules
differ on which limit applies to him, so he is reported as such and a person decides.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from typing import Any

CITIZEN = "公民"
ORGANISATION = "法人或者其他组织"
SOLE_TRADER = "个体工商户"

_RESIDENT_ID = re.compile(r"^\d{17}[\dX]$")
_OLD_RESIDENT_ID = re.compile(r"^\d{15}$")
# GB 32100-2015: registration office, kind, six-digit region, nine-character organisation code,
# check character; the letters I, O, Z, S, V are never used.
_CREDIT_CODE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")
_ORGANISATION_WORDS = (
    "公司", "集团", "厂", "店", "馆", "网吧", "网咖", "超市", "商行", "商场", "中心", "合作社",
    "事务所", "医院", "诊所", "药房", "学校", "幼儿园", "培训", "协会", "学会", "俱乐部",
    "工作室", "经营部", "门市部", "酒店", "宾馆", "酒吧", "银行", "委员会", "研究院", "研究所",
    "出版社", "剧院", "影院", "KTV", "有限", "分部",
)  # fmt: skip
_REPRESENTATIVE_WORDS = ("法定代表人", "负责人")
_PERSONAL_NAME = re.compile(r"^[\u4e00-\u9fff]{2,4}$")


def _birth_date_valid(digits: str) -> bool:
    try:
        born = date(int(digits[0:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return False
    return 1890 <= born.year <= 2100


def kind_of(person: Any) -> str | None:
    """The kind of one recorded party (a person field's value), or None when unknowable."""
    if not isinstance(person, dict):
        return None
    id_no = str(person.get("id_no") or "").strip().upper()
    if _RESIDENT_ID.match(id_no) and _birth_date_valid(id_no[6:14]):
        return CITIZEN
    if _OLD_RESIDENT_ID.match(id_no) and _birth_date_valid("19" + id_no[6:12]):
        return CITIZEN
    # a number shaped like an identity card's whose birth date is wrong may be either: the name
    # decides
    if _CREDIT_CODE.match(id_no) and not _RESIDENT_ID.match(id_no):
        return SOLE_TRADER if id_no.startswith("92") else ORGANISATION
    name = str(person.get("name") or "").strip()
    title = str(person.get("title") or "")
    if any(w in name for w in _ORGANISATION_WORDS) or any(
        w in title for w in _REPRESENTATIVE_WORDS
    ):
        return ORGANISATION
    if _PERSONAL_NAME.match(name):
        return CITIZEN
    return None


def kind_of_all(people: Iterable[Any]) -> str | None:
    """The kind that sets the limit for several parties: a citizen among them sets the lower
    limit; all organisations the higher; anything else cannot be told."""
    kinds = [kind_of(p) for p in people]
    if not kinds:
        return None
    if CITIZEN in kinds:
        return CITIZEN
    if all(k == ORGANISATION for k in kinds):
        return ORGANISATION
    if SOLE_TRADER in kinds and None not in kinds:
        return SOLE_TRADER
    return None
