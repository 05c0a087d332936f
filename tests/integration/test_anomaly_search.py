"""Search finds a case by the words of an anomaly's explanation (issue 15 item 5), on SQLite and
PostgreSQL: the supervisor and the agency's head find it, an officer (who reads no anomalies)
and the head of another agency do not; what is found follows the stored anomalies.

Two cases of one agency whose inquiries, both by 张伟 (31010001), took place at the same time:
the scan finds one officer in two places at once."""

from __future__ import annotations

import json

import pytest

from liuhen.access.policy import User
from liuhen.accounts import service as access
from liuhen.entrypoints.web import SEARCH_SOURCES
from liuhen.kernel.record import ActInput, record
from liuhen.search import service as search
from liuhen.supervision import service as anomalies
from liuhen.supervision import stored
from tests.integration import factory

A, B = "某文旅罚〔2026〕1号", "某文旅罚〔2026〕2号"
ADMIN = {"id": "admin", "role": "admin"}
Q = "同时 异常"  # 同时 is in the overlap's explanation, 异常 in the source's title


@pytest.fixture
def overlapping(app):
    factory.register(app)
    for number in (A, B):
        factory.open_case(app, number)
        record(app, factory.inquiry_input(number, actors=["31010001"]))
    anomalies.scan(app)
    return app


def _user(app, name: str, roles: list[str], unit: str, cert: str | None = None) -> User:
    return access.create_user(app, name, "mima-12345678", roles, name, unit, cert)


def _other_unit(app) -> str:
    now = app.clock.now().isoformat()
    agency = {"code": "qita", "name": "某区市场监督管理局", "region": "某区"}
    record(app, ActInput("registry.agency", now, recorded_by=ADMIN, fields=agency))
    factory.add_unit(app, "qita-zd", "市场监管执法大队", agency="qita")
    return "qita-zd"


def _found(app, user: User, q: str = Q) -> set[tuple[str, str]]:
    page = search.search(app, user, q, SEARCH_SOURCES)
    return {(h.case_number, h.kind) for h in page.items}


def test_an_anomaly_explanation_is_found_by_whom_may_read_it(overlapping) -> None:
    app = overlapping
    [overlap] = anomalies.list_anomalies(app, kind="officer_overlap").items
    assert "同时" in overlap.explanation
    supervisor = _user(app, "jiandu", ["supervisor"], "wl-zd1")
    head = _user(app, "fuzeren", ["head"], "wl-zd1")
    officer = _user(app, "zhifa", ["officer"], "wl-zd1", "31010001")
    stranger = _user(app, "waiju", ["head"], _other_unit(app))

    assert _found(app, supervisor) == {(A, "anomaly"), (B, "anomaly")}
    assert _found(app, head) == {(A, "anomaly"), (B, "anomaly")}
    page = search.search(app, supervisor, Q, SEARCH_SOURCES, kind="anomaly")
    assert page.items[0].kind_label == "执法记录异常"
    assert "".join(p.text for p in page.items[0].title).startswith("执法记录异常：同一执法人员")
    assert any(p.hit and "同时" in p.text for p in page.items[0].snippet)
    assert page.items[0].url.startswith("/cases/") and "#seq-" not in page.items[0].url
    assert _found(app, officer) == set()  # an officer reads no anomalies, not even his own
    assert "anomaly" not in {
        k.kind for k in search.search(app, officer, "同时", SEARCH_SOURCES).kinds
    }
    assert _found(app, stranger) == set()  # another agency's head sees none of these cases


def test_what_is_found_follows_the_stored_anomalies(overlapping, run) -> None:
    app = overlapping
    supervisor = _user(app, "jiandu", ["supervisor"], "wl-zd1")
    assert (A, "anomaly") in _found(app, supervisor)
    out = json.loads(run("search", Q, "--json", "--kind", "anomaly"))
    assert {i["case_number"] for i in out["items"]} == {A, B}

    # the table emptied (as a rebuild does) and scanned again: the texts are collected anew
    anomalies_before = anomalies.list_anomalies(app).total
    factory.open_case(app, "某文旅罚〔2026〕3号")  # no anomaly of its own
    record(app, factory.inquiry_input("某文旅罚〔2026〕3号", actors=["31010001"]))
    anomalies.scan(app)  # now three inquiries at once: more is stored
    assert anomalies.list_anomalies(app).total > anomalies_before
    assert ("某文旅罚〔2026〕3号", "anomaly") in _found(app, supervisor)


def test_a_search_never_runs_the_detection(app) -> None:
    """On an instance no scan has judged, the search reads the anomalies as stored (none) and
    leaves the detection where it was; the texts follow once a scan stores them."""
    factory.register(app)
    for number in (A, B):
        factory.open_case(app, number)
        record(app, factory.inquiry_input(number, actors=["31010001"]))
    supervisor = _user(app, "jiandu", ["supervisor"], "wl-zd1")
    assert stored.stamp(app).startswith("0|")
    assert _found(app, supervisor) == set()
    assert anomalies.behind(app) and anomalies.list_anomalies(app).total == 0  # not detected
    before = stored.stamp(app)
    anomalies.scan(app)
    assert stored.stamp(app) != before  # what a scan stored changes the stamp
    assert _found(app, supervisor) == {(A, "anomaly"), (B, "anomaly")}
