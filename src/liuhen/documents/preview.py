"""The party sees what he signs: a document rendered, unsigned and marked 预览, before his pad.

The form posts its values here; they are checked as issuing would check them, rendered as the
document will print (with the 文号 it would get now), stamped 预览 on every page and shown as
page images (the site's policy frames no PDF in its pages; images need no exception). The
values then travel locked: hidden in the preview page with a MAC over them, the session, the
case, the act and the type, so the submit that applies the signatures is refused if anything
changed after the party read it (``check``). "返回修改" goes back to the editable form with every
value kept. Once the first signature is on a document its content is frozen anyway: a change
is a new version (``documents.service.issue`` with ``supersedes``; ``countersigned`` signs only
the latest version, incrementally).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import json
import subprocess
import tempfile
from pathlib import Path

import pypdf
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from liuhen.documents import render, wording
from liuhen.documents.service import (
    DocumentRequest,
    agency_name,
    issued_fields,
    officer_names,
    stamp,
)
from liuhen.documents.types import DOC_TYPES
from liuhen.errors import Problem, ValidationError
from liuhen.kernel import numbering
from liuhen.kernel.instance import App

MARK = "预览 · 未签名 · 不作为文书使用"
MAC_FIELD = "preview_mac"
MAX_PAGES = 12  # pages shown as images; a longer document says how many more
# What the party decides at signing, not what he reads: kept out of the locked content.
AT_SIGNING = {"csrf", MAC_FIELD, "party_signature_png", "refused", "refusal_reason", "back"}
# Each hearing participant's pad, tick and note under the preview (``issuing.Attendee``).
AT_SIGNING_PREFIX = ("confirm_password", "participant_")
_KEY_INFO = b"liuhen/documents.preview/mac/v1"  # this key's purpose: no other use derives it


def needs_preview(doc_code: str) -> bool:
    """Documents a party or recipient signs by hand: he reads the preview before he signs."""
    signers = DOC_TYPES[doc_code].signers
    return "party" in signers or "recipient" in signers


def locked(form: dict[str, str]) -> dict[str, str]:
    """The form's content as previewed: everything but what is decided at signing and the
    colleagues' passwords."""
    return {
        k: v for k, v in sorted(form.items())
        if k not in AT_SIGNING and not k.startswith(AT_SIGNING_PREFIX)
    }  # fmt: skip


def drawn(form: dict[str, str]) -> bool:
    """Whether anyone signed by hand on the form: the party, or a hearing participant."""
    return any(v for k, v in form.items()
               if k == "party_signature_png" or k.startswith("participant_png_"))  # fmt: skip


def undrawn(form: dict[str, str]) -> dict[str, str]:
    """The form without its hand-drawn signatures: drawn under another content, drawn again."""
    return {k: v for k, v in form.items()
            if k != "party_signature_png" and not k.startswith("participant_png_")}  # fmt: skip


def _key(app: App) -> bytes:
    """The MAC's key, derived (HKDF) from the instance's own key in its data folder: a preview
    outlives a restart and every worker of the instance accepts it, yet nothing else derives
    or learns it (the session in the message still ties it to one login)."""
    secret = app.key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_KEY_INFO).derive(secret)


def mac(
    app: App, session: str, case: str, act_seq: int, doc_code: str, form: dict[str, str]
) -> str:
    """The MAC that ties the previewed content to this session, case, act and type."""
    message = json.dumps([session, case, act_seq, doc_code, locked(form)], ensure_ascii=False)
    return hmac.new(_key(app), message.encode(), hashlib.sha256).hexdigest()


def check(
    app: App, session: str, case: str, act_seq: int, doc_code: str, form: dict[str, str]
) -> None:
    """Refuse a submit whose content is not what was previewed: a drawn signature only under
    a preview, and no value changed after it (``ValidationError`` at the signature pad)."""
    given = form.get(MAC_FIELD, "")
    if not given and not drawn(form):
        return  # nothing the party signed by hand: the officers sign what they typed
    if not given:
        raise ValidationError("当事人须先阅看文书预览，再手写签名", [Problem(
            "请先点击“预览”，由当事人阅看文书全文后，在预览下方签名", "party_signature_png",
            label="当事人手写签名", kind="signature",
        )])  # fmt: skip
    if not hmac.compare_digest(given, mac(app, session, case, act_seq, doc_code, form)):
        raise ValidationError("文书内容在预览后被改动，未签名", [Problem(
            "预览后文书内容有改动（或已重新登录），请返回修改后重新预览，再由当事人签名",
            "party_signature_png", label="当事人手写签名", kind="signature",
        )])  # fmt: skip


def pdf(app: App, req: DocumentRequest) -> bytes:
    """The document as it will print, unsigned, with 预览 across every page."""
    values = render.validate(req.doc_type, req.values)
    certs = [s.get("cert_no", "") for s in req.signers]
    names = officer_names(app, certs)
    shown = [{"role": s["role"], "name": names.get(s["cert_no"], ""), "cert_no": s["cert_no"]}
             for s in req.signers]  # fmt: skip
    expected = None
    if req.supersedes is None:
        now = app.clock.now().isoformat()
        expected = numbering.expected_number(app, req.case, req.doc_type, now)
    number = expected.number if expected is not None else req.number
    template = wording.for_case(app, req.case, req.doc_type)  # the agency's, 003 第十二条
    rendered = render.render_pdf(req.doc_type, values, agency=agency_name(app, req.case),
                                 number=number, signers=shown,
                                 wording=template.context())  # fmt: skip
    return stamp(rendered, MARK)


def rerendered(app: App, case: str, seq: int) -> bytes:
    """An issued document rendered again, unsigned, from what its entry records: its content,
    its 文号 and the agency's wording it was issued under (``template_version``), not the one
    in force now — an old document reads as it was issued (003 第十二条)."""
    fields, _later = issued_fields(app, case, seq)
    content = fields.get("content")
    doc_type = str(fields.get("doc_type"))
    if not isinstance(content, dict) or doc_type not in DOC_TYPES:
        raise ValidationError(f"序号为 {seq} 的文书没有记录其内容，无法重新生成")
    version = fields.get("template_version")
    template = wording.at_version(app, version if isinstance(version, int) else None)
    number = fields.get("number")
    return render.render_pdf(doc_type, render.validate(doc_type, content),
                             agency=agency_name(app, case),
                             number=str(number) if number else None,
                             wording=template.context())  # fmt: skip


def page_images(document: bytes, dpi: int = 80) -> tuple[list[str], int]:
    """The first pages as base64 PNGs (pdftoppm), and how many pages the document has."""
    with tempfile.TemporaryDirectory(prefix="liuhen-preview-") as tmp:
        source = Path(tmp) / "doc.pdf"
        source.write_bytes(document)
        subprocess.run(
            ["pdftoppm", "-png", "-r", str(dpi), "-l", str(MAX_PAGES), str(source),
             str(Path(tmp) / "p")],
            check=True, capture_output=True, timeout=60,
        )  # fmt: skip
        pages = sorted(Path(tmp).glob("p-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
        images = [base64.b64encode(p.read_bytes()).decode() for p in pages]
    count = len(pypdf.PdfReader(io.BytesIO(document)).pages)
    return images, max(count, len(images))


__all__ = [
    "MAC_FIELD",
    "check",
    "drawn",
    "locked",
    "mac",
    "needs_preview",
    "page_images",
    "pdf",
    "rerendered",
    "undrawn",
]
