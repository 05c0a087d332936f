"""Recording acts from the pages: generated forms that validate and keep what was typed."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from fastapi.testclient import TestClient
from sqlalchemy import select, text

from liuhen.accounts import service as access
from liuhen.cases import service as cases
from liuhen.entrypoints.web import create_app
from liuhen.kernel.db.store import ENTRY
from tests.integration import factory
from tests.integration.auth import login, token_headers

CASE = "某文旅罚〔2026〕1号"


def entries(app) -> int:
    with app.engine.connect() as conn:
        return conn.execute(
            text("SELECT count(*) FROM journal_entry WHERE act = 'investigation.inquiry'")
        ).scalar()


def test_a_refused_form_keeps_what_was_typed_and_a_good_one_is_journaled(app):
    factory.register(app)
    factory.open_case(app)
    access.create_user(app, "zhangw", "correct-horse-1", ["officer"], "张伟", "wl-zd1", "31010001")
    with TestClient(create_app(app)) as client:
        login(client, "zhangw", "correct-horse-1")
        case_page = client.get(f"/cases/{CASE}")
        assert "记录事项" in case_page.text and 'value="investigation.inquiry"' in case_page.text
        form = client.get(f"/cases/{CASE}/record", params={"act": "investigation.inquiry"})
        assert form.status_code == 200 and "被询问人" in form.text
        csrf = form.text.split('name="csrf" value="')[1].split('"')[0]
        typed = {
            "csrf": csrf,
            "occurred_at": "2026-11-03T10:00",
            "actors": "31010001，31010002",
            "place": "某区滨江路18号",
            "f_subject.name": "陈某",
            "f_relation": "当事人负责人",
            "f_transcript": "问：你是否知道演出需要许可？\n答：不知道。",
        }
        refused = client.post(
            f"/cases/{CASE}/record", params={"act": "investigation.inquiry"}, data=typed
        )
        assert refused.status_code == 422
        assert (
            "请填写询问开始时间" in refused.text and "问：你是否知道演出需要许可？" in refused.text
        )
        assert 'value="陈某"' in refused.text  # nothing typed is lost
        assert entries(app) == 0
        forged = client.post(
            f"/cases/{CASE}/record",
            params={"act": "investigation.inquiry"},
            data={**typed, "csrf": "forged"},
        )
        assert forged.status_code == 403
        good = {
            **typed,
            "f_started_at": "2026-11-03T10:00",
            "f_ended_at": "2026-11-03T10:40",
            "f_identity_shown": "true",
            "f_rights_notified": "true",
            "f_recorder": "李娜",
        }
        done = client.post(
            f"/cases/{CASE}/record",
            params={"act": "investigation.inquiry"},
            data=good,
            follow_redirects=False,
        )
        assert done.status_code == 303 and "#seq-" in done.headers["location"]
        assert entries(app) == 1
        shown = cases.show_case(app, CASE)
        inquiry = next(
            e for s in shown.stages for e in s.entries if e.act == "investigation.inquiry"
        )
        assert inquiry.fields["started_at"] == "2026-11-03T10:00:00+08:00"
        assert inquiry.recorded_by is not None
        assert inquiry.recorded_by.model_dump() == {"id": "31010001", "role": "officer"}
        assert (
            client.get(f"/cases/{CASE}/record", params={"act": "decision.legal_review"}).status_code
            == 403
        )


def test_api_records_an_act_for_the_caller(app):
    factory.register(app)
    factory.open_case(app)
    with TestClient(create_app(app), headers=token_headers(app, ["officer"])) as client:
        body = {
            "act": "investigation.inquiry",
            "occurred_at": "2026-11-03T10:00:00+08:00",
            "actors": ["31010001", "31010002"],
            "fields": {"subject": {"name": "陈某"}},
        }
        refused = client.post(f"/api/v1/cases/{CASE}/acts", json=body)
        assert refused.status_code == 422 and refused.json()["code"] == "LH100"
        body["fields"] = {
            "subject": {"name": "陈某"},
            "relation": "证人",
            "started_at": "2026-11-03T10:00:00+08:00",
            "ended_at": "2026-11-03T10:30:00+08:00",
            "identity_shown": True,
            "rights_notified": True,
            "transcript": "问：……\n答：……",
            "recorder": "李娜",
        }
        made = client.post(f"/api/v1/cases/{CASE}/acts", json=body)
        assert made.status_code == 201 and made.json()["act"] == "investigation.inquiry"


def test_overview_and_to_be_filed_pages(app):
    factory.register(app)
    factory.open_case(app)
    access.create_user(app, "boss", "correct-horse-9", ["head"], "赵局长", "wl-zd1", None)
    access.create_user(app, "zhangw", "correct-horse-1", ["officer"], "张伟", "wl-zd1", "31010001")
    with TestClient(create_app(app)) as client:
        login(client, "boss", "correct-horse-9")
        overview = client.get("/overview")
        assert overview.status_code == 200 and "逾期与缺失" in overview.text
        assert "自立案之日起九十日内作出行政处罚决定" in overview.text  # the decision falls due
        login(client, "zhangw", "correct-horse-1")
        assert client.get("/overview").status_code == 403
        todo = client.get("/media/todo")
        assert todo.status_code == 200 and "没有待归档的音像资料" in todo.text


def test_inbox_follows_the_approval_chain(app):
    from liuhen.kernel import record
    from liuhen.kernel.record import ActInput

    factory.register(app)
    access.create_user(
        app, "fazhi", "correct-horse-5", ["legal_reviewer"], "法制科", "wl-zd1", None
    )
    access.create_user(app, "boss", "correct-horse-9", ["head"], "赵局长", "wl-zd1", None)
    factory.open_case(app)
    record.record(app, ActInput(
        "decision.draft", "2026-11-10T09:00:00+08:00", case=CASE, actors=["31010001"],
        recorded_by=factory.OFFICER,
        fields={"drafter": "张伟", "facts": "经查，当事人未取得许可组织营业性演出。",
                "evidence": ["询问笔录", "现场检查笔录"],
                "legal_basis": ["《营业性演出管理条例》第四十三条"],
                "factors": "首次违法，积极配合调查。", "proposal": "罚款五万元。"},
    ))  # fmt: skip

    with TestClient(create_app(app)) as client:
        login(client, "fazhi", "correct-horse-5")
        inbox = client.get("/inbox").text
        assert "待法制审核（1）" in inbox and CASE in inbox
        login(client, "boss", "correct-horse-9")
        assert "待负责人审批（" not in client.get("/inbox").text  # no group for nothing
    record.record(app, ActInput(
        "decision.legal_review", "2026-11-11T09:00:00+08:00", case=CASE, actors=["31010001"],
        recorded_by={"id": "31010001", "role": "legal_reviewer"},
        fields={"reviewer": "法制科", "facts": "清楚", "evidence": "充分", "legal_basis": "正确",
                "procedure": "合法", "handling": "适当", "opinion": "同意", "conclusion": "同意"},
    ))  # fmt: skip
    with TestClient(create_app(app)) as client:
        login(client, "boss", "correct-horse-9")
        # reviewed, but not yet sent to him on its 案件处理审批表: nothing of his to approve
        # (test_case_handling_approval follows the draft to his approval page)
        inbox = client.get("/inbox").text
        assert "待负责人审批（" not in inbox and "act=decision.head_approval" not in inbox


def test_device_pages_and_chinese_labels(app):
    from liuhen.evidence import devices

    factory.register(app)
    factory.open_case(app)
    devices.register(
        app,
        {
            "device_no": "ZFJLY-07",
            "model": "DSJ-V9",
            "unit": "wl-zd1",
            "officer": "31010001",
            "status": "在用",
        },
    )
    access.create_user(app, "zhangw", "correct-horse-1", ["officer"], "张伟", "wl-zd1", "31010001")
    with TestClient(create_app(app)) as client:
        login(client, "zhangw", "correct-horse-1")
        listed = client.get("/devices")
        assert listed.status_code == 200 and "ZFJLY-07" in listed.text
        shown = client.get("/devices/ZFJLY-07")
        assert "登记/变更" in shown.text and "DSJ-V9" in shown.text
        assert client.get("/devices/NOPE").status_code == 404
        case = client.get(f"/cases/{CASE}").text
        assert "行政处罚" in case and "<dd>penalty</dd>" not in case


def test_an_officer_opens_a_case_from_the_pages(app):
    factory.register(app)
    access.create_user(app, "zhangw", "correct-horse-1", ["officer"], "张伟", "wl-zd1", "31010001")
    with TestClient(create_app(app)) as client:
        login(client, "zhangw", "correct-horse-1")
        assert "依职权立案" in client.get("/").text
        form = client.get("/cases/new", params={"act": "initiation.ex_officio"})
        assert form.status_code == 200 and "案由" in form.text
        assert "案件编号由系统按本机关规则自动编号" in form.text and 'name="case"' not in form.text
        # the filing is the head's to approve, on the 立案审批表 in his inbox: not typed here
        assert 'name="f_head_opinion"' not in form.text and 'name="f_approver"' not in form.text
        csrf = form.text.split('name="csrf" value="')[1].split('"')[0]
        data = {
            "csrf": csrf,
            "occurred_at": "2026-11-20T09:00",
            "actors": "31010001,31010002",
            "f_cause": "未经许可擅自从事营业性演出",
            "f_category": "penalty",
            "f_procedure": "ordinary",
            "f_parties": "某区夜色酒吧",
            "f_unit": "wl-zd1",
            "f_summary": "巡查发现。",
            "f_source": "日常巡查",
            "f_reason": "涉嫌违法",
            "f_handler_opinion": "建议立案",
            "f_head_opinion": "同意",
            "f_approver": "赵局长",
        }
        made = client.post(
            "/cases/new", params={"act": "initiation.ex_officio"}, data=data, follow_redirects=False
        )
        assert made.status_code == 303, made.text
        first = "/cases/" + quote("某区文化和旅游局立〔2026〕1号")
        # on to the 立案审批表 with his opinion, which then waits for the head's
        location = made.headers["location"]
        assert location.startswith(first + "/documents/new?")
        assert "doc_type=filing_approval" in location
        with app.engine.connect() as conn:
            opened = conn.execute(
                select(ENTRY.c.body).where(ENTRY.c.act == "initiation.ex_officio")
            ).scalar()
        recorded = json.loads(opened)["fields"]  # a posted head's opinion is not read
        assert "head_opinion" not in recorded and "approver" not in recorded
        assert recorded["handler_opinion"] == "建议立案"
        assert client.get(first).status_code == 200
        # the same form again is another case, under the next number: none is typed
        again = client.post(
            "/cases/new", params={"act": "initiation.ex_officio"}, data=data, follow_redirects=False
        )
        second = "/cases/" + quote("某区文化和旅游局立〔2026〕2号")
        assert again.headers["location"].startswith(second)
        assert client.get("/cases/new", params={"act": "investigation.inquiry"}).status_code == 403


def _as_form(doc, values: dict) -> dict[str, str]:
    """A document's sample values typed into its generated form, as a person would."""
    from liuhen.web.forms import widget

    out: dict[str, str] = {}
    for f in doc.fields:
        if f.name not in values:
            continue
        v, w, name = values[f.name], widget(f), f"f_{f.name}"
        if w == "person":
            out[name + ".name"] = v["name"]
        elif w == "lines":
            out[name] = "\n".join(x if isinstance(x, str) else x["name"] for x in v)
        elif w == "bool":
            out[name] = "true" if v else "false"
        elif w == "datetime":
            out[name] = v[:16]
        elif w == "json":
            import json

            out[name] = json.dumps(v, ensure_ascii=False)
        else:
            out[name] = str(v)
    return out


