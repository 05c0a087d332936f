"""Working days on the Chinese calendar, honest about the years nobody has published yet.

``chinesecalendar`` carries the State Council's holiday arrangements for the years it knows; an
administrator imports later years (``liuhen calendar import``). A day in a year with neither is
judged by weekends alone and everything computed from it is marked provisional: a deadline
across the 2027 Spring Festival is never silently wrong, and never a crash.

Periods follow 期间开始之日不计算在内: counting starts the day after the event, on the agency's
local calendar, so a recording that ends at 23:50 belongs to that local day.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar
from chinese_calendar import constants as _cc

END_OF_DAY = time(23, 59, 59)


@dataclass(frozen=True)
class YearData:
    """One year's official arrangement: holidays and the weekend days that are worked instead."""

    year: int
    holidays: frozenset[date]
    workdays: frozenset[date]
    source: str


@functools.lru_cache(maxsize=1)
def _builtin() -> tuple[YearData, ...]:
    return tuple(builtin_years_uncached().values())


def builtin_years() -> dict[int, YearData]:
    """The years ``chinesecalendar`` knows (computed once per process)."""
    return {y.year: y for y in _builtin()}


def builtin_years_uncached() -> dict[int, YearData]:
    """The years ``chinesecalendar`` knows, as ``YearData``."""
    years: dict[int, tuple[set[date], set[date]]] = {}
    for day in _cc.holidays:
        years.setdefault(day.year, (set(), set()))[0].add(day)
    for day in _cc.workdays:
        years.setdefault(day.year, (set(), set()))[1].add(day)
    version = getattr(chinese_calendar, "__version__", "")
    return {
        y: YearData(y, frozenset(h), frozenset(w), f"chinesecalendar {version}".strip())
        for y, (h, w) in years.items()
    }


@dataclass(frozen=True)
class Due:
    """A deadline: the last moment (local end of day for day-based periods) and its certainty."""

    at: datetime
    provisional: bool = False


@dataclass
class WorkingCalendar:
    years: Mapping[int, YearData]
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Shanghai"))

    @classmethod
    def default(
        cls, imported: Iterable[YearData] = (), tz: ZoneInfo | None = None
    ) -> WorkingCalendar:
        """Built-in years plus imported ones (an import may also correct a built-in year)."""
        years = builtin_years()
        for y in imported:
            years[y.year] = y
        return cls(years, tz or ZoneInfo("Asia/Shanghai"))

    def knows(self, day: date) -> bool:
        return day.year in self.years

    def is_workday(self, day: date) -> tuple[bool, bool]:
        """(is a working day, provisional)."""
        data = self.years.get(day.year)
        if data is None:
            return day.weekday() < 5, True
        if day in data.workdays:
            return True, False
        if day in data.holidays:
            return False, False
        return day.weekday() < 5, False

    def local_day(self, moment: datetime) -> date:
        if moment.tzinfo is None:
            raise ValueError("a naive time has no local day")
        return moment.astimezone(self.tz).date()

    def end_of(self, day: date) -> datetime:
        return datetime.combine(day, END_OF_DAY, self.tz)

    def add_hours(self, start: datetime, hours: float) -> Due:
        """Exact hours; shown in the agency's zone like every other deadline."""
        return Due((start + timedelta(hours=hours)).astimezone(self.tz))

    def add_days(self, start: datetime, days: int, holiday_extends: bool = False) -> Due:
        """Calendar days from the day after ``start``; optionally a last day that is not a
        working day moves to the next working day
        (期间届满的最后一日是节假日的，以节假日后的第一日为届满日)."""
        last = self.local_day(start) + timedelta(days=days)
        provisional = False
        if holiday_extends:
            while True:
                working, unsure = self.is_workday(last)
                provisional = provisional or unsure
                if working:
                    break
                last += timedelta(days=1)
        return Due(self.end_of(last), provisional)

    def add_working_days(self, start: datetime, days: int) -> Due:
        """The end of the ``days``-th working day after the local day of ``start``."""
        day = self.local_day(start)
        provisional = False
        counted = 0
        while counted < days:
            day += timedelta(days=1)
            working, unsure = self.is_workday(day)
            provisional = provisional or unsure
            if working:
                counted += 1
        return Due(self.end_of(day), provisional)
