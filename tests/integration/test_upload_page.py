"""A case's upload page and what its uploads record: the camera and the recording's times
reach the stored file and its binding (so the case shows no 未登记设备 and no upload-time
findings), the server refuses what cannot be true, and a file the uploader gave no times takes
the ones its container records (made here with PyAV), or says it has none."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import select

from liuhen.accounts import service as access
from liuhen.archive import verify
from liuhen.compliance import packs
from liuhen.compliance import service as compliance
from liuhen.entrypoints.web import create_app
from liuhen.evidence import devices
from liuhen.evidence.service import UNTIMED, media_row
from liuhen.kernel import record
from liuhen.kernel.db import store
from liuhen.kernel.record import ActInput
from tests.integration import factory
from tests.integration.auth import login
from tests.integration.test_evidence import write_video

CASE = "某文旅罚〔2026〕1号"
OTHER = "某文旅罚〔2026〕2号"


def sha(data: bytes) -> str:
    import hashlib

    return "sha256:" + hashlib.sha256(data).hexdigest()


def metadata(**values: str) -> str:
    return ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in values.items())


class Browser:
    """An officer signed in through the login form, uploading as the page's script does: tus
    with the session cookie and the page's CSRF token."""

    def __init__(self, client: TestClient, case: str = CASE) -> None:
        page = client.get(f"/cases/{case}/upload")
        assert page.status_code == 200, page.text
        found = re.search(r'name="csrf-token" content="([^"]+)"', page.text)
        assert found
        self.client = client
        self.page = page.text
        self.headers = {"Tus-Resumable": "1.0.0", "X-CSRF-Token": found.group(1)}

    def create(self, data: bytes, **meta: str) -> Any:
        return self.client.post(
            "/api/v1/uploads",
            headers={**self.headers, "Upload-Length": str(len(data)),
                     "Upload-Metadata": metadata(**meta)},
        )  # fmt: skip

    def upload(self, data: bytes, **meta: str) -> dict[str, Any]:
        created = self.create(data, **meta)
        assert created.status_code == 201, created.text
        where = created.headers["Location"]
        sent = self.client.patch(
            where,
            headers={**self.headers, "Upload-Offset": "0",
                     "Content-Type": "application/offset+octet-stream"},
            content=data,
        )  # fmt: skip
        assert sent.status_code == 204, sent.text
        status: dict[str, Any] = self.client.get(where).json()
        assert status["status"] == "complete", status
        return status


def bindings(app, case: str) -> list[dict[str, Any]]:
    entry = store.ENTRY
    with app.engine.connect() as conn:
        rows = conn.execute(
            select(entry.c.body).where(entry.c.chain == case, entry.c.act == "general.media")
        ).all()
    return [json.loads(r[0])["fields"] for r in rows]


@pytest.fixture
def scene(app):
    """Two cases of wl-zd1 with an inquiry each, rule pack 001 (a check before each recording),
    the officer's camera ZFJLY-21, another unit's camera, and the officer's sign-in."""
    factory.register(app)
    packs.use_pack(app, "001", "测试")
    factory.add_unit(app, "wl-zd2", "执法大队二中队")
    opened = {n: factory.open_case(app, n).seq for n in (CASE, OTHER)}
    inquiries = {n: factory.inquiry(app, n).seq for n in (CASE, OTHER)}
    devices.register(app, {"device_no": "ZFJLY-21", "model": "DSJ-V9", "unit": "wl-zd1",
                           "officer": "31010001", "status": "在用"})  # fmt: skip
    devices.register(app, {"device_no": "ZFJLY-90", "model": "DSJ-V9", "unit": "wl-zd2",
                           "status": "在用"})  # fmt: skip
    access.create_user(app, "zhangw", "officer-pass-1", ["officer"], "张伟", "wl-zd1", "31010001")
    access.create_user(app, "zhaofz", "head-password-1", ["head"], "赵负责", "wl-zd1", None)
    return app, inquiries, opened


