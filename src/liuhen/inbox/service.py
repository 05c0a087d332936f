"""What is each user's to do now (待办), most urgent first, each a click from where it is done.

Derived on each request, within the cases that are the user's own work:

- 执法人员: deadlines his acts meet and violations on the cases he is a case officer of (the
  rules engine's findings), decisions the head approved (to make) or refused (to redraft), and
  his stored files not yet bound to a case;
- 法制审核: draft decisions waiting for his review (the internal chain 承办人 → 审核人 → 批准人,
  002 第三十八条), the deadlines running on them, documents waiting for his reviewer's block;
- 负责人: reviewed drafts waiting for his approval, documents waiting for his approver's block,
  collective discussions his pack demands, parties' requests to see the file, and his units'
  open cases with deadlines or violations, one line per case;
- 档案管理: closed cases to file, with the filing deadline where the pack sets one.

A kind of work is a ``Kind`` and a function in ``SOURCES``; adding one needs nothing else.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from sqlalchemy import ColumnElement, Connection, and_, func, select, true

from liuhen.access.policy import User
from liuhen.accounts.service import Scope, case_scope
from liuhen.cases import service as cases_service
from liuhen.cases.schemas import CaseSummary
from liuhen.cases.service import Judge
from liuhen.compliance import service as compliance
from liuhen.disclosure import service as disclosure
from liuhen.documents import DOC_TYPES
from liuhen.documents.service import pending_blocks
from liuhen.evidence import service as evidence
from liuhen.inbox import findings, returns, unfinished
from liuhen.inbox.findings import CASES, DEADLINE, VIOLATION, Judged, case_url, record_url
from liuhen.inbox.items import WINDOW_DAYS, Action, CaseRef, Item, Kind, countdown
from liuhen.kernel.db import store
from liuhen.kernel.instance import App
from liuhen.payloads import FieldValues
from liuhen.procedure.catalog import Role
from liuhen.procedure.fields import Block
from liuhen.rules.engine import applies
from liuhen.rules.pack import Order
from liuhen.warnings import service as warnings
from liuhen.web import drafts

ENTRY = store.ENTRY
CASE = store.CASE
STEPS = ("decision.draft", "decision.legal_review", "decision.head_approval", "decision.decision")
DISCLOSURE_FORM = "disclosure_approval"  # 查阅、复制审批表, decided on the approval page
DECISION_FORM = "case_handling_approval"  # 案件处理审批表: the draft decision's approval
SIGN: dict[str, str] = {Block.REVIEWER: "sign-reviewer", Block.APPROVER: "sign-approver"}

# The headings, in the order a tie between kinds is shown.
KINDS: tuple[Kind, ...] = (
    Kind(DEADLINE, "期限将至与已逾期"),
    Kind(VIOLATION, "违规待整改"),
    Kind(findings.WARNING, "期限预警（黄牌、红牌）"),
    Kind("review", "待法制审核"),
    Kind("approval", "待负责人审批"),
    Kind(SIGN[Block.REVIEWER], "待在审核人栏签名的文书"),
    Kind(SIGN[Block.APPROVER], "待在批准人栏签名的文书"),
    Kind("collective", "待集体讨论"),
    Kind("disclosure", "待审批的查阅、复制申请"),
    Kind(CASES, "本单位案件的期限与违规"),
    Kind("decide", "已批准、待作出决定"),
    Kind("redraft", "未获批准、待重新草拟"),
    Kind(returns.KIND, "退回补充、待修改后重新送签"),
    Kind(unfinished.REQUEST_KIND, "待提交负责人审批"),
    Kind(unfinished.DRAFT_KIND, "暂存待继续填写"),
    Kind("media", "待归入案件的音像资料"),
    Kind("archive", "已结案待归档"),
)


@dataclass(frozen=True, slots=True)
class Inbox:
    """What waits for one user, most urgent first (``Item.sort_key``)."""

    items: list[Item]
    kinds: tuple[Kind, ...] = KINDS


@dataclass(slots=True)
class _Ctx:
    """One request's view: who, when, and what his scope holds (read once, shared)."""

    app: App
    user: User
    now: datetime
    units: list[str] | None  # None: every unit (a supervisor's view)
    judge: Judge | None = None  # the case list's kept summaries (cases.service), if given
    _steps: dict[str, dict[str, _Step]] | None = field(default=None)

    def in_units(self) -> ColumnElement[bool]:
        return true() if self.units is None else CASE.c.unit.in_(self.units)

    def steps(self) -> dict[str, dict[str, _Step]]:
        """The latest entry of each step of the approval chain, by case, in his units."""
        if self._steps is None:
            with self.app.engine.connect() as conn:
                self._steps = _steps(conn, self.in_units())
        return self._steps


