"""locate(): the same document as json.loads, plus the 1-based line of every value."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from liuhen.kernel.jsonlines import MAX_DEPTH, MAX_DIGITS, Refused, line_of, locate

DOC = """{
  "case": {
    "title": "某某商贸有限公司销售过期食品案",
    "amount": "5000.00",
    "parties": [
      {
        "name": "张三",
        "role": "法定代表人"
      },
      {"name": "李四", "role": "证人"}
    ]
  },
  "acts": [
    1,
    [2, 3],
    {},
    [],
    "文字\\n带换行",
    null,
    true
  ],
  "empty": {
  }
}
"""


def test_same_document_as_json_loads() -> None:
    doc, _ = locate(DOC)
    assert doc == json.loads(DOC)


def test_lines_of_nested_keys_and_elements() -> None:
    _, lines = locate(DOC)
    expected = {
        (): 1,
        ("case",): 2,
        ("case", "title"): 3,
        ("case", "amount"): 4,
        ("case", "parties"): 5,
        ("case", "parties", 0): 6,
        ("case", "parties", 0, "name"): 7,
        ("case", "parties", 0, "role"): 8,
        ("case", "parties", 1): 10,
        ("case", "parties", 1, "name"): 10,
        ("case", "parties", 1, "role"): 10,
        ("acts",): 13,
        ("acts", 0): 14,
        ("acts", 1): 15,
        ("acts", 1, 0): 15,
        ("acts", 1, 1): 15,
        ("acts", 2): 16,
        ("acts", 3): 17,
        ("acts", 4): 18,
        ("acts", 5): 19,
        ("acts", 6): 20,
        ("empty",): 22,
    }
    assert lines == expected


def test_value_on_line_after_key() -> None:
    text = '{\n  "a":\n\n    [\n      1\n    ]\n}'
    doc, lines = locate(text)
    assert doc == {"a": [1]}
    assert lines[("a",)] == 4  # where the value begins
    assert lines[("a", 0)] == 5


def test_leading_whitespace_and_scalars() -> None:
    for text, value in [("\n\n  42\n", 42), ('"x"', "x"), ("null", None), ("\r\n[]", [])]:
        doc, lines = locate(text)
        assert doc == value
        assert lines[()] == text[: len(text) - len(text.lstrip())].count("\n") + 1


def test_duplicate_keys_are_refused_not_last_wins() -> None:
    """json.loads keeps the last of two equal keys; an import must not guess which was meant."""
    text = '{"b": {"a": 1,\n "a": 2}}'
    with pytest.raises(Refused) as info:
        locate(text)
    assert info.value.path == ("b", "a") and info.value.line == 2
    assert "“a”" in info.value.message


def test_depth_and_digits_are_bounded() -> None:
    locate("[" * MAX_DEPTH + "]" * MAX_DEPTH)
    with pytest.raises(Refused, match="嵌套"):
        locate("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1))
    assert locate("-" + "9" * MAX_DIGITS)[0] == -int("9" * MAX_DIGITS)
    with pytest.raises(Refused, match="位数") as info:
        locate('{"n":\n' + "9" * (MAX_DIGITS + 1) + "}")
    assert info.value.path == ("n",) and info.value.line == 2


def test_line_of_falls_back_to_ancestor() -> None:
    _, lines = locate(DOC)
    assert line_of(lines, ("case", "parties", 0, "name")) == 7
    assert line_of(lines, ("case", "parties", 0, "missing")) == 6
    assert line_of(lines, ("case", "parties", 9, "name")) == 5
    assert line_of(lines, ("nowhere",)) == 1
    assert line_of({}, ("x",)) is None


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ('{\n  "a": 1\n  "b": 2\n}', 3),  # missing comma
        ('{\n  "a": 1,\n}', 3),  # trailing comma
        ("[\n  1,\n  2,\n  oops\n]", 4),
        ('{\n  "a" 1\n}', 2),  # missing colon
        ('{\n\n  "a": "unterminated\n}', 3),
        ("", 1),
        ("   \n  ", 2),
        ('{"a": [1, 2}', 1),
        ('[\n  "x"\n', 3),  # unclosed
    ],
)
def test_syntax_errors_carry_line(text: str, line: int) -> None:
    with pytest.raises(json.JSONDecodeError) as info:
        locate(text)
    assert info.value.lineno == line


@pytest.mark.parametrize(
    "text",
    ['{"a": 1}\n{"b": 2}', "[1]]", '{"a": 1} x', "1 2", '"a" "b"', "{}\n\n,"],
)
def test_trailing_garbage_raises(text: str) -> None:
    with pytest.raises(json.JSONDecodeError):
        locate(text)


def test_trailing_whitespace_allowed() -> None:
    doc, _ = locate('{"a": 1}\n\n  \t\r\n')
    assert doc == {"a": 1}


# --- property: every path's line is where json.dumps(indent) put it ---------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=4), children, max_size=4)
    ),
    max_leaves=25,
)


def _expected_lines(value: Any) -> dict[tuple[str | int, ...], int]:
    """Lines of json.dumps(value, indent=2): one value per line, so count lines while walking."""
    out: dict[tuple[str | int, ...], int] = {}
    counter = [1]

    def walk(v: Any, path: tuple[str | int, ...]) -> None:
        out[path] = counter[0]
        if isinstance(v, dict) and v:
            for k, child in v.items():
                counter[0] += 1
                walk(child, (*path, k))
            counter[0] += 1  # closing brace
        elif isinstance(v, list) and v:
            for i, child in enumerate(v):
                counter[0] += 1
                walk(child, (*path, i))
            counter[0] += 1  # closing bracket

    walk(value, ())
    return out


@settings(max_examples=150, deadline=None, database=None)
@given(value=json_values)
def test_lines_match_pretty_printed_layout(value: Any) -> None:
    text = json.dumps(value, indent=2, ensure_ascii=False)
    doc, lines = locate(text)
    assert doc == json.loads(text)
    assert lines == _expected_lines(json.loads(text))


@settings(max_examples=150, deadline=None, database=None)
@given(value=json_values)
def test_compact_document_is_all_line_one(value: Any) -> None:
    text = json.dumps(value, ensure_ascii=False)
    doc, lines = locate(text)
    assert doc == json.loads(text)
    assert set(lines.values()) == {1}
