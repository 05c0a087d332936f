"""系统管理: a refused administration form says what to fix beside the input concerned (its
own form's, though several forms of a page share field names), keeps what was typed, and keeps
the code and machine paths in the 技术信息 fold, as the act forms do."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from tests.integration.auth import admin_client
from tests.integration.test_field_errors import Page, _assert_folded

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@pytest.fixture
def client(app):
    with admin_client(app) as c:
        yield c


def _csrf(client: TestClient, path: str) -> str:
    found = CSRF.search(client.get(path).text)
    assert found
    return found.group(1)


def test_a_refused_account_is_marked_at_its_fields(client):
    bad = client.post("/admin/users", data={
        "csrf": _csrf(client, "/admin/users"), "username": "bad name!", "display_name": "王五",
        "password": "short", "roles": ["officer"], "unit": "wl-zd1", "cert_no": "99999999",
    })  # fmt: skip
    assert bad.status_code == 422
    page = Page(bad.text)
    assert page.at("new-user-username")[0].startswith("用户名只能包含字母、数字、下划线和点")
    assert page.at("new-user-password") == ["密码至少 10 个字符"]
    assert page.at("new-user-cert_no") == ["执法证号“99999999”未登记"]
    assert "aria-invalid" not in page.by_id["new-user-display_name"]
    assert "aria-invalid" not in page.by_id["reset-password-username"]  # the other form's
    assert page.value("display_name") == "王五" and page.value("cert_no") == "99999999"
    assert ("#new-user-password", "密码至少 10 个字符") in page.links
    _assert_folded(page, "LH100", "cert_no")


def test_a_conflict_without_problems_is_placed_at_the_forms_key(client):
    token = _csrf(client, "/admin/units")
    taken = client.post("/admin/units", data={"csrf": token, "code": "wl-zd1",
                                              "name": "重复的中队", "agency": "wl"})  # fmt: skip
    assert taken.status_code == 409
    page = Page(taken.text)
    assert page.at("new-unit-code") == ["机构编码“wl-zd1”已登记"]
    assert "aria-invalid" not in page.by_id["new-agency-code"]  # same name, the other form
    assert page.by_id["new-unit-name"]["value"] == "重复的中队"
    unknown = client.post("/admin/officers", data={
        "csrf": token, "cert_no": "31010010", "name": "钱七", "unit": "nowhere",
        "roles": ["officer"]})  # fmt: skip
    page = Page(unknown.text)
    assert page.at("new-officer-unit") == ["机构“nowhere”未登记"]
    assert page.by_id["new-officer-name"]["value"] == "钱七"
    assert "机构“nowhere”未登记" in page.notes["err-new-officer-unit"][0]
    # the message follows its input in the page: nothing between them but the label's end
    html = unknown.text
    assert re.search(r'id="new-officer-unit"[^>]*>.*?</select></label><p class="field-error" '
                     r'id="err-new-officer-unit">', html, re.S)  # fmt: skip


def test_keys_tokens_and_packs_forms(client):
    token = _csrf(client, "/admin/keys")
    issue = client.post("/admin/keys", data={"csrf": token, "cert_no": "00000000"})
    assert issue.status_code == 404
    assert Page(issue.text).at("issue-cert_no") == ["执法证号 00000000 未登记"]
    nameless = client.post("/admin/tokens", data={"csrf": token, "name": " ",
                                                  "roles": ["officer"]})  # fmt: skip
    assert Page(nameless.text).at("create-token-name") == ["令牌名称不能为空，至多 100 个字符"]
    pack = client.post("/admin/packs", data={"csrf": token, "pack": "001", "reason": ""})
    page = Page(pack.text)
    assert page.at("change-pack-reason") == ["请填写变更理由"]
    assert page.chosen.get("pack") == "001"


def test_the_settings_page_marks_each_pattern(client):
    typed = {
        "csrf": _csrf(client, "/admin/settings"), "short_name": "某文旅",
        "case_pattern": "{简称}罚〔{年}〕号", "doc_penalty_decision": "{简称}罚决〔{年}〕号",
        "numbers_used": "case/2026=三十五",
    }  # fmt: skip
    refused = client.post("/admin/settings?agency=wl", data=typed)
    assert refused.status_code == 422
    page = Page(refused.text)
    assert page.at("numbers_used") == ["“case/2026=三十五”应为 种类/年度=号，如 case/2026=35"]
    fixed = {**typed, "numbers_used": "case/2026=35"}
    refused = client.post("/admin/settings?agency=wl", data=fixed)
    page = Page(refused.text)
    assert page.at("case_pattern")[0].startswith("案件编号规则：")
    assert page.at("doc_penalty_decision")[0].startswith("《行政处罚决定书》文号规则：")
    assert "aria-invalid" not in page.by_id["short_name"]
    assert page.value("case_pattern") == typed["case_pattern"]
    _assert_folded(page, "LH100", "doc.penalty_decision")
