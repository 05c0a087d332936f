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


def _flatten(writer: pypdf.PdfWriter, page: pypdf.PageObject, annot: DictionaryObject) -> None:
    """Draw a widget's normal appearance (an opinion box, the agency's seal) into the page's
    own content, where the widget showed it (nothing for a widget without one)."""
    g = pypdf.generic
    ap = annot.get("/AP")
    normal = ap.get_object().get("/N") if ap is not None else None
    stream = normal.get_object() if normal is not None else None
    rect = annot.get("/Rect")
    if not isinstance(stream, g.StreamObject) or rect is None:
        return
    r = [float(v) for v in rect.get_object()]
    (x1, x2), (y1, y2) = sorted(r[0::2]), sorted(r[1::2])  # corners in either order (pyHanko's
    b = [float(v) for v in stream.get("/BBox", [0, 0, x2 - x1, y2 - y1])]  # BBox runs down)
    (bx1, bx2), (by1, by2) = sorted(b[0::2]), sorted(b[1::2])
    if bx2 <= bx1 or by2 <= by1 or x2 <= x1 or y2 <= y1:
        return
    sx, sy = (x2 - x1) / (bx2 - bx1), (y2 - y1) / (by2 - by1)
    resources = page.get("/Resources")
    resources = resources.get_object() if resources is not None else g.DictionaryObject()
    page[g.NameObject("/Resources")] = resources
    xobjects = resources.get("/XObject")
    xobjects = xobjects.get_object() if xobjects is not None else g.DictionaryObject()
    resources[g.NameObject("/XObject")] = xobjects
    name = g.NameObject(f"/LiuhenSig{len(xobjects)}")
    xobjects[name] = normal if isinstance(normal, g.IndirectObject) else writer._add_object(stream)
    # the page's own drawing may leave its coordinates changed (WeasyPrint flips them): it runs
    # inside q … Q, the appearance after it in the page's default space
    before, after = g.DecodedStreamObject(), g.DecodedStreamObject()
    before.set_data(b"q\n")
    at = f"{sx:.6f} 0 0 {sy:.6f} {x1 - bx1 * sx:.4f} {y1 - by1 * sy:.4f}"
    after.set_data(f"\nQ q {at} cm {name} Do Q\n".encode())
    contents = page.get("/Contents")
    parts = contents.get_object() if contents is not None else g.ArrayObject()
    parts = list(parts) if isinstance(parts, g.ArrayObject) else [contents]
    page[g.NameObject("/Contents")] = g.ArrayObject(
        [writer._add_object(before), *parts, writer._add_object(after)]
    )


def without_signatures(writer: pypdf.PdfWriter) -> int:
    """Remove every signature field and its widgets from a copy; how many widgets went.

    The copy keeps each page's printed content (the signature blocks as rendered) and what
    the signatures drew (an opinion in its box, the agency's seal: ``_flatten``); what goes is
    the form machinery (/AcroForm, /Perms, /Sig widgets) whose byte ranges point into the
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
                _flatten(writer, page, annot)
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
