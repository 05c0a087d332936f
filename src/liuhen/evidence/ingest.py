"""Dock import: every new file from a docked body camera, through the same upload path.

A file is recognised without rereading it when this exact file (path, size, mtime) was already
imported, and by its digest otherwise (the upload finishes as "already stored"), so running the
import twice, or after a pulled cable, stores nothing twice and resumes where it stopped.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from liuhen.errors import LiuhenError, ValidationError
from liuhen.evidence import devices
from liuhen.evidence.uploads.service import Uploads
from liuhen.kernel.instance import App

CHUNK = 4 << 20
SKIP_SUFFIXES = (".part", ".tmp", ".crdownload")


@dataclass
class IngestResult:
    stored: list[str] = field(default_factory=list)  # new evidence (file names)
    known: list[str] = field(default_factory=list)  # already stored, recognised
    resumed: list[str] = field(default_factory=list)  # continued from an earlier attempt
    failed: list[tuple[str, str]] = field(default_factory=list)  # (file, reason)
    bytes: int = 0
    seconds: float = 0.0


def candidates(folder: Path) -> list[Path]:
    if not folder.is_dir():
        raise ValidationError(f"文件夹不存在：{folder}")
    return sorted(
        p for p in folder.rglob("*")
        if p.is_file() and not p.name.startswith(".") and not p.name.endswith(SKIP_SUFFIXES)
    )  # fmt: skip


def _chunks(path: Path, offset: int, progress: Callable[[int], None]) -> Iterator[bytes]:
    with path.open("rb") as fh:
        fh.seek(offset)
        while chunk := fh.read(CHUNK):
            progress(len(chunk))
            yield chunk


def ingest(
    app: App,
    folder: Path,
    device_no: str,
    officer: str | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    files: list[Path] | None = None,
) -> IngestResult:
    """Import every file under ``folder``; ``progress(name, done_bytes, total_bytes)``."""
    device = devices.get(app, device_no)
    officer = officer or device.officer
    uploads = Uploads(app)
    result = IngestResult()
    started = time.perf_counter()
    for path in files if files is not None else candidates(folder):
        stat = path.stat()
        key, mtime = str(path.resolve()), str(stat.st_mtime_ns)
        try:
            st = uploads.find(key, stat.st_size, mtime)
            if st is not None and st.status == "complete":
                result.known.append(path.name)
                continue
            if st is None:
                meta = {
                    "filename": path.name,
                    "device": device_no,
                    "source": "记录仪导入",
                    "path": key,
                    "mtime": mtime,
                }
                if officer:
                    meta["officer"] = officer
                st = uploads.create(stat.st_size, meta)
            else:
                result.resumed.append(path.name)
            done = st.offset

            def tick(n: int, name: str = path.name, size: int = stat.st_size) -> None:
                nonlocal done
                done += n
                if progress:
                    progress(name, done, size)

            if st.status == "active" and st.offset < st.length:
                st = uploads.write(st.id, st.offset, _chunks(path, st.offset, tick))
            elif st.status in ("active", "storing"):  # all bytes there; finish what a crash left
                st = uploads.finish(st.id)
            result.bytes += stat.st_size
            (result.known if st.meta.get("duplicate") else result.stored).append(path.name)
        except LiuhenError as exc:
            result.failed.append((path.name, exc.message))
    result.seconds = time.perf_counter() - started
    return result
