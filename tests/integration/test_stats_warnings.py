"""期限预警 in the statistics (issue 15 item 3: the warning rate and the time to clear a card are
statistics), on SQLite and PostgreSQL: the cards raised per scope, unit, officer and day, the
warning rate (cases with a red card ÷ cases whose limits ran) and the mean and median hours to
clear a card, the cases behind each number, the API, the page, the workbook, and the fact
tables still rebuilt and verified against the journal.

The story of test_warnings: NEAR and MET (张伟 and 李娜, first squad) get yellow cards on 28
January; MET is decided on the 29th (its yellow clears after 25 hours); NEAR's limit passes on 1
February (red; its yellow gives way, not a clearance) and it is decided late on the 2nd (the red
clears after 24 hours)."""

from __future__ import annotations

import io
from datetime import datetime

import openpyxl
import pytest
from fastapi.testclient import TestClient

from liuhen.clock import SHANGHAI, FixedClock
from liuhen.entrypoints.web import create_app
from liuhen.kernel.instance import App
from liuhen.stats import service as stats
from liuhen.stats.figures import Filters
from liuhen.warnings import service as warnings
from tests.integration import factory
from tests.integration.auth import login
from tests.integration.test_warnings import FEB1, JAN20, JAN28, MET, NEAR, _decide, _people

PERIOD = "2027-01-01..2027-02-02"
ALL = Filters()


def _story(app: App) -> None:
    app.clock = FixedClock(JAN20)
    _people(app)
    factory.open_case(app, NEAR)
    factory.open_case(app, MET, when="2026-11-03T09:00:00+08:00")
    warnings.scan(app, send=False)
    app.clock.current = JAN28
    warnings.scan(app, send=False)
    app.clock.current = datetime(2027, 1, 29, 11, 0, tzinfo=SHANGHAI)
    _decide(app, MET, "2027-01-29T09:00:00+08:00")
    warnings.scan(app, send=False)
    app.clock.current = FEB1
    warnings.scan(app, send=False)
    app.clock.current = datetime(2027, 2, 2, 10, 0, tzinfo=SHANGHAI)
    _decide(app, NEAR, "2027-02-02T09:00:00+08:00")
    warnings.scan(app, send=False)


def test_the_warning_figures_count_cards_rates_and_hours_to_clear(app) -> None:
    _story(app)
    report = stats.report(app, None, PERIOD, ALL)
    w = report.warnings
    assert w is not None
    t = w.total
    assert (t.cases, t.cases_warned, t.cases_red, t.yellow, t.red) == (2, 2, 1, 2, 1)
    assert t.rate == 50.0  # one case of two got a red card
    assert t.cleared == 2  # MET's yellow (25 h) and NEAR's red (24 h); NEAR's yellow escalated
    assert (t.mean_hours, t.median_hours) == (24.5, 24.5)
    assert "亮过红牌" in w.rate_definition and "期限在运行" in w.rate_definition
    assert "改亮红牌不算解除" in w.clear_definition
    # the same figures as `liuhen warnings rates`, through the warnings service
    start, end = datetime(2027, 1, 1, tzinfo=SHANGHAI), datetime(2027, 2, 3, tzinfo=SHANGHAI)
    (rate,) = [r for r in warnings.rates(app, start, end) if r.key == "wl-zd1"]
    (unit,) = w.units
    assert (unit.key, unit.name) == ("wl-zd1", "执法大队一中队")
    assert (unit.yellow, unit.red, unit.cases_red, unit.cases) == (
        rate.yellow, rate.red, rate.cases_red, rate.cases,
    )  # fmt: skip
    assert unit.mean_hours == pytest.approx(rate.mean_hours_to_clear)
    assert unit.median_hours == pytest.approx(rate.median_hours_to_clear)
    officers = {o.key: o for o in w.officers}
    assert (officers["31010001"].name, officers["31010001"].red) == ("张伟", 1)
    assert officers["31010002"].cases_warned == 2
    by_day = {p.bucket: (p.yellow, p.red) for p in w.series}
    assert by_day["2027-01-28"] == (2, 0) and by_day["2027-02-01"] == (0, 1)
    assert sum(y + r for y, r in by_day.values()) == 3
    # beside the other figures: the cards, the rate and the median hours
    heads = {h.key: h.value for h in report.headlines}
    assert (heads["yellow"], heads["red"], heads["clear_median"]) == ("2", "1", "24.5")
    (shown,) = [r for r in report.rates if r.label == "预警率（红牌）"]
    assert (shown.good, shown.total, shown.percent) == (1, 2, 50.0)
    assert shown.lower_better and not any(r.lower_better for r in report.rates if r is not shown)

    # the cases behind each number
    def behind(metric: str, key: str = "") -> list[str]:
        found = stats.cases_behind(app, None, PERIOD, ALL, metric, key)
        return [c.number for c in found.cases]

    assert behind("warn_red") == [NEAR]
    assert sorted(behind("warn_carded")) == sorted([NEAR, MET])
    assert sorted(behind("warn_cases", "unit:wl-zd1")) == sorted([NEAR, MET])
    assert sorted(behind("warn_cleared", "officer:31010001")) == sorted([NEAR, MET])

    # a period before any card, and a unit with none: nothing raised, no rate to speak of
    before = stats.report(app, None, "2026-12", ALL).warnings
    assert before is not None and (before.total.yellow, before.total.red) == (0, 0)
    assert before.total.median_hours is None and before.total.cases == 2
    other = stats.report(app, None, PERIOD, Filters(unit="wl-zd2")).warnings
    assert other is not None and (other.total.cases, other.total.rate) == (0, None)

    # the fact tables are unchanged by the cards: rebuilt and verified against the journal
    stats.rebuild(app)
    assert stats.verify(app) == []
    assert stats.report(app, None, PERIOD, ALL).warnings == w


def test_the_api_page_and_workbook_show_the_warning_figures(app, run) -> None:
    _story(app)
    with TestClient(create_app(app)) as client:
        assert login(client, "boss", "correct-horse-1").status_code == 303  # the head
        api = client.get("/api/v1/stats", params={"period": PERIOD}).json()
        assert api["warnings"]["total"]["rate"] == 50.0
        assert api["warnings"]["units"][0]["median_hours"] == 24.5
        red_link = api["warnings"]["total"]["red_link"]
        behind = client.get("/api/v1" + red_link).json()  # the same cases as JSON
        assert [c["number"] for c in behind["cases"]] == [NEAR]
        page = client.get("/stats", params={"period": PERIOD}).text
        assert 'id="warning-rate-definition"' in page and "预警率 = 本期间亮过红牌" in page
        assert 'id="chart-warnings"' in page and 'id="warning-officers"' in page
        assert page.count('"stats-card rate lower-better"') == 1  # not shown as a rate met
        listed = client.get(red_link).text
        assert NEAR in listed and MET not in listed
        book = openpyxl.load_workbook(
            io.BytesIO(client.get("/stats.xlsx", params={"period": PERIOD}).content)
        )
    sheet = book["期限预警"]
    rows = [[c.value for c in r] for r in sheet.iter_rows()]
    total = next(r for r in rows if r[0] == "合计")
    assert total[2:9] == [2, 2, 1, 2, 1, "50.0%", 2]
    assert any(r[0] and str(r[0]).startswith("预警率 = ") for r in rows)
    out = run("stats", "--period", PERIOD, "--json")
    assert '"warnings"' in out and '"cases_red": 1' in out
