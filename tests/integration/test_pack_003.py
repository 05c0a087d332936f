"""Seed 003's rules on what the system itself makes: a 告知书 the head issues carries the
agency's seal, dated, so 第十三条 holds; a 立案审批表 signed by the officer and approved by the
head carries both signatures dated, and 第十五条 still asks for the reviewer's opinion until a
legal reviewer signs his block."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi.testclient import TestClient

from liuhen.accounts import service as access
from liuhen.clock import SHANGHAI, FixedClock
from liuhen.compliance import packs
from liuhen.compliance import service as compliance
from liuhen.entrypoints.web import create_app
from liuhen.kernel import record
from liuhen.kernel.record import ActInput
from tests.integration import factory
from tests.integration.auth import login
from tests.integration.test_approvals import CASE, _approve, _fields, _issue, _staff
from tests.integration.test_seal import _case, _doc
from tests.integration.test_seal import _issue as _issue_notice


def _codes(app: Any, rule: str) -> list[tuple[str, tuple[int, ...]]]:
    found = compliance.evaluate_case(app, CASE).findings
    return sorted((f.code, f.seqs) for f in found if f.rule == rule)


def test_a_notice_the_system_issues_is_sealed_and_dated(app: Any) -> None:
    act = _case(app)
    packs.use_pack(app, "003", "该机关适用街道办事处办法", agency="wl")
    issued = _issue_notice(app, act)
    fields, _pdf = _doc(app, issued.seq)
    seal = fields["signatures"][-1]
    assert seal["role"] == "seal" and seal["signed_at"].startswith("2026-12-01")
    assert _codes(app, "documents.sealed") == []


def test_the_filing_approval_is_dated_by_each_signer_and_waits_for_the_reviewer(app: Any) -> None:
    opening = _staff(app)
    packs.use_pack(app, "003", "该机关适用街道办事处办法", agency="wl")
    with TestClient(create_app(app)) as client:
        login(client, "zhangw", "correct-horse-1")
        first = _issue(client, opening)
        # still in its signing chain, nothing done after it: 待签名 hints, no violation
        assert _codes(app, "documents.approval_signed") == [
            ("documents.approval_signed:pending.approver", (opening, first)),
            ("documents.approval_signed:pending.reviewer", (opening, first)),
        ]
        login(client, "hejg", "correct-horse-3")
        signed = _approve(client, first, "同意", "同意立案。")
        assert signed.status_code == 303, signed.text[:2000]
    latest = int(signed.headers["location"].rsplit("#seq-", 1)[1])
    assert all(s["signed_at"] for s in _fields(app, latest)["signatures"])
    assert _codes(app, "documents.approval_signed") == [
        ("documents.approval_signed:unsigned.reviewer", (opening, latest)),
    ]


def _act(act: str, when: str, fields: dict[str, Any]) -> ActInput:
    return ActInput(act, when, case=CASE, actors=["31010001", "31010002"],
                    recorded_by=factory.OFFICER, fields=fields)  # fmt: skip


def test_confiscated_goods_are_disposed_of_on_record_before_the_case_closes(app: Any) -> None:
    """003 第十条第四项: the 没收财物处理 form is there for the officer, and a closed case whose
    decision confiscated goods is found wanting until their disposal is recorded."""
    app.clock = FixedClock(datetime(2027, 1, 5, 10, 0, tzinfo=SHANGHAI))
    factory.register(app)
    factory.open_case(app)
    packs.use_pack(app, "003", "该机关适用街道办事处办法", agency="wl")
    access.create_user(app, "zhangw", "correct-horse-1", ["officer"], "张伟", "wl-zd1", "31010001")
    decided = record.record(app, _act("decision.decision", "2026-11-24T10:00:00+08:00", {
        "party": {"name": "某区夜色酒吧"}, "facts": "未经许可组织营业性演出。",
        "kinds": ["罚款", "没收非法财物（演出用音响设备）"],
        "legal_basis": ["《营业性演出管理条例》第四十三条"],
        "content": "罚款人民币五千元；没收演出用音响设备一套", "amount": "5000",
        "performance": "罚款自收到本决定书之日起十五日内缴至指定银行",
        "remedy": "可在六十日内申请行政复议，或者在六个月内提起行政诉讼",
        "decided_on": "2026-11-24"}))  # fmt: skip
    record.record(app, _act("service.direct", "2026-11-25T10:00:00+08:00", {
        "document": "行政处罚决定书", "document_no": "某文旅罚〔2026〕1号",
        "recipient": {"name": "某区夜色酒吧"}, "served_at": "2026-11-25T10:00:00+08:00",
        "place": "某区夜色酒吧", "server": "张伟"}))  # fmt: skip
    form_act = {"act": "execution.confiscation_handling"}
    with TestClient(create_app(app)) as client:  # offered once served, while the case is open
        login(client, "zhangw", "correct-horse-1")
        form = client.get(f"/cases/{CASE}/record", params=form_act)
    assert form.status_code == 200, form.text[:2000]
    assert "处理的没收财物" in form.text and "公开拍卖" in form.text
    record.record(app, _act("archiving.closing", "2026-12-31T09:00:00+08:00", {
        "closed_on": "2026-12-31", "outcome": "执行完毕", "report": "罚款已缴纳。"}))  # fmt: skip
    assert _codes(app, "execution.confiscation_recorded") == [
        ("execution.confiscation_recorded:missing", (decided.seq,))
    ]
    goods = [{"name": "音响设备", "quantity": 1, "unit": "套"}]  # recorded late, as an import would
    record.record(app, _act("execution.confiscation_handling", "2027-01-04T10:00:00+08:00", {
        "decision_no": "某文旅罚〔2026〕1号", "items": goods, "method": "公开拍卖",
        "handled_on": "2027-01-04", "handled_by": "某区公共资源交易中心"}))  # fmt: skip
    assert _codes(app, "execution.confiscation_recorded") == []
