"""The decision goes through the head's approval page: the officer drafts it and sends the
案件处理审批表 with his opinion; the head reads it there and agrees or not, his opinion printed in
his box; only after his 同意 does the officer issue the 行政处罚决定书 under his own key. The
head's signature and the approval it gives are journaled together or not at all."""

from __future__ import annotations

import json
import re
import subprocess
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from liuhen.access.policy import User
from liuhen.accounts import service as access
from liuhen.clock import SHANGHAI
from liuhen.documents import DOC_TYPES, approvals
from liuhen.documents.service import DocumentRequest, issue
from liuhen.entrypoints.web import create_app
from liuhen.errors import ValidationError
from liuhen.kernel import record
from liuhen.kernel.db.store import ENTRY
from liuhen.kernel.record import ActInput
from liuhen.procedure.fields import Block
from tests.integration import factory
from tests.integration.auth import login

CASE = "某文旅罚〔2026〕1号"
OFFICER, REVIEWER, HEAD = "31010001", "31010002", "31010009"
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=SHANGHAI)
BY_OFFICER = {"id": OFFICER, "role": "officer"}
REFUSAL = "须先经负责人在《案件处理审批表》上批准，方可签发《行政处罚决定书》"
DRAFT: dict[str, Any] = {
    "drafter": "张伟", "facts": "当事人未取得营业性演出许可证，于2026年11月1日组织营业性演出。",
    "evidence": ["现场检查笔录1份", "询问笔录1份"],
    "legal_basis": ["《营业性演出管理条例》第六条", "《营业性演出管理条例》第四十三条"],
    "factors": "初次违法，及时整改，属从轻情形。",
    "proposal": "拟作出行政处罚决定：罚款人民币5000元。", "amount": "5000",
}  # fmt: skip
DECISION = {
    "party": {"name": "某区夜色酒吧"}, "facts": "当事人未经许可擅自从事营业性演出。",
    "kinds": ["罚款"], "legal_basis": ["《营业性演出管理条例》第四十三条"],
    "content": "罚款人民币5000元。", "performance": "十五日内缴纳。",
    "remedy": "六十日内申请行政复议。", "decided_on": "2026-12-01",
}  # fmt: skip


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match, html[:500]
    return match.group(1)


def _draft(app: Any) -> int:
    """The staff (``factory.approval_staff``), the agency's seal (the 决定书 carries it), the
    case, and the officer's recorded draft decision, whose seq every test here starts from."""
    from liuhen.signing import service as signing

    factory.approval_staff(app, NOW)
    signing.issue_seal(app, "wl")
    factory.open_case(app)
    return int(record.record(app, ActInput(
        "decision.draft", NOW.isoformat(), case=CASE, actors=[OFFICER], recorded_by=BY_OFFICER,
        fields=DRAFT,
    )).seq)  # fmt: skip


def _send(client: TestClient, draft: int) -> int:
    """The officer sends the 案件处理审批表 of ``draft`` with his opinion, prefilled."""
    url = f"/cases/{CASE}/documents/new"
    params: dict[str, str | int] = {"act_seq": draft, "doc_type": "case_handling_approval"}
    form = client.get(url, params=params)
    assert form.status_code == 200, form.text[:2000]
    assert "拟作出行政处罚决定：罚款人民币5000元。" in form.text  # the draft's proposal
    assert "未经许可擅自从事营业性演出" in form.text  # the case's cause
    data = {
        "csrf": _csrf(form.text), "f_case_no": CASE, "f_cause": "未经许可擅自从事营业性演出",
        "f_party.name": "某区夜色酒吧", "f_facts": DRAFT["facts"],
        "f_evidence": "\n".join(DRAFT["evidence"]),
        "f_legal_basis": "\n".join(DRAFT["legal_basis"]),
        "f_factors": DRAFT["factors"], "f_proposal": DRAFT["proposal"], "f_amount": "5000",
        "f_handlers": "张伟（执法证号 31010001）",
        "f_handler_opinion": "事实清楚，证据确凿，建议罚款人民币5000元。", "sign_officer": OFFICER,
    }  # fmt: skip
    sent = client.post(url, params=params, data=data, follow_redirects=False)
    assert sent.status_code == 303, re.findall(r"<li>(.*?)</li>", sent.text)
    return int(sent.headers["location"].rsplit("#seq-", 1)[1])


