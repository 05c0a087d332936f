"""The head's other approvals on the same page: 先行登记保存, 查封（扣押）, 延长查封（扣押）期限 and
a party's 查阅、复制 request. Each form starts from what its act and the case recorded; the
officer sends it with his opinion, the head reads it on the approval page and decides, and his
opinion prints in his box. What his decision records is the act the rules read: a
``decision.head_approval`` about the measure (its subject set by the system), or, for a
request, the ``general.disclosure_decision`` the disclosure rules hold."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from typing import Any

from fastapi.testclient import TestClient

from liuhen.compliance import service as compliance
from liuhen.disclosure import service as disclosure
from liuhen.entrypoints.web import create_app
from liuhen.kernel import record
from liuhen.kernel.record import ActInput
from tests.integration.auth import login
from tests.integration.test_approvals import (
    CASE,
    HEAD,
    OFFICER,
    REVIEWER,
    _approve,
    _entries,
    _fields,
    _staff,
    _text,
)

ITEMS = [{"name": "电脑主机", "spec": "组装机", "quantity": 12, "unit": "台"}]
PARTY = {"name": "某区夜色酒吧", "address": "某区滨江路18号"}
BY_OFFICER = {"id": OFFICER, "role": "officer"}
CONFIRMED = "以上记录与讨论情况相符，确认讨论决定。"


class _Form(HTMLParser):
    """The document form's inputs as the page opens them (what a user who changes nothing
    would post): inputs, textareas and the selected option of each select."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self._area: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        name = a.get("name", "")
        if tag == "input" and name and a.get("type") not in ("password", "checkbox"):
            self.values[name] = a.get("value", "")
        elif tag == "textarea" and name:
            self._area, self.values[name] = name, ""
        elif tag == "select" and name:
            self._select, self.values[name] = name, ""
        elif tag == "option" and self._select and "selected" in a:
            self.values[self._select] = a.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._area = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data: str) -> None:
        if self._area:
            self.values[self._area] += data


def _opened(client: TestClient, act_seq: int, doc_type: str, **extra: Any) -> dict[str, str]:
    page = client.get(
        f"/cases/{CASE}/documents/new", params={"act_seq": act_seq, "doc_type": doc_type, **extra}
    )
    assert page.status_code == 200, page.text[:1500]
    parser = _Form()
    parser.feed(page.text)
    return {k: html.unescape(v) for k, v in parser.values.items()}


def _send(client: TestClient, act_seq: int, doc_type: str, opinion: str, **extra: Any) -> int:
    """The officer sends the form as prefilled, with his opinion, signing his own block."""
    form = _opened(client, act_seq, doc_type, **extra)
    data = {**form, "f_handler_opinion": opinion, "sign_officer": OFFICER}
    params = {"act_seq": act_seq, "doc_type": doc_type, **extra}
    sent = client.post(
        f"/cases/{CASE}/documents/new", params=params, data=data, follow_redirects=False
    )
    assert sent.status_code == 303, re.findall(r"<li>(.*?)</li>", sent.text) or sent.text[:1500]
    return int(sent.headers["location"].rsplit("#seq-", 1)[1])


def _signed_seq(response: Any) -> int:
    assert response.status_code == 303, response.text[:1500]
    return int(response.headers["location"].rsplit("#seq-", 1)[1])


def _pdf_text(app: Any, seq: int, tmp_path: Any) -> str:
    return _text(b"".join(app.blobs.read(_fields(app, seq)["digest"])), tmp_path)


def _seize(app: Any, when: str = "2026-11-20T10:00:00+08:00") -> int:
    return int(record.record(app, ActInput(
        "investigation.seize", when, case=CASE, actors=[OFFICER, REVIEWER],
        place="某区滨江路18号",
        fields={"party": PARTY, "reason": "现场用于非法演出的音响设备。",
                "legal_basis": ["《中华人民共和国行政强制法》第二十二条"], "period_days": 30,
                "executed_at": when, "approver": "贺建国", "place": "某区滨江路18号",
                "items": ITEMS},
        recorded_by=BY_OFFICER,
    )).seq)  # fmt: skip


