"""Login, lock-out, CSRF, machine tokens, who sees which case, and every view journaled."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import text

from liuhen.access.policy import User, can_record, can_view_case
from liuhen.accounts import service as access
from liuhen.archive import verify
from liuhen.disclosure import ledger
from liuhen.entrypoints.web import create_app
from liuhen.errors import ValidationError
from tests.integration import factory
from tests.integration.auth import login, token_headers

CASE = "某文旅罚〔2026〕1号"


def views(app) -> int:
    with app.engine.connect() as conn:
        return conn.execute(
            text("SELECT count(*) FROM journal_entry WHERE act = 'general.review_access'")
        ).scalar()


@pytest.fixture
def site(app):
    factory.register(app)
    factory.add_unit(app, "wl-zd2", "执法大队二中队")
    factory.open_case(app)
    access.create_user(app, "zhangw", "correct-horse-1", ["officer"], "张伟", "wl-zd1", "31010001")
    access.create_user(app, "other", "correct-horse-2", ["officer"], "其他中队", "wl-zd2", None)
    access.create_user(app, "sifa", "correct-horse-3", ["supervisor"], "司法局", None, None)
    with TestClient(create_app(app)) as client:
        yield app, client


def test_anonymous_requests_are_sent_to_login_or_refused(site):
    _app, client = site
    page = client.get(f"/cases/{CASE}", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/login?next=")
    api = client.get("/api/v1/cases")
    assert api.status_code == 401 and api.json()["code"] == "LH150"
    assert client.get("/api/v1/journal/checkpoint").status_code == 200  # proofs stay public


def test_login_keeps_what_was_typed_and_locks_after_five_failures(site):
    _app, client = site
    wrong = login(client, "zhangw", "nope")
    assert (
        wrong.status_code == 401
        and 'value="zhangw"' in wrong.text
        and "用户名或密码错误" in wrong.text
    )
    for _ in range(4):
        login(client, "zhangw", "nope")
    locked = login(client, "zhangw", "correct-horse-1")  # right password, but locked
    assert locked.status_code == 401
    assert login(client, "nobody", "x").status_code == 401  # same answer for an unknown user
    stale = client.post(
        "/login",
        data={"username": "other", "password": "correct-horse-2", "csrf": "forged", "next": "/"},
        follow_redirects=False,
    )
    assert stale.status_code == 401 and "页面已过期" in stale.text


def test_session_csrf_and_visibility(site):
    app, client = site
    ok = login(client, "zhangw", "correct-horse-1")
    assert ok.status_code == 303
    assert client.get("/api/v1/cases").json()["total"] == 1
    before = views(app)
    page = client.get(f"/cases/{CASE}")
    assert page.status_code == 200 and "张伟" in page.text
    assert views(app) == before + 1  # the view itself is journaled
    # a change with the session cookie but without the CSRF header is refused
    refused = client.post(f"/api/v1/cases/{CASE}/documents", json={})
    assert refused.status_code == 403 and refused.json()["code"] == "LH151"
    client.cookies.clear()
    login(client, "other", "correct-horse-2")
    assert client.get("/api/v1/cases").json()["total"] == 0  # another unit's case is not listed
    hidden = client.get(f"/api/v1/cases/{CASE}")
    assert hidden.status_code == 403
    client.cookies.clear()
    login(client, "sifa", "correct-horse-3")
    assert client.get("/api/v1/cases").json()["total"] == 1  # the justice bureau sees all
    assert verify.verify(app).ok


def test_machine_tokens_and_the_policy(site):
    app, client = site
    assert client.get("/api/v1/cases", headers={"Authorization": "Bearer nope"}).status_code == 401
    headers = token_headers(app, ["officer"], "wl-zd1")
    assert client.get("/api/v1/cases", headers=headers).json()["total"] == 1
    officer = User("a", "甲", frozenset({"officer"}), unit="u2", agency="x", cert_no="c9")
    assert can_view_case(officer, {"unit": "u1", "officers": ["c9"]}, "x")  # works on it
    assert not can_view_case(officer, {"unit": "u1", "officers": []}, "x")
    head = User("b", "乙", frozenset({"head"}), unit="u2", agency="x")
    assert can_view_case(head, {"unit": "u1", "officers": []}, "x")
    assert not can_view_case(head, {"unit": "u1", "officers": []}, "y")
    supervisor = User("c", "丙", frozenset({"supervisor"}))
    assert can_view_case(supervisor, {"unit": "u1"}, "y") and not can_record(supervisor)
    admin = User("d", "丁", frozenset({"admin"}))
    assert not can_view_case(admin, {"unit": "u1"}, "x")
    with pytest.raises(access.AuthError):
        access.login(app, "zhangw", "")


def test_the_access_ledger_lists_and_exports_every_view(site, run, tmp_path):
    app, client = site
    login(client, "zhangw", "correct-horse-1")
    client.get(f"/cases/{CASE}")
    client.get(f"/api/v1/cases/{CASE}")
    page = ledger.entries(app, case=CASE, per_page=1)
    assert page.total == views(app) == 2 and len(page.rows) == 1
    newest = page.rows[0]
    assert newest.accessor == "张伟" and newest.role == "执法人员" and newest.unit == "wl-zd1"
    today = app.clock.now().date()
    assert ledger.entries(app, since=today + timedelta(days=1)).total == 0
    assert ledger.entries(app, since=today, until=today).total == 2
    assert ledger.entries(app, case="别的案件").total == 0
    with pytest.raises(ValidationError):
        ledger.entries(app, since=today, until=today - timedelta(days=1))
    with pytest.raises(ValidationError):
        ledger.entries(app, per_page=0)
    sheet_path = tmp_path / "台账.xlsx"
    assert "已导出 2 条" in run("ledger", "--case", CASE, "--xlsx", str(sheet_path))
    sheet = cast(Worksheet, load_workbook(sheet_path).active)
    rows: list[tuple[Any, ...]] = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == list(ledger.COLUMNS)
    assert [r[2] for r in rows[1:]] == [CASE, CASE] and rows[1][3] == "张伟"
    assert rows[1][0] < rows[2][0]  # oldest first in the export
    assert not list(tmp_path.glob("*.part"))
    listed = run("ledger", "--from", today.isoformat())
    assert "共 2 条" in listed and "张伟" in listed
    assert "起始日期" in run("ledger", "--from", "2026-12-31", "--to", "2026-01-01", code=2)