@dataclass(frozen=True, slots=True)
class _Step:
    seq: int
    at: str  # occurred_at
    case: CaseRef
    approved: bool | None = None  # a head approval's decision


def inbox(app: App, user: User, judge: Judge | None = None) -> Inbox:
    """What ``user`` has to do now, within the cases he may see. With a ``judge`` a head's
    units' cases are picked from the case list's kept summaries, and only those with
    something to show are judged again, for the rules' titles."""
    state = _state(app, user)
    scope = case_scope(app, user)
    ctx = _Ctx(app, user, app.clock.now(), None if scope is None else scope[0] or [], judge)
    items: list[Item] = []
    for roles, find in SOURCES:
        if user.roles & roles:
            items += find(ctx)
    _COUNTS[_count_key(app, user)] = (state, ctx.now.timestamp(), len(items))
    return Inbox(sorted(items, key=Item.sort_key))


# The menu's count: remembered while nothing is recorded and his drafts stay as they were, for
# at most COUNT_SECONDS (deadlines and a file's day of grace move with the clock alone), so
# most pages pay one small query.
COUNT_SECONDS = 300
_COUNTS: dict[tuple[str, str, str], tuple[tuple[int, int, str], float, int]] = {}


def count(app: App, user: User, judge: Judge | None = None) -> int:
    """How many items ``user``'s inbox holds (the menu's badge)."""
    hit = _COUNTS.get(_count_key(app, user))
    age = app.clock.now().timestamp() - hit[1] if hit else -1.0
    if hit and hit[0] == _state(app, user) and 0 <= age < COUNT_SECONDS:
        return hit[2]
    return len(inbox(app, user, judge).items)


def _count_key(app: App, user: User) -> tuple[str, str, str]:
    return (str(app.settings.data_dir), str(app.engine.url), user.username)


def _state(app: App, user: User) -> tuple[int, int, str]:
    """What the count follows besides the clock: the journal's size, and how many drafts he
    keeps and when he last saved one (a draft records nothing)."""
    mine = drafts.DRAFT.c.username == user.username
    with app.engine.connect() as conn:
        size = conn.execute(select(store.HEAD.c.size).where(store.HEAD.c.id == 1)).scalar()
        kept, last = conn.execute(
            select(func.count(), func.max(drafts.DRAFT.c.saved_at)).where(mine)
        ).one()
    return int(size or 0), int(kept), str(last or "")


def awaits_approver(app: App, number: str) -> bool:
    """Whether a document of the case still waits for the head's own signature in its
    approver's block (after his approval the page sends him to sign it)."""
    with app.engine.connect() as conn:
        return bool(_waiting(conn, CASE.c.number == number, Block.APPROVER))


# The approval chain ------------------------------------------------------------------------------


def _steps(conn: Connection, cond: ColumnElement[bool]) -> dict[str, dict[str, _Step]]:
    """Per case of ``cond``, the latest entry of each step (a head approval with its answer)."""
    latest = (
        select(ENTRY.c.chain, ENTRY.c.act, func.max(ENTRY.c.seq).label("seq"))
        .where(ENTRY.c.act.in_(STEPS), ENTRY.c.chain.in_(select(CASE.c.number).where(cond)))
        .group_by(ENTRY.c.chain, ENTRY.c.act)
        .subquery()
    )
    rows = conn.execute(
        select(
            ENTRY.c.seq, ENTRY.c.chain, ENTRY.c.act, ENTRY.c.occurred_at, CASE.c.cause
        ).select_from(
            latest.join(ENTRY, ENTRY.c.seq == latest.c.seq).join(
                CASE, CASE.c.number == ENTRY.c.chain
            )
        )
    ).all()
    approvals = [int(r.seq) for r in rows if r.act == "decision.head_approval"]
    answers = {
        int(seq): json.loads(body)["fields"].get("approved")
        for seq, body in conn.execute(
            select(ENTRY.c.seq, ENTRY.c.body).where(ENTRY.c.seq.in_(approvals))
        )
    }
    out: dict[str, dict[str, _Step]] = {}
    for r in rows:
        answer = answers.get(int(r.seq))
        out.setdefault(r.chain, {})[r.act] = _Step(
            int(r.seq), r.occurred_at, CaseRef(r.chain, r.cause),
            answer if isinstance(answer, bool) else None,
        )  # fmt: skip
    return out


