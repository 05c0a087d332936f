"""Field validation: every kind accepts good values in canonical form and reports bad ones."""

from __future__ import annotations

from typing import Any

import pytest

from liuhen.errors import Problem
from liuhen.journal.canonical import canonical
from liuhen.procedure.fields import FieldKind, FieldSpec, normalise, parse_datetime, validate_fields

K = FieldKind


def _one(kind: FieldKind, value: Any, **kw: Any) -> tuple[Any, list[Problem]]:
    problems: list[Problem] = []
    return normalise(FieldSpec("f", "字段", kind, **kw), value, problems), problems


def _ok(kind: FieldKind, value: Any, **kw: Any) -> Any:
    out, problems = _one(kind, value, **kw)
    assert problems == []
    canonical(out)  # whatever validation accepts must be hashable as canonical JSON
    return out


def _bad(kind: FieldKind, value: Any, **kw: Any) -> list[Problem]:
    out, problems = _one(kind, value, **kw)
    assert out is None or out == []
    assert problems, f"{kind} accepted {value!r}"
    return problems


# --- each kind --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("5000", "5000.00"),
        ("1234.5", "1234.50"),
        ("1234.50", "1234.50"),
        ("0.01", "0.01"),
        ("0", "0.00"),
        (" 12 ", "12.00"),
        (1234, "1234.00"),
        (0, "0.00"),
        ("9999999999999.99", "9999999999999.99"),
    ],
)
def test_money_normalised(value: Any, expected: str) -> None:
    assert _ok(K.MONEY, value) == expected


@pytest.mark.parametrize(
    "value",
    [
        1234.5,
        1.0,
        True,
        "-5",
        "1.234",
        "1e3",
        "12,000",
        "¥12",
        "",
        "abc",
        "10000000000000",
        -1,
        None,
        [],
    ],
)
def test_money_refused(value: Any) -> None:
    _bad(K.MONEY, value)


def test_text_stripped_and_limited() -> None:
    assert _ok(K.TEXT, "  张三  ") == "张三"
    assert _ok(K.TEXT, "字" * 200) == "字" * 200
    assert "超过 200 字" in _bad(K.TEXT, "字" * 201)[0].message
    assert _ok(K.TEXT, "abc", max_length=3) == "abc"
    _bad(K.TEXT, "abcd", max_length=3)
    _bad(K.TEXT, "   ")
    _bad(K.TEXT, 5)
    _bad(K.TEXT, "bad \ud800 char")


def test_longtext_limit() -> None:
    text = "第一段。\n第二段。"
    assert _ok(K.LONGTEXT, text) == text
    assert _ok(K.LONGTEXT, "字" * 20000) == "字" * 20000
    _bad(K.LONGTEXT, "字" * 20001)


@pytest.mark.parametrize("kind", [K.INT, K.SEQ])
def test_int_and_seq(kind: FieldKind) -> None:
    assert _ok(kind, 7) == 7
    assert _ok(kind, 2**53 - 1) == 2**53 - 1
    for bad in [True, False, 1.0, 7.5, "7", None, 2**53]:
        _bad(kind, bad)


def test_int_allows_zero_seq_does_not() -> None:
    assert _ok(K.INT, 0) == 0
    _bad(K.SEQ, 0)
    _bad(K.INT, -1)


def test_date() -> None:
    assert _ok(K.DATE, "2026-03-01") == "2026-03-01"
    for bad in ["2026-02-30", "2026/03/01", "01-03-2026", "", 20260301, None]:
        _bad(K.DATE, bad)


def test_datetime_keeps_offset() -> None:
    assert _ok(K.DATETIME, "2026-03-01T09:30:00+08:00") == "2026-03-01T09:30:00+08:00"
    assert _ok(K.DATETIME, "2026-03-01T09:30:00-05:00") == "2026-03-01T09:30:00-05:00"
    assert _ok(K.DATETIME, "2026-03-01T01:30:00Z") == "2026-03-01T01:30:00+00:00"
    assert _ok(K.DATETIME, "2026-03-01 09:30+08:00") == "2026-03-01T09:30:00+08:00"


@pytest.mark.parametrize(
    "value", ["2026-03-01T09:30:00", "2026-03-01", "yesterday", "", 1700000000, None]
)
def test_datetime_naive_or_malformed_refused(value: Any) -> None:
    problems = _bad(K.DATETIME, value)
    assert "带时区" in problems[0].message