def _extension(app: Any, measure: int) -> int:
    return int(record.record(app, ActInput(
        "investigation.coercion_extension", "2026-11-28T09:00:00+08:00", case=CASE,
        actors=[OFFICER, REVIEWER],
        fields={"measure_seq": measure, "decision_no": "某文旅延〔2026〕1号", "extended_days": 30,
                "reason": "设备须送检，三十日内无法作出处理决定。", "approver": "贺建国"},
        recorded_by=BY_OFFICER,
    )).seq)  # fmt: skip


def test_the_head_approves_a_preservation_and_his_approval_is_about_it(app, tmp_path):
    _staff(app)
    preserved = record.record(app, ActInput(
        "investigation.preservation", "2026-11-30T15:00:00+08:00", case=CASE,
        actors=[OFFICER, REVIEWER], place="某区滨江路18号",
        fields={"party": PARTY, "reason": "演出节目单可能被销毁。", "form": "先行登记保存",
                "items": [{"name": "演出节目单", "quantity": 3, "unit": "份"}],
                "preserved_at": "2026-11-30T15:00:00+08:00", "place": "某区滨江路18号",
                "storage_place": "酒吧吧台"},
        recorded_by=BY_OFFICER,
    )).seq  # fmt: skip
    with TestClient(create_app(app)) as client:
        login(client, "zhangw", "correct-horse-1")
        form = _opened(client, preserved, "preservation_approval")
        assert form["f_party.name"] == "某区夜色酒吧" and form["f_items"] == "演出节目单"
        assert form["f_reason"] == "演出节目单可能被销毁。"
        assert form["f_legal_basis"] == "《中华人民共和国行政处罚法》第五十六条"
        assert "七日" in form["f_period"] and "31010001" in form["f_handlers"]
        sent = _send(client, preserved, "preservation_approval", "建议先行登记保存。")

        login(client, "hejg", "correct-horse-3")
        assert f"/approvals/{sent}" in client.get("/inbox").text
        page = client.get(f"/cases/{CASE}/approvals/{sent}").text
        assert "《先行登记保存审批表》" in page or "先行登记保存审批表" in page
        signed = _signed_seq(_approve(client, sent, "同意", "同意先行登记保存，七日内处理。"))
    text = _pdf_text(app, signed, tmp_path)
    assert "同意先行登记保存" in text and "负责人（签名）：贺建国" in text
    (approval,) = _entries(app, "decision.head_approval")
    assert approval["fields"] == {
        "matter": "先行登记保存审批表", "opinion": "同意先行登记保存，七日内处理。",
        "approved": True, "subject_seq": preserved,
    }  # fmt: skip
    assert approval["recorded_by"] == {"id": HEAD, "role": "head"}


def test_a_returned_seizure_form_comes_back_and_is_approved(app, tmp_path):
    _staff(app)
    seized = _seize(app)
    with TestClient(create_app(app)) as client:
        login(client, "zhangw", "correct-horse-1")
        form = _opened(client, seized, "seal_approval")
        assert form["f_measure"] == "扣押"  # the act says which measure, nobody chooses
        assert form["f_period_days"] == "30" and form["f_items"] == "电脑主机"
        first = _send(client, seized, "seal_approval", "建议扣押。")

        login(client, "hejg", "correct-horse-3")
        returned = _approve(client, first, "退回补充", "退回补充：请写明扣押物品的存放地点。")
        assert returned.status_code == 303
        (back,) = _entries(app, "general.approval_returned")
        assert back["fields"]["document_seq"] == first and back["fields"]["block"] == "approver"
        assert _entries(app, "decision.head_approval") == []

        login(client, "zhangw", "correct-horse-1")
        inbox = client.get("/inbox").text
        assert "被批准人退回补充" in inbox and f"supersedes={first}" in inbox
        second = _send(client, seized, "seal_approval", "建议扣押，存放于本局保管室。",
                       supersedes=first)  # fmt: skip
        assert _fields(app, second)["supersedes"] == first

        login(client, "hejg", "correct-horse-3")
        signed = _signed_seq(_approve(client, second, "同意", "同意扣押。"))
    text = _pdf_text(app, signed, tmp_path)
    assert "扣押" in text and "同意扣押。" in text and "贺建国" in text
    (approval,) = _entries(app, "decision.head_approval")
    assert approval["fields"]["subject_seq"] == seized
    assert approval["fields"]["matter"] == "查封（扣押）审批表"


