"""Finding cases (issue 13): the case list's search, filters and sort orders, its violation and
deadline columns and the summaries behind them, through the real app on SQLite and PostgreSQL.

Three cases of one agency: 1号 and 3号 in the first squad (3号 with an inquiry by one officer,
a violation), 2号 in the second squad with another party and cause. Each opening starts the
90-day decision deadline, so the deadlines fall on 31 January, 1 and 2 February 2027.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from liuhen.access.policy import User
from liuhen.accounts import service as access
from liuhen.cases import service as cases
from liuhen.cases import summaries
from liuhen.clock import SHANGHAI, FixedClock
from liuhen.compliance import packs
from liuhen.compliance import service as compliance
from liuhen.entrypoints.web import CASE_JUDGE, create_app
from liuhen.kernel import instance, record
from liuhen.kernel.db import store
from liuhen.kernel.instance import App
from liuhen.kernel.rebuild import rebuild
from liuhen.kernel.record import ActInput
from tests.integration import factory
from tests.integration.auth import token_headers

A, B, C = "某文旅罚〔2026〕1号", "某文旅罚〔2026〕2号", "某文旅罚〔2026〕3号"
NOW = datetime(2026, 11, 5, 9, 30, tzinfo=SHANGHAI)
ZHAO = "31020001"  # the second squad's officer


def _open(app: App, number: str, when: str, unit: str, actors: list[str], **header: Any) -> None:
    inp = factory.opening_input(number, when)
    inp.fields.update(unit=unit, **header)
    inp.actors[:] = actors
    record.record(app, inp)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def app(settings, clock):
    instance.init(settings, clock=clock)
    application = instance.open_app(settings, clock=clock)
    factory.register(application)
    factory.add_unit(application, "wl-zd2", "执法大队二中队")
    factory.add_officer(application, ZHAO, "赵六", unit="wl-zd2")
    _open(application, A, "2026-11-02T09:00:00+08:00", "wl-zd1", ["31010001", "31010002"])
    clock.advance(minutes=1)
    factory.inquiry(application, A)
    clock.advance(minutes=1)
    _open(application, B, "2026-11-03T09:00:00+08:00", "wl-zd2", [ZHAO, "31010001"],
          parties=[{"name": "某区星光KTV", "address": "某区湖滨路1号"}],
          cause="擅自变更演出节目")  # fmt: skip
    clock.advance(minutes=1)
    _open(application, C, "2026-11-04T09:00:00+08:00", "wl-zd1", ["31010001", "31010003"],
          parties=[{"name": "张某", "address": "某区滨江路20号"}],
          cause="无证经营网吧")  # fmt: skip
    clock.advance(minutes=1)
    factory.inquiry(application, C, who="张某", actors=["31010003"])  # one officer: violation
    clock.advance(minutes=1)
    yield application
    application.engine.dispose()


@pytest.fixture
def api(app):
    """The API as the first squad's head sees it (his whole agency)."""
    with TestClient(create_app(app), headers=token_headers(app, ["head"])) as c:
        yield c


def numbers(client: TestClient, **params: Any) -> list[str]:
    response = client.get("/api/v1/cases", params=params)
    assert response.status_code == 200, response.text
    return [c["number"] for c in response.json()["items"]]


def item(client: TestClient, number: str) -> dict[str, Any]:
    body = client.get("/api/v1/cases", params={"q": number}).json()
    return next(c for c in body["items"] if c["number"] == number)


def person(app: App, roles: list[str], unit: str, cert: str | None) -> User:
    name = f"u{cert or unit}".replace("-", "")
    return access.create_user(app, name, "mima-12345678", roles, name, unit, cert)


