"""The agency's electronic seal on a 行政处罚事先告知书: the head issues it signing his block,
and the agency's seal is the last signature, drawn in red over the agency's name and date,
every signature valid for our validator and for poppler's pdfsig; the file tampered with after
sealing is caught. An agency without a seal key cannot issue a sealed form."""

from __future__ import annotations

import io
import subprocess
from datetime import datetime
from pathlib import Path
from typing import Any

import pypdf
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from liuhen.cases.presentation import signature_line
from liuhen.clock import SHANGHAI, FixedClock
from liuhen.documents import DOC_TYPES
from liuhen.documents import service as documents
from liuhen.entrypoints.web import create_app
from liuhen.errors import ValidationError
from liuhen.kernel import record
from liuhen.kernel.record import ActInput
from liuhen.signing import service as signing
from tests.integration import factory
from tests.integration.auth import login
from tests.integration.test_approvals import _csrf, _staff
from tests.integration.test_forms import _as_form

CASE = "某文旅罚〔2026〕1号"
HEAD = "31010009"
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=SHANGHAI)
DPI = 72  # one pixel a point: the box's coordinates read straight off the image


def _case(app: Any, sealed: bool = True) -> int:
    """A case of agency ``wl`` with its CA, the officers' and the head's keys (and its seal,
    unless not ``sealed``); the seq of a recorded 权利告知."""
    app.clock = FixedClock(NOW)
    factory.register(app)
    factory.add_officer(app, HEAD, "贺建国", roles=("head",))
    factory.certify_officers(app)
    signing.issue(app, HEAD)
    if sealed:
        signing.issue_seal(app, "wl")
    factory.open_case(app)
    return int(record.record(app, _rights_notice()).seq)


def _rights_notice() -> ActInput:
    return ActInput(
        "investigation.rights_notice", "2026-11-20T10:00:00+08:00", case=CASE,
        actors=["31010001", "31010002"], recorded_by=factory.OFFICER,
        fields={"proposed_penalty": "警告，并处罚款人民币5000元。", "facts": "未经许可组织演出。",
                "reasons": "违反《营业性演出管理条例》第六条。",
                "legal_basis": ["《营业性演出管理条例》第四十三条"], "defense_right": True,
                "hearing_right": True, "method": "送达告知书",
                "notified_at": "2026-11-20T10:00:00+08:00"},
    )  # fmt: skip


def _issue(app: Any, act_seq: int) -> Any:
    """The head issues the 告知书, signing his block (its only signer) from his own login."""
    return documents.issue(app, documents.DocumentRequest(
        case=CASE, act_seq=act_seq, doc_type="prior_notice",
        values=dict(DOC_TYPES["prior_notice"].sample),
        signers=[{"role": "approver", "cert_no": HEAD}], recorded_by={"id": HEAD, "role": "head"},
    ))  # fmt: skip


def _doc(app: Any, seq: int) -> tuple[dict[str, Any], bytes]:
    fields, _later = documents.issued_fields(app, CASE, seq)
    return fields, b"".join(app.blobs.read(fields["digest"]))


def _red_share(png: Path, box: signing.Box, page_height: float) -> float:
    """The share of red pixels inside ``box`` on the page image."""
    image = Image.open(png).convert("RGB")
    top = round(page_height - box.y2)
    area = image.crop((round(box.x1), top, round(box.x2), top + round(box.height)))
    pixels = [area.getpixel((x, y)) for x in range(area.width) for y in range(area.height)]
    red = sum(1 for p in pixels if isinstance(p, tuple) and p[0] > 180 and p[1] < 90 and p[2] < 90)
    return red / len(pixels)


def test_the_agency_seals_last(app: Any, tmp_path: Path) -> None:
    issued = _issue(app, _case(app))
    fields, pdf = _doc(app, issued.seq)
    assert [s["role"] for s in fields["signatures"]] == ["approver", "seal"]
    sealed = fields["signatures"][-1]
    assert sealed["name"] == "某区文化和旅游局" and sealed["agency"] == "wl"
    assert sealed["method"] == "PAdES" and sealed["certificate"]
    assert "cert_no" not in sealed  # no person: no actor, no officer's block
    line = signature_line(sealed, "prior_notice")  # as the case page lists it
    assert line.startswith("机关印章 某区文化和旅游局 于 ")
    assert line.endswith("加盖电子印章（有效）")
    box = signing.find_box(pdf, "box-seal")
    assert box is not None and [round(v) for v in signing.box_size_mm(box)] == [42, 42]

    ca = signing.ca_pem(app)
    statuses = signing.validate_pdf(pdf, ca)
    assert [s.signer for s in statuses] == ["贺建国", "某区文化和旅游局"]  # the seal last
    assert all(s.valid for s in statuses), statuses
    path = tmp_path / "sealed.pdf"
    path.write_bytes(pdf)
    report = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True).stdout
    assert report.count("Signature Validation: Signature is Valid.") == 2, report
    assert report.rindex("某区文化和旅游局") > report.index("贺建国"), report

    # the seal drawn where the form put its box: over the agency's name and the date
    subprocess.run(["pdftoppm", "-png", "-r", str(DPI), "-singlefile", "-f", str(box.page + 1),
                    str(path), str(tmp_path / "page")], check=True)  # fmt: skip
    page_height = 842  # A4 in points
    assert _red_share(tmp_path / "page.png", box, page_height) > 0.05
    blank = signing.Box(box.page, 60, box.y1, 60 + box.width, box.y2)  # the same band, left
    assert _red_share(tmp_path / "page.png", blank, page_height) == 0
    assert documents.check_all(app) == []

    # a byte changed in what the seal covers (a page's compressed content) is caught
    at = pdf.index(b"stream", pdf.index(b"/FlateDecode")) + 40
    tampered = pdf[:at] + bytes([pdf[at] ^ 0x01]) + pdf[at + 1 :]
    after = signing.validate_pdf(tampered, ca)
    assert not after[-1].valid and not any(s.intact for s in after), after


