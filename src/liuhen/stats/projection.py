"""The statistics' fact tables, caught up from the journal by position before each read.

``catch_up`` reads the case entries after ``stats_position.seq`` and writes their rows in one
write transaction holding the position row, so two readers never write the same entry twice;
then the rules are run again on the cases those entries touched (``stats_finding``). A read
therefore costs one cheap query when nothing was journaled. ``liuhen journal rebuild`` empties
the tables (they are in ``CACHE_TABLES``); ``rebuild`` here does the same for statistics alone,
and ``verify`` replays the journal in memory and compares. The officers' monthly sums
(``stats.rollup``) are written again for the cases with new acts in the same transaction, and
``verify`` compares them with the acts summed again.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, delete, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from liuhen.compliance import service as compliance
from liuhen.errors import LiuhenError
from liuhen.journal.entry import EVIDENCE_CHAIN, REGISTRY_CHAIN
from liuhen.kernel.db import store
from liuhen.kernel.db.engine import write_transaction
from liuhen.kernel.instance import App
from liuhen.payloads import JsonObject
from liuhen.rules.findings import Evaluation
from liuhen.stats import facts, rollup
from liuhen.stats.facts import Row

log = logging.getLogger(__name__)
T = store.T
CASE = T["stats_case"]
ACT = T["stats_act"]
ACT_OFFICER = T["stats_act_officer"]
FINDING = T["stats_finding"]
POSITION = T["stats_position"]
TABLES = (CASE, ACT, ACT_OFFICER, FINDING, POSITION)
BATCH = 2000  # entries per read while catching up
CHUNK = 400  # cases per evaluation
ANALYZE_AFTER = 5000  # entries caught up at once after which PostgreSQL's statistics are renewed


@dataclass(frozen=True, slots=True)
class CaughtUp:
    """What a catch-up did: the entries read, the cases whose findings were recomputed, and
    the journal position the facts now stand at."""

    entries: int
    cases: int
    position: int


def _position(conn: Connection, lock: bool) -> int:
    stmt = select(POSITION.c.seq).where(POSITION.c.id == 1)
    if lock and conn.dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    found = conn.execute(stmt).scalar()
    return int(found) if found is not None else 0


def _ensure_position_row(app: App, now: str) -> None:
    dialect = postgresql if app.engine.dialect.name == "postgresql" else sqlite
    with write_transaction(app.engine) as conn:
        conn.execute(
            dialect.insert(POSITION)
            .values(id=1, seq=0, caught_up_at=now)
            .on_conflict_do_nothing(index_elements=[POSITION.c.id])
        )


def position(app: App) -> int:
    """The journal position the facts stand at (0: nothing read yet)."""
    with app.engine.connect() as conn:
        return _position(conn, lock=False)


def _journal_size(conn: Connection) -> int:
    return int(conn.execute(select(func.coalesce(func.max(store.ENTRY.c.seq), 0))).scalar_one())


class _Lookups:
    """The registry facts an entry's rows need: a unit's agency, a stored file's duration."""

    def __init__(self, conn: Connection) -> None:
        self.agencies = {
            code: agency
            for code, agency in conn.execute(select(store.UNIT.c.code, store.UNIT.c.agency))
        }
        self.durations: dict[str, int] = {}
        for digest, info in conn.execute(select(store.MEDIA.c.digest, store.MEDIA.c.info)):
            try:
                seconds = float((json.loads(info) or {}).get("duration") or 0)
            except (TypeError, ValueError):
                seconds = 0
            self.durations[digest] = int(seconds)

    def agency_of(self, unit: str) -> str | None:
        return self.agencies.get(unit)

    def media_seconds(self, digest: str) -> int:
        return self.durations.get(digest, 0)


