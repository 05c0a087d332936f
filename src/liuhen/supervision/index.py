"""Incremental anomaly detection: the detectors' indexed state, and one pass over some cases.

A pass re-judges the cases it is given with the per-case detectors (audio-video times, backfill
after the decision, grounds, order, another's camera) and rewrites the cases' rows in the index
tables (migration 0017): officers' presence intervals, capture positions, recording lags, the
cameras a case used, its transcripts' texts. Only what changed there is judged across cases,
against its neighbours read from the index: an officer's presences that overlap a changed one;
an officer's positions (consecutive pairs); the lag median and worst entries of the officer or
unit (in SQL); the sitting around a changed recording time (a stretch bounded by pauses longer
than a sitting's gap); the transcripts sharing a new text's rare 4-grams, judged in journal
order (``detectors.copies`` over ``supervision.copy_index``). Neighbours are read a batch at a
time, not a case or an officer at a time: per-entry queries were most of a catch-up's cost
(bench/README.md, issue 15). Stored anomalies of what was re-judged and not found again are
made inactive, never deleted (a review names an anomaly by its key).

The full scan empties the index and runs the same pass over every case, so both paths find
the same set: every judgement reads the index's state, never the order of the batches.
"""

from __future__ import annotations

import json
import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    Connection,
    and_,
    case,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    union_all,
    update,
)

from liuhen.kernel.db import store
from liuhen.kernel.db.rows import among, insert_rows
from liuhen.supervision.detectors import av, backfill, copies, grounds, presence
from liuhen.supervision.detectors.model import (
    Anomaly,
    Assignment,
    CaseFile,
    Corpus,
    Item,
    parse_time,
)
from liuhen.supervision.detectors.thresholds import Thresholds

T = store.T
ANOMALY, REF = T["anomaly"], T["anomaly_ref"]
PRESENCE, FIX, ACT = T["anomaly_presence"], T["anomaly_fix"], T["anomaly_act"]
DEVICE_USE, TEXT = T["anomaly_device_use"], T["anomaly_text"]
POSTING, SHINGLE = T["anomaly_posting"], T["anomaly_shingle"]
INDEX = (PRESENCE, FIX, ACT, DEVICE_USE, TEXT, POSTING, SHINGLE, REF)
PER_CASE = (
    presence.devices, av.outside, av.before_check, backfill.after_decision, grounds.unbacked,
    grounds.order,
)  # fmt: skip
PER_CASE_KINDS = (
    presence.DEVICE, av.OUTSIDE, av.AFTER, av.BEFORE_CHECK, backfill.AFTER_DECISION,
    grounds.UNBACKED, grounds.ORDER,
)  # fmt: skip
CHUNK = 500
UNION = 200  # queries sent as one UNION ALL statement (SQLite takes at most 500)
JOIN_SECONDS = 86400  # changed times closer than this are read from the index as one range


def _epoch(t: datetime) -> int:
    return int(t.timestamp())


def _time(text: str) -> datetime:
    t = parse_time(text)
    assert t is not None  # written by this module from aware times
    return t


@dataclass(slots=True)
class World:
    """What every pass reads beside the cases: thresholds, cameras, officers' names, GPS."""

    thresholds: Mapping[str, Thresholds]
    assignments: list[Assignment]
    officers: Mapping[str, str]
    gps: Mapping[str, tuple[float, float]]

    def limits(self, agency: str) -> Thresholds:
        return self.thresholds.get(agency) or Thresholds()

    def corpus(self, cases: list[CaseFile]) -> Corpus:
        return Corpus(cases, self.assignments, self.officers, self.gps)


@dataclass(slots=True)
class Outcome:
    """What a pass found, and which stored anomalies it judged again (``stale``: made
    inactive unless found again)."""

    found: dict[str, Anomaly] = field(default_factory=dict)
    stale: set[str] = field(default_factory=set)
    officers: dict[tuple[str, str], set[tuple[str, int, int, int]]] = field(
        default_factory=lambda: defaultdict(set)
    )  # (officer, agency) → presences changed (case, seq, t0, t1)
    travellers: dict[tuple[str, str], set[tuple[str, int, int]]] = field(
        default_factory=lambda: defaultdict(set)
    )  # (officer, agency) → positions changed (case, seq, t0)
    people: dict[tuple[str, str], set[int]] = field(default_factory=lambda: defaultdict(set))
    units: set[tuple[str, str]] = field(default_factory=set)
    texts: list[copies.Version] = field(default_factory=list)

    def add(self, found: Iterable[Anomaly]) -> None:
        for a in found:
            self.found.setdefault(a.key, a)


