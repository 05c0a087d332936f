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


# the form's own size first; a longer opinion is set smaller until it fits the box
FONT_SIZES_PT = (11, 10, 9, 8, 7, 6)


def box_html(
    width_mm: float,
    height_mm: float,
    opinion: str,
    label: str,
    name: str,
    day: str,
    size_pt: float = FONT_SIZES_PT[0],
) -> str:
    """One page of the box's size: the opinion from the top, the signer's line at the foot
    (kept clear of the opinion by a bottom padding of one line)."""
    lines = "".join(f"<p>{escape(line)}</p>" for line in fmt.lines(opinion))
    when = fmt.cn_date(day)
    return (
        "<html><head><meta charset='utf-8'><style>"
        f"@page {{ size: {width_mm:.2f}mm {height_mm:.2f}mm; margin: {MARGIN_MM}mm }}"
        "html { margin: 0; }"
        f"body {{ margin: 0; font-family: 'Noto Serif CJK SC'; font-size: {size_pt}pt;"
        " line-height: 1.5; padding-bottom: 1.6em; }"
        "p { margin: 0; text-align: justify; }"
        ".sign { position: fixed; right: 0.5mm; bottom: 0; white-space: nowrap; }"
        "</style></head><body>"
        f"{lines}<div class='sign'>{escape(label)}（签名）：{escape(name)}　{escape(when)}</div>"
        "</body></html>"
    )


class TooLong(ValueError):
    """The opinion does not fit its box even in the smallest type."""


def for_block(
    pdf: bytes, block: str, opinion: str, label: str, name: str, day: date
) -> signing.Stamp | None:
    """The appearance of ``block``'s signature in its box, or None when the form has no box
    for it (an older document, a form that prints no such row): then it is signed invisibly."""
    box = signing.find_box(pdf, BOX + block)
    if box is None:
        return None
    width, height = signing.box_size_mm(box)
    for size in FONT_SIZES_PT:
        html = box_html(width, height, opinion, label, name, day.isoformat(), size)
        document = weasyprint_html()(string=html, base_url=str(TEMPLATES)).render()
        if len(document.pages) == 1:
            page: bytes = document.write_pdf()
            return signing.Stamp(box, page)
    raise TooLong(f"意见过长，{label}意见栏的方框内写不下，请精简后再签署")
