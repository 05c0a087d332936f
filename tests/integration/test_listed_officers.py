"""Every officer a 笔录 lists signs it: refused when the officer's own form names a registered
colleague who does not sign; found by the rules in the journal when only a name was written."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from liuhen.compliance import packs
from liuhen.compliance import service as compliance
from liuhen.documents import DOC_TYPES
from liuhen.documents import service as documents
from liuhen.errors import ValidationError
from tests.integration import factory

CASE = "某文旅罚〔2026〕1号"
RULE = "documents.officers_signed"


@pytest.fixture
def inquired(app):
    factory.register(app)
    packs.use_pack(app, "001", "测试")
    factory.certify_officers(app)
    factory.open_case(app)
    return app, factory.inquiry(app)  # by 张伟 (31010001) and 李娜 (31010002)


def request(inquiry, inquirers: list[str], signers: list[str]) -> documents.DocumentRequest:
    values = {**DOC_TYPES["inquiry_record"].sample, "inquirers": inquirers}
    return documents.DocumentRequest(
        case=CASE,
        act_seq=inquiry.seq,
        doc_type="inquiry_record",
        values=values,
        signers=[{"role": "officer", "cert_no": c} for c in signers],
        recorded_by={"id": "31010001", "role": "officer"},
        party={"name": "陈某"},
    )


def entries(app) -> int:
    with app.engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM journal_entry")).scalar())


def findings(app, rule: str) -> list[str]:
    """Each finding's message and the articles it cites, as the case page shows them."""
    return [
        f"{f.message}（{'、'.join(f.cite)}）"
        for f in compliance.evaluate_case(app, CASE).findings
        if f.rule == rule
    ]


def test_a_listed_colleague_who_does_not_sign_is_refused_and_nothing_is_recorded(inquired):
    app, inquiry = inquired
    before = entries(app)
    listed = ["张伟（执法证号 31010001）", "李娜（执法证号 31010002）"]
    with pytest.raises(ValidationError) as err:
        documents.issue(app, request(inquiry, listed, ["31010001"]))
    problems = [p for p in err.value.problems if p.field == "fields.inquirers"]
    assert [p.kind for p in problems] == ["signature"]
    assert "李娜（执法证号 31010002）" in problems[0].message
    assert "行政处罚法 第四十二条第一款" in problems[0].message
    assert entries(app) == before


def test_every_listed_officer_signing_is_issued_and_the_rules_find_nothing(inquired):
    app, inquiry = inquired
    listed = ["张伟（执法证号 31010001）", "李娜（执法证号 31010002）"]
    documents.issue(app, request(inquiry, listed, ["31010001", "31010002"]))
    assert findings(app, RULE) == []


def test_a_colleague_listed_by_name_only_is_left_to_the_rules(inquired):
    """Without a certificate number the form cannot tell who 李娜 is; the journal can: the
    inquiry was done by two officers and one signed."""
    app, inquiry = inquired
    documents.issue(app, request(inquiry, ["张伟（执法证号 31010001）", "李娜"], ["31010001"]))
    (message,) = findings(app, RULE)
    assert "列明的询问人“李娜”未签名" in message
    assert "《中华人民共和国行政处罚法》第四十二条第一款" in message
