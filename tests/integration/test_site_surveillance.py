"""The 执法办案场所's own surveillance (001 第九条第四项, 003 第十九条): a fixed camera registered
for a named site, its recordings stored like a body camera's and bound only to the acts held
at that site while they ran; 003's 全程 is judged by the clips' union."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from liuhen.cases import service as cases
from liuhen.compliance import packs
from liuhen.compliance import service as compliance
from liuhen.entrypoints.cli import cli
from liuhen.entrypoints.web import create_app
from liuhen.errors import ValidationError
from liuhen.evidence import devices, ingest
from liuhen.evidence import service as evidence
from liuhen.kernel import record
from tests.integration import factory
from tests.integration.auth import login
from tests.integration.test_device_pages import office, post  # noqa: F401 (a fixture)
from tests.integration.test_evidence import write_video

CASE = "某文旅罚〔2026〕1号"
BY = {"id": "31010001", "role": "officer"}
SITE = "某区文化和旅游局执法办案区询问室一"


@pytest.fixture
def site_camera(app):
    factory.register(app)
    fields = {"device_no": "JKSXT-01", "model": "DS-2CD", "unit": "wl-zd1", "status": "在用"}
    devices.register(app, {**fields, "kind": "办案场所监控", "site": SITE})
    return app


def _clip(app, folder: Path, name: str, created: str) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    write_video(folder / name, created=created)
    ingest.ingest(app, folder, "JKSXT-01", files=[folder / name])
    return next(m.digest for m in evidence.list_media(app, device_no="JKSXT-01").items
                if m.name == name)  # fmt: skip


def test_a_site_camera_names_its_site_and_is_issued_to_no_one(site_camera):
    app = site_camera
    camera = devices.get(app, "JKSXT-01")
    assert (camera.kind, camera.site, camera.officer) == ("办案场所监控", SITE, None)
    assert camera.watches_site and not devices.get(app, "JKSXT-01").officer
    base = {"model": "DS-2CD", "unit": "wl-zd1", "status": "在用", "kind": "办案场所监控"}
    with pytest.raises(ValidationError, match="登记设备") as no_site:
        devices.register(app, {**base, "device_no": "JKSXT-02"})
    assert [p.field for p in no_site.value.problems] == ["site"]
    with pytest.raises(ValidationError) as issued:
        devices.register(
            app, {**base, "device_no": "JKSXT-03", "site": SITE, "officer": "31010001"}
        )
    assert [p.field for p in issued.value.problems] == ["officer"]


def test_a_site_recording_binds_to_an_act_held_there_while_it_ran(site_camera, tmp_path):
    app = site_camera
    factory.open_case(app)
    elsewhere = factory.inquiry(app)  # 10:00–10:40, not marked as held at the site
    at_site = factory.inquiry_input(CASE, "王某")
    at_site.fields["case_site"] = True
    held = record.record(app, at_site)
    during = _clip(app, tmp_path / "a", "during.mp4", "2026-11-03T02:10:00.000000Z")  # 10:10
    after = _clip(app, tmp_path / "b", "after.mp4", "2026-11-03T03:30:00.000000Z")  # 11:30
    with pytest.raises(ValidationError, match="在执法办案场所进行"):
        evidence.bind(app, during, CASE, elsewhere.seq, BY)
    with pytest.raises(ValidationError, match="归入其所记录的事项"):
        evidence.bind(app, during, CASE, None, BY)
    with pytest.raises(ValidationError, match="不重合"):
        evidence.bind(app, after, CASE, held.seq, BY)
    bound = evidence.bind(app, during, CASE, held.seq, BY)
    entry = next(e for s in _stages(app) for e in s if e.seq == bound.seq)
    assert entry.fields["site"] == SITE and entry.fields["act_seq"] == held.seq
    # 001 asks for 音像记录: the site's clip is one. 003 asks for 全程: two seconds of a forty
    # minute inquiry leave the rest unrecorded.
    packs.use_pack(app, "001", "测试")
    codes = {f.code for f in compliance.evaluate_case(app, CASE).findings if f.seqs[0] == held.seq}
    assert "av.case_site:missing" not in codes
    packs.use_pack(app, "003", "测试")
    found = [
        f for f in compliance.evaluate_case(app, CASE).findings if f.code == "av.case_site:partial"
    ]
    assert [f.seqs[0] for f in found] == [held.seq] and "10:10:02" in found[0].message


def _stages(app):
    return [stage.entries for stage in cases.show_case(app, CASE).stages]


def test_cli_registers_and_lists_a_site_camera(site_camera, env, monkeypatch):
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    runner = CliRunner()
    args = ["device", "add", "JKSXT-09", "--model", "DS-2CD", "--unit", "wl-zd1"]
    added = runner.invoke(cli, [*args, "--kind", "办案场所监控", "--site", "询问室二"])
    assert added.exit_code == 0, added.output
    assert "办案场所监控（询问室二）" in added.output
    listed = runner.invoke(cli, ["device", "list"])
    assert "询问室二" in listed.output and "办案场所监控" in listed.output
    refused = runner.invoke(cli, ["device", "add", "JKSXT-10", "--model", "X", "--unit", "wl-zd1",
                                  "--kind", "办案场所监控"])  # fmt: skip
    assert refused.exit_code != 0 and "所在的执法办案场所" in refused.output


def test_a_head_registers_a_site_camera_on_the_register_page(office):  # noqa: F811
    app = office
    with TestClient(create_app(app)) as client:
        login(client, "zhaofz", "head-password-1")
        done = post(client, "/devices", "/devices", device_no="JKSXT-21", model="DS-2CD",
                    unit="wl-zd1", status="在用", kind="办案场所监控", site="询问室三")  # fmt: skip
        assert done.status_code == 303
        listed = client.get("/devices").text
        assert "办案场所监控" in listed and "询问室三" in listed
        assert "所在执法办案场所 询问室三" in client.get("/devices/JKSXT-21").text
        refused = post(client, "/devices", "/devices", device_no="JKSXT-22", model="DS-2CD",
                       unit="wl-zd1", status="在用", kind="办案场所监控")  # fmt: skip
        assert refused.status_code == 422 and "所在的执法办案场所" in refused.text
    assert devices.get(app, "JKSXT-21").site == "询问室三"
