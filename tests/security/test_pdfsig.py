"""Finding 13 of issue 11: every PDF the project produces passes an independent validator.

poppler's ``pdfsig`` (poppler-utils) is run over a signed document, the dossier (filed, and
generated for an export), a party's watermarked copy and the export's dossier. A PDF that
carries signatures must show each as "Signature is Valid" (never "Digest Mismatch"); a copy
must carry no signature at all, since the byte ranges of a copied signature name the original
file and a court opening the copy would see a forged-looking document. A filed dossier is
signed by the archivist over the whole file when he holds a certificate, and says on every
copied page where the signed original is.
"""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path
from typing import Any, cast

import pytest
from pypdf import PdfReader

from liuhen.archive import archiving
from liuhen.disclosure import service as disclosure
from liuhen.kernel.instance import App
from liuhen.signing import pdf as pades
from liuhen.signing import service as signing
from tests.integration.archive_case import ARCHIVIST, CASE, HEAD, case_with_documents

pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
NO_SIGNATURES = "does not contain any signatures"


def pdfsig(path: Path) -> tuple[int, str]:
    """pdfsig's exit code and report: 0 with a report per signature, 2 if there are none."""
    done = subprocess.run(
        ["pdfsig", str(path)], capture_output=True, text=True, timeout=120, check=False
    )
    return done.returncode, done.stdout + done.stderr


def assert_valid_signatures(path: Path, count: int) -> str:
    code, report = pdfsig(path)
    assert code == 0, report
    verdicts = re.findall(r"Signature Validation: (.+)", report)
    assert verdicts == ["Signature is Valid."] * count, report
    assert "Digest Mismatch" not in report
    return report


def assert_unsigned(path: Path) -> None:
    """A copy: no signature fields a validator could find (and so none to call altered)."""
    code, report = pdfsig(path)
    assert code == 2 and NO_SIGNATURES in report, report
    assert "Digest Mismatch" not in report
    reader = PdfReader(path)
    assert "/AcroForm" not in cast(dict[str, Any], reader.trailer["/Root"])
    for page in reader.pages:
        for annot in page.get("/Annots") or []:
            assert annot.get_object().get("/FT") != "/Sig"


def _stored(app: App, digest: str, path: Path) -> Path:
    path.write_bytes(b"".join(app.blobs.read(digest)))
    return path


def _text(path: Path) -> str:
    words = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return re.sub(r"\s+", "", words)


def _digest(app: App, seq: int) -> str:
    from tests.integration.test_archiving import entry_body

    return str(entry_body(app, seq)["fields"]["digest"])


def test_documents_copies_and_the_signed_dossier_validate(app, run, tmp_path):
    filed = case_with_documents(app)
    signing.issue(app, ARCHIVIST)  # the archivist holds a certificate: he signs the dossier
    ca = signing.ca_pem(app)
    inquiry = _digest(app, filed.inquiry_doc.seq)
    approval = _digest(app, filed.approval_doc.seq)

    # A signed document: both officers' signatures valid.
    doc = _stored(app, inquiry, tmp_path / "inquiry.pdf")
    assert_valid_signatures(doc, 2)

    # The export of the case before it is filed: a generated dossier, copies only.
    bag = tmp_path / "bag-preview"
    run("export", CASE, "--out", str(bag))
    assert_unsigned(bag / "data" / "dossier.pdf")
    assert "本页为电子签名文书的副本" in _text(bag / "data" / "dossier.pdf")
    for copied in (bag / "data" / "documents").iterdir():  # the originals travel untouched
        assert_valid_signatures(copied, 2)

    # The filed dossier: the archivist's one signature over the whole file, valid.
    done = archiving.archive(app, CASE, ARCHIVIST, checker=HEAD)
    dossier = _stored(app, done.digest, tmp_path / "dossier.pdf")
    report = assert_valid_signatures(dossier, 1)
    assert "Total document signed" in report and "程慧敏" in report
    statuses = pades.validate(dossier.read_bytes(), ca)  # pyHanko agrees
    assert [(s.serial_number, s.valid) for s in statuses] == [(ARCHIVIST, True)]
    words = _text(dossier)
    for digest, seq in ((inquiry, filed.inquiry_doc.seq), (approval, filed.approval_doc.seq)):
        source = f"电子签名原件见文书文件{digest[:19]}…（日志记录序号{seq}）"
        assert f"本页为电子签名文书的副本，{source}" in words
    assert "销毁" not in words  # nothing was disposed of
    reader = PdfReader(io.BytesIO(dossier.read_bytes()))
    widgets = [
        a.get_object().get("/T")
        for page in reader.pages
        for a in page.get("/Annots") or []
        if a.get_object().get("/FT") == "/Sig"
    ]
    assert widgets == ["sig-archivist"]  # the documents' own fields were not copied

    # The export of the filed case carries the filed (signed) dossier.
    filed_bag = tmp_path / "bag-filed"
    run("export", CASE, "--out", str(filed_bag))
    assert_valid_signatures(filed_bag / "data" / "dossier.pdf", 1)

    # A party's watermarked copy: the signatures stay on the original, none on the copy.
    req = disclosure.request(
        app, CASE, requester={"name": "陈某", "id_no": "110101199001011234"},
        relation="当事人", kind="查阅并复制", materials=["全部"], purpose="准备行政复议",
        received_at=app.clock.now().isoformat(), by="31010001",
    )  # fmt: skip
    disclosure.decide(app, CASE, req.seq, decision="同意", reason="当事人申请", materials=None,
                      by=HEAD)  # fmt: skip
    delivered = disclosure.deliver(app, CASE, req.seq, tmp_path / "copy", by="31010001")
    copies = [tmp_path / "copy" / f.file for f in delivered.files if f.watermarked]
    assert copies
    for copy in copies:
        assert_unsigned(copy)
    assert_valid_signatures(doc, 2)  # and the original still validates


