"""The 记录仪 pages: a head registers, assigns, changes the status of and maintains his units'
body cameras, the officer a camera is assigned to records its pre-use check in a case; each a
journal entry, each refusal in Chinese with the form as typed, each guarded."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from liuhen.accounts import service as access
from liuhen.archive import verify
from liuhen.entrypoints.web import create_app
from liuhen.evidence import devices
from liuhen.kernel import record
from liuhen.kernel.db import store
from liuhen.kernel.record import ActInput
from tests.integration import factory
from tests.integration.auth import login

CASE = "某文旅罚〔2026〕1号"


def csrf(client: TestClient, path: str) -> str:
    page = client.get(path)
    assert page.status_code == 200, page.text
    found = re.search(r'name="csrf-token" content="([^"]+)"', page.text)
    assert found
    return found.group(1)


def post(client: TestClient, path: str, page: str, **form: str) -> Any:
    return client.post(path, data={"csrf": csrf(client, page), **form}, follow_redirects=False)


def acts(app, act: str) -> list[dict[str, Any]]:
    """The journal's entries of ``act``: chain, actors and the body's fields and recorder."""
    entry = store.ENTRY
    with app.engine.connect() as conn:
        rows = conn.execute(
            select(entry.c.chain, entry.c.actors, entry.c.body)
            .where(entry.c.act == act)
            .order_by(entry.c.seq)
        ).all()
    return [{"chain": c, "actors": json.loads(a), **json.loads(b)} for c, a, b in rows]


@pytest.fixture
def office(app):
    """Agency wl (unit wl-zd1: officers 31010001–3, head 31010009) and agency ty (unit
    ty-zd1: its head 32010009); a sign-in for each of them and for the administrator."""
    factory.register(app)
    factory.add_officer(app, "31010009", "赵负责", roles=("head",))
    record.record(
        app,
        ActInput("registry.agency", app.clock.now().isoformat(), recorded_by=factory.ADMIN,
                 fields={"code": "ty", "name": "某县体育局", "region": "某县"}),
    )  # fmt: skip
    factory.add_unit(app, "ty-zd1", "体育执法队", agency="ty")
    factory.add_officer(app, "32010009", "钱负责", roles=("head",), unit="ty-zd1")
    access.create_user(app, "zhaofz", "head-password-1", ["head"], "赵负责", "wl-zd1", "31010009")
    access.create_user(app, "qianfz", "head-password-2", ["head"], "钱负责", "ty-zd1", "32010009")
    access.create_user(app, "zhangw", "officer-pass-1", ["officer"], "张伟", "wl-zd1", "31010001")
    access.create_user(app, "lina", "officer-pass-2", ["officer"], "李娜", "wl-zd1", "31010002")
    access.create_user(app, "root", "admin-password-1", ["admin"], "管理员")
    return app


def test_the_empty_register_invites_a_head_to_register_and_tells_an_officer_who_does(office):
    with TestClient(create_app(office)) as client:
        assert login(client, "zhaofz", "head-password-1").status_code == 303
        page = client.get("/devices").text
        assert "liuhen device add" not in page
        assert "请在下方登记第一台" in page and 'id="register-device"' in page
        assert '<option value="31010001">张伟</option>' in page  # officers by name
        assert "体育执法队" not in page  # only his agency's units
        assert login(client, "zhangw", "officer-pass-1").status_code == 303
        page = client.get("/devices").text
        assert "由负责人或系统管理员登记" in page and 'id="register-device"' not in page


def test_a_head_registers_assigns_changes_status_and_maintains(office):
    app = office
    with TestClient(create_app(app)) as client:
        login(client, "zhaofz", "head-password-1")
        done = post(client, "/devices", "/devices", device_no="ZFJLY-21", model="DSJ-V9",
                    unit="wl-zd1", officer="31010001", status="在用", note="新购")  # fmt: skip
        assert done.status_code == 303 and done.headers["location"] == "/devices?done=registered"
        listed = client.get("/devices?done=registered").text
        assert "执法记录仪已登记" in listed and "ZFJLY-21" in listed and "张伟" in listed
        device = "/devices/ZFJLY-21"
        done = post(client, f"{device}/assign", device, officer="31010002", note="调整")
        assert done.status_code == 303
        assert devices.get(app, "ZFJLY-21").officer == "31010002"
        done = post(client, f"{device}/status", device, status="维修", note="屏幕损坏")
        assert done.status_code == 303
        assert devices.get(app, "ZFJLY-21").status == "维修"
        done = post(client, f"{device}/maintenance", device, kind="维修", done_on="2026-11-20",
                    description="更换屏幕")  # fmt: skip
        assert done.status_code == 303
        page = client.get(device).text
        assert "更换屏幕" in page and "屏幕损坏" in page and "李娜" in page
    registered = acts(app, "registry.device")
    assert len(registered) == 3  # registration, assignment, status: each a new entry
    assert {e["recorded_by"]["role"] for e in registered} == {"head"}
    assert registered[0]["recorded_by"]["id"] == "31010009"
    assert [e["fields"]["officer"] for e in registered] == ["31010001", "31010002", "31010002"]
    maintained = acts(app, "registry.device_maintenance")
    assert maintained[0]["fields"]["kind"] == "维修"
    assert verify.verify(app).ok


def test_refusals_keep_what_was_typed(office):
    app = office
    devices.register(app, {"device_no": "ZFJLY-21", "model": "DSJ-V9", "unit": "wl-zd1",
                           "status": "在用"})  # fmt: skip
    with TestClient(create_app(app)) as client:
        login(client, "zhaofz", "head-password-1")
        again = post(client, "/devices", "/devices", device_no="ZFJLY-21", model="新型号-X",
                     unit="wl-zd1", status="在用")  # fmt: skip
        assert again.status_code == 409 and "LH109" in again.text and "已登记" in again.text
        assert 'value="新型号-X"' in again.text
        wrong = post(client, "/devices", "/devices", device_no="ZFJLY-22", model="",
                     unit="wl-zd1", officer="32010009", status="丢失")  # fmt: skip
        assert wrong.status_code == 422 and "LH100" in wrong.text
        assert "请填写型号" in wrong.text and "状态应为" in wrong.text
        assert "不是执法大队一中队在岗的执法人员" in wrong.text
        assert 'value="ZFJLY-22"' in wrong.text
        device = "/devices/ZFJLY-21"
        bad = post(client, f"{device}/maintenance", device, kind="维修", done_on="",
                   description="更换电池")  # fmt: skip
        assert bad.status_code == 422 and "更换电池" in bad.text
        bad = post(client, f"{device}/assign", device, officer="32010009", note="借用")
        assert bad.status_code == 422 and 'value="借用"' in bad.text
    assert len(acts(app, "registry.device")) == 1 and acts(app, "registry.device_maintenance") == []


def test_guards_officers_do_not_register_and_heads_only_their_units(office):
    app = office
    devices.register(app, {"device_no": "ZFJLY-21", "model": "DSJ-V9", "unit": "wl-zd1",
                           "officer": "31010001", "status": "在用"})  # fmt: skip
    with TestClient(create_app(app)) as client:
        login(client, "zhangw", "officer-pass-1")
        refused = post(client, "/devices", "/devices", device_no="ZFJLY-30", model="X",
                       unit="wl-zd1", status="在用")  # fmt: skip
        assert refused.status_code == 403 and "LH151" in refused.text
        refused = post(client, "/devices/ZFJLY-21/assign", "/devices", officer="31010001")
        assert refused.status_code == 403
        login(client, "qianfz", "head-password-2")  # the head of another agency's unit
        assert client.get("/devices").text.count("ZFJLY-21") == 0
        assert client.get("/devices/ZFJLY-21").status_code == 403
        refused = post(client, "/devices/ZFJLY-21/assign", "/devices", officer="32010009")
        assert refused.status_code == 403
        refused = post(client, "/devices", "/devices", device_no="ZFJLY-31", model="X",
                       unit="wl-zd1", status="在用")  # fmt: skip
        assert refused.status_code == 403 and "无权为执法大队一中队登记" in refused.text
        login(client, "root", "admin-password-1")  # the administrator: every unit's cameras
        assert "ZFJLY-21" in client.get("/devices").text
        done = post(client, "/devices", "/devices", device_no="TY-01", model="X",
                    unit="ty-zd1", status="在用")  # fmt: skip
        assert done.status_code == 303
    assert devices.get(app, "ZFJLY-21").officer == "31010001"
    assert [e["recorded_by"]["role"] for e in acts(app, "registry.device")][-1] == "admin"


def test_the_assigned_officer_records_the_pre_use_check_in_a_case(office):
    app = office
    factory.open_case(app)
    devices.register(app, {"device_no": "ZFJLY-21", "model": "DSJ-V9", "unit": "wl-zd1",
                           "officer": "31010001", "status": "在用"})  # fmt: skip
    device = "/devices/ZFJLY-21"
    with TestClient(create_app(app)) as client:
        login(client, "lina", "officer-pass-2")  # not hers
        page = client.get(device).text
        assert 'id="device-check"' not in page
        refused = post(client, f"{device}/check", device, case=CASE, checked_at="2026-11-03T08:00",
                       battery_percent="90", storage_free_mb="20000", works="true")  # fmt: skip
        assert refused.status_code == 403 and "配发给的执法人员" in refused.text
        login(client, "zhaofz", "head-password-1")  # heads record no checks (an officer's act)
        refused = post(client, f"{device}/check", device, case=CASE)
        assert refused.status_code == 403
        login(client, "zhangw", "officer-pass-1")
        page = client.get(f"{device}?case={CASE}").text  # the upload page links so
        assert 'id="device-check"' in page and f'<option value="{CASE}" selected>' in page
        future = post(client, f"{device}/check", device, case=CASE, checked_at="2099-01-01T08:00",
                      battery_percent="90", storage_free_mb="20000", works="true")  # fmt: skip
        assert future.status_code == 422 and "晚于当前时间" in future.text
        assert 'value="20000"' in future.text
        missing = post(client, f"{device}/check", device, case=CASE, checked_at="2026-11-03T08:00",
                       battery_percent="", storage_free_mb="20000", works="true")  # fmt: skip
        assert missing.status_code == 422 and "电量" in missing.text
        done = post(client, f"{device}/check", device, case=CASE, checked_at="2026-11-03T08:00",
                    battery_percent="90", storage_free_mb="20000", works="true",
                    clock_ok="true")  # fmt: skip
        assert done.status_code == 303
        page = client.get(device + "?done=checked").text
        assert "使用前检查已记入所选案件" in page and "电量 90%" in page
    checks = acts(app, "general.device_check")
    assert len(checks) == 1 and checks[0]["chain"] == CASE
    assert checks[0]["fields"]["battery_percent"] == 90 and checks[0]["fields"]["works"] is True
    assert checks[0]["actors"] == [{"cert_no": "31010001", "name": "张伟"}]
    assert verify.verify(app).ok