def test_search_matches_number_party_cause_and_officer(api):
    assert numbers(api, q="星光") == [B]  # a party's name
    assert numbers(api, q="变更演出") == [B]  # the cause
    assert numbers(api, q="3号") == [C]  # the case number
    assert numbers(api, q="李娜") == [A]  # an officer's name
    assert numbers(api, q="31010003") == [C]  # an officer's certificate number
    assert numbers(api, q="赵六") == [B]
    assert numbers(api, q="  夜色  ") == [A]
    assert numbers(api, q="滨江路") == []  # addresses are not party names
    assert numbers(api, q="name") == []  # nor are the JSON's keys
    assert numbers(api, q="%") == [] and numbers(api, q="_") == []  # wildcards are literal
    assert sorted(numbers(api, q="某")) == [A, B, C]


def test_search_finds_only_cases_the_user_may_see(app):
    with TestClient(create_app(app)) as client:
        client.headers.update(token_headers(app, ["officer"], "wl-zd2"))
        assert numbers(client) == [B]
        assert numbers(client, q="夜色") == [] and numbers(client, q="张某") == []
        assert client.get("/api/v1/cases", params={"q": "夜色"}).json()["total"] == 0
        client.headers.update(token_headers(app, ["officer"], "wl-zd1"))
        assert numbers(client, q="星光") == []
        assert sorted(numbers(client)) == [A, C]
    # an officer of the second squad also sees the first squad's case he is assigned to
    zhang = person(app, ["officer"], "wl-zd2", "31010001")
    found = cases.visible_cases(app, zhang, CASE_JUDGE, cases.read_query({"q": "夜色"}))
    assert [c.number for c in found.items] == [A]


def test_search_never_matches_a_header_the_reader_may_not_see(app):
    record.record(app, ActInput(
        "general.confidentiality", app.clock.now().isoformat(), case=A, actors=["31010001"],
        fields={"mark": "国家秘密", "records": [], "reason": "测试"},
        recorded_by={"id": "31010001", "role": "officer"},
    ))  # fmt: skip
    outsider = person(app, ["officer"], "wl-zd1", "31010003")  # of the unit, not on case 1号
    on_case = person(app, ["officer"], "wl-zd1", "31010002")
    head = person(app, ["head"], "wl-zd1", None)

    def found(user: User, q: str) -> list[str]:
        page = cases.visible_cases(app, user, CASE_JUDGE, cases.read_query({"q": q}))
        return [c.number for c in page.items]

    assert found(outsider, "夜色") == [] and found(outsider, "擅自从事") == []
    assert found(outsider, "1号") == [A]  # the number is not withheld; the header is
    listed = cases.visible_cases(app, outsider, CASE_JUDGE, cases.read_query({"q": "1号"}))
    assert listed.items[0].parties == [] and listed.items[0].header_withheld
    assert found(on_case, "夜色") == [A] and found(head, "夜色") == [A]


def test_filters(api):
    assert sorted(numbers(api, stage="investigation")) == [A, C]
    assert numbers(api, stage="initiation") == [B]
    assert numbers(api, unit="wl-zd2") == [B]
    assert sorted(numbers(api, unit="wl-zd1")) == [A, C]
    assert sorted(numbers(api, procedure="ordinary")) == [A, B, C]
    assert numbers(api, procedure="summary") == []
    assert sorted(numbers(api, status="open")) == [A, B, C] and numbers(api, status="closed") == []
    assert numbers(api, violations="true") == [C]
    assert numbers(api, overdue="true") == []
    assert numbers(api, violations="true", unit="wl-zd2") == []
    assert numbers(api, q="某", stage="investigation", sort="number") == [A, C]


def test_mine_lists_the_cases_the_user_works_on(app):
    li_na = person(app, ["officer"], "wl-zd1", "31010002")
    wang = person(app, ["officer"], "wl-zd1", "31010003")

    def mine(user: User) -> list[str]:
        page = cases.visible_cases(app, user, CASE_JUDGE, cases.read_query({"mine": "1"}))
        return [c.number for c in page.items]

    assert mine(li_na) == [A] and mine(wang) == [C]
    assert mine(person(app, ["head"], "wl-zd1", None)) == []  # no certificate: no cases of his


