"""The dossier's own pages (cover, 卷内文件目录, journal listing, 备考表) as PDF.

They share the documents' templates folder, filters and fonts, so a dossier reads like the
forms bound into it; what goes on them is decided by ``services.dossier``.
"""

from __future__ import annotations

from html import escape
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from liuhen.documents import format as fmt
from liuhen.documents import render

_ENV = Environment(
    loader=FileSystemLoader(render.TEMPLATES),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_ENV.filters.update(cn_date=fmt.cn_date, cn_datetime=fmt.cn_datetime, lines=fmt.lines)
PARTS = ("front", "back", "gone", "missing")
# A transparent A4 sheet carrying one line at the top margin, stamped over a copied page.
_NOTE = """<!doctype html><html><head><meta charset="utf-8"><style>
@page {{ size: A4; margin: 0; }}
html, body {{ margin: 0; }}
body {{ font-family: "Noto Sans CJK SC", "Noto Serif CJK SC", sans-serif; }}
.note {{ position: absolute; top: 8mm; left: 15mm; right: 15mm; text-align: center;
        color: #a01414; font-size: 8.5pt; line-height: 1.4; border: 0.6pt solid #a01414;
        padding: 0.8mm 2mm; }}
</style></head><body><div class="note">{text}</div></body></html>
"""


def render_part(part: str, context: dict[str, Any]) -> bytes:
    """One part of the dossier as an A4 PDF with its fonts embedded."""
    if part not in PARTS:
        raise ValueError(f"unknown dossier part {part}")
    html = _ENV.get_template("dossier.html").render({**context, "part": part})
    pdf: bytes = render.weasyprint_html()(string=html, base_url=str(render.TEMPLATES)).write_pdf()
    return pdf


def copy_note(text: str) -> bytes:
    """One A4 page, blank but for ``text`` boxed in the top margin: stamped on copied pages."""
    html = _NOTE.format(text=escape(text))
    pdf: bytes = render.weasyprint_html()(string=html).write_pdf()
    return pdf
