"""The report reads whole fact rows only for the cases a period touches (opened, closed or
decided in it, or with an act or a finding in it), which keeps a month's report from reading
every case ever opened. The figures must not change for it: on the demo, on SQLite and
PostgreSQL, each report and the cases behind each figure are the same as when every case in
scope is read whole, for several periods and filters, with the warnings' figures wired in."""

from __future__ import annotations

import pytest
from sqlalchemy import true

import liuhen.entrypoints.web  # noqa: F401  (wires the warnings' figures into the report)
from liuhen.demo import seed as demo
from liuhen.stats import figures
from liuhen.stats import service as stats
from liuhen.stats.figures import Filters
from liuhen.warnings import service as warnings

PERIODS = ("2026", "2026-03", "2026-Q2", "2026-12", "2025")
FILTERS = (
    Filters(),
    Filters(agency="whlyj"),
    Filters(unit="whlyj-zd1"),
    Filters(act="general.media"),
    Filters(officer="11010052"),
)


def test_reading_only_the_touched_cases_changes_no_figure(
    app, monkeypatch: pytest.MonkeyPatch
) -> None:
    demo.seed(app)
    warnings.scan(app, send=False)
    narrow = {
        (p, tuple(f.items().items())): stats._figures(app, None, p, f)
        for p in PERIODS
        for f in FILTERS
    }
    assert any(not found.report.empty for found in narrow.values())
    monkeypatch.setattr(figures, "_touched", lambda within: true())
    for (p, items), found in narrow.items():
        whole = stats._figures(app, None, p, Filters(**dict(items)))
        assert found.report.model_dump() == whole.report.model_dump(), (p, items)
        assert found.behind == whole.behind, (p, items)
        assert found.titles == whole.titles, (p, items)
