"""Documents issued only once the head approved, on its approval form, what they carry out.

A 行政处罚决定书 is the officer's to issue, under his own key, but only after the head approved
the draft decision on its 案件处理审批表 (002 第二十条; 行政处罚法 第五十七条): the latest
``decision.draft`` of the case, approved by the head's 同意 (``decision.head_approval`` about
it, recorded with his signature by ``documents.approvals``) or, where no answer was recorded,
by his signature in the latest version's approver block. Records made before the form existed
approved a decision with a ``decision.head_approval`` naming no subject: one made after the
latest draft still counts.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import quote

from sqlalchemy import Connection, select

from liuhen.documents.types import DOC_TYPES, PADES
from liuhen.errors import Problem
from liuhen.kernel.db import store
from liuhen.kernel.instance import App
from liuhen.payloads import FieldValues
from liuhen.procedure.fields import Block

ENTRY = store.ENTRY
DOCUMENT = "general.document"
HEAD_APPROVAL = "decision.head_approval"


@dataclass(frozen=True, slots=True)
class Prior:
    """The act the head approves first, and the form he approves it on."""

    act: str
    form: str


# document type → what must be approved before it is issued
REQUIRES: dict[str, Prior] = {
    "penalty_decision": Prior("decision.draft", "case_handling_approval"),
}


@dataclass(frozen=True, slots=True)
class State:
    """Where a case's approval of ``prior.act`` stands."""

    subject: int | None  # the latest entry of the act approved (None: none recorded)
    form: int | None  # the latest version of the approval form recording it
    signed: bool  # that version carries the approver's signature
    approved: bool | None  # the head's answer: None while he has given none

    @property
    def sent(self) -> bool:
        return self.form is not None


def state(conn: Connection, case: str, prior: Prior) -> State:
    """Where ``case``'s approval of its latest ``prior.act`` stands (see the module's doc)."""
    rows = conn.execute(
        select(ENTRY.c.seq, ENTRY.c.act, ENTRY.c.body)
        .where(ENTRY.c.chain == case, ENTRY.c.act.in_([prior.act, HEAD_APPROVAL, DOCUMENT]))
        .order_by(ENTRY.c.seq)
    ).all()
    entries = [(int(seq), act, json.loads(body).get("fields") or {}) for seq, act, body in rows]
    return judge(entries, prior)


def judge(entries: list[tuple[int, str, FieldValues]], prior: Prior) -> State:
    """``state`` from a case's entries of the act, head approvals and documents, by seq."""
    subject = max((seq for seq, act, _f in entries if act == prior.act), default=None)
    if subject is None:
        return State(None, None, False, None)
    answers = [
        f.get("approved") for seq, act, f in entries
        if act == HEAD_APPROVAL and (f.get("subject_seq") == subject
                                     or (f.get("subject_seq") is None and seq > subject))
    ]  # fmt: skip
    versions = [
        (seq, f) for seq, act, f in entries
        if act == DOCUMENT and f.get("doc_type") == prior.form and f.get("act_seq") == subject
    ]  # fmt: skip
    form, fields = versions[-1] if versions else (None, {})
    signed = any(
        s.get("role") == Block.APPROVER and s.get("method") == PADES
        for s in fields.get("signatures") or []
    )
    approved = answers[-1] if answers and isinstance(answers[-1], bool) else None
    if approved is None and signed:
        approved = True  # his signature with no recorded answer approves
    return State(subject, form, signed, approved)


def problems(app: App, case: str, doc_type: str, where: str = "sign.officer") -> list[Problem]:
    """Why a ``doc_type`` may not be issued in ``case`` yet: its prior act not approved."""
    prior = REQUIRES.get(doc_type)
    if prior is None:
        return []
    with app.engine.connect() as conn:
        found = state(conn, case, prior)
    if found.approved:
        return []
    form, doc = DOC_TYPES[prior.form].title, DOC_TYPES[doc_type].title
    message = f"须先经负责人在《{form}》上批准，方可签发《{doc}》"
    if found.approved is False:
        message += "（负责人未予批准：请修改后重新草拟并送签）"
    elif not found.sent:
        message += f"（尚未送签《{form}》）"
    return [Problem(message, where, label="签发条件", kind="rule")]


def bare_approval_refusal(app: App, case: str, subject: object) -> str | None:
    """Why the head may not record a bare ``decision.head_approval`` about ``subject`` (None:
    naming none): the draft decision sent to him on its approval form is approved on that
    form's approval page, his signature and his approval together; a bare act about it would
    approve it twice, or without the signed form."""
    named = int(str(subject)) if str(subject or "").isdigit() else None
    for prior in REQUIRES.values():
        with app.engine.connect() as conn:
            found = state(conn, case, prior)
        if found.form is None or named not in (None, found.subject):
            continue  # nothing sent, or an approval of something else
        title = DOC_TYPES[prior.form].title
        if found.signed:
            return f"负责人已在《{title}》（序号 {found.form}）上审批该决定草拟，不能再次审批"
        return (f"本案的决定草拟已送《{title}》（序号 {found.form}），请在其审批页审批："
                f"/cases/{quote(case, safe='')}/approvals/{found.form}")  # fmt: skip
    return None
