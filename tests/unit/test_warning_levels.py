"""Which card a deadline finding earns: yellow within the warning window, red once passed,
none for a deadline met (late or in time) or not a deadline at all."""

from __future__ import annotations

from datetime import datetime, timedelta

from liuhen.clock import SHANGHAI
from liuhen.rules.findings import Finding, Severity
from liuhen.warnings.levels import Level, earned, level_of, open_deadlines

NOW = datetime(2027, 1, 29, 10, 0, tzinfo=SHANGHAI)
UNTIL = NOW + timedelta(days=5)  # the end of a window, whatever its working days


def _f(
    outcome: str, due: datetime | None, seqs: tuple[int, ...] = (7,), rule: str = "d"
) -> Finding:
    severity = Severity.DUE if outcome == "due" else Severity.VIOLATION
    return Finding(
        f"{rule}:{outcome}",
        rule,
        severity,
        "九十日内作出决定",
        "…",
        ("002 第九条",),
        "办结",
        seqs,
        due.isoformat() if due else None,
    )


def test_a_deadline_within_the_window_is_yellow_beyond_it_none() -> None:
    assert level_of(_f("due", NOW + timedelta(days=2)), NOW, UNTIL) is Level.YELLOW
    assert level_of(_f("due", UNTIL), NOW, UNTIL) is Level.YELLOW  # the window's last moment
    assert level_of(_f("due", UNTIL + timedelta(minutes=1)), NOW, UNTIL) is None


def test_a_passed_deadline_is_red_and_a_met_one_earns_nothing() -> None:
    assert level_of(_f("overdue", NOW - timedelta(days=1)), NOW, UNTIL) is Level.RED
    # judged a moment before the clock passed it: still red once the time is gone
    assert level_of(_f("due", NOW - timedelta(seconds=1)), NOW, UNTIL) is Level.RED
    assert level_of(_f("late", NOW - timedelta(days=1)), NOW, UNTIL) is None
    assert level_of(_f("missing", None), NOW, UNTIL) is None


def test_one_card_per_deadline_and_each_start_its_own() -> None:
    found = [
        _f("due", NOW + timedelta(days=1), (3,), "seal"),
        _f("overdue", NOW - timedelta(days=1), (5,), "seal"),  # another seizure, same rule
        _f("due", NOW + timedelta(days=30), (9,), "decision"),  # not yet in the window
    ]
    cards = {c.key: c.level for c in earned(found, NOW, UNTIL)}
    assert cards == {("seal", 3): Level.YELLOW, ("seal", 5): Level.RED}
    # the far deadline earns no card but is still running: a card on it would stay open
    assert open_deadlines(found) == {("seal", 3), ("seal", 5), ("decision", 9)}
    assert open_deadlines([_f("late", NOW, (3,), "seal")]) == set()