def test_parse_datetime() -> None:
    dt = parse_datetime("2026-03-01T09:30:00+08:00")
    assert dt is not None
    assert dt.utcoffset() is not None
    assert parse_datetime("2026-03-01T09:30:00") is None
    assert parse_datetime(None) is None
    assert parse_datetime("nonsense") is None


def test_bool() -> None:
    assert _ok(K.BOOL, True) is True
    assert _ok(K.BOOL, False) is False
    for bad in ["yes", "true", 1, 0, "是", None]:
        _bad(K.BOOL, bad)


def test_choice() -> None:
    choices = ("警告", "罚款", "没收违法所得")
    assert _ok(K.CHOICE, "罚款", choices=choices) == "罚款"
    problems = _bad(K.CHOICE, "拘留", choices=choices)
    assert "警告、罚款、没收违法所得" in problems[0].message
    _bad(K.CHOICE, " 罚款", choices=choices)
    _bad(K.CHOICE, ["罚款"], choices=choices)


def test_person() -> None:
    person = {"name": " 张三 ", "id_no": "110101199001011234", "age": 36, "phone": "", "role": None}
    assert _ok(K.PERSON, person) == {"age": 36, "id_no": "110101199001011234", "name": "张三"}


def test_person_requires_name() -> None:
    problems = _bad(K.PERSON, {"phone": "13800000000"})
    assert [p.message for p in problems] == ["请填写字段的姓名或名称"]
    _bad(K.PERSON, {"name": ""})
    _bad(K.PERSON, {"name": "   "})


def test_person_refuses_unknown_keys_and_non_objects() -> None:
    problems = _bad(K.PERSON, {"name": "张三", "password": "x", "salary": 1})
    assert "password" in problems[0].message
    assert "salary" in problems[0].message
    _bad(K.PERSON, "张三")
    _bad(K.PERSON, ["张三"])


def test_person_subfield_paths() -> None:
    _, problems = _one(K.PERSON, {"name": "张三", "address": "字" * 201})
    assert [p.field for p in problems] == ["f.address"]


def test_persons() -> None:
    out = _ok(K.PERSONS, [{"name": "张三"}, {"name": "李四", "role": "证人"}])
    assert out == [{"name": "张三"}, {"name": "李四", "role": "证人"}]
    _bad(K.PERSONS, [])
    _bad(K.PERSONS, {"name": "张三"})
    _, problems = _one(K.PERSONS, [{"name": "张三"}, {"role": "证人"}])
    assert [p.field for p in problems] == ["f[1]"]


def test_items() -> None:
    items = [{"name": "电子秤", "quantity": 2, "unit": "台"}, {"name": "账本", "quantity": "3"}]
    assert _ok(K.ITEMS, items) == [
        {"name": "电子秤", "quantity": "2", "unit": "台"},
        {"name": "账本", "quantity": "3"},
    ]
    _bad(K.ITEMS, [])
    _bad(K.ITEMS, None)
    _bad(K.ITEMS, [{"name": "x", "colour": "red"}])
    # A bad sub-value is reported with its path (validate_fields then drops the whole field).
    _, problems = _one(K.ITEMS, [{"name": "x", "quantity": True}])
    assert [p.field for p in problems] == ["f[0].quantity"]


def test_texts() -> None:
    assert _ok(K.TEXTS, [" 《行政处罚法》第三十三条 ", "市监罚〔2026〕1号"]) == [
        "《行政处罚法》第三十三条",
        "市监罚〔2026〕1号",
    ]
    _bad(K.TEXTS, [])
    _bad(K.TEXTS, "not a list")
    _, problems = _one(K.TEXTS, ["ok", "", 5])
    assert [p.field for p in problems] == ["f[1]", "f[2]"]


def test_changes() -> None:
    assert _ok(K.CHANGES, {"amount": "5000"}) == {"amount": "5000"}
    _bad(K.CHANGES, {})
    _bad(K.CHANGES, ["amount"])


# --- validate_fields --------------------------------------------------------------------------

SPECS = (
    FieldSpec("party", "当事人", K.PERSON),
    FieldSpec("amount", "罚款金额", K.MONEY),
    FieldSpec("decided_at", "决定时间", K.DATETIME),
    FieldSpec("hearing", "是否听证", K.BOOL, required=False),
    FieldSpec("note", "备注", K.TEXT, required=False),
)


