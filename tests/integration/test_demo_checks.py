"""The demo's 审看核对记录 (``src/liuhen/demo/checks.json``): before each 法制审核 the reviewer
has checked the clips, documents and evidence item by item, so the decided cases carry no
“尚未见审看核对记录” hint; one clip of 12号 is found not to show the scene (a violation of
001 第十一条第二项); the licence case decided without a review keeps its hint."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from liuhen.compliance import service as compliance
from liuhen.demo import seed as demo
from liuhen.kernel.db import store
from liuhen.rules import content

REVIEWED = ("某文旅罚〔2026〕3号", "某文旅罚〔2026〕12号", "某文旅罚〔2026〕20号",
            "某文旅罚〔2026〕9号", "某文旅罚〔2026〕5号")  # fmt: skip
UNREVIEWED = "某文旅许〔2026〕16号"  # a licence decided by the head without 法制审核


def _content(app: Any, number: str) -> list[tuple[str, str]]:
    found = compliance.evaluate_case(app, number).findings
    return [(f.code, f.message) for f in found if f.rule.startswith("content.")]


def _recorded(app: Any, seq: int) -> tuple[str, str]:
    """Who journaled entry ``seq`` and when the source system recorded it."""
    with app.engine.connect() as conn:
        raw = conn.execute(select(store.ENTRY.c.canonical).where(store.ENTRY.c.seq == seq)).scalar()
    doc = json.loads(bytes(raw))
    return doc["body"]["recorded_by"]["id"], doc["recorded_at"]


def test_the_reviewers_checks_precede_each_review(app: Any) -> None:
    demo.seed(app)
    for number in REVIEWED:
        rec, _agency = compliance.case_record(app, number, views=False)
        (review,) = rec.of(["decision.legal_review"])
        checks = rec.of([content.ACT])
        assert len(checks) >= 8, number
        by_seq = {e.seq: e for e in rec.entries}
        for c in checks:
            subject = by_seq[c.fields["subject_seq"]]
            assert subject.seq < c.seq < review.seq
            assert subject.occurred_at < c.occurred_at < review.occurred_at
            author, recorded = _recorded(app, c.seq)
            assert author == review.actors[0]  # the case's own reviewer
            assert _recorded(app, subject.seq)[1] <= recorded  # checked once it was recorded
            assert c.fields.get("subject_digest") == subject.fields.get("digest")
        findings = _content(app, number)
        if number != "某文旅罚〔2026〕12号":
            assert findings == [], (number, findings)
    (nonconforming,) = _content(app, "某文旅罚〔2026〕12号")
    assert nonconforming[0] == "content.av_focus:nonconforming"
    assert "“执法现场环境”一项不符合" in nonconforming[1] and "收银台" in nonconforming[1]
    assert [code for code, _m in _content(app, UNREVIEWED)] == ["content.written_record:unchecked"]
