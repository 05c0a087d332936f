"""What a reviewer or approver writes in his box of a printed form, drawn as his signature.

The document was frozen by its first signature, so the head's 负责人意见 cannot be typed into
the page afterwards: the form leaves his box empty (``print/macros.html`` ``sign_box``) and his
countersignature's appearance fills it — his opinion, "负责人（签名）：贺建国" and the date — as
one small page rendered at the box's size (``signing.appearance``).
"""

from __future__ import annotations

from datetime import date
from html import escape

from liuhen.documents import format as fmt
from liuhen.documents.render import TEMPLATES, weasyprint_html
from liuhen.signing import service as signing

BOX = "box-"  # a block's box is ``box-<block>`` (and ``box-<block>-end``)
MARGIN_MM = 1.5


def box_html(
    width_mm: float, height_mm: float, opinion: str, label: str, name: str, day: str
) -> str:
    """One page of the box's size: the opinion from the top, the signer's line at the foot."""
    lines = "".join(f"<p>{escape(line)}</p>" for line in fmt.lines(opinion))
    when = fmt.cn_date(day)
    return (
        "<html><head><meta charset='utf-8'><style>"
        f"@page {{ size: {width_mm:.2f}mm {height_mm:.2f}mm; margin: {MARGIN_MM}mm }}"
        "html, body { margin: 0; height: 100%; }"
        "body { font-family: 'Noto Serif CJK SC'; font-size: 11pt; line-height: 1.5;"
        " position: relative; }"
        "p { margin: 0; text-align: justify; }"
        ".sign { position: absolute; right: 0; bottom: 0; white-space: nowrap; }"
        "</style></head><body>"
        f"{lines}<div class='sign'>{escape(label)}（签名）：{escape(name)}　{escape(when)}</div>"
        "</body></html>"
    )


def for_block(
    pdf: bytes, block: str, opinion: str, label: str, name: str, day: date
) -> signing.Stamp | None:
    """The appearance of ``block``'s signature in its box, or None when the form has no box
    for it (an older document, a form that prints no such row): then it is signed invisibly."""
    box = signing.find_box(pdf, BOX + block)
    if box is None:
        return None
    width, height = signing.box_size_mm(box)
    html = box_html(width, height, opinion, label, name, day.isoformat())
    page: bytes = weasyprint_html()(string=html, base_url=str(TEMPLATES)).write_pdf()
    return signing.Stamp(box, page)
