"""Applying confidentiality marks: reading them from a case, guarding files and pages.

The marks themselves are journal entries; this module reads them (``access.marks`` folds them),
withholds marked content from people who may see the case but not the record, and refuses a
file download the same way. Everything a page, the API or an export shows goes through here.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol

from sqlalchemy import select

from liuhen.access.marks import Entry, Marks, collect, may_see
from liuhen.access.policy import User, can_view_case
from liuhen.accounts.access_log import unit_agency
from liuhen.errors import ConfidentialRecord as ConfidentialRecord
from liuhen.errors import Forbidden, NotFoundError
from liuhen.kernel.db import store
from liuhen.kernel.instance import App
from liuhen.payloads import FieldValues, JsonObject

ENTRY = store.ENTRY
CASE = store.CASE
WITHHELD_HEADER = "（已标记为{mark}，不予显示）"


class ReadEntry(Protocol):
    """An entry of a case already read, as far as its marks go: what it is and which files
    it names."""

    @property
    def seq(self) -> int: ...
    @property
    def act(self) -> str: ...
    @property
    def fields(self) -> FieldValues: ...
    @property
    def attachments(self) -> Sequence[Any]: ...


class ShownEntry(Protocol):
    """An entry of a case record as it is shown (``cases.schemas.Entry``): what marks are read
    from, and what withholding it blanks."""

    seq: int
    act: str
    fields: FieldValues
    attachments: list[Any]
    place: str | None
    mark: str | None
    withheld: str | None


class ShownStage(Protocol):
    @property
    def entries(self) -> Sequence[ShownEntry]: ...


class ShownHeader(Protocol):
    """A case's header as a list or the case page shows it (``cases.schemas.CaseSummary``)."""

    number: str
    cause: str
    summary: str
    parties: list[Any]
    officers: list[str]
    case_mark: str | None
    header_withheld: str | None


class ShownCase(ShownHeader, Protocol):
    """A case's whole record as it is shown (``cases.schemas.CaseRecord``)."""

    @property
    def stages(self) -> Sequence[ShownStage]: ...


def entry_files(fields: FieldValues, attachments: Sequence[Any] | None) -> tuple[str, ...]:
    """Digests of the files an entry names: attachments, a document's PDF, a bound media file."""
    found = [a["digest"] for a in attachments or [] if isinstance(a, dict) and a.get("digest")]
    digest = fields.get("digest")
    if isinstance(digest, str):
        found.append(digest)
    return tuple(dict.fromkeys(found))


def _marked(e: ReadEntry | Mapping[str, Any]) -> Entry:
    if isinstance(e, Mapping):  # an entry document: ``seq`` and ``act`` with its body's keys
        fields = e.get("fields") or {}
        return Entry(e["seq"], e["act"], fields, entry_files(fields, e.get("attachments")))
    return Entry(e.seq, e.act, e.fields or {}, entry_files(e.fields or {}, e.attachments))


def marks_from(entries: Iterable[ReadEntry | JsonObject]) -> Marks:
    """Marks from case entries already read: typed entries, or entry documents (``seq``,
    ``act`` and the body's ``fields`` and ``attachments``)."""
    return collect(_marked(e) for e in entries)


def marks_of(app: App, case: str) -> Marks:
    with app.engine.connect() as conn:
        rows = conn.execute(
            select(ENTRY.c.seq, ENTRY.c.act, ENTRY.c.body)
            .where(ENTRY.c.chain == case)
            .order_by(ENTRY.c.seq)
        ).all()
    return marks_from({"seq": int(seq), "act": act, **json.loads(body)} for seq, act, body in rows)


def case_header(app: App, case: str) -> dict[str, Any]:
    with app.engine.connect() as conn:
        row = conn.execute(
            select(CASE.c.number, CASE.c.unit, CASE.c.officers).where(CASE.c.number == case)
        ).first()
    if row is None:
        raise NotFoundError(f"案件“{case}”不存在")
    return {"number": row.number, "unit": row.unit, "officers": json.loads(row.officers)}


def works_on(user: User, officers: Sequence[str] | None) -> bool:
    """Whether the user is among the case's officers (a marked record's own handlers)."""
    return bool(user.cert_no) and user.cert_no in (officers or [])


