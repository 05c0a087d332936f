"""The reference the SQL-counted figures are checked against: the statistics' figures as they
were counted before (``liuhen.stats.figures`` up to the SQL rewrite), in Python over whole rows,
each remembering the set of cases behind it. Straightforward and slow; kept for the tests only
(``test_stats_touched``), so that counting in SQL provably changes no number and no
drill-down."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from urllib.parse import urlencode

from sqlalchemy import ColumnElement, Table, and_, or_, select

from liuhen.compliance import service as compliance
from liuhen.errors import LiuhenError
from liuhen.kernel.instance import App
from liuhen.procedure.catalog import (
    CATEGORY_LABELS,
    PROCEDURE_LABELS,
    STAGE_LABELS,
    Category,
    Procedure,
    Stage,
    act_type,
)
from liuhen.rules.pack import expand_acts
from liuhen.stats import lookup, projection, score
from liuhen.stats.facts import VIEW, Row
from liuhen.stats.periods import Period
from liuhen.stats.schemas import (
    Choice,
    Count,
    Headline,
    OfficerRow,
    RateFigure,
    RuleRow,
    ScoreRule,
    SeriesPoint,
    StatsReport,
    UnitRow,
    WarningFigures,
    WarningPoint,
    WarningRow,
    Weight,
)
from liuhen.stats.sets import Filters, Scope
from liuhen.stats.warned import WarningGroup, WarningSource

CASE, ACT, ACT_OFFICER, FINDING = (
    projection.CASE,
    projection.ACT,
    projection.ACT_OFFICER,
    projection.FINDING,
)
# 罚款 amounts as a supervision report bands them (yuan, lower bound included)
PENALTY_BANDS: tuple[tuple[str, str, int, int | None], ...] = (
    ("lt1k", "1千元以下", 0, 100_000),
    ("1k-10k", "1千元至1万元", 100_000, 1_000_000),
    ("10k-50k", "1万元至5万元", 1_000_000, 5_000_000),
    ("50k-200k", "5万元至20万元", 5_000_000, 20_000_000),
    ("ge200k", "20万元以上", 20_000_000, None),
)
STATUS_LABELS = {
    "open": "办理中",
    "closed": "已结案",
    "archived": "已归档",
    "not_opened": "不予立案",
}


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


@dataclass(slots=True)
class Figures:
    report: StatsReport
    behind: dict[tuple[str, str], set[str]] = field(default_factory=dict)
    titles: dict[tuple[str, str], str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _Rules:
    """What the packs in force say that the rates need: each rule's kind, and the acts that
    must be recorded on audio-video, per agency."""

    kinds: dict[str, str]
    mandatory: dict[str | None, frozenset[str]]


def _rules(app: App, agencies: Iterable[str | None]) -> _Rules:
    kinds: dict[str, str] = {}
    mandatory: dict[str | None, frozenset[str]] = {}
    for agency in set(agencies):
        try:
            pack = compliance.load_pack(
                compliance.pack_name_for(app, agency), app.settings.data_dir
            )
        except LiuhenError:
            mandatory[agency] = frozenset()
            continue
        acts: set[str] = set()
        for rid, rule in pack.rules.items():
            kind = str(getattr(rule, "kind", ""))
            kinds[rid] = kind
            if kind == "av" and getattr(rule, "level", "") == "mandatory" and not rule.disabled:
                acts.update(expand_acts(list(getattr(rule, "acts", []) or [])))
        mandatory[agency] = frozenset(acts)
    return _Rules(kinds, mandatory)


# the registry's names are read as the report reads them: not what the counting changed
_names = lookup.names
_field_officers = lookup.field_officers


def _in_scope(table: Table, scope: Scope, filters: Filters) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    col = table.c
    if scope.agencies is not None:
        where.append(col.agency.in_(sorted(scope.agencies)))
    if filters.agency:
        where.append(col.agency == filters.agency)
    if filters.unit:
        where.append(col.unit == filters.unit)
    return where


def _pct(good: int, total: int) -> float | None:
    return round(good / total * 100, 1) if total else None


def _warning_groups(
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


# The columns the figures read (not the whole fact rows).
_CASE_COLUMNS = (
    "number",
    "agency",
    "unit",
    "category",
    "procedure",
    "source",
    "officers",
    "stage",
    "status",
    "opened_on",
    "closed_on",
    "decided_on",
    "decision_kinds",
    "amount_fen",
)
_ACT_COLUMNS = ("seq", "case_number", "agency", "unit", "act", "on_date", "av_seconds")


def _touched(
    within: Callable[[ColumnElement[str | None]], ColumnElement[bool]],
) -> ColumnElement[bool]:
    """The cases a period touches: opened, closed or decided in it, or with an act or a
    finding in it (a test swaps this for every case, to check the figures are the same)."""
    return or_(
        within(CASE.c.opened_on),
        within(CASE.c.closed_on),
        within(CASE.c.decided_on),
        CASE.c.number.in_(select(ACT.c.case_number).where(within(ACT.c.on_date))),
        CASE.c.number.in_(select(FINDING.c.case_number).where(within(FINDING.c.on_date))),
    )


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
    start, end = period.start.isoformat(), period.end.isoformat()

    def within(col: ColumnElement[str | None]) -> ColumnElement[bool]:
        return and_(col >= start, col <= end)

    with app.engine.connect() as conn:
        # Every case in scope is only a number (and agency) here: the warnings count among
        # them. The whole row is read only for a case the period touches (opened, closed or
        # decided in it, or with an act or a finding in it), as the figures count no other.
        every = {
            r.number: r
            for r in conn.execute(
                select(
                    CASE.c.number,
                    CASE.c.agency,
                    *([CASE.c.officers] if filters.officer else []),
                ).where(*_in_scope(CASE, scope, filters))
            )
        }
        touched = _touched(within)
        case_cols = [CASE.c[k] for k in _CASE_COLUMNS]
        cases = {
            r[0]: dict(zip(_CASE_COLUMNS, r, strict=True))
            for r in conn.execute(
                select(*case_cols).where(touched, *_in_scope(CASE, scope, filters))
            )
        }
        act_cols = [ACT.c[k] for k in _ACT_COLUMNS]
        acts = {
            int(r[0]): dict(zip(_ACT_COLUMNS, r, strict=True))
            for r in conn.execute(
                select(*act_cols).where(
                    ACT.c.on_date >= start, ACT.c.on_date <= end, *_in_scope(ACT, scope, filters)
                )
            )
        }
        who: dict[int, list[str]] = defaultdict(list)
        sub = select(ACT.c.seq).where(
            ACT.c.on_date >= start, ACT.c.on_date <= end, *_in_scope(ACT, scope, filters)
        )
        for seq, officer in conn.execute(
            select(ACT_OFFICER.c.seq, ACT_OFFICER.c.officer).where(ACT_OFFICER.c.seq.in_(sub))
        ):
            who[int(seq)].append(officer)
        findings = [
            dict(r._mapping)
            for r in conn.execute(
                select(FINDING).where(FINDING.c.on_date >= start, FINDING.c.on_date <= end)
            )
        ]
        units, officers, agency_names = _names(conn)
        field_officers = _field_officers(conn)
        if filters.act:
            with_act = set(
                conn.execute(
                    select(ACT.c.case_number).where(ACT.c.act == filters.act).distinct()
                ).scalars()
            )
    for c in cases.values():
        c["officers"] = json.loads(c["officers"])
        c["decision_kinds"] = json.loads(c["decision_kinds"])
    kept = set(every)
    if filters.officer:
        acted = {a["case_number"] for s, a in acts.items() if filters.officer in who.get(s, [])}
        kept = {
            n
            for n in kept
            if n in acted or filters.officer in json.loads(every[n].officers or "[]")
        }
        acts = {s: a for s, a in acts.items() if filters.officer in who.get(s, [])}
    if filters.act:
        kept &= with_act
        acts = {s: a for s, a in acts.items() if a["act"] == filters.act}
    cases = {n: c for n, c in cases.items() if n in kept}
    acts = {s: a for s, a in acts.items() if a["case_number"] in cases}
    findings = [f for f in findings if f["case_number"] in cases]
    rules = _rules(app, {every[n].agency for n in kept})
    b = _Builder(
        app,
        scope,
        period,
        filters,
        cases,
        acts,
        who,
        findings,
        rules,
        units,
        officers,
        field_officers,
    )
    b.warning_groups = _warning_groups(app, period, kept, warnings)
    return b.build(weights, from_settings, agency_names)


class _Builder:
    def __init__(
        self,
        app: App,
        scope: Scope,
        period: Period,
        filters: Filters,
        cases: dict[str, Row],
        acts: dict[int, Row],
        who: dict[int, list[str]],
        findings: list[Row],
        rules: _Rules,
        units: dict[str, tuple[str, str]],
        officers: dict[str, tuple[str, str]],
        field_officers: dict[str, list[str]],
    ) -> None:
        self.scope, self.period, self.filters = scope, period, filters
        self.cases, self.acts, self.who, self.findings = cases, acts, who, findings
        self.rules, self.units, self.officers, self.field_officers = (
            rules,
            units,
            officers,
            field_officers,
        )
        self.behind: dict[tuple[str, str], set[str]] = {}
        self.titles: dict[tuple[str, str], str] = {}
        self.opened = {n for n, c in cases.items() if period.contains(c["opened_on"])}
        self.closed = {n for n, c in cases.items() if period.contains(c["closed_on"])}
        self.decided = {n for n, c in cases.items() if period.contains(c["decided_on"])}
        self.real_acts = {s: a for s, a in acts.items() if a["act"] != VIEW}
        self.warning_groups: dict[str, Sequence[WarningGroup]] | None = None
        # The findings indexed once, so that each unit's and officer's rates do not read them
        # all again (the tables made the report quadratic in officers × findings).
        self.bad: set[str] = set()
        self.late_archive: set[str] = set()
        self.av_missing: set[int] = set()
        self.late_storage: dict[str, set[tuple[str, int | None]]] = defaultdict(set)
        self.violations_of_case: Counter[str] = Counter()
        self.violations_of_seq: Counter[int] = Counter()
        for f in findings:
            if f["severity"] != "violation":
                continue
            self.bad.add(f["case_number"])
            self.violations_of_case[f["case_number"]] += 1
            if f["seq"] is not None:
                self.violations_of_seq[f["seq"]] += 1
            if f["rule"].startswith("deadline.archive"):
                self.late_archive.add(f["case_number"])
            kind = self._kind(f)
            if kind == "av_storage":
                self.late_storage[f["case_number"]].add((f["case_number"], f["seq"]))
            elif kind == "av":
                self.av_missing.add(f["seq"])

    # --- links -------------------------------------------------------------------------------

    def link(self, metric: str, key: str, numbers: Collection[str], title: str) -> str:
        self.behind[(metric, key)] = set(numbers)
        self.titles[(metric, key)] = title
        query = {"period": self.period.key, **self.filters.items(), "metric": metric, "key": key}
        return "/stats/cases?" + urlencode(query)

    # --- rates -------------------------------------------------------------------------------

    def _kind(self, f: Row) -> str:
        return self.rules.kinds.get(f["rule"], "")

    def storage(self, acts: dict[int, Row]) -> tuple[score.Rate, set[str]]:
        media = {s for s, a in acts.items() if a["act"] == "general.media"}
        cases = {acts[s]["case_number"] for s in media}
        late = {pair for n in cases if n in self.late_storage for pair in self.late_storage[n]}
        n_late = min(len(late), len(media))
        return score.Rate(len(media) - n_late, len(media)), {c for c, _ in late}

    def archive(self, numbers: Collection[str]) -> tuple[score.Rate, set[str]]:
        closed = [
            n
            for n in numbers
            if n in self.closed and self.cases[n]["status"] in ("closed", "archived")
        ]
        late = self.late_archive & set(closed)
        counted = [n for n in closed if self.cases[n]["status"] == "archived" or n in late]
        return score.Rate(len([n for n in counted if n not in late]), len(counted)), late

    def coverage(self, acts: dict[int, Row]) -> tuple[score.Rate, set[str]]:
        due = {
            s
            for s, a in acts.items()
            if a["act"] in self.rules.mandatory.get(a["agency"], frozenset())
        }
        missing = due & self.av_missing
        return score.Rate(len(due - missing), len(due)), {acts[s]["case_number"] for s in missing}

    def compliance(self, numbers: Collection[str]) -> score.Rate:
        return score.Rate(len([n for n in numbers if n not in self.bad]), len(numbers))

    def closing(self, numbers: Collection[str]) -> score.Rate:
        opened = [n for n in numbers if n in self.opened]
        return score.Rate(len([n for n in opened if self.cases[n]["closed_on"]]), len(opened))

    def rates_of(self, numbers: set[str], acts: dict[int, Row]) -> dict[str, score.Rate]:
        return {
            "compliance": self.compliance(numbers),
            "av_coverage": self.coverage(acts)[0],
            "on_time_storage": self.storage(acts)[0],
            "on_time_archive": self.archive(numbers)[0],
            "closing": self.closing(numbers),
        }

    # --- breakdowns --------------------------------------------------------------------------

    def by(self, metric: str, value_of: object, labels: dict[str, str]) -> list[Count]:
        groups: dict[str, set[str]] = defaultdict(set)
        for n in self.opened | self.closed:
            groups[str(value_of(self.cases[n]))].add(n)  # type: ignore[operator]
        rows = []
        order = list(labels) + sorted(k for k in groups if k not in labels)
        for key in order:
            if key not in groups:
                continue
            label = labels.get(key, key or "未填写")
            numbers = groups[key]
            rows.append(
                Count(
                    key=key,
                    label=label,
                    opened=len(numbers & self.opened),
                    closed=len(numbers & self.closed),
                    count=len(numbers),
                    link=self.link(metric, key, numbers, label),
                )
            )
        return rows

    def penalty_levels(self) -> list[Count]:
        rows = []
        fined = [n for n in self.decided if (self.cases[n]["amount_fen"] or 0) > 0]
        for key, label, low, high in PENALTY_BANDS:
            numbers = {
                n
                for n in fined
                if self.cases[n]["amount_fen"] >= low
                and (high is None or self.cases[n]["amount_fen"] < high)
            }
            if numbers:
                amount = sum(self.cases[n]["amount_fen"] for n in numbers) / 100
                rows.append(
                    Count(
                        key=key,
                        label=label,
                        count=len(numbers),
                        amount_yuan=amount,
                        link=self.link("penalty", key, numbers, f"罚没金额{label}"),
                    )
                )
        return rows

    def decision_kinds(self) -> list[Count]:
        groups: dict[str, set[str]] = defaultdict(set)
        for n in self.decided:
            for kind in self.cases[n]["decision_kinds"] or ["未载明种类"]:
                groups[kind].add(n)
        return [
            Count(
                key=k,
                label=k,
                count=len(v),
                amount_yuan=sum(self.cases[n]["amount_fen"] or 0 for n in v) / 100,
                link=self.link("decision", k, v, f"决定种类：{k}"),
            )
            for k, v in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))
        ]

    def act_counts(self) -> list[Count]:
        groups: dict[str, set[int]] = defaultdict(set)
        for s, a in self.real_acts.items():
            groups[a["act"]].add(s)
        rows = []
        for code, seqs in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])):
            spec = act_type(code)
            label = spec.label if spec else code
            numbers = {self.acts[s]["case_number"] for s in seqs}
            rows.append(
                Count(
                    key=code,
                    label=label,
                    count=len(seqs),
                    link=self.link("act", code, numbers, f"执法行为：{label}"),
                )
            )
        return rows

    def reviews(self) -> list[Count]:
        groups: dict[str, set[int]] = defaultdict(set)
        for s, a in self.acts.items():
            if a["act"] == VIEW:
                for o in self.who.get(s) or ["未知"]:
                    groups[o].add(s)
        rows = []
        for who, seqs in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])):
            name = self.officers.get(who, (who, ""))[0]
            numbers = {self.acts[s]["case_number"] for s in seqs}
            rows.append(
                Count(
                    key=who,
                    label=name,
                    count=len(seqs),
                    link=self.link("review", who, numbers, f"{name}的调阅"),
                )
            )
        return rows

    # --- tables ------------------------------------------------------------------------------

    def _active(self, numbers: Iterable[str], acts: dict[int, Row]) -> set[str]:
        return {n for n in numbers if n in self.opened or n in self.closed} | {
            a["case_number"] for a in acts.values()
        }

    def unit_rows(self, weights: dict[str, int]) -> list[UnitRow]:
        rows = []
        codes = sorted(
            {c["unit"] for c in self.cases.values()} | {a["unit"] for a in self.acts.values()}
        )
        acts_of: dict[str, dict[int, Row]] = defaultdict(dict)
        for s, a in self.acts.items():
            acts_of[a["unit"]][s] = a
        cases_of: dict[str, list[str]] = defaultdict(list)
        for n, c in self.cases.items():
            cases_of[c["unit"]].append(n)
        for code in codes:
            acts = acts_of.get(code, {})
            real = {s: a for s, a in acts.items() if a["act"] != VIEW}
            numbers = self._active(cases_of.get(code, []), real)
            if not numbers and not acts:
                continue
            name, agency = self.units.get(code, (code, ""))
            people = len(self.field_officers.get(code, [])) or len(
                {o for s in real for o in self.who.get(s, [])}
            )
            rates = self.rates_of(numbers, real)
            sc = score.score(rates, weights)
            rows.append(
                UnitRow(
                    unit=code,
                    name=name,
                    agency=agency or None,
                    officers=people,
                    opened=len(numbers & self.opened),
                    closed=len(numbers & self.closed),
                    acts=len(real),
                    acts_per_officer=round(len(real) / people, 1) if people else 0.0,
                    av_hours=round(sum(a["av_seconds"] for a in real.values()) / 3600, 2),
                    reviews=len(acts) - len(real),
                    violations=sum(self.violations_of_case[n] for n in numbers),
                    on_time_storage=_pct(
                        rates["on_time_storage"].good, rates["on_time_storage"].total
                    ),
                    on_time_archive=_pct(
                        rates["on_time_archive"].good, rates["on_time_archive"].total
                    ),
                    av_coverage=_pct(rates["av_coverage"].good, rates["av_coverage"].total),
                    score=sc.value,
                    link=self.link("unit", code, numbers, f"{name}的案件"),
                )
            )
        return rows

    def officer_rows(self, weights: dict[str, int]) -> list[OfficerRow]:
        mine: dict[str, dict[int, Row]] = defaultdict(dict)
        for s, a in self.real_acts.items():
            for o in self.who.get(s, []):
                mine[o][s] = a
        rows = []
        # 执法人员 only: a head's approvals and a reviewer's reviews are not field workload
        field = {c for people in self.field_officers.values() for c in people}
        for cert, acts in mine.items():
            if field and cert not in field:
                continue
            name, unit = self.officers.get(cert, (cert, ""))
            numbers = {a["case_number"] for a in acts.values()}
            rates = self.rates_of(numbers, acts)
            rows.append(
                OfficerRow(
                    cert_no=cert,
                    name=name,
                    unit=unit,
                    unit_name=self.units.get(unit, (unit, ""))[0],
                    cases=len(numbers),
                    acts=len(acts),
                    av_hours=round(sum(a["av_seconds"] for a in acts.values()) / 3600, 2),
                    violations=sum(self.violations_of_seq[s] for s in acts),
                    av_coverage=_pct(rates["av_coverage"].good, rates["av_coverage"].total),
                    on_time_storage=_pct(
                        rates["on_time_storage"].good, rates["on_time_storage"].total
                    ),
                    score=score.score(rates, weights).value,
                    link=self.link("officer", cert, numbers, f"{name}经办的案件"),
                )
            )
        return sorted(rows, key=lambda r: (r.unit, -r.acts, r.cert_no))

    def series(self) -> tuple[list[str], list[SeriesPoint]]:
        buckets = self.period.buckets()
        opened = Counter(self.period.bucket_of(self.cases[n]["opened_on"]) for n in self.opened)
        closed = Counter(self.period.bucket_of(self.cases[n]["closed_on"]) for n in self.closed)
        acts = Counter(self.period.bucket_of(a["on_date"]) for a in self.real_acts.values())
        found = Counter(
            self.period.bucket_of(f["on_date"]) for f in self.findings if f["severity"] != "due"
        )
        return buckets, [
            SeriesPoint(
                bucket=k, opened=opened[k], closed=closed[k], acts=acts[k], findings=found[k]
            )
            for k in buckets
        ]

    def rule_rows(self, buckets: list[str]) -> list[RuleRow]:
        groups: dict[str, list[Row]] = defaultdict(list)
        for f in self.findings:
            if f["severity"] != "due":
                groups[f["rule"]].append(f)
        rows = []
        for rule, found in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])):
            per = Counter(self.period.bucket_of(f["on_date"]) for f in found)
            title = found[0]["title"]
            rows.append(
                RuleRow(
                    rule=rule,
                    title=title,
                    violations=sum(f["severity"] == "violation" for f in found),
                    warnings=sum(f["severity"] == "warning" for f in found),
                    by_bucket=[per[k] for k in buckets],
                    link=self.link(
                        "rule", rule, {f["case_number"] for f in found}, f"发现项：{title}"
                    ),
                )
            )
        return rows

    # --- early warning -------------------------------------------------------------------

    def warning_row(self, g: WarningGroup, by: str) -> WarningRow:
        if by == "unit":
            name = self.units.get(g.key, (g.key, ""))[0]
        elif by == "officer":
            name = self.officers.get(g.key, (g.key, ""))[0]
        else:
            name = self.scope.label
        key = f"{by}:{g.key}" if by != "all" else ""
        who = f"{name}：" if by != "all" else ""

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
            rate=_pct(len(g.red_cases), len(g.total)),
            mean_hours=hours(g.mean_hours),
            median_hours=hours(g.median_hours),
            link=self.link("warn_cases", key, g.total, f"{who}期限在运行的案件"),
            red_link=self.link("warn_red", key, g.red_cases, f"{who}亮过红牌的案件"),
            warned_link=self.link("warn_carded", key, g.warned, f"{who}亮过牌的案件"),
            cleared_link=self.link(
                "warn_cleared", key, g.cleared_cases, f"{who}有牌因期限办结而解除的案件"
            ),
        )

    def warning_figures(self, buckets: list[str]) -> WarningFigures | None:
        groups = self.warning_groups
        if groups is None:
            return None
        every = list(groups["all"])
        total = (
            self.warning_row(every[0], "all")
            if every
            else WarningRow(
                key="",
                name=self.scope.label,
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
            level: Counter(self.period.bucket_of(at[:10]) for at, lv in raised if lv == level)
            for level in ("yellow", "red")
        }
        field = {c for people in self.field_officers.values() for c in people}
        officers = [
            self.warning_row(g, "officer") for g in groups["officer"] if not field or g.key in field
        ]
        return WarningFigures(
            rate_definition=RATE_DEFINITION,
            clear_definition=CLEAR_DEFINITION,
            total=total,
            units=[self.warning_row(g, "unit") for g in groups["unit"]],
            officers=sorted(officers, key=lambda r: (-r.red, -r.yellow, r.key)),
            series=[
                WarningPoint(bucket=k, yellow=per["yellow"][k], red=per["red"][k]) for k in buckets
            ],
        )

    def build(
        self, weights: dict[str, int], from_settings: bool, agency_names: dict[str, str]
    ) -> Figures:
        p = self.period
        storage, late_storage = self.storage(self.real_acts)
        archive, late_archive = self.archive(list(self.cases))
        coverage, uncovered = self.coverage(self.real_acts)
        fined = {n for n in self.decided if (self.cases[n]["amount_fen"] or 0) > 0}
        violations = [f for f in self.findings if f["severity"] == "violation"]
        av_hours = sum(a["av_seconds"] for a in self.real_acts.values()) / 3600
        reviews = [s for s, a in self.acts.items() if a["act"] == VIEW]
        headlines = [
            Headline(
                key="opened",
                label="新立（登记）案件",
                value=str(len(self.opened)),
                link=self.link("opened", "", self.opened, "本期新立（登记）的案件"),
            ),
            Headline(
                key="closed",
                label="办结案件",
                value=str(len(self.closed)),
                link=self.link("closed", "", self.closed, "本期办结的案件"),
            ),
            Headline(
                key="decided",
                label="作出决定",
                value=str(len(self.decided)),
                link=self.link("decided", "", self.decided, "本期作出决定的案件"),
            ),
            Headline(
                key="amount",
                label="罚没金额（元）",
                value=f"{sum(self.cases[n]['amount_fen'] for n in fined) / 100:,.2f}",
                link=self.link("fined", "", fined, "本期罚没的案件"),
            ),
            Headline(
                key="acts",
                label="执法行为",
                value=str(len(self.real_acts)),
                link=self.link(
                    "acts",
                    "",
                    {a["case_number"] for a in self.real_acts.values()},
                    "本期有执法行为的案件",
                ),
            ),
            Headline(
                key="av_hours",
                label="音像记录（小时）",
                value=f"{av_hours:.1f}",
                link=self.link(
                    "av",
                    "",
                    {a["case_number"] for a in self.real_acts.values() if a["av_seconds"]},
                    "本期有音像记录的案件",
                ),
            ),
            Headline(
                key="reviews",
                label="调阅次数",
                value=str(len(reviews)),
                link=self.link(
                    "reviews",
                    "",
                    {self.acts[s]["case_number"] for s in reviews},
                    "本期被调阅的案件",
                ),
            ),
            Headline(
                key="violations",
                label="违规发现",
                value=str(len(violations)),
                link=self.link(
                    "violations", "", {f["case_number"] for f in violations}, "本期有违规发现的案件"
                ),
            ),
        ]
        rates = [
            RateFigure(
                label="音像按时存储率",
                good=storage.good,
                total=storage.total,
                percent=_pct(storage.good, storage.total),
                link=self.link("late_storage", "", late_storage, "音像逾期存储的案件"),
            ),
            RateFigure(
                label="按时归档率",
                good=archive.good,
                total=archive.total,
                percent=_pct(archive.good, archive.total),
                link=self.link("late_archive", "", late_archive, "逾期归档的案件"),
            ),
            RateFigure(
                label="法定音像记录覆盖率",
                good=coverage.good,
                total=coverage.total,
                percent=_pct(coverage.good, coverage.total),
                link=self.link("uncovered", "", uncovered, "应当音像记录而未记录的案件"),
            ),
        ]
        buckets, series = self.series()
        warned = self.warning_figures(buckets)
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
        stage_labels = {s.value: STAGE_LABELS[s] for s in Stage}
        report = StatsReport(
            period=p.key,
            period_label=p.label,
            start=p.start.isoformat(),
            end=p.end.isoformat(),
            bucket=p.bucket,
            scope=self.scope.label,
            filters=self.filters.items(),
            empty=not (self.opened or self.closed or self.decided or self.acts or self.findings),
            headlines=headlines,
            by_stage=self.by("stage", lambda c: c["stage"], stage_labels),
            by_procedure=self.by(
                "procedure",
                lambda c: c["procedure"],
                {k.value: v for k, v in PROCEDURE_LABELS.items()},
            ),
            by_source=self.by("source", lambda c: c["source"], {}),
            by_category=self.by(
                "category",
                lambda c: c["category"],
                {k.value: v for k, v in CATEGORY_LABELS.items()},
            ),
            penalty_levels=self.penalty_levels(),
            decision_kinds=self.decision_kinds(),
            acts=self.act_counts(),
            rates=rates,
            units=self.unit_rows(weights),
            officers=self.officer_rows(weights),
            series=series,
            buckets=buckets,
            rules=self.rule_rows(buckets),
            reviews=self.reviews(),
            agencies=[
                Choice(key=code, label=name)
                for code, name in sorted(agency_names.items())
                if self.scope.agencies is None or code in self.scope.agencies
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
        return Figures(report, self.behind, self.titles)


_ = (Category, Procedure)
