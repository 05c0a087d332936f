"""系统管理: the administrator's pages and API, through the real app, database and journal."""

from __future__ import annotations

import json
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from liuhen.accounts import service as access
from liuhen.compliance import packs
from liuhen.entrypoints.web import create_app
from liuhen.kernel.db import store
from liuhen.signing import service as signing
from tests.integration.auth import ADMIN_PASSWORD, admin_client, login

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@pytest.fixture
def site(app):
    with admin_client(app) as client:
        yield app, client


def csrf(client: TestClient, path: str = "/admin/users") -> str:
    found = CSRF.search(client.get(path).text)
    assert found, "page has no CSRF field"
    return found.group(1)


def journal(app, act: str) -> list[dict]:
    t = store.T["journal_entry"]
    with app.engine.connect() as conn:
        rows = conn.execute(select(t.c.body).where(t.c.act == act).order_by(t.c.seq)).scalars()
        return [json.loads(r) for r in rows]


def test_admin_creates_a_user_who_can_then_log_in(site):
    app, client = site
    page = client.get("/admin/users")
    assert page.status_code == 200 and "创建账户" in page.text and "zhangw" in page.text
    assert 'href="/admin/users">系统管理</a>' in page.text  # the nav link, for admins
    made = client.post("/admin/users", follow_redirects=False, data={
        "csrf": csrf(client), "username": "lina", "display_name": "李娜",
        "password": "long-enough-pw", "roles": ["officer", "head"], "unit": "wl-zd1",
        "cert_no": "31010002",
    })  # fmt: skip
    assert made.status_code == 303 and made.headers["location"] == "/admin/users?done=created"
    assert "账户已创建" in client.get(made.headers["location"]).text
    user = access.get_user(app, "lina")
    assert user.roles == {"officer", "head"} and user.cert_no == "31010002"
    assert login(client, "lina", "long-enough-pw").status_code == 303
    assert "系统管理" not in client.get("/").text  # no admin link for an officer


def test_bad_input_re_renders_with_what_was_typed(site):
    app, client = site
    bad = client.post("/admin/users", data={
        "csrf": csrf(client), "username": "bad name!", "display_name": "王五",
        "password": "short", "roles": ["officer"], "unit": "wl-zd1", "cert_no": "99999999",
    })  # fmt: skip
    assert bad.status_code == 422
    text = bad.text
    assert "无法创建账户" in text and "LH100" in text
    assert "用户名只能包含字母" in text and "密码至少 10 个字符" in text
    assert "执法证号“99999999”未登记" in text
    assert 'value="bad name!"' in text and 'value="王五"' in text and 'value="99999999"' in text
    assert 'value="officer" checked' in text and 'value="wl-zd1" selected' in text
    assert "short" not in text  # a password is never echoed back
    with pytest.raises(Exception, match="不存在"):
        access.get_user(app, "bad name!")


def test_forms_need_the_csrf_field(site):
    _app, client = site
    refused = client.post("/admin/users", data={"csrf": "forged", "username": "x"})
    assert refused.status_code == 403 and "CSRF" in refused.text


def test_non_admins_get_403(site):
    app, client = site
    assert login(client, "zhangw", "correct-horse-1").status_code == 303
    for path in ("/admin/users", "/admin/units", "/admin/keys", "/admin/packs"):
        assert client.get(path).status_code == 403
    api = client.get("/api/v1/admin/users")
    assert api.status_code == 403 and api.json()["code"] == "LH151"
    token = access.create_token(app, "station", ["officer", "head"], "wl-zd1")
    bearer = client.get("/api/v1/admin/keys", headers={"Authorization": f"Bearer {token}"})
    assert bearer.status_code == 403 and bearer.json()["code"] == "LH151"


def test_unlock_after_five_failed_logins(site):
    app, client = site
    for _ in range(access.MAX_FAILURES):
        assert login(client, "zhangw", "wrong-password").status_code == 401
    assert login(client, "zhangw", "correct-horse-1").status_code == 401  # locked
    assert login(client, "root", ADMIN_PASSWORD).status_code == 303
    row = next(u for u in access.list_users(app).items if u.username == "zhangw")
    assert row.locked and row.locked_until
    assert "锁定至" in client.get("/admin/users").text
    done = client.post("/admin/users/zhangw/unlock", data={"csrf": csrf(client)},
                       follow_redirects=False)  # fmt: skip
    assert done.status_code == 303
    assert login(client, "zhangw", "correct-horse-1").status_code == 303