def _head(app: Any) -> User:
    return access.get_user(app, "hejg")


def _decision(app: Any) -> int:
    return int(record.record(app, ActInput(
        "decision.decision", NOW.isoformat(), case=CASE, actors=[OFFICER],
        recorded_by=BY_OFFICER, fields=DECISION,
    )).seq)  # fmt: skip


def _issue_decision(app: Any, decision: int) -> Any:
    """The officer issues the 行政处罚决定书 under his own key."""
    values = dict(DOC_TYPES["penalty_decision"].sample)
    return issue(app, DocumentRequest(
        case=CASE, act_seq=decision, doc_type="penalty_decision", values=values,
        signers=[{"role": "officer", "cert_no": OFFICER}], recorded_by=BY_OFFICER,
    ))  # fmt: skip


def _fields(app: Any, seq: int) -> dict[str, Any]:
    with app.engine.connect() as conn:
        body = conn.execute(select(ENTRY.c.body).where(ENTRY.c.seq == seq)).scalar()
    return dict(json.loads(body)["fields"])


def _count(app: Any, act: str) -> int:
    with app.engine.connect() as conn:
        return int(conn.execute(select(func.count()).where(ENTRY.c.act == act)).scalar() or 0)


def _text(pdf: bytes, tmp: Path) -> str:
    path = tmp / "doc.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_refused_before_the_heads_approval_and_after_his_refusal(app):
    draft = _draft(app)
    decision = _decision(app)
    with pytest.raises(ValidationError) as refused:  # no form sent yet
        _issue_decision(app, decision)
    assert "尚未送签《案件处理审批表》" in refused.value.problems[0].message
    with TestClient(create_app(app)) as client:
        login(client, "zhangw", "correct-horse-1")
        sent = _send(client, draft)
    with pytest.raises(ValidationError) as refused:  # sent, not yet approved
        _issue_decision(app, decision)
    (problem,) = refused.value.problems
    assert problem.field == "sign.officer" and problem.message.startswith(REFUSAL)
    out = approvals.decide(app, _head(app), CASE, sent, "不同意", "不同意，理由：罚款数额偏低。")
    assert out.act is not None and _fields(app, out.act.seq)["approved"] is False
    with pytest.raises(ValidationError, match="负责人未予批准"):
        _issue_decision(app, decision)
    assert _count(app, "general.document") == 2  # the form and its signed version only


def test_issued_by_the_officer_after_the_heads_agreement(app, tmp_path):
    from liuhen.signing import service as signing

    draft = _draft(app)
    with TestClient(create_app(app)) as client:
        login(client, "zhangw", "correct-horse-1")
        sent = _send(client, draft)
        login(client, "hejg", "correct-horse-3")
        page = client.get(f"/cases/{CASE}/approvals/{sent}")
        assert page.status_code == 200 and "建议罚款人民币5000元。" in page.text
        assert "<dt>处理建议</dt>" in page.text and DRAFT["proposal"] in page.text
        data = {"csrf": _csrf(page.text), "choice": "同意", "opinion": "同意按拟定意见处罚。"}
        url = f"/cases/{CASE}/approvals/{sent}"
        client.post(url, data=data)
        signed = client.post(url, data={**data, "confirmed": "1"}, follow_redirects=False)
        assert signed.status_code == 303, signed.text[:2000]
        assert f"/approvals/{sent}" not in client.get("/inbox").text
        login(client, "zhangw", "correct-horse-1")  # the officer is told to decide
        assert "负责人已批准，待作出行政执法决定" in client.get("/inbox").text
    version = int(signed.headers["location"].rsplit("#seq-", 1)[1])
    latest = _fields(app, version)
    assert latest["supersedes"] == sent and latest["signatures"][-1]["role"] == "approver"
    pdf = b"".join(app.blobs.read(latest["digest"]))
    assert all(s.valid for s in signing.validate_pdf(pdf, signing.ca_pem(app)))
    text = _text(pdf, tmp_path)
    assert "案件处理审批表" in text and "同意按拟定意见处罚。" in text and "贺建国" in text
    agreed = {"matter": "案件处理审批表", "opinion": "同意按拟定意见处罚。", "approved": True,
              "subject_seq": draft}  # fmt: skip
    assert _fields(app, version + 1) == agreed  # journaled with his signature

    issued = _issue_decision(app, _decision(app))  # now the officer may
    fields = _fields(app, issued.seq)
    assert fields["doc_type"] == "penalty_decision"
    signers = [(s["role"], s.get("cert_no")) for s in fields["signatures"]]
    assert signers[0] == ("officer", OFFICER) and [r for r, _c in signers] == [
        "officer",
        Block.SEAL,
    ]


