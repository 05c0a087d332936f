"""Media endpoints: metadata, classified lists, and byte ranges for playback.

Players seek with HTTP Range requests; answering them from the blob store lets a browser play
a gigabyte body-camera proxy without downloading it, while the original stays untouched.

A stored file's declared type is the uploader's claim, so only types a browser shows without
running anything (video, audio, raster images, PDF) are served inline; anything else is a
download (``attachment``, ``application/octet-stream``), and ``nosniff`` (which ``web.headers``
puts on every response) stops the browser from guessing otherwise. Who may list a file is
decided in SQL (a bound file by its case, an unbound one by the unit that stored it); who may
open one, by the file guard of ``web.guard``.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response, StreamingResponse

from liuhen.access.policy import User
from liuhen.access.service import AuthError
from liuhen.errors import LiuhenError, NotFoundError
from liuhen.evidence import service as evidence
from liuhen.services.instance import App
from liuhen.web import guard

MAX_PAGE = 100_000  # deeper than any agency's list; keeps SQL offsets in range
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


def _journal_download(app: App, request: Request, row: dict[str, Any], purpose: str) -> None:
    """Opening a file bound to a case is an access to that case's record (003 第二十四条)."""
    from liuhen.services.access_log import record_access

    user = getattr(request.state, "user", None)
    if user is not None and row.get("case_number"):
        record_access(
            app,
            user,
            row["case_number"],
            purpose,
            materials=[row["name"]],
            copied=purpose.startswith("下载"),
        )


def _user(request: Request) -> User:
    user = getattr(request.state, "user", None)
    if not isinstance(user, User):  # the router is mounted behind sign-in; never anonymous
        raise AuthError("请先登录")
    return user


def visible_to(app: App, user: User) -> evidence.MediaScope:
    """The files ``user`` may list (the pages' lists pass it to ``evidence.list_media``)."""
    return evidence.media_scope(app, user)


def router(app: App) -> APIRouter:
    """Lists are scoped in SQL (``visible_to``); a route naming a file declares the file guard,
    which resolves the digest to its case (visibility and marks) or, unbound, to its unit."""
    file_guard = [Depends(guard.file())]
    r = APIRouter(prefix="/api/v1/media", tags=["音像资料"])

    @r.get("", summary="音像资料列表（按机构、设备、人员、案件、当事人分类，分页）")
    def list_media(
        request: Request,
        page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
        per_page: Annotated[int, Query(ge=1, le=200)] = 50,
        unit: str | None = None,
        device_no: str | None = None,
        officer: str | None = None,
        case_number: str | None = None,
        party: str | None = None,
        kind: str | None = None,
        unbound: bool = False,
    ) -> dict[str, Any]:
        return evidence.list_media(
            app, page=page, per_page=per_page, unbound=unbound, unit=unit, device_no=device_no,
            officer=officer, case_number=case_number, party=party, kind=kind,
            scope=visible_to(app, _user(request)),
        )  # fmt: skip

    @r.get("/todo", summary="待归档：存储超过一天仍未归入案件的音像资料")
    def todo(
        request: Request,
        officer: str | None = None,
        page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
        per_page: Annotated[int, Query(ge=1, le=200)] = 50,
    ) -> dict[str, Any]:
        cutoff = (app.clock.now() - timedelta(days=1)).isoformat()
        return evidence.list_media(
            app, page=page, per_page=per_page, unbound=True, older_than=cutoff, officer=officer,
            scope=visible_to(app, _user(request)),
        )  # fmt: skip

    @r.get("/{digest}", dependencies=file_guard, summary="一个文件的元数据")
    def show(digest: str, request: Request) -> dict[str, Any]:
        row = evidence.media_row(app, digest)
        if row is None:
            raise NotFoundError(f"未找到文件 {digest}")
        return row

    @r.get("/{digest}/content", dependencies=file_guard, summary="原始文件（支持 Range）")
    def content(digest: str, request: Request) -> Response:
        row = evidence.media_row(app, digest)
        if row is None:
            raise NotFoundError(f"未找到文件 {digest}")
        _journal_download(app, request, row, "下载原始音像文件")
        return serve_blob(app, digest, row["media_type"] or DOWNLOAD, request, row["name"])

    @r.get(
        "/{digest}/proxy",
        dependencies=file_guard,
        summary="浏览器可播放的副本（H.264/AAC MP4，支持 Range）",
    )
    def proxy(digest: str, request: Request) -> Response:
        row = evidence.media_row(app, digest)
        if row is None:
            raise NotFoundError(f"未找到文件 {digest}")
        if not row["proxy"]:
            raise NotFoundError("该文件没有浏览用副本（尚未生成，或不是音视频）")
        if not request.headers.get("Range", "").startswith("bytes=") or request.headers.get(
            "Range", ""
        ).startswith("bytes=0-"):
            _journal_download(app, request, row, "在线播放音像记录")  # once per playback
        return serve_blob(app, row["proxy"], "video/mp4", request)

    @r.get("/{digest}/thumbnail", dependencies=file_guard, summary="缩略图（JPEG）")
    def thumbnail(digest: str, request: Request) -> Response:
        row = evidence.media_row(app, digest)
        if row is None:
            raise NotFoundError(f"未找到文件 {digest}")
        if not row["thumbnail"]:
            raise NotFoundError("该文件没有缩略图")
        return serve_blob(app, row["thumbnail"], "image/jpeg", request)

    return r
