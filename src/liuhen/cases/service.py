"""Reading cases: the list pages and the CLI show, and one case's record in stage order."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, RowMapping, func, select

from liuhen.access.policy import User
from liuhen.accounts.service import (
    Scope,
    case_scope,
    cases_in,
    marks_from,
    record_access,
    redact,
    redact_listing,
)
from liuhen.cases import imports, listing, summaries
from liuhen.cases.imports import import_text as import_text
from liuhen.cases.listing import LIST_CHOICES as LIST_CHOICES
from liuhen.cases.listing import MAX_QUERY as MAX_QUERY
from liuhen.cases.listing import CaseQuery as CaseQuery
from liuhen.cases.listing import read_query as read_query
from liuhen.cases.schemas import CasePage, CaseRecord, CaseSummary, Entry, StageEntries
from liuhen.cases.summaries import Judge as Judge
from liuhen.cases.summaries import RulesInForce as RulesInForce
from liuhen.errors import NotFoundError, Problem, ValidationError
from liuhen.kernel.db import store
from liuhen.kernel.instance import App
from liuhen.procedure.catalog import (
    CASE_STAGES,
    CATEGORY_LABELS,
    PROCEDURE_LABELS,
    STAGE_LABELS,
    Category,
    Procedure,
    Stage,
    act_type,
)
from liuhen.procedure.fields import parse_datetime

CASE = store.CASE
OFFICER = store.OFFICER
UNIT = store.UNIT
MAX_PAGE_SIZE = 200

STATUS_LABELS = listing.STATUS_LABELS
SUMMARY = store.CASE_SUMMARY

imported_documents = imports.documents  # an import file read, not journaled (for judging it)


def _header(row: RowMapping) -> dict[str, object]:
    """A case row with its JSON columns read and its codes labelled, as the models take it."""
    d = dict(row)
    d["parties"] = json.loads(d["parties"])
    d["officers"] = json.loads(d["officers"])
    d["category_label"] = CATEGORY_LABELS[Category(d["category"])]
    d["procedure_label"] = PROCEDURE_LABELS[Procedure(d["procedure"])]
    d["stage_label"] = STAGE_LABELS[Stage(d["stage"])]
    d["status_label"] = STATUS_LABELS.get(d["status"], d["status"])
    return d


def list_cases(
    app: App,
    *,
    page: int = 1,
    per_page: int = 50,
    stage: str | None = None,
    status: str | None = None,
    unit: str | None = None,
    visible: Scope = None,
    query: CaseQuery | None = None,
    reader: User | None = None,
    judge: Judge | None = None,
) -> CasePage:
    """``visible`` = (units, cert_no): only cases of those units or worked on by that officer;
    None means every case (supervisors). ``query`` (else ``stage``, ``status``, ``unit``) says
    what to find and in which order; a search skips headers ``reader`` may not read.

    With a ``judge`` (the compliance evaluation) the stale summaries of the cases in scope are
    recomputed first and each item carries its acts, violations and next deadline."""
    if not 1 <= page <= 100_000 or not 1 <= per_page <= MAX_PAGE_SIZE:
        raise ValidationError(f"页码从 1 开始，每页 1–{MAX_PAGE_SIZE} 条")
    if query is None:
        query = listing.read_query({"stage": stage, "status": status, "unit": unit})
    now = app.clock.now()
    scoped = cases_in(visible)
    cond = [] if scoped is None else [scoped]
    if judge is not None:
        summaries.refresh(app, judge, cond, now)
    cond += listing.conditions(query, now, reader, app.engine.dialect.name)
    joined = CASE.outerjoin(SUMMARY, SUMMARY.c.number == CASE.c.number)
    judged = [SUMMARY.c.acts, SUMMARY.c.violations, SUMMARY.c.warnings, SUMMARY.c.next_due_at,
              SUMMARY.c.next_due_title]  # fmt: skip
    with app.engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(joined).where(*cond)).scalar_one()
        rows = conn.execute(
            select(CASE, *judged)
            .select_from(joined)
            .where(*cond)
            .order_by(*listing.order(query.sort))
            .limit(per_page)
            .offset((page - 1) * per_page)
        ).mappings()
        items = [
            CaseSummary.model_validate(_header(r) | _judged(app, r, now, judge is not None))
            for r in rows
        ]
    return CasePage(items=items, total=int(total), page=page, per_page=per_page)


def _judged(app: App, row: RowMapping, now: datetime, wanted: bool) -> dict[str, object]:
    """The list's columns from the case's summary: acts (entries other than viewings), the
    counts, and the next deadline at the instance's offset with whole days left (negative:
    days overdue); nothing unless the summaries were brought up to date for this list."""
    out: dict[str, object] = {k: None for k in ("acts", "violations", "warnings", "next_due_at")}
    if row["status"] == "closed":  # what it calls for is 归档, whatever deadline is next
        out["awaiting_archive"] = True
    if not wanted or row["acts"] is None:
        return out
    out.update(acts=row["acts"], violations=row["violations"], warnings=row["warnings"])
    if row["next_due_at"]:
        out["next_due_title"] = row["next_due_title"]
        zone = app.settings.timezone
        due = datetime.fromisoformat(row["next_due_at"]).astimezone(zone)
        out["next_due_at"] = due.isoformat()
        out["due_in_days"] = (due.date() - now.astimezone(zone).date()).days
        out["overdue"] = due < now
    return out


def unit_choices(app: App, user: User) -> dict[str, str]:
    """The units the user may filter the list by (those of the cases he may see): code → name."""
    cond = cases_in(case_scope(app, user))
    with app.engine.connect() as conn:
        rows = conn.execute(
            select(UNIT.c.code, UNIT.c.name)
            .where(UNIT.c.code.in_(select(CASE.c.unit).where(*([] if cond is None else [cond]))))
            .order_by(UNIT.c.name, UNIT.c.code)
        )
        return {code: name for code, name in rows}


def visible_cases(
    app: App,
    user: User,
    judge: Judge,
    query: CaseQuery | None = None,
    *,
    page: int = 1,
    per_page: int = 50,
    units: dict[str, str] | None = None,
) -> CasePage:
    """A page of the cases ``user`` may see, found and sorted as ``query`` asks, whole-case-
    marked headers withheld as his clearance requires (what the list page and
    ``GET /api/v1/cases`` show). ``units``: his ``unit_choices`` if already read."""
    query = query or CaseQuery()
    if query.unit and query.unit not in (units if units is not None else unit_choices(app, user)):
        raise ValidationError(
            "案件列表的查询条件有误",
            [Problem(f"没有可查看的承办单位“{query.unit[:40]}”", "unit", kind="choice")],
        )
    result = list_cases(
        app, page=page, per_page=per_page, visible=case_scope(app, user), query=query,
        reader=user, judge=judge,
    )  # fmt: skip
    redact_listing(app, result.items, user)  # whole-case marks
    return result


def _entry(row: Row[Any]) -> Entry:
    """An entry as the case record lists it: its place in the journal, its labels, its body."""
    body = json.loads(row.body)
    body["actors"] = json.loads(row.actors)
    spec = act_type(row.act)
    stage = spec.stage if spec else Stage.GENERAL
    return Entry.model_validate({
        "seq": int(row.seq),
        "chain_seq": int(row.chain_seq),
        "act": row.act,
        "act_label": spec.label if spec else row.act,
        "stage": stage.value,
        "stage_label": STAGE_LABELS[stage],
        "occurred_at": row.occurred_at,
        "recorded_at": row.recorded_at,
        "leaf_hash": bytes(row.leaf_hash).hex(),
        "field_labels": {f.name: f.label for f in spec.fields} if spec else {},
        **body,
        "corrected_by": None,  # known once the whole case is read
    })  # fmt: skip


VIEW = "general.review_access"
LATEST_VIEWS = 5  # the views the case page shows; the rest are on the views page


def _case_row(conn: Connection, number: str) -> RowMapping:
    row = conn.execute(select(CASE).where(CASE.c.number == number)).mappings().first()
    if row is None:
        raise NotFoundError(f"案件“{number}”不存在")
    return row


def _record(conn: Connection, row: RowMapping, entries: list[Entry], **extra: object) -> CaseRecord:
    """The case header with its officers' names and ``entries`` grouped by stage."""
    officers = {
        r.cert_no: r.name
        for r in conn.execute(
            select(OFFICER.c.cert_no, OFFICER.c.name).where(
                OFFICER.c.cert_no.in_(json.loads(row["officers"]))
            )
        )
    }
    corrected = {e.corrects: e.seq for e in entries if e.corrects}
    for e in entries:
        e.corrected_by = corrected.get(e.seq)
    stages = []
    for stage in [*CASE_STAGES, Stage.GENERAL]:
        items = sorted((e for e in entries if e.stage == stage.value), key=_when)
        if items:
            stages.append(StageEntries(stage=stage.value, label=STAGE_LABELS[stage], entries=items))
    return CaseRecord.model_validate({
        **_header(row), "officer_names": officers, "stages": stages,
        "entry_total": len(entries), **extra,
    })  # fmt: skip


