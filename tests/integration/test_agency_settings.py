"""编号与救济: an agency's settings from the admin page, the API and the CLI, journaled."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from liuhen.accounts import service as access
from liuhen.kernel.db import store
from tests.integration import factory
from tests.integration.auth import admin_client, login

CSRF = re.compile(r'name="csrf" value="([^"]+)"')
PENALTY = "{简称}罚决〔{年}〕{号}号"


@pytest.fixture
def site(app):
    with admin_client(app) as client:
        yield app, client


def settings_entries(app) -> list[dict]:
    t = store.ENTRY
    with app.engine.connect() as conn:
        rows = conn.execute(
            select(t.c.body).where(t.c.act == "registry.agency_settings").order_by(t.c.seq)
        ).scalars()
        return [json.loads(r)["fields"] for r in rows]


def test_the_page_changes_settings_and_keeps_what_was_typed_when_refused(site):
    app, client = site
    page = client.get("/admin/settings")
    assert page.status_code == 200 and "编号与救济" in page.text
    assert "尚未设置" in page.text and "某区文化和旅游局立〔" in page.text
    token = CSRF.search(page.text)
    assert token
    typed = {
        "csrf": token.group(1), "short_name": "某文旅", "case_pattern": "{简称}罚〔{年}〕号",
        "doc_penalty_decision": PENALTY, "review_body": "某区人民政府",
        "court": "某区人民法院", "numbers_used": "case/2026=35",
        "act_types": ["investigation.inquiry", "investigation.inspection"], "warning_days": "5",
    }  # fmt: skip
    refused = client.post("/admin/settings?agency=wl", data=typed)
    assert refused.status_code == 422 and "案件编号规则" in refused.text
    assert (
        'value="某区人民政府"' in refused.text
        and 'value="{简称}罚决〔{年}〕{号}号"' in refused.text
    )
    assert 'value="investigation.inquiry" checked' in refused.text
    assert settings_entries(app) == []
    fixed = {**typed, "case_pattern": "{简称}罚〔{年}〕{号}号"}
    made = client.post("/admin/settings?agency=wl", data=fixed, follow_redirects=False)
    assert made.status_code == 303, made.text[:2000]
    shown = client.get(made.headers["location"]).text
    assert "机关设置已保存" in shown and "某文旅罚〔" in shown and "已设置" in shown
    [entry] = settings_entries(app)
    assert entry["short_name"] == "某文旅" and entry["court"] == "某区人民法院"
    assert entry["document_patterns"] == ["penalty_decision={简称}罚决〔{年}〕{号}号"]
    assert entry["numbers_used"] == ["case/2026=35"]
    found = access.agency_settings(app, "wl")
    assert found.act_types == ("investigation.inquiry", "investigation.inspection")
    assert found.warning_days == 5 and 'name="warning_days" type="number"' in shown
    assert 'value="5"' in client.get("/admin/settings?agency=wl").text
    api = client.get("/api/v1/admin/agencies/wl/settings").json()
    assert api["warning_days"] == 5


def test_only_admins_reach_the_settings(site):
    _app, client = site
    login(client, "zhangw", "correct-horse-1")
    assert client.get("/admin/settings").status_code == 403
    assert client.get("/api/v1/admin/agencies/wl/settings").status_code == 403


def test_the_api_reads_and_changes_settings(site):
    app, client = site
    csrf = client.get("/").text.split('name="csrf-token" content="')[1].split('"')[0]
    headers = {"X-CSRF-Token": csrf}
    before = client.get("/api/v1/admin/agencies/wl/settings").json()
    assert before["recorded"] is False and before["short_name"] == "某区文化和旅游局"
    body = {"short_name": "某文旅", "document_patterns": {"penalty_decision": PENALTY},
            "review_body": "某区人民政府", "court": "某区人民法院"}  # fmt: skip
    made = client.post("/api/v1/admin/agencies/wl/settings", json=body, headers=headers)
    assert made.status_code == 200, made.text
    assert made.json()["agency"] == "wl"
    after = client.get("/api/v1/admin/agencies/wl/settings").json()
    assert after["recorded"] is True and after["court"] == "某区人民法院"
    assert after["case_pattern"] == "{简称}立〔{年}〕{号}号"
    bad = client.post("/api/v1/admin/agencies/wl/settings", headers=headers,
                      json={**body, "document_patterns": {"penalty_decision": "无号"}})  # fmt: skip
    assert bad.status_code == 422 and bad.json()["problems"][0]["field"] == "doc.penalty_decision"
    assert client.get("/api/v1/admin/agencies/nobody/settings").status_code == 404
    assert len(settings_entries(app)) == 1


def test_the_cli_shows_and_changes_settings(app, run):
    factory.register(app)
    shown = run("agency", "settings", "wl")
    assert "尚未设置" in shown and "某区文化和旅游局立〔" in shown
    changed = run("agency", "settings", "wl", "--short-name", "某文旅", "--doc",
                  f"penalty_decision={PENALTY}", "--court", "某区人民法院")  # fmt: skip
    assert "已记入日志" in changed and "某文旅罚决〔" in changed and "某区人民法院" in changed
    again = run("agency", "settings", "wl", "--review-body", "某区人民政府")
    assert "某文旅罚决〔" in again  # what was not given stays
    assert len(settings_entries(app)) == 2
    assert "LH100" in run("agency", "settings", "wl", "--case-pattern", "{号", code=2)
