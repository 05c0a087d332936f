"""The port every blob backend implements, and the pieces they share.

A blob is named by its digest (``sha256:<hex>`` or ``sm3:<hex>``); the name is the content, so a
stored file can never change without changing its name, and storing the same bytes twice stores
them once. Backends never overwrite and offer no delete: removal belongs to the retention
procedure alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Protocol

from liuhen.errors import NotFoundError, ValidationError

DIGEST = re.compile(r"^(sha256|sm3):([0-9a-f]{64})$")
CHUNK = 1 << 20


def split(digest: str) -> tuple[str, str]:
    """(algorithm, hex) of a digest string; refuses anything else, so keys cannot escape."""
    m = DIGEST.match(digest)
    if m is None:
        raise ValidationError(
            f"摘要格式无效：“{digest}”，应为 sha256:<64位十六进制> 或 sm3:<64位十六进制>"
        )
    return m.group(1), m.group(2)


def key_of(digest: str) -> str:
    """``sha256/ab/cd/abcd…``: two levels of fan-out, as the package registries do."""
    alg, hexd = split(digest)
    return f"{alg}/{hexd[:2]}/{hexd[2:4]}/{hexd}"


class BlobStore(Protocol):
    """Where evidence bytes live. Implementations: ``FilesystemStore``, ``S3Store``."""

    name: str

    def put_file(self, path: Path, digest: str) -> bool:
        """Store the finished file at ``path`` under ``digest`` (already verified by the caller).

        Returns False when the blob was already stored (the staged file is then discarded).
        Never overwrites.
        """
        ...

    def exists(self, digest: str) -> bool: ...

    def size(self, digest: str) -> int: ...

    def read(self, digest: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        """Bytes ``start``…``end`` inclusive (HTTP Range semantics), streamed in chunks."""
        ...

    def retained_until(self, digest: str) -> datetime | None:
        """Until when the storage itself refuses removal (an object lock), or None."""
        ...

    def dispose(self, digest: str) -> None:
        """Remove a blob for good. Only ``services.retention.dispose`` calls this, and only
        after the disposal is journaled; a missing blob is not an error (a retried disposal)."""
        ...


def missing(digest: str) -> NotFoundError:
    return NotFoundError(f"文件 {digest} 不存在")
