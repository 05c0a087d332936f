"""Keeping the index: a cursor over journal positions, caught up before a search reads.

``search_state['cursor']`` is the last journal seq whose entry is indexed. ``catch_up`` reads the
entries after it in chunks and, per chunk and outside any write lock, works out the rows: each
touched case's header again (its cause or parties may have changed), one row per new entry with
text, the sources' texts (compliance findings, anomalies) of the touched cases, and every row's
mark when a confidentiality entry came in. It then writes them in one write transaction that
first checks the cursor is still where it read it (another process may have indexed the chunk
meanwhile: then it starts over from the new cursor). Entries become visible in seq order (every
append locks the journal head), so a cursor misses none.

A source's text may also expire without a new entry: a deadline passes (its ``due_at``), or the
rules it was judged by change (its key in ``search_state``); those cases are collected again.
``liuhen journal rebuild`` empties both tables; with no cursor the index starts from seq 0.
"""

from __future__ import annotations

import json
import logging
import time
import weakref
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, and_, bindparam, delete, insert, select, update

from liuhen.access.marks import Marks, strictest
from liuhen.accounts.service import entry_files, marks_from
from liuhen.errors import LiuhenError
from liuhen.kernel.db import store
from liuhen.kernel.db.engine import write_transaction
from liuhen.kernel.db.rows import insert_rows
from liuhen.kernel.instance import App
from liuhen.search import segment, texts

log = logging.getLogger(__name__)
DOC = store.T["search_doc"]
STATE = store.T["search_state"]
ENTRY = store.ENTRY
CASE = store.CASE
CURSOR = "cursor"
CHUNK = 2000  # entries per transaction
DELETE_BATCH = 500  # case numbers per DELETE of the texts a chunk rewrites
ANALYZE_AFTER = 500  # entries indexed at once after which PostgreSQL's statistics are renewed
VACUUM_AFTER = 50_000  # … and after which the table is vacuumed too
MARK = "general.confidentiality"
FAILED = "(failed)"  # a source's key when it could not be read: the next success redoes all
# per database: each source kind's key and when this process computed it
_KNOWN: weakref.WeakKeyDictionary[Engine, dict[str, tuple[float, str]]] = (
    weakref.WeakKeyDictionary()
)


@dataclass(frozen=True, slots=True)
class Found:
    """A text a source found for a case: a title, the text, and when it stops being true (a
    deadline then passed: UTC, ``...+00:00``), if it can."""

    title: str
    body: str
    due_at: str | None = None


Collect = Callable[[App, Sequence[str], datetime], dict[str, list[Found]]]


@dataclass(frozen=True)
class Source:
    """Texts of a case that are not entries, from a feature the composer passes in: the
    compliance findings (``kind`` ``finding``), the supervision's anomaly explanations.

    ``collect`` gives the texts of the cases named (all of them at once); ``key`` names what
    they were computed under (the rules in force), so that a change re-collects every case;
    ``readers`` are the roles who may find them (None: whoever may see the case);
    ``key_reused`` lets a costly key be reused that long, when only a journaled change or a
    file edited on disk can change it."""

    kind: str
    label: str
    collect: Collect
    key: Callable[[App], str] = field(default=lambda _app: "")
    readers: frozenset[str] | None = None
    key_reused: float = 0.0  # seconds a key computed by this process is reused (``_keys``)


@dataclass
class _Chunk:
    """What one round writes."""

    start: int
    end: int
    headers: dict[str, texts.Text] = field(default_factory=dict)
    entries: dict[str, list[texts.Text]] = field(default_factory=dict)
    found: dict[tuple[str, str], list[Found]] = field(default_factory=dict)  # (kind, case)
    marks: dict[str, dict[int | None, str | None]] = field(default_factory=dict)  # case → seq →
    remarked: set[str] = field(default_factory=set)  # cases whose older rows' marks may change
    keys: dict[str, str] = field(default_factory=dict)
    now: str = ""  # UTC text: a source's ``due_at`` not after it is no longer a reason to redo
    rows: list[dict[str, Any]] = field(default_factory=list)  # segmented, ready to insert

    def segment(self) -> None:
        """The rows to insert, their texts cut into words: before the write transaction, which
        then holds the index's lock only while it writes."""
        for number, header in self.headers.items():
            marks = self.marks.get(number, {})
            self.rows.append(_row(number, header, "case", None, marks.get(None)))
            for t in self.entries.get(number, []):
                self.rows.append(_row(number, t, t.kind, t.seq, marks.get(t.seq)))
        for (kind, number), found in self.found.items():
            mark = self.marks.get(number, {}).get(None)
            self.rows += [_row(number, f, kind, None, mark, self.now) for f in found]


