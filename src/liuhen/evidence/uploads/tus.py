"""The tus 1.0 protocol (core, creation, termination) at ``/api/v1/uploads``.

Standard clients (tus-js-client in the browser, tuspy at collection stations) work unchanged.
The request body is received on the event loop and handed, in blocks of about a megabyte, to a
worker thread that writes and hashes it, so receiving, hashing and writing overlap.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
from dataclasses import dataclass
from typing import Any

import anyio
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream
from fastapi import APIRouter, Request, Response
from starlette.requests import ClientDisconnect

from liuhen.access.policy import User
from liuhen.accounts.service import AuthError
from liuhen.errors import LiuhenError, NotFoundError, Problem, ValidationError
from liuhen.evidence.schemas import UploadStatus
from liuhen.evidence.uploads.service import Uploads, UploadState
from liuhen.web.openapi import header

TUS_VERSION = "1.0.0"
EXTENSIONS = "creation,termination"
BLOCK = 1 << 20
# The headers each tus answer carries (its body is empty), for /openapi.json
RESUMABLE = header("tus 协议版本 1.0.0", required=True)
DIGEST_HEADER = header("上传完成时：文件的摘要（sha256:…）")
CAPABILITIES = {
    "Tus-Resumable": RESUMABLE,
    "Tus-Version": header("支持的 tus 版本", required=True),
    "Tus-Extension": header("支持的扩展：creation,termination", required=True),
    "Tus-Max-Size": header("单个文件的最大字节数", "integer", required=True),
}
CREATED = {
    "Tus-Resumable": RESUMABLE,
    "Location": header("新上传的地址 /api/v1/uploads/{upload_id}", required=True),
    "Upload-Offset": header("已接收的字节数：0", "integer", required=True),
}
OFFSET = {
    "Tus-Resumable": RESUMABLE,
    "Upload-Offset": header("已接收的字节数", "integer", required=True),
    "Upload-Length": header("文件的总字节数", "integer", required=True),
    "Cache-Control": header("no-store", required=True),
    "Liuhen-Digest": DIGEST_HEADER,
}
WRITTEN = {
    "Tus-Resumable": RESUMABLE,
    "Upload-Offset": header("已接收的字节数", "integer", required=True),
    "Liuhen-Digest": DIGEST_HEADER,
}


def _headers(**extra: str) -> dict[str, str]:
    return {"Tus-Resumable": TUS_VERSION, **extra}


def parse_metadata(header: str | None) -> dict[str, str]:
    """``key base64,key2 base64`` → dict; a value that is not base64 is refused."""
    out: dict[str, str] = {}
    if not header:
        return out
    for pair in header.split(","):
        pair = pair.strip()
        if not pair:
            continue
        key, _, value = pair.partition(" ")
        try:
            out[key] = base64.b64decode(value, validate=True).decode("utf-8") if value else ""
        except (binascii.Error, UnicodeDecodeError):
            raise ValidationError(
                "Upload-Metadata 无效", [Problem("值应为 base64 编码的 UTF-8", f"metadata.{key}")]
            ) from None
    return out


def _check_version(request: Request) -> None:
    if request.headers.get("Tus-Resumable") != TUS_VERSION:
        err = LiuhenError(f"需要 Tus-Resumable: {TUS_VERSION}", code="LH143", http_status=412)
        raise err


def _user(request: Request) -> User:
    """The signed-in caller (the router is mounted behind sign-in)."""
    user = getattr(request.state, "user", None)
    if not isinstance(user, User) or not user.username:
        raise AuthError("请先登录")
    return user


def router(uploads: Uploads, max_size: int) -> APIRouter:
    r = APIRouter(prefix="/api/v1/uploads", tags=["上传"])
    _capability_route(r, max_size)
    _creation_route(r, uploads)
    _state_routes(r, uploads)
    _patch_route(r, uploads)
    _termination_route(r, uploads)
    return r


def _own(uploads: Uploads, upload_id: str, request: Request) -> UploadState:
    """The caller's own upload; someone else's is not found (its id is no password)."""
    st = uploads.get(upload_id)
    if not st.visible_to(_user(request)):
        raise NotFoundError("上传不存在")
    return st


def _capability_route(r: APIRouter, max_size: int) -> None:
    @r.options(
        "",
        status_code=204,
        response_class=Response,
        responses={
            204: {"description": "本服务的 tus 版本、扩展与大小上限", "headers": CAPABILITIES}
        },
        summary="tus 能力",
    )
    @r.options("/{upload_id}", include_in_schema=False)
    def options(upload_id: str = "") -> Response:
        return Response(
            status_code=204,
            headers=_headers(
                **{"Tus-Version": TUS_VERSION, "Tus-Extension": EXTENSIONS,
                   "Tus-Max-Size": str(max_size)}
            ),
        )  # fmt: skip


def _creation_route(r: APIRouter, uploads: Uploads) -> None:
    @r.post(
        "",
        status_code=201,
        response_class=Response,
        responses={
            201: {"description": "已创建：Location 是上传地址，无响应体", "headers": CREATED}
        },
        summary="创建上传（tus creation）",
    )
    def create(request: Request) -> Response:
        _check_version(request)
        length_text = request.headers.get("Upload-Length", "")
        if not length_text.isdigit() or len(length_text) > 18:
            raise ValidationError("缺少或无效的 Upload-Length（本服务不支持 Upload-Defer-Length）")
        st = uploads.create(
            int(length_text), parse_metadata(request.headers.get("Upload-Metadata")),
            _user(request),
        )  # fmt: skip
        return Response(
            status_code=201,
            headers=_headers(Location=f"/api/v1/uploads/{st.id}", **{"Upload-Offset": "0"}),
        )


def _state_routes(r: APIRouter, uploads: Uploads) -> None:
    @r.head(
        "/{upload_id}",
        response_class=Response,
        responses={200: {"description": "已接收的偏移与总长度，无响应体", "headers": OFFSET}},
        summary="查询已接收的偏移",
    )
    def head(upload_id: str, request: Request) -> Response:
        _check_version(request)
        _own(uploads, upload_id, request)
        st = uploads.settled(upload_id)  # after an interrupted PATCH has recorded its bytes
        if st.status in ("terminated", "refused"):
            return Response(status_code=410, headers=_headers())
        headers = _headers(
            **{"Upload-Offset": str(st.offset), "Upload-Length": str(st.length),
               "Cache-Control": "no-store"}
        )  # fmt: skip
        if st.digest and st.status == "complete":
            headers["Liuhen-Digest"] = st.digest
        return Response(status_code=200, headers=headers)

    @r.get("/{upload_id}", response_model=UploadStatus, summary="上传状态与文件摘要（JSON）")
    def status(upload_id: str, request: Request) -> UploadStatus:
        """``status`` is active, storing, complete, failed (stored but not bound to the case
        named: ``error`` says why), refused or terminated."""
        return _own(uploads, upload_id, request).public()


def _patch_route(r: APIRouter, uploads: Uploads) -> None:
    @r.patch(
        "/{upload_id}",
        status_code=204,
        response_class=Response,
        responses={204: {"description": "已写入：新的偏移", "headers": WRITTEN}},
        summary="续传数据（tus core）",
    )
    async def patch(upload_id: str, request: Request) -> Response:
        offset = _patch_offset(request)
        _own(uploads, upload_id, request)
        st = await _receive(uploads, upload_id, offset, request)
        headers = _headers(**{"Upload-Offset": str(st.offset)})
        if st.status == "complete" and st.digest:
            headers["Liuhen-Digest"] = st.digest
        return Response(status_code=204, headers=headers)


def _patch_offset(request: Request) -> int:
    """A PATCH's version, content type and offset checked, before the upload is looked up."""
    _check_version(request)
    if request.headers.get("Content-Type") != "application/offset+octet-stream":
        raise LiuhenError(
            "Content-Type 应为 application/offset+octet-stream", code="LH144", http_status=415
        )
    offset_text = request.headers.get("Upload-Offset", "")
    if not offset_text.isdigit() or len(offset_text) > 18:
        raise ValidationError("缺少或无效的 Upload-Offset")
    return int(offset_text)


