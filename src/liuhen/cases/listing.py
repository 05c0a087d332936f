"""Finding cases: the list's search, filters and sort orders, checked once for the page and the
API, and turned into SQL over ``case_record`` joined to its ``case_summary`` row.

Everything is a condition of the one query that is paged, never a filter over a page read: the
user's visibility scope comes with it, and a search never matches the cause or the parties of
a case whose header the reader may not see (a whole-case mark), so the search cannot reveal
what the list would withhold.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ColumnElement, and_, cast, exists, false, func, literal, or_, select
from sqlalchemy import case as sql_case
from sqlalchemy.sql.elements import UnaryExpression

from liuhen.access.marks import MARKS, may_see
from liuhen.access.policy import User
from liuhen.cases.summaries import SUMMARY, utc_text
from liuhen.errors import Problem, ValidationError
from liuhen.kernel.db import store
from liuhen.procedure.catalog import CASE_STAGES, PROCEDURE_LABELS, STAGE_LABELS

CASE = store.CASE
OFFICER = store.OFFICER
MAX_QUERY = 100  # characters of a search

STATUS_LABELS = {
    "open": "办理中",
    "not_opened": "不予立案",
    "closed": "已结案",
    "archived": "已归档",
}
SORTS = {
    "opened": "启动时间（新→旧）",
    "changed": "最近变更",
    "due": "最近期限",
    "number": "案件编号",
}
STAGES = {s.value: STAGE_LABELS[s] for s in CASE_STAGES}
PROCEDURES = {p.value: label for p, label in PROCEDURE_LABELS.items()}
LIST_CHOICES = {"stage": STAGES, "status": STATUS_LABELS, "procedure": PROCEDURES, "sort": SORTS}
FLAGS = {"overdue": "逾期", "violations": "有违规", "mine": "我的案件"}
_TRUE = {"1", "true", "on", "yes"}
_FALSE = {"", "0", "false", "off", "no"}


@dataclass(frozen=True, slots=True)
class CaseQuery:
    """What a user asks the case list for; empty values mean "no condition"."""

    q: str = ""
    stage: str = ""
    status: str = ""
    unit: str = ""
    procedure: str = ""
    overdue: bool = False
    violations: bool = False
    mine: bool = False
    sort: str = "opened"
    officer: str = ""  # cases listing this certificate number (the CLI's ``--officer``)

    def params(self, **changes: object) -> dict[str, str]:
        """The query as URL parameters (those set), e.g. for the pager's links."""
        out = {}
        for name in self.__slots__:
            value = changes.get(name, getattr(self, name))
            if value is True:
                out[name] = "1"
            elif value and not (name == "sort" and value == "opened"):
                out[name] = str(value)
        return out


def read_query(raw: Mapping[str, str | None]) -> CaseQuery:
    """A query from request parameters, every bad value reported at once (in Chinese)."""
    problems: list[Problem] = []

    def choice(name: str, allowed: Mapping[str, str], what: str) -> str:
        value = (raw.get(name) or "").strip()
        if value and value not in allowed:
            problems.append(Problem(f"未知的{what}“{value[:40]}”", name, kind="choice"))
            return ""
        return value

    def flag(name: str) -> bool:
        value = (raw.get(name) or "").strip().lower()
        if value not in _TRUE | _FALSE:
            problems.append(
                Problem(f"“{FLAGS[name]}”只能是 true 或 false（1 或 0）", name, kind="choice")
            )
            return False
        return value in _TRUE

    q = " ".join((raw.get("q") or "").split())
    if len(q) > MAX_QUERY:
        problems.append(Problem(f"搜索词不能超过 {MAX_QUERY} 个字", "q", kind="too_long"))
        q = q[:MAX_QUERY]
    unit = (raw.get("unit") or "").strip()
    if len(unit) > 64:
        problems.append(Problem("承办单位代码过长", "unit", kind="too_long"))
        unit = ""
    query = CaseQuery(
        q=q,
        stage=choice("stage", STAGES, "环节"),
        status=choice("status", STATUS_LABELS, "状态"),
        unit=unit,
        procedure=choice("procedure", PROCEDURES, "程序"),
        overdue=flag("overdue"),
        violations=flag("violations"),
        mine=flag("mine"),
        sort=choice("sort", SORTS, "排序方式") or "opened",
    )
    if problems:
        raise ValidationError("案件列表的查询条件有误", problems)
    return query