def test_deactivate_reactivate_and_reset_password(site):
    app, client = site
    token = csrf(client)
    client.post("/admin/users/zhangw/active", data={"csrf": token, "active": "0"})
    assert not access.list_users(app).items[1].active
    own = client.post("/admin/users/root/active", data={"csrf": token, "active": "0"})
    assert own.status_code == 422 and "不能停用自己的账户" in own.text
    client.post("/admin/users/zhangw/active", data={"csrf": token, "active": "1"})
    short = client.post("/admin/password", data={"csrf": token, "username": "zhangw",
                                                 "password": "tiny"})  # fmt: skip
    assert short.status_code == 422 and "密码至少 10 个字符" in short.text
    assert 'name="username" value="zhangw"' in short.text
    reset = client.post("/admin/password", follow_redirects=False, data={
        "csrf": token, "username": "zhangw", "password": "brand-new-pw-1"})  # fmt: skip
    assert reset.status_code == 303
    assert login(client, "zhangw", "correct-horse-1").status_code == 401
    assert login(client, "zhangw", "brand-new-pw-1").status_code == 303


def test_unit_and_officer_registration_are_journaled(site):
    app, client = site
    token = csrf(client, "/admin/units")
    unit = client.post("/admin/units", follow_redirects=False,
                       data={"csrf": token, "code": "wl-zd3", "name": "执法大队三中队",
                             "agency": "wl"})  # fmt: skip
    assert unit.status_code == 303
    officer = client.post("/admin/officers", follow_redirects=False, data={
        "csrf": token, "cert_no": "31010009", "name": "赵敏", "unit": "wl-zd3",
        "roles": ["officer"]})  # fmt: skip
    assert officer.status_code == 303
    units = journal(app, "registry.unit")
    assert units[-1]["fields"] == {"code": "wl-zd3", "name": "执法大队三中队", "agency": "wl"}
    assert units[-1]["recorded_by"] == {"id": "root", "role": "admin"}
    assert journal(app, "registry.officer")[-1]["fields"]["cert_no"] == "31010009"
    page = client.get("/admin/units").text
    assert "执法大队三中队" in page and "赵敏" in page
    again = client.post("/admin/officers", data={
        "csrf": token, "cert_no": "31010010", "name": "钱七", "unit": "nowhere",
        "roles": ["officer"]})  # fmt: skip
    assert again.status_code == 422 and "机构“nowhere”未登记" in again.text
    assert 'value="31010010"' in again.text and 'value="钱七"' in again.text
    listing = client.get("/api/v1/admin/registry").json()
    assert "wl-zd3" in {u["code"] for u in listing["units"]}


def test_certificate_issued_from_the_keys_page(site):
    app, client = site
    page = client.get("/admin/keys")
    assert app.origin in page.text and "尚未建立签名根证书" in page.text
    token = csrf(client, "/admin/keys")
    assert client.post("/admin/keys/ca", data={"csrf": token, "name": "某区文化和旅游局"},
                       follow_redirects=False).status_code == 303  # fmt: skip
    issued = client.post("/admin/keys", data={"csrf": token, "cert_no": "31010001"},
                         follow_redirects=False)  # fmt: skip
    assert issued.status_code == 303
    keys = client.get("/api/v1/admin/keys").json()
    assert keys["signing_ca"] == signing.journaled_ca(app)
    assert keys["checkpoint_key"].startswith(app.origin + "+")
    assert [c["cert_no"] for c in keys["certificates"]] == ["31010001"]
    assert journal(app, "registry.signing_key")[-1]["recorded_by"]["id"] == "root"
    unknown = client.post("/admin/keys", data={"csrf": token, "cert_no": "00000000"})
    assert unknown.status_code == 404 and "未登记" in unknown.text


