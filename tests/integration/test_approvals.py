"""Approvals as the heads do them: the officer issues the 立案审批表 with his opinion, the head
finds it in his inbox, reads it on the approval page, writes his opinion, confirms, and his
signature's appearance prints the opinion, his name and the date in the 负责人意见 row; the
approval is the act the rules read; a return sends it back to the officer without a signature."""

from __future__ import annotations

import json
import re
import subprocess
from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from liuhen.clock import SHANGHAI
from liuhen.entrypoints.web import create_app
from liuhen.kernel.db.store import ENTRY
from tests.integration import factory
from tests.integration.auth import login

CASE = "某文旅罚〔2026〕1号"
OFFICER, REVIEWER = "31010001", "31010002"  # the factory registers 张伟 and 李娜
HEAD = "31010009"  # added here
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=SHANGHAI)
FILING = {
    "f_cause": "未经许可擅自从事营业性演出", "f_source": "日常巡查",
    "f_parties": "某区夜色酒吧", "f_summary": "日常巡查发现该酒吧未取得营业性演出许可证组织演出。",
    "f_reason": "涉嫌违反《营业性演出管理条例》第六条，建议立案调查。",
    "f_handlers": "周立衡（31010001）\n李娜（31010002）",
    "f_handler_opinion": "建议立案，由周立衡、李娜承办。",
}  # fmt: skip


def _staff(app: Any) -> int:
    factory.approval_staff(app, NOW)
    return int(factory.open_case(app).seq)


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match, html[:500]
    return match.group(1)


def _fields(app: Any, seq: int) -> dict[str, Any]:
    with app.engine.connect() as conn:
        body = conn.execute(select(ENTRY.c.body).where(ENTRY.c.seq == seq)).scalar()
    return dict(json.loads(body)["fields"])


def _entries(app: Any, act: str) -> list[dict[str, Any]]:
    with app.engine.connect() as conn:
        rows = conn.execute(select(ENTRY.c.seq, ENTRY.c.body).where(ENTRY.c.act == act)).all()
    return [{"seq": seq, **json.loads(body)} for seq, body in rows]


def _issue(client: TestClient, opening: int, **extra: Any) -> int:
    """The officer issues the 立案审批表 with his own opinion, signing his block only."""
    url = f"/cases/{CASE}/documents/new"
    params = {"act_seq": opening, "doc_type": "filing_approval", **extra}
    form = client.get(url, params=params)
    assert form.status_code == 200, form.text[:2000]
    data = {"csrf": _csrf(form.text), **FILING, "sign_officer": OFFICER}
    issued = client.post(url, params=params, data=data, follow_redirects=False)
    assert issued.status_code == 303, re.findall(r"<li>(.*?)</li>", issued.text)
    return int(issued.headers["location"].rsplit("#seq-", 1)[1])


def _approve(client: TestClient, seq: int, choice: str, opinion: str) -> Any:
    """The approval page, then the confirmation, then the confirmed post."""
    url = f"/cases/{CASE}/approvals/{seq}"
    page = client.get(url)
    assert page.status_code == 200, page.text[:2000]
    data = {"csrf": _csrf(page.text), "choice": choice, "opinion": opinion}
    confirm = client.post(url, data=data, follow_redirects=False)
    assert confirm.status_code == 200 and 'name="confirmed" value="1"' in confirm.text
    return client.post(url, data={**data, "confirmed": "1"}, follow_redirects=False)


def _text(pdf: bytes, tmp: Path) -> str:
    path = tmp / "doc.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def _pdfsig(pdf: bytes, tmp: Path) -> str:
    path = tmp / "signed.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdfsig", str(path)], capture_output=True, text=True).stdout


def _page_read(app: Any, client: TestClient, seq: int) -> str:
    """The approval page of ``seq``: the document as page images (a framed PDF shows nothing
    in many browsers), read as its PDF is read (journaled, naming the file), the PDF itself
    one click away."""
    reads = len(_entries(app, "general.review_access"))
    page = client.get(f"/cases/{CASE}/approvals/{seq}").text
    digest = _fields(app, seq)["digest"]
    assert page.count('<img class="approval-page" src="data:image/png;base64,iVBOR') == 1
    assert f'href="/api/v1/documents/{digest}/pdf"' in page
    read = _entries(app, "general.review_access")[reads:]
    assert [r["fields"]["materials"] for r in read] == [[digest]], read
    return page


