"""The shortest retention period comes from the agency's pack, never from a default of the code.

001 第十九条 sets five years for its 音像资料; 002 sets no period (第三十二条 only says
按照《档案法》的规定归档、保存), and 003 第二十四条 leaves it to the agency (合理确定各类音像
记录资料的保存期限): under those the archivist's choice stands, with no legal minimum claimed.
"""

from __future__ import annotations

import textwrap
from datetime import datetime

import pytest

from liuhen.archive.retention import check_period, default_period
from liuhen.compliance import packs
from liuhen.errors import RetentionTooShort
from liuhen.rules import engine
from liuhen.rules import pack as P
from liuhen.rules.calendar import WorkingCalendar
from liuhen.rules.findings import RetentionClass
from liuhen.rules.record import CaseRecord

NOW = datetime.fromisoformat("2026-12-31T12:00:00+08:00")


def _class(pack: P.Pack) -> RetentionClass | None:
    rec = CaseRecord("某区〔2026〕保管1号", "ordinary", "penalty", [])
    return engine.evaluate(pack, rec, NOW, WorkingCalendar.default([])).retention


def test_001_sets_five_years_and_the_others_none():
    rc = _class(packs.load_pack("001"))
    assert rc is not None and rc.min_years == 5 and rc.label == "5年以上"
    assert [_class(packs.load_pack(name)) for name in ("national", "002", "003")] == [None] * 3


@pytest.mark.parametrize("name", ["002", "003"])
def test_without_a_minimum_the_archivists_choice_stands(name: str):
    rc = _class(packs.load_pack(name))
    assert default_period(rc) == "5年"  # the shortest there is, offered first
    for period in ("5年", "10年", "30年", "长期", "永久"):
        check_period(period, rc)  # none refused: no legal minimum is claimed


def test_a_packs_longer_minimum_refuses_a_shorter_period():
    texts = {
        "national": packs.find_source("national", None),
        "ten": P.PackSource(
            "ten",
            textwrap.dedent(
                """\
                pack: ten
                title: 十年
                extends: national
                rules:
                  retention.av:
                    kind: retention
                    title: 音像资料保存不少于十年
                    min_years: 10
                    cite: [某办法 第九条]
                    remedy: 按十年以上归档。
                """
            ),
            "ten.yaml",
        ),
    }
    rc = _class(P.load("ten", texts.__getitem__))
    assert rc is not None and rc.min_years == 10
    assert default_period(rc) == "10年"
    with pytest.raises(RetentionTooShort) as err:
        check_period("5年", rc)
    assert err.value.code == "LH432" and "10 年" in err.value.message
    check_period("10年", rc)