def test_an_officer_issues_a_signed_document_from_the_pages(app):
    from liuhen.documents import DOC_TYPES

    factory.register(app)
    factory.certify_officers(app)
    factory.open_case(app)
    inquiry = factory.inquiry(app)
    access.create_user(app, "zhangw", "correct-horse-1", ["officer"], "张伟", "wl-zd1", "31010001")
    access.create_user(app, "lina", "correct-horse-2", ["officer"], "李娜", "wl-zd1", "31010002")
    doc = DOC_TYPES["inquiry_record"]
    with TestClient(create_app(app)) as client:
        login(client, "zhangw", "correct-horse-1")
        case_page = client.get(f"/cases/{CASE}").text
        assert f"documents/new?act_seq={inquiry.seq}&doc_type=inquiry_record" in case_page
        url = f"/cases/{CASE}/documents/new"
        params: dict[str, Any] = {"act_seq": inquiry.seq, "doc_type": "inquiry_record"}
        form = client.get(url, params=params)
        csrf = form.text.split('name="csrf" value="')[1].split('"')[0]
        data = {
            "csrf": csrf,
            "sign_officer": "31010001,31010002",
            "confirm_cert_1": "31010002",  # the colleague present confirms with his password
            "confirm_password_1": "correct-horse-2",
            "party_name": "陈某",
            "number": "某文旅询〔2026〕7号",
            **_as_form(doc, doc.sample),
        }
        refused = client.post(url, params=params, data={**data, "sign_officer": ""})
        assert refused.status_code == 422 and 'value="陈某"' in refused.text
        made = client.post(url, params=params, data=data, follow_redirects=False)
        assert made.status_code == 303, made.text[:2000]
        shown = client.get(f"/cases/{CASE}").text
        assert "查看文书 PDF" in shown