def test_sort_orders(api, app, clock):
    assert numbers(api) == [C, B, A]  # newest opened first
    assert numbers(api, sort="opened") == [C, B, A]
    assert numbers(api, sort="number") == [A, B, C]
    assert numbers(api, sort="due") == [A, B, C]  # 31 Jan, 1 Feb, 2 Feb
    assert numbers(api, sort="changed") == [C, B, A]
    factory.inquiry(app, A, who="王某")  # a new act moves 1号 to the top
    clock.advance(minutes=1)
    assert numbers(api, sort="changed") == [A, C, B]
    api.get(f"/api/v1/cases/{B}")  # a viewing is no change
    assert numbers(api, sort="changed") == [A, C, B]


def test_columns_show_violations_deadline_and_acts(api):
    c = item(api, C)
    assert c["violations"] == 1 and c["warnings"] == 1
    assert c["next_due_at"] == "2027-02-02T23:59:59+08:00"
    assert c["due_in_days"] == 89 and c["overdue"] is False
    assert c["acts"] == 2 and c["entry_count"] == 2
    assert item(api, A)["violations"] == 0


def test_viewing_a_case_does_not_change_its_act_count(api):
    before = item(api, A)
    for _ in range(3):
        assert api.get(f"/api/v1/cases/{A}").status_code == 200  # each view is journaled
    after = item(api, A)
    assert after["entry_count"] == before["entry_count"] + 3
    assert after["acts"] == before["acts"] == 2


def test_overdue_follows_the_clock(api, app, clock):
    clock.current = datetime(2027, 1, 30, 10, 0, tzinfo=SHANGHAI)
    a = item(api, A)
    assert a["due_in_days"] == 1 and a["overdue"] is False and a["violations"] == 0
    assert numbers(api, overdue="true") == []
    clock.current = datetime(2027, 2, 1, 10, 0, tzinfo=SHANGHAI)  # 1号's deadline has passed
    assert numbers(api, overdue="true") == [A]
    a = item(api, A)
    assert a["due_in_days"] == -1 and a["overdue"] is True
    assert a["violations"] == 1  # the overdue deadline is now a violation: recomputed
    assert numbers(api, violations="true") == [C, A]
    clock.current = datetime(2027, 2, 5, 10, 0, tzinfo=SHANGHAI)
    assert numbers(api, overdue="true", sort="due") == [A, B, C]


def test_bad_parameters_are_refused_in_chinese(api):
    for params, field, text in (
        ({"sort": "bogus"}, "sort", "未知的排序方式“bogus”"),
        ({"stage": "nowhere"}, "stage", "未知的环节“nowhere”"),
        ({"procedure": "x"}, "procedure", "未知的程序“x”"),
        ({"status": "x"}, "status", "未知的状态“x”"),
        ({"unit": "wl-zd9"}, "unit", "没有可查看的承办单位“wl-zd9”"),
        ({"q": "案" * 101}, "q", "搜索词不能超过 100 个字"),
    ):
        bad = api.get("/api/v1/cases", params=params)
        assert bad.status_code == 422, params
        body = bad.json()
        assert body["code"] == "LH100"
        assert [(p["field"], p["message"]) for p in body["problems"]] == [(field, text)]
    bad = api.get("/api/v1/cases", params={"overdue": "maybe"})
    assert bad.status_code == 422 and "true / false" in bad.json()["problems"][0]["message"]


def test_other_units_are_not_offered_nor_accepted(app):
    with TestClient(create_app(app), headers=token_headers(app, ["officer"], "wl-zd2")) as c:
        assert c.get("/api/v1/cases", params={"unit": "wl-zd1"}).status_code == 422
        page = c.get("/")
        assert "执法大队二中队" in page.text and "执法大队一中队" not in page.text


