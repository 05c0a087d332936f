"""The retention and parties' request pages: the same rules as the CLI, in the browser's forms.

001 第十九条 (disposal only after retention, approved by the head), 001 第二十一条 and
002 第三十四条 (copies only after the head's approval, watermarked, in the ledger).
"""

from __future__ import annotations

import io
import zipfile
from datetime import date
from typing import cast

from fastapi.testclient import TestClient
from pypdf import PdfReader

from liuhen.accounts import service as access
from liuhen.archive import archiving, retention
from liuhen.disclosure import ledger
from liuhen.disclosure import service as disclosure
from liuhen.entrypoints.web import create_app
from tests.integration.archive_case import ARCHIVIST, CASE, HEAD, case_with_documents
from tests.integration.auth import login
from tests.integration.test_retention import clocked, doc_digest, move_to

__all__ = ["clocked"]  # the fixture, shared with the retention tests
PASSWORD = "mima-12345678"


def _users(app) -> None:
    access.create_user(app, "dangan", PASSWORD, ["archivist"], "程慧敏", "wl-zd1", ARCHIVIST)
    access.create_user(app, "fuze", PASSWORD, ["head"], "贺建国", "wl-zd1", HEAD)
    access.create_user(app, "zhifa", PASSWORD, ["officer"], "张伟", "wl-zd1", "31010001")


def _post(client: TestClient, url: str, **fields: str):
    page = client.get("/retention" if url == "/retention" else "/requests")
    csrf = page.text.split('name="csrf" value="')[1].split('"')[0]
    return client.post(url, data={"csrf": csrf, **fields}, follow_redirects=False)


def test_retention_page_holds_approves_and_disposes_in_the_browser(clocked):
    app = clocked
    made = case_with_documents(app)
    archiving.archive(app, CASE, ARCHIVIST, checker=HEAD)
    _users(app)
    digest = doc_digest(app, made.inquiry_doc.seq)
    client = TestClient(create_app(app))

    assert login(client, "zhifa", PASSWORD).status_code == 303
    assert client.get("/retention").status_code == 403  # officers do not manage the archive

    assert login(client, "fuze", PASSWORD).status_code == 303
    page = client.get("/retention")
    assert page.status_code == 200 and CASE in page.text and "2031-11-20" in page.text
    early = _post(client, "/retention", action="approve", case=CASE, digests=digest,
                  reason="期满销毁", decision="同意")  # fmt: skip
    assert early.status_code == 409 and "LH434" in early.text
    assert f'<textarea name="digests" required>{digest}</textarea>' in early.text  # kept
    held = _post(client, "/retention", action="hold", case=CASE, ground="行政诉讼",
                 reason="当事人起诉")  # fmt: skip
    assert held.status_code == 303

    move_to(app, date(2031, 11, 21))
    assert login(client, "fuze", PASSWORD).status_code == 303  # five years on: a new session
    blocked = _post(client, "/retention", action="approve", case=CASE, digests=digest,
                    reason="期满销毁", decision="同意")  # fmt: skip
    assert blocked.status_code == 409 and "LH435" in blocked.text
    hold_seq = retention_hold(app)
    assert _post(client, "/retention", action="release", case=CASE, hold=str(hold_seq),
                 reason="诉讼终结").status_code == 303  # fmt: skip
    assert _post(client, "/retention", action="approve", case=CASE, digests=digest,
                 reason="期满销毁", decision="同意").status_code == 303  # fmt: skip
    approval = max(
        e.seq for e in retention.archiving_entries(app, acts=("archiving.disposal_approval",))
    )

    refused = _post(client, "/retention", action="dispose", case=CASE, approval=str(approval))
    assert refused.status_code == 403  # a head approves; the archivist disposes
    assert login(client, "dangan", PASSWORD).status_code == 303
    bad = _post(client, "/retention", action="dispose", case=CASE, approval="x")
    assert bad.status_code == 422 and "应为正整数" in bad.text
    done = _post(client, "/retention", action="dispose", case=CASE, approval=str(approval))
    assert done.status_code == 303
    assert not app.blobs.exists(digest)
    assert "已销毁 1 个文件" in client.get("/retention").text
    api = client.get("/api/v1/retention").json()
    assert api["items"][0]["disposed"] == [digest]


def retention_hold(app) -> int:
    return retention.status(app, CASE).holds[0].seq


def test_requests_page_hands_over_a_watermarked_zip(clocked):
    app = clocked
    made = case_with_documents(app)
    _users(app)
    req = disclosure.request(
        app, CASE, requester={"name": "陈某"}, relation="当事人", kind="复制",
        materials=[str(made.inquiry_doc.seq)], purpose="复议",
        received_at=app.clock.now().isoformat(), by="31010001",
    )  # fmt: skip
    client = TestClient(create_app(app))
    assert login(client, "zhifa", PASSWORD).status_code == 303
    listed = client.get("/requests")
    assert "待审批" in listed.text and "提供复制件" not in listed.text
    early = _post(client, f"/requests/{CASE}/{req.seq}/deliver")
    assert early.status_code == 409 and "LH461" in early.text

    disclosure.decide(app, CASE, req.seq, decision="同意", reason="依法准予", materials=None,
                      by=HEAD)  # fmt: skip
    got = _post(client, f"/requests/{CASE}/{req.seq}/deliver")
    assert got.status_code == 200 and got.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(got.content)) as z:
        pdfs = [n for n in z.namelist() if n.endswith(".pdf")]
        assert len(pdfs) == 1 and "清单.json" in z.namelist()
        subject = cast(dict[str, str], PdfReader(io.BytesIO(z.read(pdfs[0]))).metadata)["/Subject"]
    assert "仅供陈某（当事人）复制" in subject
    rows = ledger.entries(app, CASE).rows
    assert any(r.request == req.seq and r.copied for r in rows)
    assert client.get("/api/v1/requests", params={"case": CASE}).json()[0]["deliveries"]