def test_a_seizure_the_head_refuses_must_be_released(app):
    _staff(app)
    seized = _seize(app)
    with TestClient(create_app(app)) as client:
        login(client, "zhangw", "correct-horse-1")
        sent = _send(client, seized, "seal_approval", "建议扣押。")
        login(client, "hejg", "correct-horse-3")
        _signed_seq(_approve(client, sent, "不同意", "不同意，理由：酒吧已停业，无扣押必要。"))
    refused = [f for f in compliance.evaluate_case(app, CASE).findings
               if f.rule == "order.refused_measure_released"]  # fmt: skip
    assert [(f.code, f.seqs[0]) for f in refused] == [
        ("order.refused_measure_released:not_undone", seized)
    ]
    record.record(app, ActInput(
        "investigation.release_seize", "2026-12-01T10:00:00+08:00", case=CASE,
        actors=[OFFICER, REVIEWER], place="某区滨江路18号",
        fields={"measure_seq": seized, "reason": "负责人不批准扣押，立即解除。",
                "released_at": "2026-12-01T10:00:00+08:00"},
        recorded_by=BY_OFFICER,
    ))  # fmt: skip
    assert not [f for f in compliance.evaluate_case(app, CASE).findings
                if f.rule == "order.refused_measure_released"]  # fmt: skip


def _extension_findings(app: Any) -> list[str]:
    return [
        f.code for f in compliance.evaluate_case(app, CASE).findings
        if f.code.startswith("deadline.seal_seize:extension")
    ]  # fmt: skip


def test_an_extension_the_head_refuses_is_unapproved_for_the_rules(app, tmp_path):
    _staff(app)
    extension = _extension(app, _seize(app))
    assert _extension_findings(app) == []  # the officer typed the approver's name
    with TestClient(create_app(app)) as client:
        login(client, "zhangw", "correct-horse-1")
        form = _opened(client, extension, "coercion_extension_approval")
        assert form["f_measure"] == "扣押" and form["f_items"] == "电脑主机"
        assert form["f_period_days"] == "30" and form["f_extended_days"] == "30"
        assert form["f_legal_basis"] == "《中华人民共和国行政强制法》第二十五条"
        sent = _send(client, extension, "coercion_extension_approval", "建议延长三十日。")
        login(client, "hejg", "correct-horse-3")
        why = "不同意，理由：检验可在原期限内完成。"
        signed = _signed_seq(_approve(client, sent, "不同意", why))
    assert "检验可在原期限内完成" in _pdf_text(app, signed, tmp_path).replace("\n", "")
    (approval,) = _entries(app, "decision.head_approval")
    assert approval["fields"]["subject_seq"] == extension
    assert approval["fields"]["approved"] is False
    # his refusal, recorded about the extension, is what the deadline rule reads
    assert _extension_findings(app) == ["deadline.seal_seize:extension_unapproved"]


def test_an_extension_the_head_approves_extends_the_deadline(app):
    _staff(app)
    extension = _extension(app, _seize(app))
    with TestClient(create_app(app)) as client:
        login(client, "zhangw", "correct-horse-1")
        sent = _send(client, extension, "coercion_extension_approval", "建议延长三十日。")
        login(client, "hejg", "correct-horse-3")
        _signed_seq(_approve(client, sent, "同意", "同意延长三十日。"))
    (approval,) = _entries(app, "decision.head_approval")
    assert approval["fields"]["subject_seq"] == extension and approval["fields"]["approved"]
    assert _extension_findings(app) == []


def _request(app: Any, opening: int) -> int:
    return int(disclosure.request(
        app, CASE, requester={"name": "钱律", "unit": "某某律师事务所"}, relation="委托代理人",
        kind="查阅并复制", materials=[str(opening)], purpose="代理行政复议。",
        received_at="2026-11-30T10:00:00+08:00", by=OFFICER,
    ).seq)  # fmt: skip


