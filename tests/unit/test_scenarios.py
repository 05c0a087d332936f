"""Rule scenarios: realistic cases in the import format, judged under each pack, exact findings.

Layout: ``tests/scenarios/<pack>/<rule id>/<variant>.json`` (a ``liuhen-case/1`` file) with
``<variant>.expect.yaml`` beside it:

    now: "2026-11-20T12:00:00+08:00"      # when the case is judged
    packs: ["001", "003"]                 # optional: more packs the expectation holds under
    rules: [deadline.archive]             # optional: rule ids compared (default: the folder)
    calendar: [{year: 2027, holidays: [...], workdays: [...], source: ...}]   # optional
    settings: {major_fine_threshold: "100000"}   # optional: the agency's own standards
    findings:                             # exactly these, for the compared rules
      - code: deadline.archive:late
        seqs: [5, 6]                      # entry positions in the file, from 1
        cite: ["001 第十六条"]            # optional checks: cite (short codes), due_at, provisional
        due_at: "2026-11-13T23:59:59+08:00"
        provisional: false

Every rule of every pack must have at least one scenario where it finds something and one
where it finds nothing (the coverage test below).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from liuhen.compliance import packs
from liuhen.compliance import service as compliance
from liuhen.procedure.fields import parse_datetime
from liuhen.rules.calendar import WorkingCalendar, YearData
from liuhen.rules.findings import Finding

ROOT = Path(__file__).parents[1] / "scenarios"
PACKS = packs.BUILTIN


@dataclass(frozen=True)
class Scenario:
    path: Path
    pack: str
    rule: str
    expect: dict[str, Any]

    @property
    def packs(self) -> list[str]:
        return [self.pack, *[str(p) for p in self.expect.get("packs", []) if str(p) != self.pack]]

    @property
    def rules(self) -> list[str]:
        return list(self.expect.get("rules") or [self.rule])

    @property
    def id(self) -> str:
        return str(self.path.relative_to(ROOT).with_suffix(""))


def _scenarios() -> list[Scenario]:
    out = []
    for path in sorted(ROOT.glob("*/*/*.json")):
        expect_path = path.with_suffix(".expect.yaml")
        expect = yaml.safe_load(expect_path.read_text("utf-8")) if expect_path.exists() else None
        out.append(Scenario(path, path.parent.parent.name, path.parent.name, expect or {}))
    return out


SCENARIOS = _scenarios()
_LOADED = {name: packs.load_pack(name) for name in PACKS}


def _calendar(s: Scenario) -> WorkingCalendar:
    years = [
        YearData(
            int(y["year"]),
            frozenset(date.fromisoformat(str(d)) for d in y["holidays"]),
            frozenset(date.fromisoformat(str(d)) for d in y.get("workdays") or []),
            str(y.get("source", "test")),
        )
        for y in s.expect.get("calendar") or []
    ]
    return WorkingCalendar.default(years)


def _judge(s: Scenario, pack: str) -> list[Finding]:
    now = parse_datetime(s.expect["now"])
    assert now is not None, f"{s.id}: now must be an ISO time with offset"
    settings = {k: Decimal(str(v)) for k, v in (s.expect.get("settings") or {}).items()}
    ev = compliance.evaluate_file(
        s.path.read_text("utf-8"), _LOADED[pack], now, _calendar(s), settings
    )
    return [f for f in ev.findings if f.rule in s.rules]


def _cases() -> list[Any]:
    return [pytest.param(s, pack, id=f"{s.id}@{pack}") for s in SCENARIOS for pack in s.packs]


def test_every_scenario_has_an_expectation():
    missing = [s.id for s in SCENARIOS if "findings" not in s.expect or "now" not in s.expect]
    assert not missing, missing
    assert SCENARIOS


@pytest.mark.parametrize(("scenario", "pack"), _cases())
def test_scenario(scenario: Scenario, pack: str):
    for rule in scenario.rules:
        assert rule in _LOADED[pack].rules, f"{scenario.id}: pack {pack} has no rule {rule}"
    found = _judge(scenario, pack)
    got = sorted((f.code, list(f.seqs)) for f in found)
    want = sorted((e["code"], list(e["seqs"])) for e in scenario.expect["findings"] or [])
    assert got == want, "\n".join(f"{f.code} {f.seqs} {f.message}" for f in found)
    by_key = {(f.code, tuple(f.seqs)): f for f in found}
    for e in scenario.expect["findings"] or []:
        f = by_key[(e["code"], tuple(e["seqs"]))]
        if "cite" in e:  # by the packs' short codes; the titled text is checked below
            assert list(f.cite_short) == e["cite"], f.cite_short
            assert list(f.cite) == [_LOADED[pack].cite_text(c) for c in e["cite"]]
        if "due_at" in e:
            assert f.due_at == e["due_at"], f.due_at
        if "severity" in e:  # a duty the text says 应当 is a violation, a hint is a warning
            assert f.severity == e["severity"], f.severity
        if "provisional" in e:
            assert f.provisional is e["provisional"]


@pytest.mark.parametrize("pack", PACKS)
def test_every_rule_has_a_compliant_and_a_violating_scenario(pack: str):
    found: dict[str, set[bool]] = defaultdict(set)
    for s in SCENARIOS:
        if pack not in s.packs:
            continue
        expected = s.expect.get("findings") or []
        for rule in s.rules:
            found[rule].add(any(e["code"].split(":")[0] == rule for e in expected))
    missing = {
        rule: sorted(
            {"violating", "compliant"} - {"violating" if v else "compliant" for v in found[rule]}
        )
        for rule in _LOADED[pack].rules
        if found[rule] != {True, False}
    }
    assert not missing, f"pack {pack} lacks scenarios: {missing}"


def test_a_finding_names_the_regulation_by_title_and_keeps_the_short_code():
    s = next(s for s in SCENARIOS if s.id == "002/av.service/public_notice_not_recorded")
    (f,) = _judge(s, "002")
    assert f.cite == ("《行政执法全过程记录实施办法（试行）》第二十七条",)
    assert f.cite_short == ("002 第二十七条",)
    assert f.as_dict()["cite_short"] == ["002 第二十七条"]
