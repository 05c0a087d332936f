"""Evidence end to end: dock import, derivatives made by the job queue, playback ranges,
classification, the officer's to-be-filed list, devices, and rules findings on media."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from pathlib import Path
from typing import cast

import av
import pytest
from fastapi.testclient import TestClient
from PIL import Image
from typer.testing import CliRunner

from liuhen.archive import verify
from liuhen.cases import service as cases
from liuhen.compliance import packs
from liuhen.compliance import service as compliance
from liuhen.entrypoints.cli import cli
from liuhen.entrypoints.web import create_app
from liuhen.errors import NotFoundError, ValidationError
from liuhen.evidence import derivatives, devices, ingest
from liuhen.evidence import service as evidence
from liuhen.evidence.schemas import MediaRow
from tests.integration import factory
from tests.integration.auth import token_headers


def write_video(path: Path, seconds: int = 2, created: str = "2026-11-03T02:10:00.000000Z") -> None:
    with av.open(str(path), "w", options={"movflags": "faststart"}) as out:
        out.metadata["creation_time"] = created
        stream = out.add_stream("libx264", rate=10)
        stream.width, stream.height, stream.pix_fmt = 160, 96, "yuv420p"
        for i in range(seconds * 10):
            frame = av.VideoFrame.from_image(Image.new("RGB", (160, 96), (i * 10 % 255, 80, 160)))
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)


def the_clip(app) -> MediaRow:
    """The intact video (the broken one is a "video" too, flagged corrupt)."""
    items = evidence.list_media(app, kind="video").items
    return next(m for m in items if m.name == "20261103_101000.mp4")


@pytest.fixture
def dock(tmp_path) -> Path:
    folder = tmp_path / "DCIM" / "100ZFJLY"
    folder.mkdir(parents=True)
    write_video(folder / "20261103_101000.mp4")
    Image.new("RGB", (120, 80), (200, 30, 30)).save(folder / "20261103_101500.jpg")
    (folder / "broken.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x17" * 5000)
    (folder / ".hidden").write_text("skip me")
    return folder


@pytest.fixture
def camera(app):
    factory.register(app)
    devices.register(
        app,
        {
            "device_no": "ZFJLY-07",
            "model": "DSJ-V9",
            "unit": "wl-zd1",
            "officer": "31010001",
            "status": "在用",
        },
    )
    return app


def test_dock_import_is_idempotent_and_classified(camera, dock):
    app = camera
    first = ingest.ingest(app, dock, "ZFJLY-07")
    assert sorted(first.stored) == ["20261103_101000.mp4", "20261103_101500.jpg", "broken.mp4"]
    assert first.failed == []
    again = ingest.ingest(app, dock, "ZFJLY-07")
    assert again.stored == [] and sorted(again.known) == sorted(first.stored)
    copy = dock / "copy_of_clip.mp4"  # same bytes under another name: recognised by digest
    copy.write_bytes((dock / "20261103_101000.mp4").read_bytes())
    third = ingest.ingest(app, dock, "ZFJLY-07")
    assert "copy_of_clip.mp4" in third.known and third.stored == []
    listed = evidence.list_media(app, device_no="ZFJLY-07")
    assert listed.total == 3
    by_name = {m.name: m for m in listed.items}
    video = by_name["20261103_101000.mp4"]
    assert (video.kind, video.officer, video.unit) == ("video", "31010001", "wl-zd1")
    assert str(video.started_at).startswith("2026-11-03T10:10:00")  # container time, local zone
    assert by_name["broken.mp4"].corrupt and by_name["broken.mp4"].problems
    assert evidence.list_media(app, officer="31010001", kind="photo").total == 1
    with pytest.raises(ValidationError):
        evidence.list_media(app, colour="red")
    assert verify.verify(app).ok


def test_derivatives_are_made_once_and_survive_a_lost_job(camera, dock):
    app = camera
    ingest.ingest(app, dock, "ZFJLY-07")
    todo = derivatives.pending(app)
    assert len(todo) == 2  # the corrupt file is not a video we can render... but it is flagged
    for digest in todo:
        assert derivatives.make(app, digest)
        assert not derivatives.make(app, digest)  # idempotent
    assert derivatives.pending(app) == []
    video = the_clip(app)
    assert video.thumbnail and video.proxy
    with av.open(app.blobs.path(video.proxy)) as proxy:
        assert proxy.streams.video[0].codec_context.name == "h264"
    original = app.blobs.path(video.digest)
    assert "sha256:" + hashlib.sha256(original.read_bytes()).hexdigest() == video.digest
    assert verify.verify(app).ok


def test_in_process_queue_runs_jobs_and_rescans(camera, dock):
    from liuhen.evidence.jobs import InProcessQueue

    app = camera
    ingest.ingest(app, dock, "ZFJLY-07")  # stored while no queue was running: a "lost" job
    q = InProcessQueue(app, rescan=0.2)
    q.start()
    try:
        assert q.idle.wait(60)
        assert derivatives.pending(app) == []
    finally:
        q.stop()  # a thread left running would work on the next test's database


def test_playback_ranges_and_media_api(camera, dock):
    app = camera
    ingest.ingest(app, dock, "ZFJLY-07")
    for digest in derivatives.pending(app):
        derivatives.make(app, digest)
    video = the_clip(app)
    with TestClient(create_app(app), headers=token_headers(app)) as client:
        whole = client.get(f"/api/v1/media/{video.digest}/proxy")
        assert whole.status_code == 200 and whole.headers["accept-ranges"] == "bytes"
        part = client.get(f"/api/v1/media/{video.digest}/proxy", headers={"Range": "bytes=0-99"})
        assert part.status_code == 206 and len(part.content) == 100
        assert part.content == whole.content[:100]
        assert part.headers["content-range"] == f"bytes 0-99/{len(whole.content)}"
        tail = client.get(f"/api/v1/media/{video.digest}/content", headers={"Range": "bytes=-10"})
        assert tail.status_code == 206 and len(tail.content) == 10
        bad = client.get(
            f"/api/v1/media/{video.digest}/content", headers={"Range": "bytes=999999999-"}
        )
        assert bad.status_code == 416 and bad.json()["code"] == "LH145"
        thumb = client.get(f"/api/v1/media/{video.digest}/thumbnail")
        assert thumb.headers["content-type"] == "image/jpeg" and thumb.content[:2] == b"\xff\xd8"
        listed = client.get("/api/v1/media", params={"device_no": "ZFJLY-07"}).json()
        assert listed["total"] == 3
        assert client.get("/api/v1/media/sha256:" + "0" * 64).status_code == 404
        assert client.get("/api/v1/media/todo").json()["total"] == 0  # stored just now


def test_binding_later_is_journaled_and_feeds_the_rules(camera, dock):
    app = camera
    packs.use_pack(app, "002", "测试")
    opened = factory.open_case(app)
    ingest.ingest(app, dock, "ZFJLY-07")
    video = the_clip(app)
    assert evidence.list_media(app, unbound=True).total == 3
    bound = evidence.bind(
        app,
        video.digest,
        "某文旅罚〔2026〕1号",
        opened.seq,
        {"id": "31010001", "role": "officer"},
    )
    row = cast(MediaRow, evidence.media_row(app, video.digest))
    assert row.case_number == "某文旅罚〔2026〕1号" and row.bound_seq == bound.seq
    assert row.party == "某区夜色酒吧"
    with pytest.raises(ValidationError, match="已归入"):
        evidence.bind(app, video.digest, "别的案件", None, {"id": "31010001", "role": "officer"})
    with pytest.raises(NotFoundError):
        evidence.bind(
            app,
            "sha256:" + "1" * 64,
            "某文旅罚〔2026〕1号",
            None,
            {"id": "31010001", "role": "officer"},
        )
    # The clip ended 2026-11-03 10:10:02 and was stored now (weeks later): 002 allows 24 hours.
    found = compliance.evaluate_case(app, "某文旅罚〔2026〕1号")
    assert "av.storage:late" in {f.code for f in found.findings}
    assert verify.verify(app).ok


def test_the_case_page_plays_a_bound_clip_and_journals_the_view(camera, dock):
    app = camera
    opened = factory.open_case(app)
    ingest.ingest(app, dock, "ZFJLY-07")
    for digest in derivatives.pending(app):
        derivatives.make(app, digest)
    video = the_clip(app)
    case = "某文旅罚〔2026〕1号"
    evidence.bind(app, video.digest, case, opened.seq, {"id": "31010001", "role": "officer"})
    with TestClient(create_app(app), headers=token_headers(app)) as client:
        page = client.get(f"/cases/{case}")
        assert page.status_code == 200
        assert f'src="/api/v1/media/{video.digest}/proxy"' in page.text
        assert f'poster="/api/v1/media/{video.digest}/thumbnail"' in page.text
        assert client.get(f"/api/v1/media/{video.digest}/content").status_code == 200
    purposes = [
        e.fields["purpose"]
        for stage in cases.show_case(app, case).stages
        for e in stage.entries
        if e.act == "general.review_access"
    ]
    assert len(purposes) >= 2 and any(p.startswith("下载") for p in purposes), purposes
    assert verify.verify(app).ok


def test_cli_media_device_and_ingest(camera, dock, env, monkeypatch):
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    runner = CliRunner()

    def run(*args: str, code: int = 0) -> str:
        result = runner.invoke(cli, list(args))
        assert result.exit_code == code, (args, result.output, result.exception)
        return result.output

    output = run("ingest", str(dock), "--device", "ZFJLY-07")
    assert "新存储 3 个" in output and "已存在 0 个" in output
    assert "已存在 3 个" in run("ingest", str(dock), "--device", "ZFJLY-07")
    assert "LH104" in run("ingest", str(dock), "--device", "NOPE", code=2)
    listed = json.loads(run("media", "list", "--json", "--device", "ZFJLY-07"))
    assert listed["total"] == 3
    digest = listed["items"][0]["digest"]
    assert json.loads(run("media", "show", digest, "--json"))["digest"] == digest
    assert "ZFJLY-07" in run("device", "list")
    run(
        "device",
        "maintain",
        "ZFJLY-07",
        "--kind",
        "校时",
        "--date",
        "2026-11-20",
        "--description",
        "与北京时间校准",
        "--by",
        "31010001",
    )
    shown = json.loads(run("device", "show", "ZFJLY-07", "--json"))
    assert [e["act"] for e in shown["log"]] == ["registry.device", "registry.device_maintenance"]
    assert len(shown["media"]) == 3
    assert "没有待归档" in run("media", "todo")  # stored just now: not yet a day old


def test_to_be_filed_list_shows_unbound_media_older_than_a_day(camera, dock):
    app = camera
    ingest.ingest(app, dock, "ZFJLY-07")
    later = (app.clock.now() + timedelta(days=2)).isoformat()
    todo = evidence.list_media(app, unbound=True, older_than=later, officer="31010001")
    assert todo.total == 3


def test_an_interrupted_dock_import_resumes_where_it_stopped(camera, tmp_path):
    app = camera
    folder = tmp_path / "big"
    folder.mkdir()
    data = bytes(range(256)) * (50 * 1024)  # 12.5 MiB: several 4 MiB reads
    (folder / "20261103_long.mp4").write_bytes(data)

    def pull_the_cable(name: str, done: int, size: int) -> None:
        if done >= 4 << 20:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        ingest.ingest(app, folder, "ZFJLY-07", progress=pull_the_cable)
    assert evidence.list_media(app).total == 0  # nothing is evidence until complete
    resumed = ingest.ingest(app, folder, "ZFJLY-07")
    assert resumed.resumed == ["20261103_long.mp4"] and resumed.stored == ["20261103_long.mp4"]
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    assert b"".join(app.blobs.read(digest)) == data


def test_verify_media_rehashes_every_stored_file(camera, dock):
    from liuhen.archive import verify

    app = camera
    ingest.ingest(app, dock, "ZFJLY-07")
    assert verify.check_files(app, media=True) == []
    video = the_clip(app)
    path = app.blobs.path(video.digest)
    path.chmod(0o644)
    data = bytearray(path.read_bytes())
    data[100] ^= 0x01
    path.write_bytes(bytes(data))
    damages = verify.check_files(app, media=True)
    assert len(damages) == 1 and "摘要不符" in damages[0].what
    assert damages[0].seq == video.stored_seq
    assert verify.check_files(app) == []  # without --media only documents are re-hashed


def test_cli_verify_media_names_a_clip_changed_on_disk(camera, dock, env, monkeypatch):
    """`liuhen verify --media` (001 第二十三条: 不得篡改、删改原始记录): one byte of a stored clip
    changed behind the system's back is reported with the entry that stored it, and the exit
    code says so; plain `liuhen verify` does not re-hash media and stays silent about it."""
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    runner = CliRunner()

    def run(*args: str, code: int = 0) -> str:
        result = runner.invoke(cli, list(args))
        assert result.exit_code == code, (args, result.output, result.exception)
        return result.output

    run("ingest", str(dock), "--device", "ZFJLY-07")
    assert run("verify", "--media").startswith("完好")
    video = the_clip(camera)
    path = camera.blobs.path(video.digest)
    path.chmod(0o644)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    assert run("verify").startswith("完好")
    report = run("verify", "--media", code=1)
    assert "发现 1 处损坏" in report
    assert f"序号 {video.stored_seq}：音像文件的内容与记录的摘要不符（文件被改动）" in report
