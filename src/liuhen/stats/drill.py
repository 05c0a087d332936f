"""The cases behind one figure of the report (the drill-down), computed alone when asked for:
the report counts, this lists, both from the definitions in ``stats.sets``, so that the
number on the page is the number of cases listed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, and_, select

from liuhen.errors import ValidationError
from liuhen.kernel.instance import App
from liuhen.procedure.catalog import act_type
from liuhen.stats import lookup, projection
from liuhen.stats.figures import (
    DIMENSIONS,
    HEADLINE_TITLES,
    UNKNOWN_REVIEWER,
    decision_kinds_of,
    dimension_label,
    rules_of,
)
from liuhen.stats.periods import Period
from liuhen.stats.sets import ACT_OFFICER, CASE, FINDING, PENALTY_BANDS, Filters, Rules, Scope, Sets
from liuhen.stats.warned import WARNING_SETS, Warned, WarningSource, behind, warning_groups


class _Drill:
    def __init__(self, app: App, conn: Connection, s: Sets) -> None:
        self.app, self.conn, self.s = app, conn, s
        self._rules: Rules | None = None

    @property
    def rules(self) -> Rules:
        if self._rules is None:
            self._rules = rules_of(self.app, self.conn, self.s)
        return self._rules

    def numbers(self, stmt: Select[Any]) -> set[str]:
        return {str(n) for n in self.conn.execute(stmt).scalars()}

    def cases(self, *where: Any) -> set[str]:
        return self.numbers(self.s.cases(*where))

    def acts(self, real: bool | None = True, act: str | None = None) -> set[str]:
        a = self.s.acts(real)
        where = [a.c.act == act] if act is not None else []
        return self.numbers(select(a.c.case_number).where(*where).distinct())

    # --- headlines and rates -----------------------------------------------------------------

    def headline(self, metric: str) -> set[str]:
        s = self.s
        a = s.acts()
        simple: dict[str, Callable[[], set[str]]] = {
            "opened": lambda: self.cases(s.opened()),
            "closed": lambda: self.cases(s.closed()),
            "decided": lambda: self.cases(s.decided()),
            "fined": lambda: self.cases(s.fined()),
            "acts": lambda: self.acts(),
            "av": lambda: self.numbers(
                select(a.c.case_number).where(a.c.av_seconds != 0).distinct()
            ),
            "reviews": lambda: self.acts(real=False),
            "violations": lambda: self.numbers(s.bad().distinct()),
            "late_storage": self.late_storage,
            "late_archive": lambda: self.cases(
                s.archive_closed(), CASE.c.number.in_(s.late_archive())
            ),
            "uncovered": self.uncovered,
        }
        return simple[metric]()

    def late_storage(self) -> set[str]:
        """The cases of recordings stored late, among the cases with a recording."""
        media = self.s.media_cases(self.s.acts(), False)
        late = self.s.late_storage(self.rules)
        return self.numbers(
            select(late.c.case_number).where(late.c.case_number.in_(select(media.c.case_number)))
        )

    def uncovered(self) -> set[str]:
        a = self.s.acts()
        return self.numbers(
            select(a.c.case_number)
            .where(self.s.due(a, self.rules), a.c.seq.in_(self.s.av_missing(self.rules)))
            .distinct()
        )

    # --- keyed figures -------------------------------------------------------------------------

    def keyed(self, metric: str, key: str, names: _Names) -> tuple[str, set[str]]:
        s = self.s
        if metric in DIMENSIONS:
            label = dimension_label(metric, key)
            return label, self.cases(s.active(), CASE.c[metric] == key)
        if metric == "penalty":
            label = next((lb for k, lb, _, _ in PENALTY_BANDS if k == key), key)
            return f"罚没金额{label}", self.cases(s.band(key))
        if metric == "decision":
            rows = self.conn.execute(s.cases(s.decided()).add_columns(CASE.c.decision_kinds)).all()
            return f"决定种类：{key}", {n for n, k in rows if key in decision_kinds_of(k)}
        if metric == "act":
            spec = act_type(key)
            return f"执法行为：{spec.label if spec else key}", self.acts(act=key)
        if metric == "review":
            return f"{names.officer(key)}的调阅", self.reviewed_by(key)
        if metric == "unit":
            u = s.by_unit()
            return f"{names.unit(key)}的案件", self.numbers(select(u.c.number).where(u.c.g == key))
        if metric == "officer":
            mine = s.officer_acts()
            return f"{names.officer(key)}经办的案件", self.numbers(
                select(mine.c.case_number).where(mine.c.g == key).distinct()
            )
        if metric == "rule":
            stmt = s.findings(FINDING.c.severity != "due", FINDING.c.rule == key)
            titles = self.conn.execute(stmt.with_only_columns(FINDING.c.title)).scalars().all()
            return f"发现项：{min(titles, default=key)}", self.numbers(stmt.distinct())
        raise ValidationError("没有这一项统计数字")

    def reviewed_by(self, key: str) -> set[str]:
        v = self.s.acts(False)
        named = select(ACT_OFFICER.c.seq).where(ACT_OFFICER.c.seq == v.c.seq)
        who: ColumnElement[bool] = v.c.seq.in_(
            select(ACT_OFFICER.c.seq).where(ACT_OFFICER.c.officer == key)
        )
        if key == UNKNOWN_REVIEWER:
            who = who | ~named.exists()
        return self.numbers(select(v.c.case_number).where(and_(who)).distinct())


class _Names:
    def __init__(self, conn: Connection) -> None:
        self.units, self.officers, _ = lookup.names(conn)
        self.field = lookup.field_officers(conn)

    def unit(self, code: str) -> str:
        return self.units.get(code, (code, ""))[0]

    def officer(self, cert: str) -> str:
        return self.officers.get(cert, (cert, ""))[0]


def cases_behind(
    app: App,
    scope: Scope,
    period: Period,
    filters: Filters,
    metric: str,
    key: str,
    warnings: WarningSource | None = None,
) -> tuple[str, set[str]]:
    """The title and the case numbers behind the figure ``metric`` / ``key``."""
    projection.catch_up(app)
    s = Sets(scope, period, filters)
    with app.engine.connect() as conn:
        lookup.roomy(conn)
        names = _Names(conn)
        d = _Drill(app, conn, s)
        if metric in HEADLINE_TITLES and not key:
            return HEADLINE_TITLES[metric], d.headline(metric)
        if metric in WARNING_SETS and warnings is None:
            raise ValidationError("没有这一项统计数字")
        if metric in WARNING_SETS:
            kept = list(conn.execute(s.kept()).scalars()) if warnings is not None else []
        else:
            return d.keyed(metric, key, names)
    w = Warned(
        scope,
        period,
        filters,
        names.units,
        names.officers,
        names.field,
        warning_groups(app, period, kept, warnings),
    )
    title, numbers = behind(w, metric, key)
    return title, set(numbers)
