"""Blob stores: content-addressed, never overwritten, ranges readable; S3 against SeaweedFS."""

from __future__ import annotations

import hashlib
import os
import stat

import pytest
from botocore.exceptions import ClientError

from liuhen.errors import NotFoundError, ValidationError
from liuhen.kernel.blobs.fs import FilesystemStore
from liuhen.kernel.blobs.s3 import S3Store
from liuhen.kernel.blobs.store import key_of
from tests.conftest import S3_ENDPOINT


def staged(tmp_path, data: bytes, name: str = "x.part"):
    path = tmp_path / name
    path.write_bytes(data)
    return path, "sha256:" + hashlib.sha256(data).hexdigest()


@pytest.fixture(params=["filesystem", "s3"])
def store(request, tmp_path):
    if request.param == "filesystem":
        return FilesystemStore(tmp_path / "blobs")
    bucket = request.getfixturevalue("s3_bucket")
    prefix = request.getfixturevalue("s3_prefix")
    return S3Store.from_url(f"s3://{bucket}/{prefix}?endpoint={S3_ENDPOINT}", lock_days=1)


def test_put_read_range_and_deduplicate(store, tmp_path):
    data = os.urandom(3 * 1024 * 1024 + 17)
    path, digest = staged(tmp_path, data)
    assert store.put_file(path, digest) is True
    assert not path.exists()  # the staged copy is consumed
    assert store.exists(digest)
    assert store.size(digest) == len(data)
    assert b"".join(store.read(digest)) == data
    assert b"".join(store.read(digest, 100, 199)) == data[100:200]
    assert b"".join(store.read(digest, len(data) - 5)) == data[-5:]
    again, _ = staged(tmp_path, data, "y.part")
    assert store.put_file(again, digest) is False  # stored once
    assert not again.exists()


def test_missing_and_malformed_digests(store):
    with pytest.raises(NotFoundError):
        store.size("sha256:" + "0" * 64)
    with pytest.raises(ValidationError):
        key_of("sha256:../../etc/passwd")
    with pytest.raises(ValidationError):
        key_of("md5:" + "0" * 32)


def test_filesystem_blobs_are_read_only_and_never_overwritten(tmp_path):
    fs = FilesystemStore(tmp_path / "blobs")
    path, digest = staged(tmp_path, b"evidence")
    fs.put_file(path, digest)
    target = fs.path(digest)
    assert stat.S_IMODE(target.stat().st_mode) == 0o444
    forged, _ = staged(tmp_path, b"forged", "f.part")
    assert fs.put_file(forged, digest) is False  # a wrong file under a taken name is refused
    assert target.read_bytes() == b"evidence"


def test_s3_objects_are_locked_in_compliance_mode(s3_client, s3_bucket, s3_prefix, tmp_path):
    s3 = S3Store.from_url(f"s3://{s3_bucket}/{s3_prefix}?endpoint={S3_ENDPOINT}", lock_days=1)
    assert s3.locking
    path, digest = staged(tmp_path, b"body camera clip")
    s3.put_file(path, digest)
    head = s3_client.head_object(Bucket=s3_bucket, Key=s3.key(digest))
    assert head["ObjectLockMode"] == "COMPLIANCE"
    with pytest.raises(ClientError):
        s3_client.delete_object(Bucket=s3_bucket, Key=s3.key(digest), VersionId=head["VersionId"])
    with pytest.raises(ClientError):
        s3_client.put_object(Bucket=s3_bucket, Key=s3.key(digest), Body=b"other", IfNoneMatch="*")
    assert b"".join(s3.read(digest)) == b"body camera clip"


def test_s3_bucket_without_lock_still_refuses_overwrite(s3_client, s3_prefix, tmp_path):
    bucket = "liuhen-plain"
    try:
        s3_client.create_bucket(Bucket=bucket)
        code = None
    except ClientError as exc:  # made by an earlier run: fine, prefixes keep runs apart
        code = exc.response["Error"]["Code"]
    assert code in (None, "BucketAlreadyOwnedByYou", "BucketAlreadyExists")
    s3 = S3Store.from_url(f"s3://{bucket}/{s3_prefix}?endpoint={S3_ENDPOINT}")
    assert not s3.locking
    path, digest = staged(tmp_path, b"photo")
    assert s3.put_file(path, digest)
    other, _ = staged(tmp_path, b"photo", "o.part")
    assert s3.put_file(other, digest) is False
