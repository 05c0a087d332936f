"""Uploads in progress: bytes go to a staging file and through the hash in one pass.

State lives in the ``upload`` table and the staging file, never only in memory, so an upload
resumes from its last byte after a dropped connection or a server restart. Finishing is a small
state machine (``active`` → ``storing`` → ``complete``) whose every step can be redone after a
crash: the digest is saved before the file moves into the blob store, and the journal entry is
written only once the file is there.

What an upload claims is checked when it is created: the case it names exists and the caller
may record in it, the act it names is an entry of that case, and the author is the signed-in
person or token (never a name in the metadata). If binding still fails while finishing (the
file's bytes are already another case's evidence, or an upload left by an earlier version names
a case that does not exist), the file is kept as unbound evidence and the upload ends
``failed`` with the reason, which its uploader reads; the file can be bound later. Nothing an
upload claims can stop the server from starting: ``recover`` logs what it cannot finish.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, update

from liuhen.access.policy import User, can_record, can_view_case
from liuhen.accounts.service import Forbidden, case_header, unit_agency
from liuhen.errors import (
    ChecksumMismatch,
    LiuhenError,
    NotFoundError,
    Problem,
    UploadConflict,
    UploadGone,
    ValidationError,
)
from liuhen.errors import NotBound as NotBound
from liuhen.evidence import devices
from liuhen.evidence import service as evidence
from liuhen.evidence.schemas import MediaRow, UploadStatus
from liuhen.kernel.blobs.store import split
from liuhen.kernel.db import store
from liuhen.kernel.instance import App
from liuhen.kernel.record import FUTURE_TOLERANCE
from liuhen.payloads import JsonObject
from liuhen.procedure.catalog import Role
from liuhen.procedure.fields import parse_datetime

log = logging.getLogger(__name__)
UPLOAD = store.UPLOAD
ENTRY = store.ENTRY
OFFICER = store.OFFICER
# What a client may announce. Who uploaded is not among them: it is the signed-in account or
# token, kept under ``author`` and ``uploader`` by the server.
META_KEYS = {
    "filename", "filetype", "digest", "device", "officer", "unit", "case", "act_seq",
    "started_at", "ended_at", "remote", "returned_at", "source", "path", "mtime",
    "opening_statement",
}  # fmt: skip
SOURCES = ("上传", "记录仪导入")
_REHASH_CHUNK = 8 << 20
WRITEBACK = 8 << 20


@dataclass(frozen=True)
class UploadState:
    id: str
    length: int
    offset: int
    meta: JsonObject  # what the client announced, checked, with the server's own keys
    expected: str | None
    status: str  # active | storing | complete | failed | refused | terminated
    digest: str | None
    error: str | None

    def public(self) -> UploadStatus:
        """What the uploader reads of it (the probe's findings are the server's own)."""
        return UploadStatus(
            id=self.id, length=self.length, offset=self.offset, status=self.status,
            digest=self.digest, error=self.error,
            meta={k: v for k, v in self.meta.items() if k != "probe"},
        )  # fmt: skip

    def visible_to(self, user: User) -> bool:
        """An upload is its uploader's (the id in its address is not a password)."""
        owner = self.meta.get("uploader")
        return owner is None or owner == user.username


def validate_meta(meta: dict[str, str]) -> JsonObject:
    """Check what a client may announce; all problems at once, in Chinese."""
    problems = [Problem("未知的上传元数据", f"metadata.{k}") for k in sorted(set(meta) - META_KEYS)]
    out: JsonObject = {k: v for k, v in meta.items() if k in META_KEYS}
    if "digest" in out:
        try:
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
    for flag in ("remote", "opening_statement"):
        if flag in out:
            out[flag] = str(out[flag]).lower() in ("1", "true", "yes", "是")
    if "source" in out and out["source"] not in SOURCES:
        problems.append(Problem(f"来源应为：{'、'.join(SOURCES)}", "metadata.source"))
    if problems:
        raise ValidationError(f"上传元数据有 {len(problems)} 处问题", problems)
    return out


