"""The search as SQL: the full-text match of each database, the reader's scope and marks.

Every condition is part of the query that takes the pool of newest matches (counted up to a
cap, then ranked) and again of the one that reads the page's rows: the reader's visibility
(``accounts.service.case_scope``), the marks (a row under a mark he may not read is not
matched at all, so it is neither counted nor shown) and the kinds he may find (a
source's ``readers``). SQLite matches the FTS5 table ``search_fts`` and ranks by ``bm25`` (a
word in the title counts ten times one in the text); PostgreSQL matches and ranks by the
stored weighted tsvector ``search_doc.search_vector`` (migration 0018: the title's words
weighted A, the text's B, a generated column under a GIN index), so neither computes a
tsvector at search time.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Integer,
    Select,
    String,
    and_,
    any_,
    bindparam,
    false,
    func,
    literal,
    literal_column,
    or_,
    select,
    table,
)
from sqlalchemy.dialects.postgresql import ARRAY

from liuhen.access.marks import MARKS, may_see
from liuhen.access.policy import User
from liuhen.accounts.service import Scope, cases_in
from liuhen.kernel.db import store
from liuhen.search.index import DOC

CASE = store.CASE
FTS = table("search_fts")
TITLE_WEIGHT = 10.0
FIRST = 5_000  # index rows: the newest slice a pool is looked for in first (``newest``)
GROWTH = 4  # each further slice at least this many times the last


def _prefix(term: str) -> bool:
    """Words match as prefixes (许可 finds 许可证), and long numbers (the start of an ID number);
    a short number only whole (3号's 3 must not find 30号)."""
    return not (term.isdigit() and len(term) < 4)


def _fts5(terms: list[str]) -> str:
    """An FTS5 query: every term, quoted (quotes keep its text literal), words as prefixes."""
    return " AND ".join(
        '"' + t.replace('"', '""') + '"' + ("*" if _prefix(t) else "") for t in terms
    )


def _tsquery(terms: list[str]) -> str:
    """A tsquery text: every term a quoted lexeme, words as prefixes."""
    return " & ".join(
        "'" + t.replace("'", "''").replace("\\", "\\\\") + "'" + (":*" if _prefix(t) else "")
        for t in terms
    )


def _matched(dialect: str, terms: list[str]) -> tuple[Any, ColumnElement[Any], ColumnElement[Any]]:
    """The FROM clause, the match condition and the rank (higher is better) for a dialect."""
    if dialect == "postgresql":
        # the stored vector (migration 0018), not declared in the models: SQLite has none
        vector: ColumnElement[Any] = literal_column("search_doc.search_vector")
        return DOC, vector.op("@@")(tsquery(terms)), func.ts_rank(vector, tsquery(terms))
    joined = DOC.join(FTS, literal_column("search_fts.rowid") == DOC.c.id)
    match = literal_column("search_fts").op("MATCH")(literal(_fts5(terms)))
    # bm25 is lower for better matches
    rank = -func.bm25(literal_column("search_fts"), TITLE_WEIGHT, 1.0)
    return joined, match, rank


def tsquery(terms: list[str]) -> ColumnElement[Any]:
    return func.to_tsquery(literal_column("'simple'"), literal(_tsquery(terms)))


def _handler_marks(reader: User) -> tuple[list[str], list[str]]:
    """The marks anyone who sees the case may read, and those only its own officers may."""
    anyone = [m for m in MARKS if may_see(reader, m, False)]
    return anyone, [m for m in MARKS if may_see(reader, m, True) and m not in anyone]


def readable(reader: User, own: list[str] | None = None) -> ColumnElement[bool]:
    """Rows whose mark the reader may read: none, one anyone who sees the case may read, or
    one only the case's own officers may (and he is one of them: ``own``, the cases he is
    an officer of, read beforehand; else the joined case's officers)."""
    anyone, handlers = _handler_marks(reader)
    either: list[ColumnElement[bool]] = [DOC.c.mark.is_(None), DOC.c.mark.in_(anyone)]
    if handlers and reader.cert_no:
        on_case = CASE.c.officers.contains(f'"{reader.cert_no}"') if own is None else _among(own)
        either.append(and_(DOC.c.mark.in_(handlers), on_case))
    return or_(*either)


def _among(numbers: list[str]) -> ColumnElement[bool]:
    """The row's case is one of ``numbers``: one array parameter, however many (PostgreSQL)."""
    return DOC.c.case_number == any_(bindparam(None, numbers, type_=ARRAY(String)))


@dataclass(frozen=True, slots=True)
class Visible:
    """The cases whose rows a reader may find, read once per search (PostgreSQL): those in
    his scope (None: every case) and those he is an officer of (for the marks only a case's
    own officers may read)."""

    cases: list[str] | None
    own: list[str]


def visible(conn: Connection, reader: User, scope: Scope) -> Visible:
    """The reader's cases as lists, so that the pool's queries read ``search_doc`` alone: joined
    to ``case_record``, every slice of ``newest`` read the whole case table again (its
    officers are JSON text, no index), and the planner could not combine the cases' rows
    (the case-number index) with the matches (the GIN index) before reading either."""
    _anyone, handlers = _handler_marks(reader)
    mine = CASE.c.officers.contains(f'"{reader.cert_no}"') if handlers and reader.cert_no else None
    scoped = cases_in(scope)
    if scoped is None:
        if mine is None:
            return Visible(None, [])
        return Visible(None, list(conn.execute(select(CASE.c.number).where(mine)).scalars()))
    own = (mine if mine is not None else false()).label("own")
    found = conn.execute(select(CASE.c.number, own).where(scoped)).all()
    return Visible([r.number for r in found], [r.number for r in found if r.own])


def conditions(
    dialect: str, terms: list[str], reader: User, scope: Scope, kinds: Collection[str],
    cases: Visible | None = None,
) -> tuple[Any, list[ColumnElement[bool]], ColumnElement[Any]]:  # fmt: skip
    """The FROM clause, the conditions and the rank: the rows joined to their case, or, given
    the reader's ``cases`` (PostgreSQL), the rows alone, their case among those."""
    source, match, rank = _matched(dialect, terms)
    kind = DOC.c.kind.in_(list(kinds)) if kinds else false()
    if cases is not None:
        cond = [match, readable(reader, cases.own), kind]
        if cases.cases is not None:
            cond.append(_among(cases.cases))
        return source, cond, rank
    joined = source.join(CASE, CASE.c.number == DOC.c.case_number)
    cond = [match, readable(reader), kind]
    scoped = cases_in(scope)
    if scoped is not None:
        cond.append(scoped)
    return joined, cond, rank


@dataclass(frozen=True, slots=True)
class Pooled:
    """A match of the pool: its row, kind, case and rank."""

    id: int
    kind: str
    case_number: str
    rank: float


def pool(
    dialect: str, joined: Any, cond: list[ColumnElement[bool]], rank: ColumnElement[Any], n: int,
    window: tuple[int, int] | None = None,
) -> Select[Any]:  # fmt: skip
    """The newest ``n`` matches the reader may find (highest ``id`` first: the order the index
    wrote them in, which is the journal's, a case's header and a source's text rewritten when
    they change), each with its kind and case, on SQLite with its rank; on PostgreSQL among the
    ids of ``window`` (low, high], ranked afterwards (``ranks``). The page is ranked among them.

    Ranking every match does not scale: "当事人" matched 146,000 rows at 10,000 cases, and
    ``ts_rank`` over all of them and their sort took seconds. SQLite's FTS5 gives its matches
    in rowid order itself, ``bm25`` computed per row it gives; PostgreSQL's pool is read
    slice by slice (``newest``)."""
    # on SQLite the FTS5 table's rowid (the same number), an order FTS5 gives without a sort
    order = DOC.c.id if dialect == "postgresql" else literal_column("search_fts.rowid")
    bounds = [] if window is None else [DOC.c.id > window[0], DOC.c.id <= window[1]]
    newest = (
        select(DOC.c.id, DOC.c.kind, DOC.c.case_number)
        .select_from(joined)
        .where(*cond, *bounds)
        .order_by(order.desc())
        .limit(n)
    )
    if dialect == "postgresql":
        return newest
    return newest.add_columns(rank.label("rank"))


def ranks(terms: list[str], ids: list[int]) -> Select[Any]:
    """PostgreSQL: the rank of each pooled row, from its stored vector, read by id."""
    vector: ColumnElement[Any] = literal_column("search_doc.search_vector")
    ids_of = bindparam(None, ids, type_=ARRAY(Integer))
    return select(DOC.c.id, func.ts_rank(vector, tsquery(terms)).label("rank")).where(
        DOC.c.id == any_(ids_of)
    )


def newest(
    conn: Connection, dialect: str, terms: list[str], joined: Any,
    cond: list[ColumnElement[bool]], rank: ColumnElement[Any], n: int,
) -> list[Pooled]:  # fmt: skip
    """``pool``'s rows with their ranks. On PostgreSQL read slice by slice of the newest index
    rows until ``n`` are found or the index is read: the same rows as one query over all of
    it, since every slice's ids lie below the last's.

    One query over the whole index let the planner choose between walking the primary key
    backwards, testing each row's stored vector (it thinks that cheap: it is not, each is
    decompressed), and reading every match through the GIN index before sorting them. Both
    grew with the index: a phrase of words found together in a tenth of the rows (陈述申辩),
    or an officer's word common in other units' cases but rare in his, took 0.4–2.5 s at
    10,000 cases. Now the first slice is the newest ``FIRST`` rows, read as the planner likes
    (a common word fills the pool there); the next is sized from the matches found so far
    (twice the rows they suggest are needed, all the rest when none were found, at least
    ``GROWTH`` times the last slice, so that a thinning tail takes few steps) and read only
    through bitmaps: the GIN index's matches intersected with the slice's ids or the reader's
    cases, so only those matches are read from the table."""
    if dialect != "postgresql":
        return [
            Pooled(int(r.id), r.kind, r.case_number, float(r.rank or 0.0))
            for r in conn.execute(pool(dialect, joined, cond, rank, n))
        ]
    first, last = conn.execute(select(func.min(DOC.c.id), func.max(DOC.c.id))).one()
    bottom, top = int(first or 1) - 1, int(last or 0)  # a rebuild's rows number on, not from 1
    high, low, width = top, max(bottom, top - FIRST), FIRST
    found = list(conn.execute(pool(dialect, joined, cond, rank, n, (low, high))).all())
    while len(found) < n and low > bottom:
        # at least four times the last slice: the matches may thin out further back
        guess = (n - len(found)) * (top - low) * 2 // len(found) if found else low
        width = max(guess, width * GROWTH)
        high, low = low, max(bottom, low - width)
        # (an error aborts the transaction, and with it this setting)
        conn.exec_driver_sql("SET LOCAL enable_indexscan = off")
        found += conn.execute(pool(dialect, joined, cond, rank, n - len(found), (low, high)))
        conn.exec_driver_sql("SET LOCAL enable_indexscan = DEFAULT")
    if not found:
        return []
    by_id = {
        int(r.id): float(r.rank or 0.0) for r in conn.execute(ranks(terms, [r.id for r in found]))
    }
    return [Pooled(int(r.id), r.kind, r.case_number, by_id.get(int(r.id), 0.0)) for r in found]


def _cause() -> Any:
    """The row's case's cause, whether or not ``joined`` holds the case."""
    return (
        select(CASE.c.cause)
        .where(CASE.c.number == DOC.c.case_number)
        .correlate_except(CASE)
        .scalar_subquery()
        .label("cause")
    )


def rows(joined: Any, cond: list[ColumnElement[bool]], ids: list[int]) -> Select[Any]:
    """The page's rows, by id, under the same conditions again (a mark written since the pool
    was read is obeyed)."""
    return (
        select(
            DOC.c.id,
            DOC.c.case_number,
            DOC.c.kind,
            DOC.c.seq,
            DOC.c.title,
            DOC.c.body,
            DOC.c.mark,
            _cause(),
        )
        .select_from(joined)
        .where(*cond, DOC.c.id.in_(ids))
    )