def _presence_rows(case: CaseFile) -> set[tuple[Any, ...]]:
    return {
        (p.officer, case.agency, case.unit, case.number, p.item.seq, p.item.act,
         _epoch(p.start), _epoch(p.end), p.start.isoformat(), p.end.isoformat())
        for p in presence.presences(case)
    }  # fmt: skip


def _fix_rows(case: CaseFile, gps: Mapping[str, tuple[float, float]]) -> set[tuple[Any, ...]]:
    return {
        (f.officer, case.agency, case.unit, case.number, f.item.seq, _epoch(f.at),
         f.at.isoformat(), f.until.isoformat(), f.where[0], f.where[1])
        for f in presence.fixes(case, gps)
    }  # fmt: skip


def _act_rows(case: CaseFile) -> set[tuple[Any, ...]]:
    return {
        (case.number, e.seq, backfill.who_entered(e), case.agency, case.unit, e.act,
         e.occurred_at.isoformat(), e.recorded_at.isoformat(), _epoch(e.recorded_at),
         backfill.lag_of(e))
        for e in backfill.acts(case)
    }  # fmt: skip


def _devices(case: CaseFile) -> set[str]:
    return {str(m.fields.get("device_no")) for m in case.of("general.media")
            if m.fields.get("device_no")}  # fmt: skip


COLUMNS = {
    "presence": ("officer", "agency", "unit", "case_number", "seq", "act", "t0", "t1", "start",
                 "end"),
    "fix": ("officer", "agency", "unit", "case_number", "seq", "t0", "start", "until", "lat",
            "lon"),
    "act": ("case_number", "seq", "who", "agency", "unit", "act", "occurred", "recorded",
            "t_recorded", "lag"),
}  # fmt: skip


def _stored(conn: Connection, table: Any, name: str, numbers: list[str]) -> set[tuple[Any, ...]]:
    cols = [table.c[c] for c in COLUMNS[name]]
    out: set[tuple[Any, ...]] = set()
    for i in range(0, len(numbers), CHUNK):
        part = numbers[i : i + CHUNK]
        out |= {tuple(r) for r in conn.execute(select(*cols).where(table.c.case_number.in_(part)))}
    return out


def _replace(conn: Connection, table: Any, name: str, numbers: list[str],
             rows: set[tuple[Any, ...]]) -> None:  # fmt: skip
    for in_numbers in among(conn, table.c.case_number, numbers):
        conn.execute(delete(table).where(in_numbers))
    insert_rows(conn, table, [dict(zip(COLUMNS[name], r, strict=True)) for r in rows])


def judge_cases(conn: Connection, cases: list[CaseFile], world: World, since: int,
                out: Outcome, *, fresh: bool = False) -> None:  # fmt: skip
    """Judge these cases alone and note in ``out`` what changed for the cross-case pass;
    ``since``: the journal position already judged (their text versions after it are new).
    ``fresh``: the index holds nothing of them (a full scan), nothing to compare or delete."""
    numbers = [c.number for c in cases]
    by_agency: dict[str, list[CaseFile]] = defaultdict(list)
    for c in cases:
        by_agency[c.agency].append(c)
    for agency, mine in by_agency.items():
        corpus, t = world.corpus(mine), world.limits(agency)
        for detect in PER_CASE:
            out.add(detect(corpus, t))
    if not fresh:
        out.stale |= _keys_of_cases(conn, numbers, PER_CASE_KINDS)
    _reindex(conn, cases, world, out, fresh)
    out.texts += [v for c in cases for v in copies.versions(c) if v.version > since]


