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

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from liuhen.access.policy import User
from liuhen.accounts import guard
from liuhen.accounts.service import AuthError, record_access
from liuhen.errors import NotFoundError
from liuhen.evidence import schemas
from liuhen.evidence import service as evidence
from liuhen.kernel.instance import App
from liuhen.web.files import DOWNLOAD, serve_blob
from liuhen.web.openapi import file_responses

MAX_PAGE = 100_000  # deeper than any agency's list; keeps SQL offsets in range
# what ``serve_blob`` may answer an original with: the inline-safe types, else a download
ORIGINAL_TYPES = ("video/*", "audio/*", "image/*", "application/pdf", DOWNLOAD)


def _journal_download(app: App, request: Request, row: schemas.MediaRow, purpose: str) -> None:
    """Opening a file bound to a case is an access to that case's record (003 第二十四条)."""
    user = getattr(request.state, "user", None)
    if user is not None and row.case_number:
        record_access(
            app,
            user,
            row.case_number,
            purpose,
            materials=[row.name],
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
    r = APIRouter(prefix="/api/v1/media", tags=["音像资料"])
    _list_routes(r, app)
    _file_routes(r, app, [Depends(guard.file())])
    return r


def _row(app: App, digest: str) -> schemas.MediaRow:
    row = evidence.media_row(app, digest)
    if row is None:
        raise NotFoundError(f"未找到文件 {digest}")
    return row


def _list_routes(r: APIRouter, app: App) -> None:
    @r.get(
        "",
        response_model=schemas.MediaPage,
        response_model_exclude_unset=True,
        summary="音像资料列表（按机构、设备、人员、案件、当事人分类，分页）",
    )
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
    ) -> schemas.MediaPage:
        return evidence.list_media(
            app, page=page, per_page=per_page, unbound=unbound, unit=unit, device_no=device_no,
            officer=officer, case_number=case_number, party=party, kind=kind,
            scope=visible_to(app, _user(request)),
        )  # fmt: skip

    @r.get(
        "/todo",
        response_model=schemas.MediaPage,
        response_model_exclude_unset=True,
        summary="待归档：存储超过一天仍未归入案件的音像资料",
    )
    def todo(
        request: Request,
        officer: str | None = None,
        page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
        per_page: Annotated[int, Query(ge=1, le=200)] = 50,
    ) -> schemas.MediaPage:
        cutoff = (app.clock.now() - timedelta(days=1)).isoformat()
        return evidence.list_media(
            app, page=page, per_page=per_page, unbound=True, older_than=cutoff, officer=officer,
            scope=visible_to(app, _user(request)),
        )  # fmt: skip


def _file_routes(r: APIRouter, app: App, file_guard: list[Any]) -> None:
    @r.get(
        "/{digest}",
        dependencies=file_guard,
        response_model=schemas.MediaRow,
        response_model_exclude_unset=True,
        summary="一个文件的元数据",
    )
    def show(digest: str, request: Request) -> schemas.MediaRow:
        return _row(app, digest)

    @r.get(
        "/{digest}/content",
        dependencies=file_guard,
        response_class=Response,
        responses=file_responses(*ORIGINAL_TYPES),
        summary="原始文件（支持 Range）",
    )
    def content(digest: str, request: Request) -> Response:
        row = _row(app, digest)
        _journal_download(app, request, row, "下载原始音像文件")
        return serve_blob(app, digest, row.media_type or DOWNLOAD, request, row.name)

    @r.get(
        "/{digest}/proxy",
        dependencies=file_guard,
        response_class=Response,
        responses=file_responses("video/mp4"),
        summary="浏览器可播放的副本（H.264/AAC MP4，支持 Range）",
    )
    def proxy(digest: str, request: Request) -> Response:
        row = _row(app, digest)
        if not row.proxy:
            raise NotFoundError("该文件没有浏览用副本（尚未生成，或不是音视频）")
        if not request.headers.get("Range", "").startswith("bytes=") or request.headers.get(
            "Range", ""
        ).startswith("bytes=0-"):
            _journal_download(app, request, row, "在线播放音像记录")  # once per playback
        return serve_blob(app, row.proxy, "video/mp4", request)

    @r.get(
        "/{digest}/thumbnail",
        dependencies=file_guard,
        response_class=Response,
        responses=file_responses("image/jpeg"),
        summary="缩略图（JPEG）",
    )
    def thumbnail(digest: str, request: Request) -> Response:
        row = _row(app, digest)
        if not row.thumbnail:
            raise NotFoundError("该文件没有缩略图")
        return serve_blob(app, row.thumbnail, "image/jpeg", request)
