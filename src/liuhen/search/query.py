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
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    false,
    func,
    literal,
    literal_column,
    or_,
    select,
    table,
)

from liuhen.access.marks import MARKS, may_see
from liuhen.access.policy import User
from liuhen.accounts.service import Scope, cases_in
from liuhen.kernel.db import store
from liuhen.search.index import DOC

CASE = store.CASE
FTS = table("search_fts")
TITLE_WEIGHT = 10.0


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


def readable(reader: User) -> ColumnElement[bool]:
    """Rows whose mark the reader may read: none, one anyone who sees the case may read, or
    one only the case's own officers may (and he is one of them)."""
    anyone = [m for m in MARKS if may_see(reader, m, False)]
    handlers = [m for m in MARKS if may_see(reader, m, True) and m not in anyone]
    either: list[ColumnElement[bool]] = [DOC.c.mark.is_(None), DOC.c.mark.in_(anyone)]
    if handlers and reader.cert_no:
        on_case = CASE.c.officers.contains(f'"{reader.cert_no}"')
        either.append(and_(DOC.c.mark.in_(handlers), on_case))
    return or_(*either)


def conditions(
    dialect: str, terms: list[str], reader: User, scope: Scope, kinds: Collection[str]
) -> tuple[Any, list[ColumnElement[bool]], ColumnElement[Any]]:
    """The FROM clause (the rows joined to their case), the conditions and the rank."""
    source, match, rank = _matched(dialect, terms)
    joined = source.join(CASE, CASE.c.number == DOC.c.case_number)
    cond = [match, readable(reader), DOC.c.kind.in_(list(kinds)) if kinds else false()]
    scoped = cases_in(scope)
    if scoped is not None:
        cond.append(scoped)
    return joined, cond, rank


def pool(
    dialect: str, joined: Any, cond: list[ColumnElement[bool]], rank: ColumnElement[Any], n: int
) -> Select[Any]:
    """The newest ``n`` matches the reader may find (highest ``id`` first: the order the index
    wrote them in, which is the journal's, a case's header and a source's text rewritten when
    they change), each with its kind, case and rank. The page is ranked among them only.

    Ranking every match does not scale: "当事人" matched 146,000 rows at 10,000 cases, and
    ``ts_rank`` over all of them and their sort took seconds. Taken newest first, a common word
    fills the pool from the last few thousand rows (a backward scan of the primary key that
    tests each row's vector and stops at ``n``), a rare one from its few matches through the
    GIN index; PostgreSQL's planner picks between the two from its statistics of the stored
    vector's words (kept fresh: ``index.catch_up`` analyses the table after a large batch), so
    no setting steers it. The rank is computed over the pool alone, outside its scan (inside,
    a plan through the index would compute it for every match before sorting them).
    SQLite's FTS5 gives its matches in rowid order itself, ``bm25`` computed per row it gives.
    """
    # on SQLite the FTS5 table's rowid (the same number), an order FTS5 gives without a sort
    order = DOC.c.id if dialect == "postgresql" else literal_column("search_fts.rowid")
    newest = (
        select(DOC.c.id, DOC.c.kind, DOC.c.case_number)
        .select_from(joined)
        .where(*cond)
        .order_by(order.desc())
        .limit(n)
    )
    if dialect == "postgresql":
        first = newest.cte("pool").prefix_with("MATERIALIZED")
        return select(first.c.id, first.c.kind, first.c.case_number, rank.label("rank")).join_from(
            first, DOC, DOC.c.id == first.c.id
        )
    return newest.add_columns(rank.label("rank"))


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
            CASE.c.cause,
        )
        .select_from(joined)
        .where(*cond, DOC.c.id.in_(ids))
    )
