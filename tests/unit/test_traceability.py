"""docs/traceability.md stays honest: every article has one row, every reference resolves.

The document cites in three backticked forms:

- a rule: ``001:deadline.archive`` (pack name, a colon, the rule id), checked against
  ``liuhen.compliance.packs.load_pack(pack).rules`` (inherited rules included);
- a test: ``tests/unit/test_catalog.py::test_roles_follow_the_approval_chain`` (or a bare file
  path), checked by the file existing and defining the function;
- a rule's scenario folder: ``tests/scenarios/001/deadline.archive/``, checked to name a rule of
  that pack (not that the folder exists: scenarios are written rule by rule).

The article counts of the seed texts are embedded here so CI needs no access to the seeds.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache
from pathlib import Path

import pytest
import yaml

from liuhen.compliance import packs
from liuhen.rules.pack import Pack

ROOT = Path(__file__).parents[2]
DOC = ROOT / "docs" / "traceability.md"
ARTICLES = {"001": 28, "002": 40, "003": 32}
STATUSES = ("已实现", "部分实现", "尚未实现", "无可检查的义务")
HEADER = ["条文", "义务摘要", "实现（规则或功能）", "测试"]

_DIGITS = "零一二三四五六七八九"
_CODE = re.compile(r"`([^`]+)`")
_RULE = re.compile(r"([^\s/:]+):([^\s/:]+)")
_SCENARIO = re.compile(r"tests/scenarios/([^/\s]+)/([^/\s]+)/?")
_TEST = re.compile(r"(tests/[^\s:]+\.py)(?:::([A-Za-z_]\w*))?")
_LABEL = re.compile(r"(\d{3}) 第[零一二三四五六七八九十百]+条")


def chinese(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 28 → 二十八 (as the seeds number articles)."""
    assert 0 < n < 100
    tens, ones = divmod(n, 10)
    out = ("" if tens == 1 else _DIGITS[tens]) + "十" if tens else ""
    return out + (_DIGITS[ones] if ones else "")


def expected_labels(seed: str) -> list[str]:
    return [f"{seed} 第{chinese(n)}条" for n in range(1, ARTICLES[seed] + 1)]


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


@cache
def text() -> str:
    return DOC.read_text("utf-8")


@cache
def rows() -> list[list[str]]:
    """Table rows whose first cell is an article label, e.g. ``001 第九条``."""
    return [
        cells
        for line in text().splitlines()
        if line.lstrip().startswith("|") and _LABEL.fullmatch((cells := _cells(line))[0])
    ]


def codes() -> list[str]:
    return _CODE.findall(text())


@cache
def pack(name: str) -> Pack:
    return packs.load_pack(name)


def test_chinese_numerals_match_the_seeds():
    assert [chinese(n) for n in (1, 9, 10, 11, 19, 20, 21, 28, 30, 32, 40)] == [
        "一", "九", "十", "十一", "十九", "二十", "二十一", "二十八", "三十", "三十二", "四十",
    ]  # fmt: skip


@pytest.mark.parametrize("seed", sorted(ARTICLES))
def test_every_article_has_exactly_one_row_in_order(seed: str):
    labels = [r[0] for r in rows() if r[0].startswith(f"{seed} ")]
    want = expected_labels(seed)
    counts = Counter(labels)
    assert not [x for x in want if counts[x] != 1], {x: counts[x] for x in want if counts[x] != 1}
    assert not set(labels) - set(want), sorted(set(labels) - set(want))
    assert labels == want


def test_only_the_three_seeds_have_rows():
    assert {r[0].split(" ")[0] for r in rows()} == set(ARTICLES)


def test_tables_have_the_four_columns():
    headers = [_cells(line) for line in text().splitlines() if line.startswith("| 条文 |")]
    assert headers == [HEADER] * len(ARTICLES)
    for cells in rows():
        assert len(cells) == len(HEADER), cells[0]
        assert all(cells), cells[0]


def test_every_row_states_its_status_and_claims_are_tested():
    for label, _duty, impl, tests in rows():
        assert impl.startswith(STATUSES), f"{label}: 实现一栏应以 {'、'.join(STATUSES)} 之一开头"
        if impl.startswith(("已实现", "部分实现")):
            assert "`tests/" in tests, f"{label}: 声称已（部分）实现，却没有引用测试"


def test_rule_references_name_rules_of_their_pack():
    refs = [m for c in codes() if not c.startswith("tests/") and (m := _RULE.fullmatch(c))]
    assert refs, "no rule references found"
    bad = [
        m.group(0)
        for m in refs
        if m.group(1) not in packs.BUILTIN or m.group(2) not in pack(m.group(1)).rules
    ]
    assert not bad, bad
    # Anything else with a colon would be a malformed reference.
    odd = [c for c in codes() if ":" in c and not c.startswith("tests/") and not _RULE.fullmatch(c)]
    assert not odd, odd


def test_scenario_folders_name_rules_of_their_pack():
    refs = [m for c in codes() if (m := _SCENARIO.fullmatch(c))]
    assert refs, "no scenario references found"
    bad = [
        m.group(0)
        for m in refs
        if m.group(1) not in packs.BUILTIN or m.group(2) not in pack(m.group(1)).rules
    ]
    assert not bad, bad


def test_test_references_exist():
    refs = [c for c in codes() if c.startswith("tests/") and not _SCENARIO.fullmatch(c)]
    assert refs, "no test references found"
    problems = []
    for ref in refs:
        m = _TEST.fullmatch(ref)
        if m is None:
            if not (ROOT / ref).exists():
                problems.append(f"{ref}: no such path")
            continue
        path, function = m.groups()
        if not (ROOT / path).is_file():
            problems.append(f"{ref}: no such file")
            continue
        source = (ROOT / path).read_text("utf-8")
        pattern = rf"^\s*(?:async\s+)?def\s+{re.escape(function)}\s*\(" if function else None
        if pattern and not re.search(pattern, source, re.MULTILINE):
            problems.append(f"{ref}: {path} defines no {function}")
    assert not problems, problems


@cache
def judged_under(folder: str, rule: str) -> frozenset[str]:
    """The packs a scenario folder's cases are judged under: its own, and the ``packs`` its
    expectations add (002's scenarios of an inherited rule may hold for 003 as well)."""
    path = ROOT / "tests" / "scenarios" / folder / rule
    out = {folder} if path.is_dir() else set()
    for expect in path.glob("*.expect.yaml"):
        out.update(
            str(p) for p in (yaml.safe_load(expect.read_text("utf-8")) or {}).get("packs", [])
        )
    return frozenset(out)


def test_every_rule_a_row_cites_is_shown_by_its_scenarios():
    """A row that names a rule cites a scenario folder of that rule whose cases are judged under
    the rule's pack (or the pack it inherits the rule from); the coverage test in
    test_scenarios.py then holds a compliant and a violating case behind it."""
    problems = []
    for label, _duty, impl, tests in rows():
        cited = [m.group(1, 2) for m in _SCENARIO.finditer(tests)]
        for m in _RULE.finditer(" ".join(_CODE.findall(impl))):
            name, rule = m.groups()
            if name not in packs.BUILTIN or rule not in pack(name).rules:
                continue  # test_rule_references_name_rules_of_their_pack reports these
            chain = set(pack(name).chain)
            if not any(r == rule and judged_under(f, r) & chain for f, r in cited):
                problems.append(f"{label}: {name}:{rule} 未引用判定它的情景目录")
    assert not problems, "\n".join(problems)
