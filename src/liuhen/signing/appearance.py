"""Visible signatures: what a signer writes in his box (an opinion, his name, the date, the
agency's seal) drawn as the signature's own appearance.

A document is frozen once its first signature is on it, so a head's 负责人意见 cannot be
typed into the page afterwards. On paper he writes in the box and signs; here the box's
contents are the appearance of his PAdES signature, added in an incremental update, so the
earlier signatures still cover everything they signed and the opinion is bound to his key.
The printed form marks each box with two named anchors (its top-left and bottom-right corners,
WeasyPrint writes element ids as PDF named destinations), so the box is found in the PDF
itself rather than in coordinates kept beside the template.
"""

from __future__ import annotations

import binascii
import io
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from liuhen import lazy

if TYPE_CHECKING:
    import pypdf
    from pyhanko import stamp as pdf_stamp
    from pyhanko.pdf_utils import content, layout
    from pyhanko.pdf_utils import reader as pdf_reader
else:  # only signing needs these
    pypdf = lazy.module("pypdf")
    content = lazy.module("pyhanko.pdf_utils.content")
    layout = lazy.module("pyhanko.pdf_utils.layout")
    pdf_reader = lazy.module("pyhanko.pdf_utils.reader")
    pdf_stamp = lazy.module("pyhanko.stamp")

END = "-end"  # the bottom-right anchor of box ``x`` is ``x-end``


@dataclass(frozen=True, slots=True)
class Box:
    """A rectangle on one page of a PDF, in points from the page's lower-left corner."""

    page: int  # 0-based
    x1: float
    y1: float
    x2: float
    y2: float

    @property
    def width(self) -> float:
        return self.x2 - self.x1

    @property
    def height(self) -> float:
        return self.y2 - self.y1


@dataclass(frozen=True, slots=True)
class Stamp:
    """What to draw in ``box``: the first page of ``pdf``, scaled to the box (rendered at the
    box's size by the caller, so nothing is distorted)."""

    box: Box
    pdf: bytes


def find_box(pdf: bytes, anchor: str) -> Box | None:
    """The box between the named destinations ``anchor`` and ``anchor-end``; None when the
    document has no such box (a form without that block)."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    dests = reader.named_destinations
    start, end = dests.get(anchor), dests.get(anchor + END)
    if start is None or end is None:
        return None
    page = reader.get_destination_page_number(start)
    if page is None or reader.get_destination_page_number(end) != page:
        return None  # a box split over two pages cannot hold one appearance
    corners = (start.left, start.top, end.left, end.top)
    if any(c is None for c in corners):
        return None
    x1, y2, x2, y1 = (float(c) for c in corners if c is not None)
    if x2 <= x1 or y2 <= y1:
        return None
    return Box(page, x1, y1, x2, y2)


def box_size_mm(box: Box) -> tuple[float, float]:
    """The box's width and height in millimetres, the unit the stamp's page is rendered in."""
    return box.width * 25.4 / 72, box.height * 25.4 / 72


class _PdfPageBytes(content.PdfContent):
    """pyHanko's ImportedPdfPage reads a file; the stamp is rendered in memory."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        super().__init__()

    def render(self) -> bytes:
        writer = self._ensure_writer
        xobj = writer.import_page_as_xobject(pdf_reader.PdfFileReader(io.BytesIO(self.data)))
        name = "/Import" + binascii.hexlify(uuid.uuid4().bytes).decode("ascii")
        self.resources.xobject[name] = xobj
        x1, y1, x2, y2 = xobj.get_object()["/BBox"]
        self.box = layout.BoxConstraints(width=abs(x1 - x2), height=abs(y1 - y2))
        return name.encode("ascii") + b" Do"


def stamp_style(stamp: Stamp) -> pdf_stamp.StaticStampStyle:
    """The signature widget's appearance: the stamp's page, without pyHanko's border."""
    return pdf_stamp.StaticStampStyle(background=_PdfPageBytes(stamp.pdf), border_width=0)
