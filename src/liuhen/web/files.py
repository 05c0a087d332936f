"""Serving stored files to browsers: ranges, and inline only for types that cannot run script.

Every feature that hands out a file (media, documents, dossiers) goes through ``serve_blob`` so
the rule for what a browser may render in place is written once.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import Response, StreamingResponse

from liuhen.errors import LiuhenError
from liuhen.kernel.instance import App

# 18 digits stay below 2**63 (a 1 EB file); longer numbers are refused before int() reads them
_RANGE = re.compile(r"^bytes=(\d{0,18})-(\d{0,18})$")
# types a browser renders without running script; SVG is XML that may carry script
_INLINE = re.compile(r"^(?:video|audio|image)/[a-z0-9][a-z0-9.+-]{0,80}$|^application/pdf$")
_NOT_INLINE = {"image/svg+xml"}
DOWNLOAD = "application/octet-stream"


def disposition(declared: str | None) -> tuple[str, str]:
    """(content type, ``inline`` or ``attachment``) for a stored file's declared type."""
    kind = (declared or "").strip().lower()
    if _INLINE.match(kind) and kind not in _NOT_INLINE:
        return kind, "inline"
    return DOWNLOAD, "attachment"


def _range(header: str | None, size: int) -> tuple[int, int] | None:
    """(start, end) inclusive for a single-range header, None for the whole file."""
    if not header:
        return None
    m = _RANGE.match(header.strip())
    if m is None or (not m.group(1) and not m.group(2)):
        raise LiuhenError("不支持的 Range 请求", code="LH145", http_status=416)
    if m.group(1):
        start = int(m.group(1))
        end = int(m.group(2)) if m.group(2) else size - 1
    else:  # suffix: the last N bytes
        start, end = max(0, size - int(m.group(2))), size - 1
    if start >= size or start > end:
        raise LiuhenError(f"范围超出文件大小 {size}", code="LH145", http_status=416)
    return start, min(end, size - 1)


def serve_blob(
    app: App, digest: str, media_type: str, request: Request, filename: str | None = None
) -> Response:
    """The file (or the requested range) as ``media_type`` if that is a safe inline type,
    else as a download; ``filename`` names the download."""
    size = app.blobs.size(digest)
    rng = _range(request.headers.get("Range"), size)
    media_type, how = disposition(media_type)
    headers = {
        "Accept-Ranges": "bytes",
        "Cache-Control": "private, max-age=31536000, immutable",
        "Content-Disposition": how
        + (f"; filename*=UTF-8''{quote(filename, safe='')}" if filename else ""),
    }
    if rng is None:
        headers["Content-Length"] = str(size)
        return StreamingResponse(app.blobs.read(digest), media_type=media_type, headers=headers)
    start, end = rng
    headers["Content-Range"] = f"bytes {start}-{end}/{size}"
    headers["Content-Length"] = str(end - start + 1)
    return StreamingResponse(
        app.blobs.read(digest, start, end), status_code=206, media_type=media_type,
        headers=headers,
    )  # fmt: skip
