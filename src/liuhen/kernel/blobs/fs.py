"""The embedded default: blobs as read-only files under ``$LIUHEN_DATA_DIR/blobs``.

A staged file is fsynced, then renamed into place with a hard link (which fails if the name
exists, so nothing is ever overwritten, even by a racing writer), made read-only, and the
directory is fsynced: a stored blob survives a power cut and is never half-written.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from liuhen.durable import fsync_dir
from liuhen.kernel.blobs.store import CHUNK, key_of, missing


class FilesystemStore:
    name = "filesystem"

    def __init__(self, root: Path) -> None:
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True)

    def path(self, digest: str) -> Path:
        return self.root / key_of(digest)

    def put_file(self, path: Path, digest: str) -> bool:
        dest = self.path(digest)
        if dest.exists():
            path.unlink(missing_ok=True)
            return False
        dest.parent.mkdir(parents=True, exist_ok=True)
        with path.open("rb") as fh:
            os.fsync(fh.fileno())
        try:
            os.link(path, dest)  # atomic, and refuses an existing name
        except FileExistsError:
            path.unlink(missing_ok=True)
            return False
        os.chmod(dest, 0o444)
        fsync_dir(dest.parent)
        path.unlink()
        return True

    def exists(self, digest: str) -> bool:
        return self.path(digest).is_file()

    def size(self, digest: str) -> int:
        try:
            return self.path(digest).stat().st_size
        except FileNotFoundError:
            raise missing(digest) from None

    def read(self, digest: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        try:
            fh = self.path(digest).open("rb")
        except FileNotFoundError:
            raise missing(digest) from None
        with fh:
            fh.seek(start)
            remaining = None if end is None else end - start + 1
            while remaining is None or remaining > 0:
                chunk = fh.read(CHUNK if remaining is None else min(CHUNK, remaining))
                if not chunk:
                    break
                if remaining is not None:
                    remaining -= len(chunk)
                yield chunk

    def retained_until(self, digest: str) -> datetime | None:
        return None  # a local folder has no lock of its own; the journal is what guards it

    def dispose(self, digest: str) -> None:
        path = self.path(digest)
        try:
            os.chmod(path, 0o644)
            path.unlink()
        except FileNotFoundError:
            return
        fsync_dir(path.parent)
