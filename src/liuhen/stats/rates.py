"""The rates the report and the score use, counted in SQL per group (a unit, an officer) or in
total, so that no case or act row is read into Python: a year of a large instance has millions.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Connection, FromClause, Subquery, case, func, select

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
    conn: Connection, s: Sets, rules: Rules
) -> dict[str, tuple[Rates, tuple[int, ...]]]:
    """Per officer: every rate of the score, and the cases, acts, seconds recorded and
    violations of the officer's acts, in one statement: the officers' acts (a join of the
    period's acts with who took part) are summed per officer and case once, and everything
    else is counted over those sums (a case is counted once per officer, so its late
    recordings and its findings are too)."""
    acts = s.officer_acts()
    per_seq = (
        s.findings(s.violation())
        .with_only_columns(FINDING.c.seq, func.count().label("n"))
        .group_by(FINDING.c.seq)
        .subquery()
    )
    due = s.due(acts, rules) & (acts.c.act != VIEW)
    per_case = (
        select(
            acts.c.g,
            acts.c.case_number,
            func.count().label("acts"),
            func.sum(acts.c.av_seconds).label("seconds"),
            func.sum(func.coalesce(per_seq.c.n, 0)).label("violations"),
            flag(due).label("due"),
            flag(due & acts.c.seq.in_(s.av_missing(rules))).label("missing"),
            flag(acts.c.act == MEDIA).label("media"),
        )
        .select_from(acts.outerjoin(per_seq, per_seq.c.seq == acts.c.seq))
        .group_by(acts.c.g, acts.c.case_number)
        .subquery()
    )
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


def act_rates(
    conn: Connection,
    s: Sets,
    acts: Subquery,
    rules: Rules,
    by_group: bool,
    *extra: ColumnElement[Any],
) -> tuple[dict[str, Rates], dict[str, tuple[int, ...]]]:
    """Audio-video coverage of the acts that must be recorded, and on-time storage of the
    recordings, over each group's acts (``acts`` has a column g when ``by_group``; reviews
    among them count in neither), and the ``extra`` aggregates over the same acts."""
    key = acts.c.g if by_group else None
    due = s.due(acts, rules) & (acts.c.act != VIEW)
    found = grouped(
        conn,
        acts,
        key,
        flag(due),
        flag(due & acts.c.seq.in_(s.av_missing(rules))),
        flag(acts.c.act == MEDIA),
        *extra,
    )
    late = late_recordings(conn, s, acts, rules, by_group)
    out: dict[str, Rates] = defaultdict(dict)
    for g, (n_due, missing, media, *_) in found.items():
        out[g]["av_coverage"] = Rate(n_due - missing, n_due)
        out[g]["on_time_storage"] = Rate(media - min(late.get(g, 0), media), media)
    return out, {g: v[3:] for g, v in found.items()}


def late_recordings(
    conn: Connection, s: Sets, acts: Subquery, rules: Rules, by_group: bool
) -> dict[str, int]:
    """The recordings stored late (distinct case and entry of a violation) on the cases that
    have a recording among each group's acts."""
    media = s.media_cases(acts, by_group)
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