def _seq(steps: dict[str, _Step], act: str) -> int:
    step = steps.get(act)
    return step.seq if step else 0


def _waiting_review(ctx: _Ctx) -> list[_Step]:
    """Drafts with no review, approval or decision after them (their draft steps)."""
    out = []
    for s in ctx.steps().values():
        draft = _seq(s, "decision.draft")
        later = max(_seq(s, a) for a in STEPS[1:])
        if draft and later < draft:
            out.append(s["decision.draft"])
    return out


def _reviews(ctx: _Ctx) -> list[Item]:
    """Drafts waiting for the legal reviewer, and the deadlines running on their cases (a
    late review makes the decision late)."""
    waiting = _waiting_review(ctx)
    items = [
        Item("review", "决定草拟待法制审核",
             Action("法制审核", record_url(s.case.number, "decision.legal_review")),
             s.case, "作出决定前的法制审核", since=s.at)
        for s in waiting
    ]  # fmt: skip
    numbers = {s.case.number for s in waiting}
    if ctx.judge is not None and numbers:  # only where the kept summary shows a deadline near
        near = {
            c.number for c in _flagged(ctx)
            if c.due_in_days is not None and c.due_in_days <= WINDOW_DAYS
        }  # fmt: skip
        numbers &= near
    judged = Judged(ctx.app, numbers, ctx.now)
    for s in waiting:
        action = Action("法制审核", record_url(s.case.number, "decision.legal_review"))
        for f in judged.open_deadlines(s.case.number):
            items.append(findings.deadline_item(judged, s.case, f, action))
    return items


def _approvals(ctx: _Ctx) -> list[Item]:
    """Draft decisions whose 案件处理审批表 waits for the head's block, each a click from its
    approval page (his 同意 there is the approval the decision waits for: never the bare
    act's form, which would let him approve twice); a draft sent to nobody is not his yet."""
    if not ctx.user.cert_no:
        return []  # no certificate, no key to sign with
    with ctx.app.engine.connect() as conn:
        waiting = _waiting(conn, ctx.in_units(), Block.APPROVER, DECISION_FORM)
    items = []
    basis = _head_approval_basis(ctx) if waiting else ""
    for seq, (case, at, fields) in waiting.items():
        steps = ctx.steps().get(case.number, {})
        reviewed = _seq(steps, "decision.legal_review") > int(fields.get("act_seq") or 0)
        title = "法制审核后待负责人审批" if reviewed else "决定草拟待负责人审批（尚未法制审核）"
        items.append(Item(
            "approval", f"{title}：《{DOC_TYPES[DECISION_FORM].title}》（序号 {seq}）",
            Action("审批", f"{case_url(case.number)}/approvals/{seq}"), case,
            basis, since=at,
        ))  # fmt: skip
    return items


def _head_approval_basis(ctx: _Ctx) -> str:
    """What the head's approval rests on, as his agency's pack cites it (002 第二十条 for a
    district that runs 002; 行政处罚法 第五十七条 where the pack inherits the national rule)."""
    name = compliance.pack_name_for(ctx.app, ctx.user.agency)
    pack = compliance.load_pack(name, ctx.app.settings.data_dir)
    rule = pack.rules.get("order.head_approval")
    cites = "、".join(pack.cite_text(c) for c in rule.cite) if rule else ""
    return f"负责人审批（{cites}）" if cites else "负责人审批"


# The officer's own cases -------------------------------------------------------------------------