def show_case(app: App, number: str) -> CaseRecord:
    """The case header and every entry, views included, grouped by stage in procedure order
    (what the API, the CLI and exports hand out: the whole record)."""
    with app.engine.connect() as conn:
        row = _case_row(conn, number)
        rows = conn.execute(
            select(store.ENTRY)
            .where(store.ENTRY.c.chain == number)
            .order_by(store.ENTRY.c.chain_seq)
        ).all()
        return _record(conn, row, [_entry(r) for r in rows])


def open_case(app: App, user: User, number: str, purpose: str) -> CaseRecord:
    """A case the user may see (its route's guard checked that), marked records withheld
    from those not entitled to them; the viewing itself is journaled (调阅 is recorded)."""
    case = show_case(app, number)
    entries = sorted((e for st in case.stages for e in st.entries), key=lambda e: e.seq)
    redact(case, marks_from(entries), user)
    record_access(app, user, number, purpose)
    return case


def open_attachment(app: App, user: User, number: str, digest: str) -> dict[str, Any]:
    """The attachment ``digest`` of an act of case ``number`` (its name and type as the entry
    records them) that ``user`` may read, the reading journaled naming the file; not found when
    no act of the case the user may read attaches it (a withheld act's files stay withheld)."""
    case = show_case(app, number)
    entries = sorted((e for st in case.stages for e in st.entries), key=lambda e: e.seq)
    redact(case, marks_from(entries), user)
    for e in entries:
        for a in e.attachments or []:
            if isinstance(a, dict) and a.get("digest") == digest and not e.withheld:
                record_access(app, user, number, "查看事项附件", materials=[digest])
                return dict(a)
    raise NotFoundError(f"本案没有附件 {digest}")


