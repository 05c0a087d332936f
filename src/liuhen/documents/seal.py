"""The agency's electronic seal (电子印章) on the decisions and notices it issues.

On paper the agency stamps its red round seal over its name and the date at the foot of a
decision. Here the seal is the agency's own PAdES signature, made with its seal key (issued by
the instance CA, journaled as ``seal:<agency code>``: ``signing.service.issue_seal``), whose
appearance is the seal's image drawn over that place: the form marks it with the ``box-seal``
anchors (``print/macros.html`` ``seal``). It is the last signature, applied once nobody's block
is left to sign (the head's approval comes first), so it covers every signature before it; a
form without the anchors carries no seal.

The image is drawn, not stored: the usual 42 mm red circle, a five-pointed star in the middle
and the agency's name along the upper arc, as an SVG page WeasyPrint renders at the box's size.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

from cryptography import x509
from sqlalchemy import select

from liuhen.documents.render import TEMPLATES, weasyprint_html
from liuhen.documents.types import PADES, SEAL, pending_blocks
from liuhen.errors import IntegrityError, Problem, ValidationError
from liuhen.kernel.db import store
from liuhen.kernel.instance import App
from liuhen.payloads import JsonObject
from liuhen.signing import service as signing

ANCHOR = "box-seal"
REASON = "加盖机关电子印章"
DIAMETER_MM = 42.0
RED = "#d7000f"
# the name's characters spread over an arc of this many degrees: a short name spaced out to the
# smaller, a long one set smaller to fit the larger
ARC_MIN_DEG, ARC_MAX_DEG = 120.0, 240.0


def _star(cx: float, cy: float, r: float) -> str:
    """A five-pointed star's polygon points, one point up."""
    points = []
    for i in range(10):
        radius = r if i % 2 == 0 else r * 0.382
        angle = math.radians(-90 + 36 * i)
        points.append(f"{cx + radius * math.cos(angle):.3f},{cy + radius * math.sin(angle):.3f}")
    return " ".join(points)


def seal_svg(name: str, size_mm: float = DIAMETER_MM, below: str = "") -> str:
    """The seal as SVG in millimetres: ring, star, ``name`` along the upper arc (its characters
    upright to the centre, as a seal-maker cuts them) and ``below`` straight under the star."""
    r = size_mm / 2
    ring = size_mm * 0.028  # ~1.2 mm at 42 mm
    chars = [c for c in name if not c.isspace()] or ["　"]
    n = len(chars)
    text_r = r - ring - size_mm * 0.02  # the characters' outer edge
    # type: as large as the arc allows (at most a sixth of the seal), then spread evenly
    size = min(size_mm * 0.165, text_r * math.radians(ARC_MAX_DEG) / max(n, 1) * 0.92)
    centre_r = text_r - size / 2
    natural = math.degrees(size * 1.08 / centre_r)
    arc = min(max(natural * (n - 1), ARC_MIN_DEG if n > 2 else 0.0), ARC_MAX_DEG)
    step = arc / max(n - 1, 1)
    first = -step * (n - 1) / 2
    glyphs = []
    for i, ch in enumerate(chars):
        a = first + step * i
        x = r + centre_r * math.sin(math.radians(a))
        y = r - centre_r * math.cos(math.radians(a))
        glyphs.append(
            f'<text transform="translate({x:.3f},{y:.3f}) rotate({a:.3f})" x="0" '
            f'y="{size * 0.36:.3f}" font-size="{size:.3f}" text-anchor="middle">{escape(ch)}</text>'
        )
    under = ""
    if below:
        small = min(size_mm * 0.09, size_mm * 0.5 / max(len(below), 1))
        under = (
            f'<text x="{r:.3f}" y="{r + size_mm * 0.31:.3f}" font-size="{small:.3f}" '
            f'text-anchor="middle">{escape(below)}</text>'
        )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size_mm}mm" height="{size_mm}mm" '
        f'viewBox="0 0 {size_mm} {size_mm}">'
        f'<circle cx="{r}" cy="{r}" r="{r - ring / 2:.3f}" fill="none" stroke="{RED}" '
        f'stroke-width="{ring:.3f}"/>'
        f'<polygon points="{_star(r, r, size_mm * 0.16)}" fill="{RED}"/>'
        f'<g fill="{RED}" font-family="Noto Sans CJK SC" font-weight="bold">'
        f"{''.join(glyphs)}{under}</g></svg>"
    )