def test_no_seal_key_no_sealed_form(app: Any) -> None:
    act = _case(app, sealed=False)
    with pytest.raises(ValidationError) as refused:
        _issue(app, act)
    assert "尚未签发电子印章" in str(refused.value)
    assert refused.value.problems[0].field == "seal"
    signing.issue_seal(app, "wl")  # the administrator issues it: now the notice goes out
    assert _issue(app, act).seq > act


def test_the_administrator_seals_from_the_cli(run: Any, app: Any) -> None:
    factory.register(app)
    run("ca", "init", "--name", "某区文化和旅游局")
    assert "已为机关 wl 签发电子印章证书" in run("ca", "seal", "wl")
    assert "seal:wl" in run("ca", "list") and signing.seal_key(app, "wl") is not None
    assert "未登记" in run("ca", "seal", "nope", code=2)


def test_a_copy_without_the_signatures_still_shows_the_seal(app: Any, tmp_path: Path) -> None:
    """A dossier's reading copy or a party's copy drops the signature fields (their byte ranges
    name the original); what they drew, the seal here, stays on the page."""
    _fields, pdf = _doc(app, _issue(app, _case(app)).seq)
    box = signing.find_box(pdf, "box-seal")
    assert box is not None
    writer = pypdf.PdfWriter(clone_from=io.BytesIO(pdf))
    assert documents.without_signatures(writer) == 2
    out = io.BytesIO()
    writer.write(out)
    path = tmp_path / "copy.pdf"
    path.write_bytes(out.getvalue())
    report = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True)
    assert "Signature #" not in report.stdout, report.stdout
    subprocess.run(["pdftoppm", "-png", "-r", str(DPI), "-singlefile", "-f", str(box.page + 1),
                    str(path), str(tmp_path / "copy")], check=True)  # fmt: skip
    assert _red_share(tmp_path / "copy.png", box, 842) > 0.05
    words = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
    assert "行政处罚事先告知书" in words  # the page's own content kept under it


def test_nothing_is_sealed_while_a_block_waits_or_when_the_head_disagreed(app: Any) -> None:
    _case(app)
    values = documents.validate("prior_notice", dict(DOC_TYPES["prior_notice"].sample))
    pdf = documents.render_pdf("prior_notice", values, agency="某区文化和旅游局")
    agency, at = ("wl", "某区文化和旅游局"), NOW.isoformat()
    assert documents.affix_seal(app, agency, "prior_notice", pdf, [], at) == (pdf, [])  # waits
    head = [{"role": "approver", "name": "贺建国", "method": "PAdES"}]
    disagreed = documents.affix_seal(app, agency, "prior_notice", pdf, head, at, approved=False)
    assert disagreed == (pdf, [])
    sealed, record_ = documents.affix_seal(app, agency, "prior_notice", pdf, head, at)
    assert [r["role"] for r in record_] == ["seal"]
    assert [s.signer for s in signing.validate_pdf(sealed, signing.ca_pem(app))] == [
        "某区文化和旅游局"]  # fmt: skip
    # sealed once: a document already sealed is left as it is
    assert documents.affix_seal(app, agency, "prior_notice", sealed, head + record_, at) == (
        sealed, [])  # fmt: skip


def test_the_head_issues_a_sealed_notice_from_the_form(app: Any) -> None:
    """The page's way: the head fills in the 事先告知书, signs his block from his own login and
    the document comes out sealed; the case page names the seal."""
    _staff(app)
    signing.issue_seal(app, "wl")
    act = record.record(app, _rights_notice())
    url = f"/cases/{CASE}/documents/new"
    params: dict[str, str | int] = {"act_seq": act.seq, "doc_type": "prior_notice"}
    with TestClient(create_app(app)) as client:
        login(client, "hejg", "correct-horse-3")
        form = client.get(url, params=params)
        assert form.status_code == 200, form.text[:1500]
        typed = _as_form(DOC_TYPES["prior_notice"], DOC_TYPES["prior_notice"].sample)
        data = {"csrf": _csrf(form.text), **typed, "sign_approver": HEAD}
        issued = client.post(url, params=params, data=data, follow_redirects=False)
        assert issued.status_code == 303, issued.text[:3000]
        seq = int(issued.headers["location"].rsplit("#seq-", 1)[1])
        fields, pdf = _doc(app, seq)
        assert [s["role"] for s in fields["signatures"]] == ["approver", "seal"]
        assert all(s.valid for s in signing.validate_pdf(pdf, signing.ca_pem(app)))
        page = client.get(f"/cases/{CASE}").text
        assert "机关印章 某区文化和旅游局" in page and "加盖电子印章（有效）" in page
