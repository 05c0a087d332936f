"""Reading cases: the list pages and the CLI show, and one case's record in stage order."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Row, RowMapping, func, select

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
from liuhen.cases import imports
from liuhen.cases.imports import import_text as import_text
from liuhen.cases.schemas import CasePage, CaseRecord, CaseSummary, Entry, StageEntries
from liuhen.errors import NotFoundError, ValidationError
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

STATUS_LABELS = {
    "open": "办理中",
    "not_opened": "不予立案",
    "closed": "已结案",
    "archived": "已归档",
}

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
) -> CasePage:
    """``visible`` = (units, cert_no): only cases of those units or worked on by that officer;
    None means every case (supervisors)."""
    if not 1 <= page <= 100_000 or not 1 <= per_page <= MAX_PAGE_SIZE:
        raise ValidationError(f"页码从 1 开始，每页 1–{MAX_PAGE_SIZE} 条")
    cond: list[ColumnElement[bool]] = []
    if stage:
        if stage not in {s.value for s in CASE_STAGES}:
            raise ValidationError(f"未知的环节“{stage}”")
        cond.append(CASE.c.stage == stage)
    if status:
        cond.append(CASE.c.status == status)
    if unit:
        cond.append(CASE.c.unit == unit)
    scoped = cases_in(visible)
    if scoped is not None:
        cond.append(scoped)
    with app.engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(CASE).where(*cond)).scalar_one()
        rows = conn.execute(
            select(CASE)
            .where(*cond)
            .order_by(CASE.c.opened_at.desc(), CASE.c.number)
            .limit(per_page)
            .offset((page - 1) * per_page)
        ).mappings()
        items = [CaseSummary.model_validate(_header(r)) for r in rows]
    return CasePage(items=items, total=int(total), page=page, per_page=per_page)


def visible_cases(
    app: App,
    user: User,
    *,
    page: int = 1,
    per_page: int = 50,
    stage: str | None = None,
    status: str | None = None,
) -> CasePage:
    """A page of the cases ``user`` may see, whole-case-marked headers withheld as his
    clearance requires (what the list page and ``GET /api/v1/cases`` show)."""
    result = list_cases(
        app,
        page=page,
        per_page=per_page,
        stage=stage,
        status=status,
        visible=case_scope(app, user),
    )
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


def show_case(app: App, number: str) -> CaseRecord:
    """The case header and every entry, grouped by stage in procedure order."""
    with app.engine.connect() as conn:
        row = conn.execute(select(CASE).where(CASE.c.number == number)).mappings().first()
        if row is None:
            raise NotFoundError(f"案件“{number}”不存在")
        header = _header(row)
        officers = {
            r.cert_no: r.name
            for r in conn.execute(
                select(OFFICER.c.cert_no, OFFICER.c.name).where(
                    OFFICER.c.cert_no.in_(json.loads(row["officers"]))
                )
            )
        }
        rows = conn.execute(
            select(store.ENTRY)
            .where(store.ENTRY.c.chain == number)
            .order_by(store.ENTRY.c.chain_seq)
        ).all()
    entries = [_entry(r) for r in rows]
    corrected = {e.corrects: e.seq for e in entries if e.corrects}
    for e in entries:
        e.corrected_by = corrected.get(e.seq)
    stages = []
    for stage in [*CASE_STAGES, Stage.GENERAL]:
        items = sorted((e for e in entries if e.stage == stage.value), key=_when)
        if items:
            stages.append(StageEntries(stage=stage.value, label=STAGE_LABELS[stage], entries=items))
    return CaseRecord.model_validate(
        {**header, "officer_names": officers, "stages": stages, "entry_total": len(entries)}
    )


def open_case(app: App, user: User, number: str, purpose: str) -> CaseRecord:
    """A case the user may see (its route's guard checked that), marked records withheld
    from those not entitled to them; the viewing itself is journaled (调阅 is recorded)."""
    case = show_case(app, number)
    entries = sorted((e for st in case.stages for e in st.entries), key=lambda e: e.seq)
    redact(case, marks_from(entries), user)
    record_access(app, user, number, purpose)
    return case


VIEW = "general.review_access"


@dataclass(frozen=True, slots=True)
class Folded:
    """One line of a stage on the case page: an entry alone, or a run of 调阅记录 (``views``,
    the ``latest`` of them shown on the line)."""

    entry: Entry | None = None
    views: list[Entry] = field(default_factory=list)
    latest: Entry | None = None


def fold_views(entries: list[Entry]) -> list[Folded]:
    """The entries as the case page shows them: each run of two or more consecutive 调阅记录
    becomes one group, every other entry stays alone. Every case view is journaled, so
    unfolded they would bury the record; folded they are all still there for whoever opens
    the group."""
    groups: list[Folded] = []
    run: list[Entry] = []

    def flush() -> None:
        if len(run) >= 2:
            groups.append(Folded(views=list(run), latest=run[-1]))
        else:
            groups.extend(Folded(entry=e) for e in run)
        run.clear()

    for e in entries:
        if e.act == VIEW:
            run.append(e)
            continue
        flush()
        groups.append(Folded(entry=e))
    flush()
    return groups


def _when(entry: Entry) -> tuple[float, int]:
    """Chronological order across offsets; seq breaks ties so the order is stable."""
    dt = parse_datetime(entry.occurred_at)
    return (dt.timestamp() if dt else 0.0, entry.seq)