def test_a_disclosure_request_is_decided_on_the_approval_page(app, tmp_path):
    opening = _staff(app)
    asked = _request(app, opening)
    with TestClient(create_app(app)) as client:
        login(client, "hejg", "correct-horse-3")  # no form sent yet: the act's own form
        assert "act=general.disclosure_decision" in client.get("/inbox").text

        login(client, "zhangw", "correct-horse-1")
        form = _opened(client, asked, "disclosure_approval")
        assert form["f_requester.name"] == "钱律" and form["f_relation"] == "委托代理人"
        assert form["f_kind"] == "查阅并复制" and form["f_materials"] == str(opening)
        sent = _send(client, asked, "disclosure_approval", "申请人系委托代理人，建议同意。")

        login(client, "hejg", "correct-horse-3")
        inbox = client.get("/inbox").text
        assert f"/approvals/{sent}" in inbox
        assert "act=general.disclosure_decision" not in inbox  # decided on the page now
        assert "钱律" in client.get(f"/cases/{CASE}/approvals/{sent}").text  # who asks
        signed = _signed_seq(_approve(client, sent, "同意", "同意查阅、复制。"))
        assert f"/approvals/{sent}" not in client.get("/inbox").text
    assert "同意查阅、复制。" in _pdf_text(app, signed, tmp_path)
    assert _entries(app, "decision.head_approval") == []
    (decision,) = _entries(app, "general.disclosure_decision")
    assert decision["fields"] == {
        "request": asked, "decision": "同意", "reason": "同意查阅、复制。",
        "materials": [str(opening)],
    }  # fmt: skip
    assert decision["recorded_by"] == {"id": HEAD, "role": "head"}
    (req,) = disclosure.requests(app, CASE)
    assert req.decision is not None and req.decision.decision == "同意"


def test_a_disclosure_refusal_gives_his_reasons_and_a_request_is_decided_once(app):
    opening = _staff(app)
    asked = _request(app, opening)
    with TestClient(create_app(app)) as client:
        login(client, "zhangw", "correct-horse-1")
        sent = _send(client, asked, "disclosure_approval", "建议同意。")
        login(client, "hejg", "correct-horse-3")
        why = "不同意，理由：申请人未提交授权委托书。"
        _signed_seq(_approve(client, sent, "不同意", why))
        (decision,) = _entries(app, "general.disclosure_decision")
        assert decision["fields"] == {"request": asked, "decision": "不同意", "reason": why}

        # a request already decided (here by the act's own form) is not signed for again
        again = _request(app, opening)
        disclosure.decide(app, CASE, again, decision="同意", reason="同意。", materials=None,
                          by=HEAD)  # fmt: skip
        login(client, "zhangw", "correct-horse-1")
        late = _send(client, again, "disclosure_approval", "建议同意。")
        login(client, "hejg", "correct-horse-3")
        refused = _approve(client, late, "同意", "同意。")
        assert refused.status_code == 409 and "不能重复审批" in refused.text
    assert len(_entries(app, "general.disclosure_decision")) == 2
    # nothing was signed for the refused one: no version supersedes the form as sent
    assert late not in [d["fields"].get("supersedes") for d in _entries(app, "general.document")]


def _discussion(app: Any) -> int:
    return int(record.record(app, ActInput(
        "decision.collective_discussion", "2026-11-30T15:00:00+08:00", case=CASE,
        actors=[HEAD],
        fields={"held_at": "2026-11-30T15:00:00+08:00", "place": "本局二楼会议室",
                "host": "贺建国（局长）", "participants": ["贺建国（局长）", "陈静（副局长）"],
                "recorder": "张伟", "minutes": "张伟汇报案情。陈静：同意承办机构意见。",
                "conclusion": "给予警告，并处罚款人民币20000元。"},
        recorded_by={"id": HEAD, "role": "head"},
    )).seq)  # fmt: skip