def _officer_unit(app: App, cert: str) -> str | None:
    """The unit of an active registered officer, else None."""
    with app.engine.connect() as conn:
        row = conn.execute(
            select(OFFICER.c.unit, OFFICER.c.active).where(OFFICER.c.cert_no == cert)
        ).first()
    return str(row.unit) if row is not None and row.active else None


def admit(app: App, user: User | None, meta: JsonObject) -> JsonObject:
    """What ``user`` may upload, decided before a byte is received; returns the metadata with
    the server's own ``author``, ``uploader``, ``officer`` and ``unit``.

    - A person uploads as himself: an officer with his certificate number; ``officer`` and
      ``unit`` are his own (naming anyone else is refused). The supervisor (read-only) and the
      administrator (no case role) upload nothing.
    - A collection station's token uploads for its unit; ``officer`` may name whose camera the
      file came from, but only an active officer registered in that unit. The journal names
      the token as the author and that officer as the file's officer.
    - ``case`` must exist and be one the uploader may record in; ``act_seq`` an entry of it.
    - ``user`` None is the operator on the server (``liuhen ingest``), trusted like the CLI.
    """
    out = dict(meta)
    officer = str(meta.get("officer") or "") or None
    if user is None:
        author = {"id": officer or "upload", "role": Role.OFFICER if officer else Role.SYSTEM}
    elif user.machine:
        if not can_record(user) or not user.unit:
            raise Forbidden("该访问令牌不能上传音像资料：令牌须属于一个机构，且有记录权限")
        if meta.get("unit") not in (None, "", user.unit):
            raise Forbidden(f"该访问令牌属于机构“{user.unit}”，不能为其他机构上传")
        if officer and _officer_unit(app, officer) != user.unit:
            raise Forbidden(f"执法证号“{officer}”不是本令牌所属机构（{user.unit}）的在职执法人员")
        out["unit"] = user.unit
        author = {"id": user.username, "role": Role.SYSTEM}
    else:
        if not can_record(user) or Role.OFFICER not in user.roles or not user.cert_no:
            raise Forbidden("只有执法人员可以上传音像资料，且须以本人执法证号办理")
        if officer not in (None, user.cert_no):
            raise Forbidden("音像资料以上传人本人的执法证号记录，不能以他人名义上传")
        if meta.get("unit") not in (None, "", user.unit):
            raise Forbidden("音像资料记入上传人本人所属机构，不能为其他机构上传")
        out["officer"], out["unit"] = user.cert_no, user.unit
        author = {"id": user.cert_no, "role": Role.OFFICER}
    case = meta.get("case")
    header = check_case(app, user, str(case), meta.get("act_seq")) if case else None
    # a case's file: a camera of the case's unit; else one of the uploader's own unit
    _check_recording(app, meta, header["unit"] if header else out.get("unit"), bool(header))
    out = {k: v for k, v in out.items() if v not in (None, "")}
    out["author"] = author
    if user is not None:
        out["uploader"] = user.username
    return out


def _in_case(app: App, case: str, seq: int) -> bool:
    """Whether entry ``seq`` is one of ``case``'s."""
    with app.engine.connect() as conn:
        found = conn.execute(
            select(ENTRY.c.seq).where(ENTRY.c.seq == seq, ENTRY.c.chain == case)
        ).first()
    return found is not None


FUTURE = "记录时间晚于当前时间：不能是尚未发生的记录"