def _reindex(conn: Connection, cases: list[CaseFile], world: World, out: Outcome,
             fresh: bool) -> None:  # fmt: skip
    """Rewrite the cases' index rows; note whose presences, positions and lags changed."""
    numbers = [c.number for c in cases]
    new_p = set().union(*(_presence_rows(c) for c in cases))
    new_f = set().union(*(_fix_rows(c, world.gps) for c in cases))
    new_a = set().union(*(_act_rows(c) for c in cases))
    old_p = set() if fresh else _stored(conn, PRESENCE, "presence", numbers)
    old_f = set() if fresh else _stored(conn, FIX, "fix", numbers)
    old_a = set() if fresh else _stored(conn, ACT, "act", numbers)
    for r in new_p ^ old_p:
        out.officers[(r[0], r[1])].add((r[3], r[4], r[6], r[7]))
    for r in new_f ^ old_f:
        out.travellers[(r[0], r[1])].add((r[3], r[4], r[5]))
    for r in new_a ^ old_a:
        if r[2]:
            out.people[(r[2], r[3])].add(r[8])
        out.units.add((r[4], r[3]))
    for table, name, old, new in ((PRESENCE, "presence", old_p, new_p), (FIX, "fix", old_f, new_f),
                                  (ACT, "act", old_a, new_a)):  # fmt: skip
        if old != new:
            _replace(conn, table, name, [] if fresh else numbers, new)
    for i in range(0, 0 if fresh else len(numbers), CHUNK):
        part = numbers[i : i + CHUNK]
        conn.execute(delete(DEVICE_USE).where(DEVICE_USE.c.case_number.in_(part)))
    uses = [{"device_no": d, "case_number": c.number} for c in cases for d in _devices(c)]
    insert_rows(conn, DEVICE_USE, uses)


def _keys_of_cases(conn: Connection, numbers: list[str], kinds: Iterable[str]) -> set[str]:
    out: set[str] = set()
    for i in range(0, len(numbers), CHUNK):
        out |= set(conn.execute(
            select(ANOMALY.c.key).join(REF, REF.c.key == ANOMALY.c.key)
            .where(REF.c.case_number.in_(numbers[i : i + CHUNK]), ANOMALY.c.kind.in_(kinds),
                   ANOMALY.c.active.is_(True))
        ).scalars())  # fmt: skip
    return out


Refs = set[tuple[str, int]]
Who = tuple[str, str]  # (officer or unit, agency)


def _stored_of(
    conn: Connection, kind: str, groups: Iterable[Who], units: bool = False,
    cases: Iterable[str] | None = None,
) -> dict[Who, list[tuple[str, Refs]]]:  # fmt: skip
    """Active stored anomalies of a kind for these officers (``units``: these units', officer
    empty), by group, in one query per slice of names rather than one per group; ``cases``:
    only those resting on one of these cases (an officer may have thousands)."""
    wanted = set(groups)
    column = ANOMALY.c.unit if units else ANOMALY.c.officer
    out: dict[Who, list[tuple[str, Refs]]] = defaultdict(list)
    names = sorted({who for who, _ in wanted})
    for in_names in among(conn, column, names):
        q = select(column, ANOMALY.c.agency, ANOMALY.c.key, ANOMALY.c.refs).where(
            ANOMALY.c.kind == kind, ANOMALY.c.active.is_(True), in_names
        )
        if units:
            q = q.where(ANOMALY.c.officer.is_(None))
        if cases is not None:
            on = select(REF.c.key).where(REF.c.case_number.in_(sorted(set(cases))))
            q = q.where(ANOMALY.c.key.in_(on))
        for who, agency, key, refs in conn.execute(q):
            if (who, agency) in wanted:
                out[(who, agency)].append(
                    (key, {(r["case"], int(r["seq"])) for r in json.loads(refs)})
                )
    return out


def _item(case: str, seq: int, act: str, at: datetime, recorded: datetime | None = None,
          who: str = "") -> Item:  # fmt: skip
    return Item(case, seq, act, at, recorded or at, recorded_by=who)


def cross(conn: Connection, world: World, out: Outcome, *, full: bool = False) -> None:
    """Judge across cases what ``judge_cases`` noted as changed, reading neighbours from the
    index. ``full``: a full scan (every stored anomaly is stale already)."""
    _overlaps(conn, world, out, full)
    _travel(conn, world, out, full)
    _lags(conn, world, out, full)
    _sittings(conn, world, out, full)


