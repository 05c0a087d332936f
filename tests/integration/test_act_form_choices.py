"""The act form asks only for what the system cannot know (issue 13): officers are picked by
name, the unit by name, parties are typed in their parts, and a case's act starts from the
case's parties and cause."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote

from fastapi.testclient import TestClient
from sqlalchemy import select

from liuhen.accounts import service as access
from liuhen.entrypoints.web import create_app
from liuhen.kernel.db.store import ENTRY
from tests.integration import factory
from tests.integration.auth import login

NEW = {"act": "initiation.ex_officio"}
CASE = "某文旅罚〔2026〕1号"


def _csrf(html: str) -> str:
    return html.split('name="csrf" value="')[1].split('"')[0]


def _checked(html: str) -> set[str]:
    """The officers the picker checks, by certificate number."""
    return {
        m.group(1)
        for m in re.finditer(
            r'<input type="checkbox" name="actor:[^"]*" value="([^"]*)" checked>', html
        )
    }


def _selected(html: str, select_id: str) -> str:
    block = html.split(f'<select id="{select_id}"')[1].split("</select>")[0]
    return block.split(" selected>")[0].rsplit('value="', 1)[1].split('"')[0]


def _kind(html: str, row: int) -> str:
    block = html.split(f'name="f_parties.{row}.kind"')[1].split("</select>")[0]
    return block.split(" selected>")[0].rsplit('value="', 1)[1].split('"')[0]


def _opened(app: Any) -> dict[str, Any]:
    with app.engine.connect() as conn:
        body, actors = conn.execute(
            select(ENTRY.c.body, ENTRY.c.actors).where(ENTRY.c.act == "initiation.ex_officio")
        ).one()
    return {"fields": json.loads(body)["fields"], "actors": json.loads(actors)}


def _post(app: Any, typed: dict[str, str]) -> Any:
    """The new-case form as ``zhangw`` posts it with ``typed`` (his session's CSRF token added)."""
    with TestClient(create_app(app)) as client:
        login(client, "zhangw", "correct-horse-1")
        csrf = _csrf(client.get("/cases/new", params=NEW).text)
        return client.post(
            "/cases/new", params=NEW, data={"csrf": csrf, **typed}, follow_redirects=False
        )


def _setup(app: Any) -> None:
    factory.register(app)  # 张伟 31010001, 李娜 31010002, 王强 31010003 in 执法大队一中队
    factory.add_unit(app, "wl-zd2", "执法大队二中队")
    factory.add_officer(app, "31020001", "赵敏", unit="wl-zd2")
    access.create_user(app, "zhangw", "correct-horse-1", ["officer"], "张伟", "wl-zd1", "31010001")


TYPED = {
    "occurred_at": "2026-11-20T09:00",
    "actor:31010001": "31010001",
    "actor:31010002": "31010002",
    "actors": "",
    "f_cause": "未经许可擅自从事营业性演出",
    "f_category": "penalty",
    "f_procedure": "ordinary",
    "f_parties.0.kind": "org",
    "f_parties.0.name": "某区夜色酒吧有限公司",
    "f_parties.0.id_no": "91110105MA7K3Q2D5X",
    "f_parties.0.address": "某区滨江路18号",
    "f_parties.0.phone": "010-66668888",
    "f_parties.0.legal_rep": "陈某",
    "f_parties.1.kind": "citizen",
    "f_parties.1.name": "刘某",
    "f_parties.1.id_no": "110105199001012719",
    "f_parties.1.address": "某区学府路77号",
    "f_parties.1.phone": "13800000000",
    "f_parties.1.legal_rep": "",
    "f_unit": "wl-zd2",
    "f_summary": "巡查发现。",
    "f_source": "日常巡查",
    "f_reason": "涉嫌违法",
    "f_handler_opinion": "建议立案",
}


def test_the_new_case_form_offers_officers_and_units_by_name_with_the_usual_choices(app):
    _setup(app)
    with TestClient(create_app(app)) as client:
        login(client, "zhangw", "correct-horse-1")
        page = client.get("/cases/new", params=NEW).text
    # the unit's officers by name with their numbers; the signed-in officer checked
    for name in ("张伟", "李娜", "王强"):
        assert f"<span>{name}</span>" in page
    assert "赵敏" not in page  # another unit's officer is typed by number, not offered
    assert _checked(page) == {"31010001"}
    assert 'id="actors"' in page and "其他执法人员执法证号" in page
    # the unit by name, the user's selected; the code is what is posted
    assert "承办机构编码" not in page
    assert '<option value="wl-zd2">执法大队二中队</option>' in page
    assert _selected(page, "f_unit") == "wl-zd1"
    # 依职权立案: 行政处罚, 一般程序
    assert _selected(page, "f_category") == "penalty"
    assert _selected(page, "f_procedure") == "ordinary"
    # one party in its parts, and the script that adds more
    for part in ("kind", "name", "id_no", "address", "phone", "legal_rep"):
        assert f'name="f_parties.0.{part}"' in page
    assert "添加当事人" in page and '<script src="/static/party_editor.js"></script>' in page


def test_two_checked_officers_two_parties_and_a_unit_are_recorded(app):
    _setup(app)
    made = _post(app, TYPED)
    assert made.status_code == 303, made.text
    opened = _opened(app)
    assert [a["cert_no"] for a in opened["actors"]] == ["31010001", "31010002"]
    assert [a["name"] for a in opened["actors"]] == ["张伟", "李娜"]
    assert opened["fields"]["unit"] == "wl-zd2"
    assert opened["fields"]["parties"] == [
        {"name": "某区夜色酒吧有限公司", "id_no": "91110105MA7K3Q2D5X", "address": "某区滨江路18号",
         "phone": "010-66668888", "legal_rep": "陈某", "role": "法人或者其他组织"},
        {"name": "刘某", "id_no": "110105199001012719", "address": "某区学府路77号",
         "phone": "13800000000"},
    ]  # fmt: skip


def test_an_officer_of_another_unit_joins_by_number_and_the_old_shape_still_records(app):
    _setup(app)
    typed = {k: v for k, v in TYPED.items() if not k.startswith(("actor:", "f_parties."))}
    typed |= {"actors": "31010001，31020001", "f_parties": "某区夜色酒吧\n刘某"}
    made = _post(app, typed)
    assert made.status_code == 303, made.text
    opened = _opened(app)
    assert [a["cert_no"] for a in opened["actors"]] == ["31010001", "31020001"]
    assert opened["fields"]["parties"] == [{"name": "某区夜色酒吧"}, {"name": "刘某"}]


def test_a_refused_form_keeps_the_checks_the_parties_and_the_unit(app):
    _setup(app)
    typed = {**TYPED, "f_cause": "", "actor:31010001": "", "actor:31010003": "31010003",
             "f_parties.1.phone": "", "f_parties.1.name": ""}  # fmt: skip
    del typed["actor:31010001"]  # unchecked: a checkbox left unchecked is not posted
    refused = _post(app, typed)
    assert refused.status_code == 422
    page = refused.text
    assert _checked(page) == {"31010002", "31010003"}
    assert _selected(page, "f_unit") == "wl-zd2"
    assert 'name="f_parties.0.legal_rep" value="陈某"' in page
    assert 'name="f_parties.0.id_no" value="91110105MA7K3Q2D5X"' in page
    assert _kind(page, 0) == "org" and _kind(page, 1) == "citizen"
    # the second row keeps what is left of it, with its type
    assert 'name="f_parties.1.address" value="某区学府路77号"' in page
    assert 'id="err-f_cause"' in page


def test_a_party_missing_its_name_is_told_at_that_row(app):
    _setup(app)
    typed = {**TYPED, "f_parties.1.name": ""}
    refused = _post(app, typed)
    assert refused.status_code == 422
    page = refused.text
    # the message is beside the second row's name, which is linked from the summary
    note = page.split('id="err-f_parties.1.name"')[1].split("</p>")[0]
    assert "当事人第 2 项" in note and "姓名或名称" in note
    assert 'href="#f_parties.1.name"' in page


def test_a_case_act_starts_from_the_case_parties_and_officers(app):
    _setup(app)
    factory.open_case(app)  # 31010001 and 31010002 act; party 某区夜色酒吧
    access.create_user(app, "wangq", "correct-horse-1", ["officer"], "王强", "wl-zd1", "31010003")
    with TestClient(create_app(app)) as client:
        login(client, "wangq", "correct-horse-1")
        page = client.get(f"/cases/{quote(CASE)}/record", params={"act": "investigation.sampling"})
        assert page.status_code == 200, page.text
        html = page.text
    # the case's officers first, checked, with the user
    assert _checked(html) == {"31010001", "31010002", "31010003"}
    assert html.index('name="actor:31010001"') < html.index('name="actor:31010003"')
    assert "本案承办" in html
    # the party as the case holds it, which the officer may change
    assert 'name="f_party.name" value="某区夜色酒吧"' in html
    assert 'name="f_party.address" value="某区滨江路18号"' in html


def test_a_case_officer_no_longer_in_post_is_neither_offered_nor_checked(app):
    from liuhen.accounts.registry import change_officer

    _setup(app)
    factory.open_case(app)  # 31010001 and 31010002 act
    change_officer(app, "31010002", "wl-zd1", ["officer"], False, factory.ADMIN)
    with TestClient(create_app(app)) as client:
        login(client, "zhangw", "correct-horse-1")
        page = client.get(f"/cases/{quote(CASE)}/record", params={"act": "investigation.sampling"})
    assert page.status_code == 200
    assert _checked(page.text) == {"31010001"}
    assert 'name="actor:31010002"' not in page.text
