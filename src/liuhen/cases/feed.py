"""The live feed of acts (实时调阅): what was recorded in the cases a reader oversees, newest first.

001 第二十二条 and 004 ask supervisors to review records as they are made, to find the weak
points while a case is still open. The feed reads the journal itself, not a projection, so an
act shows the moment it is journaled; the page asks for what came after the newest it holds.
Scope is SQL (``case_scope``): a supervisor sees every agency, a head or legal reviewer his
own. A case or entry under a confidentiality mark the reader may not read shows as marked,
without its cause or act. Reading the feed is not a review of any record; opening an act in
place is, and is journaled like the case page (``cases.workflow.act_in_place``).

Filtering by finding needs the rules' evaluation, which is per case: the candidate entries are
read in batches, newest first, their cases judged, and only entries a finding of the wanted
kind names are kept, up to ``SCAN_LIMIT`` entries read, so one request stays bounded.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, select

from liuhen.access.marks import may_see
from liuhen.access.policy import User
from liuhen.accounts.service import case_scope, cases_in, marks_from
from liuhen.cases.summaries import Judge
from liuhen.errors import FeedFilterError, Problem
from liuhen.kernel.db import store
from liuhen.kernel.instance import App
from liuhen.procedure.catalog import act_type
from liuhen.rules.findings import Finding, Severity

ENTRY = store.ENTRY
CASE = store.CASE
UNIT = store.UNIT
VIEW = "general.review_access"
MARK = "general.confidentiality"
PAGE = 30
SCAN_LIMIT = 2000  # entries read at most to fill one page filtered by finding
FINDING_CHOICES = {"violation": "有违规的事项", "warning": "有提示的事项"}


@dataclass(frozen=True, slots=True)
class FeedQuery:
    """The reader's filters; empty strings mean no filter."""

    unit: str = ""
    officer: str = ""  # an officer's cert_no
    act: str = ""  # an act code of the catalog
    finding: str = ""  # "", "violation", "warning" or a rule id

    def params(self) -> dict[str, str]:
        return {k: v for k, v in (("unit", self.unit), ("officer", self.officer),
                                  ("act", self.act), ("finding", self.finding)) if v}  # fmt: skip


@dataclass(frozen=True, slots=True)
class FeedFinding:
    severity: str
    title: str


@dataclass(slots=True)
class FeedItem:
    """One journaled act as the feed lists it."""

    seq: int
    case: str
    act: str
    act_label: str
    occurred_at: str
    recorded_at: str
    unit_name: str
    officers: list[str]  # "姓名（执法证号）"
    cause: str | None  # None: the case's header is under a mark the reader may not read
    withheld: str | None = None  # the mark that hides this entry from the reader
    findings: list[FeedFinding] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class FeedPage:
    items: list[FeedItem]
    newest: int  # the highest journal position the page has seen (for "what came after")
    older: int | None  # pass as ``before`` for the next page; None when there is no more


def read_query(raw: dict[str, str | None], units: dict[str, str]) -> FeedQuery:
    """The filters from a request, refused (LH520) where they name what the reader cannot pick."""
    q = FeedQuery(**{k: (raw.get(k) or "").strip()[:64] for k in ("unit", "officer", "act",
                                                                   "finding")})  # fmt: skip
    problems = []
    if q.unit and q.unit not in units:
        problems.append(Problem("不是您可以查看的执法单位", "unit"))
    if q.act and act_type(q.act) is None:
        problems.append(Problem("事项目录中没有这一事项类型", "act"))
    if problems:
        raise FeedFilterError("筛选条件有误，请按提示修改", problems)
    return q


def _conditions(app: App, user: User, q: FeedQuery) -> list[ColumnElement[bool]]:
    cond: list[ColumnElement[bool]] = [ENTRY.c.act.not_in((VIEW, MARK))]
    scoped = cases_in(case_scope(app, user))
    if scoped is not None:
        cond.append(scoped)
    if q.unit:
        cond.append(CASE.c.unit == q.unit)
    if q.officer:
        cond.append(ENTRY.c.actors.contains(f'"cert_no":{json.dumps(q.officer)}'))
    if q.act:
        cond.append(ENTRY.c.act == q.act)
    return cond


def _rows(conn: Connection, cond: Sequence[ColumnElement[bool]], limit: int) -> list[Any]:
    query = (
        select(ENTRY.c.seq, ENTRY.c.chain, ENTRY.c.act, ENTRY.c.occurred_at,
               ENTRY.c.recorded_at, ENTRY.c.actors, CASE.c.unit, CASE.c.cause, CASE.c.officers)
        .select_from(ENTRY.join(CASE, CASE.c.number == ENTRY.c.chain))
        .where(and_(*cond))
        .order_by(ENTRY.c.seq.desc())
        .limit(limit)
    )  # fmt: skip
    return list(conn.execute(query))


