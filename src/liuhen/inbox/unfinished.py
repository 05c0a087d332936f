"""What a user began and has not finished: forms he saved (暂存) and acts whose approval he has
not yet asked for.

- A draft (``web.drafts``) waits for its own user only, and only while he may still see its
  case; its item opens the form as he left it.
- An act recorded on an officer's case that a document with an approver's block records
  (``documents.DOC_TYPES``: the 立案审批表 of a filing, the 查封（扣押）决定书 of a seizure, and
  whatever approval form is added to ``procedure/documents.yaml``) waits for that document, made
  and sent to the head, until one is issued for it or the head's approval of it is recorded
  (or, in an older record, typed on the act as its ``approver``). Read from the document
  types, so a new approval form needs nothing here.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import Engine, select

from liuhen.access.policy import User
from liuhen.accounts.service import case_scope, chains_in
from liuhen.documents import DOC_TYPES
from liuhen.inbox.findings import case_url
from liuhen.inbox.items import Action, CaseRef, Item
from liuhen.kernel.db import store
from liuhen.kernel.instance import App
from liuhen.procedure.catalog import Role, act_type
from liuhen.procedure.fields import Block
from liuhen.web import drafts

ENTRY = store.ENTRY
CASE = store.CASE
DRAFT_KIND = "draft"
REQUEST_KIND = "request"
DOCUMENT = "general.document"
APPROVAL = "decision.head_approval"
DRAFT_ACT = "decision.draft"
DECISION = "decision.decision"


def _approval_documents() -> dict[str, tuple[str, ...]]:
    """Act code → the documents with an approver's block that record it, in the order of
    ``documents.yaml``; only acts an officer records (a legal review's opinion is the
    reviewer's to make)."""
    out: dict[str, list[str]] = {}
    for doc in DOC_TYPES.values():
        if Block.APPROVER not in doc.signers:
            continue
        for act in doc.acts:
            spec = act_type(act)
            if spec is not None and Role.OFFICER in spec.roles:
                out.setdefault(act, []).append(doc.code)
    return {act: tuple(codes) for act, codes in out.items()}


APPROVAL_DOCUMENTS = _approval_documents()


def document_url(number: str, act_seq: int, doc_type: str) -> str:
    """The document form for ``doc_type`` recording entry ``act_seq`` (as violations link it)."""
    query = urlencode({"act_seq": act_seq, "doc_type": doc_type})
    return f"{case_url(number)}/documents/new?{query}"


def draft_items(app: App, user: User) -> list[Item]:
    """His drafts, each a click from its form; a draft of a case he no longer sees is not
    shown (nor can its form be opened: the form's guard refuses it)."""
    visible = chains_in(drafts.DRAFT.c.case_number, case_scope(app, user))
    mine = drafts.of_user(app.engine, user.username, visible)
    causes = _causes(app.engine, {d.case for d in mine if d.case})
    items = []
    for d in mine:
        saved = datetime.fromisoformat(d.saved_at).astimezone(app.settings.timezone)
        case = CaseRef(d.case, causes.get(d.case, "")) if d.case else None
        items.append(Item(
            DRAFT_KIND, f"继续填写：《{d.title}》（暂存于 {saved:%Y-%m-%d %H:%M}）",
            Action("继续填写", d.url), case, since=d.saved_at, detail="暂存的内容尚未记入案件",
        ))  # fmt: skip
    return items


def _causes(engine: Engine, numbers: set[str]) -> dict[str, str]:
    if not numbers:
        return {}
    with engine.connect() as conn:
        rows = conn.execute(select(CASE.c.number, CASE.c.cause).where(CASE.c.number.in_(numbers)))
        return {number: cause for number, cause in rows}


def request_items(
    engine: Engine, cases: Mapping[str, tuple[CaseRef, str]], taken: set[str]
) -> list[Item]:
    """On his open ``cases``: each act whose approval document has not been issued for it,
    with the form that makes it; ``taken`` holds the addresses other items already link to
    (a violation demanding the same document, a draft of its form)."""
    if not cases or not APPROVAL_DOCUMENTS:
        return []
    with engine.connect() as conn:
        acts = conn.execute(
            select(ENTRY.c.seq, ENTRY.c.chain, ENTRY.c.act, ENTRY.c.recorded_at, ENTRY.c.body)
            .where(ENTRY.c.chain.in_(list(cases)), ENTRY.c.act.in_(list(APPROVAL_DOCUMENTS)))
            .order_by(ENTRY.c.seq)
        ).all()
        if not acts:
            return []
        issued = _issued(conn.execute(
            select(ENTRY.c.chain, ENTRY.c.body).select_from(ENTRY)
            .where(ENTRY.c.chain.in_({a.chain for a in acts}), ENTRY.c.act == DOCUMENT)
        ).all())  # fmt: skip
        answered = _answered(acts, conn.execute(
            select(ENTRY.c.seq, ENTRY.c.chain, ENTRY.c.body)
            .where(ENTRY.c.chain.in_({a.chain for a in acts}), ENTRY.c.act == APPROVAL)
            .order_by(ENTRY.c.seq)
        ).all())  # fmt: skip
    kinds = {int(a.seq): a.act for a in acts}
    acts_after = _decisions(engine, {a.chain for a in acts})
    out: list[Item] = []
    for a in acts:
        codes = APPROVAL_DOCUMENTS[a.act]
        done = issued.get(a.chain, {})
        if int(a.seq) in answered or any(int(a.seq) in done.get(c, ()) for c in codes):
            continue
        body = json.loads(a.body)
        if (body.get("fields") or {}).get("approver"):
            continue  # an older record names the head who approved it, typed on the act
        if body.get("imported") and not _undecided_draft(a, acts_after.get(a.chain, ())):
            continue  # made on paper before the case came in: its forms are in the paper file
        code = codes[0]
        # a document of several acts made once for an earlier one of them (the 听证通知书
        # answering the 事先告知's request, before the hearing) answers this one too
        earlier = [s for s in done.get(code, ()) if s < int(a.seq) and kinds.get(s) != a.act]
        url = document_url(a.chain, int(a.seq), code)
        if earlier or url in taken:
            continue
        case, _ = cases[a.chain]
        spec = act_type(a.act)
        title = DOC_TYPES[code].title
        out.append(Item(
            REQUEST_KIND, f"提交《{title}》待负责人审批", Action(f"制作《{title}》", url), case,
            f"{spec.label if spec else a.act}（序号 {a.seq}）须经负责人审批", since=a.recorded_at,
            more=Action("查看记录", f"{case_url(a.chain)}#seq-{a.seq}"),
        ))  # fmt: skip
    return out


def _decisions(engine: Engine, chains: set[str]) -> dict[str, tuple[int, ...]]:
    """Case → the seqs of its decisions, so an imported draft still undecided is told apart."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(ENTRY.c.chain, ENTRY.c.seq).where(
                ENTRY.c.chain.in_(chains), ENTRY.c.act == DECISION
            )
        ).all()
    out: dict[str, list[int]] = {}
    for chain, seq in rows:
        out.setdefault(chain, []).append(int(seq))
    return {chain: tuple(seqs) for chain, seqs in out.items()}


def _undecided_draft(act: Any, decisions: Sequence[int]) -> bool:
    """An imported draft no decision followed: the officer still needs the head's approval
    (``documents.prior_approval``) before he can issue the decision here."""
    return bool(act.act == DRAFT_ACT and not any(s > int(act.seq) for s in decisions))


def _answered(acts: Sequence[Any], approvals: Sequence[Any]) -> set[int]:
    """The acts a head's approval (批准 or not) already answers: the one its ``subject_seq``
    names, else (an approval recorded without one) the latest act before it that awaits one."""
    out: set[int] = set()
    for seq, chain, body in approvals:
        subject = (json.loads(body).get("fields") or {}).get("subject_seq")
        if isinstance(subject, int):
            out.add(subject)
            continue
        before = [int(a.seq) for a in acts if a.chain == chain and int(a.seq) < int(seq)]
        if before:
            out.add(max(before))
    return out


def _issued(rows: Sequence[Any]) -> dict[str, dict[str, set[int]]]:
    """Case → document type → the entries documents of it were issued for."""
    out: dict[str, dict[str, set[int]]] = {}
    for chain, body in rows:
        fields = json.loads(body).get("fields") or {}
        seq, code = fields.get("act_seq"), fields.get("doc_type")
        if isinstance(seq, int) and isinstance(code, str):
            out.setdefault(chain, {}).setdefault(code, set()).add(seq)
    return out
