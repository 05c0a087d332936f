"""The figures of one period for one reader's scope, counted in SQL.

Each figure is a grouped count over the fact tables (``stats.sets`` defines what is counted),
so a report reads numbers, never the period's case or act rows: a year of a large instance
holds millions of acts. The cases behind a figure are listed only when asked for
(``stats.drill``), from the same definitions.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, FromClause, case, func, select

from liuhen.kernel.cycles import cycles_paused
from liuhen.kernel.instance import App
from liuhen.procedure.catalog import (
    CATEGORY_LABELS,
    PROCEDURE_LABELS,
    STAGE_LABELS,
    Stage,
    act_type,
)
from liuhen.stats import lookup, projection, rollup, score, tables
from liuhen.stats.facts import VIEW
from liuhen.stats.periods import Period
from liuhen.stats.rates import (
    act_rates,
    act_sums,
    case_rates,
    flag,
    grouped,
    materialized,
    pct,
)
from liuhen.stats.schemas import (
    Choice,
    Count,
    Headline,
    RateFigure,
    RuleRow,
    ScoreRule,
    SeriesPoint,
    StatsReport,
    Weight,
)
from liuhen.stats.sets import (
    ACT_OFFICER,
    CASE,
    FINDING,
    PENALTY_BANDS,
    Filters,
    Rules,
    Scope,
    Sets,
    link,
    load_rules,
)
from liuhen.stats.warned import Warned, WarningGroup, WarningSource, warning_figures, warning_groups

__all__ = ["Figures", "Filters", "Scope", "WarningGroup", "WarningSource", "compute"]

STATUS_LABELS = {
    "open": "办理中",
    "closed": "已结案",
    "archived": "已归档",
    "not_opened": "不予立案",
}
# the breakdowns of the cases opened or closed in the period: metric → column and labels
DIMENSIONS: dict[str, dict[str, str]] = {
    "stage": {s.value: STAGE_LABELS[s] for s in Stage},
    "procedure": {k.value: v for k, v in PROCEDURE_LABELS.items()},
    "source": {},
    "category": {k.value: v for k, v in CATEGORY_LABELS.items()},
}
HEADLINE_TITLES = {
    "opened": "本期新立（登记）的案件",
    "closed": "本期办结的案件",
    "decided": "本期作出决定的案件",
    "fined": "本期罚没的案件",
    "acts": "本期有执法行为的案件",
    "av": "本期有音像记录的案件",
    "reviews": "本期被调阅的案件",
    "violations": "本期有违规发现的案件",
    "late_storage": "音像逾期存储的案件",
    "late_archive": "逾期归档的案件",
    "uncovered": "应当音像记录而未记录的案件",
}
UNKNOWN_REVIEWER = "未知"


@dataclass(slots=True)
class Figures:
    report: StatsReport


def compute(
    app: App,
    scope: Scope,
    period: Period,
    filters: Filters,
    weights: dict[str, int],
    from_settings: bool,
    warnings: WarningSource | None = None,
) -> Figures:
    """Catch the facts up, then count. ``weights`` are the score's (stats.settings);
    ``warnings`` the warnings feature's cards, when the entry points wired it in."""
    projection.catch_up(app)
    s = Sets(scope, period, filters)
    with app.engine.connect() as conn:
        rules = rules_of(app, conn, s)
    rolled = _rolled(app, s, rules)
    with app.engine.connect() as conn:
        lookup.roomy(conn)
        units, officers, agency_names = lookup.names(conn)
        field = lookup.field_officers(conn)
        kept = list(conn.execute(s.kept()).scalars()) if warnings is not None else []
        sums = materialized(conn, act_sums(s, rules, rolled))
        r = _Report(conn, s, rules, sums, rolled)
        headlines, empty = r.headlines()
        rates = r.rates()
        buckets, series = r.series()
        by = r.breakdowns()
        rule_rows = r.rule_rows(buckets)
        penalty, decisions = r.penalty_levels(), r.decision_kinds()
        act_counts, reviews = r.act_counts(), r.reviews(officers)
        unit_rows = tables.unit_rows(conn, s, rules, units, field, weights, sums)
        officer_rows = tables.officer_rows(conn, s, rules, units, officers, field, weights, rolled)
    with cycles_paused():
        groups = warning_groups(app, period, kept, warnings)
    w = Warned(scope, period, filters, units, officers, field, groups)
    warned = warning_figures(w, buckets)
    if warned is not None:
        t = warned.total
        median = "—" if t.median_hours is None else f"{t.median_hours:.1f}"
        headlines += [
            Headline(key="yellow", label="黄牌", value=str(t.yellow), link=t.warned_link),
            Headline(key="red", label="红牌", value=str(t.red), link=t.red_link),
            Headline(
                key="clear_median",
                label="解除用时中位数（小时）",
                value=median,
                link=t.cleared_link,
            ),
        ]
        rates.append(
            RateFigure(
                label="预警率（红牌）",
                good=t.cases_red,
                total=t.cases,
                percent=t.rate,
                link=t.red_link,
                lower_better=True,
            )
        )
    report = StatsReport(
        period=period.key,
        period_label=period.label,
        start=period.start.isoformat(),
        end=period.end.isoformat(),
        bucket=period.bucket,
        scope=scope.label,
        filters=filters.items(),
        empty=empty,
        headlines=headlines,
        by_stage=by["stage"],
        by_procedure=by["procedure"],
        by_source=by["source"],
        by_category=by["category"],
        penalty_levels=penalty,
        decision_kinds=decisions,
        acts=act_counts,
        rates=rates,
        units=unit_rows,
        officers=officer_rows,
        series=series,
        buckets=buckets,
        rules=rule_rows,
        reviews=reviews,
        agencies=[
            Choice(key=code, label=name)
            for code, name in sorted(agency_names.items())
            if scope.agencies is None or code in scope.agencies
        ],
        warnings=warned,
        score_rule=ScoreRule(
            formula=score.formula_text(weights),
            weights=[
                Weight(indicator=k, label=v, weight=weights.get(k, 0))
                for k, v in score.INDICATORS.items()
            ],
            from_settings=from_settings,
        ),
    )
    return Figures(report)


