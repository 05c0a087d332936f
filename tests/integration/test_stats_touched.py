"""The report counts in SQL (grouped counts over the fact tables) and lists the cases behind a
figure only when asked for. The figures must not change for it: on the demo, on SQLite and
PostgreSQL, each report and the cases behind each figure are the same as the reference's
(``stats_reference``: the former count in Python over every case in scope read whole), for
several periods and filters, with the warnings' figures wired in; and every figure that counts
cases lists exactly as many."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import true

import liuhen.entrypoints.web  # noqa: F401  (wires the warnings' figures into the report)
from liuhen.demo import seed as demo
from liuhen.stats import service as stats
from liuhen.stats.figures import Filters
from liuhen.stats.schemas import StatsReport
from liuhen.warnings import service as warnings
from tests.integration import stats_reference as reference

PERIODS = ("2026", "2026-03", "2026-Q2", "2026-12", "2025", "2026-02-10..2026-04-05")
FILTERS = (
    Filters(),
    Filters(agency="whlyj"),
    Filters(unit="whlyj-zd1"),
    Filters(act="general.media"),
    Filters(officer="11010052"),
)


def _key(link: str) -> tuple[str, str]:
    query = parse_qs(urlsplit(link).query, keep_blank_values=True)
    return query["metric"][0], query["key"][0]


def case_counts(report: StatsReport) -> Iterator[tuple[str, int]]:
    """(link, count) of each figure that counts cases."""
    for h in report.headlines:
        if h.key in ("opened", "closed", "decided"):
            yield h.link, int(h.value)
    for rows in (report.by_stage, report.by_procedure, report.by_source, report.by_category):
        for c in rows:
            yield c.link, c.count
    for c in report.penalty_levels + report.decision_kinds:
        yield c.link, c.count
    for o in report.officers:
        yield o.link, o.cases
    if report.warnings is not None:
        for w in [report.warnings.total, *report.warnings.units, *report.warnings.officers]:
            yield w.link, w.cases
            yield w.red_link, w.cases_red
            yield w.warned_link, w.cases_warned


def test_counting_in_sql_changes_no_figure_and_no_drill_down(
    app, monkeypatch: pytest.MonkeyPatch
) -> None:
    demo.seed(app)
    warnings.scan(app, send=False)
    monkeypatch.setattr(reference, "_touched", lambda within: true())
    source = stats._WARNINGS[0]
    scope = stats.scope_for(app, None)
    compared = 0
    for p in PERIODS:
        for f in FILTERS:
            found = stats.report(app, None, p, f)
            w, own = stats.weights(app, f.agency)
            ref = reference.compute(app, scope, stats.period(app, p), f, w, own, source)
            assert found.model_dump() == ref.report.model_dump(), (p, f)
            for (metric, key), numbers in ref.behind.items():
                listed = stats.cases_behind(app, None, p, f, metric, key)
                assert {c.number for c in listed.cases} == numbers, (p, f, metric, key)
                assert listed.title == ref.titles[(metric, key)], (p, f, metric, key)
                compared += 1
            for link, count in case_counts(found):
                if not link:  # a total of no warnings links nowhere
                    continue
                metric, key = _key(link)
                listed = stats.cases_behind(app, None, p, f, metric, key)
                assert len(listed.cases) == count, (p, f, metric, key)
    assert compared > 100


def test_a_pack_change_recounts_the_officers_monthly_sums(app) -> None:
    """The officers' figures add monthly sums counted with the agency's pack
    (``stats.rollup``): after the pack changes they are counted again, so the report still
    equals the reference, over whole months and over a range that cuts months."""
    from liuhen.compliance import service as compliance

    demo.seed(app)
    scope = stats.scope_for(app, None)
    source = stats._WARNINGS[0]
    periods = ("2026", "2026-03-04..2026-05-20")

    def same() -> None:
        for p in periods:
            for f in (Filters(), Filters(agency="whlyj")):
                found = stats.report(app, None, p, f)
                w, own = stats.weights(app, f.agency)
                ref = reference.compute(app, scope, stats.period(app, p), f, w, own, source)
                assert found.model_dump() == ref.report.model_dump(), (p, f)

    same()

    def due() -> int:
        report = stats.report(app, None, "2026", Filters())
        return next(r.total for r in report.rates if r.label == "法定音像记录覆盖率")

    before = due()
    current = compliance.pack_name_for(app, "whlyj")
    other = "002" if current != "002" else "national"
    compliance.use_pack(app, other, "统计测试：换用规则包", agency="whlyj")
    same()
    assert due() != before  # the packs name different acts to be recorded
    assert stats.verify(app) == []
