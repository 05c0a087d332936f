"""Blobs in an S3-compatible object store (SeaweedFS in tests; MinIO, Ceph or a cloud at scale).

Objects are written with ``If-None-Match: *`` so an existing key is never replaced, and, when
the bucket has object lock enabled, in COMPLIANCE mode until the retention date: then not even
the storage administrator can delete or alter them before it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import ClientError

from liuhen.clock import Clock, SystemClock
from liuhen.errors import ConfigurationError, StorageLocked
from liuhen.kernel.blobs.store import CHUNK, key_of, missing

SINGLE_PUT = 64 << 20


@dataclass(frozen=True, slots=True)
class _Head:
    """What the store reads of an object's HEAD: its size and COMPLIANCE lock date."""

    size: int
    locked_until: datetime | None


class S3Store:
    name = "s3"

    def __init__(
        self,
        bucket: str,
        client: Any,
        prefix: str = "",
        lock_days: int = 5 * 366,
        clock: Clock | None = None,
    ) -> None:
        self.bucket = bucket
        # The store judges object locks by real time, so this is the system clock, never a
        # fixed one a test or demo gives the app.
        self.clock: Clock = clock or SystemClock()
        self.client = client
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.lock_days = lock_days
        self.locking = self._bucket_locks()
        self.transfer = TransferConfig(multipart_chunksize=16 << 20, max_concurrency=4)

    @classmethod
    def from_url(cls, url: str, lock_days: int = 5 * 366) -> S3Store:
        """``s3://bucket/prefix?endpoint=http://127.0.0.1:8333&region=us-east-1``; credentials
        come from the usual AWS variables (``AWS_ACCESS_KEY_ID``…)."""
        parsed = urlparse(url)
        if parsed.scheme != "s3" or not parsed.netloc:
            raise ConfigurationError(
                f"LIUHEN_BLOB_URL 无效：{url}（应为 s3://存储桶/前缀?endpoint=…）"
            )
        query = {k: v[0] for k, v in parse_qs(parsed.query).items()}
        client = boto3.client(
            "s3",
            endpoint_url=query.get("endpoint"),
            region_name=query.get("region", "us-east-1"),
            config=Config(
                s3={"addressing_style": "path"},
                retries={"max_attempts": 5},
                # plain signed payloads: not every S3-compatible server takes aws-chunked trailers
                request_checksum_calculation="when_required",
                response_checksum_validation="when_required",
            ),
        )
        return cls(parsed.netloc, client, parsed.path, lock_days)

    def _bucket_locks(self) -> bool:
        try:
            conf = self.client.get_object_lock_configuration(Bucket=self.bucket)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code in ("NoSuchBucket",):
                raise ConfigurationError(f"存储桶 {self.bucket} 不存在") from None
            return False
        return bool(conf.get("ObjectLockConfiguration", {}).get("ObjectLockEnabled") == "Enabled")

    def _utcnow(self) -> datetime:
        """In UTC: botocore writes a datetime's own fields with a ``Z``, whatever its zone."""
        return self.clock.now().astimezone(UTC)

    def key(self, digest: str) -> str:
        return self.prefix + key_of(digest)

    def put_file(self, path: Path, digest: str) -> bool:
        if self.exists(digest):
            path.unlink(missing_ok=True)
            return False
        extra: dict[str, str | datetime] = {}  # object lock, when the bucket has it
        if self.locking:
            extra["ObjectLockMode"] = "COMPLIANCE"
            extra["ObjectLockRetainUntilDate"] = self._utcnow() + timedelta(days=self.lock_days)
        try:
            if path.stat().st_size < SINGLE_PUT:  # one request, refused if the key exists
                with path.open("rb") as body:
                    self.client.put_object(
                        Bucket=self.bucket, Key=self.key(digest), Body=body, IfNoneMatch="*",
                        **extra,
                    )  # fmt: skip
            else:  # multipart, streamed from disk; the existence check above guards the key
                self.client.upload_file(
                    str(path), self.bucket, self.key(digest), ExtraArgs=extra,
                    Config=self.transfer,
                )  # fmt: skip
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "PreconditionFailed":
                path.unlink(missing_ok=True)
                return False
            raise
        path.unlink()
        return True

    def _head(self, digest: str) -> _Head | None:
        try:
            head = self.client.head_object(Bucket=self.bucket, Key=self.key(digest))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise
        until = head.get("ObjectLockRetainUntilDate")
        return _Head(int(head["ContentLength"]), until if isinstance(until, datetime) else None)

    def exists(self, digest: str) -> bool:
        return self._head(digest) is not None

    def size(self, digest: str) -> int:
        head = self._head(digest)
        if head is None:
            raise missing(digest)
        return head.size

    def read(self, digest: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        rng = f"bytes={start}-" + ("" if end is None else str(end))
        try:
            obj = self.client.get_object(Bucket=self.bucket, Key=self.key(digest), Range=rng)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                raise missing(digest) from None
            raise
        body = obj["Body"]
        try:
            yield from body.iter_chunks(CHUNK)
        finally:
            body.close()

    def retained_until(self, digest: str) -> datetime | None:
        """The COMPLIANCE lock date when still in force, judged by real time as the store does."""
        head = self._head(digest)
        until = head.locked_until if head else None
        if until is not None and until > self._utcnow():
            return until
        return None

    def dispose(self, digest: str) -> None:
        """Delete every version of the key (and any delete marker): a plain DELETE on a
        versioned bucket would only hide the bytes behind a marker, leaving them stored."""
        key = self.key(digest)
        listing = self.client.list_object_versions(Bucket=self.bucket, Prefix=key)
        versions = [
            v["VersionId"]
            for group in ("Versions", "DeleteMarkers")
            for v in listing.get(group) or []
            if v["Key"] == key
        ]
        try:
            if not versions:
                if self.exists(digest):
                    self.client.delete_object(Bucket=self.bucket, Key=key)
                return
            for version in versions:
                self.client.delete_object(Bucket=self.bucket, Key=key, VersionId=version)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("AccessDenied", "InvalidRequest"):
                raise StorageLocked(
                    f"对象存储拒绝删除 {digest[:19]}…：对象锁（合规模式）尚未到期，"
                    "到期前任何人都不能删除；请在到期后重新执行销毁"
                ) from None
            raise
