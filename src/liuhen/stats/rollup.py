"""The acts summed per month: each officer's per case and agency (``stats_officer_month``),
and each case's per agency and unit (``stats_unit_month``), so that a year's figures add a
bounded number of rows instead of reading every act of the year (and joining each with who
took part): a period's whole months come from here, its other days from the acts
(``stats.rates.officer_figures``, ``stats.rates.act_sums``). ``stats_act_month`` counts the acts
per month, agency, unit and kind, for a report of every agency (a case's agency is not in it).

The sums hold what never changes once an act is recorded (acts, reviews, seconds, recordings)
and which of the acts the agency's pack says must be recorded on audio-video (``due``); the
findings' counts are not summed here (findings are judged again as cases change) but counted
from the findings, which are few. ``due`` depends on the pack in force, so
``stats_rollup_rules`` stamps per agency the acts it was counted with, and ``ensure`` counts an
agency again when its pack now says otherwise. A case's sums are written again with its new
acts, in the catch-up's transaction (``caught_up``); empty tables (a new instance, an
upgrade, a rebuild) are filled from the fact tables by INSERT … SELECT … GROUP BY (``ensure``).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    Table,
    and_,
    case,
    delete,
    false,
    func,
    insert,
    literal_column,
    or_,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite

from liuhen.kernel.db import store
from liuhen.kernel.db.engine import write_transaction
from liuhen.kernel.instance import App
from liuhen.stats.facts import MEDIA, VIEW

MONTH = store.T["stats_officer_month"]
UNIT_MONTH = store.T["stats_unit_month"]
ACT_MONTH = store.T["stats_act_month"]
RULES = store.T["stats_rollup_rules"]
ACT = store.T["stats_act"]
ACT_OFFICER = store.T["stats_act_officer"]
POSITION = store.T["stats_position"]
TABLES = (MONTH, UNIT_MONTH, ACT_MONTH, RULES)
FILLED = "*"  # the stamp row saying the sums were filled from the fact tables
CHUNK = 400  # cases per statement
# agency ('' for none) -> the acts counted as due
Mandatory = Mapping[str, frozenset[str]]


@dataclass(frozen=True, slots=True)
class Months:
    """A period's whole months (``first``..``last``, YYYY-MM; None: none) and the days
    outside them (``days``: ranges of dates, read from the acts)."""

    first: str | None
    last: str | None
    days: tuple[tuple[str, str], ...]

    def outside(self, col: ColumnElement[Any]) -> ColumnElement[bool]:
        """``col`` (a date) is on one of the days outside the whole months: ranges the
        planner can read by index, or false (no read) when the months cover the period (a
        condition like "not in those months" read the whole period's acts to find none)."""
        return or_(false(), *(and_(col >= a, col <= b) for a, b in self.days))


def months(start: date, end: date) -> Months:
    first = start if start.day == 1 else _next_month(start)
    after = end + timedelta(days=1)
    stop = after if after.day == 1 else date(end.year, end.month, 1)  # first day not whole
    if first >= stop:
        return Months(None, None, ((start.isoformat(), end.isoformat()),))
    last = stop - timedelta(days=1)
    days = []
    if start < first:
        days.append((start.isoformat(), (first - timedelta(days=1)).isoformat()))
    if stop <= end:
        days.append((stop.isoformat(), end.isoformat()))
    return Months(first.isoformat()[:7], last.isoformat()[:7], tuple(days))


def _next_month(d: date) -> date:
    return date(d.year + d.month // 12, d.month % 12 + 1, 1)


def _agency_key(col: ColumnElement[Any]) -> ColumnElement[Any]:
    return func.coalesce(col, literal_column("''"))


def _flag(cond: ColumnElement[bool]) -> ColumnElement[int]:
    return func.sum(case((cond, 1), else_=0))


def _due(mandatory: Mandatory) -> ColumnElement[bool]:
    agency = _agency_key(ACT.c.agency)
    return or_(
        false(),
        *(
            and_(agency == a, ACT.c.act.in_(sorted(codes)))
            for a, codes in sorted(mandatory.items())
            if codes
        ),
    )


def _month() -> ColumnElement[str]:
    return func.substr(ACT.c.on_date, literal_column("1"), literal_column("7"))


def _officer_sums(mandatory: Mandatory, *where: ColumnElement[bool]) -> Select[Any]:
    """The rows of ``stats_officer_month`` as the acts meeting ``where`` give them."""
    month, agency = _month(), _agency_key(ACT.c.agency)
    return (
        select(
            month.label("month"),
            ACT_OFFICER.c.officer,
            ACT.c.case_number,
            agency.label("agency"),
            func.count().label("acts"),
            func.sum(ACT.c.av_seconds).label("seconds"),
            _flag(ACT.c.act == MEDIA).label("media"),
            _flag(_due(mandatory)).label("due"),
        )
        .select_from(ACT.join(ACT_OFFICER, ACT_OFFICER.c.seq == ACT.c.seq))
        .where(ACT.c.act != VIEW, *where)
        .group_by(month, ACT_OFFICER.c.officer, ACT.c.case_number, agency)
    )


def _unit_sums(mandatory: Mandatory, *where: ColumnElement[bool]) -> Select[Any]:
    """The rows of ``stats_unit_month`` as the acts meeting ``where`` give them."""
    month, agency = _month(), _agency_key(ACT.c.agency)
    real = ACT.c.act != VIEW
    return (
        select(
            month.label("month"),
            ACT.c.case_number,
            agency.label("agency"),
            ACT.c.unit,
            _flag(real).label("acts"),
            _flag(~real).label("reviews"),
            func.sum(case((real, ACT.c.av_seconds), else_=0)).label("seconds"),
            _flag(ACT.c.act == MEDIA).label("media"),
            _flag(real & _due(mandatory)).label("due"),
        )
        .where(*where)
        .group_by(month, ACT.c.case_number, agency, ACT.c.unit)
    )


def _act_counts(*where: ColumnElement[bool]) -> Select[Any]:
    """The rows of ``stats_act_month`` as the acts meeting ``where`` give them."""
    month, agency = _month(), _agency_key(ACT.c.agency)
    return (
        select(
            month.label("month"),
            agency.label("agency"),
            ACT.c.unit,
            ACT.c.act,
            func.count().label("n"),
        )
        .where(*where)
        .group_by(month, agency, ACT.c.unit, ACT.c.act)
    )


# each table of sums per case, its key columns and how the acts give its rows
_OFFICER_KEY = ("month", "officer", "case_number", "agency")
_UNIT_KEY = ("month", "case_number", "agency", "unit")
SUMS: tuple[tuple[Table, tuple[str, ...], Callable[..., Select[Any]]], ...] = (
    (MONTH, _OFFICER_KEY, _officer_sums),
    (UNIT_MONTH, _UNIT_KEY, _unit_sums),
)


def _columns(table: Table) -> list[str]:
    return [c.name for c in table.columns]


def _stamps(conn: Connection) -> dict[str, frozenset[str] | None]:
    return {
        a: None if acts is None else frozenset(json.loads(acts))
        for a, acts in conn.execute(select(RULES.c.agency, RULES.c.acts))
    }


def _counted(stamps: Mapping[str, frozenset[str] | None]) -> dict[str, frozenset[str]]:
    return {a: acts for a, acts in stamps.items() if a != FILLED and acts is not None}


def caught_up(conn: Connection, acts: Collection[Mapping[str, Any]]) -> None:
    """Sum the cases of these new act rows again (in the catch-up's transaction, after the acts
    were written), with the acts each agency's stamp says are due, and add the acts to their
    counts per kind; an agency not stamped yet is stamped as not counted, for ``ensure``."""
    stamps = _stamps(conn)
    if FILLED not in stamps or not acts:
        return  # not filled yet: the first report fills everything
    counts: Counter[tuple[str, str, str, str]] = Counter(
        (str(a["on_date"])[:7], a["agency"] or "", a["unit"], a["act"]) for a in acts
    )
    _add_counts(conn, counts)
    mandatory = _counted(stamps)
    wanted = sorted({str(a["case_number"]) for a in acts})
    seen: set[str] = set()
    for i in range(0, len(wanted), CHUNK):
        part = wanted[i : i + CHUNK]
        for table, _, sums in SUMS:
            conn.execute(delete(table).where(table.c.case_number.in_(part)))
            conn.execute(
                insert(table).from_select(
                    _columns(table), sums(mandatory, ACT.c.case_number.in_(part))
                )
            )
        seen.update(
            conn.execute(
                select(UNIT_MONTH.c.agency).where(UNIT_MONTH.c.case_number.in_(part)).distinct()
            ).scalars()
        )
    new = sorted(seen - set(stamps))
    if new:
        conn.execute(insert(RULES), [{"agency": a, "acts": None} for a in new])


def _add_counts(conn: Connection, counts: Mapping[tuple[str, str, str, str], int]) -> None:
    rows = [
        {"month": m, "agency": a, "unit": u, "act": act, "n": n}
        for (m, a, u, act), n in sorted(counts.items())
    ]
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(ACT_MONTH)
    conn.execute(
        stmt.on_conflict_do_update(
            index_elements=[ACT_MONTH.c[k] for k in ("month", "agency", "unit", "act")],
            set_={"n": ACT_MONTH.c.n + stmt.excluded.n},
        ),
        rows,
    )


def ensure(
    app: App,
    agencies: frozenset[str] | None,
    mandatory_of: Callable[[list[str | None]], Mapping[str | None, frozenset[str]]],
    wanted: Mapping[str | None, frozenset[str]],
) -> bool:
    """Whether a report may add the sums of the ``agencies`` it counts (None: all), counting
    what must be first: everything when the table was never filled, an agency again when its
    pack (``wanted``, the report's rules) now names other acts as due. False when an agency's
    sums were counted by a pack the report does not apply to it (its acts are counted from the
    acts then)."""
    with app.engine.connect() as conn:
        stamps = _stamps(conn)
    if FILLED not in stamps:
        _fill(app, mandatory_of)
        with app.engine.connect() as conn:
            stamps = _stamps(conn)
    stale: dict[str, frozenset[str]] = {}
    for a, acts in stamps.items():
        if a == FILLED or (agencies is not None and a not in agencies):
            continue
        key = a or None
        if key in wanted:
            if acts != wanted[key]:
                stale[a] = wanted[key]
        elif acts is None or acts:
            return False  # counted by its own pack, which this report does not apply
    if stale:
        _recount(app, stale)
    return True


def _lock(conn: Connection) -> None:
    """Take the statistics' write lock (the catch-up's position row) on PostgreSQL; SQLite's
    write transaction holds the database's."""
    if conn.dialect.name == "postgresql":
        conn.execute(select(POSITION.c.id).where(POSITION.c.id == 1).with_for_update())


def _roomy(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SET LOCAL work_mem = '256MB'")
        conn.exec_driver_sql("SET LOCAL jit = off")


def _fill(
    app: App, mandatory_of: Callable[[list[str | None]], Mapping[str | None, frozenset[str]]]
) -> None:
    with app.engine.connect() as conn:
        agencies = sorted(conn.execute(select(_agency_key(ACT.c.agency)).distinct()).scalars())
    found = mandatory_of([a or None for a in agencies])
    mandatory = {a: found.get(a or None, frozenset()) for a in agencies}
    with write_transaction(app.engine) as conn:
        _lock(conn)
        if FILLED in _stamps(conn):
            return
        _roomy(conn)
        for table in TABLES:
            conn.execute(delete(table))
        for table, _, sums in SUMS:
            conn.execute(insert(table).from_select(_columns(table), sums(mandatory)))
        conn.execute(insert(ACT_MONTH).from_select(_columns(ACT_MONTH), _act_counts()))
        conn.execute(
            insert(RULES),
            [{"agency": a, "acts": json.dumps(sorted(m))} for a, m in mandatory.items()]
            + [{"agency": FILLED, "acts": None}],
        )
    _analyze(app)


def _recount(app: App, stale: Mapping[str, frozenset[str]]) -> None:
    with write_transaction(app.engine) as conn:
        _lock(conn)
        stamps = _stamps(conn)
        _roomy(conn)
        for a, acts in sorted(stale.items()):
            if stamps.get(a, frozenset()) == acts:
                continue  # another reader counted it meanwhile
            for table, _, sums in SUMS:
                conn.execute(delete(table).where(table.c.agency == a))
                conn.execute(
                    insert(table).from_select(
                        _columns(table), sums({a: acts}, _agency_key(ACT.c.agency) == a)
                    )
                )
            conn.execute(delete(RULES).where(RULES.c.agency == a))
            conn.execute(insert(RULES).values(agency=a, acts=json.dumps(sorted(acts))))


def _analyze(app: App) -> None:
    """Fresh planner statistics after a fill (autovacuum may be off, or not have run yet)."""
    if app.engine.dialect.name != "postgresql":
        return
    with app.engine.connect() as conn:
        for table in TABLES:
            conn.exec_driver_sql(f"ANALYZE {table.name}")
        conn.commit()


def differences(conn: Connection) -> list[tuple[str, str, str, str]]:
    """The rows (table, key, stored, summed again) where the tables differ from the acts summed
    again with their stamps; none when they were never filled."""
    stamps = _stamps(conn)
    if FILLED not in stamps:
        return []
    out = []
    mandatory = _counted(stamps)
    summed = [(t, len(key), sums(mandatory)) for t, key, sums in SUMS]
    for table, n, again_stmt in [*summed, (ACT_MONTH, 4, _act_counts())]:
        names = _columns(table)
        again = {tuple(r[:n]): tuple(int(v or 0) for v in r[n:]) for r in conn.execute(again_stmt)}
        stored = {
            tuple(r[:n]): tuple(int(v or 0) for v in r[n:])
            for r in conn.execute(select(*(table.c[k] for k in names)))
        }
        for k in sorted(set(again) | set(stored)):
            a, b = stored.get(k), again.get(k)
            if a != b:
                out.append(
                    (table.name, "/".join(str(x) for x in k), str(a or "无"), str(b or "无"))
                )
    return out
