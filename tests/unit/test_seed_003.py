"""Duties of seed 003 (街道办事处《行政执法全过程记录办法》) that the act catalog holds by
construction rather than a rule: a form that lacks the field is refused before anything is
journaled, so no rule could ever find it missing."""

from __future__ import annotations

import textwrap

import pytest

from liuhen.errors import PackError
from liuhen.procedure.catalog import act_type
from liuhen.rules import pack as P


def _required(code: str) -> set[str]:
    act = act_type(code)
    assert act is not None, code
    return {f.name for f in act.fields if f.required}


@pytest.mark.parametrize(
    ("code", "names"),
    [
        # 第十七条第一款: every 送达文书 names the document, recipient, time, place and server
        ("service.direct", {"document", "recipient", "served_at", "place", "server"}),
        # 第十七条第二款: 委托送达 records why; 转交 likewise
        ("service.entrusted", {"reason", "entrusted_to"}),
        ("service.forwarded", {"reason", "forwarded_via"}),
        # 第十七条第三款: 留置送达 — the server states what happened, before a witness
        ("service.lodged", {"refusal_reason", "witness"}),
        ("service.mail", {"tracking_no", "posted_on", "receipt_returned"}),
        ("service.public_notice", {"medium", "published_on"}),
    ],
)
def test_service_modes_record_what_article_17_names(code: str, names: set[str]) -> None:
    assert names <= _required(code), names - _required(code)


@pytest.mark.parametrize(
    ("code", "names"),
    [
        # 第九条第一项: the officers' 处理建议 with its facts, evidence, basis and discretion
        ("decision.draft", {"drafter", "facts", "evidence", "legal_basis", "factors", "proposal"}),
        # 第九条第三项、第四项、第五项: what the review, the discussion and the head record
        ("decision.legal_review", {"reviewer", "opinion", "conclusion"}),
        ("decision.collective_discussion", {"held_at", "participants", "minutes", "conclusion"}),
        ("decision.head_approval", {"matter", "opinion", "approved"}),
    ],
)
def test_review_and_decision_record_what_article_9_names(code: str, names: set[str]) -> None:
    assert names <= _required(code), names - _required(code)


@pytest.mark.parametrize(
    ("code", "names"),
    [
        # 第七条第一项: a case opened ex officio records where it came from and why
        ("initiation.ex_officio", {"source", "reason"}),
        # 第七条第二项: an application records the request and whether it was accepted
        ("initiation.application", {"mode", "applied_at", "matter", "acceptance"}),
    ],
)
def test_opening_acts_record_what_article_7_names(code: str, names: set[str]) -> None:
    assert names <= _required(code), names - _required(code)


def test_the_new_kinds_name_forms_and_blocks_that_exist() -> None:
    """A pack naming a form or block the catalog lacks is refused with the name, not loaded
    with a rule that can never find anything."""
    text = """
        pack: bad
        title: t
        rules:
          a:
            kind: form_signatures
            title: t
            documents: {passport: []}
            cite: [c]
            remedy: r
          c:
            kind: form_signatures
            title: t
            documents: {filing_approval: [officer, notary]}
            cite: [c]
            remedy: r
          b:
            kind: participants_signed
            title: t
            acts: [investigation.hearing]
            document: minutes_of_tea
            field: participants
            cite: [c]
            remedy: r
    """
    with pytest.raises(PackError) as exc:
        P.load("bad", lambda name: P.PackSource(name, textwrap.dedent(text), f"{name}.yaml"))
    messages = " ".join(p.message for p in exc.value.problems)
    assert all(name in messages for name in ("passport", "notary", "minutes_of_tea"))