def rules_of(app: App, conn: Connection, s: Sets) -> Rules:
    """The rules of the packs of the agencies the kept cases belong to."""
    agencies = conn.execute(
        select(CASE.c.agency).where(s.is_kept(CASE.c.number)).distinct()
    ).scalars()
    return load_rules(app, list(agencies))


def _rolled(app: App, s: Sets, rules: Rules) -> bool:
    """Whether the officers' figures may add the monthly sums (``stats.rollup``): they hold
    no unit, officer or act of their own to filter by. Called before the report's connection
    opens, as it may first fill or count them again (SQLite's reader would not see them)."""
    f = s.filters
    if f.unit or f.officer or f.act:
        return False
    agencies = frozenset({f.agency}) if f.agency else s.scope.agencies
    return rollup.ensure(
        app, agencies, lambda codes: load_rules(app, codes).mandatory, rules.mandatory
    )


def dimension_label(metric: str, key: str) -> str:
    return DIMENSIONS[metric].get(key, key or "未填写")


class _Report:
    """The report's grouped counts over one connection."""

    def __init__(
        self, conn: Connection, s: Sets, rules: Rules, sums: FromClause, rolled: bool
    ) -> None:
        self.conn, self.s, self.rules, self.sums, self.rolled = conn, s, rules, sums, rolled

    def link(self, metric: str, key: str = "") -> str:
        return link(self.s.period, self.s.filters, metric, key)

    def headlines(self) -> tuple[list[Headline], bool]:
        s, conn = self.s, self.conn
        opened, closed, decided, fen = grouped(
            conn,
            CASE,
            None,
            flag(s.opened()),
            flag(s.closed()),
            flag(s.decided()),
            func.sum(case((s.fined(), CASE.c.amount_fen), else_=0)),
            where=[s.is_kept(CASE.c.number)],
        ).get("", (0, 0, 0, 0))
        a = self.sums
        real, reviews, seconds = grouped(
            conn, a, None, *(func.sum(a.c[k]) for k in ("acts", "reviews", "seconds"))
        ).get("", (0, 0, 0))
        findings, violations = grouped(
            conn,
            FINDING,
            None,
            func.count(),
            flag(s.violation()),
            where=[s.within(FINDING.c.on_date), s.is_kept(FINDING.c.case_number)],
        ).get("", (0, 0))
        empty = not (opened or closed or decided or real or reviews or findings)

        def h(key: str, label: str, value: str, metric: str) -> Headline:
            return Headline(key=key, label=label, value=value, link=self.link(metric))

        return [
            h("opened", "新立（登记）案件", str(opened), "opened"),
            h("closed", "办结案件", str(closed), "closed"),
            h("decided", "作出决定", str(decided), "decided"),
            h("amount", "罚没金额（元）", f"{fen / 100:,.2f}", "fined"),
            h("acts", "执法行为", str(real), "acts"),
            h("av_hours", "音像记录（小时）", f"{seconds / 3600:.1f}", "av"),
            h("reviews", "调阅次数", str(reviews), "reviews"),
            h("violations", "违规发现", str(violations), "violations"),
        ], empty

    def rates(self) -> list[RateFigure]:
        acts = act_rates(self.conn, self.s, self.rules, self.sums, False)[0].get("", {})
        cases = case_rates(self.conn, self.s, None)[0].get("", {})
        none = score.Rate(0, 0)

        def figure(label: str, rate: score.Rate, metric: str) -> RateFigure:
            return RateFigure(
                label=label,
                good=rate.good,
                total=rate.total,
                percent=pct(rate.good, rate.total),
                link=self.link(metric),
            )

        return [
            figure("音像按时存储率", acts.get("on_time_storage", none), "late_storage"),
            figure("按时归档率", cases.get("on_time_archive", none), "late_archive"),
            figure("法定音像记录覆盖率", acts.get("av_coverage", none), "uncovered"),
        ]

    def breakdowns(self) -> dict[str, list[Count]]:
        """Stage, procedure, source and category of the cases opened or closed, in one pass
        over their combinations."""
        s = self.s
        cols = [CASE.c[m] for m in DIMENSIONS]
        groups: dict[str, dict[str, list[int]]] = {
            m: defaultdict(lambda: [0, 0, 0]) for m in DIMENSIONS
        }
        for row in self.conn.execute(
            select(*cols, func.count(), flag(s.opened()), flag(s.closed()))
            .where(s.is_kept(CASE.c.number), s.active())
            .group_by(*cols)
        ):
            for i, metric in enumerate(DIMENSIONS):
                sums = groups[metric][str(row[i])]
                for j in range(3):
                    sums[j] += int(row[len(cols) + j] or 0)
        out: dict[str, list[Count]] = {}
        for metric, labels in DIMENSIONS.items():
            found = groups[metric]
            order = list(labels) + sorted(k for k in found if k not in labels)
            out[metric] = [
                Count(
                    key=key,
                    label=dimension_label(metric, key),
                    opened=found[key][1],
                    closed=found[key][2],
                    count=found[key][0],
                    link=self.link(metric, key),
                )
                for key in order
                if key in found
            ]
        return out

    def penalty_levels(self) -> list[Count]:
        s = self.s
        cols: list[Any] = []
        for key, _, _, _ in PENALTY_BANDS:
            band = s.band(key)
            cols += [flag(band), func.sum(case((band, CASE.c.amount_fen), else_=0))]
        found = grouped(self.conn, CASE, None, *cols, where=[s.is_kept(CASE.c.number)])
        values = found.get("", (0,) * len(cols))
        rows = []
        for i, (key, label, _, _) in enumerate(PENALTY_BANDS):
            n, fen = values[2 * i], values[2 * i + 1]
            if n:
                rows.append(
                    Count(
                        key=key,
                        label=label,
                        count=n,
                        amount_yuan=fen / 100,
                        link=self.link("penalty", key),
                    )
                )
        return rows

    def decision_kinds(self) -> list[Count]:
        """Per kind of decision: the combinations of kinds are grouped in SQL (a case's kinds
        are a JSON list), then each combination counts under each of its kinds."""
        s = self.s
        counts: Counter[str] = Counter()
        fen: Counter[str] = Counter()
        for kinds, n, amount in self.conn.execute(
            select(
                CASE.c.decision_kinds,
                func.count(),
                func.sum(func.coalesce(CASE.c.amount_fen, 0)),
            )
            .where(s.is_kept(CASE.c.number), s.decided())
            .group_by(CASE.c.decision_kinds)
        ):
            for kind in decision_kinds_of(kinds):
                counts[kind] += int(n)
                fen[kind] += int(amount or 0)
        return [
            Count(
                key=k,
                label=k,
                count=n,
                amount_yuan=fen[k] / 100,
                link=self.link("decision", k),
            )
            for k, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        ]

    def act_counts(self) -> list[Count]:
        """The period's acts per kind; for every agency unfiltered, the whole months' from
        their monthly counts (``stats.rollup``), which hold no case to keep or leave out."""
        s, a = self.s, self.s.acts()
        whole = rollup.months(s.period.start, s.period.end)
        found: Counter[str] = Counter()
        if self.rolled and s.scope.agencies is None and not s.filters.items() and whole.first:
            m = rollup.ACT_MONTH
            for code, n in self.conn.execute(
                select(m.c.act, func.sum(m.c.n))
                .where(m.c.month >= whole.first, m.c.month <= str(whole.last), m.c.act != VIEW)
                .group_by(m.c.act)
            ):
                found[code] += int(n or 0)
            a_where = [whole.outside(a.c.on_date)]
        else:
            a_where = []
        for code, n in self.conn.execute(
            select(a.c.act, func.count()).where(*a_where).group_by(a.c.act)
        ):
            found[code] += int(n)
        rows = []
        for code, n in sorted(found.items(), key=lambda kv: (-kv[1], kv[0])):
            if not n:
                continue
            spec = act_type(code)
            rows.append(
                Count(
                    key=code,
                    label=spec.label if spec else code,
                    count=int(n),
                    link=self.link("act", code),
                )
            )
        return rows

    def reviews(self, officers: dict[str, tuple[str, str]]) -> list[Count]:
        v = self.s.acts(False)
        found: Counter[str] = Counter()
        for who, n in self.conn.execute(
            select(ACT_OFFICER.c.officer, func.count())
            .select_from(v.outerjoin(ACT_OFFICER, ACT_OFFICER.c.seq == v.c.seq))
            .group_by(ACT_OFFICER.c.officer)
        ):
            found[who or UNKNOWN_REVIEWER] += int(n)
        return [
            Count(
                key=who,
                label=officers.get(who, (who, ""))[0],
                count=n,
                link=self.link("review", who),
            )
            for who, n in sorted(found.items(), key=lambda kv: (-kv[1], kv[0]))
        ]

    def _per_day(self, stmt: Any) -> Counter[str]:
        out: Counter[str] = Counter()
        for day, n in self.conn.execute(stmt):
            out[self.s.period.bucket_of(day)] += int(n)
        return out

    def series(self) -> tuple[list[str], list[SeriesPoint]]:
        s = self.s
        buckets = s.period.buckets()
        kept = s.is_kept(CASE.c.number)
        per: dict[str, Counter[str]] = {}
        for name, col, cond in (
            ("opened", CASE.c.opened_on, s.opened()),
            ("closed", CASE.c.closed_on, s.closed()),
        ):
            per[name] = self._per_day(select(col, func.count()).where(kept, cond).group_by(col))
        per["acts"] = self._acts_per_bucket()
        per["findings"] = self._per_day(
            s.findings(FINDING.c.severity != "due")
            .with_only_columns(FINDING.c.on_date, func.count())
            .group_by(FINDING.c.on_date)
        )
        return buckets, [
            SeriesPoint(
                bucket=k,
                opened=per["opened"][k],
                closed=per["closed"][k],
                acts=per["acts"][k],
                findings=per["findings"][k],
            )
            for k in buckets
        ]

    def _acts_per_bucket(self) -> Counter[str]:
        """The acts (reviews aside) per bucket; by the month, the whole months' from the
        monthly sums (``stats.rollup``) when the report may add them."""
        s, a = self.s, self.s.acts()
        whole = rollup.months(s.period.start, s.period.end)
        if not self.rolled or s.period.bucket != "month" or whole.first is None:
            return self._per_day(select(a.c.on_date, func.count()).group_by(a.c.on_date))
        out = self._per_day(
            select(a.c.on_date, func.count())
            .where(whole.outside(a.c.on_date))
            .group_by(a.c.on_date)
        )
        u = rollup.UNIT_MONTH
        for month, n in self.conn.execute(
            select(u.c.month, func.sum(u.c.acts))
            .where(
                u.c.month >= whole.first,
                u.c.month <= str(whole.last),
                *s.in_scope(u),
                s.is_kept(u.c.case_number),
            )
            .group_by(u.c.month)
        ):
            out[month] += int(n or 0)
        return out

    def rule_rows(self, buckets: list[str]) -> list[RuleRow]:
        s = self.s
        total: Counter[str] = Counter()
        severity: dict[str, Counter[str]] = defaultdict(Counter)
        per: dict[str, Counter[str]] = defaultdict(Counter)
        titles: dict[str, str] = {}
        for rule, day, sev, title, n in self.conn.execute(
            s.findings(FINDING.c.severity != "due")
            .with_only_columns(
                FINDING.c.rule,
                FINDING.c.on_date,
                FINDING.c.severity,
                func.min(FINDING.c.title),
                func.count(),
            )
            .group_by(FINDING.c.rule, FINDING.c.on_date, FINDING.c.severity)
        ):
            total[rule] += int(n)
            severity[rule][sev] += int(n)
            per[rule][s.period.bucket_of(day)] += int(n)
            titles[rule] = min(titles.get(rule, title), title)
        return [
            RuleRow(
                rule=rule,
                title=titles[rule],
                violations=severity[rule]["violation"],
                warnings=severity[rule]["warning"],
                by_bucket=[per[rule][k] for k in buckets],
                link=self.link("rule", rule),
            )
            for rule, n in sorted(total.items(), key=lambda kv: (-kv[1], kv[0]))
        ]


def decision_kinds_of(text: str | None) -> list[str]:
    """A case's kinds of decision (its JSON list), or the one that names none."""
    return list(json.loads(text or "[]")) or ["未载明种类"]


_ = Sequence
