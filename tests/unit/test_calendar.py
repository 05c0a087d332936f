"""Working days on the Chinese calendar: official years, imported years, and honest gaps."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from liuhen.rules.calendar import WorkingCalendar, YearData

SH = ZoneInfo("Asia/Shanghai")
CAL = WorkingCalendar.default()


def at(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=SH)


def test_national_day_2026_is_skipped_and_the_makeup_saturday_counts():
    assert CAL.is_workday(date(2026, 10, 1)) == (False, False)
    assert CAL.is_workday(date(2026, 10, 10)) == (True, False)  # 调休上班
    due = CAL.add_working_days(at(2026, 9, 30, 23, 50), 2)
    assert due.at == at(2026, 10, 9, 23, 59, 59)
    assert not due.provisional


def test_counting_starts_the_day_after_on_the_local_calendar():
    # 23:50 local on 11-20 (Friday) and the same instant written in UTC: the same local day.
    local = at(2026, 11, 20, 23, 50)
    utc = datetime(2026, 11, 20, 15, 50, tzinfo=UTC)
    assert (
        CAL.add_working_days(local, 1).at
        == CAL.add_working_days(utc, 1).at
        == at(2026, 11, 23, 23, 59, 59)
    )
    # 00:10 local on 11-21 is 16:10 UTC on 11-20, yet belongs to the Saturday.
    early = datetime(2026, 11, 20, 16, 10, tzinfo=UTC)
    assert CAL.local_day(early) == date(2026, 11, 21)
    assert CAL.add_days(local, 1).at == at(2026, 11, 21, 23, 59, 59)


def test_a_year_without_data_is_counted_on_weekends_and_marked_provisional():
    due = CAL.add_working_days(at(2026, 12, 30, 10, 0), 3)
    assert due.provisional
    assert due.at == at(2027, 1, 4, 23, 59, 59)  # Thu 31, Fri 1 (provisional), Mon 4
    assert CAL.is_workday(date(2027, 1, 1)) == (True, True)


def test_an_imported_year_replaces_the_guess():
    y2027 = YearData(2027, frozenset({date(2027, 1, 1)}), frozenset(), "测试通知")
    cal = WorkingCalendar.default([y2027])
    due = cal.add_working_days(at(2026, 12, 30, 10, 0), 3)
    assert not due.provisional
    assert due.at == at(2027, 1, 5, 23, 59, 59)


def test_holiday_extension_of_a_calendar_day_period():
    # 30 days after 2026-09-07 is 2026-10-07, inside National Day: extended to 10-08.
    assert CAL.add_days(at(2026, 9, 7, 9, 0), 30).at == at(2026, 10, 7, 23, 59, 59)
    assert CAL.add_days(at(2026, 9, 7, 9, 0), 30, holiday_extends=True).at == at(
        2026, 10, 8, 23, 59, 59
    )


def test_hours_are_exact():
    assert CAL.add_hours(at(2026, 11, 20, 23, 50), 24).at == at(2026, 11, 21, 23, 50)


@given(
    start=st.datetimes(
        min_value=datetime(2010, 1, 1), max_value=datetime(2026, 6, 30), timezones=st.just(SH)
    ),
    days=st.integers(1, 40),
)
def test_working_day_counting_lands_on_a_working_day_after_exactly_n_of_them(start, days):
    due = CAL.add_working_days(start, days)
    last = due.at.date()
    assert CAL.is_workday(last)[0]
    day, counted = CAL.local_day(start), 0
    while day < last:
        day += timedelta(days=1)
        counted += CAL.is_workday(day)[0]
    assert counted == days
