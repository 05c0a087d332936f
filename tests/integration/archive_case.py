"""A closed case with signed documents in both volumes, an archivist and a head: ready to file."""

from __future__ import annotations

from dataclasses import dataclass

from liuhen.compliance import packs
from liuhen.documents import DOC_TYPES
from liuhen.documents import service as documents
from liuhen.kernel import record
from liuhen.kernel.instance import App
from liuhen.kernel.journal import Appended
from liuhen.kernel.record import ActInput
from liuhen.signing import service as signing
from tests.integration import factory

CASE = "某文旅罚〔2026〕1号"
ARCHIVIST = "31010091"
HEAD = "31010092"
OFFICER = {"id": "31010001", "role": "officer"}


@dataclass
class Filed:
    opened: Appended
    inquiry: Appended
    inquiry_doc: Appended
    approval_doc: Appended
    closing: Appended | None


def people(app: App) -> None:
    """Officers with certificates, plus an archivist (程慧敏) and a head (贺建国)."""
    factory.register(app)
    for cert, name, role in ((ARCHIVIST, "程慧敏", "archivist"), (HEAD, "贺建国", "head")):
        factory.add_officer(app, cert, name, (role,))
    packs.use_pack(app, "001", "测试")
    signing.init_ca(app, "某区文化和旅游局")
    for cert, _name in factory.OFFICERS:
        signing.issue(app, cert)


def _issue(app: App, act_seq: int, doc_type: str, number: str, **extra: object) -> Appended:
    req = documents.DocumentRequest(
        case=CASE,
        act_seq=act_seq,
        doc_type=doc_type,
        values=dict(DOC_TYPES[doc_type].sample),
        signers=[
            {"role": "officer", "cert_no": "31010001"},
            {"role": "officer", "cert_no": "31010002"},
        ],
        recorded_by=OFFICER,
        number=number,
    )
    for key, value in extra.items():
        setattr(req, key, value)
    return documents.issue(app, req)


def close(app: App) -> Appended:
    return record.record(
        app,
        ActInput(
            "archiving.closing",
            app.clock.now().isoformat(),
            case=CASE,
            actors=["31010001", "31010002"],
            recorded_by=OFFICER,
            fields={
                "closed_on": app.clock.now().date().isoformat(),
                "outcome": "执行完毕",
                "report": "罚款已缴纳，案件办理完毕。",
            },
        ),
    )


def decide(app: App, **extra: object) -> Appended:
    """The case's penalty decision, 文号 某文旅罚决〔2026〕1号, as recorded on 2026-11-04."""
    return record.record(app, ActInput(
        "decision.decision", "2026-11-04T10:00:00+08:00", case=CASE,
        actors=["31010001", "31010002"], recorded_by=OFFICER,
        fields={"party": {"name": "某区夜色酒吧"}, "facts": "当事人未经许可擅自从事营业性演出。",
                "kinds": ["罚款"], "legal_basis": ["《营业性演出管理条例》第四十三条"],
                "content": "罚款人民币5000元。", "performance": "十五日内缴纳。",
                "remedy": "六十日内申请行政复议。", "decided_on": "2026-11-04",
                "document_no": "某文旅罚决〔2026〕1号", **extra},
    ))  # fmt: skip


def case_with_documents(app: App, closed: bool = True) -> Filed:
    people(app)
    opened = factory.open_case(app)
    inquiry = factory.inquiry(app)
    # Issued in the reverse of procedural order: the dossier must still put the approval
    # form (副卷) after the transcript (正卷), and order each volume by procedure.
    inquiry_doc = _issue(
        app,
        inquiry.seq,
        "inquiry_record",
        "某文旅询〔2026〕1号",
        party={"name": "陈某", "signature_png": _png()},
    )
    approval_doc = _issue(app, opened.seq, "filing_approval", "某文旅立〔2026〕1号")
    return Filed(opened, inquiry, inquiry_doc, approval_doc, close(app) if closed else None)


def _png() -> str:
    import base64
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (240, 80), "white").save(buf, "PNG")
    return base64.b64encode(buf.getvalue()).decode()