def test_the_host_confirms_the_discussion_record_on_the_approval_page(app, tmp_path):
    _staff(app)
    discussed = _discussion(app)
    with TestClient(create_app(app)) as client:
        login(client, "hejg", "correct-horse-3")  # the head who recorded it: his block is empty
        form = _opened(client, discussed, "collective_discussion_record")
        assert form["sign_approver"] == ""
        data = {**form, "sign_approver": HEAD}
        early = client.post(
            f"/cases/{CASE}/documents/new", data=data,
            params={"act_seq": discussed, "doc_type": "collective_discussion_record"},
        )  # fmt: skip
        assert early.status_code == 422 and "在审批页面" in early.text
        assert _entries(app, "general.document") == []

        login(client, "zhangw", "correct-horse-1")  # the 记录人 makes it, signing his block
        form = _opened(client, discussed, "collective_discussion_record")
        assert form["f_conclusion"] == "给予警告，并处罚款人民币20000元。"
        sent = client.post(
            f"/cases/{CASE}/documents/new", data={**form, "sign_recorder": OFFICER},
            params={"act_seq": discussed, "doc_type": "collective_discussion_record"},
            follow_redirects=False,
        )  # fmt: skip
        first = _signed_seq(sent)

        login(client, "hejg", "correct-horse-3")
        assert f"/approvals/{first}" in client.get("/inbox").text
        page = client.get(f"/cases/{CASE}/approvals/{first}").text
        assert "主持人意见栏" in page and 'value="退回补充"' in page
        assert 'value="不同意"' not in page  # he confirms the record or sends it back
        assert CONFIRMED in page  # the phrase his opinion starts from
        against = _approve_refused(client, first, "不同意", "不同意，理由：记录有误。")
        assert "请选择同意、退回补充之一" in against
        signed = _signed_seq(
            _approve(client, first, "同意", "以上记录与讨论情况相符，确认讨论决定。")
        )
        assert f"/approvals/{first}" not in client.get("/inbox").text
    latest = _fields(app, signed)
    assert [s["role"] for s in latest["signatures"]] == ["recorder", "approver"]
    assert latest["signatures"][-1]["opinion"] == CONFIRMED
    text = _pdf_text(app, signed, tmp_path)
    assert "确认讨论决定" in text and "主持人（签名）：贺建国" in text
    assert _entries(app, "decision.head_approval") == []  # the discussion is its own record


def _approve_refused(client: TestClient, seq: int, choice: str, opinion: str) -> str:
    url = f"/cases/{CASE}/approvals/{seq}"
    csrf = re.search(r'name="csrf" value="([^"]+)"', client.get(url).text)
    assert csrf
    refused = client.post(url, data={"csrf": csrf.group(1), "choice": choice, "opinion": opinion})
    assert refused.status_code == 422, refused.text[:1500]
    return refused.text


def test_a_discussion_record_its_host_signed_before_stays_as_it_is(app):
    """A record made when the 主持人 signed a ``host`` block with the 记录人: valid, complete,
    asked for nothing."""
    from liuhen.documents.service import DocumentRequest, check_all, issue

    _staff(app)
    discussed = _discussion(app)
    values = {
        "cause": "未经许可擅自从事营业性演出", "held_at": "2026-11-30T15:00:00+08:00",
        "place": "本局二楼会议室", "host": "贺建国（局长）", "participants": ["贺建国（局长）"],
        "recorder": "张伟", "minutes": "张伟汇报案情。", "conclusion": "给予警告。",
    }  # fmt: skip
    old = issue(app, DocumentRequest(
        case=CASE, act_seq=discussed, doc_type="collective_discussion_record", values=values,
        signers=[{"role": "host", "cert_no": HEAD}, {"role": "recorder", "cert_no": OFFICER}],
        recorded_by={"id": HEAD, "role": "head"},
    ))  # fmt: skip
    assert [s["role"] for s in _fields(app, old.seq)["signatures"]] == ["host", "recorder"]
    assert check_all(app) == []  # its signatures verify
    with TestClient(create_app(app)) as client:
        login(client, "hejg", "correct-horse-3")
        assert f"/approvals/{old.seq}" not in client.get("/inbox").text
        assert client.get(f"/cases/{CASE}/approvals/{old.seq}").status_code == 403
