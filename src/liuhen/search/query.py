"""The search as SQL: the full-text match of each database, the reader's scope and marks.

Every condition is part of the one query that is counted (up to a cap) and paged: the
reader's visibility (``accounts.service.case_scope``), the marks (a row under a mark he may not
read is not matched at all, so it is neither counted nor shown) and the kinds he may find (a
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
    Connection,
    Select,
    and_,
    false,
    func,
    literal,
    literal_column,
    or_,
    select,
    table,
    true,
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
        query = func.to_tsquery(literal_column("'simple'"), literal(_tsquery(terms)))
        # the stored vector (migration 0018), not declared in the models: SQLite has none
        vector: ColumnElement[Any] = literal_column("search_doc.search_vector")
        # the matches first, through the GIN index (a materialised CTE is planned on its own):
        # joined to the reader's cases the planner would rather walk every visible case's rows
        # and test each one's vector, slower for an officer who sees many cases
        matched = (
            select(DOC.c.id)
            .where(vector.op("@@")(query))
            .cte("matched")
            .prefix_with("MATERIALIZED")
        )
        joined = DOC.join(matched, matched.c.id == DOC.c.id)
        return joined, true(), func.ts_rank(vector, query)
    joined = DOC.join(FTS, literal_column("search_fts.rowid") == DOC.c.id)
    match = literal_column("search_fts").op("MATCH")(literal(_fts5(terms)))
    # bm25 is lower for better matches
    rank = -func.bm25(literal_column("search_fts"), TITLE_WEIGHT, 1.0)
    return joined, match, rank


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


def page(
    joined: Any, cond: list[ColumnElement[bool]], rank: ColumnElement[Any], limit: int, offset: int
) -> Select[Any]:
    return (
        select(
            DOC.c.case_number,
            DOC.c.kind,
            DOC.c.seq,
            DOC.c.title,
            DOC.c.body,
            DOC.c.mark,
            CASE.c.cause,
            rank.label("rank"),
        )
        .select_from(joined)
        .where(*cond)
        .order_by(rank.desc(), DOC.c.case_number.desc(), DOC.c.id)
        .limit(limit)
        .offset(offset)
    )


def prepare(conn: Connection) -> None:
    """PostgreSQL: match through the GIN index, never by reading every row. The planner does not
    charge for fetching each row's stored tsvector from TOAST, so for a word in a few percent
    of the rows it chose a sequential scan that tests every vector (185 ms at 1,000 cases,
    against 9 ms through the index); the setting lasts for the search's transaction only."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SET LOCAL enable_seqscan = off")


def capped_counts(joined: Any, cond: list[ColumnElement[bool]], cap: int) -> Select[Any]:
    """How many rows of each kind are among the first ``cap`` + 1 matches: every kind's count
    when they are no more than ``cap`` in all (a rare word), else lower bounds; the scan stops
    there. The same conditions as the page, so a row he may not read is not counted."""
    first = select(DOC.c.kind).select_from(joined).where(*cond).limit(cap + 1).subquery()
    return select(first.c.kind, func.count()).group_by(first.c.kind)


def capped_count(joined: Any, cond: list[ColumnElement[bool]], kind: str, cap: int) -> Select[Any]:
    """How many rows of ``kind`` match, counted no further than ``cap`` + 1: a common word
    matches a large part of the index, and counting every match (each joined to its case and
    filtered by the reader's scope and marks) cost seconds; beyond ``cap`` the page says "more
    than". The same conditions as the page, so a row he may not read is not counted."""
    first = select(literal(1)).select_from(joined).where(*cond, DOC.c.kind == kind).limit(cap + 1)
    return select(func.count()).select_from(first.subquery())