@dataclass(frozen=True, slots=True)
class PageRecord:
    """A case as its page shows it: the record without its 调阅记录 (``case``; every view is
    an entry, so they would outgrow the record), the latest ``views`` (newest first), how
    many there are, and the name of the unit handling the case."""

    case: CaseRecord
    views: list[Entry]
    view_total: int
    unit_name: str


def _unit_name(conn: Connection, code: str) -> str:
    name = conn.execute(select(UNIT.c.name).where(UNIT.c.code == code)).scalar()
    return str(name) if name else "（未登记的机构）"


def _views(conn: Connection, number: str, limit: int, offset: int = 0) -> list[Entry]:
    """A page of the case's views, newest first."""
    t = store.ENTRY
    rows = conn.execute(
        select(t)
        .where(t.c.chain == number, t.c.act == VIEW)
        .order_by(t.c.chain_seq.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return [_entry(r) for r in rows]


def _view_total(conn: Connection, number: str) -> int:
    t = store.ENTRY
    q = select(func.count()).select_from(t).where(t.c.chain == number, t.c.act == VIEW)
    return int(conn.execute(q).scalar_one())


def _redact_with_views(case: CaseRecord, views: list[Entry], user: User) -> None:
    """Apply the reader's marks to the record and the views shown beside it (a mark may name
    any entry, a view too); the marks come from the record, where every mark entry is."""
    shown = case.model_copy(
        update={"stages": [*case.stages, StageEntries(stage=VIEW, label="", entries=views)]}
    )
    entries = sorted((e for st in case.stages for e in st.entries), key=lambda e: e.seq)
    redact(shown, marks_from(entries), user)
    case.case_mark, case.header_withheld = shown.case_mark, shown.header_withheld
    case.cause, case.summary, case.parties = shown.cause, shown.summary, shown.parties


def page_case(app: App, number: str, latest: int = LATEST_VIEWS) -> PageRecord:
    """The case for its page: the entries that are not views read in SQL, then the number of
    views and the ``latest`` of them, so the page costs the same after 5 views or 5,000."""
    t = store.ENTRY
    with app.engine.connect() as conn:
        row = _case_row(conn, number)
        rows = conn.execute(
            select(t).where(t.c.chain == number, t.c.act != VIEW).order_by(t.c.chain_seq)
        ).all()
        case = _record(conn, row, [_entry(r) for r in rows])
        return PageRecord(
            case=case,
            views=_views(conn, number, latest),
            view_total=_view_total(conn, number),
            unit_name=_unit_name(conn, row["unit"]),
        )


def open_page_case(app: App, user: User, number: str, purpose: str) -> PageRecord:
    """``page_case`` as ``user`` may read it, the viewing journaled (as ``open_case``)."""
    page = page_case(app, number)
    _redact_with_views(page.case, page.views, user)
    record_access(app, user, number, purpose)
    return page


@dataclass(frozen=True, slots=True)
class ViewPage:
    """One page of a case's 调阅记录, newest first."""

    number: str
    cause: str
    views: list[Entry]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, (self.total + self.per_page - 1) // self.per_page)


def open_case_views(
    app: App, user: User, number: str, page: int = 1, per_page: int = 50
) -> ViewPage:
    """A page of the case's views as ``user`` may read them. Reading who read the record is
    reading the record: the opening is journaled once, as opening the case page is."""
    if not 1 <= page <= 100_000 or not 1 <= per_page <= MAX_PAGE_SIZE:
        raise ValidationError(f"页码从 1 开始，每页 1–{MAX_PAGE_SIZE} 条")
    t = store.ENTRY
    with app.engine.connect() as conn:
        row = _case_row(conn, number)
        marks = conn.execute(
            select(t).where(t.c.chain == number, t.c.act == "general.confidentiality")
        ).all()
        case = _record(conn, row, [_entry(r) for r in marks])
        views = _views(conn, number, per_page, (page - 1) * per_page)
        total = _view_total(conn, number)
    _redact_with_views(case, views, user)
    record_access(app, user, number, "在线查看调阅记录")
    return ViewPage(number, case.cause, views, total, page, per_page)


def _when(entry: Entry) -> tuple[float, int]:
    """Chronological order across offsets; seq breaks ties so the order is stable."""
    dt = parse_datetime(entry.occurred_at)
    return (dt.timestamp() if dt else 0.0, entry.seq)


@dataclass(frozen=True, slots=True)
class CaseState:
    """Where a case stands, as the act menu reads it: its stage, status, kind and the acts
    it already holds."""

    stage: str
    status: str
    category: str
    procedure: str
    done: frozenset[str]


def case_state(app: App, number: str) -> CaseState:
    t = store.ENTRY
    with app.engine.connect() as conn:
        row = _case_row(conn, number)
        done = conn.execute(
            select(t.c.act).distinct().where(t.c.chain == number, t.c.act != VIEW)
        ).scalars()
        return CaseState(
            row["stage"], row["status"], row["category"], row["procedure"], frozenset(done)
        )


def unit_names(app: App, codes: Iterable[str]) -> dict[str, str]:
    """Units' names by code (codes no unit has map to themselves)."""
    wanted = set(codes)
    with app.engine.connect() as conn:
        rows = conn.execute(select(UNIT.c.code, UNIT.c.name).where(UNIT.c.code.in_(wanted)))
        found = {str(code): str(name) for code, name in rows}
    return {c: str(found.get(c, c)) for c in wanted}


def officer_names(app: App, certs: Iterable[str]) -> dict[str, str]:
    """Officers' names by certificate number (numbers no officer has map to themselves)."""
    wanted = set(certs)
    with app.engine.connect() as conn:
        rows = conn.execute(
            select(OFFICER.c.cert_no, OFFICER.c.name).where(OFFICER.c.cert_no.in_(wanted))
        )
        found = {str(cert): str(name) for cert, name in rows}
    return {c: found.get(c, c) for c in wanted}
