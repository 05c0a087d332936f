"""The 期限预警 figures of the report: the warnings feature hands the cards (``WarningGroup``,
wired in by the entry points, as statistics may not import a sibling feature); here they are
named and linked to the cases behind them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Protocol

from liuhen.kernel.instance import App
from liuhen.stats.periods import Period
from liuhen.stats.rates import pct
from liuhen.stats.schemas import WarningFigures, WarningPoint, WarningRow
from liuhen.stats.sets import Filters, Scope, link

RATE_DEFINITION = (
    "预警率 = 本期间亮过红牌（已超过期限）的案件数 ÷ 本期间期限在运行的案件数。期限在运行：本期间"
    "某时处于办理中，或已结案尚未归档（规则包所列的立案、调查、送达、归档等期限在计时）；"
    "本期间亮过牌的案件都计入分母。"
)
CLEAR_DEFINITION = (
    "解除用时：本期间亮出的每张黄牌、红牌，自亮牌至该期限办结（期限内完成、逾期后补办完成或期限"
    "终止，牌随之解除）的时长；黄牌因逾期改亮红牌不算解除，尚未解除的牌不计入。"
)
WARNING_GROUPS = ("all", "unit", "officer")
# a drill-down metric → the group's set of cases and the list's title
WARNING_SETS = {
    "warn_cases": ("total", "期限在运行的案件"),
    "warn_red": ("red_cases", "亮过红牌的案件"),
    "warn_carded": ("warned", "亮过牌的案件"),
    "warn_cleared": ("cleared_cases", "有牌因期限办结而解除的案件"),
}


class WarningGroup(Protocol):
    """The cards of one group in a period as the warnings feature hands them
    (``warnings.schemas.WarningGroup``): the entry points pass its service in, as statistics
    may not import a sibling feature."""

    @property
    def key(self) -> str: ...
    @property
    def warned(self) -> frozenset[str]: ...
    @property
    def red_cases(self) -> frozenset[str]: ...
    @property
    def cleared_cases(self) -> frozenset[str]: ...
    @property
    def yellow(self) -> int: ...
    @property
    def red(self) -> int: ...
    @property
    def hours(self) -> tuple[float, ...]: ...
    @property
    def raised(self) -> tuple[tuple[str, str], ...]: ...
    @property
    def total(self) -> frozenset[str]: ...
    @property
    def mean_hours(self) -> float | None: ...
    @property
    def median_hours(self) -> float | None: ...


# (app, start, end, the cases counted) -> the groups per "all", "unit" and "officer", from one
# read of the cards and cases
WarningSource = Callable[
    [App, datetime, datetime, Collection[str]], Mapping[str, Sequence[WarningGroup]]
]


def warning_groups(
    app: App, period: Period, cases: Collection[str], source: WarningSource | None
) -> dict[str, Sequence[WarningGroup]] | None:
    """The cards raised in the period's days (the agency's time zone) on these cases, per
    group; None when no warnings source is wired in."""
    if source is None:
        return None
    zone = app.settings.timezone
    start = datetime.combine(period.start, time(), tzinfo=zone)
    end = datetime.combine(period.end + timedelta(days=1), time(), tzinfo=zone)
    found = source(app, start, end, set(cases))
    return {by: found.get(by, ()) for by in WARNING_GROUPS}


def warning_row(w: Warned, g: WarningGroup, by: str) -> WarningRow:
    name = w.name(by, g.key)
    key = f"{by}:{g.key}" if by != "all" else ""

    def hours(v: float | None) -> float | None:
        return None if v is None else round(v, 1)

    return WarningRow(
        key=g.key,
        name=name,
        cases=len(g.total),
        cases_warned=len(g.warned),
        cases_red=len(g.red_cases),
        yellow=g.yellow,
        red=g.red,
        cleared=len(g.hours),
        rate=pct(len(g.red_cases), len(g.total)),
        mean_hours=hours(g.mean_hours),
        median_hours=hours(g.median_hours),
        link=w.link("warn_cases", key),
        red_link=w.link("warn_red", key),
        warned_link=w.link("warn_carded", key),
        cleared_link=w.link("warn_cleared", key),
    )


def warning_figures(w: Warned, buckets: list[str]) -> WarningFigures | None:
    groups = w.warning_groups
    if groups is None:
        return None
    every = list(groups["all"])
    total = (
        warning_row(w, every[0], "all")
        if every
        else WarningRow(
            key="",
            name=w.scope.label,
            cases=0,
            cases_warned=0,
            cases_red=0,
            yellow=0,
            red=0,
            cleared=0,
        )
    )
    raised = [r for g in every for r in g.raised]
    per = {
        level: Counter(w.period.bucket_of(at[:10]) for at, lv in raised if lv == level)
        for level in ("yellow", "red")
    }
    field = {c for people in w.field_officers.values() for c in people}
    officers = [
        warning_row(w, g, "officer") for g in groups["officer"] if not field or g.key in field
    ]
    return WarningFigures(
        rate_definition=RATE_DEFINITION,
        clear_definition=CLEAR_DEFINITION,
        total=total,
        units=[warning_row(w, g, "unit") for g in groups["unit"]],
        officers=sorted(officers, key=lambda r: (-r.red, -r.yellow, r.key)),
        series=[
            WarningPoint(bucket=k, yellow=per["yellow"][k], red=per["red"][k]) for k in buckets
        ],
    )


@dataclass(frozen=True, slots=True)
class Warned:
    """What the warning rows need of the report: its groups, names and links."""

    scope: Scope
    period: Period
    filters: Filters
    units: dict[str, tuple[str, str]]
    officers: dict[str, tuple[str, str]]
    field_officers: dict[str, list[str]]
    warning_groups: dict[str, Sequence[WarningGroup]] | None

    def link(self, metric: str, key: str) -> str:
        return link(self.period, self.filters, metric, key)

    def name(self, by: str, key: str) -> str:
        if by == "unit":
            return self.units.get(key, (key, ""))[0]
        if by == "officer":
            return self.officers.get(key, (key, ""))[0]
        return self.scope.label


def behind(w: Warned, metric: str, key: str) -> tuple[str, frozenset[str]]:
    """The title and cases of a 期限预警 figure's drill-down: the group its key names ('' all,
    ``unit:…``, ``officer:…``)."""
    attr, title = WARNING_SETS[metric]
    by, _, code = key.partition(":") if key else ("all", "", "")
    groups = w.warning_groups or {}
    group = next((g for g in groups.get(by, ()) if g.key == code), None)
    numbers: frozenset[str] = getattr(group, attr) if group is not None else frozenset()
    who = f"{w.name(by, code)}：" if by != "all" else ""
    return who + title, numbers
