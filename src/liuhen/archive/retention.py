"""Retention, legal holds and disposal of archived case files (001 第十八条、第十九条).

Every state here is derived from the case's own journal entries (归档, 保全, 解除保全, 销毁审批,
销毁记录), never stored beside them, so it cannot drift from the record and rebuilds with it.

A file leaves storage one way only: its retention period has ended by the app's clock, no legal
hold covers it, the head approved disposing of exactly these files, and the disposal entry, with
every digest and size, is journaled *before* the bytes are removed. The journal then still proves
what existed; ``liuhen verify`` treats a disposed file as expected to be absent, and any other
missing file as damage.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from liuhen.accounts import service as access
from liuhen.accounts.service import Scope, chains_in
from liuhen.archive.schemas import LegalHold, RetentionPage, RetentionState
from liuhen.errors import (
    ConflictError,
    DisposalNotApproved,
    HoldActive,
    IntegrityError,
    NotArchived,
    NotFoundError,
    NotInCase,
    Problem,
    RetentionNotEnded,
    RetentionTooShort,
    StorageLocked,
    ValidationError,
)
from liuhen.kernel import record
from liuhen.kernel.db import store
from liuhen.kernel.db.batch import Batch
from liuhen.kernel.instance import App
from liuhen.kernel.journal import Appended, Check, Draft
from liuhen.kernel.record import ActInput
from liuhen.payloads import FieldValues
from liuhen.procedure.catalog import HOLD_GROUNDS, RETENTION_PERIODS, Role
from liuhen.rules.findings import RetentionClass

ENTRY = store.ENTRY
OFFICER = store.OFFICER
MEDIA = store.MEDIA
ARCHIVING_ACTS = (
    "archiving.closing",
    "archiving.archive",
    "archiving.legal_hold",
    "archiving.hold_release",
    "archiving.disposal_approval",
    "archiving.disposal",
)
# Fixed periods in years; 长期 and 永久 never end, so nothing filed under them is ever disposed.
YEARS: dict[str, int] = {"5年": 5, "10年": 10, "30年": 30}
NEVER_ENDS = ("长期", "永久")


# Periods --------------------------------------------------------------------------------------


def _min_years(rc: RetentionClass | None) -> int:
    """The pack's minimum (001 第十九条: five years); a pack whose texts set none (002, and 003,
    which leaves the period to the agency) claims none, and the archivist's choice stands."""
    return rc.min_years if rc is not None else 0


def default_period(rc: RetentionClass | None) -> str:
    """The shortest period that satisfies the pack: 长期 when a long-term trigger applies; the
    shortest there is when the pack sets no minimum (the archivist may choose a longer one)."""
    if rc is not None and rc.long_term:
        return "长期"
    need = _min_years(rc)
    return next((p for p, years in YEARS.items() if years >= need), "长期")


def check_period(period: str, rc: RetentionClass | None) -> None:
    """Refuse a period the pack does not allow for this case, naming the rule's reasons."""
    if period not in RETENTION_PERIODS:
        raise ValidationError(
            f"保管期限应为以下之一：{'、'.join(RETENTION_PERIODS)}",
            [Problem("未知的保管期限", "retention")],
        )
    if rc is not None and rc.long_term and period not in NEVER_ENDS:
        reasons = "；".join(r.title for r in rc.reasons)
        raise RetentionTooShort(
            f"本案须长期保存（{reasons}），保管期限不能为“{period}”",
            [Problem(f"{r.title}（{'、'.join(r.cite)}）", "retention")
             for r in rc.reasons],
        )  # fmt: skip
    if period in YEARS and YEARS[period] < _min_years(rc):
        raise RetentionTooShort(
            f"保管期限“{period}”短于规则包要求的 {_min_years(rc)} 年",
            [Problem(f"至少 {_min_years(rc)} 年", "retention")],
        )


def ends_on(archived_on: date, period: str) -> date | None:
    """Archived on + the period's years (29 February ends on 28 February); None: never."""
    years = YEARS.get(period)
    if years is None:
        return None
    try:
        return archived_on.replace(year=archived_on.year + years)
    except ValueError:
        return archived_on.replace(year=archived_on.year + years, day=28)


