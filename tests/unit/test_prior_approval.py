"""Whether the head approved the latest draft decision (``prior_approval.judge``), from a
case's entries as the journal holds them, older records included."""

from __future__ import annotations

from typing import Any

from liuhen.documents.prior_approval import REQUIRES, judge
from liuhen.documents.types import PADES, pending_blocks

PRIOR = REQUIRES["penalty_decision"]
DRAFT, FORM, HEAD = "decision.draft", "general.document", "decision.head_approval"


def _form(act_seq: int, *roles: str) -> dict[str, Any]:
    sigs = [{"role": r, "cert_no": "1", "method": PADES} for r in roles]
    return {"doc_type": "case_handling_approval", "act_seq": act_seq, "signatures": sigs}


def test_nothing_drafted_nothing_sent_nothing_approved():
    assert judge([], PRIOR).subject is None
    state = judge([(5, DRAFT, {})], PRIOR)
    assert (state.subject, state.sent, state.approved) == (5, False, None)
    state = judge([(5, DRAFT, {}), (6, FORM, _form(5, "officer"))], PRIOR)
    assert (state.form, state.signed, state.approved) == (6, False, None)


def test_the_heads_answer_about_the_latest_draft_decides():
    entries = [(5, DRAFT, {}), (6, FORM, _form(5, "officer")),
               (7, FORM, _form(5, "officer", "approver")),
               (8, HEAD, {"approved": False, "subject_seq": 5})]  # fmt: skip
    assert judge(entries, PRIOR).approved is False  # signed, but he said no
    assert judge(entries[:3], PRIOR).approved is True  # signed with no answer recorded
    entries += [(9, DRAFT, {})]  # redrafted: the earlier answer is not about this one
    assert judge(entries, PRIOR).approved is None
    entries += [(10, HEAD, {"approved": True, "subject_seq": 9})]
    assert judge(entries, PRIOR).approved is True


def test_an_older_record_approves_with_an_approval_naming_no_subject_after_the_draft():
    before = [(4, HEAD, {"approved": True}), (5, DRAFT, {})]  # the filing's, say
    assert judge(before, PRIOR).approved is None
    after = [(5, DRAFT, {}), (6, HEAD, {"approved": True})]
    assert judge(after, PRIOR).approved is True


def test_an_older_decision_signed_by_the_head_waits_for_no_block():
    head = [{"role": "approver", "cert_no": "9", "method": PADES}]
    assert pending_blocks("penalty_decision", head) == []
    assert pending_blocks("penalty_decision", []) == []  # the officer's is no reviewer's
