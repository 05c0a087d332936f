"""Choose the blob backend from settings (the embedded default needs no server)."""

from __future__ import annotations

from pathlib import Path

from liuhen.kernel.blobs.fs import FilesystemStore
from liuhen.kernel.blobs.s3 import S3Store
from liuhen.kernel.blobs.store import BlobStore
from liuhen.kernel.settings import Settings


def open_store(settings: Settings) -> BlobStore:
    if settings.blob_url.startswith("s3://"):
        return S3Store.from_url(settings.blob_url, settings.blob_lock_days)
    return FilesystemStore(Path(settings.blob_url.removeprefix("file://")))