def test_agency_seal_issued_from_the_keys_page(site):
    """The agency's electronic seal: an organisation key and certificate, journaled as
    ``seal:<agency code>`` beside the people's, by the administrator from the keys page."""
    app, client = site
    token = csrf(client, "/admin/keys")
    client.post("/admin/keys/ca", data={"csrf": token, "name": "某区文化和旅游局"})
    page = client.get("/admin/keys").text
    assert 'action="/admin/keys/seal"' in page and "某区文化和旅游局（wl）" in page
    sealed = client.post("/admin/keys/seal", data={"csrf": token, "agency": "wl"},
                         follow_redirects=False)  # fmt: skip
    assert sealed.status_code == 303 and sealed.headers["location"].endswith("done=sealed")
    assert "机关电子印章已签发" in client.get(sealed.headers["location"]).text
    keys = client.get("/api/v1/admin/keys").json()
    assert [(c["cert_no"], c["name"]) for c in keys["certificates"]] == [
        ("seal:wl", "某区文化和旅游局")]  # fmt: skip
    entry = journal(app, "registry.signing_key")[-1]
    assert entry["fields"]["cert_no"] == "seal:wl" and entry["recorded_by"]["id"] == "root"
    assert signing.seal_key(app, "wl") is not None
    unknown = client.post("/admin/keys/seal", data={"csrf": token, "agency": "nope"})
    assert unknown.status_code == 404 and "未登记" in unknown.text


def test_pack_change_is_journaled_with_its_reason(site):
    app, client = site
    assert "national" in client.get("/admin/packs").text
    token = csrf(client, "/admin/packs")
    empty = client.post("/admin/packs", data={"csrf": token, "pack": "001", "reason": " "})
    assert empty.status_code == 422 and "请填写变更理由" in empty.text
    changed = client.post("/admin/packs", follow_redirects=False, data={
        "csrf": token, "pack": "001", "agency": "wl", "reason": "按市局通知适用 001"})  # fmt: skip
    assert changed.status_code == 303
    entry = journal(app, "registry.rule_pack")[-1]
    assert entry["fields"]["reason"] == "按市局通知适用 001" and entry["fields"]["agency"] == "wl"
    assert packs.pack_name_for(app, "wl") == "001" and packs.pack_name_for(app, None) == "national"
    agencies = client.get("/api/v1/admin/packs").json()["agencies"]
    assert agencies == [{"code": "wl", "name": "某区文化和旅游局", "rule_pack": "001",
                         "in_force": "001"}]  # fmt: skip


def test_api_creates_users_and_is_in_the_schema(site):
    _app, client = site
    headers = {"X-CSRF-Token": csrf(client)}
    body = {"username": "api_user", "display_name": "接口", "password": "long-enough-pw",
            "roles": ["archivist"], "unit": "wl-zd1"}  # fmt: skip
    assert client.post("/api/v1/admin/users", json=body, headers=headers).status_code == 201
    dup = client.post("/api/v1/admin/users", json=body, headers=headers)
    assert dup.status_code == 409 and dup.json()["code"] == "LH109"
    listed = client.get("/api/v1/admin/users", params={"per_page": 1, "page": 1}).json()
    assert listed["total"] == 3 and len(listed["items"]) == 1
    assert "password_hash" not in listed["items"][0]
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/v1/admin/users", "/api/v1/admin/keys", "/api/v1/admin/packs"} <= set(paths)
    assert not any(p.startswith("/admin") for p in paths)


def events(app) -> list[dict]:
    """The account events, oldest first, read straight from the table."""
    t = store.T["account_event"]
    with app.engine.connect() as conn:
        rows = conn.execute(select(t).order_by(t.c.id)).mappings().all()
    return [{**r, "details": json.loads(r["details"])} for r in rows]


