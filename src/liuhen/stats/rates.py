"""The rates the report and the score use, counted in SQL per group (a unit, an officer) or in
total, so that no case or act row is read into Python: a year of a large instance has millions.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    FromClause,
    Select,
    Subquery,
    Table,
    TableClause,
    and_,
    case,
    column,
    func,
    select,
    table,
    union_all,
)

from liuhen.stats import rollup
from liuhen.stats.facts import MEDIA, VIEW
from liuhen.stats.score import Rate
from liuhen.stats.sets import CASE, FINDING, Rules, Sets

Rates = dict[str, Rate]


def pct(good: int, total: int) -> float | None:
    return round(good / total * 100, 1) if total else None


def flag(cond: ColumnElement[bool]) -> ColumnElement[int]:
    """1 where ``cond`` holds, else 0: summed, the rows meeting it."""
    return func.sum(case((cond, 1), else_=0))


def grouped(
    conn: Connection,
    source: FromClause,
    key: ColumnElement[Any] | None,
    *cols: ColumnElement[Any],
    where: Sequence[ColumnElement[bool]] = (),
) -> dict[str, tuple[int, ...]]:
    """``cols`` (aggregates) over ``source`` per value of ``key``, or once under '' when
    ``key`` is None (a total: PostgreSQL refuses a constant to group by)."""
    keys = [key] if key is not None else []
    stmt = select(*keys, *cols).select_from(source).where(*where).group_by(*keys)
    out: dict[str, tuple[int, ...]] = {}
    for row in conn.execute(stmt):
        values = tuple(int(v or 0) for v in (row[1:] if keys else row))
        if keys:
            out[row[0]] = values
        elif any(values):
            out[""] = values
    return out


def case_rates(
    conn: Connection, s: Sets, members: Subquery | None
) -> tuple[dict[str, Rates], dict[str, tuple[int, ...]]]:
    """Compliance, closing and on-time archiving over each group's cases (``members``: g,
    number), or over every kept case (None; only archiving is reported in total); and per
    group the cases opened, closed, the violations found on them in the period and the
    cases. A case's
    findings are read once (``Sets.case_findings``) rather than tested against a subquery per
    case."""
    found_on = s.case_findings()
    cols = (
        *_case_columns(s, found_on),
        flag(s.closed()),
        func.sum(func.coalesce(found_on.c.violations, 0)),
    )
    if members is None:
        source = CASE.outerjoin(found_on, found_on.c.case_number == CASE.c.number)
        found = grouped(conn, source, None, *cols, where=[s.is_kept(CASE.c.number)])
    else:
        source = members.join(CASE, CASE.c.number == members.c.number).outerjoin(
            found_on, found_on.c.case_number == CASE.c.number
        )
        found = grouped(conn, source, members.c.g, *cols)
    rates = {g: _case_rates(v) for g, v in found.items()}
    return rates, {g: (v[2], v[6], v[7], v[0]) for g, v in found.items()}


def _case_columns(s: Sets, found_on: Subquery) -> tuple[ColumnElement[Any], ...]:
    """Over rows of ``CASE`` joined with ``found_on`` (``Sets.case_findings``): the cases,
    those with a violation, opened, opened and closed since, counted by the archive rate, and
    archived late."""
    bad, late = (func.coalesce(found_on.c[k], 0) == 1 for k in ("bad", "late_archive"))
    closed = s.archive_closed()
    return (
        func.count(),
        flag(bad),
        flag(s.opened()),
        flag(s.opened() & CASE.c.closed_on.is_not(None)),
        flag(closed & ((CASE.c.status == "archived") | late)),
        flag(closed & late),
    )


def _case_rates(v: Sequence[int]) -> Rates:
    return {
        "compliance": Rate(v[0] - v[1], v[0]),
        "closing": Rate(v[3], v[2]),
        "on_time_archive": Rate(v[4] - v[5], v[4]),
    }


def officer_figures(
    conn: Connection, s: Sets, rules: Rules, rolled: bool = False
) -> dict[str, tuple[Rates, tuple[int, ...]]]:
    """Per officer: every rate of the score, and the cases, acts, seconds recorded and
    violations of the officer's acts, in one statement: the officers' acts are summed per
    officer and case once (``_per_case``), and everything else is counted over those sums (a
    case is counted once per officer, so its late recordings and its findings are too)."""
    per_case = _per_case(s, rules, rolled)
    ls = s.late_storage(rules)
    late = (
        select(ls.c.case_number, func.count(func.coalesce(ls.c.seq, -1).distinct()).label("n"))
        .group_by(ls.c.case_number)
        .subquery()
    )
    found_on = s.case_findings()
    source = (
        per_case.join(CASE, CASE.c.number == per_case.c.case_number)
        .outerjoin(found_on, found_on.c.case_number == per_case.c.case_number)
        .outerjoin(late, late.c.case_number == per_case.c.case_number)
    )
    sums = [func.sum(per_case.c[k]) for k in ("acts", "seconds", "violations", "due")]
    found = grouped(
        conn,
        source,
        per_case.c.g,
        *_case_columns(s, found_on),
        *sums,
        func.sum(per_case.c.missing),
        func.sum(per_case.c.media),
        func.sum(case((per_case.c.media > 0, func.coalesce(late.c.n, 0)), else_=0)),
    )
    out: dict[str, tuple[Rates, tuple[int, ...]]] = {}
    for g, v in found.items():
        n_acts, seconds, violations, n_due, missing, media, n_late = v[6:]
        rates = _case_rates(v)
        rates["av_coverage"] = Rate(n_due - missing, n_due)
        rates["on_time_storage"] = Rate(media - min(n_late, media), media)
        out[g] = (rates, (v[0], n_acts, seconds, violations))
    return out


def _per_case(s: Sets, rules: Rules, rolled: bool) -> Subquery:
    """Per officer and case (g, case_number) with acts in the period: the acts, seconds,
    violations found on them, acts that must be recorded, those of them without their
    recording, and recordings. With ``rolled`` (``stats.rollup.ensure`` said so, and no unit,
    officer or act is filtered) the period's whole months are added from the monthly sums and
    only the other days summed from the acts. The findings' counts come from the findings: a
    finding is dated by the act it concerns (``projection._finding_rows``), so the period's
    findings on the period's acts are those joined by entry."""
    acts = s.officer_acts()
    whole = rollup.months(s.period.start, s.period.end) if rolled else None
    due = s.due(acts, rules)
    cols = (
        func.count().label("acts"),
        func.sum(acts.c.av_seconds).label("seconds"),
        flag(acts.c.act == MEDIA).label("media"),
        flag(due).label("due"),
    )
    raw = select(acts.c.g, acts.c.case_number, *cols)
    if whole is not None:
        raw = raw.where(whole.outside(acts.c.on_date))
    m = rollup.MONTH
    summed = _days_and_months(
        s, whole, raw, (acts.c.g, acts.c.case_number), m, (m.c.officer, m.c.case_number),
        ("acts", "seconds", "media", "due"),
    )  # fmt: skip
    per_seq = (
        s.findings(s.violation())
        .with_only_columns(FINDING.c.seq, func.count().label("n"))
        .group_by(FINDING.c.seq)
        .subquery()
    )
    violations = (
        select(acts.c.g, acts.c.case_number, func.sum(per_seq.c.n).label("n"))
        .select_from(per_seq.join(acts, acts.c.seq == per_seq.c.seq))
        .group_by(acts.c.g, acts.c.case_number)
        .subquery()
    )
    av = s.av_missing(rules).distinct().subquery()
    missing = (
        select(acts.c.g, acts.c.case_number, func.count().label("n"))
        .select_from(av.join(acts, acts.c.seq == av.c.seq))
        .where(due)
        .group_by(acts.c.g, acts.c.case_number)
        .subquery()
    )

    def on(t: Subquery) -> ColumnElement[bool]:
        return and_(t.c.g == summed.c.g, t.c.case_number == summed.c.case_number)

    return (
        select(
            summed.c.g,
            summed.c.case_number,
            summed.c.acts,
            summed.c.seconds,
            func.coalesce(violations.c.n, 0).label("violations"),
            summed.c.due,
            func.coalesce(missing.c.n, 0).label("missing"),
            summed.c.media,
        )
        .select_from(summed.outerjoin(violations, on(violations)).outerjoin(missing, on(missing)))
        .subquery()
    )


