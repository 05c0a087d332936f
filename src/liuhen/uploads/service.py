"""Uploads in progress: bytes go to a staging file and through the hash in one pass.

State lives in the ``upload`` table and the staging file, never only in memory, so an upload
resumes from its last byte after a dropped connection or a server restart. Finishing is a small
state machine (``active`` → ``storing`` → ``complete``) whose every step can be redone after a
crash: the digest is saved before the file moves into the blob store, and the journal entry is
written only once the file is there.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, update

from liuhen.db import store
from liuhen.errors import (
    ChecksumMismatch,
    NotFoundError,
    UploadConflict,
    UploadGone,
    ValidationError,
)
from liuhen.evidence import service as evidence
from liuhen.procedure.fields import parse_datetime
from liuhen.services.instance import App

log = logging.getLogger(__name__)
UPLOAD = store.T["upload"]
META_KEYS = {
    "filename", "filetype", "digest", "device", "officer", "unit", "case", "act_seq",
    "started_at", "ended_at", "remote", "returned_at", "source", "by", "path", "mtime",
}  # fmt: skip
_REHASH_CHUNK = 8 << 20
WRITEBACK = 8 << 20


@dataclass(frozen=True)
class UploadState:
    id: str
    length: int
    offset: int
    meta: dict[str, Any]
    expected: str | None
    status: str  # active | storing | complete | refused | terminated
    digest: str | None
    error: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "length": self.length, "offset": self.offset, "status": self.status,
            "digest": self.digest, "error": self.error,
            "meta": {k: v for k, v in self.meta.items() if k != "probe"},
        }  # fmt: skip


def validate_meta(meta: dict[str, str]) -> dict[str, Any]:
    """Check what a client may announce; all problems at once, in Chinese."""
    from liuhen.errors import Problem

    problems = [Problem("未知的上传元数据", f"metadata.{k}") for k in sorted(set(meta) - META_KEYS)]
    out: dict[str, Any] = {k: v for k, v in meta.items() if k in META_KEYS}
    if "digest" in out:
        try:
            from liuhen.blobs.store import split

            split(out["digest"].lower())
            out["digest"] = out["digest"].lower()
        except ValidationError as exc:
            problems.append(Problem(exc.message, "metadata.digest"))
    for key in ("started_at", "ended_at", "returned_at"):
        if key in out and parse_datetime(out[key]) is None:
            problems.append(Problem("应为带时区的 ISO 8601 时间", f"metadata.{key}"))
    if "act_seq" in out:
        if not str(out["act_seq"]).isdigit():
            problems.append(Problem("应为记录序号", "metadata.act_seq"))
        else:
            out["act_seq"] = int(out["act_seq"])
        if "case" not in out:
            problems.append(Problem("指定事项时须同时指定案件", "metadata.case"))
    if "remote" in out:
        out["remote"] = str(out["remote"]).lower() in ("1", "true", "yes", "是")
    if problems:
        raise ValidationError(f"上传元数据有 {len(problems)} 处问题", problems)
    return out


class Uploads:
    """One per process; its locks stop two requests of this process writing one upload."""

    def __init__(self, app: App, on_stored: Callable[[str], None] | None = None) -> None:
        self.app = app
        self.on_stored = on_stored  # new evidence: thumbnails and proxies are due
        self.dir = app.settings.data_dir / "uploads"
        self.dir.mkdir(parents=True, exist_ok=True)
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()
        self._hashers: dict[str, tuple[int, Any]] = {}  # id -> (offset, running hash)

    def _lock(self, upload_id: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(upload_id, threading.Lock())

    def part(self, upload_id: str) -> Path:
        return self.dir / f"{upload_id}.part"

    # --- state ----------------------------------------------------------------------------

    def create(self, length: int, meta: dict[str, str]) -> UploadState:
        if length < 0:
            raise ValidationError("Upload-Length 无效")
        if length > self.app.settings.upload_max:
            raise ValidationError(f"文件超过允许的最大大小（{self.app.settings.upload_max} 字节）")
        clean = validate_meta(meta)
        upload_id = secrets.token_hex(16)
        now = self.app.clock.now().isoformat()
        self.part(upload_id).touch()
        with self.app.engine.begin() as conn:
            conn.execute(
                insert(UPLOAD).values(
                    id=upload_id, length=length, offset=0,
                    meta=json.dumps(clean, ensure_ascii=False),
                    expected=clean.get("digest"), status="active", digest=None, error=None,
                    created_at=now, updated_at=now,
                )
            )  # fmt: skip
        return self.get(upload_id)

    def find(self, path: str, size: int, mtime: str) -> UploadState | None:
        """The latest upload of this exact file (dock imports resume or skip by it)."""
        with self.app.engine.connect() as conn:
            rows = conn.execute(
                select(UPLOAD.c.id, UPLOAD.c.meta)
                .where(
                    UPLOAD.c.length == size, UPLOAD.c.status.in_(["active", "storing", "complete"])
                )
                .order_by(UPLOAD.c.created_at.desc())
            ).all()
        for upload_id, meta_text in rows:
            meta = json.loads(meta_text)
            if meta.get("path") == path and meta.get("mtime") == mtime:
                return self.get(upload_id)
        return None

    def get(self, upload_id: str) -> UploadState:
        if not upload_id.isalnum():
            raise NotFoundError("上传不存在")
        with self.app.engine.connect() as conn:
            row = conn.execute(select(UPLOAD).where(UPLOAD.c.id == upload_id)).mappings().first()
        if row is None:
            raise NotFoundError("上传不存在")
        return UploadState(
            row["id"], int(row["length"]), int(row["offset"]), json.loads(row["meta"]),
            row["expected"], row["status"], row["digest"], row["error"],
        )  # fmt: skip

    def _set(self, upload_id: str, where_offset: int | None = None, **values: Any) -> bool:
        stmt = update(UPLOAD).where(UPLOAD.c.id == upload_id)
        if where_offset is not None:
            stmt = stmt.where(UPLOAD.c.offset == where_offset)
        with self.app.engine.begin() as conn:
            done = conn.execute(
                stmt.values(updated_at=self.app.clock.now().isoformat(), **values)
            ).rowcount
        return bool(done)

    # --- writing --------------------------------------------------------------------------

    def _hasher_at(self, upload_id: str, offset: int) -> Any:
        cached = self._hashers.pop(upload_id, None)
        if cached is not None and cached[0] == offset:
            return cached[1]
        hasher = self.app.alg.new()  # another process or a restart: hash what is on disk
        with self.part(upload_id).open("rb") as fh:
            remaining = offset
            while remaining > 0:
                chunk = fh.read(min(_REHASH_CHUNK, remaining))
                if not chunk:
                    raise UploadConflict("暂存文件短于记录的偏移，上传已损坏，请重新上传")
                hasher.update(chunk)
                remaining -= len(chunk)
        return hasher

    def write(
        self, upload_id: str, offset: int, chunks: Iterable[bytes | bytearray]
    ) -> UploadState:
        """Append ``chunks`` at ``offset``; whatever arrived is kept even if the stream breaks."""
        with self._lock(upload_id):
            st = self.get(upload_id)
            if st.status in ("terminated", "refused"):
                raise UploadGone("上传已终止或被拒绝，请重新上传")
            if st.status != "active":
                raise UploadConflict("上传已完成")
            if offset != st.offset:
                raise UploadConflict(
                    f"偏移不符：服务器已收到 {st.offset} 字节，请求从 {offset} 续传"
                )
            hasher = self._hasher_at(upload_id, offset)
            written, too_much = 0, False
            room = st.length - offset
            try:
                with self.part(upload_id).open("r+b") as fh:
                    fh.seek(offset)
                    fh.truncate()  # bytes past the recorded offset were never acknowledged
                    try:
                        flushed = offset
                        for chunk in chunks:
                            if len(chunk) > room - written:
                                chunk, too_much = chunk[: room - written], True
                            fh.write(chunk)
                            hasher.update(chunk)
                            written += len(chunk)
                            if offset + written - flushed >= WRITEBACK:
                                # start writing to disk now, so the fsync at the end is short
                                fh.flush()
                                os.posix_fadvise(
                                    fh.fileno(), flushed, offset + written - flushed,
                                    os.POSIX_FADV_DONTNEED,
                                )  # fmt: skip
                                flushed = offset + written
                            if too_much:
                                break
                    finally:
                        fh.flush()
                        os.fsync(fh.fileno())
            finally:
                new = offset + written
                if written:
                    self._set(upload_id, where_offset=offset, offset=new)
                self._hashers[upload_id] = (new, hasher)
            done = self._finish(upload_id) if new == st.length else self.get(upload_id)
            if too_much:  # the declared bytes are kept (and finished); the excess is refused
                raise ValidationError(f"数据超过声明的长度 {st.length} 字节，多余部分未接收")
            return done

    # --- finishing ------------------------------------------------------------------------

    def _finish(self, upload_id: str) -> UploadState:
        st = self.get(upload_id)
        if st.status == "active":
            offset_hasher = self._hashers.pop(upload_id, None)
            hasher = (
                offset_hasher[1]
                if offset_hasher and offset_hasher[0] == st.length
                else (self._hasher_at(upload_id, st.length))
            )
            digest = f"{self.app.alg.name}:{hasher.hexdigest()}"
            if st.expected and st.expected != digest:
                self.part(upload_id).unlink(missing_ok=True)
                message = f"文件摘要不符：声明 {st.expected}，实际 {digest}；未保存为证据"
                self._set(upload_id, status="refused", digest=digest, error=message)
                raise ChecksumMismatch(message)
            meta = {**st.meta, "probe": evidence.probe_file(self.part(upload_id))}
            self._set(
                upload_id,
                status="storing",
                digest=digest,
                meta=json.dumps(meta, ensure_ascii=False),
            )
            st = self.get(upload_id)
        if st.status == "storing":
            assert st.digest is not None
            part = self.part(upload_id)
            if part.exists():
                self.app.blobs.put_file(part, st.digest)
            elif not self.app.blobs.exists(st.digest):
                self._set(upload_id, status="refused", error="暂存文件丢失，请重新上传")
                raise UploadGone("暂存文件丢失，请重新上传")
            duplicate = evidence.media_row(self.app, st.digest) is not None
            if not duplicate:
                facts = evidence.Facts(
                    name=str(st.meta.get("filename") or st.digest),
                    media_type=st.meta.get("filetype"),
                    device_no=st.meta.get("device"),
                    officer=st.meta.get("officer"),
                    unit=st.meta.get("unit"),
                    started_at=st.meta.get("started_at"),
                    ended_at=st.meta.get("ended_at"),
                    remote=bool(st.meta.get("remote")),
                    returned_at=st.meta.get("returned_at"),
                    case=st.meta.get("case"),
                    act_seq=st.meta.get("act_seq"),
                    source=str(st.meta.get("source") or "上传"),
                )
                fields = evidence.stored_fields(
                    self.app,
                    st.digest,
                    st.length,
                    facts,
                    st.meta.get("probe") or {},
                    self.app.clock.now().isoformat(),
                )
                by = {
                    "id": str(st.meta.get("by") or st.meta.get("officer") or "upload"),
                    "role": "officer" if st.meta.get("officer") else "system",
                }
                evidence.journal_stored(self.app, fields, facts, by)
                if self.on_stored is not None:
                    try:
                        self.on_stored(st.digest)
                    except Exception:  # the evidence is stored; the job is found again later
                        log.exception("could not queue derivatives for %s", st.digest)
            meta = {**st.meta, "duplicate": duplicate}  # the same bytes were already evidence
            self._set(upload_id, status="complete", meta=json.dumps(meta, ensure_ascii=False))
        return self.get(upload_id)

    def finish(self, upload_id: str) -> UploadState:
        """Finish an upload whose bytes have all arrived (after a crash, or from a dock import)."""
        with self._lock(upload_id):
            st = self.get(upload_id)
            if st.status == "active" and st.offset != st.length:
                raise UploadConflict(f"上传尚未完成：已收到 {st.offset}/{st.length} 字节")
            return self._finish(upload_id)

    def recover(self) -> int:
        """Finish uploads a crash left between ``storing`` and ``complete``; returns how many."""
        with self.app.engine.connect() as conn:
            ids = [
                r[0] for r in conn.execute(select(UPLOAD.c.id).where(UPLOAD.c.status == "storing"))
            ]
        for upload_id in ids:
            self.finish(upload_id)
        return len(ids)

    def terminate(self, upload_id: str) -> None:
        with self._lock(upload_id):
            st = self.get(upload_id)
            if st.status in ("complete", "storing"):
                raise UploadConflict("文件已保存为证据，不能删除")
            self.part(upload_id).unlink(missing_ok=True)
            self._set(upload_id, status="terminated")
            self._hashers.pop(upload_id, None)