def _own_cases(ctx: _Ctx) -> dict[str, tuple[CaseRef, str]]:
    """The open cases the officer is a case officer of: (case, last change) by number."""
    cert = ctx.user.cert_no
    if not cert:
        return {}
    with ctx.app.engine.connect() as conn:
        rows = conn.execute(
            select(CASE.c.number, CASE.c.cause, CASE.c.updated_at).where(
                CASE.c.officers.contains(f'"{cert}"'), CASE.c.status == "open"
            )
        ).all()
    return {r.number: (CaseRef(r.number, r.cause), r.updated_at) for r in rows}


def _officer(ctx: _Ctx) -> list[Item]:
    """Deadlines and violations on his cases, and where the head answered his draft."""
    own = _own_cases(ctx)
    judged = own
    if ctx.judge is not None:  # only his cases whose kept summary shows something
        flagged = {c.number for c in _flagged(ctx, ([], ctx.user.cert_no))}
        judged = {n: c for n, c in own.items() if n in flagged}
    items = findings.officer_items(Judged(ctx.app, judged, ctx.now), judged)
    with ctx.app.engine.connect() as conn:
        steps = _steps(conn, CASE.c.number.in_(list(own)))
    for s in steps.values():
        approval = s.get("decision.head_approval")
        # an answer to his draft: a head's approval before any draft (the filing's, on the
        # 立案审批表) decides nothing yet
        draft = _seq(s, "decision.draft")
        if approval is None or not draft or approval.seq < draft:
            continue
        if _seq(s, "decision.decision") > approval.seq or approval.seq < _seq(
            s, "decision.legal_review"
        ):
            continue
        case = approval.case
        if approval.approved:
            items.append(Item("decide", "负责人已批准，待作出行政执法决定",
                              Action("作出决定", record_url(case.number, "decision.decision")),
                              case, "经负责人批准后作出决定（《行政处罚法》第五十七条）",
                              since=approval.at))  # fmt: skip
        elif approval.approved is False:
            items.append(Item("redraft", "负责人未批准，待修改后重新草拟",
                              Action("重新草拟", record_url(case.number, "decision.draft")),
                              case, "负责人审批意见", since=approval.at,
                              detail=f"见序号 {approval.seq} 的审批意见"))  # fmt: skip
    # an approval to ask for, unless a violation or his draft already leads to its form
    taken = {i.action.href for i in items} | {
        d.url for d in drafts.of_user(ctx.app.engine, ctx.user.username)
    }  # fmt: skip
    return items + unfinished.request_items(ctx.app.engine, own, taken) + _media(ctx)


def _media(ctx: _Ctx) -> list[Item]:
    """His files stored over a day ago and not yet bound to a case (as ``/media/todo``)."""
    if not ctx.user.cert_no:
        return []
    cutoff = (ctx.now - timedelta(days=1)).isoformat()
    page = evidence.list_media(
        ctx.app, unbound=True, older_than=cutoff, officer=ctx.user.cert_no, per_page=200,
        scope=evidence.media_scope(ctx.app, ctx.user),
    )  # fmt: skip
    return [
        Item("media", f"{m.name}（{m.device_no or '设备未知'}）尚未归入案件",
             Action("归入案件", f"/media/{m.digest}/bind"), None,
             "音像记录应及时归入案件",
             since=m.stored_at)
        for m in page.items
    ]  # fmt: skip


# The head --------------------------------------------------------------------------------------


def _unit_cases(ctx: _Ctx, status: str) -> dict[str, tuple[CaseRef, str]]:
    with ctx.app.engine.connect() as conn:
        rows = conn.execute(
            select(CASE.c.number, CASE.c.cause, CASE.c.updated_at).where(
                and_(ctx.in_units(), CASE.c.status == status)
            )
        ).all()
    return {r.number: (CaseRef(r.number, r.cause), r.updated_at) for r in rows}


def _head_cases(ctx: _Ctx) -> list[Item]:
    """His units' open cases with deadlines or violations, one line per case. With a judge
    the cases come from the case list's kept summaries and only the ``HEAD_DETAIL`` most
    urgent are judged again, for the rules' titles; the rest read as their summaries say."""
    if ctx.judge is None:
        cases = _unit_cases(ctx, "open")
        return findings.summaries(Judged(ctx.app, cases, ctx.now), cases)
    flagged = _flagged(ctx)
    top = {c.number: (CaseRef(c.number, c.cause), c.updated_at) for c in flagged[:HEAD_DETAIL]}
    judged = Judged(ctx.app, top, ctx.now)
    items = findings.summaries(judged, top)
    for c in flagged[HEAD_DETAIL:]:
        soon = c.next_due_at if (c.due_in_days or 0) <= WINDOW_DAYS else None
        items.append(findings.summary_item(
            CaseRef(c.number, c.cause), c.updated_at, c.violations or 0,
            None if soon and not c.overdue else 0, soon, [], judged,
        ))  # fmt: skip
    return items


