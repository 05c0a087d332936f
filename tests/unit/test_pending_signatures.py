"""An internal form still in its signing chain is a hint (待签名), not a violation, until the
case moves past the step without the signature: a false 违规 costs the reviewer's trust."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from liuhen.compliance import packs
from liuhen.rules.calendar import WorkingCalendar
from liuhen.rules.checks import Context, documents, form_signatures
from liuhen.rules.findings import Severity
from liuhen.rules.record import CaseRecord, Entry

T0 = datetime(2026, 10, 16, 1, 0, tzinfo=UTC)
PACK_003 = packs.load_pack("003")
CTX = Context(T0 + timedelta(days=30), WorkingCalendar.default())


def _e(seq: int, act: str, **fields: object) -> Entry:
    return Entry(seq, act, T0 + timedelta(hours=seq), (), fields)


def _sig(role: str) -> dict[str, str]:
    return {"role": role, "name": role, "signed_at": T0.isoformat()}


def _rec(*entries: Entry) -> CaseRecord:
    return CaseRecord("测试〔2026〕1号", "ordinary", "penalty", list(entries))


def _filing(*roles: str) -> tuple[Entry, Entry]:
    opening = _e(1, "initiation.ex_officio")
    form = _e(
        2, "general.document", doc_type="filing_approval", act_seq=1,
        signatures=[_sig(r) for r in roles],
    )  # fmt: skip
    return opening, form


def _approval_signed(rec: CaseRecord) -> list[tuple[str, Severity, str]]:
    rule = PACK_003.rule("documents.approval_signed")
    found = form_signatures("documents.approval_signed", rule, rec, CTX)
    return [(f.code, f.severity, f.message) for f in found]


def test_a_form_awaiting_its_approver_is_a_hint_until_the_case_moves_on() -> None:
    opening, form = _filing("officer", "reviewer")
    assert _approval_signed(_rec(opening, form)) == [
        (
            "documents.approval_signed:pending.approver",
            Severity.WARNING,
            "待签名：《立案审批表》尚待批准人签署",
        )
    ]
    # a returned form, a new version or footage uploaded later are no step past the approval
    returned = _e(3, "general.approval_returned", subject_seq=2)
    footage = _e(4, "general.media", kind="video")
    assert [c for c, *_ in _approval_signed(_rec(opening, form, returned, footage))] == [
        "documents.approval_signed:pending.approver"
    ]
    inquiry = _e(3, "investigation.inquiry")
    assert _approval_signed(_rec(opening, form, inquiry)) == [
        (
            "documents.approval_signed:unsigned.approver",
            Severity.VIOLATION,
            "《立案审批表》缺少批准人的签名（意见）",
        )
    ]


def test_a_block_the_chain_went_past_and_the_officers_own_are_violations_at_once() -> None:
    opening, form = _filing("officer", "approver")  # approved without the reviewer's opinion
    assert [(c, s) for c, s, _ in _approval_signed(_rec(opening, form))] == [
        ("documents.approval_signed:unsigned.reviewer", Severity.VIOLATION)
    ]
    opening, form = _filing("reviewer")
    codes = [c for c, *_ in _approval_signed(_rec(opening, form))]
    assert codes == [
        "documents.approval_signed:unsigned.officer",
        "documents.approval_signed:pending.approver",
    ]


def test_the_legal_review_opinion_awaits_the_head_until_the_decision() -> None:
    rule = PACK_003.rule("documents.internal_approval")
    review = _e(1, "decision.legal_review")
    opinion = _e(
        2, "general.document", doc_type="legal_review_opinion", act_seq=1,
        signatures=[_sig("officer"), _sig("reviewer")],
    )  # fmt: skip
    pending = list(documents("documents.internal_approval", rule, _rec(review, opinion), CTX))
    assert [(f.code, f.severity) for f in pending] == [
        ("documents.internal_approval:pending.approver", Severity.WARNING)
    ]
    decided = _rec(review, opinion, _e(3, "decision.decision"))
    late = list(documents("documents.internal_approval", rule, decided, CTX))
    assert [(f.code, f.severity) for f in late] == [
        ("documents.internal_approval:unsigned.approver", Severity.VIOLATION)
    ]
