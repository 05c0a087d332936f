"""What waits for whom: the internal approval chain 承办人 → 审核人 → 批准人 (002 第三十八条).

Derived from the journal on each request: a draft decision with no legal review after it waits
for the legal reviewer; a reviewed one without the head's approval waits for the head; a
closed case not yet archived waits for the archivist.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import Connection, func, select

from liuhen.access.policy import User
from liuhen.accounts.service import case_header, case_scope
from liuhen.compliance import service as compliance
from liuhen.disclosure import service as disclosure
from liuhen.disclosure.schemas import DisclosureRequest
from liuhen.documents import DOC_TYPES
from liuhen.documents.service import pending_blocks
from liuhen.kernel.db import store
from liuhen.kernel.instance import App
from liuhen.payloads import FieldValues
from liuhen.procedure.catalog import Role
from liuhen.procedure.fields import Block
from liuhen.rules.engine import applies
from liuhen.rules.pack import Order

ENTRY = store.ENTRY
CASE = store.CASE
STEPS = ("decision.draft", "decision.legal_review", "decision.head_approval", "decision.decision")


@dataclass(frozen=True, slots=True)
class WaitingCase:
    """A case waiting at a step of the chain; ``since`` is its last change."""

    number: str
    cause: str
    unit: str
    since: str


@dataclass(frozen=True, slots=True)
class Unsigned:
    """A document whose reviewer's or approver's block waits for its holder."""

    number: str
    cause: str
    seq: int
    title: str


@dataclass(frozen=True, slots=True)
class Undiscussed:
    """A case whose draft decision waits for the heads' collective discussion, and the rule
    of the pack that demands it."""

    number: str
    cause: str
    unit: str
    since: str
    rule: str


@dataclass(frozen=True, slots=True)
class Inbox:
    """What waits in one user's scope. ``waiting`` and ``unsigned`` hold every step and block
    (the page shows those of his roles); ``requests`` and ``collective`` are a head's alone
    (None for anyone else)."""

    waiting: dict[str, list[WaitingCase]]
    unsigned: dict[str, list[Unsigned]]
    requests: list[DisclosureRequest] | None
    collective: list[Undiscussed] | None


def inbox(app: App, user: User) -> Inbox:
    """What the inbox page shows ``user``, within the cases he may see."""
    scope = case_scope(app, user)
    units = None if scope is None else scope[0]
    with app.engine.connect() as conn:
        found = _waiting(conn, units)
        unsigned = _to_sign(conn, units)
    pending = None
    if Role.HEAD in user.roles:  # parties' requests wait for the head (001 第二十一条)
        mine = None if scope is None else set(scope[0] or [])
        pending = [
            r for r in disclosure.requests(app, pending=True)
            if mine is None or case_header(app, r.case)["unit"] in mine
        ]  # fmt: skip
    # 行政处罚法 第五十七条第二款: where the pack demands it, the heads discuss first
    discuss = _collective(app, units) if Role.HEAD in user.roles else None
    return Inbox(found, unsigned, pending, discuss)


def awaits_approver(app: App, number: str) -> bool:
    """Whether a document of the case still waits for the head's own signature in its
    approver's block (after his approval the page sends him to sign it)."""
    with app.engine.connect() as conn:
        return any(d.number == number for d in _to_sign(conn, None)[Block.APPROVER])


def _waiting(conn: Connection, units: list[str] | None) -> dict[str, list[WaitingCase]]:
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
    out: dict[str, list[WaitingCase]] = {"legal_review": [], "head_approval": [], "archive": []}
    for number, cause, unit, status, updated in conn.execute(query):
        item = WaitingCase(number, cause, unit, updated)
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


def _to_sign(conn: Connection, units: list[str] | None) -> dict[str, list[Unsigned]]:
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
    latest: dict[int, tuple[str, str, FieldValues]] = {}  # seq -> case, cause, document fields
    for seq, chain, body, cause in conn.execute(query):
        fields = json.loads(body)["fields"] or {}
        latest.pop(fields.get("supersedes") or 0, None)
        latest[int(seq)] = (chain, cause, fields)
    out: dict[str, list[Unsigned]] = {Block.REVIEWER: [], Block.APPROVER: []}
    for seq, (number, cause, fields) in latest.items():
        doc = DOC_TYPES.get(fields.get("doc_type", ""))
        for block in pending_blocks(fields.get("doc_type", ""), fields.get("signatures") or []):
            out[block].append(Unsigned(number, cause, seq, doc.title if doc else ""))
    return out


def _collective(app: App, units: list[str] | None) -> list[Undiscussed]:
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
    out: list[Undiscussed] = []
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
                out.append(Undiscussed(number, cause, unit, updated, rule.title))
                break
    return out


def _amount(value: Any) -> Decimal:
    try:
        return Decimal(str(value or 0))
    except InvalidOperation:
        return Decimal(0)
