"""Watermarked copies for parties: every page names who the copy was released to.

A copy handed to a party or lawyer (001 第二十一条) carries, across every page, the requester,
the approved request and the date, so a copy that turns up elsewhere says where it came from.
The overlay is rendered once by WeasyPrint (so CJK text uses the document fonts) and stamped
onto each page with pypdf. The signed original is never touched: the copy is a new file. The
original's signature fields are removed from the copy (``without_signatures``): their byte
ranges name the original file, so a validator opening the copy would report every signature as
altered, and a copy must not look like a forged original; the signatures stay on the original.
"""

from __future__ import annotations

import io
from html import escape
from typing import TYPE_CHECKING

from liuhen import lazy
from liuhen.documents.render import weasyprint_html

if TYPE_CHECKING:
    import pypdf
    from pypdf.generic import DictionaryObject
else:  # ~0.1 s of start-up that only copies and dossiers need
    pypdf = lazy.module("pypdf")

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
    line = escape(text)
    marks = "".join(
        f'<div class="mark" style="top:{top}mm">{line}</div>' for top in range(20, 290, 45)
    )
    return bytes(weasyprint_html()(string=_OVERLAY.format(marks=marks, foot=line)).write_pdf())


def _is_signature(annot: DictionaryObject) -> bool:
    """A signature field's widget: /FT /Sig on the widget or on the field it belongs to."""
    field: DictionaryObject | None = annot
    for _depth in range(8):  # fields nest through /Parent; a loop in a hostile file ends here
        if field is None:
            return False
        if field.get("/FT") == "/Sig":
            return True
        value = field.get("/V")
        value = value.get_object() if value is not None else None
        if isinstance(value, DictionaryObject) and value.get("/Type") == "/Sig":
            return True
        parent = field.get("/Parent")
        field = parent.get_object() if parent is not None else None
    return False


def without_signatures(writer: pypdf.PdfWriter) -> int:
    """Remove every signature field and its widgets from a copy; how many widgets went.

    The copy keeps each page's printed content (the signature blocks as rendered); what goes
    is the form machinery (/AcroForm, /Perms, /Sig widgets) whose byte ranges point into the
    original file and would make any validator call the copy an altered signed document.
    """
    removed = 0
    for page in writer.pages:
        annots = page.get("/Annots")
        if annots is None:
            continue
        kept = pypdf.generic.ArrayObject()
        for ref in annots.get_object():
            annot = ref.get_object()
            if isinstance(annot, pypdf.generic.DictionaryObject) and _is_signature(annot):
                removed += 1
            else:
                kept.append(ref)
        if kept:
            page[pypdf.generic.NameObject("/Annots")] = kept
        else:
            del page["/Annots"]
    root = writer.root_object
    if "/Perms" in root:  # DocMDP and UR3 permissions belong to the original's signatures
        del root["/Perms"]
    form = root.get("/AcroForm")
    if form is not None:
        form = form.get_object()
        fields = pypdf.generic.ArrayObject(
            f for f in form.get("/Fields") or [] if not _is_signature(f.get_object())
        )
        if fields:
            form[pypdf.generic.NameObject("/Fields")] = fields
            if "/SigFlags" in form:
                del form["/SigFlags"]
        else:
            del root["/AcroForm"]
    return removed


def stamp(pdf: bytes, text: str) -> bytes:
    """``pdf`` with the watermark over every page, scaled to each page's size."""
    mark_page = pypdf.PdfReader(io.BytesIO(overlay(text))).pages[0]
    mark_w, mark_h = float(mark_page.mediabox.width), float(mark_page.mediabox.height)
    writer = pypdf.PdfWriter(clone_from=io.BytesIO(pdf))
    without_signatures(writer)
    for page in writer.pages:
        box = page.mediabox
        scale = pypdf.Transformation().scale(float(box.width) / mark_w, float(box.height) / mark_h)
        page.merge_transformed_page(
            mark_page, scale.translate(float(box.left), float(box.bottom)), over=True
        )
    writer.add_metadata({"/Subject": text})
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()
