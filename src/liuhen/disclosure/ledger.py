"""The access and copy ledger (查阅、复制台账, 003 第二十四条) is read from the journal itself.

Every view, playback, download and copy is already a ``general.review_access`` entry, so the
ledger is a query, not a second register that could drift from what happened.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from liuhen import lazy
from liuhen.disclosure.schemas import DisclosureRequest
from liuhen.disclosure.service import requests
from liuhen.errors import ValidationError
from liuhen.kernel.db import store
from liuhen.kernel.instance import App

if TYPE_CHECKING:
    import openpyxl
else:  # ~0.6 s of start-up that only the spreadsheet needs
    openpyxl = lazy.module("openpyxl")

ENTRY = store.ENTRY
MAX_PER_PAGE = 500
COLUMNS = (
    "序号", "时间", "案号", "查阅人", "角色", "单位", "目的", "材料", "复制", "批准人", "申请序号",
)  # fmt: skip
REQUEST_COLUMNS = (
    "申请序号", "收到时间", "案号", "申请人", "关系", "事项", "申请的记录", "理由",
    "审批结果", "审批理由", "准予的记录", "审批序号", "提供次数",
)  # fmt: skip


@dataclass(frozen=True)
class LedgerRow:
    """One line of the ledger: a view, playback, download or copy, and who it was for."""

    seq: int
    occurred_at: str
    case: str
    accessor: str
    role: str
    unit: str
    purpose: str
    materials: list[str]
    copied: bool
    approved_by: str = ""
    request: int | None = None

    def cells(self) -> list[Any]:
        return [
            self.seq, self.occurred_at[:19].replace("T", " "), self.case, self.accessor,
            self.role, self.unit, self.purpose, "、".join(self.materials),
            "是" if self.copied else "否", self.approved_by,
            self.request if self.request is not None else "",
        ]  # fmt: skip


def _row(r: Any) -> LedgerRow:
    fields = json.loads(r.body).get("fields", {})
    accessor = fields.get("accessor", {})
    return LedgerRow(
        seq=int(r.seq),
        occurred_at=r.occurred_at,
        case=r.chain,
        accessor=accessor.get("name", ""),
        role=accessor.get("role", ""),
        unit=accessor.get("unit", ""),
        purpose=fields.get("purpose", ""),
        materials=list(fields.get("materials", [])),
        copied=bool(fields.get("copied", False)),
        approved_by=str(fields.get("approved_by") or ""),
        request=fields.get("request"),
    )


def _filters(case: str | None, since: date | None, until: date | None) -> list[Any]:
    if since and until and since > until:
        raise ValidationError(f"起始日期 {since} 晚于截止日期 {until}")
    where = [ENTRY.c.act == "general.review_access"]
    if case:
        where.append(ENTRY.c.chain == case)
    if since:
        where.append(ENTRY.c.occurred_at >= since.isoformat())
    if until:  # the closing day counts whole: stop before the next day begins
        where.append(ENTRY.c.occurred_at < (until + timedelta(days=1)).isoformat())
    return where


@dataclass(frozen=True, slots=True)
class LedgerPage:
    """One page of the ledger, newest first, and the total for paging."""

    total: int
    page: int
    per_page: int
    rows: list[LedgerRow]


def entries(
    app: App,
    case: str | None = None,
    since: date | None = None,
    until: date | None = None,
    page: int = 1,
    per_page: int = 50,
) -> LedgerPage:
    """One page of the ledger, newest first, with the total for paging."""
    if page < 1 or not 1 <= per_page <= MAX_PER_PAGE:
        raise ValidationError(f"页码须不小于 1，每页条数须在 1 至 {MAX_PER_PAGE} 之间")
    where = _filters(case, since, until)
    with app.engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(ENTRY).where(*where)).scalar_one()
        rows = conn.execute(
            select(ENTRY.c.seq, ENTRY.c.occurred_at, ENTRY.c.chain, ENTRY.c.body)
            .where(*where)
            .order_by(ENTRY.c.seq.desc())
            .limit(per_page)
            .offset((page - 1) * per_page)
        ).all()
    return LedgerPage(int(total), page, per_page, [_row(r) for r in rows])


def write_xlsx(
    app: App,
    path: Path,
    case: str | None = None,
    since: date | None = None,
    until: date | None = None,
) -> int:
    """Write the whole ledger for the filter as a spreadsheet, oldest first; returns the count.

    Rows are streamed (write-only workbook) so a year of an agency's views fits in memory.
    """
    where = _filters(case, since, until)
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("查阅复制台账")
    sheet.append(list(COLUMNS))
    count = 0
    with app.engine.connect() as conn:
        result = conn.execution_options(yield_per=1000).execute(
            select(ENTRY.c.seq, ENTRY.c.occurred_at, ENTRY.c.chain, ENTRY.c.body)
            .where(*where)
            .order_by(ENTRY.c.seq)
        )
        for r in result:
            sheet.append(_row(r).cells())
            count += 1
    _requests_sheet(app, book.create_sheet("查阅复制申请及审批"), case, since, until)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    book.save(partial)
    partial.replace(path)  # never leave a half-written spreadsheet under the real name
    return count


def request_cells(r: DisclosureRequest) -> list[Any]:
    """One parties' request with its outcome, as the second sheet of the ledger shows it."""
    d = r.decision
    given = d.model_fields_set if d else set()  # a key the decision does not carry: the default
    return [
        r.seq, r.received_at[:19].replace("T", " "), r.case,
        r.requester.name if r.requester else None, r.relation, r.kind,
        "、".join(r.materials or []), r.purpose,
        d.decision if d and "decision" in given else "待审批",
        d.reason if d and "reason" in given else "",
        "、".join(d.materials or []) if d else "",
        d.seq if d else "", len(r.deliveries),
    ]  # fmt: skip


def _requests_sheet(
    app: App, sheet: Any, case: str | None, since: date | None, until: date | None
) -> None:
    sheet.append(list(REQUEST_COLUMNS))
    for r in reversed(requests(app, case)):
        day = r.received_at[:10]
        if (since and day < since.isoformat()) or (until and day > until.isoformat()):
            continue
        sheet.append(request_cells(r))
