"""Files attached to an act form (scans of the papers an act produced: 付邮凭证, 回执, 公告):
checked by their content, bounded in size, stored write-once by digest.

A file's name and the type the browser declares are the uploader's say; what is stored and
journaled as its type is what its first bytes show, so an executable renamed ``.pdf`` is
refused rather than kept as a PDF and later offered to a reader. Files are checked all at once,
before anything is stored, so a refused form stores nothing.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from starlette.datastructures import UploadFile
from starlette.requests import Request

from liuhen.errors import AttachmentRefused, Problem
from liuhen.kernel.instance import App
from liuhen.payloads import JsonObject

FIELD = "attachments"  # the form's file input, and the path its problems are placed at
KIND_FIELD = "attachment_kinds"  # what the chosen files hold (邮寄回执…): the kept rules ask
ALLOWED = "PDF、JPEG、PNG"
_MAGIC = (  # the first bytes of each type an act form accepts
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)
_NAME_MAX = 200  # as ``kernel.record`` keeps an attachment's name


def sniff(head: bytes) -> str | None:
    """The media type ``head`` (a file's first bytes) shows, if it is one the form accepts."""
    for magic, media_type in _MAGIC:
        if head.startswith(magic):
            return media_type
    return None


@dataclass(frozen=True)
class Upload:
    """One chosen file, as the form posted it."""

    name: str
    file: IO[bytes]


def chosen(items: list[UploadFile | str]) -> list[Upload]:
    """The files actually chosen (a file input left empty posts a part with no name and no
    bytes), with their names as the uploader's file system gave them."""
    out = []
    for item in items:
        given = item.filename if isinstance(item, UploadFile) else None
        if isinstance(item, UploadFile) and given and given.strip():
            name = os.path.basename(given.replace("\\", "/")).strip()[:_NAME_MAX]
            out.append(Upload(name or "附件", item.file))
    return out


def _size(fh: IO[bytes]) -> int:
    fh.seek(0, os.SEEK_END)
    size = fh.tell()
    fh.seek(0)
    return size


def check(uploads: list[Upload], limit: int) -> list[tuple[Upload, str, int]]:
    """(upload, media type by content, size) of each file, or every refusal at once (LH148)."""
    problems: list[Problem] = []
    out = []
    for up in uploads:
        size = _size(up.file)
        media_type = sniff(up.file.read(16))
        up.file.seek(0)
        if size == 0:
            problems.append(Problem(f"附件“{up.name}”是空文件", FIELD, label="附件",
                                    kind="required"))  # fmt: skip
        elif size > limit:
            problems.append(Problem(
                f"附件“{up.name}”大小 {size:,} 字节，超过上限 {limit:,} 字节", FIELD,
                label="附件", kind="too_long",
            ))  # fmt: skip
        elif media_type is None:
            problems.append(Problem(
                f"附件“{up.name}”不是 {ALLOWED} 文件（按文件内容识别，与文件名无关）", FIELD,
                label="附件", kind="format",
            ))  # fmt: skip
        else:
            out.append((up, media_type, size))
    if problems:
        raise AttachmentRefused(f"有 {len(problems)} 个附件未能保存", problems)
    return out


def store(
    app: App, checked: list[tuple[Upload, str, int]], kinds: list[str] | None = None
) -> list[JsonObject]:
    """Each checked file stored by its digest (never overwritten; the same bytes twice are
    stored once), as the act's ``attachments`` name them; ``kinds`` what they hold, as the
    uploader says (a scan may hold the 付邮凭证 and the 回执 both), checked with the act
    against the catalog's ``attachment_kinds``."""
    staging = app.settings.data_dir / "uploads"
    staging.mkdir(parents=True, exist_ok=True)
    out: list[JsonObject] = []
    for up, media_type, size in checked:
        hasher = app.alg.new()
        fd, name = tempfile.mkstemp(dir=staging, suffix=".attachment.part")
        with os.fdopen(fd, "wb") as fh:
            while chunk := up.file.read(1 << 20):
                hasher.update(chunk)
                fh.write(chunk)
        digest = f"{app.alg.name}:{hasher.digest().hex()}"
        app.blobs.put_file(Path(name), digest)
        item: JsonObject = {"digest": digest, "name": up.name, "media_type": media_type,
                            "size": size}  # fmt: skip
        out.append({**item, "kinds": list(kinds)} if kinds else item)
    return out


async def posted_kinds(request: Request) -> list[str]:
    """What the files chosen in a posted form hold, as ticked (邮寄回执, 付邮凭证…), in order."""
    ticked = (await request.form()).getlist(KIND_FIELD)
    return list(dict.fromkeys(k.strip() for k in ticked if isinstance(k, str) and k.strip()))


async def posted(request: Request) -> list[Upload]:
    """The files chosen in a posted page form (already read, and its CSRF field checked, by
    ``posted_form``: Starlette keeps the parsed form on the request)."""
    return chosen(list((await request.form()).getlist(FIELD)))


def readable_size(size: int) -> str:
    """``20 MB``, ``512 KB``: the limit as the form states it."""
    for unit, scale in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if size >= scale:
            return f"{size / scale:.1f}".removesuffix(".0") + f" {unit}"
    return f"{size} 字节"
