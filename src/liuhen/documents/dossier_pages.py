"""The dossier's own pages (cover, 卷内文件目录, journal listing, 备考表) as PDF.

They share the documents' templates folder, filters and fonts, so a dossier reads like the
forms bound into it; what goes on them is decided by ``services.dossier``.
"""

from __future__ import annotations

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
PARTS = ("front", "back", "gone")


def render_part(part: str, context: dict[str, Any]) -> bytes:
    """One part of the dossier as an A4 PDF with its fonts embedded."""
    if part not in PARTS:
        raise ValueError(f"unknown dossier part {part}")
    html = _ENV.get_template("dossier.html").render({**context, "part": part})
    pdf: bytes = render._weasyprint_html()(string=html, base_url=str(render.TEMPLATES)).write_pdf()
    return pdf