def test_agency_registered_and_officer_edited_through_the_journal(site):
    app, client = site
    token = csrf(client, "/admin/units")
    made = client.post("/admin/agencies", follow_redirects=False, data={
        "csrf": token, "code": "sj", "name": "某区市场监督管理局", "region": "某区"})  # fmt: skip
    assert made.status_code == 303 and made.headers["location"] == "/admin/units?done=agency"
    entry = journal(app, "registry.agency")[-1]
    assert entry["fields"] == {"code": "sj", "name": "某区市场监督管理局", "region": "某区"}
    assert entry["recorded_by"] == {"id": "root", "role": "admin"}
    again = client.post("/admin/agencies", data={
        "csrf": token, "code": "sj", "name": "重复", "region": "某区"})  # fmt: skip
    assert again.status_code == 409 and "已登记" in again.text
    client.post("/admin/units", data={"csrf": token, "code": "sj-zd1", "name": "市场监管一队",
                                      "agency": "sj"})  # fmt: skip

    form = client.get("/admin/units?edit=31010001").text
    assert 'action="/admin/officers/31010001"' in form and "变更执法人员" in form
    changed = client.post("/admin/officers/31010001", follow_redirects=False, data={
        "csrf": token, "unit": "sj-zd1", "roles": ["officer", "head"]})  # fmt: skip
    assert changed.status_code == 303
    latest = journal(app, "registry.officer")[-1]["fields"]
    assert latest == {"cert_no": "31010001", "name": "张伟", "unit": "sj-zd1",
                      "roles": ["head", "officer"], "active": False}  # fmt: skip
    officer = next(o for o in client.get("/api/v1/admin/registry").json()["officers"]
                   if o["cert_no"] == "31010001")  # fmt: skip
    assert officer["unit"] == "sj-zd1" and officer["roles"] == ["head", "officer"]
    assert officer["active"] is False
    row = re.search(r"<tr><td>31010001</td>.*?</tr>", client.get("/admin/units").text, re.S)
    assert row and "负责人" in row.group(0) and "sj-zd1" in row.group(0)

    bad = client.post(
        "/admin/officers/31010001",
        data={"csrf": token, "unit": "nowhere", "roles": ["officer", "supervisor"], "active": "1"},
    )
    assert bad.status_code == 422 and "机构“nowhere”未登记" in bad.text and "角色应为" in bad.text
    unknown = client.post("/api/v1/admin/officers/00000000", headers={"X-CSRF-Token": token},
                          json={"unit": "wl-zd1", "roles": ["officer"]})  # fmt: skip
    assert unknown.status_code == 404
    assert journal(app, "registry.officer")[-1]["fields"]["unit"] == "sj-zd1"  # nothing added


def test_account_re_roled_and_every_change_is_an_account_event(site):
    app, client = site
    token = csrf(client)
    assert 'value="head"' in client.get("/admin/users?edit=zhangw").text
    changed = client.post(
        "/admin/users/zhangw/change",
        follow_redirects=False,
        data={"csrf": token, "roles": ["officer", "head"], "unit": "wl-zd1", "cert_no": "31010002"},
    )
    assert changed.status_code == 303
    user = access.get_user(app, "zhangw")
    assert user.roles == {"officer", "head"} and user.cert_no == "31010002"
    bad = client.post(
        "/admin/users/zhangw/change",
        data={"csrf": token, "roles": ["wizard"], "unit": "nowhere", "cert_no": "99999999"},
    )
    assert bad.status_code == 422
    assert "角色应为" in bad.text and "机构“nowhere”未登记" in bad.text and "未登记" in bad.text
    assert access.get_user(app, "zhangw").roles == {"officer", "head"}

    client.post("/admin/users/zhangw/active", data={"csrf": token, "active": "0"})
    client.post("/admin/users/zhangw/active", data={"csrf": token, "active": "1"})
    client.post("/admin/password", data={"csrf": token, "username": "zhangw",
                                         "password": "brand-new-pw-1"})  # fmt: skip
    for _ in range(access.MAX_FAILURES):
        assert login(client, "zhangw", "wrong-password").status_code == 401
    assert login(client, "root", ADMIN_PASSWORD).status_code == 303
    client.post("/admin/users/zhangw/unlock", data={"csrf": csrf(client)})

    got = [(e["actor"], e["action"], e["target"]) for e in events(app)]
    assert got == [
        ("system", "created", "root"), ("system", "created", "zhangw"),
        ("root", "changed", "zhangw"), ("root", "deactivated", "zhangw"),
        ("root", "activated", "zhangw"), ("root", "password", "zhangw"),
        ("system", "locked_out", "zhangw"), ("root", "unlocked", "zhangw"),
    ]  # fmt: skip
    change = events(app)[2]["details"]
    assert change["before"]["roles"] == ["officer"] and change["after"]["roles"] == [
        "head",
        "officer",
    ]
    text = json.dumps(events(app), ensure_ascii=False)
    assert "brand-new-pw-1" not in text and "wrong-password" not in text and "argon2" not in text

    page = client.get("/admin/users").text
    assert "账户事件（8）" in page and "连续登录失败，已锁定" in page and "变更角色" in page
    api = client.get("/api/v1/admin/events", params={"per_page": 3}).json()
    assert api["total"] == 8 and [e["action"] for e in api["items"]] == [
        "unlocked", "locked_out", "password"]  # newest first  # fmt: skip


