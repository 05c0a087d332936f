"""Approving as the heads do it: the document read, an opinion written, then signed.

A document waiting for a reviewer's or approver's block (``pending_blocks``) is opened on its
approval page: the PDF as it stands, what it approves, and an opinion box. The holder picks
同意, 不同意 or 退回补充, edits the opinion and confirms; only then is anything recorded:

- 同意 / 不同意: his PAdES signature, whose appearance is his opinion, name and the date in
  the block's box (``service.countersigned``); for the approver's block also the act the rules
  engine reads, as ``APPROVER_RECORDS`` says for the document's type (mostly
  ``decision.head_approval`` about the act the document records: its ``subject_seq`` comes
  from the document, never from what is typed);
- 退回补充: no signature; ``general.approval_returned`` with his reason, and the document goes
  back to the officer who issued it, to be corrected as a new version and sent again.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from sqlalchemy import select

from liuhen.access.policy import User
from liuhen.accounts.service import Forbidden
from liuhen.documents import opinion_box
from liuhen.documents.service import countersigned
from liuhen.documents.types import BLOCK_ROLES, DOC_TYPES, DocType, pending_blocks, role_label
from liuhen.errors import ConflictError, NotFoundError, Problem, ValidationError
from liuhen.kernel import record
from liuhen.kernel.db import store
from liuhen.kernel.instance import App
from liuhen.kernel.journal import Appended
from liuhen.kernel.record import ActInput, build_draft
from liuhen.payloads import FieldValues
from liuhen.procedure.catalog import Role, act_type
from liuhen.procedure.fields import Block

ENTRY = store.ENTRY
DOCUMENT = "general.document"
RETURNED = "general.approval_returned"
HEAD_APPROVAL = "decision.head_approval"

AGREE, DISAGREE, RETURN = "同意", "不同意", "退回补充"
# the usual phrases a choice starts the opinion with; the holder edits them
PHRASES: dict[str, str] = {AGREE: "同意。", DISAGREE: "不同意，理由：", RETURN: "退回补充："}
# A form whose holder confirms what others wrote rather than approving a proposal: the
# 集体讨论记录's 主持人 confirms the record and its 讨论决定, or returns it to be corrected (a
# record he disagrees with is not his to sign against).
FORM_PHRASES: dict[str, dict[str, str]] = {
    "collective_discussion_record": {
        AGREE: "以上记录与讨论情况相符，确认讨论决定。",
        RETURN: "退回补充：",
    },
}
OPINION_MAX = 2000


@dataclass(frozen=True, slots=True)
class Pending:
    """A document version waiting for ``block``, as its approval page shows it."""

    case: str
    seq: int
    doc: DocType
    block: str
    label: str  # how the form names the block: 负责人, 承办机构审核人…
    fields: FieldValues  # the 文书 entry's fields
    act_seq: int
    act_label: str
    cause: str
    party: str
    handler_opinion: str
    issued_by: str  # who issued (recorded) this version

    @property
    def digest(self) -> str:
        return str(self.fields.get("digest") or "")

    @property
    def content(self) -> FieldValues:
        found = self.fields.get("content")
        return found if isinstance(found, dict) else {}

    def row(self) -> str:
        """The form's row the opinion is written in."""
        return f"{self.label}意见栏"

    @property
    def phrases(self) -> dict[str, str]:
        """The choices this form offers, each with the phrase its opinion starts from."""
        return FORM_PHRASES.get(self.doc.code, PHRASES)


@dataclass(frozen=True, slots=True)
class Decision:
    """What the holder chose and wrote, checked."""

    choice: str
    opinion: str

    @property
    def returned(self) -> bool:
        return self.choice == RETURN


@dataclass(frozen=True, slots=True)
class Outcome:
    """What was recorded: the signed version (None when returned) and the journaled act."""

    signed: Appended | None
    act: Appended | None


def _body(app: App, case: str, seq: int) -> dict[str, Any] | None:
    with app.engine.connect() as conn:
        row = conn.execute(
            select(ENTRY.c.act, ENTRY.c.body).where(ENTRY.c.seq == seq, ENTRY.c.chain == case)
        ).first()
    if row is None:
        return None
    body: dict[str, Any] = json.loads(row.body)
    body["act"] = row.act
    return body


def _later(app: App, case: str, seq: int) -> tuple[bool, list[FieldValues]]:
    """Whether a later version supersedes document ``seq``, and the returns naming it."""
    superseded, returns = False, []
    with app.engine.connect() as conn:
        rows = conn.execute(
            select(ENTRY.c.act, ENTRY.c.body).where(
                ENTRY.c.chain == case, ENTRY.c.seq > seq, ENTRY.c.act.in_([DOCUMENT, RETURNED])
            )
        ).all()
    for act, body in rows:
        fields = json.loads(body).get("fields") or {}
        if act == DOCUMENT and fields.get("supersedes") == seq:
            superseded = True
        elif act == RETURNED and fields.get("document_seq") == seq:
            returns.append(fields)
    return superseded, returns


