"""Media adapter: the only place that touches FFmpeg (PyAV) and Pillow.

Everything else in liuhen sees evidence files through three calls: ``probe`` (what is it,
when and where was it recorded, is it whole), ``make_thumbnail`` and ``make_proxy``. Keeping
the libraries behind this boundary lets jobs and the upload path share one set of rules for
damaged files: the original is stored and flagged, derived files are refused.
"""

from __future__ import annotations

from liuhen.evidence.media.errors import MediaError
from liuhen.evidence.media.info import GeoPoint, MediaInfo, MediaKind
from liuhen.evidence.media.probe import probe
from liuhen.evidence.media.proxy import make_proxy
from liuhen.evidence.media.thumbnail import make_thumbnail

__all__ = [
    "GeoPoint",
    "MediaError",
    "MediaInfo",
    "MediaKind",
    "make_proxy",
    "make_thumbnail",
    "probe",
]
