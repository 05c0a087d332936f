"""Compliance through the database, the CLI and the API; journaled pack and calendar changes."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import cast

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from liuhen.accounts import service as access
from liuhen.archive import verify
from liuhen.cases import imports
from liuhen.compliance import calendar, packs, queries
from liuhen.compliance import service as compliance
from liuhen.compliance.schemas import CaseFinding, Finding
from liuhen.entrypoints.web import create_app
from liuhen.errors import ImportFormatError
from liuhen.procedure.fields import parse_datetime
from tests.integration import factory
from tests.integration.auth import token_headers

SCENARIO = (
    Path(__file__).parents[1]
    / "scenarios"
    / "national"
    / "deadline.seal_seize"
    / "extended_twice.json"
)
NOW = cast(datetime, parse_datetime("2026-11-20T12:00:00+08:00"))
YEAR_2027 = """
year: 2027
source: 国务院办公厅关于2027年部分节假日安排的通知（测试数据）
holidays: [2027-01-01, 2027-01-02, 2027-01-03]
workdays: []
"""


def _officers(app):
    """The registry plus the officers and unit the scenario files use."""
    factory.register(app)
    factory.add_unit(app, "whlyj-zd1", "执法大队一中队")
    for cert in ("11010001", "11010002"):
        factory.add_officer(app, cert, "情景人员")


def test_database_evaluation_matches_the_file_evaluation(app):
    _officers(app)
    text_ = SCENARIO.read_text("utf-8")
    number, appended = imports.import_text(app, text_)
    db = compliance.evaluate_case(app, number, NOW)
    pack = packs.load_pack("national")
    offline = compliance.evaluate_file(text_, pack, NOW, calendar.working_calendar(app))
    position = {a.seq: i + 1 for i, a in enumerate(appended)}
    assert db.pack == "national"
    assert [(f.code, tuple(position[s] for s in f.seqs)) for f in db.findings] == [
        (f.code, f.seqs) for f in offline.findings
    ]
    assert "deadline.seal_seize:extended_too_often" in {f.code for f in db.findings}


def test_pack_changes_are_journaled_and_take_effect(app):
    _officers(app)
    number, _ = imports.import_text(app, SCENARIO.read_text("utf-8"))
    assert compliance.evaluate_case(app, number, NOW).pack == "national"
    entry = packs.use_pack(app, "002", "区司法局要求适用本区实施办法")
    assert packs.pack_name_for(app, None) == "002"
    assert compliance.evaluate_case(app, number, NOW).pack == "002"
    packs.use_pack(app, "003", "该机关另行适用", agency="wl")
    assert compliance.evaluate_case(app, number, NOW).pack == "003"
    with app.engine.connect() as conn:
        act = conn.execute(
            text("SELECT act FROM journal_entry WHERE seq = :s"), {"s": entry.seq}
        ).scalar()
    assert act == "registry.rule_pack"
    assert verify.verify(app).ok  # the setting and agency projections replay


def test_calendar_import_is_journaled_and_removes_the_provisional_mark(app):
    """001's archive deadline (30 working days after closing) runs into 2027, which
    chinesecalendar does not know: provisional until the 2027 arrangement is imported."""
    from liuhen.kernel import record
    from liuhen.kernel.record import ActInput

    factory.register(app)
    packs.use_pack(app, "001", "测试")
    factory.open_case(app)
    record.record(
        app,
        ActInput(
            "archiving.closing",
            "2026-11-20T16:00:00+08:00",
            case="某文旅罚〔2026〕1号",
            actors=["31010001"],
            recorded_by=factory.OFFICER,
            fields={
                "closed_on": "2026-11-20",
                "outcome": "不予处罚",
                "report": "违法行为轻微并及时改正，不予处罚。",
            },
        ),
    )

    def archive_due():
        ev = compliance.evaluate_case(app, "某文旅罚〔2026〕1号", NOW)
        return next(f for f in ev.findings if f.code == "deadline.archive:due")

    before = archive_due()
    assert before.provisional
    assert before.due_at == "2027-01-01T23:59:59+08:00"  # 1 January counted as a working day
    with pytest.raises(ImportFormatError) as err:
        calendar.import_years(app, "year: 2027\nholidays: [2026-01-01]\nsource: x\n")
    assert any("不属于 2027 年" in p.message for p in err.value.problems)
    assert len(calendar.import_years(app, YEAR_2027)) == 1
    after = archive_due()
    assert not after.provisional
    assert after.due_at == "2027-01-04T23:59:59+08:00"  # 1–3 January off: next working day
    assert verify.verify(app).ok


def test_cli_compliance_pack_and_calendar_commands(run, app, tmp_path):
    _officers(app)
    run("case", "import", str(SCENARIO))
    number = json.loads(SCENARIO.read_text("utf-8"))["case"]
    data = json.loads(run("compliance", number, "--json", "--at", "2026-11-20T12:00:00+08:00"))
    assert data["pack"] == "national"
    assert {f["code"] for f in data["findings"]} >= {"deadline.seal_seize:extended_too_often"}
    human = run("compliance", number, "--at", "2026-11-20T12:00:00+08:00")
    assert "【违规】" in human and "《中华人民共和国行政强制法》第二十五条" in human
    summary = json.loads(run("compliance", "--all", "--json"))
    assert summary["cases"] == 1 and summary["by_severity"]["violation"] >= 2
    assert "共 1 件案件" in run("compliance", "--all")
    offline = json.loads(
        run(
            "compliance",
            "--file",
            str(SCENARIO),
            "--pack",
            "001",
            "--json",
            "--at",
            "2026-11-20T12:00:00+08:00",
        )
    )
    assert offline["pack"] == "001"
    assert "LH100" in run("compliance", code=2)
    assert "national" in run("pack", "list")
    assert "deadline.seal_seize" in run("pack", "show", "001")
    bad = tmp_path / "mine.yaml"
    bad.write_text(
        "pack: mine\ntitle: 本局\nextends: national\nrules:\n  av.storage:\n    kind: av_storage\n"
        "    title: t\n    limit: {weeks: 2}\n    cite: [本局 第一条]\n    remedy: r\n",
        "utf-8",
    )
    output = run("pack", "validate", str(bad), code=2)
    assert "LH130" in output and "第 8 行" in output and "mine.yaml" in output
    good = tmp_path / "ours.yaml"
    good.write_text(
        'pack: ours\ntitle: 本局\nextends: "001"\nrules:\n  av.storage:\n    limit: {hours: 48}\n',
        "utf-8",
    )
    assert "有效" in run("pack", "validate", str(good))
    assert "002" in run("pack", "use", "002", "--reason", "测试")
    cal = tmp_path / "2027.yaml"
    cal.write_text(YEAR_2027, "utf-8")
    assert "已导入 1 个年份" in run("calendar", "import", str(cal))
    assert "2027-01-01" in run("calendar", "show", "2027")
    assert "暂定" in run("calendar", "show", "2031")


def test_init_with_a_pack(run):
    assert "默认规则包：003" in run("init", "--pack", "003")
    assert "LH104" in run("init", "--pack", "nope", code=2)


def test_api_and_case_page_show_findings(app):
    _officers(app)
    number, _ = imports.import_text(app, SCENARIO.read_text("utf-8"))
    with TestClient(create_app(app), headers=token_headers(app)) as client:
        got = client.get(f"/api/v1/cases/{number}/compliance")
        body = got.json()
        assert got.status_code == 200, body
        assert body["pack"] == "national" and body["findings"]
        assert client.get("/api/v1/compliance").json()["cases"] == 1
        assert client.get("/api/v1/packs").json()["default"] == "national"
        assert "deadline.seal_seize" in client.get("/api/v1/packs/001").json()["rules"]
        assert client.get("/api/v1/packs/nope").status_code == 404
        page = client.get(f"/cases/{number}").text
        assert "合规检查（规则包 national）" in page
        assert "《中华人民共和国行政强制法》第二十五条" in page


def test_a_report_item_is_its_case_then_the_finding_key_for_key():
    """The agency-wide report writes each item as the case, then a finding's keys in order."""
    assert list(CaseFinding.model_fields) == ["case", *Finding.model_fields]


