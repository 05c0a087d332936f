"""Full-text search (issue 15 item 5) on the real databases: Chinese words inside longer texts,
ranking, the reader's scope and confidentiality marks, the index caught up from the journal and
emptied by a rebuild, the API's errors.

Three cases of one agency: 1号 (first squad, 张伟 and 李娜) with an inquiry whose transcript names
unregistered 点歌设备 and a 网吧 once, 2号 in the second squad (赵六), 3号 (first squad, 张伟 and
王强) about a 网吧 in its cause.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from liuhen.access.policy import User
from liuhen.accounts import service as access
from liuhen.clock import SHANGHAI, FixedClock
from liuhen.compliance import service as compliance
from liuhen.entrypoints.web import SEARCH_SOURCES, create_app
from liuhen.kernel import instance, record
from liuhen.kernel.db import store
from liuhen.kernel.instance import App
from liuhen.kernel.rebuild import rebuild
from liuhen.kernel.record import ActInput
from liuhen.search import service as search
from liuhen.search.schemas import SearchPage
from tests.integration import factory
from tests.integration.auth import token_headers

A, B, C = "某文旅罚〔2026〕1号", "某文旅罚〔2026〕2号", "某文旅罚〔2026〕3号"
NOW = datetime(2026, 11, 5, 9, 30, tzinfo=SHANGHAI)
ZHAO = "31020001"
TRANSCRIPT = (
    "问：你是否知道演出需要许可？\n答：不知道。\n问：二楼包厢的设备是什么？\n"
    "答：二楼包厢内设置了三台未经备案的点歌设备，是从网吧老板那里买来的。"
)


def _open(app: App, number: str, when: str, unit: str, actors: list[str], **header: Any) -> None:
    inp = factory.opening_input(number, when)
    inp.fields.update(unit=unit, **header)
    inp.actors[:] = actors
    record.record(app, inp)


def _inquiry(app: App, number: str, transcript: str, actors: list[str] | None = None) -> int:
    inp = factory.inquiry_input(number, actors=actors)
    inp.fields["transcript"] = transcript
    return record.record(app, inp).seq


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
    _inquiry(application, A, TRANSCRIPT)
    _open(application, B, "2026-11-03T09:00:00+08:00", "wl-zd2", [ZHAO, "31010001"],
          parties=[{"name": "某区星光KTV", "id_no": "91110105MA01XY2Z3Q"}],
          cause="擅自变更演出节目")  # fmt: skip
    _open(application, C, "2026-11-04T09:00:00+08:00", "wl-zd1", ["31010001", "31010003"],
          parties=[{"name": "张某"}], cause="无证经营网吧")  # fmt: skip
    clock.advance(minutes=5)
    yield application
    application.engine.dispose()


def person(app: App, roles: list[str], unit: str, cert: str | None) -> User:
    name = f"u{cert or roles[0]}".replace("_", "")
    return access.create_user(app, name, "mima-12345678", roles, name, unit, cert)


def find(app: App, user: User, q: str, **kw: Any) -> SearchPage:
    return search.search(app, user, q, SEARCH_SOURCES, **kw)


def hits(page: SearchPage) -> list[tuple[str, str]]:
    return [(h.case_number, h.kind) for h in page.items]


def test_a_word_inside_a_longer_text_is_found_and_highlighted(app):
    head = person(app, ["head"], "wl-zd1", None)
    page = find(app, head, "点歌设备")
    assert hits(page) == [(A, "act")]
    assert page.terms == ["点歌", "设备"]
    marked = [p.text for p in page.items[0].snippet if p.hit]
    assert "点歌设备" in marked
    assert page.items[0].url.endswith("#seq-" + str(page.items[0].seq))
    assert hits(find(app, head, "备案")) == [(A, "act")]  # 备案 inside 未经备案的
    # a party's name and ID number: in the header, and in the opening act that recorded them
    assert hits(find(app, head, "星光")) == [(B, "case"), (B, "act")]
    assert hits(find(app, head, "91110105MA01XY2Z3Q"))[0] == (B, "case")
    assert (C, "case") in hits(find(app, head, "3号"))  # the case number
    assert hits(find(app, head, "不存在的词语组合")) == []


def test_a_word_in_the_title_ranks_above_one_in_a_long_text(app):
    head = person(app, ["head"], "wl-zd1", None)
    page = find(app, head, "网吧")
    assert hits(page)[0] == (C, "case")  # 3号's cause is about a 网吧
    assert (A, "act") in hits(page)  # 1号's transcript names one once
    assert page.total == len(page.items) == sum(k.count for k in page.kinds)


def test_an_officer_of_another_unit_finds_nothing_of_theirs(app):
    zhao = person(app, ["officer"], "wl-zd2", ZHAO)
    page = find(app, zhao, "点歌设备")
    assert page.total == 0 and page.items == [] and page.kinds == []
    assert hits(find(app, zhao, "网吧")) == []
    assert (B, "case") in hits(find(app, zhao, "星光"))  # his own unit's case
    admin = person(app, ["admin"], "wl-zd1", None)
    assert find(app, admin, "星光").total == 0  # the administrator sees no case


def test_a_marked_record_is_found_only_by_those_entitled(app):
    seq = _inquiry(app, A, "当事人提供了其女儿的病历，说明家庭困难，请求从轻处罚。")
    record.record(app, ActInput(
        "general.confidentiality", app.clock.now().isoformat(), case=A, actors=["31010001"],
        fields={"mark": "个人隐私", "records": [str(seq)], "reason": "涉及未成年人病情"},
        recorded_by={"id": "31010001", "role": "officer"},
    ))  # fmt: skip
    outsider = person(app, ["officer"], "wl-zd1", "31010003")  # of the unit, not on 1号
    on_case = person(app, ["officer"], "wl-zd1", "31010002")
    head = person(app, ["head"], "wl-zd1", None)
    page = find(app, outsider, "病历")
    assert (page.total, page.items, page.kinds) == (0, [], [])  # not even counted
    assert hits(find(app, outsider, "点歌设备")) == [(A, "act")]  # the unmarked one stays
    assert hits(find(app, head, "病历")) == [(A, "act")]
    assert hits(find(app, on_case, "病历")) == [(A, "act")]
    # a mark on the whole case hides its header and every entry, put after they were indexed
    record.record(app, ActInput(
        "general.confidentiality", app.clock.now().isoformat(), case=A, actors=["31010001"],
        fields={"mark": "商业秘密", "records": [], "reason": "测试"},
        recorded_by={"id": "31010001", "role": "officer"},
    ))  # fmt: skip
    assert find(app, outsider, "点歌设备").total == 0
    assert find(app, outsider, "夜色").total == 0  # 1号's party
    assert (A, "case") in hits(find(app, head, "夜色"))
    supervisor = person(app, ["supervisor"], "wl-zd1", None)
    assert (A, "act") in hits(find(app, supervisor, "点歌设备"))  # 商业秘密: oversight sees it


def test_new_entries_are_indexed_before_the_next_search(app):
    head = person(app, ["head"], "wl-zd1", None)
    assert find(app, head, "烟花爆竹").total == 0
    with app.engine.connect() as conn:
        indexed = conn.execute(select(func.count()).select_from(store.T["search_doc"])).scalar()
    _inquiry(app, C, "现场发现仓库内存放烟花爆竹二十箱。", actors=["31010001", "31010003"])
    page = find(app, head, "烟花爆竹")
    assert hits(page) == [(C, "act")]
    with app.engine.connect() as conn:
        now_indexed = conn.execute(select(func.count()).select_from(store.T["search_doc"])).scalar()
        cursor = conn.execute(
            select(store.T["search_state"].c.value).where(
                store.T["search_state"].c.name == "cursor"
            )
        ).scalar()
        head_size = conn.execute(select(func.max(store.ENTRY.c.seq))).scalar()
    assert now_indexed > indexed  # the new entry's row (and the case's header again)
    assert int(cursor) == head_size


def test_a_rebuild_empties_the_index_and_the_next_search_fills_it(app):
    head = person(app, ["head"], "wl-zd1", None)
    before = hits(find(app, head, "网吧"))
    rebuild(app)
    with app.engine.connect() as conn:
        rows = conn.execute(select(func.count()).select_from(store.T["search_doc"])).scalar()
        state = conn.execute(select(func.count()).select_from(store.T["search_state"])).scalar()
    assert (rows, state) == (0, 0)
    assert hits(find(app, head, "网吧")) == before
    assert before


def test_findings_are_found_by_their_rule_title(app):
    _inquiry(app, C, "问：情况属实吗？答：属实。", actors=["31010001"])  # one officer
    ev = compliance.evaluate_case(app, C, app.clock.now())
    title = next(f.title for f in ev.findings if f.severity.value == "violation")
    head = person(app, ["head"], "wl-zd1", None)
    page = find(app, head, title[:40], kind="finding")
    assert (C, "finding") in hits(page)
    assert all(h.kind == "finding" for h in page.items)


def test_the_api_pages_and_refuses_an_empty_or_long_query(app):
    with TestClient(create_app(app), headers=token_headers(app, ["head"])) as api:
        body = api.get("/api/v1/search", params={"q": "演出", "per_page": 2}).json()
        assert body["total"] > 2 and len(body["items"]) == 2 and body["page"] == 1
        second = api.get("/api/v1/search", params={"q": "演出", "per_page": 2, "page": 2}).json()
        first_ids = {(h["case_number"], h["seq"], h["kind"]) for h in body["items"]}
        assert not first_ids & {(h["case_number"], h["seq"], h["kind"]) for h in second["items"]}
        for q in ("", "   ", "，。！", "演" * 101):
            refused = api.get("/api/v1/search", params={"q": q})
            assert refused.status_code == 422, q
            assert refused.json()["code"] == "LH490"
        assert "请输入搜索词" in api.get("/api/v1/search").json()["message"]
        assert api.get("/api/v1/search", params={"q": "演出", "kind": "x"}).status_code == 422
        page = api.get("/search", params={"q": "点歌设备"})
        assert page.status_code == 200 and "<mark>点歌设备</mark>" in page.text
        assert api.get("/search", params={"q": "演" * 101}).status_code == 422
    with TestClient(create_app(app)) as anonymous:
        assert anonymous.get("/api/v1/search", params={"q": "演出"}).status_code == 401


def test_a_deadline_passing_brings_its_finding_into_the_index(app, clock):
    head = person(app, ["head"], "wl-zd1", None)
    later = datetime(2027, 3, 1, 9, 0, tzinfo=SHANGHAI)  # past 1号's 90 days to decide
    shown = ("violation", "warning")
    now_found = {
        f.title
        for f in compliance.evaluate_case(app, A, app.clock.now()).findings
        if f.severity.value in shown
    }
    late = [
        f.title
        for f in compliance.evaluate_case(app, A, later).findings
        if f.severity.value == "violation" and f.title not in now_found
    ]
    assert late, "the test needs a deadline of 1号 that passes by March"
    assert (A, "finding") not in hits(find(app, head, late[0][:40], kind="finding"))
    clock.advance(days=(later - NOW).days)  # no entry: only time moved on
    assert (A, "finding") in hits(find(app, head, late[0][:40], kind="finding"))


def test_the_command_line_searches_as_the_operator_or_as_an_account(app, run):
    assert "已编入索引" in run("search", "--catch-up")
    out = run("search", "点歌设备")
    assert A in out and "询问" in out
    zhao = person(app, ["officer"], "wl-zd2", ZHAO)
    assert "共 0 条" in run("search", "点歌设备", "--as", zhao.username)
    assert "LH490" in run("search", "，", code=2)


def test_the_count_stops_at_the_cap_and_says_more_than(app, monkeypatch):
    head = person(app, ["head"], "wl-zd1", None)
    full = find(app, head, "网吧")  # 3号's header, an act of 1号 and one of 3号
    assert {k.kind: (k.count, k.capped) for k in full.kinds} == {
        "case": (1, False), "act": (2, False)
    }  # fmt: skip
    assert (full.total, full.total_capped, full.total_text) == (3, False, "3 条")
    capped = find(app, head, "网吧", cap=1, per_page=1)
    # the first two matches' kinds, lower bounds, and the total stops at the cap
    assert all(k.capped and k.text == f"{k.count} 条以上" for k in capped.kinds)
    assert sum(k.count for k in capped.kinds) == 2 and {k.kind for k in capped.kinds} <= {
        "case",
        "act",
    }
    assert (capped.total, capped.total_capped, capped.total_text) == (1, True, "1 条以上")
    assert len(capped.items) == 1 and capped.has_more  # the best one, and more after it
    assert full.ranked_all and full.ranking == "按相关程度排列"
    # past the cap only the newest cap + 1 matches are ranked, and the page says so
    assert not capped.ranked_all and "只在最近记录的 2 条中按相关程度排列" in capped.ranking
    doc = store.T["search_doc"]
    with app.engine.connect() as conn:
        newest = conn.execute(
            select(doc.c.case_number, doc.c.kind)
            .where(doc.c.body_tokens.contains("网吧") | doc.c.title_tokens.contains("网吧"))
            .order_by(doc.c.id.desc())
            .limit(2)
        ).all()
    pooled = find(app, head, "网吧", cap=1, per_page=10)
    assert sorted(hits(pooled)) == sorted((n, k) for n, k in newest)
    cases = find(app, head, "网吧", kind="case", cap=1)  # counted by itself, in full
    assert (cases.total, cases.total_capped, cases.total_text) == (1, False, "1 条")
    acts = find(app, head, "网吧", kind="act", cap=1, per_page=1)
    assert (acts.total, acts.total_capped, acts.has_more) == (1, True, True)
    last = find(app, head, "网吧", kind="act", cap=1, per_page=1, page=2)
    assert len(last.items) == 1 and not last.has_more
    assert {hits(acts)[0], hits(last)[0]} == {(A, "act"), (C, "act")}
    # the page, the API and the command say "more than", the pager runs as far as results go
    monkeypatch.setattr(search, "COUNT_CAP", 1)
    with TestClient(create_app(app), headers=token_headers(app, ["head"])) as api:
        body = api.get("/api/v1/search", params={"q": "网吧"}).json()
        assert (body["total"], body["total_capped"], body["total_text"]) == (1, True, "1 条以上")
        page = api.get("/search", params={"q": "网吧", "kind": "act"}).text
        assert "共 1 条以上结果" in page and "执法行为记录 1 以上" in page
        assert "只在最近记录的 2 条中按相关程度排列" in page
        assert "下一页" not in page  # both on this page: the pager ends where results do


def test_the_pool_read_in_slices_is_the_pool_of_one_query(app, monkeypatch):
    """PostgreSQL reads the newest matches slice by slice of the index (``query.newest``): with
    slices of one row the pages, counts and marks are those of one slice over all of it."""
    from liuhen.search import query

    seq = _inquiry(app, A, "网吧的病历记录，网吧老板签字。")
    record.record(app, ActInput(
        "general.confidentiality", app.clock.now().isoformat(), case=A, actors=["31010001"],
        fields={"mark": "个人隐私", "records": [str(seq)], "reason": "涉及病情"},
        recorded_by={"id": "31010001", "role": "officer"},
    ))  # fmt: skip
    _inquiry(app, C, "网吧内有未成年人上网。")
    readers = [
        person(app, ["head"], "wl-zd1", None),
        person(app, ["officer"], "wl-zd1", "31010003"),  # of the unit, not on 1号
        person(app, ["officer"], "wl-zd1", "31010002"),  # on 1号: reads its 个人隐私
        person(app, ["officer"], "wl-zd2", ZHAO),  # the other unit, on 2号
        person(app, ["supervisor"], "wl-zd1", None),
    ]

    def pages() -> list[Any]:
        return [
            (hits(p), p.total, p.total_capped, [(k.kind, k.count, k.capped) for k in p.kinds])
            for u in readers
            for p in (
                find(app, u, "网吧"), find(app, u, "网吧", cap=1, per_page=1),
                find(app, u, "网吧", kind="act", cap=1), find(app, u, "病历"),
                find(app, u, "星光"),
            )
        ]  # fmt: skip

    whole = pages()
    monkeypatch.setattr(query, "FIRST", 1)
    assert pages() == whole
    assert whole[8][:2] == ([], 0)  # 病历: the outsider neither finds nor counts it
    assert whole[3][0] == whole[13][0] == [(A, "act")]  # the head, the officer on 1号
    assert (B, "case") in whole[19][0]  # 赵六 finds his unit's 星光
    assert whole[5][1] == whole[0][1] - 1 > 0  # 网吧: the outsider counts all but the marked one