def _party(content: FieldValues) -> str:
    """Whom the document concerns: its party, or who asks to see the file (查阅、复制)."""
    for key in ("party", "requester"):
        one = content.get(key)
        if isinstance(one, dict) and one.get("name"):
            return str(one["name"])
    many = content.get("parties")
    if isinstance(many, list):
        return "、".join(str(p.get("name", "")) for p in many if isinstance(p, dict))
    return ""


def holders_block(user: User, doc: DocType, signatures: list[Any]) -> str | None:
    """The pending reviewer's or approver's block of this version that ``user`` holds."""
    return next(
        (b for b in pending_blocks(doc.code, signatures) if user.roles & BLOCK_ROLES[b]), None
    )


def pending(app: App, user: User, case: str, seq: int) -> Pending:
    """The version ``seq`` waiting for a block ``user`` holds, or refused, saying why."""
    body = _body(app, case, seq)
    if body is None or body["act"] != DOCUMENT:
        raise NotFoundError(f"案件“{case}”中没有序号为 {seq} 的文书")
    fields: FieldValues = dict(body.get("fields") or {})
    doc = DOC_TYPES.get(str(fields.get("doc_type", "")))
    if doc is None:
        raise NotFoundError(f"序号为 {seq} 的文书种类未知")
    signatures = list(fields.get("signatures") or [])
    block = holders_block(user, doc, signatures)
    if block is None or not user.cert_no:
        raise Forbidden(f"《{doc.title}》没有待您签署的审核或批准栏")
    superseded, returns = _later(app, case, seq)
    if superseded:
        raise ConflictError(f"《{doc.title}》（序号 {seq}）已有更新的版本，请在最新版本上审批")
    if returns:
        raise ConflictError(f"《{doc.title}》（序号 {seq}）已退回承办人补充，待其重新送签")
    act_seq = int(fields.get("act_seq") or 0)
    act = _body(app, case, act_seq) if act_seq else None
    spec = act_type(str(act["act"])) if act else None
    content = fields.get("content") if isinstance(fields.get("content"), dict) else {}
    assert isinstance(content, dict)
    return Pending(
        case=case, seq=seq, doc=doc, block=block, label=role_label(doc.code, block),
        fields=fields, act_seq=act_seq, act_label=spec.label if spec else "",
        cause=str(content.get("cause") or ""), party=_party(content),
        handler_opinion=str(content.get("handler_opinion") or ""),
        issued_by=str(((body.get("recorded_by") or {}).get("id")) or ""),
    )  # fmt: skip


def read(choice: str, opinion: str, phrases: dict[str, str] = PHRASES) -> Decision:
    """The holder's choice (one of the form's ``phrases``) and opinion, or every problem with
    them (``ValidationError``)."""
    opinion = opinion.replace("\r\n", "\n").strip()
    problems: list[Problem] = []
    if choice not in phrases:
        problems.append(Problem(
            f"请选择{'、'.join(phrases)}之一", "choice", label="审批结论", kind="choice",
        ))  # fmt: skip
    bare = PHRASES.get(choice, "").rstrip("。：")
    if not opinion:
        problems.append(Problem("请填写意见", "opinion", label="意见", kind="required"))
    elif choice in (DISAGREE, RETURN) and opinion.rstrip("：:，, ") in (bare, PHRASES[choice]):
        problems.append(Problem(
            "不同意或退回补充的，须写明理由", "opinion", label="意见", kind="required",
        ))  # fmt: skip
    elif len(opinion) > OPINION_MAX:
        problems.append(Problem(
            f"意见不能超过 {OPINION_MAX} 字（现有 {len(opinion)} 字）", "opinion",
            label="意见", kind="too_long",
        ))  # fmt: skip
    if problems:
        raise ValidationError(f"审批意见有 {len(problems)} 处问题，未签署", problems)
    return Decision(choice, opinion)


def _actor(user: User, block: str) -> dict[str, str]:
    """The journal's ``recorded_by``: the holder himself, in the role his block is."""
    role = Role.HEAD if block == Block.APPROVER else Role.LEGAL_REVIEWER
    return {"id": str(user.cert_no), "role": role.value}


def head_approval(p: Pending, d: Decision) -> FieldValues:
    """``decision.head_approval`` about the act the document records (``subject_seq``)."""
    fields: FieldValues = {"matter": p.doc.title, "opinion": d.opinion,
                           "approved": d.choice == AGREE}  # fmt: skip
    if p.act_seq:
        fields["subject_seq"] = p.act_seq
    return fields


@dataclass(frozen=True, slots=True)
class Records:
    """The act the approver's 同意 or 不同意 on a document records beside his signature, and
    its fields from the document and his decision; both are journaled together or neither."""

    act: str
    fields: Callable[[Pending, Decision], FieldValues]
    # the act is another feature's, held to its rules by its own check (``Check``, passed in
    # by the entry points): without it nothing is signed
    checked: bool = False


