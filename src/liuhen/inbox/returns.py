"""Documents a reviewer or head returned (退回补充) instead of signing.

A return (``general.approval_returned``) names the document version it returns; that version
leaves the holder's inbox and waits for the officer who issued it, with the reason, until a new
version supersedes it (made from the document form, prefilled from the returned one), which
then waits for the holder's signature again.
"""

from __future__ import annotations

import json
from urllib.parse import quote, urlencode

from sqlalchemy import ColumnElement, Connection, select

from liuhen.documents import DOC_TYPES
from liuhen.inbox.findings import case_url
from liuhen.inbox.items import Action, CaseRef, Item
from liuhen.kernel.db import store
from liuhen.procedure.fields import SIGNER_ROLES

ENTRY = store.ENTRY
CASE = store.CASE
RETURNED = "general.approval_returned"
KIND = "returned"


def returned_seqs(conn: Connection, cond: ColumnElement[bool]) -> dict[int, dict[str, str]]:
    """Document seq → the latest return naming it (reason, block, who, when), in ``cond``'s
    cases."""
    rows = conn.execute(
        select(ENTRY.c.body, ENTRY.c.recorded_at)
        .select_from(ENTRY.join(CASE, CASE.c.number == ENTRY.c.chain))
        .where(ENTRY.c.act == RETURNED, cond)
        .order_by(ENTRY.c.seq)
    ).all()
    out: dict[int, dict[str, str]] = {}
    for body, at in rows:
        entry = json.loads(body)
        fields = entry.get("fields") or {}
        seq = fields.get("document_seq")
        if isinstance(seq, int):
            who = (entry.get("recorded_by") or {}).get("id", "")
            out[seq] = {
                "reason": str(fields.get("reason", "")), "block": str(fields.get("block", "")),
                "by": str(who), "at": str(at),
            }  # fmt: skip
    return out


def redo_url(number: str, seq: int, act_seq: int, doc_type: str) -> str:
    """The document form for a new version of the returned version ``seq``."""
    query = urlencode({"act_seq": act_seq, "doc_type": doc_type, "supersedes": seq})
    return f"{case_url(number)}/documents/new?{query}"


def returned_to(conn: Connection, cond: ColumnElement[bool], mine: set[str]) -> list[Item]:
    """The latest versions of documents first issued by one of ``mine`` (his certificate
    number, his user name) that were returned to him: each with the reason and the form for a
    new version."""
    returns = returned_seqs(conn, cond)
    if not returns:
        return []
    query = (
        select(ENTRY.c.seq, ENTRY.c.chain, ENTRY.c.body, CASE.c.cause)
        .select_from(ENTRY.join(CASE, CASE.c.number == ENTRY.c.chain))
        .where(ENTRY.c.act == "general.document", cond)
        .order_by(ENTRY.c.seq)
    )
    latest: dict[int, tuple[CaseRef, dict[str, object], str]] = {}
    issuer: dict[int, str] = {}  # version → who issued its first version (countersigned
    for seq, chain, body, cause in conn.execute(query):  # versions are recorded by the signer)
        entry = json.loads(body)
        fields = entry.get("fields") or {}
        previous = fields.get("supersedes") or 0
        latest.pop(previous, None)
        by = issuer.get(previous) or str((entry.get("recorded_by") or {}).get("id", ""))
        issuer[int(seq)] = by
        latest[int(seq)] = (CaseRef(chain, cause), fields, by)
    out: list[Item] = []
    for seq, (case, fields, by) in latest.items():
        back = returns.get(seq)
        if back is None or by not in mine:
            continue
        code = str(fields.get("doc_type", ""))
        doc = DOC_TYPES.get(code)
        title = doc.title if doc else code
        act_seq = fields.get("act_seq")
        who = SIGNER_ROLES.get(back["block"], "审批人")
        action = Action("修改后重新送签", redo_url(case.number, seq, int(str(act_seq or 0)), code))
        out.append(Item(
            KIND, f"《{title}》（序号 {seq}）被{who}退回补充", action, case,
            "退回补充：修改后制作新版本，重新签名送签", since=back["at"],
            detail=f"退回理由：{back['reason']}",
            more=Action("查看文书", f"{case_url(case.number)}#seq-{quote(str(seq))}"),
        ))  # fmt: skip
    return out
