"""Document forms write themselves (issue 13): every value the case already knows is on the
form when it opens — cause, case number, the party with his details, the officers who did the
act with their certificate numbers (in the fields and in the officer signer blocks, the second
officer too), the agency's 复议机关 and 诉讼法院, and a decision's evidence — and what the user
typed and resubmitted wins over it."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from liuhen.accounts import service as access
from liuhen.entrypoints.web import create_app
from liuhen.kernel import record
from liuhen.kernel.record import ActInput
from tests.integration import factory
from tests.integration.auth import login

CASE = "某文旅罚〔2026〕1号"
PARTY = {"name": "某区夜色酒吧有限公司", "id_no": "91330106MA2H7K3X5L",
         "address": "某区滨江路18号", "phone": "0571-88886666"}  # fmt: skip
DEMO = Path(factory.__file__).parents[2] / "src/liuhen/demo/registry.json"


def demo_remedy() -> tuple[str, str]:
    """The demo agency's 复议机关 and 诉讼法院, as its registry sets them."""
    text = json.dumps(json.loads(DEMO.read_text("utf-8")), ensure_ascii=False)
    review = re.search(r'"review_body": "([^"]+)"', text)
    court = re.search(r'"court": "([^"]+)"', text)
    assert review and court
    return review.group(1), court.group(1)


@pytest.fixture
def case(app: Any) -> dict[str, int]:
    return make_case(app)


def make_case(app: Any) -> dict[str, int]:
    """A case with a detailed party, the demo agency's remedies, two officers with accounts,
    an inquiry, an inspection and a decision (seqs by name)."""
    factory.register(app)
    factory.certify_officers(app)
    opening = factory.opening_input(CASE)
    opening.fields["parties"] = [{**PARTY, "legal_rep": "王某"}]
    record.record(app, opening)
    review, court = demo_remedy()
    change = access.SettingsChange(short_name="某文旅", review_body=review, court=court)
    access.change_agency_settings(app, "wl", change, factory.ADMIN)
    access.create_user(app, "zhangw", "correct-horse-1", ["officer"], "张伟", "wl-zd1", "31010001")
    access.create_user(app, "lina", "correct-horse-2", ["officer"], "李娜", "wl-zd1", "31010002")
    inquiry = factory.inquiry(app)
    inspection = record.record(app, ActInput(
        "investigation.inspection", "2026-11-04T14:00:00+08:00", case=CASE,
        actors=["31010002", "31010001"], place="某区滨江路18号", recorded_by=factory.OFFICER,
        fields={"started_at": "2026-11-04T14:00:00+08:00", "ended_at": "2026-11-04T14:30:00+08:00",
                "place": "某区滨江路18号", "party_present": True, "identity_shown": True,
                "scene": "现场正在演出。", "recorder": "李娜"},
    ))  # fmt: skip
    decision = record.record(app, ActInput(
        "decision.decision", "2026-11-20T10:00:00+08:00", case=CASE,
        actors=["31010001", "31010002"], recorded_by=factory.OFFICER,
        fields={"party": {"name": PARTY["name"]}, "facts": "当事人未经许可擅自从事营业性演出。",
                "kinds": ["罚款"], "legal_basis": ["《营业性演出管理条例》第四十三条"],
                "content": "罚款人民币5000元。", "performance": "十五日内缴纳。",
                "remedy": "六十日内申请行政复议。", "decided_on": "2026-11-20",
                "document_no": "某文旅罚决〔2026〕1号"},
    ))  # fmt: skip
    return {"inquiry": inquiry.seq, "inspection": inspection.seq, "decision": decision.seq}


def form_page(client: TestClient, seq: int, doc_type: str) -> str:
    page = client.get(f"/cases/{CASE}/documents/new", params={"act_seq": seq, "doc_type": doc_type})
    assert page.status_code == 200, page.text[:800]
    return html.unescape(page.text)