def _case_entries(conn: Connection, after: int, upto: int) -> Iterator[JsonObject]:
    last = after
    while last < upto:
        rows = conn.execute(
            select(store.ENTRY.c.seq, store.ENTRY.c.canonical)
            .where(
                store.ENTRY.c.seq > last,
                store.ENTRY.c.seq <= upto,
                store.ENTRY.c.chain.not_in((REGISTRY_CHAIN, EVIDENCE_CHAIN)),
            )
            .order_by(store.ENTRY.c.seq)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        for seq, data in rows:
            last = int(seq)
            yield json.loads(bytes(data))


def replay(
    entries: Iterator[JsonObject], known: dict[str, Row], lookups: _Lookups
) -> tuple[dict[str, Row], list[Row], list[Row]]:
    """Apply entries over the case rows ``known`` (updated in place): the touched cases' rows,
    the act rows and the act-officer rows they add."""
    touched: dict[str, Row] = {}
    acts: list[Row] = []
    officers: list[Row] = []
    for doc in entries:
        out = facts.apply(doc, known.get(doc["chain"]), lookups.agency_of, lookups.media_seconds)
        if out is None:
            continue
        known[doc["chain"]] = touched[doc["chain"]] = out.case
        acts.append(out.act)
        officers.extend({"seq": doc["seq"], "officer": o} for o in out.officers)
    return touched, acts, officers


def _known_cases(conn: Connection, numbers: Collection[str]) -> dict[str, Row]:
    out: dict[str, Row] = {}
    wanted = sorted(numbers)
    for i in range(0, len(wanted), CHUNK):
        for row in conn.execute(select(CASE).where(CASE.c.number.in_(wanted[i : i + CHUNK]))):
            out[row.number] = facts.case_row_from_db(dict(row._mapping))
    return out


def _chains_after(conn: Connection, after: int, upto: int) -> set[str]:
    return set(
        conn.execute(
            select(store.ENTRY.c.chain)
            .where(
                store.ENTRY.c.seq > after,
                store.ENTRY.c.seq <= upto,
                store.ENTRY.c.chain.not_in((REGISTRY_CHAIN, EVIDENCE_CHAIN)),
            )
            .distinct()
        ).scalars()
    )


def catch_up(app: App) -> CaughtUp:
    """Bring the facts up to the journal's end; cheap when nothing new was journaled."""
    now = app.clock.now()
    with app.engine.connect() as conn:
        if _position(conn, lock=False) >= _journal_size(conn) and _has_position(conn):
            return CaughtUp(0, 0, _position(conn, lock=False))
    _ensure_position_row(app, now.isoformat())
    with write_transaction(app.engine) as conn:
        after = _position(conn, lock=True)
        upto = _journal_size(conn)
        if after >= upto:
            return CaughtUp(0, 0, after)
        known = _known_cases(conn, _chains_after(conn, after, upto))
        touched, acts, officers = replay(_case_entries(conn, after, upto), known, _Lookups(conn))
        _write(conn, touched, acts, officers)
        rollup.caught_up(conn, acts)
        conn.execute(
            update(POSITION)
            .where(POSITION.c.id == 1)
            .values(seq=upto, caught_up_at=now.isoformat())
        )
    refreshed = refresh_findings(app, touched, now)
    if len(acts) >= ANALYZE_AFTER and app.engine.dialect.name == "postgresql":
        # fresh statistics after a large catch-up (a rebuild, an import): the report's grouped
        # counts join the fact tables, and a planner that guesses a handful of rows picks
        # nested loops that take seconds (autovacuum may be off, or not have run yet)
        with app.engine.connect() as conn:
            for table in TABLES:
                conn.exec_driver_sql(f"ANALYZE {table.name}")
            conn.commit()
    return CaughtUp(len(acts), refreshed, upto)


def _has_position(conn: Connection) -> bool:
    return conn.execute(select(POSITION.c.id).where(POSITION.c.id == 1)).first() is not None


def _write(conn: Connection, touched: dict[str, Row], acts: list[Row], officers: list[Row]) -> None:
    numbers = sorted(touched)
    for i in range(0, len(numbers), CHUNK):
        conn.execute(delete(CASE).where(CASE.c.number.in_(numbers[i : i + CHUNK])))
    if touched:
        conn.execute(insert(CASE), [facts.case_row_to_db(r) for r in touched.values()])
    if acts:
        conn.execute(insert(ACT), acts)
    if officers:
        conn.execute(insert(ACT_OFFICER), officers)


def _finding_rows(number: str, ev: Evaluation, dates: dict[int, str], opened: str) -> list[Row]:
    rows = []
    for n, f in enumerate(ev.findings):
        seq = f.seqs[0] if f.seqs else None
        rows.append(
            {
                "case_number": number,
                "n": n,
                "rule": f.rule[:100],
                "code": f.code[:140],
                "severity": f.severity.value,
                "title": f.title[:300],
                "seq": seq,
                "on_date": dates.get(seq, opened) if seq is not None else opened,
            }
        )
    return rows


def refresh_findings(app: App, numbers: Collection[str], now: datetime) -> int:
    """Run the rules again on these cases and replace their finding rows; returns how many.

    A rule pack that cannot be read must not take the statistics down: the cases keep their
    older rows and the next catch-up of those cases tries again."""
    wanted = sorted(numbers)
    done = 0
    for i in range(0, len(wanted), CHUNK):
        part = wanted[i : i + CHUNK]
        try:
            found = compliance.evaluate_cases(app, part, now)
        except LiuhenError as exc:
            log.warning("statistics' findings of %d cases not refreshed: %s", len(part), exc)
            continue
        with app.engine.connect() as conn:
            dates = {
                int(s): d
                for s, d in conn.execute(
                    select(ACT.c.seq, ACT.c.on_date).where(ACT.c.case_number.in_(part))
                )
            }
            opened = {
                n: d
                for n, d in conn.execute(
                    select(CASE.c.number, CASE.c.opened_on).where(CASE.c.number.in_(part))
                )
            }
        rows = [
            r
            for number, ev in found.items()
            if number in opened
            for r in _finding_rows(number, ev, dates, opened[number])
        ]
        with write_transaction(app.engine) as conn:
            conn.execute(delete(FINDING).where(FINDING.c.case_number.in_(list(found))))
            if rows:
                conn.execute(insert(FINDING), rows)
        done += len(found)
    return done


def rebuild(app: App) -> CaughtUp:
    """Empty the fact tables and read the whole journal again."""
    with write_transaction(app.engine) as conn:
        for table in (*TABLES, *rollup.TABLES):
            conn.execute(delete(table))
    return catch_up(app)


@dataclass(frozen=True, slots=True)
class Difference:
    """A fact row the tables hold differently from a replay of the journal."""

    table: str
    key: str
    stored: str
    replayed: str


def verify(app: App) -> list[Difference]:
    """Replay the journal up to the facts' position in memory and compare case, act and
    officer rows with the tables (findings depend on the time the rules ran, so are not), and
    the officers' monthly sums with the act rows summed again.
    Reads only: the tables are compared as they stand, not caught up first."""
    with app.engine.connect() as conn:
        upto = _position(conn, lock=False)
        known: dict[str, Row] = {}
        _, acts, officers = replay(_case_entries(conn, 0, upto), known, _Lookups(conn))
        stored_cases = {
            r.number: facts.case_row_from_db(dict(r._mapping)) for r in conn.execute(select(CASE))
        }
        stored_acts = {int(r.seq): dict(r._mapping) for r in conn.execute(select(ACT))}
        stored_officers = {(int(r.seq), r.officer) for r in conn.execute(select(ACT_OFFICER))}
    out: list[Difference] = []
    out += _compare("stats_case", stored_cases, known)
    out += _compare(
        "stats_act", {str(k): v for k, v in stored_acts.items()}, {str(a["seq"]): a for a in acts}
    )
    with app.engine.connect() as conn:
        out += [Difference(*d) for d in rollup.differences(conn)]
    replayed_officers = {(int(o["seq"]), o["officer"]) for o in officers}
    for seq, officer in sorted(stored_officers ^ replayed_officers):
        held = (seq, officer) in stored_officers
        out.append(
            Difference(
                "stats_act_officer",
                f"{seq}/{officer}",
                "有" if held else "无",
                "无" if held else "有",
            )
        )
    return out


def _compare(table: str, stored: dict[str, Row], replayed: dict[str, Row]) -> list[Difference]:
    out = []
    for key in sorted(set(stored) | set(replayed)):
        a, b = stored.get(key), replayed.get(key)
        if a != b:
            out.append(
                Difference(
                    table,
                    key,
                    json.dumps(a, ensure_ascii=False, sort_keys=True, default=str) if a else "无",
                    json.dumps(b, ensure_ascii=False, sort_keys=True, default=str) if b else "无",
                )
            )
    return out