def _check_recording(app: App, meta: JsonObject, unit: str | None, for_case: bool) -> None:
    """What the uploader says of the recording: the camera is registered and one of ``unit``
    (the case's, ``for_case``, else the uploader's own: a file with no case yet is filed by
    his unit, and a camera of another unit is not his to upload from), and it recorded from
    ``started_at`` to ``ended_at``, which is neither backwards nor in the future. Every
    problem at once, each at its field (LH100)."""
    problems: list[Problem] = []
    device_no = str(meta.get("device") or "")
    if device_no:
        try:
            device = devices.get(app, device_no)
        except NotFoundError as exc:
            problems.append(Problem(exc.message, "metadata.device"))
        else:
            if unit and device.unit != unit:
                owner, handler = devices.unit_name(app, device.unit), devices.unit_name(app, unit)
                whose = f"本案承办机构{handler}" if for_case else f"上传人所属机构{handler}"
                problems.append(Problem(
                    f"执法记录仪“{device_no}”属于{owner}，不是{whose}的", "metadata.device",
                ))  # fmt: skip
    started = parse_datetime(str(meta.get("started_at") or ""))
    ended = parse_datetime(str(meta.get("ended_at") or ""))
    if started and ended and ended < started:
        problems.append(Problem("结束记录时间早于开始记录时间", "metadata.ended_at"))
    latest = app.clock.now() + FUTURE_TOLERANCE
    for key, moment in (("started_at", started), ("ended_at", ended)):
        if moment and moment > latest:
            problems.append(Problem(FUTURE, f"metadata.{key}"))
    if problems:
        raise ValidationError(f"音像资料的设备或记录时间有 {len(problems)} 处问题", problems)