SUMS = ("acts", "reviews", "seconds", "media", "due")


def act_sums(s: Sets, rules: Rules, rolled: bool) -> Subquery:
    """The period's acts summed per case and unit (case_number, unit): the acts (reviews
    aside), reviews, seconds recorded (reviews aside), recordings and acts that must be
    recorded on audio-video. With ``rolled`` (``stats.rollup.ensure`` said so, and no unit,
    officer or act is filtered) the whole months come from ``stats_unit_month`` and only the
    other days from the acts."""
    a = s.acts(None)
    real = a.c.act != VIEW
    whole = rollup.months(s.period.start, s.period.end) if rolled else None
    raw = select(
        a.c.case_number,
        a.c.unit,
        flag(real).label("acts"),
        flag(~real).label("reviews"),
        func.sum(case((real, a.c.av_seconds), else_=0)).label("seconds"),
        flag(a.c.act == MEDIA).label("media"),
        flag(real & s.due(a, rules)).label("due"),
    )
    if whole is not None:
        raw = raw.where(whole.outside(a.c.on_date))
    u = rollup.UNIT_MONTH
    return _days_and_months(
        s, whole, raw, (a.c.case_number, a.c.unit), u, (u.c.case_number, u.c.unit), SUMS
    )


def _days_and_months(
    s: Sets,
    whole: rollup.Months | None,
    raw: Select[Any],
    keys: Sequence[ColumnElement[Any]],
    monthly: Table,
    table_keys: Sequence[ColumnElement[Any]],
    names: Sequence[str],
) -> Subquery:
    """The acts' sums (``raw``, already kept to the days outside the whole months) grouped by
    ``keys``, and the whole months' rows of the ``monthly`` table grouped by its ``table_keys``
    (named as ``keys``), added per key: one definition for the officers' and the units' sums.
    A period of whole months has no other days, so its monthly sums need no second grouping."""
    labels = [k.name for k in keys]
    parts: list[Select[Any]] = [raw.group_by(*keys)] if whole is None or whole.days else []
    if whole is not None and whole.first is not None:
        parts.append(
            select(
                *(c.label(n) for c, n in zip(table_keys, labels, strict=True)),
                *(func.sum(monthly.c[k]).label(k) for k in names),
            )
            .where(
                monthly.c.month >= whole.first,
                monthly.c.month <= str(whole.last),
                *s.in_scope(monthly),
                s.is_kept(monthly.c.case_number),
            )
            .group_by(*table_keys)
        )
    if len(parts) == 1:
        return parts[0].subquery()
    both = union_all(*parts).subquery()
    return (
        select(*(both.c[n] for n in labels), *(func.sum(both.c[k]).label(k) for k in names))
        .group_by(*(both.c[n] for n in labels))
        .subquery()
    )