HEAD_DETAIL = 30  # a head's most urgent cases judged afresh on each visit, for the titles


def _flagged(ctx: _Ctx, visible: Scope | Literal[False] = False) -> list[CaseSummary]:
    """Open cases of his units (or of ``visible``) whose kept summary, brought up to date
    first, shows a violation or a deadline within ``WINDOW_DAYS``, the most urgent first."""
    assert ctx.judge is not None
    if visible is False:
        visible = None if ctx.units is None else (ctx.units, None)
    out: list[CaseSummary] = []
    page = 1
    while True:
        found = cases_service.list_cases(
            ctx.app, page=page, per_page=cases_service.MAX_PAGE_SIZE, status="open",
            visible=visible, judge=ctx.judge,
        )  # fmt: skip
        for c in found.items:
            soon = c.due_in_days is not None and c.due_in_days <= WINDOW_DAYS
            if c.violations or soon:
                out.append(c)
        if page * found.per_page >= found.total:
            break
        page += 1

    def urgency(c: CaseSummary) -> tuple[int, float, int]:
        soon = c.due_in_days is not None and c.due_in_days <= WINDOW_DAYS and c.next_due_at
        due = datetime.fromisoformat(c.next_due_at).timestamp() if soon and c.next_due_at else 0
        return (0 if soon and c.overdue else 1 if soon else 2, due, -(c.violations or 0))

    return sorted(out, key=urgency)


def _requests(ctx: _Ctx) -> list[Item]:
    """Parties' requests to see or copy the file wait for the head (001 第二十一条).

    A request whose 查阅、复制审批表 has been sent is his on the approval page, listed with
    the documents waiting for his block (or back with its officer, returned); only one no
    form was sent for (taken by someone who signs no officer's block) keeps the act's form."""
    scope = None if ctx.units is None else (ctx.units, None)
    pending = disclosure.requests(ctx.app, pending=True, scope=scope)
    with ctx.app.engine.connect() as conn:
        sent = _documented(conn, {r.case for r in pending}, DISCLOSURE_FORM)
    causes = _causes(ctx.app, {r.case for r in pending})
    items = []
    for r in pending:
        if r.seq in sent:
            continue
        who = f"{r.requester.name if r.requester else ''}（{r.relation or ''}）"
        items.append(Item(
            "disclosure", f"{who}申请{r.kind or '查阅'}：{'、'.join(r.materials or [])}",
            Action("审批", record_url(r.case, "general.disclosure_decision")),
            CaseRef(r.case, causes.get(r.case, "")), "查阅、复制申请", since=r.received_at,
        ))  # fmt: skip
    return items


def _documented(conn: Connection, numbers: set[str], doc_type: str) -> set[int]:
    """The entries of these cases a document of ``doc_type`` was issued for."""
    rows = conn.execute(
        select(ENTRY.c.body).where(
            ENTRY.c.chain.in_(numbers), ENTRY.c.act == "general.document",
            ENTRY.c.body.contains(f'"{doc_type}"'),
        )
    ).scalars()  # fmt: skip
    out: set[int] = set()
    for body in rows:
        fields = json.loads(body).get("fields") or {}
        if fields.get("doc_type") == doc_type and isinstance(fields.get("act_seq"), int):
            out.add(int(fields["act_seq"]))
    return out


def _causes(app: App, numbers: set[str]) -> dict[str, str]:
    with app.engine.connect() as conn:
        rows = conn.execute(select(CASE.c.number, CASE.c.cause).where(CASE.c.number.in_(numbers)))
        return {number: cause for number, cause in rows}