def seal_pdf(name: str, width_mm: float, height_mm: float, below: str = "") -> bytes:
    """One transparent page of ``width_mm`` × ``height_mm`` with the seal centred on it."""
    side = min(DIAMETER_MM, width_mm, height_mm)
    html = (
        "<html><head><meta charset='utf-8'><style>"
        f"@page {{ size: {width_mm:.2f}mm {height_mm:.2f}mm; margin: 0 }}"
        "html, body { margin: 0; }"
        f"svg {{ position: absolute; left: {(width_mm - side) / 2:.2f}mm;"
        f" top: {(height_mm - side) / 2:.2f}mm; }}"
        f"</style></head><body>{seal_svg(name, side, below)}</body></html>"
    )
    pdf: bytes = weasyprint_html()(string=html, base_url=str(TEMPLATES)).write_pdf()
    return pdf


def agency_of(app: App, case: str) -> tuple[str, str] | None:
    """(code, name) of the agency the case belongs to; None for a case of no registered one."""
    case_t, unit_t, agency_t = store.CASE, store.UNIT, store.AGENCY
    with app.engine.connect() as conn:
        row = conn.execute(
            select(agency_t.c.code, agency_t.c.name)
            .select_from(case_t.join(unit_t, unit_t.c.code == case_t.c.unit)
                         .join(agency_t, agency_t.c.code == unit_t.c.agency))
            .where(case_t.c.number == case)
        ).first()  # fmt: skip
    return (str(row.code), str(row.name)) if row else None


def _no_seal(name: str) -> ValidationError:
    why = (
        f"{name}尚未签发电子印章，决定书、通知书不能用印：请系统管理员在“系统管理—密钥与证书”"
        "中为本机关签发电子印章（或运行 liuhen ca seal 机关编码）"
    )
    return ValidationError(why, [Problem(why, "seal", label="机关印章", kind="signature")])


def affix_seal(
    app: App,
    agency: tuple[str, str] | None,
    doc_type: str,
    pdf: bytes,
    signatures: Sequence[JsonObject],
    at: str,
    approved: bool = True,
) -> tuple[bytes, list[JsonObject]]:
    """The PDF sealed by ``agency`` (code, name: ``agency_of`` the case), with the seal as the
    entry's signatures record it; unchanged (and no record) for a form that carries no seal,
    one still waiting for a reviewer's or approver's block, one its approver did not approve,
    or one already sealed.

    Refused (``ValidationError``) for a sealed form whose agency has no seal key yet, even
    while it waits for the head: better told when it is issued than when he approves.
    """
    box = signing.find_box(pdf, ANCHOR)
    if box is None or any(s.get("role") == SEAL for s in signatures):
        return pdf, []
    key = signing.seal_key(app, agency[0]) if agency else None
    if agency is None or key is None:
        raise _no_seal(agency[1] if agency else "本案的执法机关")
    if pending_blocks(doc_type, signatures) or not approved:
        return pdf, []
    code, name = agency
    ca_pem = signing.ca_pem(app)
    before = len(signing.validate_pdf(pdf, ca_pem, app.clock.now()))
    width, height = signing.box_size_mm(box)
    stamp = signing.Stamp(box, seal_pdf(name, width, height))
    key_pem, cert_pem = key
    sealed = signing.sign_pdf(
        pdf, key_pem, cert_pem, ca_pem, f"sig{before + 1}-{SEAL}", REASON, name, stamp
    )
    statuses = signing.validate_pdf(sealed, ca_pem, app.clock.now())
    if len(statuses) != before + 1 or not all(s.valid for s in statuses):
        raise IntegrityError("文书用印后签名验证未通过，未记录")
    return sealed, [{
        "role": SEAL, "name": name, "agency": code, "signed_at": at, "method": PADES,
        "valid": "有效", "certificate": format(_serial(cert_pem), "x"),
    }]  # fmt: skip


def _serial(cert_pem: bytes) -> int:
    return int(x509.load_pem_x509_certificate(cert_pem).serial_number)