def _union(conn: Connection, queries: list[Any]) -> list[list[Any]]:
    """Each query's rows, the queries sent together as UNION ALL statements: a batch asks
    about many officers' stretches of time, each a cheap indexed range, and one round trip
    for each was most of the cost. SQLite has no round trip, and a large statement compiled
    afresh each pass cost more than the same small one compiled once: one query each."""
    if conn.dialect.name != "postgresql":
        return [list(conn.execute(q)) for q in queries]
    out: list[list[Any]] = [[] for _ in queries]
    for i in range(0, len(queries), UNION):
        tagged = [q.add_columns(literal(i + j).label("part"))
                  for j, q in enumerate(queries[i : i + UNION])]  # fmt: skip
        statement: Any = union_all(*tagged) if len(tagged) > 1 else tagged[0]
        for r in conn.execute(statement):
            out[r.part].append(r)
    return out


def _whole(conn: Connection, table: Any, who: Any, wanted: Iterable[Who]
           ) -> Iterable[tuple[Who, list[Any]]]:  # fmt: skip
    """A full scan's neighbours: every row of the table, one (who, agency) group at a time,
    in one streamed statement. Every time changed, so every group's whole history is read;
    thousands of per-group queries (as UNION ALL statements) cost more to compile and plan
    than reading the rows."""
    wanted = set(wanted)
    q = select(table).order_by(who, table.c.agency).execution_options(yield_per=20_000)
    group: Who | None = None
    rows: list[Any] = []
    for r in conn.execute(q):
        key = (r._mapping[who], r.agency)
        if key != group:
            if group in wanted:
                yield group, rows
            group, rows = key, []
        rows.append(r)
    if group in wanted:
        yield group, rows


def _overlaps(conn: Connection, world: World, out: Outcome, full: bool) -> None:
    """An officer's presences that overlap his changed ones, read by time from the index."""
    changed_cases = {c for changed in out.officers.values() for c, *_ in changed}
    stored = {} if full else _stored_of(conn, presence.OVERLAP, out.officers,
                                        cases=changed_cases)  # fmt: skip
    asked: list[tuple[str, str]] = []
    queries = []
    for (officer, agency), changed in [] if full else out.officers.items():
        q = select(PRESENCE).where(PRESENCE.c.officer == officer, PRESENCE.c.agency == agency)
        # one range read per officer (``t0 <= hi`` is its whole history before)
        spans = _spans((t0, t1) for *_, t0, t1 in changed)
        if len(spans) > UNION:  # within SQLite's expression depth
            spans = [(spans[0][0], max(hi for _, hi in spans))]
        q = q.where(PRESENCE.c.t0 <= spans[-1][1], PRESENCE.c.t1 >= spans[0][0],
                    or_(*(and_(PRESENCE.c.t0 <= hi, PRESENCE.c.t1 >= lo)
                          for lo, hi in spans)))  # fmt: skip
        asked.append((officer, agency))
        queries.append(q)
    rows: dict[tuple[str, str], dict[int, Any]] = defaultdict(dict)
    for group, got in zip(asked, _union(conn, queries), strict=True):
        rows[group] |= {r.id: r for r in got}
    for group, got in _whole(conn, PRESENCE, PRESENCE.c.officer, out.officers) if full else ():
        rows[group] = {r.id: r for r in got}
    for (officer, agency), changed in out.officers.items():
        keys = {(c, s) for c, s, _, _ in changed}
        items = [
            presence.Presence(officer, _time(r.start), _time(r.end),
                              _item(r.case_number, r.seq, r.act, _time(r.start)), r.unit,
                              r.agency)
            for r in rows[(officer, agency)].values()
        ]  # fmt: skip
        found = presence.overlaps_among(items, world.corpus([]), world.limits(agency))
        out.add(a for a in found if any((r.case, r.seq) in keys for r in a.refs))
        if not full:
            out.stale |= {k for k, refs in stored.get((officer, agency), ()) if refs & keys}