def test_the_head_approves_the_filing_in_his_box(app, tmp_path):
    from liuhen.signing import service as signing

    opening = _staff(app)
    with TestClient(create_app(app)) as client:
        login(client, "zhangw", "correct-horse-1")
        first = _issue(client, opening)
        issued = b"".join(app.blobs.read(_fields(app, first)["digest"]))
        assert signing.find_box(issued, "box-approver") is not None  # an empty box waits
        assert "2026年12月1日" in _text(issued, tmp_path)  # his own signature dated in Chinese
        assert client.get(f"/cases/{CASE}/approvals/{first}").status_code == 403  # not his

        login(client, "hejg", "correct-horse-3")
        inbox = client.get("/inbox").text
        assert "《立案审批表》" in inbox and f"/approvals/{first}" in inbox
        page = _page_read(app, client, first)
        digest = _fields(app, first)["digest"]
        assert "建议立案，由周立衡、李娜承办。" in page and "某区夜色酒吧" in page
        assert 'value="同意"' in page and 'value="不同意"' in page and 'value="退回补充"' in page
        framed = client.get(f"/api/v1/documents/{digest}/pdf")
        assert framed.status_code == 200 and framed.headers["x-frame-options"] == "SAMEORIGIN"
        assert "frame-ancestors 'self'" in framed.headers["content-security-policy"]

        # the confirmation cannot be skipped: without ``confirmed`` nothing is signed
        data = {"csrf": _csrf(page), "choice": "同意", "opinion": "同意立案。"}
        confirm = client.post(f"/cases/{CASE}/approvals/{first}", data=data)
        assert "您将以本人电子签名在《立案审批表》负责人意见栏签署：" in confirm.text
        assert "同意立案。" in confirm.text
        assert len(_entries(app, "general.document")) == 1
        back = client.post(f"/cases/{CASE}/approvals/{first}", data={**data, "edit": "1"})
        assert ">同意立案。</textarea>" in back.text  # back to the page with what he typed

        signed = _approve(client, first, "同意", "同意立案。")
        assert signed.status_code == 303, signed.text[:2000]
        assert f"/approvals/{first}" not in client.get("/inbox").text
        case_page = client.get(f"/cases/{CASE}").text  # the signature line says his opinion
        assert "以电子签名签署（有效，登录确认），意见：同意立案。" in case_page
        login(client, "zhangw", "correct-horse-1")  # the filing's approval decides nothing yet
        assert "待作出行政执法决定" not in client.get("/inbox").text

    latest = _fields(app, int(signed.headers["location"].rsplit("#seq-", 1)[1]))
    assert latest["supersedes"] == first
    head_sig = latest["signatures"][-1]
    assert head_sig["role"] == "approver" and head_sig["opinion"] == "同意立案。"
    assert head_sig["signed_at"].startswith("2026-12-01")
    pdf = b"".join(app.blobs.read(latest["digest"]))
    statuses = signing.validate_pdf(pdf, signing.ca_pem(app))
    assert [s.serial_number for s in statuses] == [OFFICER, HEAD] and all(s.valid for s in statuses)
    assert _pdfsig(pdf, tmp_path).count("Signature Validation: Signature is Valid.") == 2
    text = _text(pdf, tmp_path)
    row = text[text.index("建议立案，由周立衡、李娜承办。") :]  # the rows below the handler's
    assert "同意立案。" in row and "贺建国" in row and "2026年12月1日" in row, row
    (approval,) = _entries(app, "decision.head_approval")
    assert approval["fields"] == {
        "matter": "立案审批表", "opinion": "同意立案。", "approved": True, "subject_seq": opening,
    }  # fmt: skip
    assert approval["recorded_by"] == {"id": HEAD, "role": "head"}


def test_a_refusal_is_signed_and_recorded_as_not_approved(app, tmp_path):
    from liuhen.signing import service as signing

    opening = _staff(app)
    with TestClient(create_app(app)) as client:
        login(client, "zhangw", "correct-horse-1")
        first = _issue(client, opening)
        login(client, "hejg", "correct-horse-3")
        bare = client.get(f"/cases/{CASE}/approvals/{first}")
        refused = client.post(
            f"/cases/{CASE}/approvals/{first}",
            data={"csrf": _csrf(bare.text), "choice": "不同意", "opinion": "不同意，理由："},
        )  # a refusal without its reason: refused, what was typed kept
        assert refused.status_code == 422 and "须写明理由" in refused.text
        assert ">不同意，理由：</textarea>" in refused.text
        endless = "不同意，理由：" + "现有证据不足以认定演出事实，请补充调查。" * 60
        too_long = _approve(client, first, "不同意", endless)  # more than his box can hold
        assert too_long.status_code == 422 and "写不下" in too_long.text
        assert len(_entries(app, "general.document")) == 1  # nothing signed
        why = "不同意，理由：现有证据不足以认定演出事实，请补充调查。"
        signed = _approve(client, first, "不同意", why)
        assert signed.status_code == 303
    latest = _fields(app, int(signed.headers["location"].rsplit("#seq-", 1)[1]))
    pdf = b"".join(app.blobs.read(latest["digest"]))
    assert all(s.valid for s in signing.validate_pdf(pdf, signing.ca_pem(app)))
    assert "现有证据不足以认定演出事实" in _text(pdf, tmp_path).replace("\n", "")
    (approval,) = _entries(app, "decision.head_approval")
    assert approval["fields"]["approved"] is False and approval["fields"]["opinion"] == why