def test_the_page_searches_filters_and_keeps_the_query_across_pages(app, clock):
    for n in range(4, 25):
        _open(app, f"某文旅罚〔2026〕{n}号", "2026-11-04T10:00:00+08:00", "wl-zd1",
              ["31010001", "31010002"])  # fmt: skip
    with TestClient(create_app(app), headers=token_headers(app, ["head"])) as client:
        page = client.get("/", params={"q": "夜色", "stage": "initiation", "sort": "number"})
        assert page.status_code == 200
        assert "共 21 件" in page.text and "第 1 / 2 页" in page.text
        assert 'href="/?q=%E5%A4%9C%E8%89%B2&amp;stage=initiation&amp;sort=number&amp;page=2"' in (
            page.text
        )
        assert 'value="夜色"' in page.text and '<option value="number" selected>' in page.text
        second = client.get("/", params={"q": "夜色", "stage": "initiation", "sort": "number",
                                         "page": 2})  # fmt: skip
        assert "第 2 / 2 页" in second.text and "9号" in second.text
        assert "已逾期" not in page.text and "天后到期" in page.text
        # the act count's header says what it counts
        assert "调阅本案不会增加此数" in page.text
        refused = client.get("/", params={"q": "夜色", "sort": "bogus"})
        assert refused.status_code == 422 and "未知的排序方式" in refused.text
        assert 'value="夜色"' in refused.text  # what was typed is kept


def test_summaries_are_recomputed_only_when_stale(app):
    def stale() -> int:
        return summaries.refresh(app, CASE_JUDGE, [], app.clock.now())

    assert stale() == 3
    assert stale() == 0  # nothing changed: one query, nothing evaluated
    user = person(app, ["head"], "wl-zd1", None)
    cases.open_case(app, user, A, "测试调阅")  # a viewing moves the case's last_seq
    assert stale() == 0  # ... but judges nothing: the row just follows the seq
    with app.engine.connect() as conn:
        seqs = select(store.CASE.c.last_seq, store.CASE_SUMMARY.c.last_seq).join(
            store.CASE_SUMMARY, store.CASE_SUMMARY.c.number == store.CASE.c.number
        )
        assert all(case_seq == row_seq for case_seq, row_seq in conn.execute(seqs))
    factory.inquiry(app, A, who="王某")  # an act after the viewing: judged again
    cases.open_case(app, user, A, "测试调阅")
    assert stale() == 1
    compliance.use_pack(app, "001", "测试更换规则包", agency="wl")
    assert stale() == 3  # another pack: every case of the agency is judged again
    with app.engine.connect() as conn:
        count = select(func.count()).select_from(store.CASE_SUMMARY)
        assert conn.execute(count).scalar() == 3
    rebuild(app)  # a cache: the rebuild empties it, the next list refills it
    with app.engine.connect() as conn:
        assert conn.execute(count).scalar() == 0
    listed = cases.visible_cases(app, user, CASE_JUDGE)
    assert listed.total == 3 and all(c.acts for c in listed.items)


def test_a_broken_rule_pack_does_not_take_the_list_down(api, app):
    """An agency pack file edited badly after it was chosen: the list still answers, with the
    summaries it had; the case page is where the pack's error shows."""
    assert item(api, C)["violations"] == 1
    packs = app.settings.data_dir / "packs"
    packs.mkdir(exist_ok=True)
    good = "pack: ours\ntitle: 本局规则\nextends: national\nversion: 1\nrules: {}\n"
    (packs / "ours.yaml").write_text(good, "utf-8")
    compliance.use_pack(app, "ours", "本局规则", agency="wl")
    (packs / "ours.yaml").write_text(good.replace("rules: {}", "rules: ["), "utf-8")  # broken
    response = api.get("/api/v1/cases")
    assert response.status_code == 200
    assert {c["number"]: c["violations"] for c in response.json()["items"]}[C] == 1
    assert api.get("/").status_code == 200


