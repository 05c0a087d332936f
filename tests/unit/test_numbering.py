"""Number patterns and the ``issued`` field: pure, no database."""

from __future__ import annotations

from typing import Any

from liuhen.procedure import numbering
from liuhen.procedure.projection import MemoryStore


def test_patterns_format_and_pad() -> None:
    assert (
        numbering.format_number("{简称}罚〔{年}〕{号}号", "某文旅", 2026, 12)
        == "某文旅罚〔2026〕12号"
    )
    assert numbering.format_number("{简称}当罚〔{年}〕{号:4}号", "某文旅", 2026, 42) == (
        "某文旅当罚〔2026〕0042号"
    )


def test_bad_patterns_are_named() -> None:
    assert numbering.pattern_problem("{简称}立〔{年}〕{号}号") is None
    assert "{号}" in str(numbering.pattern_problem("{简称}立〔{年}〕号"))
    assert "{号}" in str(numbering.pattern_problem("{号}{号}"))
    assert "{日}" in str(numbering.pattern_problem("{简称}{日}{号}"))
    assert numbering.pattern_problem("  ") == "规则不能为空"


def test_issued_round_trips_and_refuses_other_text() -> None:
    issued = numbering.Issued("wl-1/x", "case", 2026, 7)
    assert numbering.parse_issued(issued.text()) == issued
    assert numbering.parse_issued("wl/case/2026") is None
    assert numbering.parse_issued("wl/case/20x6/1") is None
    assert numbering.parse_issued(7) is None


def test_replay_counts_the_highest_issued_number() -> None:
    replay = MemoryStore()
    when = "2026-11-02T09:00:00+08:00"
    base: dict[str, Any] = {"v": 1, "chain_seq": 1, "prev": None, "recorded_at": when,
                            "occurred_at": when, "actors": []}  # fmt: skip
    settings = {"agency": "wl", "short_name": "某文旅", "case_pattern": "{简称}立〔{年}〕{号}号",
                "document_patterns": ["penalty_decision={简称}罚决〔{年}〕{号}号"]}  # fmt: skip
    replay.apply({**base, "seq": 1, "chain": "@registry", "act": "registry.agency_settings",
                  "body": {"fields": settings}})  # fmt: skip
    row = replay.tables["agency_settings"]["wl"]
    assert row["document_patterns"] == {"penalty_decision": "{简称}罚决〔{年}〕{号}号"}
    for seq, n in ((2, 1), (3, 2)):
        fields = {"cause": "x", "unit": "wl-zd1", "issued": f"wl/case/2026/{n}"}
        body = {"fields": fields, "corrects": None}
        replay.apply({**base, "seq": seq, "chain": f"某文旅立〔2026〕{n}号",
                      "act": "initiation.ex_officio", "body": body})  # fmt: skip
    assert replay.tables["number_counter"]["wl/case/2026"]["last"] == 2