def test_token_created_once_shown_and_revoked(site):
    app, client = site
    token = csrf(client, "/admin/tokens")
    made = client.post(
        "/admin/tokens",
        data={"csrf": token, "name": "采集站-01", "roles": ["officer"], "unit": "wl-zd1"},
    )
    assert made.status_code == 201 and made.headers["cache-control"] == "no-store"
    secret = re.search(r"(lht_[A-Za-z0-9_-]+)", made.text)
    assert secret, "the new token is shown"
    bearer = {"Authorization": f"Bearer {secret.group(1)}"}
    listing = client.get("/admin/tokens").text
    assert "采集站-01" in listing and secret.group(1) not in listing  # shown that once only
    api_list = client.get("/api/v1/admin/tokens").json()
    assert api_list == [{"id": access.token_id(secret.group(1)), "name": "采集站-01",
                         "roles": ["officer"], "unit": "wl-zd1",
                         "created_at": api_list[0]["created_at"], "revoked": False}]  # fmt: skip
    assert secret.group(1) not in json.dumps(api_list)

    with TestClient(create_app(app)) as machine:
        assert machine.get("/api/v1/cases", headers=bearer).status_code == 200
        ident = api_list[0]["id"]
        revoked = client.post(f"/admin/tokens/{ident}/revoke", data={"csrf": token},
                              follow_redirects=False)  # fmt: skip
        assert revoked.status_code == 303
        refused = machine.get("/api/v1/cases", headers=bearer)
        assert refused.status_code == 401 and refused.json()["code"] == "LH150"
    assert "已吊销" in client.get("/admin/tokens").text
    twice = client.post(f"/api/v1/admin/tokens/{ident}/revoke", headers={"X-CSRF-Token": token})
    assert twice.status_code == 409

    by_api = client.post("/api/v1/admin/tokens", headers={"X-CSRF-Token": token},
                         json={"name": "采集站-02", "roles": ["officer"]})  # fmt: skip
    assert by_api.status_code == 201 and by_api.json()["token"].startswith("lht_")
    bad = client.post("/api/v1/admin/tokens", headers={"X-CSRF-Token": token},
                      json={"name": " ", "roles": ["wizard"], "unit": "nowhere"})  # fmt: skip
    assert bad.status_code == 422

    got = [(e["actor"], e["action"], e["details"].get("name")) for e in events(app)][2:]
    assert got == [("root", "token_created", "采集站-01"), ("root", "token_revoked", "采集站-01"),
                   ("root", "token_created", "采集站-02")]  # fmt: skip
    stored = json.dumps(events(app), ensure_ascii=False)
    assert secret.group(1) not in stored and by_api.json()["token"] not in stored


def test_account_events_refuse_update_and_delete(site):
    """The database itself keeps the record: on SQLite and PostgreSQL alike."""
    from sqlalchemy import delete, update

    app, _client = site
    t = store.T["account_event"]
    assert len(events(app)) == 2
    with pytest.raises(Exception, match="append-only"), app.engine.begin() as conn:
        conn.execute(update(t).values(actor="someone-else"))
    with pytest.raises(Exception, match="append-only"), app.engine.begin() as conn:
        conn.execute(delete(t))
    assert [e["actor"] for e in events(app)] == ["system", "system"]


def test_an_accounts_e_mail_address_for_the_warnings(site):
    app, client = site
    token = csrf(client)
    data = {"csrf": token, "roles": ["officer"], "unit": "wl-zd1", "cert_no": "31010001"}
    made = client.post(
        "/admin/users/zhangw/change", data={**data, "email": "zhangw@example.cn"},
        follow_redirects=False,
    )  # fmt: skip
    assert made.status_code == 303 and access.email_of(app, "zhangw") == "zhangw@example.cn"
    assert 'value="zhangw@example.cn"' in client.get("/admin/users?edit=zhangw").text
    bad = client.post("/admin/users/zhangw/change", data={**data, "email": "zhangw at example"})
    assert bad.status_code == 422 and "电子邮箱格式不正确" in bad.text
    assert access.email_of(app, "zhangw") == "zhangw@example.cn"
    assert [e["action"] for e in events(app)].count("email") == 1  # an address as it was: none
