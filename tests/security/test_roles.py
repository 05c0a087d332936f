"""Issue 11 finding 6: the administrator holds no case role and cannot change his own account.

Refused in the account service, so the API, the admin pages and the CLI share the rule.
"""

from __future__ import annotations

import json
import re

import pytest
from fastapi.testclient import TestClient

from liuhen.access.policy import User
from liuhen.accounts import service as access
from liuhen.entrypoints.web import create_app
from liuhen.errors import ValidationError
from tests.integration import factory
from tests.integration.auth import login

PASSWORD = "guanli-secret-1"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@pytest.fixture
def admin_site(app):
    factory.register(app)
    access.create_user(app, "root", PASSWORD, ["admin"], "管理员")
    access.create_user(app, "root2", PASSWORD, ["admin"], "管理员二")
    access.create_user(app, "zhangw", "correct-horse-1", ["officer"], "张伟", "wl-zd1", "31010001")
    factory.open_case(app)
    with TestClient(create_app(app)) as client:
        assert login(client, "root", PASSWORD).status_code == 303
        yield app, client


def api_csrf(client: TestClient) -> dict[str, str]:
    found = CSRF.search(client.get("/admin/users").text)
    assert found
    return {"X-CSRF-Token": found.group(1)}


def test_the_admin_cannot_give_himself_case_roles_through_the_api(admin_site):
    app, client = admin_site
    headers = api_csrf(client)
    for roles in (["admin", "officer"], ["head"], ["admin"]):
        body = {"roles": roles, "unit": "wl-zd1", "cert_no": "31010002"}
        refused = client.post("/api/v1/admin/users/root", headers=headers, json=body)
        assert refused.status_code == 403 and refused.json()["code"] == "LH151", roles
        assert "不能变更自己" in refused.json()["message"]
    assert access.get_user(app, "root").roles == {"admin"}
    assert client.get("/api/v1/cases/某文旅罚〔2026〕1号").status_code == 403  # still no case


def test_the_admin_cannot_change_himself_through_the_page(admin_site):
    app, client = admin_site
    token = api_csrf(client)["X-CSRF-Token"]
    page = client.post("/admin/users/root/change",
                       data={"csrf": token, "roles": ["officer"], "unit": "wl-zd1"})  # fmt: skip
    assert page.status_code == 403 and "不能变更自己" in page.text
    assert access.get_user(app, "root").roles == {"admin"}


def test_admin_is_exclusive_at_creation_change_and_for_tokens(admin_site):
    app, client = admin_site
    with pytest.raises(ValidationError) as made:
        access.create_user(app, "mixed", "correct-horse-9", ["admin", "head"], "混合",
                           "wl-zd1", None)  # fmt: skip
    assert "不能同时担任其他角色" in made.value.problems[0].message
    with pytest.raises(ValidationError):  # another admin may not make an admin a head either
        access.change_user(app, "root2", ["admin", "head"], "wl-zd1", None, by="root")
    with pytest.raises(ValidationError):  # nor turn an officer into an officer-admin
        access.change_user(app, "zhangw", ["officer", "admin"], "wl-zd1", "31010001", by="root")
    with pytest.raises(ValidationError):
        access.create_token(app, "station", ["admin", "officer"], "wl-zd1")
    headers = api_csrf(client)
    api = client.post("/api/v1/admin/users", headers=headers, json={
        "username": "mixed2", "password": "correct-horse-9", "roles": ["admin", "officer"],
        "display_name": "混合", "unit": "wl-zd1", "cert_no": "31010003"})  # fmt: skip
    assert api.status_code == 422 and "不能同时担任其他角色" in json.dumps(
        api.json(), ensure_ascii=False
    )
    # another administrator may still change an account, the admin's own included
    access.change_user(app, "root2", ["officer"], "wl-zd1", "31010002", by="root")
    assert access.get_user(app, "root2").roles == {"officer"}


def test_the_admin_does_not_see_the_agency_overview() -> None:
    """The rule the compliance summary must use (``sees_overview``), as /overview does."""
    admin = User("root", "管理员", frozenset({"admin"}))
    assert not admin.sees_overview
    assert User("h", "负责人", frozenset({"head"}), agency="wl").sees_overview


def test_the_admin_is_refused_the_compliance_summary(admin_site):
    _app, client = admin_site
    assert client.get("/api/v1/compliance").status_code == 403