def test_refusal_witnesses_follow_the_cases_pack(app):
    """The hook a document form asks: two officers under 003 (003 第十四条), one elsewhere."""
    _officers(app)
    number, _ = imports.import_text(app, SCENARIO.read_text("utf-8"))
    assert compliance.refusal_witnesses_required(app, number) == 1
    packs.use_pack(app, "003", "该机关适用街道办事处办法", agency="wl")
    assert compliance.refusal_witnesses_required(app, number) == 2


MAJOR = Path(__file__).parents[1] / "scenarios" / "national" / "order.legal_review_major"


def test_the_major_case_standard_is_the_agencys_own_setting(app, run):
    """No seed sets the fine from which a penalty needs legal review as a major case: until the
    agency sets its standard, the national rule does not apply; once set (CLI, kept by a change
    that leaves it out, cleared explicitly) it does, and the case list's rules key moves."""
    _officers(app)
    for cert in ("11010023", "11010024"):
        factory.add_officer(app, cert, "情景人员")
    number, _ = imports.import_text(app, (MAJOR / "major_fine_unreviewed.json").read_text("utf-8"))
    code = "order.legal_review_major:out_of_order"

    def codes() -> set[str]:
        return {f.code for f in compliance.evaluate_case(app, number, NOW).findings}

    assert code not in codes()
    assert "未设置" in run("agency", "settings", "wl")
    before = queries.rules_in_force(app).default, queries.rules_in_force(app).by_unit["whlyj-zd1"]
    shown = run("agency", "settings", "wl", "--major-fine-threshold", "100000")
    assert "100000 元" in shown
    assert code in codes()
    assert queries.rules_in_force(app).by_unit["whlyj-zd1"] != before[1]
    assert compliance.evaluate_cases(app, [number], NOW)[number].counts["violation"] >= 1
    assert code in {f.rule + ":out_of_order" for f in compliance.evaluate_all(app, NOW).items}
    # A change that does not mention the standard (the settings page) keeps it.
    run("agency", "settings", "wl", "--court", "某区人民法院")
    assert access.agency_settings(app, "wl").major_fine_threshold == Decimal("100000")
    run("agency", "settings", "wl", "--major-fine-threshold", "300000")
    assert code not in codes()  # 27万 is below the agency's own standard now
    assert "LH100" in run("agency", "settings", "wl", "--major-fine-threshold", "-5", code=2)
    run("agency", "settings", "wl", "--no-major-fine-threshold")
    assert access.agency_settings(app, "wl").major_fine_threshold is None
    assert code not in codes()