def test_a_return_goes_back_to_the_officer_and_a_new_version_comes_back(app):
    opening = _staff(app)
    with TestClient(create_app(app)) as client:
        login(client, "zhangw", "correct-horse-1")
        first = _issue(client, opening)
        login(client, "hejg", "correct-horse-3")
        returned = _approve(client, first, "退回补充", "退回补充：请写明案源发现日期。")
        assert returned.status_code == 303
        assert len(_entries(app, "general.document")) == 1  # no signature, no new version
        (back,) = _entries(app, "general.approval_returned")
        assert back["fields"] == {
            "document_seq": first, "block": "approver", "reason": "退回补充：请写明案源发现日期。",
        }  # fmt: skip
        assert f"/approvals/{first}" not in client.get("/inbox").text
        assert client.get(f"/cases/{CASE}/approvals/{first}").status_code == 409

        login(client, "zhangw", "correct-horse-1")
        inbox = client.get("/inbox").text
        assert "被批准人退回补充" in inbox and "退回理由：退回补充：请写明案源发现日期。" in inbox
        redo = re.search(r'href="([^"]*supersedes=\d+[^"]*)"', inbox)
        assert redo is not None and f"supersedes={first}" in redo.group(1)
        form = client.get(redo.group(1).replace("&amp;", "&")).text
        assert "建议立案，由周立衡、李娜承办。</textarea>" in form  # from the returned version
        second = _issue(client, opening, supersedes=first)
        assert _fields(app, second)["supersedes"] == first
        assert "被批准人退回补充" not in client.get("/inbox").text

        login(client, "hejg", "correct-horse-3")
        inbox = client.get("/inbox").text
        assert f"/approvals/{second}" in inbox and f"/approvals/{first}" not in inbox


def test_the_reviewer_and_the_head_each_write_in_their_own_box(app, tmp_path):
    """Two opinions drawn one after the other, each its own signature's appearance; the
    reviewer's records no head's approval."""
    from liuhen.signing import service as signing

    opening = _staff(app)
    with TestClient(create_app(app)) as client:
        login(client, "zhangw", "correct-horse-1")
        first = _issue(client, opening)
        login(client, "lina", "correct-horse-2")
        inbox = client.get("/inbox").text
        assert f"/approvals/{first}" in inbox and "审核并签署" in inbox
        assert "承办机构审核人意见" in client.get(f"/cases/{CASE}/approvals/{first}").text
        reviewed = _approve(client, first, "同意", "同意立案，请尽快调查。")
        second = int(reviewed.headers["location"].rsplit("#seq-", 1)[1])
        assert _entries(app, "decision.head_approval") == []
        login(client, "hejg", "correct-horse-3")
        signed = _approve(client, second, "同意", "同意。")
    latest = _fields(app, int(signed.headers["location"].rsplit("#seq-", 1)[1]))
    assert [s["role"] for s in latest["signatures"]] == ["officer", "reviewer", "approver"]
    pdf = b"".join(app.blobs.read(latest["digest"]))
    statuses = signing.validate_pdf(pdf, signing.ca_pem(app))
    assert [s.serial_number for s in statuses] == [OFFICER, REVIEWER, HEAD]
    assert all(s.valid for s in statuses)
    assert _pdfsig(pdf, tmp_path).count("Signature Validation: Signature is Valid.") == 3
    text = _text(pdf, tmp_path)
    assert "同意立案，请尽快调查。" in text and "承办机构审核人（签名）：李娜" in text
    assert "负责人（签名）：贺建国" in text


def test_a_return_after_the_reviewers_signature_still_reaches_the_officer(app):
    """The reviewed version is recorded by the reviewer; a return goes to whoever issued it."""
    opening = _staff(app)
    with TestClient(create_app(app)) as client:
        login(client, "zhangw", "correct-horse-1")
        first = _issue(client, opening)
        login(client, "lina", "correct-horse-2")
        reviewed = _approve(client, first, "同意", "同意立案。")
        second = int(reviewed.headers["location"].rsplit("#seq-", 1)[1])
        login(client, "hejg", "correct-horse-3")
        assert _approve(client, second, "退回补充", "退回补充：当事人名称不全。").status_code == 303
        login(client, "zhangw", "correct-horse-1")
        inbox = client.get("/inbox").text
        assert "被批准人退回补充" in inbox and "当事人名称不全" in inbox
        assert f"supersedes={second}" in inbox