def _wanted(f: Finding, finding: str) -> bool:
    if finding == "violation":
        return f.severity == Severity.VIOLATION
    if finding == "warning":
        return f.severity == Severity.WARNING
    return f.rule == finding


def feed(
    app: App,
    user: User,
    q: FeedQuery,
    judge: Judge,
    *,
    after: int | None = None,
    before: int | None = None,
    now: datetime | None = None,
) -> FeedPage:
    """A page of the acts journaled in the reader's cases: after ``after`` (what is new since the
    page was drawn) or before ``before`` (older pages), newest first."""
    cond = _conditions(app, user, q)
    if after is not None:
        cond.append(ENTRY.c.seq > after)
    rows: list[Any] = []
    findings: dict[str, tuple[Finding, ...]] = {}
    read = 0
    cursor = before
    with app.engine.connect() as conn:
        while len(rows) < PAGE and read < SCAN_LIMIT:
            batch = _rows(conn, [*cond, *([ENTRY.c.seq < cursor] if cursor else [])],
                          PAGE if not q.finding else 200)  # fmt: skip
            if not batch:
                cursor = None
                break
            read += len(batch)
            cursor = int(batch[-1].seq)
            new = sorted({str(r.chain) for r in batch} - set(findings))
            if new:
                judged = judge.evaluate(app, new, now or app.clock.now())
                findings.update({n: judged[n].findings if n in judged else () for n in new})
            for r in batch:
                if not q.finding or any(
                    int(r.seq) in f.seqs and _wanted(f, q.finding) for f in findings[str(r.chain)]
                ):
                    rows.append(r)
            if not q.finding:
                break
        rows = rows[:PAGE]
        older = int(rows[-1].seq) if len(rows) == PAGE else None
        if q.finding and cursor is not None and len(rows) < PAGE:
            older = cursor  # read as far as one request may: the next page goes on from there
        items = _items(app, conn, user, rows, findings)
    newest = max([after or 0, *(i.seq for i in items)])
    return FeedPage(items=items, newest=newest, older=older)


def _items(
    app: App, conn: Connection, user: User, rows: list[Any], findings: dict[str, Any]
) -> list[FeedItem]:
    numbers = sorted({str(r.chain) for r in rows})
    marks = _marks(conn, numbers)
    wanted_units = {str(r.unit) for r in rows}
    unit_rows = conn.execute(select(UNIT.c.code, UNIT.c.name).where(UNIT.c.code.in_(wanted_units)))
    units = {str(c): str(n) for c, n in unit_rows}
    out = []
    for r in rows:
        number, seq = str(r.chain), int(r.seq)
        on_case = bool(user.cert_no) and user.cert_no in json.loads(r.officers)
        m = marks.get(number)
        case_mark = m.case_mark if m else None
        entry_mark = m.of_entry(seq) if m else None
        spec = act_type(str(r.act))
        item = FeedItem(
            seq=seq,
            case=number,
            act=str(r.act),
            act_label=spec.label if spec else str(r.act),
            occurred_at=str(r.occurred_at),
            recorded_at=str(r.recorded_at),
            unit_name=units.get(str(r.unit), str(r.unit)),
            officers=[_officer(a) for a in json.loads(r.actors)],
            cause=str(r.cause) if may_see(user, case_mark, on_case) else None,
        )
        if not may_see(user, entry_mark, on_case):
            item.withheld = f"该记录已标记为{entry_mark}"
        else:
            item.findings = [FeedFinding(str(f.severity), f.title)
                             for f in findings.get(number, ()) if seq in f.seqs]  # fmt: skip
        out.append(item)
    return out


def _officer(actor: Any) -> str:
    """An actor as entries hold him (``{"cert_no", "name"}``; older imports a bare number)."""
    if isinstance(actor, dict):
        cert = str(actor.get("cert_no") or "")
        return f"{actor.get('name') or cert}（{cert}）"
    return str(actor)


def _marks(conn: Connection, numbers: list[str]) -> dict[str, Any]:
    """The marks in force on each case, from its confidentiality entries only."""
    by_case: dict[str, list[dict[str, Any]]] = {}
    rows = conn.execute(
        select(ENTRY.c.seq, ENTRY.c.chain, ENTRY.c.act, ENTRY.c.body)
        .where(ENTRY.c.chain.in_(numbers), ENTRY.c.act == MARK)
        .order_by(ENTRY.c.seq)
    )
    for seq, chain, act, body in rows:
        by_case.setdefault(str(chain), []).append({"seq": int(seq), "act": act, **json.loads(body)})
    return {n: marks_from(es) for n, es in by_case.items()}
