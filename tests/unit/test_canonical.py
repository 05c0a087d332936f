"""Canonical JSON: the fast path is byte-for-byte RFC 8785, and what JSON cannot hold is refused."""

from __future__ import annotations

import json
import math
from typing import Any, Literal

import pytest
import rfc8785
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from liuhen.journal.canonical import canonical

MAX_SAFE = 2**53 - 1

PROPS = settings(
    max_examples=300,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)

# Characters that stress the string encoder: escapes, controls, line separators, CJK, astral.
SPECIAL = st.sampled_from(
    [
        '"',
        "\\",
        "/",
        "\x00",
        "\x01",
        "\x08",
        "\t",
        "\n",
        "\x0c",
        "\r",
        "\x1f",
        "\x7f",
        "\x80",
        "\u2028",
        "\u2029",
        "\ufeff",
        "中",
        "留",
        "痕",
        "，",
        "€",
        "\ud7ff",
        "\ue000",
        "\uffff",
        "😀",
        "𠀀",
        "\U0010ffff",
    ]
)
SURROGATES: tuple[Literal["Cs"]] = ("Cs",)
ANY_CHAR = st.characters(blacklist_categories=SURROGATES)  # every code point except surrogates
BMP_HIGH = st.characters(
    min_codepoint=0xE000, max_codepoint=0xFFFF, blacklist_categories=SURROGATES
)
ASTRAL = st.characters(min_codepoint=0x10000)

texts = st.text(alphabet=st.one_of(SPECIAL, ANY_CHAR), max_size=20)
ascii_keys = st.text(alphabet=st.characters(max_codepoint=0x7F), max_size=8)
# Keys mixing astral characters (UTF-16 surrogate pairs D800-DBFF) with BMP characters above
# U+E000: code-point order and UTF-16 order disagree on exactly these, and RFC 8785 wants UTF-16.
any_keys = st.one_of(
    ascii_keys,
    st.text(alphabet=st.one_of(BMP_HIGH, ASTRAL, st.sampled_from("aZ0中")), min_size=1, max_size=4),
    st.text(alphabet=st.one_of(SPECIAL, ANY_CHAR), max_size=6),
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-MAX_SAFE, MAX_SAFE),
    st.sampled_from([0, -1, 1, MAX_SAFE, -MAX_SAFE, 2**31, -(2**31)]),
    texts,
)


def json_values(keys: st.SearchStrategy[str]) -> st.SearchStrategy[Any]:
    return st.recursive(
        scalars,
        lambda children: st.one_of(
            st.lists(children, max_size=5),
            st.dictionaries(keys, children, max_size=6),
        ),
        max_leaves=30,
    )


@PROPS
@given(value=json_values(ascii_keys))
def test_fast_domain_equals_rfc8785(value: Any) -> None:
    out = canonical(value)
    assert out == rfc8785.dumps(value)
    assert json.loads(out) == value


@PROPS
@given(value=json_values(any_keys))
def test_any_keys_equal_rfc8785(value: Any) -> None:
    out = canonical(value)
    assert out == rfc8785.dumps(value)
    assert json.loads(out) == value


@settings(max_examples=200, deadline=None, database=None)
@given(keys=st.lists(st.text(alphabet=st.one_of(BMP_HIGH, ASTRAL), min_size=1, max_size=3)))
def test_keys_sorted_by_utf16_code_units(keys: list[str]) -> None:
    value = {k: i for i, k in enumerate(keys)}
    out = canonical(value)
    assert out == rfc8785.dumps(value)
    order = list(json.loads(out))
    assert order == sorted(value, key=lambda k: k.encode("utf-16-be"))


@settings(max_examples=200, deadline=None, database=None)
@given(text=texts)
def test_strings_equal_rfc8785(text: str) -> None:
    assert canonical(text) == rfc8785.dumps(text)
    assert canonical([text, {"k": text}]) == rfc8785.dumps([text, {"k": text}])


def test_fixed_example_fast_path() -> None:
    value: dict[str, Any] = {
        "b": [1, "留痕", True, None, -MAX_SAFE],
        "a": {"z": None, "y": False, "x": 'q"\\\n\u2028'},
        "A": "\x1f\x7f😀",
    }
    expected = (
        '{"A":"\\u001f\x7f😀","a":{"x":"q\\"\\\\\\n\u2028","y":false,"z":null},'
        '"b":[1,"留痕",true,null,-9007199254740991]}'
    ).encode()
    assert canonical(value) == expected
    assert rfc8785.dumps(value) == expected


def test_rfc8785_section_3_2_2_example() -> None:
    """The example of RFC 8785 section 3.2.2 (numbers, string escapes, literals)."""
    source = (
        '{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],'
        ' "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/",'
        ' "literals": [null, true, false]}'
    )
    expected = (
        '{"literals":[null,true,false],'
        '"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],'
        '"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}'
    ).encode()
    assert canonical(json.loads(source)) == expected


def test_rfc8785_section_3_2_3_sorting_example() -> None:
    """The property-sorting example of RFC 8785 section 3.2.3 (UTF-16 code-unit order)."""
    value = {
        "\u20ac": "Euro Sign",
        "\r": "Carriage Return",
        "\ufb33": "Hebrew Letter Dalet With Dagesh",
        "1": "One",
        "\U0001f600": "Emoji: Grinning Face",
        "\u0080": "Control",
        "\u00f6": "Latin Small Letter O With Diaeresis",
    }
    expected = (
        '{"\\r":"Carriage Return","1":"One","\u0080":"Control",'
        '"\u00f6":"Latin Small Letter O With Diaeresis","\u20ac":"Euro Sign",'
        '"\U0001f600":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}'
    ).encode()
    assert canonical(value) == expected


def test_astral_key_sorts_before_high_bmp_key() -> None:
    assert canonical({"\ue000": 1, "😀": 2}) == '{"😀":2,"\ue000":1}'.encode()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1.0, b"1"),
        (-0.0, b"0"),
        (0.5, b"0.5"),
        (1e21, b"1e+21"),
        (1e-7, b"1e-7"),
        ([1.0, 2], b"[1,2]"),
        ({"a": 2.5}, b'{"a":2.5}'),
        (True, b"true"),
        (False, b"false"),
        (None, b"null"),
        ("", b'""'),
        ([], b"[]"),
        ({}, b"{}"),
    ],
)
def test_scalars_and_floats(value: Any, expected: bytes) -> None:
    assert canonical(value) == expected
    assert canonical(value) == rfc8785.dumps(value)


@pytest.mark.parametrize(
    "value",
    [
        "\ud800",
        "a\udfffb",
        ["ok", "\udc00"],
        {"k": "\ud83d"},  # ASCII key: fast path
        {"é": "\ud800"},  # non-ASCII key: rfc8785 path
        {"\ud800": 1},  # lone surrogate in a key
        {"k": [{"j": "x\udbff"}]},
    ],
)
def test_lone_surrogates_refused(value: Any) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - the message differs by path
        canonical(value)


@pytest.mark.parametrize(
    "value",
    [
        2**53,
        -(2**53),
        [MAX_SAFE + 1],
        {"a": 2**64},
        {"é": 2**60},
        math.nan,
        math.inf,
        -math.inf,
        {"a": math.nan},
        {1: "x"},
        {"a": {2: "x"}},
        {1, 2},
        object(),
        b"bytes",
    ],
)
def test_outside_json_refused(value: Any) -> None:
    with pytest.raises(ValueError):  # noqa: PT011
        canonical(value)


def test_bool_is_not_an_int() -> None:
    assert canonical([True, 1, False, 0]) == b"[true,1,false,0]"