def redact(case: ShownCase, marks: Marks, user: User) -> int:
    """Withhold, in place, the content of entries the user may not see; returns how many.

    The entry stays in the timeline (its seq, act and time are not secret, and a gap would
    look like a lost record); its fields, place and attachments are replaced by the mark.
    """
    mine = works_on(user, case.officers)
    withheld = 0
    for stage in case.stages:
        for e in stage.entries:
            mark = e.mark = marks.of_record(e.seq, entry_files(e.fields or {}, e.attachments))
            if mark and not may_see(user, mark, mine):
                e.fields, e.attachments, e.place = {}, [], None
                e.withheld = f"该记录已标记为{mark}，您无权查看"
                withheld += 1
    case.case_mark = marks.case_mark
    redact_header(case, marks.case_mark, user)
    return withheld


def redact_header(case: ShownHeader, case_mark: str | None, user: User) -> bool:
    """Withhold, in place, a whole-case-marked case's header from those not entitled to it.

    A mark on the whole case protects what the case is about, not only its entries: the cause,
    the summary and the parties are the very facts the mark hides. The number, unit, category,
    stage and the officers stay, so the case can still be found, counted and handed over.
    """
    if not case_mark or may_see(user, case_mark, works_on(user, case.officers)):
        return False
    withheld = WITHHELD_HEADER.format(mark=case_mark)
    case.cause, case.summary, case.parties = withheld, withheld, []
    case.case_mark = case_mark
    case.header_withheld = f"该案件已整体标记为{case_mark}，您无权查看案由、当事人和案情"
    return True


def redact_listing(app: App, items: Sequence[ShownHeader], user: User) -> int:
    """Withhold the header of listed cases under a whole-case mark the user may not see.

    For case lists (``cases.list_cases`` items, one page): one query for the marks of the
    listed cases, not one per case. Returns how many headers were withheld.
    """
    numbers = [i.number for i in items if i.number]
    if not numbers:
        return 0
    with app.engine.connect() as conn:
        rows = conn.execute(
            select(ENTRY.c.chain, ENTRY.c.seq, ENTRY.c.body)
            .where(ENTRY.c.chain.in_(numbers), ENTRY.c.act == "general.confidentiality")
            .order_by(ENTRY.c.seq)
        ).all()
    by_case: dict[str, list[JsonObject]] = {}  # entry documents, ``seq`` and ``act`` added
    for chain, seq, body in rows:
        by_case.setdefault(chain, []).append(
            {"seq": int(seq), "act": "general.confidentiality", **json.loads(body)}
        )
    withheld = 0
    for item in items:
        mark = marks_from(by_case.get(item.number, [])).case_mark
        withheld += redact_header(item, mark, user)
    return withheld


def act_fields(app: App, user: User, case_number: str, seq: int) -> FieldValues:
    """The fields an act of this case recorded, to pre-fill a document form.

    The form would otherwise show a marked record's content to someone who may not read it;
    a record the user may not see is refused (LH460) like its file, and a seq of another case
    (or none) gives nothing to pre-fill. Whether the user may see the case at all is the
    route's guard's question (``web.guard``), asked before this.
    """
    case = case_header(app, case_number)
    with app.engine.connect() as conn:
        body = conn.execute(
            select(ENTRY.c.body).where(ENTRY.c.seq == seq, ENTRY.c.chain == case_number)
        ).scalar()
    if body is None:
        return {}
    parsed = json.loads(body)
    fields = dict(parsed.get("fields") or {})
    mark = marks_of(app, case_number).of_record(seq, entry_files(fields, parsed.get("attachments")))
    if mark and not may_see(user, mark, works_on(user, case["officers"])):
        raise ConfidentialRecord(f"该记录已标记为{mark}，您无权查看")
    return fields


def guard_file(app: App, user: User, case_number: str, digest: str) -> None:
    """Refuse a file of a case the user may not see, or a marked file he is not entitled to."""
    case = case_header(app, case_number)
    if not can_view_case(user, case, unit_agency(app, case["unit"])):
        raise Forbidden("无权查看该案件的文件")
    mark = marks_of(app, case_number).of_file(digest)
    if mark and not may_see(user, mark, works_on(user, case["officers"])):
        raise ConfidentialRecord(f"该文件已标记为{mark}，您无权查看或下载")