def materialized(conn: Connection, sums: Subquery) -> FromClause:
    """``sums`` (``act_sums``) counted once into a temporary table on PostgreSQL, dropped with
    the report's transaction: the report reads them five times (headlines, rates, the units'
    members, rates and late recordings), and PostgreSQL plans each read as a subquery of its
    own, so a year's 110,000 monthly rows of every agency were summed five times (about 1.2 s
    of a year's report at 100,000 cases). SQLite keeps the subquery: its temporary table would
    outlive the report on the pooled connection."""
    if conn.dialect.name != "postgresql":
        return sums
    name = "stats_report_sums"
    stmt = select(*sums.c).compile(
        dialect=conn.dialect, compile_kwargs={"render_postcompile": True}
    )
    conn.exec_driver_sql(f"CREATE TEMPORARY TABLE {name} ON COMMIT DROP AS {stmt}", stmt.params)
    conn.exec_driver_sql(f"ANALYZE {name}")
    out: TableClause = table(name, *(column(c.name, c.type) for c in sums.c))
    return out


def act_rates(
    conn: Connection, s: Sets, rules: Rules, sums: FromClause, by_unit: bool
) -> tuple[dict[str, Rates], dict[str, tuple[int, ...]]]:
    """Audio-video coverage of the acts that must be recorded, and on-time storage of the
    recordings, per unit of the acts or in total (``sums``: ``act_sums``; reviews count in
    neither); and per unit or in total the acts with the reviews, without, and the seconds
    recorded."""
    key = sums.c.unit if by_unit else None
    found = grouped(
        conn,
        sums,
        key,
        func.sum(sums.c.due),
        func.sum(sums.c.media),
        func.sum(sums.c.acts + sums.c.reviews),
        func.sum(sums.c.acts),
        func.sum(sums.c.seconds),
    )
    missing = _missing(conn, s, rules, by_unit)
    cols = [sums.c.unit.label("g")] if by_unit else []
    media = select(*cols, sums.c.case_number).where(sums.c.media > 0).distinct().subquery()
    late = late_recordings(conn, s, media, rules, by_unit)
    out: dict[str, Rates] = defaultdict(dict)
    for g, (n_due, n_media, *_) in found.items():
        n_missing = missing.get(g, 0)
        out[g]["av_coverage"] = Rate(n_due - n_missing, n_due)
        out[g]["on_time_storage"] = Rate(n_media - min(late.get(g, 0), n_media), n_media)
    return out, {g: v[2:] for g, v in found.items()}


def _missing(conn: Connection, s: Sets, rules: Rules, by_unit: bool) -> dict[str, int]:
    """The acts that must be recorded and that a violation says lack their recording, per
    unit or in total: driven by the findings, which are few."""
    a = s.acts()
    av = s.av_missing(rules).distinct().subquery()
    found = grouped(
        conn,
        av.join(a, a.c.seq == av.c.seq),
        a.c.unit if by_unit else None,
        func.count(),
        where=[s.due(a, rules)],
    )
    return {g: v[0] for g, v in found.items()}


def late_recordings(
    conn: Connection, s: Sets, media: Subquery, rules: Rules, by_group: bool
) -> dict[str, int]:
    """The recordings stored late (distinct case and entry of a violation) on the cases that
    have a recording among each group's acts (``media``: (g,) case_number)."""
    late = s.late_storage(rules)
    cols = [media.c.g] if by_group else []
    pairs = (
        select(*cols, late.c.case_number, late.c.seq)
        .select_from(media)
        .join(late, late.c.case_number == media.c.case_number)
        .distinct()
        .subquery()
    )
    found = grouped(conn, pairs, pairs.c.g if by_group else None, func.count())
    return {g: v[0] for g, v in found.items()}