def test_the_page_offers_the_cases_acts_and_the_units_cameras(scene):
    app, inquiries, opened = scene
    with TestClient(create_app(app)) as client:
        login(client, "zhangw", "officer-pass-1")
        page = Browser(client).page
        assert 'data-device="ZFJLY-21"' in page  # his own camera, pre-selected
        assert "本案尚无其使用前检查" in page and "/devices/ZFJLY-21?case=" in page
        assert "ZFJLY-90" not in page  # another unit's
        options = re.findall(r'<option value="(\d+)">([^<]+)</option>', page)
        assert [int(seq) for seq, _ in options] == [inquiries[CASE], opened[CASE]]
        assert options[0][1].startswith("询问 · 2026年11月3日 10:00")  # most recent first
        assert "multiple" in page and "evidence_upload.js" in page
        login(client, "zhaofz", "head-password-1")
        refused = client.get(f"/cases/{CASE}/upload")
        assert refused.status_code == 403 and "只有执法人员可以上传" in refused.text


def test_camera_and_times_reach_the_media_and_clear_the_findings(scene, tmp_path: Path):
    app, inquiries, _opened = scene
    clip = tmp_path / "clip.mp4"
    write_video(clip, seconds=2, created="2026-11-03T01:50:00.000000Z")
    data = clip.read_bytes()
    other = tmp_path / "other.mp4"
    write_video(other, seconds=3, created="2026-11-03T01:50:00.000000Z")
    # the pre-use check before the recording, in the case it precedes (001 第十二条)
    record.record(app, ActInput(
        "general.device_check", "2026-11-03T09:30:00+08:00", case=CASE, actors=["31010001"],
        fields={"device_no": "ZFJLY-21", "battery_percent": 95, "storage_free_mb": 30000,
                "works": True}, recorded_by=factory.OFFICER,
    ))  # fmt: skip
    with TestClient(create_app(app)) as client:
        login(client, "zhangw", "officer-pass-1")
        assert "本案最近一次使用前检查在 2026年11月3日 09:30" in Browser(client).page
        Browser(client).upload(
            data, filename="clip.mp4", filetype="video/mp4", case=CASE,
            act_seq=str(inquiries[CASE]), device="ZFJLY-21",
            started_at="2026-11-03T10:00:00+08:00", ended_at="2026-11-03T10:40:00+08:00",
            opening_statement="true",
        )  # fmt: skip
        # as the old inline form did: neither camera nor times
        Browser(client, OTHER).upload(
            other.read_bytes(), filename="other.mp4", filetype="video/mp4", case=OTHER,
            act_seq=str(inquiries[OTHER]),
        )  # fmt: skip
    row = media_row(app, sha(data))
    assert row is not None and row.case_number == CASE and row.act_seq == inquiries[CASE]
    assert (row.device_no, row.officer) == ("ZFJLY-21", "31010001")
    assert (row.started_at, row.ended_at) == ("2026-11-03T10:00:00+08:00",
                                              "2026-11-03T10:40:00+08:00")  # fmt: skip
    [bound] = bindings(app, CASE)
    assert bound["device_no"] == "ZFJLY-21" and bound["started_at"] == "2026-11-03T10:00:00+08:00"
    assert bound["opening_statement"] is True and bound["recording_notified"] is True
    found = compliance.evaluate_case(app, CASE).findings
    assert not [f for f in found if f.code.startswith(("av.device_check", "av.opening"))], found
    assert not any("未登记设备" in f.message for f in found)
    # the file without: the times its container records, but no camera, and no check for it
    [unbound] = bindings(app, OTHER)
    assert unbound["device_no"] == "未登记设备"
    assert unbound["started_at"] == "2026-11-03T09:50:00+08:00"  # its creation_time, not now
    other_found = compliance.evaluate_case(app, OTHER).findings
    assert any(f.code == "av.device_check:missing" and "未登记设备" in f.message
               for f in other_found), other_found  # fmt: skip
    assert {"av.opening_statement:missing", "av.opening_statement:not_notified"} <= {
        f.code for f in other_found
    }
    assert verify.verify(app).ok