def test_without_an_archivist_certificate_the_dossier_has_no_signature(app, tmp_path):
    case_with_documents(app)  # the archivist has no certificate
    done = archiving.archive(app, CASE, ARCHIVIST)
    dossier = _stored(app, done.digest, tmp_path / "dossier.pdf")
    assert_unsigned(dossier)
    assert pades.validate(dossier.read_bytes(), signing.ca_pem(app)) == []


def test_dossier_names_every_file_and_says_destroyed_only_after_a_disposal(app, tmp_path):
    """Imported history whose PDFs stay with the source system: each row is listed, a missing
    file is said to be missing (never 销毁) unless an archiving.disposal entry names it."""
    import json
    from importlib import resources

    from liuhen.archive.dossier import build, render_dossier
    from liuhen.cases import imports
    from liuhen.demo import seed as demo
    from liuhen.kernel import record
    from liuhen.kernel.record import ActInput

    demo.seed(app)  # the agency, its officers and keys
    raw = json.loads((resources.files("liuhen") / "demo" / "case_01.json").read_text("utf-8"))
    number = "某文旅罚〔2026〕99号"
    raw["case"] = number  # as imported: its documents' digests name files kept elsewhere
    imports.import_text(app, json.dumps(raw, ensure_ascii=False))
    path = tmp_path / "imported.pdf"
    path.write_bytes(render_dossier(app, number))
    words = _text(path)
    assert "销毁" not in words
    assert words.count("原件由来源系统（某区行政执法信息平台（旧系统））保存") == 9
    rows = [(r.item.kind, r.item.number, r.item.title) for r in build(app, number).rows]
    titles = [t for _kind, _number, t in rows]
    documents = ("现场检查（勘验）笔录", "询问笔录", "送达回证")
    photos = ("附件：检票台及海报.jpg", "附件：演出现场全景.jpg")  # of the inspection
    for title in documents + photos:
        assert title in titles, rows
    assert titles.count("音像记录（视频）") == 2
    # the paper file's 告知书 and 决定书 are imported documents, none known only by its entry
    assert [n for kind, n, _t in rows if kind == "record"] == [], rows
    assert len(rows) == 9 + 2 + 2
    assert "行政处罚事先告知书" in words and "附件：检票台及海报.jpg" in words  # the directory
    assert_unsigned(path)

    with app.engine.connect() as conn:
        from sqlalchemy import select

        from liuhen.kernel.db import store

        rows = conn.execute(
            select(store.ENTRY.c.seq, store.ENTRY.c.body).where(
                store.ENTRY.c.chain == number, store.ENTRY.c.act == "general.document"
            )
        ).all()
    seq, body = rows[1]
    digest = json.loads(body)["fields"]["digest"]
    disposal = record.record(app, ActInput(
        "archiving.disposal", app.clock.now().isoformat(), case=number, actors=["11010112"],
        recorded_by={"id": "11010112", "role": "archivist"},
        fields={"approval": int(seq), "digests": [digest], "sizes": ["1"],
                "reason": "保管期限届满，经批准销毁", "retention_ended_on": "2026-11-20"},
    ))  # fmt: skip
    path.write_bytes(render_dossier(app, number))
    words = _text(path)
    assert words.count(f"本文件已按保管期限销毁（销毁记录序号{disposal.seq}）") == 1
    assert "销毁记录序号—" not in words
    assert words.count("原件由来源系统（某区行政执法信息平台（旧系统））保存") == 8