def _collective(ctx: _Ctx) -> list[Item]:
    """Cases awaiting a decision for which the pack demands the heads' collective discussion
    (行政处罚法 第五十七条第二款) and none has been recorded since the draft.

    The pack's conditions are judged on the case as it would be decided: the draft's proposed
    amount counts as the fine, since the discussion must come before the decision.
    """
    acts = ("decision.draft", "decision.collective_discussion", "decision.decision")
    seqs: dict[str, dict[str, int]] = {}
    with ctx.app.engine.connect() as conn:
        for chain, act, seq in conn.execute(
            select(ENTRY.c.chain, ENTRY.c.act, func.max(ENTRY.c.seq))
            .where(ENTRY.c.act.in_(acts))
            .where(ENTRY.c.chain.in_(select(CASE.c.number).where(ctx.in_units())))
            .group_by(ENTRY.c.chain, ENTRY.c.act)
        ):
            seqs.setdefault(chain, {})[act] = int(seq)
        cases = conn.execute(
            select(CASE.c.number, CASE.c.cause, CASE.c.updated_at).where(
                CASE.c.number.in_(list(seqs))
            )
        ).all()
    out: list[Item] = []
    for number, cause, updated in cases:
        s = seqs.get(number, {})
        draft = s.get("decision.draft", 0)
        if not draft or max(s.get(a, 0) for a in acts[1:]) > draft:
            continue  # no draft yet, or discussed or decided since
        rec, agency = compliance.case_record(ctx.app, number)
        pack = compliance.load_pack(
            compliance.pack_name_for(ctx.app, agency), ctx.app.settings.data_dir
        )
        drafts = rec.of(["decision.draft"])
        proposed = max(rec.max_amount(), _amount(drafts[-1].fields.get("amount")))
        settings = compliance.rule_settings(ctx.app, agency)
        for rule in pack.rules.values():
            if not isinstance(rule, Order) or "decision.collective_discussion" not in rule.before:
                continue
            when, floor = rule.when, rule.when.fine_at_least if rule.when else None
            if when is not None and when.fine_at_least_setting is not None:
                floor = settings.get(when.fine_at_least_setting)
                if floor is None:
                    continue  # the agency has set no standard: the rule does not apply by amount
            rest = {"fine_at_least": None, "fine_at_least_setting": None}
            if applies(when.model_copy(update=rest) if when else None, rec) and (
                floor is None or proposed >= floor
            ):
                out.append(Item(
                    "collective", "决定前须经负责人集体讨论",
                    Action("记录集体讨论", record_url(number, "decision.collective_discussion")),
                    CaseRef(number, cause), rule.title, tuple(rule.cite), since=updated,
                ))  # fmt: skip
                break
    return out


def _amount(value: Any) -> Decimal:
    try:
        return Decimal(str(value or 0))
    except InvalidOperation:
        return Decimal(0)


# Signatures ------------------------------------------------------------------------------------


def _waiting(
    conn: Connection, cond: ColumnElement[bool], block: str, doc_type: str | None = None
) -> dict[int, tuple[CaseRef, str, FieldValues]]:
    """Documents (of ``doc_type``, if given) whose ``block`` (the reviewer's or the approver's)
    still waits for its holder's own signature, by seq: case, time, fields. Only the latest
    version of each document counts; one returned to its officer waits for him, not here."""
    query = (
        select(ENTRY.c.seq, ENTRY.c.chain, ENTRY.c.body, ENTRY.c.recorded_at, CASE.c.cause)
        .select_from(ENTRY.join(CASE, CASE.c.number == ENTRY.c.chain))
        .where(ENTRY.c.act == "general.document", cond)
        .order_by(ENTRY.c.seq)
    )
    if doc_type is not None:
        query = query.where(ENTRY.c.body.contains(f'"{doc_type}"'))
    latest: dict[int, tuple[CaseRef, str, FieldValues]] = {}  # seq -> case, time, fields
    for seq, chain, body, at, cause in conn.execute(query):
        fields = json.loads(body)["fields"] or {}
        latest.pop(fields.get("supersedes") or 0, None)
        latest[int(seq)] = (CaseRef(chain, cause), at, fields)
    returned = returns.returned_seqs(conn, cond)
    return {
        seq: (case, at, fields) for seq, (case, at, fields) in latest.items()
        if seq not in returned
        and (doc_type is None or fields.get("doc_type") == doc_type)
        and block in pending_blocks(str(fields.get("doc_type", "")),
                                    fields.get("signatures") or [])
    }  # fmt: skip