def _travel(conn: Connection, world: World, out: Outcome, full: bool) -> None:
    """An officer's consecutive positions around his changed ones: the window from the last
    position before them to the first after them (its pairs are the only ones that changed),
    one window per stretch of changed times, each judged alone."""
    stored = {} if full else _stored_of(conn, presence.TRAVEL, out.travellers)
    windows: list[tuple[str, str, int, int]] = []
    queries = []
    for (officer, agency), changed in [] if full else out.travellers.items():
        mine = and_(FIX.c.officer == officer, FIX.c.agency == agency)
        for lo, hi in _spans(((t, t) for *_, t in changed), conn):
            # the window's bounds are subqueries
            before = select(func.coalesce(func.max(FIX.c.t0), lo)).where(mine, FIX.c.t0 < lo)
            after = select(func.coalesce(func.min(FIX.c.t0), hi)).where(mine, FIX.c.t0 > hi)
            where = and_(mine, FIX.c.t0 >= before.scalar_subquery(),
                         FIX.c.t0 <= after.scalar_subquery())  # fmt: skip
            windows.append((officer, agency, lo, hi))
            queries.append(select(FIX).where(where))
    read: Iterable[tuple[tuple[str, str, int, int], list[Any]]] = (
        (((o, a, 0, 0), got) for (o, a), got in _whole(conn, FIX, FIX.c.officer, out.travellers))
        if full else zip(windows, _union(conn, queries), strict=True)
    )  # fmt: skip
    for (officer, agency, lo, hi), rows in read:
        fixes = [
            presence.Fix(officer, _time(r.start), _time(r.until), (r.lat, r.lon),
                         _item(r.case_number, r.seq, "general.media", _time(r.start)),
                         r.unit, r.agency)
            for r in rows
        ]  # fmt: skip
        out.add(presence.travel_among(fixes, world.corpus([]), world.limits(agency)))
        if not full:
            window = {(r.case_number, r.seq) for r in rows}
            window |= {(c, s) for c, s, t in out.travellers[(officer, agency)] if lo <= t <= hi}
            out.stale |= {k for k, refs in stored.get((officer, agency), ()) if refs <= window}


def _act_item(r: Any) -> Item:
    return _item(r.case_number, r.seq, r.act, _time(r.occurred), _time(r.recorded), r.who)