# A feature's check of an act it owns, above documents (``disclosure.checked_decision``):
# the act as it is to be recorded, or refused; run before the approver's key is used.
Check = Callable[[App, ActInput], ActInput]


def disclosure_decision(p: Pending, d: Decision) -> FieldValues:
    """The head's 同意 grants what the party asked (the request's own list, not the form's);
    his 不同意 refuses it, his opinion the reasons (001 第二十一条)."""
    return {"request": p.act_seq, "decision": AGREE if d.choice == AGREE else DISAGREE,
            "reason": d.opinion}  # fmt: skip


HEAD = Records(HEAD_APPROVAL, head_approval)
DISCLOSURE = Records("general.disclosure_decision", disclosure_decision, checked=True)
# What the approver's signature records, per document type: the rules engine reads the act,
# never the PDF. A type with an approver's block must be listed; ``None``: his signature
# alone is the record. Add a row with each new form the head approves.
APPROVER_RECORDS: dict[str, Records | None] = {
    "filing_approval": HEAD,  # 立案审批表: about the opening act
    "not_opened_approval": HEAD,
    "case_handling_approval": HEAD,  # 案件处理审批表: about the decision.draft
    "legal_review_opinion": HEAD,
    "closing_approval": HEAD,
    "evidence_notice": HEAD,
    "seal_decision": HEAD,
    "release_decision": HEAD,
    "prior_notice": HEAD,
    "hearing_notice": HEAD,
    "demand_notice": HEAD,
    "enforcement_decision": HEAD,
    "enforcement_application": HEAD,
    # the coercive measures and the evidence preserved, approved by the head (行政处罚法
    # 第五十六条, 行政强制法 第十八条、第二十五条): about the act the form records
    "preservation_approval": HEAD,
    "seal_approval": HEAD,
    "coercion_extension_approval": HEAD,
    "disclosure_approval": DISCLOSURE,  # 查阅、复制: his decision on the party's request
    # the 主持人 confirms the record of a discussion already recorded (decision.
    # collective_discussion): his signature and opinion are the confirmation
    "collective_discussion_record": None,
}


def _approval(app: App, p: Pending, user: User, d: Decision) -> ActInput | None:
    """What the approver's decision records besides his signature (``APPROVER_RECORDS``)."""
    records = APPROVER_RECORDS.get(p.doc.code) if p.block == Block.APPROVER else None
    if records is None:
        return None
    return ActInput(
        records.act, app.clock.now().isoformat(), case=p.case, actors=[str(user.cert_no)],
        fields=records.fields(p, d), recorded_by=_actor(user, p.block),
    )  # fmt: skip


def decide(
    app: App, user: User, case: str, seq: int, choice: str, opinion: str,
    checks: Mapping[str, Check] | None = None,
) -> Outcome:  # fmt: skip
    """Record the holder's confirmed decision on version ``seq`` (see the module's doc);
    ``checks`` hold the acts other features own to their rules (``Records.checked``)."""
    p = pending(app, user, case, seq)
    d = read(choice, opinion, p.phrases)
    if d.returned:
        returned = record.record(app, ActInput(
            RETURNED, app.clock.now().isoformat(), case=case, actors=[str(user.cert_no)],
            fields={"document_seq": seq, "block": p.block, "reason": d.opinion},
            recorded_by=_actor(user, p.block),
        ))  # fmt: skip
        return Outcome(None, returned)
    approval = _approval(app, p, user, d)
    if approval is not None:
        build_draft(approval, app.clock.now())  # its checks before the key is used
        approval = _checked(app, approval, checks or {})
    try:
        version = countersigned(app, case, seq, p.block, str(user.cert_no), user.actor, d.opinion,
                                approved=d.choice == AGREE)  # fmt: skip
    except opinion_box.TooLong as exc:  # refused before his key was used: nothing stored
        raise ValidationError(str(exc), [Problem(
            str(exc), "opinion", label="意见", kind="too_long",
        )]) from None  # fmt: skip
    # the signed version and what his approval records: both journaled, or neither
    appended = record.record_all(app, [version] if approval is None else [version, approval])
    return Outcome(appended[0], appended[1] if approval is not None else None)


def _checked(app: App, approval: ActInput, checks: Mapping[str, Check]) -> ActInput:
    """The act as its own feature records it, where the table says it checks it."""
    records = next((r for r in APPROVER_RECORDS.values() if r and r.act == approval.act), None)
    if records is None or not records.checked:
        return approval
    if approval.act not in checks:
        raise ConflictError(f"“{approval.act}”须经其业务规则检查后才能记录，未签署")
    return checks[approval.act](app, approval)


def page_url(case: str, seq: int) -> str:
    return f"/cases/{quote(case, safe='')}/approvals/{seq}"


def redo_url(case: str, seq: int, act_seq: int, doc_type: str) -> str:
    """The document form for a new version of returned version ``seq``."""
    return (f"/cases/{quote(case, safe='')}/documents/new?act_seq={act_seq}"
            f"&doc_type={quote(doc_type)}&supersedes={seq}")  # fmt: skip