def value_of(page: str, name: str) -> str:
    """The value an input starts with, or a textarea's text."""
    found = re.search(rf'<input[^>]* name="{re.escape(name)}"[^>]*? value="([^"]*)"', page)
    if found:
        return found.group(1)
    area = re.search(rf'name="{re.escape(name)}"[^>]*>([^<]*)</textarea>', page)
    assert area, f"no input {name}"
    return area.group(1)


@pytest.fixture
def client(app: Any, case: dict[str, int]) -> Any:
    with TestClient(create_app(app)) as c:
        login(c, "zhangw", "correct-horse-1")
        yield c


def test_an_inquiry_record_starts_from_the_case_and_its_officers(client, case):
    page = form_page(client, case["inquiry"], "inquiry_record")
    assert value_of(page, "f_cause") == "未经许可擅自从事营业性演出"
    assert value_of(page, "f_inquirers").splitlines() == [
        "张伟（执法证号 31010001）", "李娜（执法证号 31010002）"]  # fmt: skip
    # the second officer is in the signer block (his password is asked under the preview:
    # test_preview)
    assert value_of(page, "sign_officer") == "31010001,31010002"
    assert value_of(page, "f_subject.name") == "陈某"  # the act's own value


def test_an_inspection_record_names_the_party_with_his_details(client, case):
    page = form_page(client, case["inspection"], "inspection_record")
    assert value_of(page, "f_cause") == "未经许可擅自从事营业性演出"
    for part, value in PARTY.items():
        assert value_of(page, f"f_party.{part}") == value
    assert value_of(page, "f_legal_rep") == "王某"
    # the signed-in officer signs first, then his colleague who did the act with him
    assert value_of(page, "sign_officer") == "31010001,31010002"
    assert value_of(page, "f_inspectors").splitlines() == [
        "张伟（执法证号 31010001）", "李娜（执法证号 31010002）"]  # fmt: skip


def test_a_decision_names_remedies_and_the_evidence_it_rests_on(client, case):
    page = form_page(client, case["decision"], "penalty_decision")
    review, court = demo_remedy()
    assert (review, court) == ("某区人民政府", "某区人民法院")
    assert value_of(page, "f_review_body") == review
    assert value_of(page, "f_court") == court
    assert value_of(page, "f_cause") == "未经许可擅自从事营业性演出"
    assert value_of(page, "f_party.name") == PARTY["name"]
    assert value_of(page, "f_party.id_no") == PARTY["id_no"]  # the act named him, the case knows
    assert value_of(page, "f_evidence").splitlines() == [
        "询问笔录（2026年11月3日）", "现场检查笔录（2026年11月4日）"]  # fmt: skip
    assert value_of(page, "f_legal_basis") == "《营业性演出管理条例》第四十三条"  # the act's
    # the provision broken, as the case was opened on it (立案理由)
    assert value_of(page, "f_violated") == "《营业性演出管理条例》第六条"


def test_what_the_user_typed_wins_over_the_case(client, case):
    page = form_page(client, case["decision"], "penalty_decision")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page)
    assert csrf
    typed = {"csrf": csrf.group(1), "f_cause": "另行表述的案由", "f_review_body": "某市人民政府",
             "f_party.name": PARTY["name"], "f_party.phone": "13900000000"}  # fmt: skip
    refused = client.post(
        f"/cases/{CASE}/documents/new", params={"act_seq": case["decision"],
                                                "doc_type": "penalty_decision"},
        data=typed, follow_redirects=False,
    )  # fmt: skip
    assert refused.status_code == 422
    again = html.unescape(refused.text)
    assert value_of(again, "f_cause") == "另行表述的案由"
    assert value_of(again, "f_review_body") == "某市人民政府"
    assert value_of(again, "f_party.phone") == "13900000000"
    assert value_of(again, "f_court") == ""  # cleared by the user: not filled in behind his back
    # no provision broken given: the form asks for it instead of printing "违反了法律规定"
    assert re.search(r'id="f_violated"[^>]*aria-invalid="true"', again)