def officer_on_case(cert_no: str | None) -> ColumnElement[bool]:
    """The case lists this officer among its officers (a JSON list of certificate numbers)."""
    return CASE.c.officers.contains(f'"{cert_no}"') if cert_no else false()


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _party_named(pattern: str, dialect: str) -> ColumnElement[bool]:
    """A party of the case whose name contains the search: the names only, not the JSON's
    keys or the addresses (``parties`` is a JSON list of objects, read with each database's own
    JSON functions)."""
    name: ColumnElement[Any]
    if dialect == "postgresql":
        party = func.json_array_elements(cast(CASE.c.parties, JSON)).table_valued("value")
        party = party.alias("party")
        name = party.c.value.op("->>")(literal("name"))
    else:  # SQLite: json_extract of a list item that is not an object would be an error
        party = func.json_each(CASE.c.parties).table_valued("value", "type").alias("party")
        name = sql_case(
            (party.c.type == "object", func.json_extract(party.c.value, "$.name")), else_=None
        )
    return exists(select(literal(1)).select_from(party).where(name.ilike(pattern, escape="\\")))


def readable_header(reader: User | None) -> ColumnElement[bool] | None:
    """Cases whose cause and parties the reader may read (no whole-case mark he is kept from);
    None when there is no reader to restrict (the CLI)."""
    if reader is None:
        return None
    anyone = [m for m in MARKS if may_see(reader, m, False)]
    handlers = [m for m in MARKS if may_see(reader, m, True) and m not in anyone]
    either: list[ColumnElement[bool]] = [SUMMARY.c.case_mark.is_(None)]
    either.append(SUMMARY.c.case_mark.in_(anyone))
    if handlers and reader.cert_no:
        either.append(and_(SUMMARY.c.case_mark.in_(handlers), officer_on_case(reader.cert_no)))
    return or_(*either)


def conditions(
    query: CaseQuery, now: datetime, reader: User | None, dialect: str
) -> list[ColumnElement[bool]]:
    """The query's conditions on ``case_record`` outer-joined to ``case_summary``."""
    cond: list[ColumnElement[bool]] = []
    if query.q:
        pattern = _like(query.q)
        named = select(OFFICER.c.cert_no).where(
            OFFICER.c.name.ilike(pattern, escape="\\"),
            CASE.c.officers.contains(literal('"') + OFFICER.c.cert_no + literal('"')),
        )
        header = or_(CASE.c.cause.ilike(pattern, escape="\\"), _party_named(pattern, dialect))
        readable = readable_header(reader)
        cond.append(
            or_(
                CASE.c.number.ilike(pattern, escape="\\"),
                CASE.c.officers.ilike(pattern, escape="\\"),
                exists(named),
                header if readable is None else and_(readable, header),
            )
        )
    if query.stage:
        cond.append(CASE.c.stage == query.stage)
    if query.status:
        cond.append(CASE.c.status == query.status)
    if query.unit:
        cond.append(CASE.c.unit == query.unit)
    if query.procedure:
        cond.append(CASE.c.procedure == query.procedure)
    if query.overdue:
        cond.append(SUMMARY.c.next_due_at < utc_text(now))
    if query.violations:
        cond.append(SUMMARY.c.violations > 0)
    if query.mine:
        cond.append(officer_on_case(reader.cert_no if reader else None))
    if query.officer:
        cond.append(officer_on_case(query.officer))
    return cond


def order(sort: str) -> list[UnaryExpression[object] | ColumnElement[object]]:
    """The sort order, the case number last so that pages never overlap."""
    by: dict[str, list[UnaryExpression[object] | ColumnElement[object]]] = {
        "opened": [CASE.c.opened_at.desc()],
        "changed": [SUMMARY.c.changed_at.desc().nulls_last()],
        "due": [SUMMARY.c.next_due_at.asc().nulls_last(), CASE.c.opened_at.desc()],
        "number": [],
    }
    return [*by[sort], CASE.c.number]
