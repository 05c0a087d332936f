"""The one place time comes from, injected so tests and imports can control it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


class Clock(Protocol):
    def now(self) -> datetime:
        """An aware datetime."""
        ...


class SystemClock:
    """Wall-clock time, in the agency's zone so recorded times read as the officer saw them."""

    def __init__(self, tz: ZoneInfo = SHANGHAI) -> None:
        self.tz = tz

    def now(self) -> datetime:
        return datetime.now(UTC).astimezone(self.tz)


class FixedClock:
    """A clock for tests and demo seeding that only moves when told to."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self.current = start

    def now(self) -> datetime:
        return self.current

    def advance(self, **kwargs: float) -> None:
        self.current += timedelta(**kwargs)