# State derived from the journal ---------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    seq: int
    chain: str
    act: str
    occurred_at: str
    fields: FieldValues
    recorded_by_role: str | None  # the role its ``recorded_by`` names


@dataclass(frozen=True)
class Hold:
    seq: int
    ground: str
    reason: str
    digests: tuple[str, ...]  # empty: the whole case
    occurred_at: str

    def covers(self, digests: list[str]) -> bool:
        return not self.digests or any(d in self.digests for d in digests)

    def shown(self) -> LegalHold:
        return LegalHold(
            seq=self.seq,
            ground=self.ground,
            reason=self.reason,
            digests=list(self.digests),
            occurred_at=self.occurred_at,
        )


@dataclass(frozen=True)
class Retention:
    case: str
    archive_seq: int
    dossier_no: str
    period: str
    archived_on: date
    ends_on: date | None
    holds: tuple[Hold, ...]  # active ones
    disposed: dict[str, int] = field(default_factory=dict)  # digest -> disposal seq

    def ended(self, today: date) -> bool:
        return self.ends_on is not None and today >= self.ends_on

    def shown(self, today: date) -> RetentionState:
        return RetentionState(
            case=self.case,
            archive_seq=self.archive_seq,
            dossier_no=self.dossier_no,
            retention=self.period,
            archived_on=self.archived_on.isoformat(),
            ends_on=self.ends_on.isoformat() if self.ends_on else None,
            ended=self.ended(today),
            holds=[h.shown() for h in self.holds],
            disposed=sorted(self.disposed),
            due=self.ended(today) and not self.holds,
        )


def archiving_entries(
    app: App,
    case: str | None = None,
    acts: tuple[str, ...] = ARCHIVING_ACTS,
    scope: Scope = None,
) -> list[Entry]:
    """The archiving acts of one case, or of every case in ``scope`` (None: all)."""
    query = select(
        ENTRY.c.seq, ENTRY.c.chain, ENTRY.c.act, ENTRY.c.occurred_at, ENTRY.c.body
    ).where(ENTRY.c.act.in_(acts))
    if case is not None:
        query = query.where(ENTRY.c.chain == case)
    scoped = chains_in(ENTRY.c.chain, scope)
    if scoped is not None:
        query = query.where(scoped)
    with app.engine.connect() as conn:
        rows = conn.execute(query.order_by(ENTRY.c.seq)).all()
    out = []
    for seq, chain, act, occurred_at, body in rows:
        data = json.loads(body)
        out.append(
            Entry(int(seq), chain, act, occurred_at, data.get("fields") or {},
                  (data.get("recorded_by") or {}).get("role"))
        )  # fmt: skip
    return out


def _state(case: str, entries: list[Entry]) -> Retention | None:
    archive = next((e for e in entries if e.act == "archiving.archive"), None)
    if archive is None:
        return None
    released = {e.fields["hold"] for e in entries if e.act == "archiving.hold_release"}
    holds = tuple(
        Hold(e.seq, e.fields["ground"], e.fields["reason"], tuple(e.fields.get("digests") or ()),
             e.occurred_at)
        for e in entries
        if e.act == "archiving.legal_hold" and e.seq not in released
    )  # fmt: skip
    disposed = {
        d: e.seq for e in entries if e.act == "archiving.disposal" for d in e.fields["digests"]
    }
    archived_on = date.fromisoformat(archive.fields["archived_on"])
    period = archive.fields["retention"]
    return Retention(
        case, archive.seq, archive.fields["dossier_no"], period, archived_on,
        ends_on(archived_on, period), holds, disposed,
    )  # fmt: skip


def status(app: App, case: str) -> Retention:
    state = _state(case, archiving_entries(app, case))
    if state is None:
        must_exist(app, case)
        raise NotArchived(f"案件“{case}”尚未归档：保管期限自归档之日起计算")
    return state


