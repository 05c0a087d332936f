"""Confidentiality marks as a pure fold over a case's entries (001 第二十条, 002 第三十五条)."""

from __future__ import annotations

import pytest

from liuhen.access.marks import (
    Entry,
    change_refusal,
    collect,
    lift_refusal,
    lowers,
    may_see,
    strictest,
)
from liuhen.access.policy import User

DOC = "sha256:" + "a" * 64
VIDEO = "sha256:" + "b" * 64


def mark(seq: int, value: str, records: list[str] | None = None) -> Entry:
    return Entry(seq, "general.confidentiality", {"mark": value, "records": records or []})


def case_entries() -> list[Entry]:
    return [
        Entry(1, "initiation.complaint", {}),
        Entry(2, "general.document", {"digest": DOC}, (DOC,)),
        Entry(3, "general.media", {"digest": VIDEO}, (VIDEO,)),
    ]


def test_a_mark_on_an_entry_covers_its_files_and_nothing_else() -> None:
    marks = collect([*case_entries(), mark(4, "商业秘密", ["2"])])
    assert marks.of_entry(2) == "商业秘密" and marks.of_file(DOC) == "商业秘密"
    assert marks.of_entry(1) is None and marks.of_file(VIDEO) is None
    assert marks.marked_files() == {DOC: "商业秘密"}


def test_latest_mark_wins_and_none_lifts_it() -> None:
    marks = collect([*case_entries(), mark(4, "个人隐私", [VIDEO]), mark(5, "无", [VIDEO])])
    assert marks.of_file(VIDEO) is None
    marks = collect([*case_entries(), mark(4, "个人隐私", [VIDEO]), mark(5, "国家秘密", [VIDEO])])
    assert marks.of_file(VIDEO) == "国家秘密"


def test_whole_case_mark_and_the_strictest_applies() -> None:
    marks = collect([*case_entries(), mark(4, "个人隐私"), mark(5, "国家秘密", ["3"])])
    assert marks.case_mark == "个人隐私"
    assert marks.of_entry(1) == "个人隐私"
    assert marks.of_file(VIDEO) == "国家秘密"
    assert strictest(["个人隐私", None, "商业秘密"]) == "商业秘密"
    assert strictest([None, "无"]) is None


def _user(*roles: str) -> User:
    return User("u", "某人", frozenset(roles), "zd1", "wl", "1")


@pytest.mark.parametrize(
    ("roles", "on_case", "mark", "allowed"),
    [
        (("officer",), True, "国家秘密", True),
        (("officer",), False, "国家秘密", False),
        (("officer",), False, "个人隐私", False),
        (("head",), False, "国家秘密", True),
        (("legal_reviewer",), False, "商业秘密", True),
        (("archivist",), False, "国家秘密", True),
        (("supervisor",), False, "商业秘密", True),
        (("supervisor",), False, "国家秘密", False),
        (("officer",), False, None, True),
    ],
)
def test_who_sees_a_marked_record(roles, on_case, mark, allowed) -> None:
    assert may_see(_user(*roles), mark, on_case) is allowed


def test_only_a_head_lifts() -> None:
    assert lift_refusal("general.confidentiality", {"mark": "无"}, "officer")
    assert lift_refusal("general.confidentiality", {"mark": "无"}, "head") is None
    assert lift_refusal("general.confidentiality", {"mark": "商业秘密"}, "officer") is None


@pytest.mark.parametrize(
    ("current", "new", "lowered"),
    [
        (None, "个人隐私", False),
        ("个人隐私", "国家秘密", False),
        ("国家秘密", "国家秘密", False),
        ("国家秘密", "个人隐私", True),
        ("商业秘密", "个人隐私", True),
        ("个人隐私", "无", True),
        (None, "无", False),
    ],
)
def test_lowering_is_any_change_to_a_less_strict_mark(current, new, lowered) -> None:
    assert lowers(current, new) is lowered


def test_who_may_change_a_mark() -> None:
    marks = collect([*case_entries(), mark(4, "国家秘密", ["2"])])
    lower = {"mark": "个人隐私", "records": ["2"]}
    raise_ = {"mark": "国家秘密", "records": ["3"]}
    assert "只有负责人" in (change_refusal(marks, lower, "officer", True) or "")
    assert "只有负责人" in (change_refusal(marks, lower, "legal_reviewer", False) or "")
    assert "只有负责人" in (change_refusal(marks, lower, "system", False) or "")
    assert change_refusal(marks, lower, "head", False) is None
    assert change_refusal(marks, raise_, "officer", True) is None
    assert change_refusal(marks, raise_, "officer", False)  # not on the case
    assert change_refusal(marks, raise_, "archivist", False) is None
    whole = collect([*case_entries(), mark(4, "商业秘密")])
    assert change_refusal(whole, {"mark": "个人隐私", "records": []}, "officer", True)
    assert change_refusal(whole, {"mark": "国家秘密", "records": []}, "officer", True) is None


def test_a_seq_written_with_leading_zeros_marks_that_entry() -> None:
    marks = collect([*case_entries(), mark(4, "国家秘密", ["02"])])
    assert marks.of_entry(2) == "国家秘密" and marks.of_file(DOC) == "国家秘密"
    assert change_refusal(marks, {"mark": "个人隐私", "records": ["2"]}, "officer", True)