@dataclass(slots=True)
class _Outcome:
    """What the writer thread ended with: the upload's state, or the error to raise."""

    state: UploadState | None = None
    error: BaseException | None = None


async def _receive(uploads: Uploads, upload_id: str, offset: int, request: Request) -> UploadState:
    """The body handed in blocks to a worker thread that writes and hashes it."""
    send, receive = anyio.create_memory_object_stream[bytearray](4)

    def consume(stream: MemoryObjectReceiveStream[bytearray]) -> UploadState:
        def blocks() -> Any:
            while True:
                try:
                    yield anyio.from_thread.run(stream.receive)
                except anyio.EndOfStream:
                    return

        return uploads.write(upload_id, offset, blocks())

    result = _Outcome()

    async def run_writer() -> None:
        try:
            result.state = await anyio.to_thread.run_sync(consume, receive)
        except BaseException as exc:  # re-raised after the body is drained
            result.error = exc
            async with receive:
                pass

    async with anyio.create_task_group() as tg:
        tg.start_soon(run_writer)
        await _pump(request, send)
    if result.error is not None:
        raise result.error
    assert result.state is not None
    return result.state


async def _pump(request: Request, send: MemoryObjectSendStream[bytearray]) -> None:
    """Hand the body over in blocks of about BLOCK bytes, then close the stream."""
    async with send:
        buffer = bytearray()
        try:
            async for chunk in request.stream():
                buffer += chunk
                if len(buffer) >= BLOCK:
                    try:
                        await send.send(buffer)  # handed over, not copied
                    except (anyio.BrokenResourceError, anyio.ClosedResourceError):
                        break  # the writer refused; its error is reported below
                    buffer = bytearray()
        except ClientDisconnect:
            pass  # keep what arrived; the client resumes from HEAD's offset
        if buffer:
            with contextlib.suppress(anyio.BrokenResourceError, anyio.ClosedResourceError):
                await send.send(buffer)


def _termination_route(r: APIRouter, uploads: Uploads) -> None:
    @r.delete(
        "/{upload_id}",
        status_code=204,
        response_class=Response,
        responses={204: {"description": "已终止", "headers": {"Tus-Resumable": RESUMABLE}}},
        summary="终止上传（tus termination）",
    )
    def terminate(upload_id: str, request: Request) -> Response:
        _check_version(request)
        _own(uploads, upload_id, request)
        uploads.terminate(upload_id)
        return Response(status_code=204, headers=_headers())
