"""Signing in turn by role from the pages (002 第三十八条): each block only by the role it
belongs to, the reviewer's and approver's only from their holders' own logins; the head's inbox
holds what waits for his signature and, where the pack demands it, for collective discussion."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from liuhen.accounts import service as access
from liuhen.entrypoints.web import create_app
from liuhen.kernel import record
from liuhen.kernel.db.store import ENTRY
from liuhen.kernel.record import ActInput
from tests.integration import factory
from tests.integration.auth import login

CASE = "某文旅罚〔2026〕1号"
OFFICER, REVIEWER, HEAD = "31010001", "31010002", "31010003"
REVIEW = {
    "f_reviewer": "李娜", "f_facts": "事实清楚。", "f_evidence": "证据充分。",
    "f_legal_basis": "适用依据正确。", "f_procedure": "程序合法。", "f_handling": "裁量适当。",
    "f_opinion": "同意草拟的处理建议。", "f_conclusion": "同意",
}  # fmt: skip
OPINION = {  # what the 法制审核意见书 adds to the review's own fields
    "f_cause": "未经许可组织营业性演出案", "f_party.name": "某演艺有限公司",
    "f_handlers": "张伟（31010001）", "f_submitting_unit": "执法大队一中队",
    "f_submitted_on": "2026-11-10",
}  # fmt: skip


def _staff(app: Any, keys: bool = True) -> None:
    from liuhen.signing import service as signing

    factory.register(app)
    for user, pw, roles, name, cert in (
        ("zhangw", "correct-horse-1", ["officer"], "张伟", OFFICER),
        ("lina", "correct-horse-2", ["legal_reviewer"], "李娜", REVIEWER),
        ("wangq", "correct-horse-3", ["head"], "王强", HEAD),
    ):
        access.create_user(app, user, pw, roles, name, "wl-zd1", cert)
    if keys:
        signing.init_ca(app, "某区文化和旅游局")
        for cert in (OFFICER, REVIEWER, HEAD):
            signing.issue(app, cert)
    factory.open_case(app)


def _draft(app: Any, amount: int | None = None) -> int:
    fields: dict[str, Any] = {
        "drafter": "张伟", "facts": "经查，当事人未取得许可组织营业性演出。",
        "evidence": ["询问笔录"], "legal_basis": ["《营业性演出管理条例》第四十三条"],
        "factors": "首次违法。", "proposal": "罚款。",
    }  # fmt: skip
    if amount is not None:
        fields["amount"] = amount
    return record.record(app, ActInput(
        "decision.draft", "2026-11-10T09:00:00+08:00", case=CASE, actors=[OFFICER],
        recorded_by=factory.OFFICER, fields=fields,
    )).seq  # fmt: skip


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match, html[:500]
    return match.group(1)


def _post(client: TestClient, url: str, data: dict[str, str], **params: Any) -> Any:
    page = client.get(url, params=params)
    return client.post(
        url, params=params, data={"csrf": _csrf(page.text), **data}, follow_redirects=False
    )


def _fields(app: Any, seq: int) -> dict[str, Any]:
    with app.engine.connect() as conn:
        body = conn.execute(select(ENTRY.c.body).where(ENTRY.c.seq == seq)).scalar()
    return dict(json.loads(body)["fields"])


def _seq(response: Any) -> int:
    return int(response.headers["location"].rsplit("#seq-", 1)[1])


def _approve(client: TestClient, seq: int) -> Any:
    """The head on the approval page: reads, writes his opinion, confirms, and it is signed."""
    approval = f"/cases/{CASE}/approvals/{seq}"
    page = client.get(approval)
    data = {"csrf": _csrf(page.text), "choice": "同意", "opinion": "同意。"}
    assert "确认签署" in client.post(approval, data=data).text
    signed = client.post(approval, data={**data, "confirmed": "1"}, follow_redirects=False)
    assert signed.status_code == 303, signed.text[:3000]
    return signed


def test_the_reviewer_and_the_head_each_sign_their_own_block(app):
    from liuhen.signing import pdf as pades
    from liuhen.signing import service as signing

    _staff(app)
    _draft(app)
    url = f"/cases/{CASE}/documents/new"
    with TestClient(create_app(app)) as client:
        login(client, "lina", "correct-horse-2")
        when = {"occurred_at": "2026-11-11T09:00", "actors": REVIEWER}
        review = _post(client, f"/cases/{CASE}/record", {**REVIEW, **when},
                       act="decision.legal_review")  # fmt: skip
        assert review.status_code == 303, re.findall(r"<li>(.*?)</li>", review.text)
        # the review continues to its 法制审核意见书 in the same flow
        location = review.headers["location"]
        assert "doc_type=legal_review_opinion" in location and "after=1" in location
        review_seq = int(re.search(r"act_seq=(\d+)", location).group(1))  # type: ignore[union-attr]
        form = client.get(location)
        assert "已记入案件" in form.text and f'name="sign_reviewer" value="{REVIEWER}"' in form.text
        assert ">同意草拟的处理建议。</textarea>" in form.text  # prefilled from the review
        params = {"act_seq": review_seq, "doc_type": "legal_review_opinion"}
        data = {**REVIEW, **OPINION}

        # a reviewer cannot sign the approver's block, nor sign it for the head
        own = _post(client, url, {**data, "sign_reviewer": "", "sign_approver": REVIEWER}, **params)
        assert own.status_code == 422 and "不是负责人，不能在批准人栏签名" in own.text
        assert 'value="执法大队一中队"' in own.text  # what was typed stays
        proxy = _post(client, url, {**data, "sign_reviewer": REVIEWER, "sign_approver": HEAD},
                      **params)  # fmt: skip
        assert proxy.status_code == 422 and "须由其本人登录后签名" in proxy.text

        issued = _post(client, url, {**data, "sign_reviewer": REVIEWER}, **params)
        assert issued.status_code == 303, issued.text[:3000]
        first = _seq(issued)
        assert [s["role"] for s in _fields(app, first)["signatures"]] == ["reviewer"]
        # nor may the reviewer fill the head's block afterwards
        inbox = client.get("/inbox").text
        assert "待在审核人栏签名的文书（" not in inbox
        sneak = client.post(
            f"/cases/{CASE}/documents/{first}/sign", params={"role": "approver"},
            data={"csrf": _csrf(inbox)}, follow_redirects=False,
        )  # fmt: skip
        assert sneak.status_code == 303  # the old address signs nothing: to the approval page
        assert client.get(sneak.headers["location"]).status_code == 403

        login(client, "wangq", "correct-horse-3")
        inbox = client.get("/inbox").text
        assert "待在批准人栏签名的文书（1）" in inbox and f"/approvals/{first}" in inbox
        signed = _approve(client, first)
        assert "待在批准人栏签名的文书（" not in client.get("/inbox").text
        again = client.get(f"/cases/{CASE}/approvals/{first}")
        assert again.status_code == 409 and "更新的版本" in again.text

    latest = _fields(app, _seq(signed))
    assert latest["supersedes"] == first
    sigs = latest["signatures"]
    assert [(s["role"], s["cert_no"]) for s in sigs] == [("reviewer", REVIEWER), ("approver", HEAD)]
    assert all(s["signed_at"] for s in sigs)
    pdf = b"".join(app.blobs.read(latest["digest"]))
    statuses = pades.validate(pdf, signing.ca_pem(app))
    assert [s.serial_number for s in statuses] == [REVIEWER, HEAD]
    assert all(s.valid for s in statuses)


def test_an_officer_cannot_sign_the_reviewers_block(app):
    _staff(app, keys=False)
    _draft(app)
    review = record.record(app, ActInput(
        "decision.legal_review", "2026-11-11T09:00:00+08:00", case=CASE, actors=[REVIEWER],
        recorded_by={"id": REVIEWER, "role": "legal_reviewer"},
        fields={k[2:]: v for k, v in REVIEW.items()},
    ))  # fmt: skip
    with TestClient(create_app(app)) as client:
        login(client, "zhangw", "correct-horse-1")
        params: dict[str, Any] = {"act_seq": review.seq, "doc_type": "legal_review_opinion"}
        url = f"/cases/{CASE}/documents/new"
        form = client.get(url, params=params).text
        assert 'name="sign_reviewer" value=""' in form  # not his block: nothing prefilled
        refused = _post(client, url, {**REVIEW, **OPINION, "sign_reviewer": OFFICER},
                        **params)  # fmt: skip
        assert refused.status_code == 422
        assert "不是法制审核人员，不能在审核人栏签名" in refused.text
        assert ">同意草拟的处理建议。</textarea>" in refused.text


def test_the_heads_inbox_holds_collective_discussion_where_the_pack_demands_it(app):
    _staff(app, keys=False)
    _draft(app, amount=200000)
    with TestClient(create_app(app)) as client:
        login(client, "wangq", "correct-horse-3")
        # 重大 is the agency's own standard: none set, no amount demands a discussion
        assert "待集体讨论（" not in client.get("/inbox").text
        change = access.SettingsChange(short_name="某文旅", major_fine_threshold=Decimal(100000))
        access.change_agency_settings(app, "wl", change, factory.ADMIN)
        _draft(app, amount=5000)  # below the agency's 重大 standard: no discussion demanded
        assert "待集体讨论（" not in client.get("/inbox").text
        _draft(app, amount=200000)  # the revised draft proposes a major fine
        inbox = client.get("/inbox").text
        assert "待集体讨论（1）" in inbox and "集体讨论决定" in inbox
        assert "act=decision.collective_discussion" in inbox
        login(client, "lina", "correct-horse-2")
        assert "待集体讨论" not in client.get("/inbox").text  # the heads' duty alone

        login(client, "wangq", "correct-horse-3")
        done = _post(client, f"/cases/{CASE}/record", {
            "occurred_at": "2026-11-12T10:00", "actors": HEAD, "f_held_at": "2026-11-12T10:00",
            "f_host": "王强", "f_participants": "王强\n赵局长\n钱局长", "f_recorder": "李娜",
            "f_minutes": "与会人员一致认为事实清楚。", "f_conclusion": "同意罚款二十万元。",
        }, act="decision.collective_discussion")  # fmt: skip
        assert done.status_code == 303, done.text[:3000]
        # the participants confirm it on the 集体讨论记录: the 记录人 when it is made, the head
        # hosting afterwards on the approval page (his 主持人 block left empty here)
        assert "doc_type=collective_discussion_record" in done.headers["location"]
        form = client.get(done.headers["location"]).text
        assert 'name="sign_approver" value=""' in form and ">同意罚款二十万元。<" in form
        assert "待集体讨论（" not in client.get("/inbox").text


def test_the_api_holds_signers_to_their_blocks_too(app):
    """The JSON endpoint is what the pages do: no signing someone else's reviewer block."""
    from tests.integration.auth import token_headers

    _staff(app)
    inquiry = factory.inquiry(app)
    client = TestClient(create_app(app))
    body = {
        "act_seq": inquiry.seq, "doc_type": "inquiry_record", "values": {}, "by": OFFICER,
        "signers": [{"role": "reviewer", "cert_no": REVIEWER}],
    }  # fmt: skip
    machine = client.post(f"/api/v1/cases/{CASE}/documents", json=body, headers=token_headers(app))
    assert machine.status_code == 422
    assert machine.json()["problems"][0]["field"] == "signers.reviewer"
    assert "本人登录后签名" in machine.json()["problems"][0]["message"]
    assert login(client, "zhangw", "correct-horse-1").status_code == 303
    csrf = client.get("/").text.split('name="csrf-token" content="')[1].split('"')[0]
    officer = client.post(
        f"/api/v1/cases/{CASE}/documents", json=body, headers={"X-CSRF-Token": csrf}
    )
    assert officer.status_code == 422 and officer.json()["code"] == "LH100"
