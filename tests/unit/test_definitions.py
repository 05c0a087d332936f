"""The act and document definition files: their integrity, and the loader's refusals by line."""

from __future__ import annotations

from typing import Any

import pytest

from liuhen.documents.types import DOC_TYPES, role_label
from liuhen.procedure import definitions
from liuhen.procedure.catalog import ACT_TYPES, DOCUMENT_TYPES, act_type
from liuhen.procedure.fields import SIGNER_ROLES, FieldKind, FieldSpec


def _all_fields() -> list[tuple[str, FieldSpec]]:
    return [(a.code, f) for a in ACT_TYPES for f in a.fields] + [
        (d.code, f) for d in DOC_TYPES.values() for f in d.fields
    ]


def _field(owner: tuple[FieldSpec, ...], name: str) -> FieldSpec:
    return next(f for f in owner if f.name == name)


def _act_fields(code: str) -> tuple[FieldSpec, ...]:
    act = act_type(code)
    assert act is not None, code
    return act.fields


def test_codes_are_unique() -> None:
    codes = [a.code for a in ACT_TYPES]
    assert len(codes) == len(set(codes))
    assert list(DOC_TYPES) == list(DOCUMENT_TYPES)
    assert {code: d.title for code, d in DOC_TYPES.items()} == DOCUMENT_TYPES
    assert len(set(DOCUMENT_TYPES.values())) == len(DOCUMENT_TYPES)


def test_every_field_kind_is_known_and_choices_only_on_choice_fields() -> None:
    for owner, spec in _all_fields():
        assert isinstance(spec.kind, FieldKind), (owner, spec.name)
        assert (spec.kind is FieldKind.CHOICE) == bool(spec.choices), (owner, spec.name)
        assert "{label}" not in spec.label, (owner, spec.name)


def test_field_names_are_unique_per_entry() -> None:
    for fields in [a.fields for a in ACT_TYPES] + [d.fields for d in DOC_TYPES.values()]:
        names = [f.name for f in fields]
        assert len(names) == len(set(names)), names


def test_every_document_records_known_acts_and_names_known_signers() -> None:
    for doc in DOC_TYPES.values():
        assert doc.acts, doc.code
        for code in doc.acts:
            assert act_type(code) is not None, (doc.code, code)
        assert set(doc.signers) <= set(SIGNER_ROLES), doc.code
        for role in SIGNER_ROLES:
            if role_label(doc.code, role) != SIGNER_ROLES[role]:
                assert role in doc.signers, (doc.code, role)


def test_the_document_list_is_what_a_document_entry_may_name() -> None:
    assert _field(_act_fields("general.document"), "doc_type").choices == tuple(DOCUMENT_TYPES)


def test_a_document_takes_the_recorded_acts_field_as_the_act_defines_it() -> None:
    """A field of the same name and meaning is one definition: the closing form's 结案情形 is
    the closing act's, choices included."""
    closing = _field(_act_fields("archiving.closing"), "outcome")
    assert _field(DOC_TYPES["closing_approval"].fields, "outcome") is closing


def test_a_group_label_names_the_act_using_it() -> None:
    assert _field(_act_fields("investigation.seal"), "decision_no").label == "查封决定书文号"
    assert _field(_act_fields("investigation.seize"), "reason").label == "扣押理由"


# The loader refuses a mistaken file with its line --------------------------------------------

_SCHEMA: definitions.Schema = {
    "label": (definitions.text, definitions.REQUIRED),
    "sample": (definitions.plain, {}),
}

_GOOD = """\
lists:
  colours: [红, 绿]
groups:
  head:
    - {name: cause, label: 案由}
items:
  first:
    label: 一
    fields:
      - head
      - {name: colour, label: 颜色, kind: choice, choices: colours}
"""


def _load(monkeypatch: pytest.MonkeyPatch, text: str) -> definitions.Definitions:
    monkeypatch.setattr(definitions, "read", lambda resource: definitions.parse(resource, text))
    return definitions.load("x.yaml", "items", _SCHEMA)


def test_a_good_file_loads(monkeypatch: pytest.MonkeyPatch) -> None:
    (entry,) = _load(monkeypatch, _GOOD).entries
    assert entry.key == "first"
    assert entry.values == {"label": "一", "sample": {}}
    assert [f.name for f in entry.fields] == ["cause", "colour"]
    assert entry.fields[1].choices == ("红", "绿")


@pytest.mark.parametrize(
    ("old", "new", "line", "message"),
    [
        ("kind: choice, choices: colours}", "kind: colour}", 11, "未知的字段类型"),
        ("      - head\n", "      - heading\n", 10, "字段组名"),
        ("      - head\n", "      - head\n      - head\n", 11, "字段“cause”重复"),
        ("choices: colours", "choices: shades", 11, "未知的列表"),
        ("kind: choice, choices: colours", "choices: colours", 11, "choice 类型"),
        ("    label: 一\n", "    label: 一\n    colour: 红\n", 9, "未知的项"),
        ("    label: 一\n", "", 7, "缺少“label”"),
        (
            "    label: 一\n",
            "    label: 一\n    sample: {decided_on: 2026-03-30}\n",
            9,
            "日期须加引号",
        ),
        (
            "    - {name: cause, label: 案由}",
            "    - {name: cause, label: 案由, size: 3}",
            5,
            "未知的项",
        ),
        ("  head:\n", "  head:\n    - head\n", 5, "引用了自身"),
        ("  first:", "  first:\n    label: 二\n  first:", 9, "重复"),
    ],
)
def test_a_mistake_is_refused_with_its_line(
    monkeypatch: pytest.MonkeyPatch, old: str, new: str, line: int, message: str
) -> None:
    assert old in _GOOD
    with pytest.raises(definitions.DefinitionError) as caught:
        _load(monkeypatch, _GOOD.replace(old, new, 1))
    assert f"第 {line} 行" in str(caught.value)
    assert message in str(caught.value)


def test_a_borrowed_field_comes_from_the_first_entry_that_has_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    place = FieldSpec("place", "地点")
    text = _GOOD.replace("      - head\n", "      - head\n      - place\n")
    monkeypatch.setattr(definitions, "read", lambda resource: definitions.parse(resource, text))
    borrow: Any = lambda _values: {"place": place}  # noqa: E731
    (entry,) = definitions.load("x.yaml", "items", _SCHEMA, borrow=borrow).entries
    assert entry.fields[1] is place
