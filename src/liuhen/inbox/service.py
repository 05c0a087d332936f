"""What waits for whom: the internal approval chain 承办人 → 审核人 → 批准人 (002 第三十八条).

Derived from the journal on each request: a draft decision with no legal review after it waits
for the legal reviewer; a reviewed one without the head's approval waits for the head; a
closed case not yet archived waits for the archivist.
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import func, select

from liuhen.compliance import service as compliance
from liuhen.documents import DOC_TYPES
from liuhen.documents.service import pending_blocks
from liuhen.kernel.db import store
from liuhen.procedure.fields import Block
from liuhen.rules.engine import applies
from liuhen.rules.pack import Order

ENTRY = store.ENTRY
CASE = store.CASE
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


def to_sign(conn: Any, units: list[str] | None) -> dict[str, list[dict[str, Any]]]:
    """Documents whose reviewer's or approver's block still waits for its holder's own
    signature, by block; only the latest version of each document counts."""

    query = (
        select(ENTRY.c.seq, ENTRY.c.chain, ENTRY.c.body, CASE.c.cause)
        .select_from(ENTRY.join(CASE, CASE.c.number == ENTRY.c.chain))
        .where(ENTRY.c.act == "general.document")
        .order_by(ENTRY.c.seq)
    )
    if units is not None:
        query = query.where(CASE.c.unit.in_(units))
    latest: dict[int, dict[str, Any]] = {}
    for seq, chain, body, cause in conn.execute(query):
        fields = json.loads(body)["fields"] or {}
        latest.pop(fields.get("supersedes") or 0, None)
        latest[int(seq)] = {"number": chain, "cause": cause, "seq": int(seq), "fields": fields}
    out: dict[str, list[dict[str, Any]]] = {Block.REVIEWER: [], Block.APPROVER: []}
    for item in latest.values():
        fields = item.pop("fields")
        doc = DOC_TYPES.get(fields.get("doc_type", ""))
        for block in pending_blocks(fields.get("doc_type", ""), fields.get("signatures") or []):
            out[block].append({**item, "title": doc.title if doc else ""})
    return out


def collective(app: Any, units: list[str] | None) -> list[dict[str, Any]]:
    """Cases awaiting a decision for which the pack demands the heads' collective discussion
    (行政处罚法 第五十七条第二款) and none has been recorded since the draft.

    The pack's conditions are judged on the case as it would be decided: the draft's proposed
    amount counts as the fine, since the discussion must come before the decision.
    """

    acts = ("decision.draft", "decision.collective_discussion", "decision.decision")
    seqs: dict[str, dict[str, int]] = {}
    query = select(CASE.c.number, CASE.c.cause, CASE.c.unit, CASE.c.updated_at)
    if units is not None:
        query = query.where(CASE.c.unit.in_(units))
    with app.engine.connect() as conn:
        for chain, act, seq in conn.execute(
            select(ENTRY.c.chain, ENTRY.c.act, func.max(ENTRY.c.seq))
            .where(ENTRY.c.act.in_(acts))
            .group_by(ENTRY.c.chain, ENTRY.c.act)
        ):
            seqs.setdefault(chain, {})[act] = int(seq)
        cases = conn.execute(query).all()
    out: list[dict[str, Any]] = []
    for number, cause, unit, updated in cases:
        s = seqs.get(number, {})
        draft = s.get("decision.draft", 0)
        if not draft or max(s.get(a, 0) for a in acts[1:]) > draft:
            continue  # no draft yet, or discussed or decided since
        rec, agency = compliance.case_record(app, number)
        pack = compliance.load_pack(compliance.pack_name_for(app, agency), app.settings.data_dir)
        drafts = rec.of(["decision.draft"])
        proposed = max(rec.max_amount(), _amount(drafts[-1].fields.get("amount")))
        for rule in pack.rules.values():
            if not isinstance(rule, Order) or "decision.collective_discussion" not in rule.before:
                continue
            when, floor = rule.when, rule.when.fine_at_least if rule.when else None
            if applies(when.model_copy(update={"fine_at_least": None}) if when else None, rec) and (
                floor is None or proposed >= floor
            ):
                out.append({"number": number, "cause": cause, "unit": unit, "since": updated,
                            "rule": rule.title})  # fmt: skip
                break
    return out


def _amount(value: Any) -> Decimal:
    try:
        return Decimal(str(value or 0))
    except InvalidOperation:
        return Decimal(0)
