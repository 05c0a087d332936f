"""Full-text search over the cases a reader may see: headers, parties, documents, act notes and
the compliance findings, in Chinese words, best match first, the words found highlighted.

**The index is a cache of the journal.** ``search_doc`` holds one row per text (a case's header,
an entry's fields, a document's content, a source's findings), segmented into words by jieba
and indexed by FTS5 (SQLite) or, on PostgreSQL, a stored weighted tsvector (``search_vector``,
the title's words weighted A) under a GIN index, which the rank reads too. A cursor
(``search_state['cursor']``: the last journal seq indexed) says how far it has read; every
search first indexes the entries after the cursor (``catch_up``, in chunks, each written in
one write transaction that checks the cursor has not moved, so two processes never index an
entry twice), and ``liuhen search --catch-up`` does the same from a job or cron.
``liuhen journal rebuild`` empties the index with the other caches; the next search reads
the whole journal again.

**Who finds what.** A row is found only in a case the reader may see (``case_scope``: his
unit's or agency's, all for supervisors) and only if the confidentiality mark covering it (an
entry's own, the files it names, the record it documents or corrects, the whole case's) is one
he may read: a marked record is neither shown nor counted for someone who may not read it.

**Sources.** Texts that are not entries come from features above or beside this one, passed
in by the composer as ``Source``s: the compliance findings (``findings_source``, from the case
list's ``Judge``) and — the hook for the supervision's anomaly explanations — any other
``Source(kind, label, collect, key, readers)``: ``collect(app, case_numbers, now)`` returns
each case's ``Found`` texts (``due_at`` when a text stops being true), ``key(app)`` what they
were computed under, ``readers`` the roles who may find them (e.g. supervisors only).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from urllib.parse import quote

from liuhen.access.policy import User
from liuhen.accounts.service import case_scope
from liuhen.cases.service import Judge
from liuhen.errors import Problem, SearchQueryError
from liuhen.kernel.instance import App
from liuhen.rules.findings import Severity
from liuhen.search import index, query, segment
from liuhen.search.index import Found as Found
from liuhen.search.index import Source as Source
from liuhen.search.index import catch_up as catch_up
from liuhen.search.index import reset as reset
from liuhen.search.schemas import KindCount, SearchHit, SearchPage, SnippetPart

MAX_QUERY = 100  # characters, as the case list's search
MAX_PAGE = 1000
PER_PAGE = 20
COUNT_CAP = 1000  # matches counted at most, per kind: beyond it "1,000 条以上"
KINDS = {"case": "案件信息", "document": "执法文书", "act": "执法行为记录"}
FINDING = "finding"
OPEN_DEADLINE = (":due", ":overdue")
RULES_KEY_REUSED = 30.0  # seconds: the rules in force are asked again at most this often


def terms_of(q: str) -> tuple[str, list[str]]:
    """The query as typed (spaces folded) and its words, or LH490 saying what is wrong."""
    text = " ".join((q or "").split())
    if not text:
        raise SearchQueryError("请输入搜索词", [Problem("请输入搜索词", "q", kind="required")])
    if len(text) > MAX_QUERY:
        message = f"搜索词不能超过 {MAX_QUERY} 个字"
        raise SearchQueryError(message, [Problem(message, "q", kind="too_long")])
    terms = segment.query_terms(text)
    if not terms:
        message = "搜索词中没有可搜索的文字（只有标点或空格）"
        raise SearchQueryError(message, [Problem(message, "q", kind="text")])
    return text, terms


def kind_labels(sources: Sequence[Source]) -> dict[str, str]:
    return {**KINDS, **index.kinds(sources)}


def _kinds_for(user: User, sources: Sequence[Source]) -> list[str]:
    """The kinds this reader may find: every entry kind, and the sources open to his roles."""
    return [*KINDS, *(s.kind for s in sources if s.readers is None or user.roles & s.readers)]


def search(
    app: App,
    user: User,
    q: str,
    sources: Sequence[Source] = (),
    *,
    kind: str | None = None,
    page: int = 1,
    per_page: int = PER_PAGE,
    cap: int | None = None,
) -> SearchPage:
    """A page of what ``user`` may find for ``q``, best first; ``kind`` narrows to one kind.
    The index is caught up first. Only the newest ``cap`` + 1 matches (``COUNT_CAP``) are
    read: counted (beyond ``cap`` the total and each kind's count are "more than") and ranked
    (beyond it the order is by relevance among those only, and ``ranking`` says so), since
    counting and ranking every match of a common word took seconds and grows with the index.
    Only the page's rows are read whole, highlighted and cut into snippets."""
    text, terms = terms_of(q)
    cap = COUNT_CAP if cap is None else max(1, cap)
    labels = kind_labels(sources)
    if kind and kind not in labels:
        message = f"未知的结果类别“{kind[:40]}”"
        raise SearchQueryError(message, [Problem(message, "kind", kind="choice")])
    if not 1 <= page <= MAX_PAGE:
        raise SearchQueryError(f"页码应在 1–{MAX_PAGE} 之间")
    catch_up(app, sources, app.clock.now())
    allowed = _kinds_for(user, sources)
    dialect = app.engine.dialect.name
    scope = case_scope(app, user)
    with app.engine.connect() as conn:
        cases = None
        if dialect == "postgresql":  # the reader's cases, the pool's slices and the page's rows
            conn.execution_options(isolation_level="REPEATABLE READ")  # see one snapshot
            cases = query.visible(conn, user, scope)
        joined, cond, rank = query.conditions(dialect, terms, user, scope, allowed, cases)
        # the newest cap + 1 matches: every kind's count when there are no more (a rare word);
        # for a common one, lower bounds, and the page is ranked among these only
        pool = query.newest(conn, dialect, terms, joined, cond, rank, cap + 1)
        counted = dict(Counter(r.kind for r in pool))
        capped = set(counted) if len(pool) > cap else set()
        if kind:
            only = [k for k in allowed if k == kind]  # never a kind his roles may not find
            joined, cond, rank = query.conditions(dialect, terms, user, scope, only, cases)
            if capped:  # the kind chosen: its own newest matches, counted up to the cap
                pool = query.newest(conn, dialect, terms, joined, cond, rank, cap + 1)
                counted[kind] = min(len(pool), cap)
                if len(pool) <= cap:
                    capped.discard(kind)
                if not pool:
                    del counted[kind]
            else:
                pool = [r for r in pool if r.kind == kind]
        ranked = _ranked(pool)
        start = (page - 1) * per_page
        chosen = [r.id for r in ranked[start : start + per_page]]
        by_id = {r.id: r for r in conn.execute(query.rows(joined, cond, chosen))} if chosen else {}
    has_more = len(ranked) > start + per_page
    items = [
        SearchHit(
            case_number=r.case_number,
            cause=r.cause,
            kind=r.kind,
            kind_label=labels.get(r.kind, r.kind),
            seq=r.seq,
            title=_parts(segment.highlight(r.title, terms)),
            snippet=_parts(segment.snippet(r.body, terms)),
            url=f"/cases/{quote(r.case_number, safe='')}" + (f"#seq-{r.seq}" if r.seq else ""),
        )
        for r in (by_id[i] for i in chosen if i in by_id)
    ]
    total = counted.get(kind, 0) if kind else min(sum(counted.values()), cap)
    total_capped = kind in capped if kind else bool(capped)
    kinds = [
        KindCount(
            kind=k, label=labels[k], count=counted[k], capped=k in capped,
            text=count_text(counted[k], k in capped),
        )
        for k in labels
        if k in counted
    ]  # fmt: skip
    return SearchPage(
        q=text, terms=terms, kind=kind or None, items=items, total=total,
        total_capped=total_capped, total_text=count_text(total, total_capped), page=page,
        per_page=per_page, has_more=has_more, kinds=kinds, ranked_all=len(pool) <= cap,
        ranking=ranking_text(len(pool), cap),
    )  # fmt: skip


def _ranked(pool: Sequence[Any]) -> list[Any]:
    """Best first; equal ranks by case number (newest first), then as the index wrote them."""
    out = sorted(pool, key=lambda r: r.id)
    out.sort(key=lambda r: r.case_number, reverse=True)
    out.sort(key=lambda r: float(r.rank or 0.0), reverse=True)
    return out


def ranking_text(pooled: int, cap: int) -> str:
    """What the order means, as the page and the API say it: by relevance among every match,
    or, past the cap, among the newest matches only."""
    if pooled <= cap:
        return "按相关程度排列"
    return (
        f"匹配超过 {cap:,} 条，只在最近记录的 {pooled:,} 条中按相关程度排列；增加搜索词可缩小范围"
    )


def count_text(n: int, capped: bool) -> str:
    """A count as the page shows it: "37 条", or "1,000 条以上" when counting stopped."""
    return f"{n:,} 条以上" if capped else f"{n:,} 条"


def _parts(parts: list[segment.Part]) -> list[SnippetPart]:
    return [SnippetPart(text=p.text, hit=p.hit) for p in parts]


def findings_source(judge: Judge) -> Source:
    """The compliance findings of each case (violations and warnings, by their rule's title)
    as a source: collected with the case list's evaluation, again when a deadline they hold
    passes or the rules in force change (asked at most every ``RULES_KEY_REUSED`` seconds,
    and whenever an entry of no case comes in: they take a dozen queries an agency)."""

    def collect(app: App, numbers: Sequence[str], now: datetime) -> dict[str, list[Found]]:
        found = judge.evaluate(app, numbers, now)
        out: dict[str, list[Found]] = {}
        for number, ev in found.items():
            shown = [f for f in ev.findings if f.severity in (Severity.VIOLATION, Severity.WARNING)]
            due = sorted(  # the next deadline still ahead: then a due item turns overdue
                t
                for t in (
                    index.utc_text(datetime.fromisoformat(f.due_at))
                    for f in ev.findings
                    if f.due_at and f.code.endswith(OPEN_DEADLINE)
                )
                if t > index.utc_text(now)
            )
            if not shown:  # nothing to find yet; a row without words remembers the deadline
                out[number] = [Found("", "", due[0])] if due else []
                continue
            titles = list(dict.fromkeys(f.title for f in shown))
            body = "；".join(dict.fromkeys(f"{f.title}：{f.message}" for f in shown))
            out[number] = [
                Found("合规检查发现：" + "、".join(titles), body, due[0] if due else None)
            ]
        return out

    def key(app: App) -> str:
        rules = judge.rules(app)
        return repr((sorted(rules.by_unit.items()), rules.default))[:2000]

    return Source(FINDING, "合规检查发现", collect, key, key_reused=RULES_KEY_REUSED)
