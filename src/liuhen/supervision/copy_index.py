"""The copied-transcript detector's state in tables: texts, rare 4-gram postings, 4-gram counts.

A catch-up judges a few hundred new texts against every text indexed before. Asked one text at
a time (its 4-grams' counts, then the texts sharing its rare 4-grams, then each candidate's
text) that was a dozen round trips per text and most of a catch-up's time. So a pass reads up
front, per agency, what its texts can ask: the counts of all their 4-grams in one query, and on
PostgreSQL the stored texts sharing enough of each new text's 4-grams that may still be rare
when its turn comes (a count only grows within a pass, and the bound above which a 4-gram is
boilerplate grows by at most one per hundred texts judged), with the 4-grams they share. SQLite,
in process and without round trips, keeps one counting query per text. The judging itself
(``detectors.copies``) then runs in memory, and what it added is written at the end: postings
through COPY, counts as one upsert.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable

from sqlalchemy import Connection, delete, func, select, text, tuple_
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from liuhen.kernel.db.rows import SLICE_DEFAULT, among, insert_rows, slices
from liuhen.supervision.detectors import copies
from liuhen.supervision.detectors.model import Anomaly
from liuhen.supervision.index import ANOMALY, POSTING, REF, SHINGLE, TEXT, Outcome, World, analyze

VERSIONS = 0  # the shingle row counting an agency's text versions
STALE_SHARE = 0.1  # postings written, as a share of the table, after which statistics are renewed
Key = tuple[str, int]


class SqlStore(copies.MemoryStore):
    """The copies' :class:`~liuhen.supervision.detectors.copies.Store` over the index tables:
    what a pass adds is kept in memory (the :class:`MemoryStore` it extends) over what the
    tables held before it (read by :meth:`prepare`), and written once at its end (``flush``).
    ``empty``: the tables hold nothing (a full scan), so they are not read at all."""

    def __init__(self, conn: Connection, empty: bool = False) -> None:
        super().__init__()
        self.conn, self.empty = conn, empty
        self.loaded: dict[str, set[int]] = defaultdict(set)
        self.dirty: dict[str, set[int]] = defaultdict(set)
        self.dropped: set[Key] = set()
        self.cached: dict[Key, copies.Version] = {}  # texts read from the table
        self.pairs: dict[Key, list[tuple[Key, set[int]]]] = defaultdict(list)
        self.paired: set[Key] = set()  # the new texts whose pairs were read

    def prepare(self, agency: str, items: list[copies.Version], least: int) -> None:
        """Read what judging ``items`` will ask, in a few queries (see the module's note);
        ``least``: the fewest rare 4-grams a candidate shares (``copy_passage_tokens``)."""
        if self.empty:
            return
        grams_of: dict[Key, set[int]] = defaultdict(set)
        for v in items:
            grams_of[(v.case, v.seq)] |= copies.shingles(copies.cut(v.text)[0])
        grams = set().union(*grams_of.values())
        self._load(agency, [*grams, VERSIONS])
        df = self.dfs[agency]
        bound = copies.common_bound(df.get(VERSIONS, 0) + len(items))
        maybe = {s for s in grams if 0 < df.get(s, 0) <= bound}  # no text had the others
        if self.conn.dialect.name == "postgresql":
            self._pairs(agency, {k: g & maybe for k, g in grams_of.items()}, least)

    def _pairs(self, agency: str, grams_of: dict[Key, set[int]], least: int) -> None:
        """PostgreSQL: the stored texts sharing at least ``least`` of each new text's possibly
        rare 4-grams, with the 4-grams they share, counted by the database in one statement
        (the postings themselves were a quarter of a million rows a catch-up)."""
        keys = list(grams_of)
        numbers = [i for i, k in enumerate(keys) for _ in grams_of[k]]
        grams = [s for k in keys for s in grams_of[k]]
        q = text(
            "SELECT t.i, p.case_number, p.seq, array_agg(p.shingle) "
            "FROM unnest(CAST(:i AS int[]), CAST(:s AS bigint[])) AS t(i, shingle) "
            "JOIN anomaly_posting p ON p.agency = :agency AND p.shingle = t.shingle "
            "GROUP BY t.i, p.case_number, p.seq HAVING count(*) >= :least"
        )
        params = {"i": numbers, "s": grams, "agency": agency, "least": least}
        for i, case, seq, shared in self.conn.execute(q, params):
            self.pairs[keys[i]].append(((case, int(seq)), set(shared)))
        self.paired |= set(keys)

    def _load(self, agency: str, shingles: Iterable[int]) -> None:
        if self.empty:
            return
        seen = self.loaded[agency]
        missing = sorted({s for s in shingles if s not in seen})
        seen.update(missing)
        if not missing:
            return
        df = self.dfs[agency]
        for among_ in among(self.conn, SHINGLE.c.shingle, missing):
            q = select(SHINGLE.c.shingle, SHINGLE.c.df).where(SHINGLE.c.agency == agency, among_)
            for s, n in self.conn.execute(q):
                df[s] = n

    def _shared_stored(self, agency: str, grams: list[int], least: int) -> list[tuple[Key, int]]:
        """The stored texts having at least ``least`` of ``grams``, with how many."""
        q = (
            select(POSTING.c.case_number, POSTING.c.seq, func.count())
            .where(POSTING.c.agency == agency)
            .group_by(POSTING.c.case_number, POSTING.c.seq)
        )
        if len(grams) <= SLICE_DEFAULT:  # the usual case: one query, the few texts returned
            q = q.where(POSTING.c.shingle.in_(grams)).having(func.count() >= least)
            return [((c, int(seq)), int(n)) for c, seq, n in self.conn.execute(q)]
        counts: Counter[Key] = Counter()
        for part in slices(self.conn, grams):
            for c, seq, n in self.conn.execute(q.where(POSTING.c.shingle.in_(part))):
                counts[(c, int(seq))] += int(n)
        return [(k, n) for k, n in counts.items() if n >= least]

    def count(self, agency: str) -> int:
        self._load(agency, [VERSIONS])
        return self.dfs[agency].get(VERSIONS, 0)

    def bump(self, agency: str, shingles: set[int]) -> None:
        self._load(agency, [*shingles, VERSIONS])
        df = self.dfs[agency]
        df[VERSIONS] += 1
        df.update(shingles)
        dirty = self.dirty[agency]
        dirty |= shingles
        dirty.add(VERSIONS)

    def df(self, agency: str, shingles: Iterable[int]) -> dict[int, int]:
        grams = list(shingles)
        self._load(agency, grams)
        return super().df(agency, grams)

    def candidates(self, agency: str, rare: set[int], least: int, of: Key) -> set[Key]:
        found = self.sharing(agency, rare, least)  # the texts of this pass
        dropped, mine = self.dropped, self.texts
        shared: Counter[Key] = Counter()  # the stored ones (none is also in memory)
        if self.empty:
            pass
        elif of in self.paired:  # what a stored text shares of ``rare``, out of the pairs
            for key, grams in self.pairs.get(of, ()):
                if key not in dropped and key not in mine:
                    shared[key] += len(grams & rare)
        else:  # SQLite, in process: it counts each text's shared postings itself
            for key, n in self._shared_stored(agency, sorted(rare), least):
                if key not in dropped and key not in mine:
                    shared[key] += n
        found |= {key for key, n in shared.items() if n >= least}
        self._read_texts(found)
        return found

    def _read_texts(self, keys: set[Key]) -> None:
        """The candidates' texts not in memory, in one query."""
        wanted = sorted(k for k in keys if k not in self.texts and k not in self.dropped
                        and k not in self.cached)  # fmt: skip
        if self.empty or not wanted:
            return
        for part in slices(self.conn, wanted):
            q = select(TEXT).where(tuple_(TEXT.c.case_number, TEXT.c.seq).in_(part))
            for r in self.conn.execute(q):
                self.cached[(r.case_number, int(r.seq))] = copies.Version(
                    r.case_number, int(r.seq), int(r.version), r.act, r.field, r.text, r.unit,
                    r.agency, r.party,
                )  # fmt: skip

    def text(self, case: str, seq: int) -> copies.Version | None:
        key = (case, seq)
        if key in self.texts or key in self.dropped or self.empty:
            return super().text(case, seq)
        self._read_texts({key})
        return self.cached.get(key)

    def drop(self, case: str, seq: int) -> None:
        super().drop(case, seq)
        self.dropped.add((case, seq))

    def flush(self, analyze_after: bool = True) -> None:
        """Write what the pass added: the texts it dropped or put, their postings, the counts
        (``analyze_after``: renew the statistics if the postings grew a lot; a full scan
        does that once at its end)."""
        conn = self.conn
        if not self.empty:
            gone = sorted(self.dropped | set(self.texts))
            for part in slices(conn, gone):
                pairs = tuple_(TEXT.c.case_number, TEXT.c.seq).in_(part)
                conn.execute(delete(TEXT).where(pairs))
                conn.execute(delete(POSTING).where(
                    tuple_(POSTING.c.case_number, POSTING.c.seq).in_(part)))  # fmt: skip
        texts = [
            {"case_number": v.case, "seq": v.seq, "agency": v.agency, "unit": v.unit,
             "party": v.party[:200], "act": v.act, "field": v.name, "version": v.version,
             "text": v.text}
            for v, _ in self.texts.values()
        ]  # fmt: skip
        postings = [
            {"agency": v.agency, "shingle": s, "case_number": v.case, "seq": v.seq}
            for v, rare in self.texts.values()
            for s in rare
        ]
        insert_rows(conn, TEXT, texts)
        insert_rows(conn, POSTING, postings)
        counts = [
            (agency, s, self.dfs[agency][s])
            for agency, grams in self.dirty.items()
            for s in sorted(grams)
        ]
        if self.empty:
            insert_rows(conn, SHINGLE, [{"agency": a, "shingle": s, "df": n} for a, s, n in counts])
        else:
            _upsert_counts(conn, counts)
        if analyze_after and (self.empty or _grew(conn, len(postings))):
            analyze(conn, (POSTING, SHINGLE, TEXT))
        self.dirty.clear()


def _upsert_counts(conn: Connection, counts: list[tuple[str, int, int]]) -> None:
    """The 4-grams' new counts, inserted or replaced in one statement (PostgreSQL: arrays
    unnested; SQLite: its upsert, executed many times in C)."""
    if not counts:
        return
    if conn.dialect.name == "postgresql":
        conn.execute(
            text(
                "INSERT INTO anomaly_shingle (agency, shingle, df) "
                "SELECT * FROM unnest(CAST(:a AS text[]), CAST(:s AS bigint[]), CAST(:n AS int[])) "
                "ON CONFLICT (agency, shingle) DO UPDATE SET df = EXCLUDED.df"
            ),
            {"a": [c[0] for c in counts], "s": [c[1] for c in counts],
             "n": [c[2] for c in counts]},
        )  # fmt: skip
        return
    stmt = sqlite_insert(SHINGLE)
    stmt = stmt.on_conflict_do_update(
        index_elements=[SHINGLE.c.agency, SHINGLE.c.shingle], set_={"df": stmt.excluded.df}
    )
    conn.execute(stmt, [{"agency": a, "shingle": s, "df": n} for a, s, n in counts])


def _grew(conn: Connection, written: int) -> bool:
    """Whether PostgreSQL's statistics of the postings are off by more than a tenth (or were
    never gathered): planned on stale ones, a lookup scanned the table instead of its index."""
    if conn.dialect.name != "postgresql" or not written:
        return False
    rows = conn.execute(
        text("SELECT reltuples FROM pg_class WHERE relname = 'anomaly_posting'")
    ).scalar()
    return rows is None or rows <= 0 or written > STALE_SHARE * float(rows)


def judge_texts(conn: Connection, world: World, out: Outcome, *, full: bool = False) -> None:
    """The new text versions, in journal order, against the texts already indexed. A full
    scan judges and writes one agency at a time (agencies share no 4-gram counts or texts):
    every agency's postings in memory at once were gigabytes at 100,000 cases."""
    if not out.texts:
        return
    sql = SqlStore(conn, empty=full)
    found: dict[str, Anomaly] = {}
    by_agency: dict[str, list[copies.Version]] = defaultdict(list)
    for v in out.texts:
        by_agency[v.agency].append(v)
    out.texts = []
    changed: set[Key] = set()
    for agency in list(by_agency):
        mine = by_agency.pop(agency)
        sql.prepare(agency, mine, world.limits(agency).copy_passage_tokens)
        changed |= copies.stream(mine, sql, world.limits(agency), found)
        if full:
            sql.flush(analyze_after=False)
            sql = SqlStore(conn, empty=True)
    if not full:
        sql.flush()
    out.add(found.values())
    if full:
        analyze(conn, (POSTING, SHINGLE, TEXT))
        return
    cases = sorted({c for c, _ in changed})
    for part in slices(conn, cases):
        q = (
            select(ANOMALY.c.key, ANOMALY.c.refs).join(REF, REF.c.key == ANOMALY.c.key)
            .where(REF.c.case_number.in_(part), ANOMALY.c.kind == copies.COPY,
                   ANOMALY.c.active.is_(True))
            .distinct()
        )  # fmt: skip
        for key, refs in conn.execute(q):
            if {(r["case"], int(r["seq"])) for r in json.loads(refs)} & changed:
                out.stale.add(key)