def list_retention(
    app: App, *, page: int = 1, per_page: int = 50, due: bool = False, scope: Scope = None
) -> RetentionPage:
    """Archived cases by when their retention ends (never-ending last); ``due``: ended, unheld.
    ``scope``: only the cases a user may see, chosen in SQL before paging."""
    today = app.clock.now().date()
    by_case: dict[str, list[Entry]] = {}
    for e in archiving_entries(app, scope=scope):
        by_case.setdefault(e.chain, []).append(e)
    states = [s for c, es in by_case.items() if (s := _state(c, es)) is not None]
    if due:
        states = [s for s in states if s.ended(today) and not s.holds]
    states.sort(key=lambda s: (s.ends_on is None, s.ends_on or date.max, s.case))
    page, per_page = max(page, 1), min(max(per_page, 1), 200)
    chosen = states[(page - 1) * per_page : page * per_page]
    return RetentionPage(
        items=[s.shown(today) for s in chosen], total=len(states), page=page, per_page=per_page
    )


def disposals(app: App) -> dict[str, int]:
    """Every disposed digest and the seq of the entry that disposed it."""
    return {
        d: e.seq
        for e in archiving_entries(app, acts=("archiving.disposal",))
        for d in e.fields["digests"]
    }


# Whose files: the case's documents, evidence and attachments -----------------------------------


def case_files(app: App, case: str) -> dict[str, str]:
    """digest -> what it is, for every file the case's entries name."""
    with app.engine.connect() as conn:
        rows = conn.execute(
            select(ENTRY.c.seq, ENTRY.c.act, ENTRY.c.body).where(ENTRY.c.chain == case)
        ).all()
        media = conn.execute(select(MEDIA.c.digest).where(MEDIA.c.case_number == case)).all()
    files: dict[str, str] = {}
    for seq, act, body in rows:
        data = json.loads(body)
        for a in data.get("attachments") or []:
            files.setdefault(a["digest"], f"序号 {seq} 的附件 {a.get('name', '')}".strip())
        f = data.get("fields") or {}
        if act in ("general.document", "general.media") and isinstance(f.get("digest"), str):
            files.setdefault(
                f["digest"], f"序号 {seq} 的{'文书' if act == 'general.document' else '音像记录'}"
            )
    for (digest,) in media:
        files.setdefault(digest, "音像记录")
    return files


def _derivatives(app: App, digests: list[str]) -> list[str]:
    """A disposed evidence file's thumbnail and playable copy go with it: they show the same."""
    with app.engine.connect() as conn:
        rows = conn.execute(
            select(MEDIA.c.thumbnail, MEDIA.c.proxy).where(MEDIA.c.digest.in_(digests))
        ).all()
    return [d for row in rows for d in row if isinstance(d, str) and d not in digests]


# Acting people ---------------------------------------------------------------------------------


def must_exist(app: App, case: str) -> None:
    with app.engine.connect() as conn:
        found = conn.execute(
            select(store.CASE.c.number).where(store.CASE.c.number == case)
        ).scalar()
    if found is None:
        raise NotFoundError(f"案件“{case}”不存在")


def _record(
    app: App,
    act: str,
    case: str,
    by: str,
    role: str,
    fields: FieldValues,
    check: Check | None = None,
) -> Appended:
    """Journal the act; ``check`` runs again inside the append, against what is stored then."""
    draft = record.build_draft(
        ActInput(act, app.clock.now().isoformat(), case=case, actors=[by], fields=fields,
                 recorded_by={"id": by, "role": role}),
        app.clock.now(),
    )  # fmt: skip
    if check is not None:
        draft.check_first(check)
    return app.journal.append(draft)


def _check_digests(app: App, case: str, digests: list[str]) -> None:
    if not digests:
        raise ValidationError("请至少指明一个文件摘要", [Problem("不能为空", "digests")])
    files = case_files(app, case)
    foreign = [d for d in digests if d not in files]
    if foreign:
        raise NotInCase(
            f"以下文件不属于案件“{case}”：{'、'.join(d[:19] + '…' for d in foreign)}",
            [Problem(f"{d} 不是本案的文书、音像记录或附件", "digests") for d in foreign],
        )


