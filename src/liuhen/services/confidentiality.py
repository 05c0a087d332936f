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
from liuhen.db import store
from liuhen.errors import LiuhenError, NotFoundError
from liuhen.services.access_log import unit_agency
from liuhen.services.instance import App

ENTRY = store.T["journal_entry"]
CASE = store.T["case_record"]


class ConfidentialRecord(LiuhenError):
    """The case is visible but this record is marked, and the user is not entitled to it."""

    def __init__(self, message: str) -> None:
        super().__init__(message=message, code="LH460", http_status=403)


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
            mark = marks.of_entry(e["seq"])
            files = [a.get("digest") for a in e.get("attachments") or []]
            files.append((e.get("fields") or {}).get("digest"))
            mark = mark or next((m for d in files if d and (m := marks.of_file(d))), None)
            e["mark"] = mark
            if mark and not may_see(user, mark, mine):
                e["fields"], e["attachments"], e["place"] = {}, [], None
                e["withheld"] = f"该记录已标记为{mark}，您无权查看"
                withheld += 1
    case["case_mark"] = marks.case_mark
    return withheld


def guard_file(app: App, user: User, case_number: str, digest: str) -> None:
    """Refuse a file of a case the user may not see, or a marked file he is not entitled to."""
    case = case_header(app, case_number)
    if not can_view_case(user, case, unit_agency(app, case["unit"])):
        from liuhen.access.service import Forbidden

        raise Forbidden("无权查看该案件的文件")
    mark = marks_of(app, case_number).of_file(digest)
    if mark and not may_see(user, mark, works_on(user, case)):
        raise ConfidentialRecord(f"该文件已标记为{mark}，您无权查看或下载")