def _to_sign(conn: Connection, cond: ColumnElement[bool], block: str) -> list[Item]:
    """Documents whose ``block`` still waits for its holder's own signature (``_waiting``),
    but for the 案件处理审批表, which waits among the approvals (``_approvals``)."""
    out: list[Item] = []
    for seq, (case, at, fields) in _waiting(conn, cond, block).items():
        code = fields.get("doc_type", "")
        if code == DECISION_FORM:
            continue
        doc = DOC_TYPES.get(code)
        url = f"{case_url(case.number)}/approvals/{seq}"  # read, write the opinion, confirm
        label = "审核并签署" if block == Block.REVIEWER else "审批并签署"
        title = f"《{doc.title if doc else code}》（序号 {seq}）"
        out.append(Item(
            SIGN[block], title, Action(label, url), case,
            "审核人、批准人各自登录签名", since=at,
        ))  # fmt: skip
    return out


def _signing(block: str) -> Callable[[_Ctx], list[Item]]:
    def find(ctx: _Ctx) -> list[Item]:
        if not ctx.user.cert_no:
            return []  # no certificate, no key to sign with
        with ctx.app.engine.connect() as conn:
            return _to_sign(conn, ctx.in_units(), block)

    return find


def _returned(ctx: _Ctx) -> list[Item]:
    """Documents he issued that a reviewer or head returned for more (``inbox.returns``)."""
    mine = {ctx.user.username} | ({ctx.user.cert_no} if ctx.user.cert_no else set())
    with ctx.app.engine.connect() as conn:
        return returns.returned_to(conn, ctx.in_units(), mine)


def _drafts(ctx: _Ctx) -> list[Item]:
    """The forms he saved to finish later (``inbox.unfinished``)."""
    return unfinished.draft_items(ctx.app, ctx.user)


# The archivist -----------------------------------------------------------------------------------


def _archive(ctx: _Ctx) -> list[Item]:
    """Closed cases to file, each with the filing deadline where the pack sets one."""
    cases = _unit_cases(ctx, "closed")
    judged = Judged(ctx.app, cases, ctx.now)
    items = []
    for number, (case, since) in cases.items():
        due = next(
            (f for f in judged.findings(number)
             if f.due_at and f.code.split(":")[-1] in ("due", "overdue")
             and Role.ARCHIVIST in judged.owners(number, f)),
            None,
        )  # fmt: skip
        items.append(Item(
            "archive", "已结案，待立卷归档", Action("立卷归档", case_url(number)), case,
            due.title if due else "结案后立卷归档", due.cite if due else (),
            due.due_at if due else None,
            countdown(due.due_at, ctx.now, ctx.app.settings.timezone) if due and due.due_at
            else None,
            since=since, violation=bool(due and due.severity == "violation"),
        ))  # fmt: skip
    return items


def _cards(ctx: _Ctx) -> list[Item]:
    """The yellow and red cards on his cases (an officer's own, a head's units'), caught up
    first (``warnings.service.catch_up``)."""
    warnings.catch_up(ctx.app, ctx.user)
    return [findings.card_item(c) for c in warnings.cards_for(ctx.app, ctx.user)]


# Who finds what: a new kind of work is one more line here (and its Kind above).
SOURCES: tuple[tuple[frozenset[str], Callable[[_Ctx], list[Item]]], ...] = (
    (frozenset({Role.OFFICER}), _officer),
    (frozenset({Role.OFFICER}), _returned),
    (frozenset({Role.OFFICER, Role.LEGAL_REVIEWER, Role.HEAD}), _drafts),
    (frozenset({Role.LEGAL_REVIEWER}), _reviews),
    (frozenset({Role.LEGAL_REVIEWER}), _signing(Block.REVIEWER)),
    (frozenset({Role.HEAD}), _approvals),
    (frozenset({Role.HEAD}), _signing(Block.APPROVER)),
    (frozenset({Role.HEAD}), _collective),
    (frozenset({Role.HEAD}), _requests),
    (frozenset({Role.HEAD}), _head_cases),
    (frozenset({Role.ARCHIVIST}), _archive),
    (frozenset({Role.OFFICER, Role.HEAD}), _cards),
)
