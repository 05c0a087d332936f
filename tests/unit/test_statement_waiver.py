"""放弃陈述申辩: a waiver is recorded as the party's 陈述申辩 marked ``waived``; nothing was said,
so the 复核 fields a statement must carry are not asked of it, while a statement that was made
is still refused without them."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from liuhen.errors import ValidationError
from liuhen.kernel.record import ActInput, build_draft

NOW = datetime(2026, 11, 20, 12, tzinfo=timezone(timedelta(hours=8)))


def _statement(**fields: object) -> ActInput:
    return ActInput(
        "investigation.statement_defense", "2026-11-10T10:00:00+08:00", case="某文旅罚〔2026〕1号",
        actors=["31010001"], recorded_by={"id": "31010001", "role": "officer"},
        fields={"speaker": {"name": "刘某"}, "received_at": "2026-11-10T10:00:00+08:00",
                "form": "书面", **fields},
    )  # fmt: skip


def test_a_waiver_needs_no_review():
    draft = build_draft(_statement(content="当事人书面表示放弃陈述、申辩。", waived=True), NOW)
    assert draft.body["fields"]["waived"] is True
    assert "adopted" not in draft.body["fields"]


def test_a_statement_made_is_still_refused_without_its_review():
    with pytest.raises(ValidationError) as refused:
        build_draft(_statement(content="请求分期缴纳罚款。"), NOW)
    fields = {p.field for p in refused.value.problems}
    assert {"fields.adopted", "fields.review_opinion"} <= fields
    with pytest.raises(ValidationError) as not_waived:
        build_draft(_statement(content="请求分期缴纳罚款。", waived=False), NOW)
    assert "fields.adopted" in {p.field for p in not_waived.value.problems}
