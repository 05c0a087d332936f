"""What one journal entry adds to the statistics' fact rows: pure, over plain dicts.

The same function serves the incremental catch-up (``stats.projection``) and the verification
replay, so a table that disagrees with a replay was changed behind the journal's back or was
written by older code. Dates are the entry's own local date (its ``occurred_at`` as recorded,
with the agency's offset), which is what a monthly report counts by.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from liuhen.payloads import JsonObject
from liuhen.procedure.catalog import act_type

Row = dict[str, Any]
VIEW = "general.review_access"
MEDIA = "general.media"
CORRECTION = "general.correction"
CLOSING_ACTS = {"archiving.closing": "closed", "initiation.not_opened": "not_opened"}
ARCHIVE = "archiving.archive"
DECISION_ACTS = ("decision.decision", "decision.summary")
_STAGES = ("initiation", "investigation", "decision", "service", "execution", "archiving")
# the opening act's name when the case records no 案件来源 of its own
_SOURCE_BY_ACT = {
    "initiation.ex_officio": "依职权发现",
    "initiation.complaint": "投诉举报",
    "initiation.application": "依申请",
    "decision.summary": "当场发现（简易程序）",
}


@dataclass(frozen=True, slots=True)
class EntryFacts:
    """The rows one case entry writes: its case's row as it now stands, its act row and who
    took part."""

    case: Row
    act: Row
    officers: tuple[str, ...]


def local_date(text: str) -> str:
    """``2026-03-05T09:30:00+08:00`` → ``2026-03-05``: the date where it happened."""
    return text[:10]


def amount_fen(value: object) -> int | None:
    """A decision's amount (``"57828.00"``) in fen; None when there is none or it is no number."""
    if value in (None, ""):
        return None
    try:
        return int((Decimal(str(value)) * 100).to_integral_value())
    except (InvalidOperation, ValueError):
        return None


def source_label(source_act: str, source_text: object) -> str:
    """案件来源 as statistics group it: the case's own ``source`` up to its explanation in
    brackets (日常巡查发现（网络售票信息巡查） → 日常巡查发现), else what opened the case."""
    if isinstance(source_text, str) and source_text.strip():
        head = source_text.strip().split("（")[0].split("(")[0].strip()
        return (head or source_text.strip())[:100]
    return _SOURCE_BY_ACT.get(source_act) or _act_label(source_act)


def _act_label(code: str) -> str:
    spec = act_type(code)
    return spec.label if spec else code


def _seconds(fields: JsonObject, media_seconds: Callable[[str], int]) -> int:
    """A recording's length: its start and end as recorded, else the stored file's duration."""
    start, end = fields.get("started_at"), fields.get("ended_at")
    if isinstance(start, str) and isinstance(end, str):
        try:
            span = datetime.fromisoformat(end) - datetime.fromisoformat(start)
        except ValueError:
            span = None
        if span is not None and span.total_seconds() > 0:
            return int(span.total_seconds())
    digest = fields.get("digest")
    return media_seconds(digest) if isinstance(digest, str) else 0


def _officers(doc: JsonObject) -> tuple[str, ...]:
    """The officers an entry names as actors, else the person who recorded it."""
    named = {str(a["cert_no"]) for a in doc.get("actors") or [] if a.get("cert_no")}
    if not named:
        by = (doc.get("body") or {}).get("recorded_by") or {}
        if by.get("id"):
            named = {str(by["id"])}
    return tuple(sorted(named))


def _new_case(doc: JsonObject, fields: JsonObject, agency_of: Callable[[str], str | None]) -> Row:
    unit = str(fields.get("unit") or "")
    return {
        "number": doc["chain"],
        "agency": agency_of(unit),
        "unit": unit,
        "category": str(fields.get("category") or ""),
        "procedure": str(fields.get("procedure") or ""),
        "source_act": doc["act"],
        "source": source_label(doc["act"], fields.get("source")),
        "officers": sorted({a["cert_no"] for a in doc.get("actors") or [] if a.get("cert_no")}),
        "stage": "initiation",
        "status": "open",
        "opened_on": local_date(doc["occurred_at"]),
        "closed_on": None,
        "archived_on": None,
        "decided_on": None,
        "decision_kinds": [],
        "amount_fen": None,
        "last_seq": doc["seq"],
    }


