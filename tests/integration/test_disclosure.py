"""Parties' requests and confidentiality marks, end to end through the real services.

001 第二十一条 (release with the head's approval), 001 第二十条 and 002 第三十五条 (marked
records restricted), 003 第二十四条 (every request and copy in the ledger), 002 第三十四条.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import asdict
from typing import Any, cast

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from pypdf import PdfReader

from liuhen.accounts import service as access
from liuhen.disclosure import ledger
from liuhen.disclosure import service as disclosure
from liuhen.disclosure.service import DisclosureRefused
from liuhen.documents import service as documents
from liuhen.entrypoints.web import create_app
from liuhen.errors import NotFoundError, PermissionDenied, ValidationError
from liuhen.kernel import record
from liuhen.kernel.record import ActInput
from liuhen.signing import service as signing
from tests.integration import factory
from tests.integration.auth import login
from tests.integration.test_documents import CASE, inquiry_request

HEAD = "31010009"
OUTSIDER = "31010003"  # same unit, not on the case


@pytest.fixture
def case_with_document(app):
    factory.register(app)
    factory.add_officer(app, HEAD, "赵局长", ("head",))
    signing.init_ca(app, "某区文化和旅游局")
    for cert, _name in factory.OFFICERS:
        signing.issue(app, cert)
    factory.open_case(app)
    inquiry = factory.inquiry(app)
    doc = documents.issue(app, inquiry_request(inquiry))
    return app, doc.seq


def _pdf_digest(app, seq: int) -> str:
    from tests.integration.test_documents import stored_pdf

    return stored_pdf(app, seq)[0]


def mark_records(app, records, value="商业秘密", role="officer", by="31010001", reason="测试"):
    """Record a confidentiality mark (or lift one with "无") on entries or files of CASE."""
    return record.record(app, ActInput(
        "general.confidentiality", app.clock.now().isoformat(), case=CASE, actors=[by],
        fields={"mark": value, "records": records, "reason": reason},
        recorded_by={"id": by, "role": role},
    ))  # fmt: skip


def _ask(app, materials, kind="查阅并复制", by="31010001"):
    return disclosure.request(
        app, CASE, requester={"name": "陈某", "id_no": "110101199001011234"},
        relation="当事人", kind=kind, materials=materials, purpose="准备行政复议",
        received_at=app.clock.now().isoformat(), by=by,
    )  # fmt: skip


def test_approved_copy_is_watermarked_and_ledgered(case_with_document, tmp_path):
    app, doc_seq = case_with_document
    digest = _pdf_digest(app, doc_seq)
    original = b"".join(app.blobs.read(digest))
    req = _ask(app, ["全部"])
    assert [r.seq for r in disclosure.requests(app, pending=True)] == [req.seq]
    decision = disclosure.decide(
        app, CASE, req.seq, decision="同意", reason="当事人申请查阅本人案件材料", materials=None,
        by=HEAD,
    )  # fmt: skip
    assert disclosure.requests(app, pending=True) == []

    delivered = disclosure.deliver(app, CASE, req.seq, tmp_path / "copy", by="31010001")
    assert [f.digest for f in delivered.files] == [digest]
    assert not list(tmp_path.glob(".copy.partial-*"))
    copy = tmp_path / "copy" / delivered.files[0].file
    stamped = copy.read_bytes()
    assert stamped != original
    assert b"".join(app.blobs.read(digest)) == original  # the signed original is untouched
    reader = PdfReader(copy)
    metadata = cast(dict[str, Any], reader.metadata)
    assert len(reader.pages) == len(PdfReader(__import__("io").BytesIO(original)).pages)
    assert "仅供陈某（当事人）查阅并复制" in metadata["/Subject"]
    text = subprocess.run(
        ["pdftotext", str(copy), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "申请序号" in text and "陈某" in text
    listing = json.loads((tmp_path / "copy" / "清单.json").read_text("utf-8"))
    assert listing["request"] == req.seq and listing["approved_by"] == decision.seq

    rows = ledger.entries(app, CASE).rows
    handed = next(r for r in rows if r.request == req.seq)
    assert handed.copied and handed.approved_by == "赵局长" and handed.accessor == "陈某"
    book = tmp_path / "台账.xlsx"
    ledger.write_xlsx(app, book, CASE)
    sheet = load_workbook(book)["查阅复制申请及审批"]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][0] == "申请序号"
    assert values[1][0] == req.seq and values[1][8] == "同意" and values[1][12] == 1


def test_decisions_follow_the_rules(case_with_document, tmp_path):
    app, doc_seq = case_with_document
    req = _ask(app, [str(doc_seq)], kind="复制")
    with pytest.raises(PermissionDenied):  # an officer cannot decide
        disclosure.decide(app, CASE, req.seq, decision="同意", reason="-", materials=None,
                          by="31010001")  # fmt: skip
    with pytest.raises(DisclosureRefused):  # nothing is handed over before the decision
        disclosure.deliver(app, CASE, req.seq, tmp_path / "early", by="31010001")
    assert not (tmp_path / "early").exists()
    with pytest.raises(ValidationError) as beyond:  # approving more than was asked
        disclosure.decide(app, CASE, req.seq, decision="部分同意", reason="-",
                          materials=[str(doc_seq - 1)], by=HEAD)  # fmt: skip
    assert "超出了申请范围" in beyond.value.message
    disclosure.decide(app, CASE, req.seq, decision="不同意", reason="涉及他人隐私",
                      materials=None, by=HEAD)  # fmt: skip
    with pytest.raises(DisclosureRefused) as twice:
        disclosure.decide(app, CASE, req.seq, decision="同意", reason="-", materials=None,
                          by=HEAD)  # fmt: skip
    assert twice.value.code == "LH461"
    with pytest.raises(DisclosureRefused) as refused:
        disclosure.deliver(app, CASE, req.seq, tmp_path / "refused", by="31010001")
    assert "涉及他人隐私" in refused.value.message
    with pytest.raises(ValidationError):  # a request must name records of this case
        _ask(app, ["999999"])
    with pytest.raises(NotFoundError):
        disclosure.decide(app, CASE, 999999, decision="同意", reason="-", materials=None, by=HEAD)


def test_marked_record_is_released_only_when_the_head_names_it(case_with_document, tmp_path):
    app, doc_seq = case_with_document
    digest = _pdf_digest(app, doc_seq)
    mark_records(app, [str(doc_seq)], "商业秘密", reason="含经营数据")
    first = _ask(app, ["全部"])
    disclosure.decide(app, CASE, first.seq, decision="同意", reason="-", materials=None, by=HEAD)
    broad = disclosure.deliver(app, CASE, first.seq, tmp_path / "broad", by="31010001")
    assert broad.files == []
    assert [asdict(w) for w in broad.withheld] == [
        {"digest": digest, "reason": "已标记为商业秘密，审批未明确准予"}
    ]

    second = _ask(app, [str(doc_seq)])
    disclosure.decide(app, CASE, second.seq, decision="同意", reason="已征得权利人同意",
                      materials=[str(doc_seq)], by=HEAD)  # fmt: skip
    named = disclosure.deliver(app, CASE, second.seq, tmp_path / "named", by="31010001")
    assert [f.digest for f in named.files] == [digest]


def test_only_a_head_lifts_a_mark_and_targets_must_exist(case_with_document):
    app, doc_seq = case_with_document

    mark_records(app, [str(doc_seq)], "个人隐私")
    with pytest.raises(PermissionDenied) as lifted:
        mark_records(app, [str(doc_seq)], "无")
    assert "只有负责人" in lifted.value.message
    mark_records(app, [str(doc_seq)], "无", role="head", by=HEAD)
    with pytest.raises(ValidationError) as bad:
        mark_records(app, ["999999", "not-a-digest"], "个人隐私")
    assert [p.field for p in bad.value.problems] == ["fields.records[0]", "fields.records[1]"]


def test_pages_and_files_withhold_marked_records(case_with_document):
    app, doc_seq = case_with_document
    digest = _pdf_digest(app, doc_seq)
    for user, roles, cert in (
        ("zhangwei", ["officer"], "31010001"),  # on the case
        ("wangqiang", ["officer"], OUTSIDER),  # same unit, not on the case
        ("zhaoju", ["head"], HEAD),
        ("sifa", ["supervisor"], None),
    ):
        access.create_user(app, user, "mima-12345678", roles, user, "wl-zd1", cert)
    mark_records(app, [str(doc_seq)], "国家秘密", reason="涉密")
    client = TestClient(create_app(app))

    def entry_as(user):
        assert login(client, user, "mima-12345678").status_code == 303
        case = client.get(f"/api/v1/cases/{CASE}").json()
        found = [e for s in case["stages"] for e in s["entries"] if e["seq"] == doc_seq]
        return found[0], client.get(f"/api/v1/documents/{digest}/pdf")

    for user in ("zhangwei", "zhaoju"):
        entry, pdf = entry_as(user)
        assert entry["fields"]["digest"] == digest and pdf.status_code == 200
    for user in ("wangqiang", "sifa"):
        entry, pdf = entry_as(user)
        assert entry["fields"] == {} and "国家秘密" in entry["withheld"]
        assert pdf.status_code == 403 and pdf.json()["code"] == "LH460", user
    page = client.get(f"/cases/{CASE}")
    assert "该记录已标记为国家秘密，您无权查看" in page.text


def test_cli_request_decide_deliver_and_mark(case_with_document, run, tmp_path):
    _app, doc_seq = case_with_document
    out = run("disclose", "request", CASE, "--name", "陈某", "--relation", "委托代理人",
              "--material", str(doc_seq), "--purpose", "诉讼准备", "--by", "31010002")  # fmt: skip
    seq = int(out.split("序号 ")[1].split("，")[0])
    pending = json.loads(run("disclose", "list", "--pending", "--json"))
    assert [(r["seq"], r["decision"]) for r in pending] == [(seq, None)]
    assert "共 1 件" in run("disclose", "list", "--case", CASE)
    run("disclose", "decide", CASE, "--request", str(seq), "--decision", "同意",
        "--reason", "依法准予", "--by", HEAD)  # fmt: skip
    refused = run("disclose", "decide", CASE, "--request", str(seq), "--decision", "同意",
                  "--reason", "再次", "--by", HEAD, code=2)  # fmt: skip
    assert "LH461" in refused
    delivered = run("disclose", "deliver", CASE, "--request", str(seq),
                    "--out", str(tmp_path / "副本"), "--by", "31010002")  # fmt: skip
    assert "已提供 1 个文件" in delivered
    assert (tmp_path / "副本" / "清单.json").exists()
    again = run("disclose", "deliver", CASE, "--request", str(seq),
                "--out", str(tmp_path / "副本"), "--by", "31010002", code=2)  # fmt: skip
    assert "已存在" in again
    assert "已记录保密标记" in run("mark", CASE, "--mark", "个人隐私", "--reason", "身份信息",
                                   "--by", "31010001")  # fmt: skip
    assert "LH103" in run("mark", CASE, "--mark", "无", "--reason", "解除", "--by", "31010001",
                          code=2)  # fmt: skip
