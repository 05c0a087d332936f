"""What waits for whom: the internal approval chain 承办人 → 审核人 → 批准人 (002 第三十八条).

Derived from the journal on each request: a draft decision with no legal review after it waits
for the legal reviewer; a reviewed one without the head's approval waits for the head; a
closed case not yet archived waits for the archivist.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from liuhen.db import store

ENTRY = store.ENTRY
CASE = store.T["case_record"]
STEPS = ("decision.draft", "decision.legal_review", "decision.head_approval", "decision.decision")


def waiting(conn: Any, units: list[str] | None) -> dict[str, list[dict[str, Any]]]:
    """Cases waiting at each step, for cases of ``units`` (None: all)."""
    latest: dict[str, dict[str, int]] = {}
    rows = conn.execute(
        select(ENTRY.c.chain, ENTRY.c.act, func.max(ENTRY.c.seq))
        .where(ENTRY.c.act.in_(STEPS))
        .group_by(ENTRY.c.chain, ENTRY.c.act)
    )
    for chain, act, seq in rows:
        latest.setdefault(chain, {})[act] = int(seq)
    query = select(CASE.c.number, CASE.c.cause, CASE.c.unit, CASE.c.status, CASE.c.updated_at)
    if units is not None:
        query = query.where(CASE.c.unit.in_(units))
    out: dict[str, list[dict[str, Any]]] = {"legal_review": [], "head_approval": [], "archive": []}
    for number, cause, unit, status, updated in conn.execute(query):
        item = {"number": number, "cause": cause, "unit": unit, "since": updated}
        steps = latest.get(number, {})
        draft = steps.get("decision.draft", 0)
        review = steps.get("decision.legal_review", 0)
        approval = steps.get("decision.head_approval", 0)
        decided = steps.get("decision.decision", 0)
        if draft and review < draft and decided < draft:
            out["legal_review"].append(item)
        elif review and approval < review and decided < review:
            out["head_approval"].append(item)
        if status == "closed":
            out["archive"].append(item)
    return out