def test_the_server_refuses_what_cannot_be_true(scene):
    app = scene[0]
    data = b"\x00" * 1000
    with TestClient(create_app(app)) as client:
        login(client, "zhangw", "officer-pass-1")
        page = Browser(client)
        cases = {
            "metadata.device": ({"device": "NOPE-1"}, "未登记"),
            "metadata.device ": (
                {"device": "ZFJLY-90"}, "属于执法大队二中队，不是本案承办机构执法大队一中队的"
            ),
            "metadata.ended_at": (
                {"started_at": "2026-11-03T10:40:00+08:00",
                 "ended_at": "2026-11-03T10:00:00+08:00"}, "结束记录时间早于开始记录时间",
            ),
            "metadata.started_at": (
                {"started_at": "2099-11-03T10:00:00+08:00",
                 "ended_at": "2099-11-03T10:40:00+08:00"}, "晚于当前时间",
            ),
        }  # fmt: skip
        for where, (meta, says) in cases.items():
            refused = page.create(data, filename="x.mp4", case=CASE, **meta)
            assert refused.status_code == 422, refused.text
            body = refused.json()
            assert body["code"] == "LH100"
            assert any(p["field"] == where.strip() and says in p["message"]
                       for p in body["problems"]), body  # fmt: skip
    with app.engine.connect() as conn:
        assert conn.execute(select(store.UPLOAD.c.id)).first() is None  # nothing was begun


def test_a_file_with_no_case_comes_from_a_camera_of_the_uploaders_own_unit(scene):
    """Not yet a case's: the file is his unit's to file, so another unit's camera is refused at
    its field, as on a case; one of his unit is taken."""
    app = scene[0]
    data = b"\x00" * 1000
    with TestClient(create_app(app)) as client:
        login(client, "zhangw", "officer-pass-1")
        page = Browser(client)
        refused = page.create(data, filename="x.mp4", device="ZFJLY-90")
        assert refused.status_code == 422, refused.text
        [problem] = refused.json()["problems"]
        assert problem["field"] == "metadata.device"
        assert "属于执法大队二中队，不是上传人所属机构执法大队一中队的" in problem["message"]
        assert page.create(data, filename="x.mp4", device="ZFJLY-21").status_code == 201


def test_without_times_the_file_says_when_or_that_it_cannot(scene, tmp_path: Path):
    app = scene[0]
    clip = tmp_path / "clip.mp4"
    write_video(clip, seconds=3, created="2026-11-03T02:10:00.000000Z")
    photo = tmp_path / "photo.jpg"
    Image.new("RGB", (64, 48), (10, 120, 200)).save(photo)  # no EXIF: no capture time
    with TestClient(create_app(app)) as client:
        login(client, "zhangw", "officer-pass-1")
        page = Browser(client)
        page.upload(clip.read_bytes(), filename="clip.mp4", case=CASE, device="ZFJLY-21")
        page.upload(photo.read_bytes(), filename="photo.jpg", case=CASE, device="ZFJLY-21")
    video = media_row(app, sha(clip.read_bytes()))
    assert video is not None and video.started_at == "2026-11-03T10:10:00+08:00"
    assert video.ended_at == "2026-11-03T10:10:03+08:00"  # creation_time plus the duration
    assert UNTIMED not in video.problems
    still = media_row(app, sha(photo.read_bytes()))
    assert still is not None and still.started_at is None
    assert UNTIMED in still.problems  # said, on the file, where the case page shows problems
    bound = {b["digest"]: b for b in bindings(app, CASE)}
    assert bound[still.digest]["started_at"] == still.stored_at
