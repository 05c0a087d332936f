"""What 002 asks a record to state, held by the catalog: an act missing it is never journaled.

Where an article of 002 lists what a record states (第八条: 启动原因、当事人、承办人意见; 第十四条:
保全的理由、标的、形式; …) and the catalog makes that field required, no rule is needed: the
journal refuses the act. Each case here takes a realistic entry of the act from the scenarios,
drops the one field and shows the act refused, naming that field, before anything is stored.
"""

from __future__ import annotations

import json
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from liuhen.errors import ValidationError
from liuhen.kernel.record import ActInput, build_draft

SCENARIOS = Path(__file__).parents[1] / "scenarios"
NOW = datetime.fromisoformat("2027-06-30T12:00:00+08:00")

# (act, field, the article of 002 that asks for it)
REQUIRED = [
    ("initiation.application", "mode", "第七条第一款：申请登记、口头申请"),
    ("initiation.application", "acceptance", "第七条第一款：受理或不予受理"),
    ("initiation.ex_officio", "reason", "第八条：启动原因"),
    ("initiation.ex_officio", "parties", "第八条：当事人基本情况"),
    ("initiation.ex_officio", "handler_opinion", "第八条：承办人意见"),
    ("investigation.evidence_request", "items", "第十二条第二项：证据登记保存清单"),
    ("investigation.statement_defense", "content", "第十二条第五项：陈述申辩"),
    ("investigation.refusal", "conduct", "第十二条第三款：拒绝接受调查和提供证据的记录"),
    ("investigation.refusal", "signing_officers", "第十二条第二款：执法人员签字"),
    ("investigation.preservation", "reason", "第十四条第一项：启动理由"),
    ("investigation.preservation", "items", "第十四条第二项：具体标的"),
    ("investigation.preservation", "form", "第十四条第三项：保全形式"),
    ("investigation.seize", "reason", "第十五条第一款：扣押理由（行政强制法 第二十四条）"),
    ("investigation.seize", "items", "第十五条第一款：扣押财物清单"),
    ("investigation.freeze", "legal_basis", "第十五条第一款：冻结依据"),
    ("investigation.restrict_liberty", "reason", "第十五条第一款：限制人身自由的理由"),
    ("decision.draft", "drafter", "第十六条：起草人"),
    ("decision.draft", "legal_basis", "第十六条：法律依据"),
    ("decision.draft", "evidence", "第十六条：证据材料"),
    ("decision.draft", "factors", "第十六条：应考虑的有关因素"),
    ("decision.legal_review", "reviewer", "第十七条：审查人员"),
    ("decision.legal_review", "opinion", "第十七条：审查意见和建议"),
    ("decision.expert_opinion", "opinion", "第十八条：专家意见"),
    ("decision.collective_discussion", "minutes", "第十九条：集体讨论记录"),
    ("decision.head_approval", "opinion", "第二十条：负责人签署意见"),
    ("decision.decision", "facts", "第二十一条：说明理由（事实和证据）"),
    ("decision.decision", "legal_basis", "第二十一条：说明理由（依据）"),
    ("decision.summary", "facts", "第二十二条第一项：事实依据"),
    ("decision.summary", "legal_basis", "第二十二条第一项：法律依据"),
    ("service.mail", "mail_type", "第二十四条：挂号信或特快专递"),
    ("service.mail", "tracking_no", "第二十四条：邮寄送达的登记"),
    ("execution.compliance", "status", "第二十八条第一款：履行情况"),
    ("execution.court_application", "documents", "第三十一条：申请法院强制执行的文书"),
]


@cache
def _example(act: str) -> dict[str, Any]:
    """The first entry of ``act`` among the scenarios that holds every field it may hold here."""
    for path in sorted(SCENARIOS.glob("*/*/*.json")):
        for raw in json.loads(path.read_text("utf-8"))["entries"]:
            if raw["act"] == act:
                return dict(raw)
    raise AssertionError(f"no scenario holds an entry of {act}")


def _seq(value: Any) -> Any:
    """An import file names an earlier entry by position ({"entry": 2}); a draft by its seq."""
    return value["entry"] if isinstance(value, dict) and set(value) == {"entry"} else value


def _draft(raw: dict[str, Any], fields: dict[str, Any]) -> None:
    build_draft(
        ActInput(
            act=raw["act"],
            occurred_at=raw["occurred_at"],
            case="某区市监〔2026〕结构1号",
            actors=list(raw["actors"]),
            fields={k: _seq(v) for k, v in fields.items()},
            recorded_by=dict(raw["recorded_by"]),
        ),
        NOW,
    )


@pytest.mark.parametrize(("act", "name", "article"), REQUIRED)
def test_an_act_missing_what_002_asks_it_to_state_is_refused(act: str, name: str, article: str):
    raw = _example(act)
    assert raw["fields"].get(name) not in (None, "", []), f"{act} example lacks {name}"
    _draft(raw, dict(raw["fields"]))  # the example itself is journaled
    without = {k: v for k, v in raw["fields"].items() if k != name}
    with pytest.raises(ValidationError) as refused:
        _draft(raw, without)
    assert [p.field for p in refused.value.problems] == [f"fields.{name}"], article
