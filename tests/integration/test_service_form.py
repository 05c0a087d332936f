"""送达 forms offer the case's issued documents instead of asking for their 文号 again, start
from the case's party as 受送达人, and still keep free text for a document issued outside the
system; the rule that only issued documents are served reads what they record."""

from __future__ import annotations

import html
import json
import re
from datetime import datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from liuhen.accounts import service as access
from liuhen.compliance import service as compliance
from liuhen.entrypoints.web import create_app
from liuhen.kernel import record
from liuhen.kernel.db import store
from tests.integration import archive_case, factory
from tests.integration.auth import login

CASE = archive_case.CASE
URL = f"/cases/{CASE}/record"
SERVE = {"act": "service.direct"}


def body(app, seq: int) -> dict:
    with app.engine.connect() as conn:
        row = conn.execute(select(store.ENTRY.c.body).where(store.ENTRY.c.seq == seq)).scalar_one()
    return json.loads(row)["fields"]


def last_service(app) -> dict:
    with app.engine.connect() as conn:
        row = conn.execute(
            select(store.ENTRY.c.body)
            .where(store.ENTRY.c.chain == CASE, store.ENTRY.c.act == "service.direct")
            .order_by(store.ENTRY.c.seq.desc())
        ).first()
    assert row is not None
    return json.loads(row.body)["fields"]


@pytest.fixture
def filed(app):
    filed = archive_case.case_with_documents(app, closed=False)
    archive_case.decide(app)
    access.create_user(app, "zhangw", "correct-horse-1", ["officer"], "张伟", "wl-zd1", "31010001")
    return filed


@pytest.fixture
def client(app, filed):
    with TestClient(create_app(app)) as c:
        login(c, "zhangw", "correct-horse-1")
        yield c


def _post(client: TestClient, **typed: str):
    page = client.get(URL, params=SERVE).text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page)
    assert csrf
    form = {
        "csrf": csrf.group(1), "occurred_at": "2026-11-05T10:00",
        "actor:31010001": "31010001", "actor:31010002": "31010002",
        "f_recipient.kind": "org", "f_recipient.name": "某区夜色酒吧",
        "f_served_at": "2026-11-05T10:00", "f_place": "某区滨江路18号", "f_server": "张伟",
        **typed,
    }  # fmt: skip
    return client.post(URL, params=SERVE, data=form, follow_redirects=False)


def test_the_form_offers_the_cases_documents_and_starts_from_its_party(client, app, filed):
    inquiry, approval = body(app, filed.inquiry_doc.seq), body(app, filed.approval_doc.seq)
    page = html.unescape(client.get(URL, params=SERVE).text)
    options = re.findall(r'<option value="(\d+)" data-title="([^"]+)" data-number="([^"]+)"', page)
    decision = options[-1]
    assert options == [
        (str(filed.inquiry_doc.seq), "询问笔录", inquiry["number"]),
        (str(filed.approval_doc.seq), "立案审批表", approval["number"]),
        (decision[0], "行政处罚决定书", "某文旅罚决〔2026〕1号"),  # its 文号 on the act
    ]
    assert f"《询问笔录》{inquiry['number']}（" in page
    assert "本系统外出具的文书" in page  # free text stays for old cases
    assert re.search(r'name="f_recipient.name"[^>]*value="某区夜色酒吧"', page)  # 受送达人
    assert '<script src="/static/served_document.js">' in page


def test_the_chosen_document_is_recorded_as_issued(client, app, filed):
    inquiry = body(app, filed.inquiry_doc.seq)
    done = _post(client, served_doc=str(filed.inquiry_doc.seq), f_document="",
                 f_document_no="随便写的")  # fmt: skip
    assert done.status_code == 303, done.text
    served = last_service(app)
    assert served["document"] == "询问笔录" and served["document_no"] == inquiry["number"]
    assert served["recipient"]["name"] == "某区夜色酒吧"
    found = compliance.evaluate_cases(app, [CASE], datetime.now().astimezone())[CASE]
    assert not [f for f in found.findings if f.rule == "order.served_issued"]


def test_a_decision_whose_number_is_on_the_act_is_served_from_it(client, app):
    """A decision recorded with its 文号 (older records, imports: no 文书 entry issued) is
    offered as well, and serving it satisfies the rule as the act's own number does."""
    page = html.unescape(client.get(URL, params=SERVE).text)
    seq = re.search(r'<option value="(\d+)" data-title="行政处罚决定书"', page)
    assert seq
    done = _post(client, served_doc=seq.group(1))
    assert done.status_code == 303, done.text
    served = last_service(app)
    assert served["document"] == "行政处罚决定书"
    assert served["document_no"] == "某文旅罚决〔2026〕1号"
    found = compliance.evaluate_cases(app, [CASE], datetime.now().astimezone())[CASE]
    assert not [f for f in found.findings if f.rule == "order.served_issued"]


def test_a_document_from_outside_the_system_is_typed(client, app):
    done = _post(client, served_doc="", f_document="行政处罚决定书",
                 f_document_no="某文旅罚决〔2025〕9号")  # fmt: skip
    assert done.status_code == 303, done.text
    served = last_service(app)
    assert served["document_no"] == "某文旅罚决〔2025〕9号"
    found = compliance.evaluate_cases(app, [CASE], datetime.now().astimezone())[CASE]
    # the rule still reads the 文号 a 送达 records: this one was never issued in the case
    assert [f for f in found.findings if f.rule == "order.served_issued"]


def test_a_citizen_party_starts_the_inquiry_a_shop_does_not(app):
    """被询问人 is a person: the case's party fills it when the case knows him to be one (an ID
    number, a sex, an age), not when the party may be a shop known by name only."""
    factory.register(app)
    citizen = factory.opening_input("某文旅罚〔2026〕7号")
    citizen.fields["parties"] = [{"name": "张某", "id_no": "330106199001011234", "gender": "男",
                                  "address": "某区滨江路20号"}]  # fmt: skip
    record.record(app, citizen)
    factory.open_case(app)  # 1号: 某区夜色酒吧, a name only
    access.create_user(app, "zhangw", "correct-horse-1", ["officer"], "张伟", "wl-zd1", "31010001")
    with TestClient(create_app(app)) as client:
        login(client, "zhangw", "correct-horse-1")
        act = {"act": "investigation.inquiry"}
        page = html.unescape(client.get("/cases/某文旅罚〔2026〕7号/record", params=act).text)
        assert re.search(r'name="f_subject.name"[^>]*value="张某"', page)
        assert re.search(r'name="f_subject.id_no"[^>]*value="330106199001011234"', page)
        page = html.unescape(client.get(URL, params=act).text)
        assert re.search(r'name="f_subject.name"[^>]*value=""', page)
