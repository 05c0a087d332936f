"""Applying confidentiality marks: reading them from a case, guarding files and pages.

The marks themselves are journal entries; this module reads them (``access.marks`` folds them),
withholds marked content from people who may see the case but not the record, and refuses a
file download the same way. Everything a page, the API or an export shows goes through here.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select

from liuhen.access.marks import Entry, Marks, collect, may_see
from liuhen.access.policy import User, can_view_case
from liuhen.accounts.access_log import unit_agency
from liuhen.errors import ConfidentialRecord as ConfidentialRecord
from liuhen.errors import Forbidden, NotFoundError
from liuhen.kernel.db import store
from liuhen.kernel.instance import App

ENTRY = store.ENTRY
CASE = store.CASE
HEADER_TEXT = ("cause", "summary", "parties")  # what a case is about: free text and people
WITHHELD_HEADER = "（已标记为{mark}，不予显示）"


def entry_files(
    fields: dict[str, Any], attachments: list[dict[str, Any]] | None
) -> tuple[str, ...]:
    """Digests of the files an entry names: attachments, a document's PDF, a bound media file."""
    found = [a["digest"] for a in attachments or [] if isinstance(a, dict) and a.get("digest")]
    digest = fields.get("digest")
    if isinstance(digest, str):
        found.append(digest)
    return tuple(dict.fromkeys(found))


def marks_from(entries: Iterable[dict[str, Any]]) -> Marks:
    """Marks from case entries already read (``seq``, ``act``, ``fields``, ``attachments``)."""
    return collect(
        Entry(e["seq"], e["act"], e.get("fields") or {},
              entry_files(e.get("fields") or {}, e.get("attachments")))
        for e in entries
    )  # fmt: skip


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


def works_on(user: User, case: dict[str, Any]) -> bool:
    return bool(user.cert_no) and user.cert_no in (case.get("officers") or [])


def redact(case: dict[str, Any], marks: Marks, user: User) -> int:
    """Withhold, in place, the content of entries the user may not see; returns how many.

    The entry stays in the timeline (its seq, act and time are not secret, and a gap would
    look like a lost record); its fields, place and attachments are replaced by the mark.
    """
    mine = works_on(user, case)
    withheld = 0
    for stage in case.get("stages", []):
        for e in stage["entries"]:
            files = entry_files(e.get("fields") or {}, e.get("attachments"))
            mark = e["mark"] = marks.of_record(e["seq"], files)
            if mark and not may_see(user, mark, mine):
                e["fields"], e["attachments"], e["place"] = {}, [], None
                e["withheld"] = f"该记录已标记为{mark}，您无权查看"
                withheld += 1
    case["case_mark"] = marks.case_mark
    redact_header(case, marks.case_mark, user)
    return withheld


def redact_header(case: dict[str, Any], case_mark: str | None, user: User) -> bool:
    """Withhold, in place, a whole-case-marked case's header from those not entitled to it.

    A mark on the whole case protects what the case is about, not only its entries: the cause,
    the summary and the parties are the very facts the mark hides. The number, unit, category,
    stage and the officers stay, so the case can still be found, counted and handed over.
    """
    if not case_mark or may_see(user, case_mark, works_on(user, case)):
        return False
    for key in HEADER_TEXT:
        if key in case:
            case[key] = [] if key == "parties" else WITHHELD_HEADER.format(mark=case_mark)
    case["case_mark"] = case_mark
    case["header_withheld"] = f"该案件已整体标记为{case_mark}，您无权查看案由、当事人和案情"
    return True


def redact_listing(app: App, items: list[dict[str, Any]], user: User) -> int:
    """Withhold the header of listed cases under a whole-case mark the user may not see.

    For case lists (``cases.list_cases`` items, one page): one query for the marks of the
    listed cases, not one per case. Returns how many headers were withheld.
    """
    numbers = [str(i["number"]) for i in items if i.get("number")]
    if not numbers:
        return 0
    with app.engine.connect() as conn:
        rows = conn.execute(
            select(ENTRY.c.chain, ENTRY.c.seq, ENTRY.c.body)
            .where(ENTRY.c.chain.in_(numbers), ENTRY.c.act == "general.confidentiality")
            .order_by(ENTRY.c.seq)
        ).all()
    by_case: dict[str, list[dict[str, Any]]] = {}
    for chain, seq, body in rows:
        by_case.setdefault(chain, []).append(
            {"seq": int(seq), "act": "general.confidentiality", **json.loads(body)}
        )
    withheld = 0
    for item in items:
        mark = marks_from(by_case.get(str(item.get("number")), [])).case_mark
        withheld += redact_header(item, mark, user)
    return withheld


def act_fields(app: App, user: User, case_number: str, seq: int) -> dict[str, Any]:
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
    if mark and not may_see(user, mark, works_on(user, case)):
        raise ConfidentialRecord(f"该记录已标记为{mark}，您无权查看")
    return fields


def guard_file(app: App, user: User, case_number: str, digest: str) -> None:
    """Refuse a file of a case the user may not see, or a marked file he is not entitled to."""
    case = case_header(app, case_number)
    if not can_view_case(user, case, unit_agency(app, case["unit"])):
        raise Forbidden("无权查看该案件的文件")
    mark = marks_of(app, case_number).of_file(digest)
    if mark and not may_see(user, mark, works_on(user, case)):
        raise ConfidentialRecord(f"该文件已标记为{mark}，您无权查看或下载")