def test_the_refusal_is_shown_at_the_officers_signature(app):
    _draft(app)
    decision = _decision(app)
    with TestClient(create_app(app)) as client:
        login(client, "zhangw", "correct-horse-1")
        url = f"/cases/{CASE}/documents/new"
        params: dict[str, str | int] = {"act_seq": decision, "doc_type": "penalty_decision"}
        form = client.get(url, params=params)
        assert form.status_code == 200 and 'id="sign_officer"' in form.text
        refused = client.post(url, params=params, data={"csrf": _csrf(form.text),
                                                          "sign_officer": OFFICER})  # fmt: skip
    assert refused.status_code == 422
    assert REFUSAL in refused.text
    assert re.search(r'id="sign_officer"[^>]*aria-invalid="true"', refused.text)


def test_a_failure_in_the_second_entry_leaves_neither(app):
    draft = _draft(app)
    good = ActInput("decision.head_approval", NOW.isoformat(), case=CASE, actors=[HEAD],
                    fields={"matter": "案件处理审批表", "opinion": "同意。", "approved": True,
                            "subject_seq": draft},
                    recorded_by={"id": HEAD, "role": "head"})  # fmt: skip
    bad = ActInput(**{**good.__dict__, "fields": {**good.fields, "subject_seq": 99999}})
    before = _count(app, "decision.head_approval")
    with pytest.raises(ValidationError, match="99999"):
        record.record_all(app, [good, bad])  # the second refers to no entry of the case
    assert _count(app, "decision.head_approval") == before
    assert [a.act for a in record.record_all(app, [good])] == ["decision.head_approval"]


def test_the_heads_signature_and_his_approval_are_one_transaction(app, monkeypatch):
    draft = _draft(app)
    with TestClient(create_app(app)) as client:
        login(client, "zhangw", "correct-horse-1")
        sent = _send(client, draft)

    def broken(p: approvals.Pending, d: approvals.Decision) -> dict[str, Any]:
        return {**approvals.head_approval(p, d), "subject_seq": 99999}  # no such entry

    row = approvals.Records(approvals.HEAD_APPROVAL, broken)
    monkeypatch.setitem(approvals.APPROVER_RECORDS, "case_handling_approval", row)
    documents = _count(app, "general.document")
    with pytest.raises(ValidationError, match="99999"):
        approvals.decide(app, _head(app), CASE, sent, "同意", "同意。")
    assert _count(app, "general.document") == documents  # his signed version was not kept
    assert _count(app, "decision.head_approval") == 0
    monkeypatch.undo()
    out = approvals.decide(app, _head(app), CASE, sent, "同意", "同意。")  # still his to sign
    assert out.signed is not None and out.act is not None and out.act.seq == out.signed.seq + 1


def test_the_head_is_not_offered_the_bare_approval_of_a_sent_draft(app):
    from liuhen.accounts.service import Forbidden
    from liuhen.cases import workflow

    draft = _draft(app)

    def bare(subject: int | None) -> ActInput:
        fields: dict[str, Any] = {"matter": "处罚决定", "opinion": "同意。", "approved": True}
        if subject is not None:
            fields["subject_seq"] = subject
        return ActInput("decision.head_approval", NOW.isoformat(), case=CASE, actors=[HEAD],
                        fields=fields, recorded_by={"id": HEAD, "role": "head"})  # fmt: skip

    with TestClient(create_app(app)) as client:
        login(client, "zhangw", "correct-horse-1")
        sent = _send(client, draft)
    for subject in (None, draft):
        with pytest.raises(Forbidden, match=f"/approvals/{sent}"):
            workflow.record_act(app, _head(app), CASE, bare(subject))
    approvals.decide(app, _head(app), CASE, sent, "同意", "同意。")
    with pytest.raises(Forbidden, match="不能再次审批"):
        workflow.record_act(app, _head(app), CASE, bare(None))
    assert _count(app, "decision.head_approval") == 1  # his one, with his signature