# Use cases -------------------------------------------------------------------------------------


def hold(
    app: App, case: str, ground: str, reason: str, by: str, digests: list[str] | None = None
) -> Appended:
    """A legal hold (复议、诉讼、审计…): nothing it covers is disposed until it is released."""
    must_exist(app, case)
    if ground not in HOLD_GROUNDS:
        raise ValidationError(f"保全事由应为以下之一：{'、'.join(HOLD_GROUNDS)}")
    _name, role = access.person(app, by, (Role.HEAD, Role.ARCHIVIST), "决定保全")
    fields: FieldValues = {"ground": ground, "reason": reason}
    if digests:
        _check_digests(app, case, digests)
        fields["digests"] = digests
    return _record(app, "archiving.legal_hold", case, by, role, fields)


def release(app: App, case: str, hold_seq: int, reason: str, by: str) -> Appended:
    entries = archiving_entries(app, case)
    target = next((e for e in entries if e.seq == hold_seq), None)
    if target is None or target.act != "archiving.legal_hold":
        raise NotFoundError(f"案件“{case}”中没有序号为 {hold_seq} 的保全记录")
    if any(e.act == "archiving.hold_release" and e.fields["hold"] == hold_seq for e in entries):
        raise ConflictError(f"序号 {hold_seq} 的保全已经解除")
    _name, role = access.person(app, by, (Role.HEAD,), "解除保全")
    return _record(app, "archiving.hold_release", case, by, role,
                   {"hold": hold_seq, "reason": reason})  # fmt: skip


def _must_be_due(state: Retention, today: date, digests: list[str]) -> None:
    if not state.ended(today):
        when = (
            f"将于 {state.ends_on.isoformat()} 届满"
            if state.ends_on
            else "为长期（永久）保存，永不届满"
        )
        raise RetentionNotEnded(
            f"案件“{state.case}”的保管期限（{state.period}，自 {state.archived_on.isoformat()} "
            f"归档起算）{when}，届满前不得销毁"
        )
    covering = [h for h in state.holds if h.covers(digests)]
    if covering:
        raise HoldActive(
            "文件处于保全期间，不得销毁："
            + "；".join(f"序号 {h.seq}（{h.ground}）" for h in covering)
            + "。保全经负责人解除后方可销毁",
        )
    again = [d for d in digests if d in state.disposed]
    if again:
        raise ConflictError(f"以下文件已经销毁：{'、'.join(d[:19] + '…' for d in again)}")


def approve(
    app: App,
    case: str,
    digests: list[str],
    reason: str,
    by: str,
    decision: str = "同意",
    opinion: str | None = None,
) -> Appended:
    """The head's 销毁审批; approving is refused while disposal itself would be."""
    state = status(app, case)
    _name, role = access.person(app, by, (Role.HEAD,), "审批销毁")
    _check_digests(app, case, digests)
    if decision == "同意":
        _must_be_due(state, app.clock.now().date(), digests)
    fields: FieldValues = {"digests": digests, "reason": reason, "decision": decision}
    if opinion:
        fields["opinion"] = opinion
    return _record(app, "archiving.disposal_approval", case, by, role, fields)


@dataclass(frozen=True)
class Disposed:
    seq: int
    digests: tuple[str, ...]
    sizes: tuple[int, ...]
    removed: tuple[str, ...]  # removed from storage by this run


def _remove(app: App, seq: int, digests: list[str]) -> list[str]:
    removed = []
    for d in digests:
        if not app.blobs.exists(d):
            continue
        try:
            app.blobs.dispose(d)
        except StorageLocked as exc:
            raise StorageLocked(
                f"销毁已记入日志（序号 {seq}），但存储拒绝删除：{exc.message}"
            ) from None
        removed.append(d)
    return removed