def _decision(row: Row, code: str, fields: JsonObject, doc: JsonObject) -> None:
    kinds = fields.get("kinds")
    if not kinds and fields.get("penalty"):
        kinds = [fields["penalty"]]
    row["decision_kinds"] = sorted({str(k) for k in kinds or []})
    row["amount_fen"] = amount_fen(fields.get("amount"))
    decided = fields.get("decided_on")
    row["decided_on"] = str(decided)[:10] if decided else local_date(doc["occurred_at"])


def apply(
    doc: JsonObject,
    case: Row | None,
    agency_of: Callable[[str], str | None],
    media_seconds: Callable[[str], int],
) -> EntryFacts | None:
    """The facts of one case entry, given its case's row so far (None before the opening act).

    Returns None for an entry that opens no case and belongs to none known (imported history
    whose opening act the journal lacks): it is left out rather than failing every read."""
    code = doc["act"]
    spec = act_type(code)
    fields: JsonObject = (doc.get("body") or {}).get("fields") or {}
    if spec is not None and spec.opens_case:
        row = _new_case(doc, fields, agency_of)
    elif case is None:
        return None
    else:
        row = {**case, "officers": list(case["officers"])}
    row["last_seq"] = doc["seq"]
    stage = spec.stage.value if spec is not None else "general"
    if stage in _STAGES and _STAGES.index(stage) > _STAGES.index(row["stage"]):
        row["stage"] = stage
    if code in CLOSING_ACTS:
        row["status"] = CLOSING_ACTS[code]
        closed = str(fields.get("closed_on") or fields.get("decided_on") or "")[:10]
        row["closed_on"] = closed or local_date(doc["occurred_at"])
    if code in DECISION_ACTS:  # decision.summary: decided on the spot, the case is its decision
        _decision(row, code, fields, doc)
    if code == ARCHIVE:
        row["status"] = "archived"
        row["archived_on"] = str(fields.get("archived_on") or "")[:10] or local_date(
            doc["occurred_at"]
        )
    if code == "general.assignment":
        row["officers"] = sorted({str(c) for c in fields.get("officers") or []})
    if code == CORRECTION:
        _correct_header(row, fields, agency_of)
    act = {
        "seq": doc["seq"],
        "case_number": doc["chain"],
        "agency": row["agency"],
        "unit": row["unit"],
        "act": code,
        "stage": stage,
        "on_date": local_date(doc["occurred_at"]),
        "av_seconds": _seconds(fields, media_seconds) if code == MEDIA else 0,
    }
    return EntryFacts(case=row, act=act, officers=_officers(doc))


def _correct_header(row: Row, fields: JsonObject, agency_of: Callable[[str], str | None]) -> None:
    """A correction of the case's header (unit, category, procedure) moves the case."""
    changes = fields.get("changes") or {}
    if not isinstance(changes, dict):
        return
    for key in ("category", "procedure"):
        if isinstance(changes.get(key), str):
            row[key] = changes[key]
    if isinstance(changes.get("unit"), str) and changes["unit"]:
        row["unit"] = changes["unit"]
        row["agency"] = agency_of(changes["unit"])


def case_row_to_db(row: Row) -> Row:
    """A case row as the table holds it (lists as JSON text)."""
    return {
        **row,
        "officers": json.dumps(row["officers"], ensure_ascii=False),
        "decision_kinds": json.dumps(row["decision_kinds"], ensure_ascii=False),
    }


def case_row_from_db(row: Row) -> Row:
    return {
        **row,
        "officers": json.loads(row["officers"]),
        "decision_kinds": json.loads(row["decision_kinds"]),
    }
