"""Watermarked copies for parties: every page names who the copy was released to.

A copy handed to a party or lawyer (001 第二十一条) carries, across every page, the requester,
the approved request and the date, so a copy that turns up elsewhere says where it came from.
The overlay is rendered once by WeasyPrint (so CJK text uses the document fonts) and stamped
onto each page with pypdf. The signed original is never touched: the copy is a new file, and
its signatures no longer validate, which is right for a copy.
"""

from __future__ import annotations

import io
from html import escape

from pypdf import PdfReader, PdfWriter, Transformation

_OVERLAY = """<!doctype html><html><head><meta charset="utf-8"><style>
@page {{ size: A4; margin: 0; }}
html, body {{ margin: 0; }}
body {{ font-family: "Noto Sans CJK SC", "Noto Serif CJK SC", sans-serif; }}
.sheet {{ width: 210mm; height: 297mm; position: relative; overflow: hidden; }}
.mark {{ position: absolute; left: -30mm; width: 270mm; text-align: center;
        transform: rotate(-35deg); color: rgba(200, 30, 30, 0.18); font-size: 17pt;
        white-space: nowrap; }}
.foot {{ position: absolute; bottom: 6mm; left: 0; right: 0; text-align: center;
        color: rgba(160, 20, 20, 0.75); font-size: 8pt; }}
</style></head><body><div class="sheet">{marks}<div class="foot">{foot}</div></div></body></html>
"""


def overlay(text: str) -> bytes:
    """One A4 page: ``text`` repeated diagonally, and once plainly at the foot."""
    from liuhen.documents.render import _weasyprint_html

    line = escape(text)
    marks = "".join(
        f'<div class="mark" style="top:{top}mm">{line}</div>' for top in range(20, 290, 45)
    )
    return bytes(_weasyprint_html()(string=_OVERLAY.format(marks=marks, foot=line)).write_pdf())


def stamp(pdf: bytes, text: str) -> bytes:
    """``pdf`` with the watermark over every page, scaled to each page's size."""
    mark_page = PdfReader(io.BytesIO(overlay(text))).pages[0]
    mark_w, mark_h = float(mark_page.mediabox.width), float(mark_page.mediabox.height)
    writer = PdfWriter(clone_from=io.BytesIO(pdf))
    for page in writer.pages:
        box = page.mediabox
        scale = Transformation().scale(float(box.width) / mark_w, float(box.height) / mark_h)
        page.merge_transformed_page(
            mark_page, scale.translate(float(box.left), float(box.bottom)), over=True
        )
    writer.add_metadata({"/Subject": text})
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()
