"""Files attached on the act form: a 邮寄送达 with the scanned 付邮凭证 and 回执 is journaled
with their digests, stored byte for byte, and keeps them as 002 第二十四条 asks; a file that is
not a PDF, JPEG or PNG by its content, or too big, is refused (LH148) with the typed form kept;
the case page links the file and serves it only to those who may see the case."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import replace
from datetime import datetime
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from liuhen.accounts import service as access
from liuhen.compliance import service as compliance
from liuhen.entrypoints.web import create_app
from liuhen.kernel.db import store
from liuhen.kernel.instance import App
from liuhen.rules.findings import Finding
from tests.integration import archive_case
from tests.integration.auth import login

CASE = archive_case.CASE
URL = f"/cases/{CASE}/record"
MAIL = {"act": "service.mail"}
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


@pytest.fixture(name="client")
def client_fixture(app: App):
    """张伟 signed in on a decided, open case (imported by name where another file needs it)."""
    archive_case.case_with_documents(app, closed=False)
    archive_case.decide(app)
    access.create_user(app, "zhangw", "correct-horse-1", ["officer"], "张伟", "wl-zd1", "31010001")
    with TestClient(create_app(app)) as c:
        login(c, "zhangw", "correct-horse-1")
        yield c


def _post(
    client: TestClient,
    files: list[tuple[str, tuple[str, bytes, str]]],
    kinds: list[str] | None = None,
):
    page = client.get(URL, params=MAIL).text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page)
    assert csrf
    form = {
        "csrf": csrf.group(1), "occurred_at": "2026-11-05T10:00",
        "actor:31010001": "31010001", "actor:31010002": "31010002",
        "f_recipient.kind": "org", "f_recipient.name": "某区夜色酒吧",
        "f_served_at": "2026-11-05T10:00", "f_document": "行政处罚决定书",
        "f_document_no": "某文旅罚决〔2026〕1号", "f_mail_type": "特快专递",
        "f_tracking_no": "EMS1234567890", "f_receipt_returned": "true",
        "f_place": "某区滨江路18号", "f_server": "张伟", "f_posted_on": "2026-11-03",
        "attachment_kinds": kinds or [],
    }  # fmt: skip
    return client.post(URL, params=MAIL, data=form, files=files, follow_redirects=False)


def entries(app: App, act: str) -> list[dict]:
    """The case's entries of one act, oldest first, each body with its ``seq``."""
    with app.engine.connect() as conn:
        rows = conn.execute(
            select(store.ENTRY.c.seq, store.ENTRY.c.body)
            .where(store.ENTRY.c.chain == CASE, store.ENTRY.c.act == act)
            .order_by(store.ENTRY.c.seq)
        ).all()
    return [{"seq": r.seq, **json.loads(r.body)} for r in rows]


def _mails(app: App) -> list[dict]:
    return entries(app, "service.mail")


def kept(app: App, seq: int) -> list[Finding]:
    """The findings of the rules that an act's papers be kept, on the act ``seq``."""
    found = compliance.evaluate_cases(app, [CASE], datetime.now().astimezone())[CASE]
    return [f for f in found.findings if f.rule.endswith("_kept") and seq in f.seqs]


def test_the_form_says_drafts_keep_no_files(client):
    page = client.get(URL, params=MAIL).text
    assert 'enctype="multipart/form-data"' in page
    assert re.search(r'<input id="attachments" type="file" name="attachments" multiple', page)
    assert "附件在提交时上传，暂存不保存附件" in page


def test_a_mail_service_keeps_its_scanned_receipt(client, app):
    scan = [("attachments", ("付邮凭证及回执.pdf", PDF, "application/pdf"))]
    done = _post(client, scan, ["付邮凭证", "邮寄回执"])
    assert done.status_code == 303, done.text
    (mail,) = _mails(app)
    digest = "sha256:" + hashlib.sha256(PDF).hexdigest()
    assert mail["attachments"] == [{"digest": digest, "name": "付邮凭证及回执.pdf",
                                    "media_type": "application/pdf", "size": len(PDF),
                                    "kinds": ["付邮凭证", "邮寄回执"]}]  # fmt: skip
    assert b"".join(app.blobs.read(digest)) == PDF
    assert kept(app, mail["seq"]) == []
    # the case page links it; the file comes back byte for byte, journaled as a 调阅
    page = client.get(f"/cases/{CASE}").text
    link = f"/cases/{CASE}/attachments/{digest}"
    assert f'href="{quote(link)}"' in page.replace(digest, quote(digest))
    got = client.get(link)
    assert got.status_code == 200 and got.content == PDF
    assert got.headers["content-type"] == "application/pdf"
    assert got.headers["content-disposition"].startswith("inline")


def test_without_the_scan_the_mail_service_is_found_wanting(client, app):
    done = _post(client, [])
    assert done.status_code == 303, done.text
    (mail,) = _mails(app)
    assert mail["attachments"] == []
    wanting = kept(app, mail["seq"])
    assert wanting and all(f.severity == "violation" for f in wanting), wanting


def test_an_exe_named_pdf_is_refused_and_the_form_kept(client, app):
    done = _post(client, [("attachments", ("回执.pdf", EXE, "application/pdf"))], ["邮寄回执"])
    assert done.status_code == 422
    assert "LH148" in done.text
    assert 'value="邮寄回执" checked>' in done.text  # what was ticked is kept
    assert 'value="付邮凭证">' in done.text
    assert "附件“回执.pdf”不是 PDF、JPEG、PNG 文件" in done.text
    assert 'value="EMS1234567890"' in done.text  # what was typed is kept
    assert 'aria-invalid="true" aria-describedby="err-attachments"' in done.text
    assert "表单被退回时须重新选择附件" in done.text
    assert _mails(app) == []
    assert not app.blobs.exists("sha256:" + hashlib.sha256(EXE).hexdigest())


def test_a_file_over_the_limit_is_refused(app):
    small = replace(app.settings, attachment_max=1024)
    object.__setattr__(app, "settings", small)
    archive_case.case_with_documents(app, closed=False)
    archive_case.decide(app)
    access.create_user(app, "zhangw", "correct-horse-1", ["officer"], "张伟", "wl-zd1", "31010001")
    big = PDF + b"0" * 2048
    with TestClient(create_app(app)) as c:
        login(c, "zhangw", "correct-horse-1")
        done = _post(c, [("attachments", ("扫描.pdf", big, "application/pdf"))])
    assert done.status_code == 422
    assert "LH148" in done.text and "超过上限 1,024 字节" in done.text
    assert "每个不超过 1 KB" in done.text
    assert 'value="EMS1234567890"' in done.text
    assert _mails(app) == []
