"""tus uploads against a real server: resumable across dropped connections and restarts,
hashed in one pass, refused on a digest mismatch, and never deletable once evidence."""

from __future__ import annotations

import base64
import hashlib
import os
import time
from typing import cast

import httpx
import pytest
from sqlalchemy import text

from liuhen.archive import verify
from liuhen.evidence import devices
from liuhen.evidence.service import media_row
from tests.conftest import S3_ENDPOINT
from tests.integration import factory
from tests.integration.auth import token_headers
from tests.integration.server import Server, running

H = {"Tus-Resumable": "1.0.0"}
OCTETS = {**H, "Content-Type": "application/offset+octet-stream"}


@pytest.fixture(autouse=True)
def authorised(app):
    """A collection station's token on every request of the test (the instance is per test);
    the station belongs to a registered unit, so the agency and its officers come first."""
    factory.register(app)
    headers = token_headers(app)
    H.update(headers)
    OCTETS.update(headers)
    yield headers
    for d in (H, OCTETS):
        d.pop("Authorization", None)


def metadata(**values: str) -> str:
    return ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in values.items())


def sha(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def create(url: str, data: bytes, **meta: str) -> str:
    r = httpx.post(
        f"{url}/api/v1/uploads",
        headers={**H, "Upload-Length": str(len(data)), "Upload-Metadata": metadata(**meta)},
    )
    assert r.status_code == 201, r.text
    return url + r.headers["Location"]


def entries(app, act: str) -> list[str]:
    with app.engine.connect() as conn:
        return [
            r[0]
            for r in conn.execute(
                text("SELECT body FROM journal_entry WHERE act = :a ORDER BY seq"), {"a": act}
            )
        ]


def camera(app, device_no: str) -> None:
    """A registered body camera of the station's unit: uploads name only registered ones."""
    devices.register(app, {"device_no": device_no, "model": "DSJ-V9", "unit": "wl-zd1",
                           "status": "在用"})  # fmt: skip


def test_tuspy_client_uploads_and_the_file_becomes_evidence(app, env):
    from tusclient import client as tus_client

    camera(app, "ZFJLY-01")
    data = os.urandom(5 * 1024 * 1024 + 123)
    path = app.settings.data_dir.parent / "clip.mp4"
    path.write_bytes(data)
    with running(env) as server:
        uploader = tus_client.TusClient(f"{server.url}/api/v1/uploads", headers=dict(H)).uploader(
            str(path), chunk_size=1024 * 1024,
            metadata={"filename": "clip.mp4", "digest": sha(data), "device": "ZFJLY-01",
                      "officer": "31010001"},
        )  # fmt: skip
        uploader.upload()
        status = httpx.get(cast(str, uploader.url), headers=H).json()
    assert status["status"] == "complete" and status["digest"] == sha(data)
    assert b"".join(app.blobs.read(sha(data))) == data
    row = media_row(app, sha(data))
    assert row is not None
    assert (row.device_no, row.officer, row.unit, row.size) == (
        "ZFJLY-01",
        "31010001",
        "wl-zd1",
        len(data),
    )
    assert row.kind == "unknown"  # random bytes named .mp4: kept as received, flagged unknown
    assert len(entries(app, "evidence.stored")) == 1
    assert verify.verify(app).ok


def test_upload_resumes_after_a_dropped_connection_and_a_server_kill(app, env):
    data = os.urandom(4 * 1024 * 1024)
    server = Server(env).start()
    try:
        loc = create(server.url, data, filename="long.mp4", digest=sha(data))

        def broken_body():
            yield data[: 1024 * 1024]
            # the server drops what it had not yet read when the client vanishes (uvicorn), so
            # the cable is pulled once it has had time to take the first megabyte
            time.sleep(1)
            yield data[1024 * 1024 : 1536 * 1024]
            raise ConnectionError("cable pulled")

        with pytest.raises((httpx.HTTPError, ConnectionError)):
            httpx.patch(loc, headers={**OCTETS, "Upload-Offset": "0"}, content=broken_body())
        received = int(httpx.head(loc, headers=H).headers["Upload-Offset"])
        assert 0 < received <= 1536 * 1024
        server.kill()
        server.start()
        assert int(httpx.head(loc, headers=H).headers["Upload-Offset"]) == received
        r = httpx.patch(
            loc,
            headers={**OCTETS, "Upload-Offset": str(received)},
            content=data[received:],
            timeout=60,
        )
        assert r.status_code == 204, r.text
        assert r.headers["Liuhen-Digest"] == sha(data)
    finally:
        server.stop()
    assert b"".join(app.blobs.read(sha(data))) == data
    assert verify.verify(app).ok


def test_digest_mismatch_is_refused_and_nothing_is_evidence(app, env):
    data = os.urandom(200_000)
    with running(env) as server:
        loc = create(server.url, data, filename="x.mp4", digest=sha(b"something else"))
        r = httpx.patch(loc, headers={**OCTETS, "Upload-Offset": "0"}, content=data)
        assert r.status_code == 460
        assert r.json()["code"] == "LH141" and "摘要不符" in r.json()["message"]
        assert httpx.head(loc, headers=H).status_code == 410
    assert not app.blobs.exists(sha(data))
    assert entries(app, "evidence.stored") == []


def test_protocol_errors_and_termination(app, env):
    data = os.urandom(1000)
    with running(env) as server:
        url = server.url
        assert httpx.options(f"{url}/api/v1/uploads").headers["Tus-Version"] == "1.0.0"
        assert (
            httpx.post(
                f"{url}/api/v1/uploads",
                headers={"Upload-Length": "10", "Authorization": H["Authorization"]},
            ).status_code
            == 412
        )
        bad = httpx.post(
            f"{url}/api/v1/uploads",
            headers={**H, "Upload-Length": "10", "Upload-Metadata": "filename !!!"},
        )
        assert bad.status_code == 422 and bad.json()["code"] == "LH100"
        unknown = httpx.post(
            f"{url}/api/v1/uploads",
            headers={**H, "Upload-Length": "10", "Upload-Metadata": metadata(colour="红")},
        )
        assert unknown.status_code == 422
        loc = create(url, data, filename="a.jpg")
        assert (
            httpx.patch(
                loc, headers={**H, "Content-Type": "text/plain", "Upload-Offset": "0"}, content=data
            ).status_code
            == 415
        )
        assert (
            httpx.patch(loc, headers={**OCTETS, "Upload-Offset": "7"}, content=data).status_code
            == 409
        )
        too_much = httpx.patch(loc, headers={**OCTETS, "Upload-Offset": "0"}, content=data + b"xx")
        assert too_much.status_code == 422
        assert int(httpx.head(loc, headers=H).headers["Upload-Offset"]) == len(
            data
        )  # kept what fit
        assert httpx.delete(loc, headers=H).status_code == 409  # complete: evidence now
        other = create(url, data + b"!", filename="b.jpg")
        httpx.patch(other, headers={**OCTETS, "Upload-Offset": "0"}, content=data[:10])
        assert httpx.delete(other, headers=H).status_code == 204
        assert httpx.head(other, headers=H).status_code == 410
        assert httpx.head(f"{url}/api/v1/uploads/doesnotexist", headers=H).status_code == 404


def test_upload_bound_to_a_case_at_upload_time(app, env):
    opened = factory.open_case(app)
    camera(app, "ZFJLY-02")
    data = os.urandom(50_000)
    with running(env) as server:
        loc = create(
            server.url,
            data,
            filename="seal.mp4",
            officer="31010001",
            device="ZFJLY-02",
            case="某文旅罚〔2026〕1号",
            act_seq=str(opened.seq),
            started_at="2026-11-02T09:10:00+08:00",
            ended_at="2026-11-02T09:40:00+08:00",
        )
        assert (
            httpx.patch(loc, headers={**OCTETS, "Upload-Offset": "0"}, content=data).status_code
            == 204
        )
    row = media_row(app, sha(data))
    assert row is not None and row.case_number == "某文旅罚〔2026〕1号"
    assert row.act_seq == opened.seq and row.party == "某区夜色酒吧"
    binding = entries(app, "general.media")
    assert len(binding) == 1 and sha(data) in binding[0]
    assert verify.verify(app).ok


def test_uploads_into_s3_with_object_lock(app, env, s3_bucket, s3_prefix, s3_client):
    data = os.urandom(300_000)
    s3_env = {**env, "LIUHEN_BLOB_URL": f"s3://{s3_bucket}/{s3_prefix}?endpoint={S3_ENDPOINT}"}
    with running(s3_env) as server:
        loc = create(server.url, data, filename="photo.jpg", digest=sha(data))
        assert (
            httpx.patch(loc, headers={**OCTETS, "Upload-Offset": "0"}, content=data).status_code
            == 204
        )
    hexd = sha(data).split(":")[1]
    key = f"{s3_prefix}/sha256/{hexd[:2]}/{hexd[2:4]}/{hexd}"
    head = s3_client.head_object(Bucket=s3_bucket, Key=key)
    assert head["ContentLength"] == len(data) and head["ObjectLockMode"] == "COMPLIANCE"
