"""Issuing case numbers and document numbers (文号) in the transaction of the entry using them.

The journal's writer is serialised (one leader per process, the head row's lock across
processes), so the next number is read and used under that lock (``Draft.assign``): two
openings at once get consecutive numbers, and a refused entry is undone with its projections,
its counter among them, so it uses no number. A document's number is printed on its PDF before
the entry is written: the issuer renders with the number it expects (``expected_number``) and
the assignment refuses with ``NumberTaken`` when another document took it meanwhile; the
caller renders again with the next one.
"""

from __future__ import annotations

import dataclasses
from datetime import tzinfo
from typing import Protocol

from liuhen.errors import Problem, ValidationError
from liuhen.kernel.db.batch import Batch, Known
from liuhen.kernel.instance import App
from liuhen.kernel.journal import Appended, Check, Draft
from liuhen.kernel.record import ActInput, build_draft
from liuhen.procedure import numbering
from liuhen.procedure.fields import parse_datetime
from liuhen.procedure.numbering import CASE_KIND, Issued, Settings

PENDING_CHAIN = "（待编号）"  # what a case opening carries until its number is assigned
MAX_NUMBER = 100  # a case number is its chain's name (journal_entry.chain is 100 long)


class NumberTaken(Exception):  # a signal to retry, never shown to anyone
    """The 文号 a document was rendered with went to another document first: render again.

    Not a ``LiuhenError``: the issuer catches it and renders with the next number; only after
    repeated losses does it refuse, as a ``ConflictError``."""


class Rows(Protocol):
    def get(self, table: str, key: str) -> dict[str, object] | None: ...


def year_of(occurred_at: str, zone: tzinfo) -> int:
    """The year of an act's time in the instance's zone (a number's ``{年}``)."""
    when = parse_datetime(occurred_at)
    if when is None:
        raise ValidationError("发生时间无效，无法编号", [Problem("发生时间无效", "occurred_at")])
    return when.astimezone(zone).year


def settings_in(rows: Rows, agency: str) -> Settings:
    """The agency's settings as the projections hold them (its defaults when it has none)."""
    agency_row = rows.get("agency", agency)
    name = str(agency_row["name"]) if agency_row else None
    return numbering.settings_from_row(rows.get("agency_settings", agency), agency, name)


def next_serial(rows: Rows, settings: Settings, kind: str, year: int) -> int:
    """The next serial of the series: after the last issued and the last used before."""
    row = rows.get("number_counter", numbering.counter_key(settings.agency, kind, year))
    last = int(str(row["last"])) if row else 0
    return max(last, settings.used_before(kind, year)) + 1


def _agency_of_unit(rows: Rows, unit: object, where: str) -> str:
    found = rows.get("unit", str(unit or ""))
    if found is None:
        raise ValidationError(
            f"承办机构“{unit or ''}”未登记，无法按机关规则编号",
            [Problem("承办机构编码未登记", where)],
        )
    return str(found["agency"])


def _case_agency(rows: Rows, case: str) -> str | None:
    """The agency of a case's unit; None for a case (imported) whose unit is not registered."""
    found = rows.get("case_record", case)
    unit = rows.get("unit", str(found.get("unit") or "")) if found is not None else None
    return str(unit["agency"]) if unit is not None else None


def assign_case_number(zone: tzinfo) -> Check:
    """The ``Draft.assign`` of a case opening: the next number of its agency's case series in
    the year it occurred; a number already taken by an imported case is passed over."""

    def assign(pending: Batch, draft: Draft) -> None:
        fields = draft.body["fields"]
        agency = _agency_of_unit(pending, fields.get("unit"), "fields.unit")
        settings = settings_in(pending, agency)
        year = year_of(draft.occurred_at, zone)
        n = next_serial(pending, settings, CASE_KIND, year)
        number = numbering.format_number(settings.case_pattern, settings.short_name, year, n)
        while pending.chain_head(number) is not None:
            n += 1
            number = numbering.format_number(settings.case_pattern, settings.short_name, year, n)
        if len(number) > MAX_NUMBER:
            raise ValidationError(
                "按本机关规则编出的案件编号超过 100 字，请系统管理员修改编号规则",
                [Problem("案件编号过长", "case")],
            )
        draft.chain = number
        fields[numbering.ISSUED_FIELD] = Issued(agency, CASE_KIND, year, n).text()

    return assign


@dataclasses.dataclass(frozen=True, slots=True)
class DocumentNumber:
    """The 文号 a document would get if issued now, and its place in the series."""

    number: str
    issued: Issued


def _document_number(
    rows: Rows, case: str, doc_type: str, occurred_at: str, zone: tzinfo
) -> DocumentNumber | None:
    agency = _case_agency(rows, case)
    if agency is None:
        return None
    settings = settings_in(rows, agency)
    pattern = settings.pattern_for(doc_type)
    if pattern is None:
        return None
    year = year_of(occurred_at, zone)
    n = next_serial(rows, settings, doc_type, year)
    number = numbering.format_number(pattern, settings.short_name, year, n)
    return DocumentNumber(number, Issued(agency, doc_type, year, n))


def expected_number(app: App, case: str, doc_type: str, occurred_at: str) -> DocumentNumber | None:
    """The 文号 the next document of this type in this case's agency gets (None: the agency
    numbers no such documents), read outside the write lock to print it on the PDF; the
    assignment checks it again under the lock."""
    with app.engine.connect() as conn:
        rows = Batch(conn, Known(0))
        return _document_number(rows, case, doc_type, occurred_at, app.settings.timezone)


def assign_document_number(expected: DocumentNumber | None, zone: tzinfo) -> Check:
    """The ``Draft.assign`` of a 文书 entry rendered with ``expected``: it gets that number, or
    ``NumberTaken`` when the series moved on (or the agency's settings changed) meanwhile."""

    def assign(pending: Batch, draft: Draft) -> None:
        fields = draft.body["fields"]
        now = _document_number(pending, draft.chain, str(fields["doc_type"]), draft.occurred_at,
                               zone)  # fmt: skip
        if now != expected:
            raise NumberTaken("文号已被同时签发的其他文书使用，正在重新编号")
        if now is not None:
            fields["number"] = now.number
            fields[numbering.ISSUED_FIELD] = now.issued.text()

    return assign


def record_numbered(app: App, inp: ActInput, assign: Check) -> Appended:
    """Record ``inp`` (validated as ``record.record`` does) with ``assign`` giving its number;
    a case opening may leave ``inp.case`` empty, its number being assigned."""
    if not (inp.case or "").strip():
        inp = dataclasses.replace(inp, case=PENDING_CHAIN)
    draft = build_draft(inp, app.clock.now())
    draft.assign = assign
    return app.journal.append(draft)


def open_case(app: App, inp: ActInput) -> Appended:
    """Record a case-opening act under the next number of its agency's case series."""
    return record_numbered(app, dataclasses.replace(inp, case=None),
                           assign_case_number(app.settings.timezone))  # fmt: skip