def _lag_of(conn: Connection, column: Any, who: str, agency: str, n: int
            ) -> tuple[float, list[Any]]:  # fmt: skip
    """The group's median lag and worst entries, read in SQL (only for a group whose median
    may be over the limit: the middle rows are found by OFFSET on the lag index)."""
    where = and_(column == who, ACT.c.agency == agency)
    middle = [float(v) for v in conn.execute(
        select(ACT.c.lag).where(where).order_by(ACT.c.lag).offset((n - 1) // 2).limit(2)
    ).scalars()]  # fmt: skip
    median = middle[0] if n % 2 else statistics.median(middle[:2])
    top = list(conn.execute(select(ACT).where(where).order_by(ACT.c.lag.desc()).limit(5)))
    floor = min(r.lag for r in top)
    ties = list(conn.execute(select(ACT).where(where, ACT.c.lag >= floor)))
    return median, ties


def _over(conn: Connection, column: Any, names: Iterable[str], agency: str,
          limit: float) -> list[tuple[str, int, int]]:  # fmt: skip
    """Each group's count of entries and of entries lagging over ``limit``, one query per
    slice of names: the median is over the limit only if at least half are, so most groups
    need no median at all."""
    over = func.sum(case((ACT.c.lag > limit, 1), else_=0))
    out = []
    for in_names in among(conn, column, sorted(names)):
        q = (select(column, func.count(), over)
             .where(ACT.c.agency == agency, in_names).group_by(column))  # fmt: skip
        out += [(who, int(n), int(k or 0)) for who, n, k in conn.execute(q)]
    return out


def _lags(conn: Connection, world: World, out: Outcome, full: bool) -> None:
    by_agency: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for who, agency in out.people:
        by_agency[agency]["officer"].add(who)
    for unit, agency in out.units:
        by_agency[agency]["unit"].add(unit)
    for agency, scopes in by_agency.items():
        t = world.limits(agency)
        for scope, names in scopes.items():
            column = ACT.c.who if scope == "officer" else ACT.c.unit
            for who, n, over in _over(conn, column, names, agency, t.lag_median_hours * 3600):
                if n < t.lag_min_entries or 2 * over < n:
                    continue  # fewer than half over the limit: the median is not
                median, rows = _lag_of(conn, column, who, agency, n)
                by_item = {(r.case_number, r.seq): r for r in rows}
                top = backfill.worst([_act_item(r) for r in rows])
                first = by_item[(top[0].case, top[0].seq)]
                a = backfill.lag_found(scope, who, n, median, top, (first.unit, first.agency),
                                       world.corpus([]), t)  # fmt: skip
                if a is not None:
                    out.add([a])
    if not full:
        for groups, units in ((out.people, False), (out.units, True)):
            for stored in _stored_of(conn, backfill.LAG, groups, units).values():
                out.stale |= {k for k, _ in stored}


def _spans(ranges: Iterable[tuple[int, int]], conn: Connection | None = None
           ) -> list[tuple[int, int]]:  # fmt: skip
    """The changed times as a few ranges, those less than a day apart joined: a batch's cases
    may lie years apart, and one range from the first to the last read an officer's whole
    history. On SQLite (``conn``), a small instance's store without round trips, one range:
    a query per range cost more there than reading the whole history."""
    join = JOIN_SECONDS if conn is None or conn.dialect.name == "postgresql" else 1 << 62
    out: list[tuple[int, int]] = []
    for lo, hi in sorted(ranges):
        if out and lo - out[-1][1] <= join:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out


def _stretches(conn: Connection, asked: list[tuple[Any, int, int, int]]) -> list[list[Any]]:
    """Each (where, lo, hi, gap)'s acts from ``lo`` to ``hi`` widened to the pauses around
    (longer than a sitting's ``gap``): a sitting never crosses one, so a stretch is judged
    alone. All are widened together, a statement per step."""
    spans = [(lo, hi) for _, lo, hi, _ in asked]
    rows: list[list[Any]] = [[] for _ in asked]
    todo = list(range(len(asked)))
    while todo:
        queries = []
        for i in todo:
            where, _, _, gap = asked[i]
            lo, hi = spans[i]
            queries.append(select(ACT).where(
                where, ACT.c.t_recorded >= lo - gap, ACT.c.t_recorded <= hi + gap))  # fmt: skip
        wider = []
        for i, got in zip(todo, _union(conn, queries), strict=True):
            rows[i] = got
            if not got:
                continue
            lo, hi = spans[i]
            new_lo = min(r.t_recorded for r in got)
            new_hi = max(r.t_recorded for r in got)
            if new_lo < lo or new_hi > hi:
                spans[i] = (min(lo, new_lo), max(hi, new_hi))
                wider.append(i)
        todo = wider
    return rows


def _sittings(conn: Connection, world: World, out: Outcome, full: bool) -> None:
    stored = {} if full else _stored_of(conn, backfill.SESSION, out.people)
    groups: list[tuple[str, str]] = []
    asked: list[tuple[Any, int, int, int]] = []
    for (who, agency), times in [] if full else out.people.items():
        gap = int(timedelta(minutes=world.limits(agency).session_gap_minutes).total_seconds())
        where = and_(ACT.c.who == who, ACT.c.agency == agency)
        for lo, hi in _spans(((x, x) for x in times), conn):
            groups.append((who, agency))
            asked.append((where, lo, hi, gap))
    found: dict[tuple[str, str], dict[tuple[str, int], Any]] = defaultdict(dict)
    for group, got in zip(groups, _stretches(conn, asked), strict=True):
        found[group] |= {(r.case_number, r.seq): r for r in got}
    for group, got in _whole(conn, ACT, ACT.c.who, out.people) if full else ():
        found[group] = {(r.case_number, r.seq): r for r in got}
    for who, agency in out.people:
        t = world.limits(agency)
        rows = list(found[(who, agency)].values())
        items = [_act_item(r) for r in rows]
        where_of = {r.case_number: (r.unit, r.agency) for r in rows}
        window = {(r.case_number, r.seq) for r in rows}
        out.add(backfill.sessions_of(who, items, where_of, world.corpus([]), t))
        if not full:
            out.stale |= {k for k, refs in stored.get((who, agency), ()) if refs & window}


def _row(a: Anomaly, found_at: str) -> dict[str, Any]:
    return {
        "key": a.key, "kind": a.kind, "severity": a.severity.value, "agency": a.agency or None,
        "unit": a.unit or None, "officer": a.officer or None, "explanation": a.explanation,
        "refs": json.dumps([{"case": r.case, "seq": r.seq} for r in a.refs]),
        "detail": json.dumps(a.detail, ensure_ascii=False), "found_at": found_at, "active": True,
    }  # fmt: skip


def write(conn: Connection, out: Outcome, now: str, *, full: bool = False) -> None:
    """Store what was found (first-found time kept) and make inactive what was judged again
    and not found: never deleted, a supervisor's review names it. A row found again as it
    was is not rewritten (most of a catch-up's, all of a rescan's): only made active again.
    ``full``: a full scan, which emptied ``anomaly_ref``."""
    keys = sorted(out.found)
    known: dict[str, Any] = {}
    for in_keys in among(conn, ANOMALY.c.key, keys):
        known |= {r.key: r for r in conn.execute(select(ANOMALY).where(in_keys))}
    gone = sorted(out.stale - set(out.found))
    for in_keys in among(conn, ANOMALY.c.key, gone):
        conn.execute(update(ANOMALY).where(in_keys).values(active=False))
    insert_rows(conn, ANOMALY, [_row(a, now) for k, a in out.found.items() if k not in known])
    refs = {(a.key, r.case) for a in out.found.values() if full or a.key not in known
            for r in a.refs}  # fmt: skip
    revived: list[str] = []
    for k, a in out.found.items():
        old = known.get(k)
        if old is None:
            continue
        row = _row(a, old.found_at)
        if all(getattr(old, c) == v for c, v in row.items() if c != "active"):
            if not old.active:
                revived.append(k)
            continue
        conn.execute(update(ANOMALY).where(ANOMALY.c.key == k).values(**row))
        cases = {r["case"] for r in json.loads(old.refs)}
        if not full and (not old.active or cases != {r.case for r in a.refs}):
            conn.execute(delete(REF).where(REF.c.key == k))
            refs |= {(k, r.case) for r in a.refs}
    # an inactive anomaly may have lost its refs to a full scan (which empties them)
    for in_keys in among(conn, REF.c.key, [] if full else revived):
        conn.execute(delete(REF).where(in_keys))
    refs |= {(k, r.case) for k in ([] if full else revived) for r in out.found[k].refs}
    for in_keys in among(conn, ANOMALY.c.key, revived):
        conn.execute(update(ANOMALY).where(in_keys).values(active=True))
    insert_rows(conn, REF, [{"key": k, "case_number": c} for k, c in sorted(refs)])


def analyze(conn: Connection, tables: Iterable[Any] = INDEX) -> None:
    """Renew PostgreSQL's statistics of tables that just grew a lot: planned on stale ones, a
    posting lookup scanned the whole table instead of its index."""
    if conn.dialect.name == "postgresql":
        for table in tables:
            conn.exec_driver_sql(f"ANALYZE {table.name}")


def reset(conn: Connection) -> None:
    """Empty the index (a full scan fills it again) and mark every anomaly inactive. On
    PostgreSQL by TRUNCATE (transactional there): deleting millions of rows one by one took
    longer than the rows' writing, and left them all dead behind (autovacuum may be off)."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"TRUNCATE {', '.join(t.name for t in INDEX)}")
    else:
        for table in INDEX:
            conn.execute(delete(table))
    conn.execute(update(ANOMALY).values(active=False))


def unindexed(conn: Connection, tables: Iterable[Any] = INDEX) -> list[Any]:
    """PostgreSQL, a full scan on emptied tables: drop their secondary indexes (within the
    scan's transaction) and return them for :func:`reindexed`. Building an index once over
    millions of rows cost a fraction of keeping it up to date row by row (the postings: 8.4 s
    for 925,000 rows with their indexes, 3.7 s without them and building them after)."""
    if conn.dialect.name != "postgresql":
        return []
    dropped = [ix for t in tables for ix in sorted(t.indexes, key=lambda i: str(i.name))
               if not ix.unique]  # fmt: skip
    for ix in dropped:
        ix.drop(conn, checkfirst=True)
    if dropped:
        conn.exec_driver_sql("SET LOCAL maintenance_work_mem = '256MB'")
    return dropped


def reindexed(conn: Connection, dropped: list[Any], tables: Iterable[Any]) -> None:
    """Build again the indexes :func:`unindexed` dropped of these tables, then their
    statistics."""
    mine = set(tables)
    for ix in dropped:
        if ix.table in mine:
            ix.create(conn, checkfirst=True)
    analyze(conn, [t for t in INDEX if t in mine])


def refs_of_all(conn: Connection) -> None:
    """The ``anomaly_ref`` rows of anomalies stored before the index existed."""
    rows = [{"key": k, "case_number": c}
            for k, refs in conn.execute(select(ANOMALY.c.key, ANOMALY.c.refs))
            for c in sorted({r["case"] for r in json.loads(refs)})]  # fmt: skip
    if rows:
        conn.execute(insert(REF), rows)