def _not_yet_disposed(pending: Batch, draft: Draft) -> None:
    """Checked again inside the append: two runs of one approval journal one disposal, and no
    file is journaled as disposed twice (the checks before the append read a moment earlier)."""
    fields = draft.body["fields"]
    bodies = [
        row["body"]
        for row in pending.entries
        if row["chain"] == draft.chain and row["act"] == "archiving.disposal"
    ]
    stored = select(ENTRY.c.body).where(
        ENTRY.c.chain == draft.chain, ENTRY.c.act == "archiving.disposal"
    )
    bodies += pending.conn.execute(stored).scalars().all()
    for body in bodies:
        done = json.loads(body).get("fields") or {}
        if done.get("approval") == fields["approval"]:
            raise ConflictError(f"序号 {fields['approval']} 的销毁审批已经执行，不能重复记录销毁")
        again = set(done.get("digests") or []) & set(fields["digests"])
        if again:
            raise ConflictError(
                f"以下文件已经销毁：{'、'.join(d[:19] + '…' for d in sorted(again))}"
            )


def dispose(app: App, case: str, approval_seq: int, by: str) -> Disposed:
    """Carry out an approved disposal: journal it first, then remove the bytes.

    Run again after a refusal by the storage (an object lock not yet expired), it finishes the
    removal of the journaled disposal instead of recording a second one.
    """
    state = status(app, case)
    entries = archiving_entries(app, case)
    approval = next((e for e in entries if e.seq == approval_seq), None)
    if approval is None or approval.act != "archiving.disposal_approval":
        raise DisposalNotApproved(f"案件“{case}”中没有序号为 {approval_seq} 的销毁审批记录")
    if approval.recorded_by_role != Role.HEAD or approval.fields.get("decision") != "同意":
        raise DisposalNotApproved(f"序号 {approval_seq} 的销毁审批不是负责人的“同意”，不得销毁")
    _name, role = access.person(app, by, (Role.ARCHIVIST,), "执行销毁")
    approved = list(approval.fields["digests"])
    done = next(
        (
            e
            for e in entries
            if e.act == "archiving.disposal" and e.fields["approval"] == approval_seq
        ),
        None,
    )
    if done is not None:
        removed = _remove(app, done.seq, list(done.fields["digests"]))
        if not removed:
            raise ConflictError(f"序号 {approval_seq} 的销毁审批已于序号 {done.seq} 执行完毕")
        done_sizes = tuple(int(s) for s in done.fields["sizes"])
        return Disposed(done.seq, tuple(done.fields["digests"]), done_sizes, tuple(removed))
    _check_digests(app, case, approved)
    today = app.clock.now().date()
    _must_be_due(state, today, approved)
    digests = approved + [d for d in _derivatives(app, approved) if d not in state.disposed]
    sizes: list[int] = []
    for d in digests:
        if not app.blobs.exists(d):
            since = archiving_entries(app, case, ("archiving.disposal",))
            if any(d in e.fields["digests"] for e in since):  # a concurrent run got there first
                raise ConflictError(f"文件 {d[:19]}… 已由另一次执行销毁，未重复记录销毁")
            raise IntegrityError(
                f"文件 {d[:19]}… 不在存储中，也没有销毁记录：这是损坏，不是销毁；"
                "请先运行 liuhen verify 并查明原因"
            )
        sizes.append(app.blobs.size(d))
        until = app.blobs.retained_until(d)
        if until is not None:
            raise StorageLocked(
                f"对象存储的对象锁（合规模式）至 {until.date().isoformat()} 才到期，"
                f"到期前存储拒绝删除 {d[:19]}…；未记录销毁"
            )
    assert state.ends_on is not None  # _must_be_due refused a period that never ends
    entry = _record(app, "archiving.disposal", case, by, role, {
        "approval": approval_seq, "digests": digests, "sizes": [str(s) for s in sizes],
        "reason": approval.fields["reason"], "retention_ended_on": state.ends_on.isoformat(),
    }, _not_yet_disposed)  # fmt: skip
    removed = _remove(app, entry.seq, digests)
    return Disposed(entry.seq, tuple(digests), tuple(sizes), tuple(removed))
