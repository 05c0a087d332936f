"""Times on pages read as Chinese dates at the offset they were recorded with."""

from liuhen.web.templates import TEMPLATES, when


def test_time_reads_as_chinese_date_and_clock() -> None:
    assert when("2026-08-05T11:20:00+08:00") == "2026年8月5日 11:20"
    assert when("2026-08-05T09:05:59.123+08:00") == "2026年8月5日 09:05"


def test_date_alone_and_date_part() -> None:
    assert when("2026-12-31") == "2026年12月31日"
    assert when("2026-08-05T11:20:00+08:00", with_time=False) == "2026年8月5日"


def test_other_offsets_keep_their_wall_clock() -> None:
    assert when("2026-08-05T03:20:00+00:00") == "2026年8月5日 03:20"


def test_blank_and_malformed_stay_visible() -> None:
    assert when(None) == ""
    assert when("") == ""
    assert when("昨天下午") == "昨天下午"


def test_filter_is_installed() -> None:
    page = TEMPLATES.env.from_string("{{ t | when }}").render(t="2027-01-01T00:00:00+08:00")
    assert page == "2027年1月1日 00:00"
