"""A signer's box (opinion, name, date) drawn as his signature's appearance: found by the
form's anchors, readable by pdftotext, and every signature, earlier ones included, still valid
(ours and poppler's pdfsig agree)."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from liuhen.documents.render import weasyprint_html  # WeasyPrint without its Pillow side effect
from liuhen.signing.appearance import Stamp, box_size_mm, find_box
from liuhen.signing.ca import CertificateAuthority
from liuhen.signing.pdf import sign, validate

NOW = datetime(2026, 12, 1, tzinfo=UTC)
FORM = """<html><head><style>@page{size:A4;margin:20mm}
body{font-family:'Noto Serif CJK SC'} .box{position:relative;border:1px solid #000;height:30mm}
.end{position:absolute;right:0;bottom:0;width:0;height:0}</style></head><body>
<h1>行政处罚审批表</h1><p>承办人意见：建议罚款伍仟元。</p><p>负责人意见：</p>
<div class="box" id="box-approver"><span class="end" id="box-approver-end"></span></div>
</body></html>"""


def _stamp_pdf(width_mm: float, height_mm: float, text: str) -> bytes:
    html = (f"<html><head><style>@page{{size:{width_mm}mm {height_mm}mm;margin:2mm}}"
            "body{font-family:'Noto Serif CJK SC';font-size:11pt}</style></head>"
            f"<body>{text}</body></html>")  # fmt: skip
    return bytes(weasyprint_html()(string=html).write_pdf())


@pytest.fixture
def ca(tmp_path: Path) -> CertificateAuthority:
    authority = CertificateAuthority(tmp_path / "keys")
    authority.create("某区文化和旅游局", NOW)
    for cert_no, name in (("11010023", "周立衡"), ("11010101", "贺建国")):
        authority.issue(cert_no, name, NOW)
    return authority


def _keys(ca: CertificateAuthority, cert_no: str) -> tuple[bytes, bytes]:
    key_path, cert_path = ca.person_paths(cert_no)
    return key_path.read_bytes(), cert_path.read_bytes()


def test_box_is_found_from_the_anchors() -> None:
    pdf = bytes(weasyprint_html()(string=FORM).write_pdf())
    box = find_box(pdf, "box-approver")
    assert box is not None and box.page == 0
    width, height = box_size_mm(box)
    assert 165 < width < 171  # A4 less 2 × 20 mm margins
    assert 29 < height < 31
    assert find_box(pdf, "box-reviewer") is None


def test_opinion_in_the_box_keeps_the_earlier_signature_valid(
    ca: CertificateAuthority, tmp_path: Path
) -> None:
    ca_pem = ca.cert_path.read_bytes()
    pdf = bytes(weasyprint_html()(string=FORM).write_pdf())
    pdf = sign(pdf, *_keys(ca, "11010023"), ca_pem, "sig1-officer", "制作", "周立衡")
    box = find_box(pdf, "box-approver")
    assert box is not None
    text = "同意。按法制审核意见处罚。<br>负责人（签名）：贺建国　2026年12月1日"
    stamp = Stamp(box, _stamp_pdf(*box_size_mm(box), text))
    pdf = sign(pdf, *_keys(ca, "11010101"), ca_pem, "sig2-approver", "批准", "贺建国", stamp)

    statuses = validate(pdf, ca_pem)
    assert [s.serial_number for s in statuses] == ["11010023", "11010101"]
    assert all(s.valid for s in statuses), statuses

    path = tmp_path / "approved.pdf"
    path.write_bytes(pdf)
    words = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
    assert "同意。按法制审核意见处罚。" in words
    assert "贺建国" in words and "2026年12月1日" in words
    report = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True).stdout
    assert report.count("Signature Validation: Signature is Valid.") == 2