def test_validate_good_record() -> None:
    values = {
        "party": {"name": "某某商贸有限公司", "unit": "法定代表人 王五"},
        "amount": 5000,
        "decided_at": "2026-03-01T09:30:00+08:00",
        "hearing": False,
    }
    out, problems = validate_fields(SPECS, values)
    assert problems == []
    assert out == {
        "party": {"name": "某某商贸有限公司", "unit": "法定代表人 王五"},
        "amount": "5000.00",
        "decided_at": "2026-03-01T09:30:00+08:00",
        "hearing": False,
    }
    canonical(out)


@pytest.mark.parametrize("missing", [None, "", []])
def test_missing_required_reports_path(missing: Any) -> None:
    values = {
        "party": {"name": "张三"},
        "amount": missing,
        "decided_at": "2026-03-01T09:30:00+08:00",
    }
    out, problems = validate_fields(SPECS, values)
    assert [p.field for p in problems] == ["fields.amount"]
    assert problems[0].message == "请填写罚款金额"
    assert (problems[0].label, problems[0].kind) == ("罚款金额", "required")
    assert "amount" not in out


def test_missing_optional_is_fine() -> None:
    values = {"party": {"name": "张三"}, "amount": "1", "decided_at": "2026-03-01T09:30:00Z"}
    out, problems = validate_fields(SPECS, values)
    assert problems == []
    assert set(out) == {"party", "amount", "decided_at"}


def test_unknown_field_reported() -> None:
    values = {
        "party": {"name": "张三"},
        "amount": "1",
        "decided_at": "2026-03-01T09:30:00+08:00",
        "bribe": "100",
    }
    out, problems = validate_fields(SPECS, values)
    assert [p.field for p in problems] == ["fields.bribe"]
    assert "bribe" not in out


def test_all_problems_collected() -> None:
    values = {
        "party": {"name": "张三", "nickname": "小三"},
        "amount": 12.5,
        "decided_at": "2026-03-01T09:30:00",
        "hearing": "yes",
        "note": "字" * 201,
        "extra1": 1,
        "extra2": 2,
    }
    out, problems = validate_fields(SPECS, values)
    assert out == {}
    fields = sorted(p.field for p in problems if p.field)
    assert fields == sorted(
        [
            "fields.extra1",
            "fields.extra2",
            "fields.party",
            "fields.amount",
            "fields.decided_at",
            "fields.hearing",
            "fields.note",
        ]
    )
    # messages name the field by its label, and each problem carries the label itself
    by_field = {p.field: p.message for p in problems}
    assert by_field["fields.note"].startswith("备注不能超过 200 字")
    assert by_field["fields.hearing"] == "请选择是否听证：是或否"
    assert {p.label for p in problems if p.field == "fields.party"} == {"当事人"}


def test_nested_problem_path_prefixed() -> None:
    specs = (FieldSpec("witnesses", "证人", K.PERSONS),)
    _, problems = validate_fields(specs, {"witnesses": [{"name": "a"}, {"name": "b" * 201}]})
    assert [p.field for p in problems if "超过" in p.message] == ["fields.witnesses[1].name"]


def test_prefix_and_non_object() -> None:
    _, problems = validate_fields(SPECS, {"amount": "x"}, prefix="case")
    assert {p.field for p in problems} >= {"case.amount", "case.party", "case.decided_at"}
    out, problems = validate_fields(SPECS, ["not", "a", "dict"])
    assert out == {}
    assert problems == [Problem("字段的填写方式不正确（应为对象）", "fields", kind="format")]


def test_values_too_long_refused() -> None:
    specs = (
        FieldSpec("title", "标题", K.TEXT),
        FieldSpec("short", "简称", K.TEXT, max_length=10),
        FieldSpec("facts", "事实", K.LONGTEXT),
        FieldSpec("bases", "依据", K.TEXTS),
    )
    values = {
        "title": "a" * 201,
        "short": "b" * 11,
        "facts": "c" * 20001,
        "bases": ["ok", "d" * 201],
    }
    out, problems = validate_fields(specs, values)
    assert sorted(p.field for p in problems if p.field) == [
        "fields.bases[1]",
        "fields.facts",
        "fields.short",
        "fields.title",
    ]
    assert all("超过" in p.message for p in problems)
    assert "title" not in out


def test_zero_and_false_are_not_missing() -> None:
    specs = (FieldSpec("count", "数量", K.INT), FieldSpec("flag", "标志", K.BOOL))
    out, problems = validate_fields(specs, {"count": 0, "flag": False})
    assert problems == []
    assert out == {"count": 0, "flag": False}


@pytest.mark.parametrize("age", [2**60, -5])
def test_person_age_out_of_range_refused(age: int) -> None:
    _bad(K.PERSON, {"name": "张三", "age": age})