def check_case(app: App, user: User | None, case: str, act_seq: int | None) -> dict[str, Any]:
    """The case's header, once ``user`` may upload to it (or bind a stored file to it) and
    ``act_seq`` is one of its entries."""
    header = case_header(app, case)  # NotFoundError: 案件不存在
    if user is not None and not (
        can_record(user) and can_view_case(user, header, unit_agency(app, header["unit"]))
    ):
        raise Forbidden(f"无权向案件“{case}”记入音像资料")
    if act_seq is not None and not _in_case(app, case, act_seq):
        raise ValidationError(
            f"案件“{case}”中没有序号为 {act_seq} 的记录",
            [Problem(f"本案没有序号为 {act_seq} 的记录", "metadata.act_seq")],
        )
    return header


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

    def create(self, length: int, meta: dict[str, str], user: User | None = None) -> UploadState:
        """A new upload by ``user`` (None: the operator's dock import), checked by ``admit``."""
        if length < 0:
            raise ValidationError("Upload-Length 无效")
        if length > self.app.settings.upload_max:
            raise ValidationError(f"文件超过允许的最大大小（{self.app.settings.upload_max} 字节）")
        clean = admit(self.app, user, validate_meta(meta))
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

    def settled(self, upload_id: str) -> UploadState:
        """The upload once a write in progress has ended: a client whose connection dropped
        asks HEAD at once, and must learn every byte that interrupted write kept."""
        with self._lock(upload_id):
            return self.get(upload_id)

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
            stored = evidence.media_row(self.app, st.digest)  # the same bytes already evidence
            duplicate = stored is not None
            try:
                self._journal(st, stored)
            except NotBound as exc:  # stored, not bound: the uploader reads why
                self._set(upload_id, status="failed", error=exc.message)
                raise
            except LiuhenError as exc:  # refused as evidence (the file stays in the store)
                message = f"文件未能记为证据：{exc.message}"
                self._set(upload_id, status="failed", error=message)
                raise NotBound(message) from exc
            meta = {**st.meta, "duplicate": duplicate}  # the same bytes were already evidence
            self._set(upload_id, status="complete", meta=json.dumps(meta, ensure_ascii=False))
        return self.get(upload_id)

    def _author(self, st: UploadState) -> dict[str, str]:
        author = st.meta.get("author")
        if isinstance(author, dict) and author.get("id") and author.get("role"):
            return {"id": str(author["id"]), "role": str(author["role"])}
        # an upload left by an earlier version: its metadata's ``by`` was the client's claim
        officer = st.meta.get("officer")
        return {"id": str(officer or "upload"), "role": Role.OFFICER if officer else Role.SYSTEM}

    def _journal(self, st: UploadState, stored: MediaRow | None) -> None:
        """Journal the stored file and its binding; if only the binding fails, the file is
        journaled unbound and ``NotBound`` says why (the binding can be done again later).
        ``stored`` is the media row when the same bytes were already evidence."""
        assert st.digest is not None
        by = self._author(st)
        case = st.meta.get("case")
        act_seq = st.meta.get("act_seq")
        if stored is not None:
            if case and stored.case_number != case:
                self._bind(
                    st.digest, str(case), act_seq, by, bool(st.meta.get("opening_statement"))
                )
            return
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
            case=None,
            act_seq=None,
            source=str(st.meta.get("source") or "上传"),
            opening_statement=bool(st.meta.get("opening_statement")),
        )
        fields = evidence.stored_fields(
            self.app,
            st.digest,
            st.length,
            facts,
            st.meta.get("probe") or {},
            self.app.clock.now().isoformat(),
        )
        failure: NotBound | None = None
        try:
            if case:
                self._case_exists(str(case))
            bound = replace(facts, case=case, act_seq=act_seq) if case else facts
            evidence.journal_stored(self.app, fields, bound, by)  # stored and bound: one unit
        except NotBound as exc:
            failure = exc
        except Exception as exc:
            if not case:
                raise
            failure = self._not_bound(st.digest, str(case), exc)
        if failure is not None:
            evidence.journal_stored(self.app, fields, facts, by)  # stored, not bound
        if self.on_stored is not None:
            try:
                self.on_stored(st.digest)
            except Exception:  # the evidence is stored; the job is found again later
                log.exception("could not queue derivatives for %s", st.digest)
        if failure is not None:
            raise failure

    def _case_exists(self, case: str) -> None:
        try:
            case_header(self.app, case)
        except NotFoundError as exc:
            raise NotBound(self._reason(case, exc.message)) from exc

    def _bind(
        self, digest: str, case: str, act_seq: int | None, by: dict[str, str], opening: bool
    ) -> None:
        try:
            self._case_exists(case)
            evidence.bind(self.app, digest, case, act_seq, by, opening)
        except NotBound:
            raise
        except Exception as exc:
            raise self._not_bound(digest, case, exc) from exc

    def _not_bound(self, digest: str, case: str, exc: Exception) -> NotBound:
        if isinstance(exc, LiuhenError):
            return NotBound(self._reason(case, exc.message))
        log.exception("binding %s to %s failed", digest, case)
        return NotBound(self._reason(case, "记录时出错"))

    @staticmethod
    def _reason(case: str, why: str) -> str:
        return (
            f"文件已保存为证据，但未能归入案件“{case}”：{why}。"
            "请核对后由有权人员重新归入（liuhen media bind）"
        )

    def finish(self, upload_id: str) -> UploadState:
        """Finish an upload whose bytes have all arrived (after a crash, or from a dock import)."""
        with self._lock(upload_id):
            st = self.get(upload_id)
            if st.status == "active" and st.offset != st.length:
                raise UploadConflict(f"上传尚未完成：已收到 {st.offset}/{st.length} 字节")
            return self._finish(upload_id)

    def recover(self) -> int:
        """Finish uploads a crash left between ``storing`` and ``complete``; returns how many
        were tried. Never raises for one upload: a failure is recorded on it (``failed``) or,
        if even that is impossible now (storage down), logged and tried again at next start."""
        with self.app.engine.connect() as conn:
            ids = [
                r[0] for r in conn.execute(select(UPLOAD.c.id).where(UPLOAD.c.status == "storing"))
            ]
        for upload_id in ids:
            try:
                self.finish(upload_id)
            except LiuhenError as exc:
                log.warning("upload %s not finished: %s", upload_id, exc.message)
            except Exception:
                log.exception("upload %s not finished; tried again at next start", upload_id)
        return len(ids)

    def terminate(self, upload_id: str) -> None:
        with self._lock(upload_id):
            st = self.get(upload_id)
            if st.status in ("complete", "storing", "failed"):
                raise UploadConflict("文件已保存为证据，不能删除")
            self.part(upload_id).unlink(missing_ok=True)
            self._set(upload_id, status="terminated")
            self._hashers.pop(upload_id, None)
