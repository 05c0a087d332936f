"""The inbox (待办) leads each role to what is his to do now, most urgent first: an officer's
deadlines and violations on his own cases, a head's approvals in his agency, the archivist's
closed cases with their filing deadline; a supervisor is told he has nothing to do."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

from liuhen.accounts import service as access
from liuhen.clock import SHANGHAI, FixedClock
from liuhen.compliance import service as compliance
from liuhen.documents import DOC_TYPES
from liuhen.documents import approvals as approvals_service
from liuhen.documents.service import DocumentRequest, issue
from liuhen.entrypoints.web import create_app
from liuhen.kernel import record
from liuhen.kernel.record import ActInput
from liuhen.signing import service as signing
from tests.integration import factory
from tests.integration.auth import login

DUE_SOON = "某文旅罚〔2026〕1号"  # opened 2 November: 90 days end on 31 January
OVERDUE = "某文旅罚〔2026〕2号"  # opened 20 October: 90 days ended on 18 January
NOT_HIS = "某文旅罚〔2026〕3号"  # his unit's, but he is not one of its case officers
ELSEWHERE = "某区市场监管罚〔2026〕1号"  # another agency's
NOW = datetime(2027, 1, 29, 10, 0, tzinfo=SHANGHAI)
HEAD = "31010009"  # a head who signs his own block


def _people(app: Any) -> None:
    factory.register(app)
    access.create_user(app, "zhangw", "correct-horse-1", ["officer"], "张伟", "wl-zd1", "31010001")
    access.create_user(app, "wangq", "correct-horse-3", ["officer"], "王强", "wl-zd1", "31010003")
    access.create_user(app, "boss", "correct-horse-9", ["head"], "赵局长", "wl-zd1", None)
    access.create_user(app, "dangan", "correct-horse-7", ["archivist"], "档案员", "wl-zd1", None)
    access.create_user(app, "jiandu", "correct-horse-8", ["supervisor"], "监督员", None, None)


def _draft(app: Any, case: str, actor: str = "31010001") -> int:
    return record.record(app, ActInput(
        "decision.draft", "2026-11-10T09:00:00+08:00", case=case, actors=[actor],
        recorded_by={"id": actor, "role": "officer"},
        fields={"drafter": "张伟", "facts": "经查，当事人未取得许可组织营业性演出。",
                "evidence": ["询问笔录"], "legal_basis": ["《营业性演出管理条例》第四十三条"],
                "factors": "首次违法。", "proposal": "罚款五万元。"},
    )).seq  # fmt: skip


def _review(app: Any, case: str, actor: str = "31010001") -> int:
    return record.record(app, ActInput(
        "decision.legal_review", "2026-11-11T09:00:00+08:00", case=case, actors=[actor],
        recorded_by={"id": actor, "role": "legal_reviewer"},
        fields={"reviewer": "法制科", "facts": "清楚", "evidence": "充分", "legal_basis": "正确",
                "procedure": "合法", "handling": "适当", "opinion": "同意", "conclusion": "同意"},
    )).seq  # fmt: skip


def _approve(app: Any, case: str, approved: bool) -> int:
    return record.record(app, ActInput(
        "decision.head_approval", "2026-11-12T09:00:00+08:00", case=case, actors=["31010003"],
        recorded_by={"id": "31010003", "role": "head"},
        fields={"matter": "作出行政处罚决定", "opinion": "同意" if approved else "事实不清，退回",
                "approved": approved},
    )).seq  # fmt: skip


def _total(page: str) -> int:
    found = re.search(r"待办 (\d+) 项</strong>", page)
    assert found, page
    return int(found.group(1))


def _badge(page: str) -> int | None:
    found = re.search(r'class="count-badge"[^>]*>(\d+)<', page)
    return int(found.group(1)) if found else None


def _item(page: str, needle: str) -> str:
    """The inbox line (``<li>``) holding ``needle``."""
    at = page.index(needle)
    return page[page.rindex("<li", 0, at) : page.index("</li>", at)]


def test_an_officer_sees_his_deadlines_overdue_first_and_his_violations(app):
    app.clock = FixedClock(NOW)
    _people(app)
    compliance.use_pack(app, "001", "测试")  # an inquiry needs its signed record
    factory.open_case(app, DUE_SOON)
    factory.open_case(app, OVERDUE, when="2026-10-20T09:00:00+08:00")
    factory.open_case_in(app, NOT_HIS, "wl-zd1", "31010003")
    inquiry = factory.inquiry(app, DUE_SOON)
    broken = [
        f for f in compliance.evaluate_case(app, DUE_SOON).findings
        if f.severity == "violation" and inquiry.seq in f.seqs
    ]  # fmt: skip
    assert broken, "the inquiry without its record is a violation on the entry"
    with TestClient(create_app(app)) as client:
        login(client, "zhangw", "correct-horse-1")
        page = client.get("/inbox").text
        soon, late = _item(page, "还剩 2 天"), _item(page, "已逾期 11 天")
        assert DUE_SOON in soon and "自立案之日起九十日内作出行政处罚决定" in soon
        assert "2027年1月31日 23:59" in soon  # the deadline, as people read it
        assert OVERDUE in late and 'class="inbox-item overdue' in late
        assert 'class="inbox-item soon' in soon
        assert "act=decision.decision" in soon  # one click to the decision's form
        assert page.index("已逾期 11 天") < page.index("还剩 2 天")  # overdue first
        line = _item(page, broken[0].title)
        assert f"#seq-{inquiry.seq}" in line  # the finding's entry on the case page
        assert "doc_type=inquiry_record" in line and "制作《询问笔录》" in line  # and its form
        assert page.index("还剩 2 天") < page.index(broken[0].title)  # deadlines, then violations
        assert NOT_HIS not in page  # a colleague's case: his, not this officer's
        assert "待办 " in page and "已逾期 1" in page and "3 天内到期 1" in page
        assert _badge(client.get("/").text) == _total(page)  # the menu's count, on every page
        factory.inquiry(app, OVERDUE)  # one more inquiry without its record: one more item
        assert _badge(client.get("/").text) == _total(page) + 1

        login(client, "wangq", "correct-horse-3")
        page = client.get("/inbox").text
        assert NOT_HIS in page and DUE_SOON not in page and OVERDUE not in page


def test_an_officer_is_sent_to_decide_or_redraft_when_the_head_answers(app):
    app.clock = FixedClock(NOW)
    _people(app)
    factory.open_case(app, DUE_SOON)
    factory.open_case(app, OVERDUE, when="2026-10-20T09:00:00+08:00")
    for case, approved in ((DUE_SOON, True), (OVERDUE, False)):
        _draft(app, case)
        _review(app, case)
        _approve(app, case, approved)
    with TestClient(create_app(app)) as client:
        login(client, "zhangw", "correct-horse-1")
        page = client.get("/inbox").text
        decide = page[page.index('id="decide"') :]
        assert DUE_SOON in _item(decide, "负责人已批准") and "act=decision.decision" in decide
        redraft = page[page.index('id="redraft"') :]
        assert OVERDUE in _item(redraft, "负责人未批准") and "act=decision.draft" in redraft
        _draft(app, OVERDUE)  # redrafted: it waits for the legal reviewer now, not for him
        assert 'id="redraft"' not in client.get("/inbox").text


def test_the_legal_reviewer_sees_drafts_and_the_deadlines_running_on_them(app):
    app.clock = FixedClock(NOW)
    _people(app)
    access.create_user(
        app, "fazhi", "correct-horse-5", ["legal_reviewer"], "法制科", "wl-zd1", None
    )
    factory.open_case(app, DUE_SOON)
    factory.open_case(app, OVERDUE, when="2026-10-20T09:00:00+08:00")  # no draft: not his
    _draft(app, DUE_SOON)
    with TestClient(create_app(app)) as client:
        login(client, "fazhi", "correct-horse-5")
        page = client.get("/inbox").text
        review = _item(page, "决定草拟待法制审核")
        assert DUE_SOON in review and "act=decision.legal_review" in review
        deadline = _item(page, "还剩 2 天")  # the decision's 90 days run while he reviews
        assert DUE_SOON in deadline and "act=decision.legal_review" in deadline
        assert page.index("还剩 2 天") < page.index("决定草拟待法制审核")  # deadlines first
        assert OVERDUE not in page


def test_a_head_sees_his_agencys_approvals_and_its_cases_by_finding(app):
    _people(app)  # the keys are issued today: signing validates them against the real time
    factory.add_officer(app, "32010001", "钱七", unit="wl-zd1")
    factory.add_officer(app, HEAD, "赵局长", roles=("head",))
    access.create_user(app, "zhaoj", "correct-horse-6", ["head"], "赵局长", "wl-zd1", HEAD)
    signing.init_ca(app, "某区文化和旅游局")
    for cert in ("31010001", "32010001", HEAD):
        signing.issue(app, cert)
    app.clock = FixedClock(NOW)
    record.record(app, ActInput(
        "registry.agency", NOW.isoformat(), recorded_by=factory.ADMIN,
        fields={"code": "sc", "name": "某区市场监督管理局", "region": "某区"},
    ))  # fmt: skip
    factory.add_unit(app, "sc-zd1", "市场监管执法一队", agency="sc")
    factory.add_officer(app, "32010001", "钱七", unit="sc-zd1")  # moved to that agency
    factory.open_case(app, DUE_SOON)
    factory.open_case(app, OVERDUE, when="2026-10-20T09:00:00+08:00")
    factory.open_case_in(app, ELSEWHERE, "sc-zd1", "32010001")
    sent = {}
    for case, actor in ((DUE_SOON, "31010001"), (ELSEWHERE, "32010001")):
        draft = _draft(app, case, actor)
        _review(app, case, actor)
        sent[case] = issue(app, DocumentRequest(  # the officer sends its 案件处理审批表
            case=case, act_seq=draft, doc_type="case_handling_approval",
            values=dict(DOC_TYPES["case_handling_approval"].sample),
            signers=[{"role": "officer", "cert_no": actor}],
            recorded_by={"id": actor, "role": "officer"},
        )).seq  # fmt: skip
    with TestClient(create_app(app)) as client:
        login(client, "zhaoj", "correct-horse-6")
        page = client.get("/inbox").text
        approvals = page[page.index('id="approval"') :]
        approvals = approvals[: approvals.index("</section>")]
        assert "待负责人审批（1）" in page and DUE_SOON in approvals
        assert "法制审核后待负责人审批" in approvals
        # the basis as his agency's pack cites it (the national rule here), never another's
        assert "负责人审批（《中华人民共和国行政处罚法》第五十七条）" in approvals
        assert "002 第二十条" not in approvals
        assert f"/approvals/{sent[DUE_SOON]}" in approvals  # decided on its approval page
        assert "act=decision.head_approval" not in page  # never the bare act: approved twice
        assert "《案件处理审批表》" not in page[page.index('id="approval"') + len(approvals) :]
        assert ELSEWHERE not in page  # another agency's case is not his
        summary = _item(page[page.index('id="cases"') :], OVERDUE)
        assert "违规 " in summary and "已逾期 11 天" in summary and "#compliance" in summary
        assert page.index('id="cases"') < page.index('id="approval"')  # overdue leads
        head = access.get_user(app, "zhaoj")
        approvals_service.decide(app, head, DUE_SOON, sent[DUE_SOON], "同意", "同意。")
        assert 'id="approval"' not in client.get("/inbox").text


def test_a_draft_sent_to_nobody_is_not_the_heads_yet(app):
    app.clock = FixedClock(NOW)
    _people(app)
    factory.open_case(app, DUE_SOON)
    _draft(app, DUE_SOON)
    _review(app, DUE_SOON)
    factory.add_officer(app, HEAD, "赵局长", roles=("head",))
    access.create_user(app, "zhaoj", "correct-horse-6", ["head"], "赵局长", "wl-zd1", HEAD)
    with TestClient(create_app(app)) as client:
        login(client, "zhaoj", "correct-horse-6")
        page = client.get("/inbox").text
        assert 'id="approval"' not in page and "act=decision.head_approval" not in page
        login(client, "zhangw", "correct-horse-1")  # the officer is asked to send it
        page = client.get("/inbox").text
        assert "提交《案件处理审批表》" in page and "doc_type=case_handling_approval" in page


def test_the_archivist_sees_a_closed_case_with_its_filing_deadline(app):
    app.clock = FixedClock(datetime(2026, 12, 30, 10, 0, tzinfo=SHANGHAI))
    _people(app)
    compliance.use_pack(app, "001", "测试")  # 30 working days from closing to filing
    factory.open_case(app, DUE_SOON)
    factory.open_case(app, OVERDUE, when="2026-10-20T09:00:00+08:00")
    record.record(app, ActInput(
        "archiving.closing", "2026-11-20T16:00:00+08:00", case=DUE_SOON, actors=["31010001"],
        recorded_by=factory.OFFICER,
        fields={"closed_on": "2026-11-20", "outcome": "不予处罚",
                "report": "违法行为轻微并及时改正，不予处罚。"},
    ))  # fmt: skip
    with TestClient(create_app(app)) as client:
        login(client, "dangan", "correct-horse-7")
        page = client.get("/inbox").text
        line = _item(page, "已结案，待立卷归档")
        assert DUE_SOON in line and "还剩 2 天" in line  # due 1 January 2027
        assert "30 个工作日内归档" in line and "立卷归档" in line
        assert OVERDUE not in page  # still open: not the archivist's yet


def test_an_officer_is_asked_to_bind_his_files_stored_over_a_day_ago(app, tmp_path):
    from PIL import Image

    from liuhen.evidence import devices, ingest

    _people(app)
    devices.register(app, {"device_no": "ZFJLY-07", "model": "DSJ-V9", "unit": "wl-zd1",
                           "officer": "31010001", "status": "在用"})  # fmt: skip
    folder = tmp_path / "DCIM"
    folder.mkdir()
    Image.new("RGB", (120, 80), (200, 30, 30)).save(folder / "20261103_101500.jpg")
    ingest.ingest(app, folder, "ZFJLY-07")
    with TestClient(create_app(app)) as client:
        login(client, "zhangw", "correct-horse-1")
        assert "20261103_101500.jpg" not in client.get("/inbox").text  # stored just now
        app.clock = FixedClock(app.clock.now() + timedelta(days=2))
        login(client, "zhangw", "correct-horse-1")  # two days on: a new session
        page = client.get("/inbox").text
        line = _item(page[page.index('id="media"') :], "20261103_101500.jpg")
        assert "尚未归入案件" in line and 'href="/media/sha256:' in line and '/bind"' in line
        login(client, "wangq", "correct-horse-3")
        assert "20261103_101500.jpg" not in client.get("/inbox").text  # not his file


def test_a_supervisor_has_nothing_to_do_and_is_sent_to_the_overview(app):
    _people(app)
    factory.open_case(app, DUE_SOON)
    _draft(app, DUE_SOON)
    with TestClient(create_app(app)) as client:
        login(client, "jiandu", "correct-horse-8")
        page = client.get("/inbox").text
        assert "没有需要您办理的事项" in page and 'href="/overview"' in page
        assert _badge(page) is None  # no count where nothing waits
        assert DUE_SOON not in page