def utc_text(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def cursor(conn: Connection) -> int | None:
    value = conn.execute(select(STATE.c.value).where(STATE.c.name == CURSOR)).scalar()
    return None if value is None else int(value)


def catch_up(app: App, sources: Sequence[Source], now: datetime) -> int:
    """Index what was journaled since the cursor, and re-collect the sources' expired texts;
    returns the entries read. Cheap when nothing is new: two small queries."""
    done = 0
    if app.engine.dialect.name == "postgresql":
        done = _pipelined(app, sources, now)
    else:
        while True:
            chunk = _read(app, sources, now)
            if chunk is None:
                break
            if _write(app, chunk):
                done += chunk.end - chunk.start
    if done >= ANALYZE_AFTER and app.engine.dialect.name == "postgresql":
        # fresh statistics, or the planner guesses a handful of rows, prefers the kind index and
        # computes every row's tsvector (seconds) instead of asking the GIN index (milliseconds)
        # after a whole journal (a rebuild) a vacuum as well: the rows' visibility hints set
        # once, not by the first searches (the first round of 50 words after rebuilding 10,000
        # cases: p95 930 ms instead of 160), and the texts rewritten chunk by chunk let go
        sql = "VACUUM (ANALYZE) search_doc" if done >= VACUUM_AFTER else "ANALYZE search_doc"
        with app.engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(sql)
    return done


def _pipelined(app: App, sources: Sequence[Source], now: datetime) -> int:
    """``catch_up``'s rounds with each chunk read (and segmented) while the one before it is
    written: the database builds the rows' vectors and their GIN entries meanwhile, a third
    of the time of indexing a whole journal. A chunk is read from where the one being written
    ends, as if its keys were written; if that write finds the cursor moved (another process
    indexed the chunk), the chunk read after it is dropped and reading starts over."""
    done = 0
    with ThreadPoolExecutor(1, thread_name_prefix="search-index") as writer:
        pending: tuple[_Chunk, Future[bool]] | None = None
        while True:
            chunk = _read(app, sources, now, pending[0] if pending else None)
            if pending is not None:
                if pending[1].result():
                    done += pending[0].end - pending[0].start
                else:  # read as if the write had been done: drop it, start from the cursor
                    chunk = _read(app, sources, now)
                pending = None
            if chunk is None:
                return done
            pending = (chunk, writer.submit(_write, app, chunk))


def _read(
    app: App, sources: Sequence[Source], now: datetime, after: _Chunk | None = None
) -> _Chunk | None:
    """The next chunk from the cursor, or from the end of ``after`` (a chunk being written,
    its sources' keys taken as written)."""
    with app.engine.connect() as conn:
        start = after.end if after is not None else cursor(conn) or 0
        rows = conn.execute(
            select(ENTRY.c.seq, ENTRY.c.chain, ENTRY.c.chain_seq, ENTRY.c.act, ENTRY.c.body)
            .where(ENTRY.c.seq > start)
            .order_by(ENTRY.c.seq)
            .limit(CHUNK)
        ).all()
        end = int(rows[-1].seq) if rows else start
        chains = list(dict.fromkeys(r.chain for r in rows))
        cases = {
            r.number: r
            for r in conn.execute(
                select(CASE.c.number, CASE.c.cause, CASE.c.summary, CASE.c.parties).where(
                    CASE.c.number.in_(chains)
                )
            )
        } if chains else {}  # fmt: skip
        # an entry of no case (the registry, a pack or a setting changed): the keys afresh
        keys, sources = _keys(app, sources, fresh=len(cases) < len(chains))
        stale = _expired(conn, sources, keys, now, start, after.keys if after else {})
        if not rows and not stale:
            return None
        chunk = _Chunk(start, end, keys=keys, now=utc_text(now))
        by_case: dict[str, list[Any]] = {}
        parsed: dict[int, dict[str, Any]] = {}  # seq → body, read once for the texts and marks
        for r in rows:
            if r.chain in cases:
                by_case.setdefault(r.chain, []).append(r)
        for number, new in by_case.items():
            case = cases[number]
            chunk.headers[number] = texts.header(number, case.cause, case.summary, case.parties)
            bodies = {int(r.seq): json.loads(r.body) for r in new}
            parsed.update(bodies)
            found = [texts.entry(int(r.seq), r.act, bodies[int(r.seq)]) for r in new]
            chunk.entries[number] = [t for t in found if t is not None]
            if any(r.act == MARK for r in new):
                chunk.remarked.add(number)
        complete = {n for n, new in by_case.items() if int(new[0].chain_seq) == 1}
        _marks(conn, chunk, by_case, complete, parsed)
        collect = {s.kind: [*by_case, *stale.get(s.kind, ())] for s in sources}
        extra = {n for names in stale.values() for n in names} - set(by_case)
        _marks(conn, chunk, {n: [] for n in extra}, set())
    for source in sources:
        numbers = list(dict.fromkeys(collect[source.kind]))
        if not numbers:
            continue
        try:
            got = source.collect(app, numbers, now)
        except LiuhenError as exc:
            log.warning("search: %s not collected for %d cases: %s", source.kind, len(numbers), exc)
            chunk.keys[source.kind] = FAILED
            continue
        for number in numbers:
            chunk.found[(source.kind, number)] = got.get(number, [])
    chunk.segment()
    return chunk


def _keys(
    app: App, sources: Sequence[Source], fresh: bool = True
) -> tuple[dict[str, str], list[Source]]:
    """Each source's key, and the sources that can be read now. A source that cannot (a rule
    pack edited badly) must not take the search down: its texts stay as they were, its key is
    noted as failed, and once it works again every case is collected anew.

    Unless ``fresh``, a key this process computed less than the source's ``key_reused``
    seconds ago is taken as it is: every search catches up first, and the findings' key (the
    rules in force for every agency) took a dozen queries an agency, a third of a search at
    10,000 cases. What changes that key through the journal (a pack, an agency's settings, the
    registry) is an entry of no case, which asks for the keys afresh; a pack file edited on
    disk is seen within the interval."""
    keys: dict[str, str] = {}
    working: list[Source] = []
    known = _KNOWN.setdefault(app.engine, {})
    clock = time.monotonic()
    for source in sources:
        at, key = known.get(source.kind, (None, None))
        if not fresh and at is not None and key is not None and clock - at < source.key_reused:
            keys[source.kind] = key
            working.append(source)
            continue
        try:
            keys[source.kind] = source.key(app)
        except LiuhenError as exc:
            log.warning("search: %s not collected: %s", source.kind, exc)
            keys[source.kind] = FAILED
            known.pop(source.kind, None)
            continue
        known[source.kind] = (clock, keys[source.kind])
        working.append(source)
    return keys, working


def _expired(
    conn: Connection, sources: Sequence[Source], keys: dict[str, str], now: datetime, start: int,
    writing: dict[str, str],
) -> dict[str, list[str]]:  # fmt: skip
    """Per source kind, the cases whose texts must be collected again: every case indexed so
    far when the rules key changed (or the source is new), else those whose deadline passed.
    ``writing``: the keys a chunk being written will hold."""
    out: dict[str, list[str]] = {}
    for source in sources:
        name = f"source:{source.kind}"
        held = (
            writing.get(source.kind)
            or conn.execute(select(STATE.c.value).where(STATE.c.name == name)).scalar()
        )
        if held != keys[source.kind] and start > 0:
            numbers = conn.execute(select(CASE.c.number)).scalars()
        else:
            numbers = conn.execute(
                select(DOC.c.case_number)
                .where(DOC.c.kind == source.kind, DOC.c.due_at <= utc_text(now))
                .distinct()
            ).scalars()
        found = list(numbers)
        if found:
            out[source.kind] = found
    return out


def _marks(
    conn: Connection, chunk: _Chunk, by_case: dict[str, list[Any]], complete: set[str],
    parsed: dict[int, dict[str, Any]] | None = None,
) -> None:  # fmt: skip
    """Each case's marks now in force, as the rows' marks: an entry's is the strictest covering
    it, the files it names or the record it documents or corrects; the header's and the
    sources' is the whole case's. A case whose first entry is in the chunk has all its entries
    there; the others are read whole."""
    partial = [n for n in by_case if n not in complete]
    rows: dict[str, list[Any]] = {n: list(by_case[n]) for n in complete}
    if partial:
        for r in conn.execute(
            select(ENTRY.c.seq, ENTRY.c.chain, ENTRY.c.act, ENTRY.c.body)
            .where(ENTRY.c.chain.in_(partial))
            .order_by(ENTRY.c.seq)
        ):
            rows.setdefault(r.chain, []).append(r)
    parsed = parsed or {}
    for number, entries in rows.items():
        docs = [
            {"seq": int(r.seq), "act": r.act, **(parsed.get(int(r.seq)) or json.loads(r.body))}
            for r in entries
        ]
        marks = marks_from(docs)
        by_seq: dict[int | None, str | None] = {None: marks.case_mark}
        for d in docs:
            by_seq[d["seq"]] = _entry_mark(marks, d)
        chunk.marks[number] = by_seq


def _entry_mark(marks: Marks, doc: dict[str, Any]) -> str | None:
    fields = doc.get("fields") or {}
    own = marks.of_record(doc["seq"], entry_files(fields, doc.get("attachments")))
    refs = [fields.get("act_seq"), doc.get("corrects")]
    return strictest([own, *(marks.of_entry(r) for r in refs if isinstance(r, int))])


def _row(
    number: str, text: texts.Text | Found, kind: str, seq: int | None, mark: str | None,
    now: str = "",
) -> dict[str, Any]:  # fmt: skip
    """A row; a source's ``due_at`` is kept only while it lies ahead (a deadline already past
    would have the text collected again on every search, and nothing changes until an entry)."""
    due = text.due_at if isinstance(text, Found) and text.due_at and text.due_at > now else None
    return {
        "case_number": number, "kind": kind, "seq": seq, "title": text.title[:200],
        "body": text.body, "title_tokens": segment.title_tokens(text.title),
        "body_tokens": segment.index_tokens(text.body), "mark": mark,
        "due_at": due,
    }  # fmt: skip


def _write(app: App, chunk: _Chunk) -> bool:
    """Write one chunk if the cursor is still where it was read; False: someone else moved it."""
    with write_transaction(app.engine) as conn:
        if conn.dialect.name == "postgresql":  # one indexer at a time, even with no cursor row
            conn.exec_driver_sql("SELECT pg_advisory_xact_lock(7411)")
        held = cursor(conn)
        if (held or 0) != chunk.start:
            return False
        if held is None:  # a rebuild emptied the index (or it never existed): start afresh
            _empty(conn)
        # the texts rewritten whole: the headers, and each source's texts of the cases collected
        replaced: dict[str, list[str]] = {"case": list(chunk.headers)}
        for kind, number in chunk.found:
            replaced.setdefault(kind, []).append(number)
        for kind, numbers in replaced.items():
            for part in range(0, len(numbers), DELETE_BATCH):
                batch = numbers[part : part + DELETE_BATCH]
                conn.execute(delete(DOC).where(DOC.c.kind == kind, DOC.c.case_number.in_(batch)))
        insert_rows(conn, DOC, chunk.rows)  # COPY on PostgreSQL
        _remark(conn, chunk)
        _state(conn, CURSOR, str(chunk.end))
        for kind, key in chunk.keys.items():
            _state(conn, f"source:{kind}", key)
    return True


def _remark(conn: Connection, chunk: _Chunk) -> None:
    """After a confidentiality entry, every older row of its case takes the marks now in force."""
    for number in chunk.remarked:
        marks = chunk.marks[number]
        entries = [{"n": number, "s": s, "m": m} for s, m in marks.items() if s is not None]
        if entries:
            conn.execute(
                update(DOC)
                .where(and_(DOC.c.case_number == bindparam("n"), DOC.c.seq == bindparam("s")))
                .values(mark=bindparam("m")),
                entries,
            )
        conn.execute(
            update(DOC)
            .where(DOC.c.case_number == number, DOC.c.seq.is_(None))
            .values(mark=marks.get(None))
        )


def _state(conn: Connection, name: str, value: str) -> None:
    changed = conn.execute(update(STATE).where(STATE.c.name == name).values(value=value))
    if changed.rowcount == 0:
        conn.execute(insert(STATE).values(name=name, value=value))


def reset(app: App) -> None:
    """Empty the index (as a rebuild does): the next search indexes the whole journal."""
    with write_transaction(app.engine) as conn:
        _empty(conn)


def _empty(conn: Connection) -> None:
    """Both tables emptied; on PostgreSQL truncated: deleted rows keep their space until a
    vacuum (none runs here on its own), and each rebuild of the index at 10,000 cases left
    another 400 MB for every later search to read past (1.2 GB of table after three)."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("TRUNCATE search_doc, search_state")
        return
    conn.execute(delete(DOC))
    conn.execute(delete(STATE))


def kinds(sources: Iterable[Source]) -> dict[str, str]:
    return {s.kind: s.label for s in sources}
