"""Reporting periods as people type them: a day, a month, a quarter, a year or any range.

``2026-11-05`` (a day), ``2026-11`` (a month), ``2026-Q4`` (a quarter), ``2026`` (a year),
``2026-01-01..2026-03-31`` (a range, both ends included). Pure: no clock; the caller passes
today for the default.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from liuhen.errors import ValidationError

_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER = re.compile(r"^(\d{4})-?[Qq]([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")
MAX_DAYS = 3660  # ten years: a longer range is a typing mistake


@dataclass(frozen=True, slots=True)
class Period:
    """A closed range of local dates with its label; ``key`` is how it was typed, normalised."""

    kind: str  # day, month, quarter, year, range
    start: date
    end: date  # included
    key: str
    label: str

    @property
    def bucket(self) -> str:
        """The time series' step: days for a period of two months or less, else months."""
        return "day" if (self.end - self.start).days <= 62 else "month"

    def buckets(self) -> list[str]:
        """Every bucket key of the period in order (``2026-11-05`` or ``2026-11``)."""
        if self.bucket == "day":
            n = (self.end - self.start).days + 1
            return [(self.start + timedelta(days=i)).isoformat() for i in range(n)]
        out, y, m = [], self.start.year, self.start.month
        while (y, m) <= (self.end.year, self.end.month):
            out.append(f"{y:04d}-{m:02d}")
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return out

    def bucket_of(self, day: str) -> str:
        return day[:10] if self.bucket == "day" else day[:7]

    def contains(self, day: str | None) -> bool:
        return day is not None and self.start.isoformat() <= day[:10] <= self.end.isoformat()


def _date(y: str, m: str, d: str, text: str) -> date:
    try:
        return date(int(y), int(m), int(d))
    except ValueError as exc:
        raise _invalid(text) from exc


def _invalid(text: str) -> ValidationError:
    return ValidationError(
        f"无法识别的统计期间“{text}”：请写日（2026-11-05）、月（2026-11）、季度（2026-Q4）、"
        "年（2026）或起止日期（2026-01-01..2026-03-31）"
    )


def _month_end(y: int, m: int) -> date:
    return (date(y + 1, 1, 1) if m == 12 else date(y, m + 1, 1)) - timedelta(days=1)


def parse(text: str) -> Period:
    """A period from its typed form; raises ``ValidationError`` (in Chinese) otherwise."""
    t = text.strip().replace("～", "..").replace("~", "..").replace("至", "..")
    if ".." in t:
        a, _, b = t.partition("..")
        first, last = parse(a.strip()), parse(b.strip())
        if last.end < first.start:
            raise ValidationError(f"统计期间“{text}”的结束日期早于开始日期")
        if (last.end - first.start).days > MAX_DAYS:
            raise ValidationError(f"统计期间“{text}”超过十年，请缩短")
        key = f"{first.start.isoformat()}..{last.end.isoformat()}"
        label = f"{_cn(first.start)}至{_cn(last.end)}"
        return Period("range", first.start, last.end, key, label)
    if m := _DAY.match(t):
        d = _date(m.group(1), m.group(2), m.group(3), text)
        return Period("day", d, d, d.isoformat(), _cn(d))
    if m := _MONTH.match(t):
        y, mo = int(m.group(1)), int(m.group(2))
        if not 1 <= mo <= 12:
            raise _invalid(text)
        return Period(
            "month", date(y, mo, 1), _month_end(y, mo), f"{y:04d}-{mo:02d}", f"{y}年{mo}月"
        )
    if m := _QUARTER.match(t):
        y, q = int(m.group(1)), int(m.group(2))
        start = date(y, 3 * q - 2, 1)
        return Period(
            "quarter",
            start,
            _month_end(y, 3 * q),
            f"{y:04d}-Q{q}",
            f"{y}年第{'一二三四'[q - 1]}季度",
        )
    if m := _YEAR.match(t):
        y = int(m.group(1))
        return Period("year", date(y, 1, 1), date(y, 12, 31), f"{y:04d}", f"{y}年")
    raise _invalid(text)


def default(today: date) -> Period:
    """This month: what a head opens the page for."""
    return parse(f"{today.year:04d}-{today.month:02d}")


def quick(today: date) -> list[tuple[str, str]]:
    """The periods a head picks most, as (label, key): this and last month, quarter, year."""
    last_month = today.replace(day=1) - timedelta(days=1)
    q = (today.month - 1) // 3 + 1
    return [
        ("本月", f"{today.year:04d}-{today.month:02d}"),
        ("上月", f"{last_month.year:04d}-{last_month.month:02d}"),
        ("本季度", f"{today.year:04d}-Q{q}"),
        ("本年", f"{today.year:04d}"),
        ("上年", f"{today.year - 1:04d}"),
    ]


def _cn(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"
