"""An act's form starts from what the acts before it recorded: a decision from the draft the
head approved (with the agency's remedy and today's date), a 送达 from the latest document not
yet served and the officer serving it, a 履行 from the decision it follows."""

from __future__ import annotations

import html
import re

import pytest
from fastapi.testclient import TestClient

from liuhen.accounts import service as access
from liuhen.entrypoints.web import create_app
from liuhen.kernel import record
from liuhen.kernel.record import ActInput
from tests.integration import archive_case
from tests.integration.auth import login

CASE = archive_case.CASE
URL = f"/cases/{CASE}/record"
DRAFT = {
    "drafter": "张伟", "facts": "当事人未经许可擅自从事营业性演出。",
    "evidence": ["现场检查笔录1份"], "legal_basis": ["《营业性演出管理条例》第四十三条"],
    "factors": "初次违法。", "proposal": "警告，并处罚款人民币5000元。", "amount": "5000",
}  # fmt: skip


@pytest.fixture
def client(app):
    archive_case.case_with_documents(app, closed=False)
    access.create_user(app, "zhangw", "correct-horse-1", ["officer"], "张伟", "wl-zd1", "31010001")
    with TestClient(create_app(app)) as c:
        login(c, "zhangw", "correct-horse-1")
        yield c


def _value(page: str, name: str) -> str:
    """What the form's input or text area ``name`` starts with."""
    found = re.search(rf'name="{re.escape(name)}"[^>]*value="([^"]*)"', page) or re.search(
        rf'name="{re.escape(name)}"[^>]*>([^<]*)</textarea>', page
    )
    return html.unescape(found.group(1)).strip() if found else ""


def test_a_decision_starts_from_the_approved_draft(app, client):
    record.record(app, ActInput(
        "decision.draft", "2026-11-03T10:00:00+08:00", case=CASE, actors=["31010001"],
        recorded_by=archive_case.OFFICER, fields=DRAFT,
    ))  # fmt: skip
    page = client.get(URL, params={"act": "decision.decision"}).text
    assert _value(page, "f_facts") == DRAFT["facts"]
    assert _value(page, "f_content") == DRAFT["proposal"]
    assert _value(page, "f_legal_basis") == "《营业性演出管理条例》第四十三条"
    assert _value(page, "f_kinds") == "警告\n罚款"  # the kinds 第九条 names, as proposed
    assert _value(page, "f_amount").startswith("5000")
    assert "十五日内" in _value(page, "f_performance")
    assert _value(page, "f_decided_on") == app.clock.now().date().isoformat()


def test_the_drafter_is_who_fills_the_form_in(client):
    page = client.get(URL, params={"act": "decision.draft"}).text
    assert _value(page, "f_drafter") == "张伟"


def test_a_service_serves_the_latest_document_not_yet_served(app, client):
    archive_case.decide(app, amount="5000")
    page = client.get(URL, params={"act": "service.direct"}).text
    assert _value(page, "f_document_no") == "某文旅罚决〔2026〕1号"
    assert _value(page, "f_document") == "行政处罚决定书"
    assert _value(page, "f_server") == "张伟"
    record.record(app, ActInput(
        "service.direct", "2026-11-05T10:00:00+08:00", case=CASE,
        actors=["31010001", "31010002"], recorded_by=archive_case.OFFICER,
        fields={"document": "行政处罚决定书", "document_no": "某文旅罚决〔2026〕1号",
                "recipient": {"name": "某区夜色酒吧"}, "served_at": "2026-11-05T10:00:00+08:00",
                "place": "某区滨江路18号", "server": "张伟"},
    ))  # fmt: skip
    served = client.get(URL, params={"act": "service.mail"}).text
    assert _value(served, "f_document_no") != "某文旅罚决〔2026〕1号"  # served already
    paid = client.get(URL, params={"act": "execution.compliance"}).text
    assert _value(paid, "f_decision_no") == "某文旅罚决〔2026〕1号"
    assert _value(paid, "f_paid_amount").startswith("5000")  # the decision's amount


def test_a_release_names_the_measure_from_a_list_not_a_typed_number(app, client):
    seal = record.record(app, ActInput(
        "investigation.seal", "2026-11-04T10:00:00+08:00", case=CASE,
        actors=["31010001", "31010002"], recorded_by=archive_case.OFFICER,
        fields={"party": {"name": "某区夜色酒吧"}, "reason": "涉嫌无证演出的音响设备",
                "legal_basis": ["《中华人民共和国行政强制法》第二十二条"], "period_days": 30,
                "executed_at": "2026-11-04T10:00:00+08:00", "approver": "贺建国",
                "place": "某区滨江路18号",
                "items": [{"name": "音响", "quantity": "2台"}]},
    ))  # fmt: skip
    page = client.get(URL, params={"act": "investigation.release_seal"}).text
    options = re.search(r'<select id="f_measure_seq"[^>]*>(.*?)</select>', page, re.S)
    assert options, page[-2000:]
    picked = re.search(r'<option value="(\d+)" selected>([^<]*)</option>', options.group(1))
    assert picked and int(picked.group(1)) == seal.seq
    assert picked.group(2) == "查封（2026年11月4日 10:00）"


def test_a_hearing_report_names_the_hearing_it_reports_on(app, client):
    """001 第七条第四项: the 听证报告 starts from the case's latest 听证, offered by name."""
    hearing = record.record(app, ActInput(
        "investigation.hearing", "2026-11-05T09:30:00+08:00", case=CASE,
        actors=["31010001"], recorded_by=archive_case.OFFICER,
        fields={"host": "周平", "clerk": "孙悦", "place": "某区文化和旅游局听证室",
                "started_at": "2026-11-05T09:30:00+08:00", "ended_at": "2026-11-05T11:00:00+08:00",
                "participants": [{"name": "陈某", "role": "当事人"}],
                "transcript": "承办人陈述事实和拟处罚意见；当事人请求从轻处罚。"},
    ))  # fmt: skip
    page = client.get(URL, params={"act": "investigation.hearing_report"}).text
    options = re.search(r'<select id="f_hearing_seq"[^>]*>(.*?)</select>', page, re.S)
    assert options, page[-2000:]
    listed = re.findall(r'<option value="(\d+)"', options.group(1))
    assert listed == [str(hearing.seq)]  # the hearings only, not every act of the case
    picked = re.search(r'<option value="(\d+)" selected>([^<]*)</option>', options.group(1))
    assert picked and int(picked.group(1)) == hearing.seq
    assert picked.group(2) == "听证（2026年11月5日 09:30）"


def test_a_complaint_is_an_ordinary_penalty_case_received_now(app, client):
    page = client.get("/cases/new", params={"act": "initiation.complaint"}).text
    for name, value in (("f_category", "penalty"), ("f_procedure", "ordinary")):
        select = re.search(rf'<select id="{name}"[^>]*>(.*?)</select>', page, re.S)
        assert select and f'value="{value}" selected' in select.group(1), name
    assert _value(page, "f_received_at") == app.clock.now().strftime("%Y-%m-%dT%H:%M")