def test_a_closed_case_awaits_archiving_with_its_archive_deadline(app, clock):
    """结案 ends the decision deadline; what the list then shows is 待归档 and the deadline
    the pack sets for it (001: 30 working days), named by its rule, not a bare count of days."""
    packs.use_pack(app, "001", "测试")
    record.record(app, ActInput(
        "archiving.closing", clock.now().isoformat(), case=A, actors=["31010001", "31010002"],
        recorded_by={"id": "31010001", "role": "officer"},
        fields={"closed_on": clock.now().date().isoformat(), "outcome": "不予处罚",
                "report": "违法行为轻微并及时改正，不予处罚。"},
    ))  # fmt: skip
    clock.current = datetime(2027, 2, 10, 10, 0, tzinfo=SHANGHAI)  # past 30 working days
    with TestClient(create_app(app), headers=token_headers(app, ["head"])) as client:
        a = next(c for c in client.get("/api/v1/cases").json()["items"] if c["number"] == A)
        assert a["status"] == "closed" and a["awaiting_archive"] is True
        assert "归档" in a["next_due_title"] and a["overdue"] is True
        assert a["next_due_at"] < "2027-01-31"  # not the decision deadline closing ended
        b = next(c for c in client.get("/api/v1/cases").json()["items"] if c["number"] == B)
        assert "awaiting_archive" not in b and "九十日" in b["next_due_title"]
        page = client.get("/")
        row = page.text.split(f">{A}</a>")[1].split("</tr>")[0]
        assert "<strong>待归档</strong><br>归档已逾期" in row
        assert f'title="{a["next_due_title"]}"' in row


def test_parties_of_earlier_cases_are_found_only_where_the_user_may_see(app):
    """``GET /api/v1/parties``: a party of an earlier case by name or ID number, with every
    part the case recorded, from the cases in the user's scope only, never from a case whose
    header a whole-case mark withholds from him."""
    d = "某文旅罚〔2026〕4号"
    zhang = {"name": "张某", "id_no": "330106199001011234", "address": "某区滨江路20号",
             "phone": "13800000000", "gender": "男", "age": 36}  # fmt: skip
    _open(app, d, "2026-11-04T10:00:00+08:00", "wl-zd1", ["31010001", "31010002"],
          parties=[zhang, {"name": "某区夜色酒吧", "id_no": "91330106MA2H7K3X5L",
                           "legal_rep": "王某", "role": "法人或者其他组织"}])  # fmt: skip
    with TestClient(create_app(app)) as client:
        client.headers.update(token_headers(app, ["officer"], "wl-zd1"))

        def found(q: str) -> list[dict[str, Any]]:
            answer = client.get("/api/v1/parties", params={"q": q})
            assert answer.status_code == 200, answer.text
            return list(answer.json()["items"])

        # the newest case's record of each party: 4号's 张某 has the ID number and the rest
        assert found("1990010112") == [{
            "name": "张某", "id_no": "330106199001011234", "address": "某区滨江路20号",
            "phone": "13800000000", "gender": "男", "age": "36", "kind": "citizen", "case": d,
        }]  # fmt: skip
        names = [(p["name"], p.get("id_no", "")) for p in found("某")]
        assert ("某区星光KTV", "") not in names  # 2号 is the second squad's
        assert ("张某", "330106199001011234") in names and ("张某", "") in names  # 3号's too
        bar = next(p for p in found("夜色") if p["case"] == d)
        assert bar["kind"] == "org" and bar["legal_rep"] == "王某" and "role" not in bar
        assert found("%") == [] and found("name") == []
        assert client.get("/api/v1/parties", params={"q": " "}).status_code == 422
        client.headers.update(token_headers(app, ["officer"], "wl-zd2"))
        assert [p["name"] for p in found("某")] == ["某区星光KTV"]
        assert found("张某") == []
    record.record(app, ActInput(
        "general.confidentiality", app.clock.now().isoformat(), case=d, actors=["31010001"],
        fields={"mark": "国家秘密", "records": [], "reason": "测试"},
        recorded_by={"id": "31010001", "role": "officer"},
    ))  # fmt: skip
    with TestClient(create_app(app)) as client:
        client.headers.update(token_headers(app, ["officer"], "wl-zd1"))
        left = client.get("/api/v1/parties", params={"q": "张某"}).json()["items"]
        assert [p["case"] for p in left] == [C]  # 4号's header is withheld from this reader
