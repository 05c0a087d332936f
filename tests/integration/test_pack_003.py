"""Seed 003's rules on what the system itself makes: a 告知书 the head issues carries the
agency's seal, dated, so 第十三条 holds; a 立案审批表 signed by the officer and approved by the
head carries both signatures dated, and 第十五条 still asks for the reviewer's opinion until a
legal reviewer signs his block."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from liuhen.compliance import packs
from liuhen.compliance import service as compliance
from liuhen.entrypoints.web import create_app
from tests.integration.auth import login
from tests.integration.test_approvals import CASE, _approve, _fields, _issue, _staff
from tests.integration.test_seal import _case, _doc
from tests.integration.test_seal import _issue as _issue_notice


def _codes(app: Any, rule: str) -> list[tuple[str, tuple[int, ...]]]:
    found = compliance.evaluate_case(app, CASE).findings
    return sorted((f.code, f.seqs) for f in found if f.rule == rule)


def test_a_notice_the_system_issues_is_sealed_and_dated(app: Any) -> None:
    act = _case(app)
    packs.use_pack(app, "003", "该机关适用街道办事处办法", agency="wl")
    issued = _issue_notice(app, act)
    fields, _pdf = _doc(app, issued.seq)
    seal = fields["signatures"][-1]
    assert seal["role"] == "seal" and seal["signed_at"].startswith("2026-12-01")
    assert _codes(app, "documents.sealed") == []


def test_the_filing_approval_is_dated_by_each_signer_and_waits_for_the_reviewer(app: Any) -> None:
    opening = _staff(app)
    packs.use_pack(app, "003", "该机关适用街道办事处办法", agency="wl")
    with TestClient(create_app(app)) as client:
        login(client, "zhangw", "correct-horse-1")
        first = _issue(client, opening)
        assert _codes(app, "documents.approval_signed") == [
            ("documents.approval_signed:unsigned.approver", (opening, first)),
            ("documents.approval_signed:unsigned.reviewer", (opening, first)),
        ]
        login(client, "hejg", "correct-horse-3")
        signed = _approve(client, first, "同意", "同意立案。")
        assert signed.status_code == 303, signed.text[:2000]
    latest = int(signed.headers["location"].rsplit("#seq-", 1)[1])
    assert all(s["signed_at"] for s in _fields(app, latest)["signatures"])
    assert _codes(app, "documents.approval_signed") == [
        ("documents.approval_signed:unsigned.reviewer", (opening, latest)),
    ]
