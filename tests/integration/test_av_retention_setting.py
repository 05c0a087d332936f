"""003 第二十四条第四款: the agency sets, per case category and in advance, how long and how its
音像记录资料 are kept; an archive filed for less than its category's period is then found.

The setting is journaled like the agency's other standards (``liuhen agency settings``), a
change that leaves it out keeps it, and the 003 rule reads it through ``rule_settings``.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import cast

from liuhen.accounts import service as access
from liuhen.cases import imports
from liuhen.compliance import packs
from liuhen.compliance import service as compliance
from liuhen.procedure.fields import parse_datetime
from tests.integration import factory

CASE = (
    Path(__file__).parents[1]
    / "scenarios"
    / "003"
    / "retention.agency_av"
    / "shorter_than_the_agencys_period.json"
)
NOW = cast(datetime, parse_datetime("2026-03-10T12:00:00+08:00"))


def _a_year_earlier(text: str) -> str:
    """The scenario (Dec 2026 – Feb 2027) a year back, so that it has happened by the app's
    clock (the import refuses what has not)."""
    return text.replace("2026-", "2025-").replace("2027-", "2026-")


CODE = "retention.agency_av:too_short"


def test_the_agencys_period_for_a_category_finds_a_shorter_archive(app, run):
    factory.register(app)
    factory.add_unit(app, "qscj-zfd", "执法队")
    for cert in ("11060105", "11060118"):
        factory.add_officer(app, cert, "情景人员", unit="qscj-zfd")
    factory.add_officer(app, "11060141", "情景档案员", roles=("archivist",), unit="qscj-zfd")
    packs.use_pack(app, "003", "该机关适用街道办事处办法", agency="wl")
    number, _ = imports.import_text(app, _a_year_earlier(CASE.read_text("utf-8")))

    def found() -> list[str]:
        evaluation = compliance.evaluate_case(app, number, NOW)
        return [f.message for f in evaluation.findings if f.code == CODE]

    assert found() == []  # nothing set: the archivist's 5年 stands
    assert "未设定，归档时由档案人员选定" in run("agency", "settings", "wl")

    shown = run(
        "agency", "settings", "wl",
        "--av-retention", "penalty=10年", "--av-retention", "inspection=30年",
        "--av-storage", "penalty=刻录光盘一式两份，一份随卷归档",
    )  # fmt: skip
    assert "行政处罚案件音像记录资料：保存期限 10年，保存方式 刻录光盘一式两份" in shown
    assert "行政检查案件音像记录资料：保存期限 30年，保存方式 （未设定）" in shown
    messages = found()
    assert len(messages) == 1 and "“5年”" in messages[0] and "“10年”" in messages[0]

    # A change that does not mention them (another setting) keeps them.
    run("agency", "settings", "wl", "--court", "某区人民法院")
    settings = access.agency_settings(app, "wl")
    assert settings.av_retention == {"inspection": "30年", "penalty": "10年"}
    assert settings.av_storage == {"penalty": "刻录光盘一式两份，一份随卷归档"}

    # Refused, nothing recorded: an unknown category, a period not on the list.
    refused = run("agency", "settings", "wl", "--av-retention", "traffic=10年", code=2)
    assert "LH100" in refused and "未知的案件类别" in refused
    refused = run("agency", "settings", "wl", "--av-retention", "penalty=8年", code=2)
    assert "LH100" in refused and "行政处罚的保存期限“8年”" in refused
    assert access.agency_settings(app, "wl").av_retention["penalty"] == "10年"

    # Lowered to what the archive chose, or dropped: the archive stands again.
    run("agency", "settings", "wl", "--av-retention", "penalty=5年")
    assert found() == []
    run("agency", "settings", "wl", "--av-retention", "penalty=长期")
    assert len(found()) == 1
    run("agency", "settings", "wl", "--av-retention", "penalty=")
    assert access.agency_settings(app, "wl").av_retention == {"inspection": "30年"}
    assert found() == []
