"""Archiving end to end: a closed case becomes a dossier PDF in archive order, stored and
journaled; an open or already-filed case is refused; the retention period follows the pack."""

from __future__ import annotations

import io
import json
import re
import subprocess

import pytest
from pypdf import PdfReader
from sqlalchemy import text

from liuhen.archive import archiving, verify
from liuhen.archive.dossier import render_dossier
from liuhen.compliance import service as compliance
from liuhen.errors import AlreadyArchived, CaseNotClosed, PermissionDenied, RetentionTooShort
from liuhen.kernel import record
from liuhen.kernel.record import ActInput
from tests.integration.archive_case import ARCHIVIST, CASE, HEAD, case_with_documents


def pdf_text(tmp_path, data: bytes) -> str:
    """The PDF's words with all spacing removed (letter-spaced titles read as written)."""
    path = tmp_path / "dossier.pdf"
    path.write_bytes(data)
    words = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return re.sub(r"\s+", "", words)


def entry_body(app, seq: int) -> dict:
    with app.engine.connect() as conn:
        return json.loads(
            conn.execute(text("SELECT body FROM journal_entry WHERE seq = :s"), {"s": seq}).scalar()
        )


def test_archiving_files_the_dossier_in_archive_order(app, tmp_path):
    filed = case_with_documents(app)
    done = archiving.archive(app, CASE, ARCHIVIST, checker=HEAD)
    assert done.retention == "5年" and done.volumes == 2 and done.documents == 2
    body = entry_body(app, done.entry.seq)
    assert body["fields"]["pages"] == done.pages and body["fields"]["archivist"] == "程慧敏"
    assert body["fields"]["checker"] == "贺建国" and body["fields"]["retention"] == "5年"
    assert body["attachments"][0]["digest"] == done.digest
    stored = b"".join(app.blobs.read(done.digest))
    assert f"{app.alg.name}:{app.alg.digest(stored).hex()}" == done.digest
    reader = PdfReader(io.BytesIO(stored))
    assert len(reader.pages) == done.pages == body["fields"]["pages"]
    pages = [re.sub(r"\s+", "", p.extract_text() or "") for p in reader.pages]
    assert "行政执法案卷" in pages[0] and CASE in pages[0] and "程慧敏" in pages[0]
    assert "卷内文件目录" in pages[1]
    directory = pages[1]
    # 正卷 (the transcript) before 副卷 (the approval form), though issued the other way round.
    assert directory.index("正卷") < directory.index("询问笔录") < directory.index("副卷")
    assert directory.index("副卷") < directory.index("立案审批表")
    assert "某文旅询〔2026〕1号" in directory and "某文旅立〔2026〕1号" in directory
    # The documents' own pages follow the directory, in the directory's order.
    first_doc = next(i for i, p in enumerate(pages) if "以上笔录我已看过" in p)
    approval = next(i for i, p in enumerate(pages) if "立案审批表" in p and i > first_doc)
    assert 1 < first_doc < approval
    words = pdf_text(tmp_path, stored)
    assert "案件日志" in words and "备考表" in words and "卷内情况说明" in words
    assert f"{filed.inquiry_doc.leaf_hash.hex()[:16]}" in words  # the journal backbone
    assert "卷内文件2件" in words and f"共{done.pages}页" in words and "检查点" in words
    assert verify.verify(app).ok and verify.check_files(app) == []
    # The archive deadline (closing → archive) is met.
    codes = {f.code for f in compliance.evaluate_case(app, CASE).findings}
    assert not any("deadline.archive" in c for c in codes)


def test_archive_refuses_open_unknown_twice_and_the_wrong_person(app):
    case_with_documents(app, closed=False)
    with pytest.raises(CaseNotClosed) as err:
        archiving.archive(app, CASE, ARCHIVIST)
    assert err.value.code == "LH430" and "尚未结案" in err.value.message
    with pytest.raises(Exception, match="不存在"):
        archiving.archive(app, "某文旅罚〔2026〕999号", ARCHIVIST)
    from tests.integration.archive_case import close

    close(app)
    with pytest.raises(PermissionDenied, match="档案管理人员"):
        archiving.archive(app, CASE, "31010001")
    archiving.archive(app, CASE, ARCHIVIST)
    with pytest.raises(AlreadyArchived) as again:
        archiving.archive(app, CASE, ARCHIVIST)
    assert again.value.code == "LH431"


def test_retention_follows_the_pack_and_long_term_triggers(app):
    case_with_documents(app)
    with pytest.raises(Exception, match="保管期限应为"):
        archiving.archive(app, CASE, ARCHIVIST, period="3年")
    # A party's objection at the scene makes the record long-term (001 第十八条第二项).
    record.record(
        app,
        ActInput(
            "general.objection",
            app.clock.now().isoformat(),
            case=CASE,
            actors=["31010001", "31010002"],
            recorded_by={"id": "31010001", "role": "officer"},
            fields=_objection_fields(),
        ),
    )
    with pytest.raises(RetentionTooShort) as err:
        archiving.archive(app, CASE, ARCHIVIST, period="30年")
    assert err.value.code == "LH432" and "长期" in err.value.message
    assert any("《行政执法全过程记录制度》第十八条第二项" in p.message for p in err.value.problems)
    assert archiving.archive(app, CASE, ARCHIVIST).retention == "长期"


def _objection_fields() -> dict:
    return {"kind": "现场异议", "description": "当事人对检查方式提出异议"}


def test_dossier_preview_and_archive_commands(app, run, tmp_path):
    case_with_documents(app)
    out = tmp_path / "preview.pdf"
    printed = run("dossier", CASE, "--out", str(out))
    assert "预览" in printed or str(out) in printed
    preview = out.read_bytes()
    assert preview.startswith(b"%PDF") and "（未归档）" in pdf_text(tmp_path, preview)
    with app.engine.connect() as conn:
        before = conn.execute(text("SELECT count(*) FROM journal_entry")).scalar()
    assert before == _count(app)  # a preview records nothing
    refused = run("archive", CASE, "--archivist", ARCHIVIST, "--retention", "长久", code=2)
    assert "保管期限" in refused
    printed = run("archive", CASE, "--archivist", ARCHIVIST, "--checker", HEAD,
                  "--dossier-no", "WL-2026-0001")  # fmt: skip
    assert "WL-2026-0001" in printed and "已归档" in printed
    again = run("archive", CASE, "--archivist", ARCHIVIST, code=2)
    assert "LH431" in again
    filed = render_dossier(app, CASE)
    assert "WL-2026-0001" in pdf_text(tmp_path, filed)


def _count(app) -> int:
    with app.engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM journal_entry")).scalar())
