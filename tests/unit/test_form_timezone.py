"""A form's local time takes the agency's zone (LIUHEN_TIMEZONE), not a fixed +08:00: the
callers pass the zone the settings give."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from liuhen.kernel import settings
from liuhen.procedure.fields import FieldKind, FieldSpec
from liuhen.web import forms


class _Form:
    fields = (FieldSpec("started_at", "开始时间", FieldKind.DATETIME),)


def test_default_zone_is_shanghai(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("LIUHEN_TIMEZONE", raising=False)
    zone = settings.zone()
    assert forms.local_datetime("2026-11-03T10:00", zone) == "2026-11-03T10:00:00+08:00"
    assert forms.local_datetime(" 2026-07-01T10:00:30 ", zone) == "2026-07-01T10:00:30+08:00"
    assert forms.local_datetime("2026-07-01T10:00:00+09:00", zone) == "2026-07-01T10:00:00+09:00"
    assert forms.local_datetime("2026-07-01T02:00:00Z", zone) == "2026-07-01T02:00:00Z"
    assert forms.local_datetime("", zone) == "+08:00"  # refused later, as before


def test_configured_zone_gives_its_offset_at_that_local_time(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("LIUHEN_TIMEZONE", "America/New_York")
    zone = settings.zone()
    assert forms.local_datetime("2026-01-15T09:30", zone) == "2026-01-15T09:30:00-05:00"
    assert forms.local_datetime("2026-07-15T09:30", zone) == "2026-07-15T09:30:00-04:00"
    values, problems = forms.parse(_Form(), {"f_started_at": "2026-07-15T09:30"}, zone)
    assert (values, problems) == ({"started_at": "2026-07-15T09:30:00-04:00"}, [])


def test_an_explicit_zone_wins_over_the_environment(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("LIUHEN_TIMEZONE", "America/New_York")
    kathmandu = ZoneInfo("Asia/Kathmandu")
    assert forms.local_datetime("2026-03-01T09:30", kathmandu) == "2026-03-01T09:30:00+05:45"
    assert forms.local_datetime("2026-03-01T09:30", ZoneInfo("UTC")) == "2026-03-01T09:30:00+00:00"
    values, _ = forms.parse(_Form(), {"f_started_at": "2026-03-01T09:30"}, kathmandu)
    assert values == {"started_at": "2026-03-01T09:30:00+05:45"}
