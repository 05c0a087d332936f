"""Statistics: the periods people type, and the evaluation score's formula."""

from __future__ import annotations

from datetime import date

import pytest

from liuhen.errors import ValidationError
from liuhen.stats import periods, score
from liuhen.stats.score import Rate


def test_each_kind_of_period_covers_its_days() -> None:
    assert periods.parse("2026-11-05").start == periods.parse("2026-11-05").end == date(2026, 11, 5)
    month = periods.parse("2026-2")
    assert (month.start, month.end, month.key, month.label) == (
        date(2026, 2, 1), date(2026, 2, 28), "2026-02", "2026年2月",
    )  # fmt: skip
    q = periods.parse("2026-Q4")
    assert (q.start, q.end, q.label) == (date(2026, 10, 1), date(2026, 12, 31), "2026年第四季度")
    year = periods.parse("2026")
    assert (year.start, year.end, year.bucket) == (date(2026, 1, 1), date(2026, 12, 31), "month")
    assert year.buckets()[0] == "2026-01" and len(year.buckets()) == 12
    r = periods.parse("2026-01-15..2026-02")
    assert (r.kind, r.start, r.end, r.bucket) == (
        "range",
        date(2026, 1, 15),
        date(2026, 2, 28),
        "day",
    )
    assert len(r.buckets()) == 45 and r.contains("2026-02-28T23:00:00+08:00")
    assert not r.contains("2026-01-14") and not r.contains(None)
    assert periods.default(date(2026, 12, 6)).key == "2026-12"
    quick = dict(periods.quick(date(2026, 1, 6)))
    assert quick == {
        "本月": "2026-01",
        "上月": "2025-12",
        "本季度": "2026-Q1",
        "本年": "2026",
        "上年": "2025",
    }
    assert all(periods.parse(k).key == k for k in quick.values())


@pytest.mark.parametrize("text", ["2026-13", "2026-02-30", "明年", "2026-Q5", "2026-03..2026-01"])
def test_a_period_that_cannot_be_read_is_refused_in_chinese(text: str) -> None:
    with pytest.raises(ValidationError) as exc:
        periods.parse(text)
    assert "统计期间" in exc.value.message


def test_score_is_the_weighted_mean_of_the_rates_that_have_data() -> None:
    w = {"compliance": 40, "av_coverage": 20, "on_time_storage": 20, "on_time_archive": 20}
    rates = {
        "compliance": Rate(3, 4),  # 0.75
        "av_coverage": Rate(1, 2),  # 0.5
        "on_time_storage": Rate(2, 2),  # 1.0
        "on_time_archive": Rate(0, 0),  # nothing closed: left out
    }
    s = score.score(rates, w)
    assert s.value == round((40 * 0.75 + 20 * 0.5 + 20 * 1.0) / 80 * 100, 1) == 75.0
    assert s.left_out == ("on_time_archive", "closing") or s.left_out == ("on_time_archive",)
    assert "on_time_archive" not in s.used
    assert score.score({}, w).value is None
    text = score.formula_text(score.DEFAULT_WEIGHTS)
    assert "案件无违规率×40" in text and "办结率×10" in text
