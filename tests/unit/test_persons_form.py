"""The act form's party editor: parts in, the catalog's person values out, and back."""

from __future__ import annotations

from liuhen.procedure.fields import FieldKind, FieldSpec, validate_fields
from liuhen.web import persons_form

PARTIES = FieldSpec("parties", "当事人", FieldKind.PERSONS)
PARTY = FieldSpec("party", "当事人", FieldKind.PERSON)


def test_rows_are_read_in_order_blank_rows_left_out_and_kinds_kept_as_the_role() -> None:
    form = {
        "f_parties.0.kind": "org", "f_parties.0.name": "某区星河文化传播有限公司",
        "f_parties.0.id_no": "91110105MA7K3Q2D5X", "f_parties.0.legal_rep": "邱振宇",
        "f_parties.2.kind": "citizen", "f_parties.2.name": "",
        "f_parties.5.kind": "sole", "f_parties.5.name": "田志强",
        "f_parties.5.unit": "某区博文书店",
        "f_parties.x.name": "ignored", "f_parties.99.name": "beyond the rows read",
    }  # fmt: skip
    people, problems = persons_form.read_many(PARTIES, form)
    assert problems == []
    assert people == [
        {"name": "某区星河文化传播有限公司", "id_no": "91110105MA7K3Q2D5X", "legal_rep": "邱振宇",
         "role": "法人或者其他组织"},
        {"name": "田志强", "unit": "某区博文书店", "role": "个体工商户"},
    ]  # fmt: skip
    values, invalid = validate_fields((PARTIES,), {"parties": people})
    assert invalid == [] and values["parties"] == people  # the catalog takes them as they are


def test_a_recorded_party_comes_back_into_the_same_inputs() -> None:
    demo = {"name": "邱振宇", "gender": "男", "age": 36, "id_no": "110105********2719",
            "role": "法定代表人", "unit": "某区星河文化传播有限公司",
            "title": "执行董事"}  # fmt: skip
    org = {"name": "某区途远旅行社有限公司", "id_no": "91110105MA5R8H1E7J", "role": "当事人"}
    form = persons_form.as_form(PARTIES, [org, demo])
    assert form["f_parties.0.kind"] == "org" and form["f_parties.1.kind"] == "citizen"
    people, _ = persons_form.read_many(PARTIES, form)
    assert people == [org, demo]
    single = persons_form.as_form(PARTY, demo)
    assert single["f_party.name"] == "邱振宇" and "f_party.0.name" not in single
    assert persons_form.read_one(single, "f_party")[0] == demo


def test_problem_paths_point_at_the_rows_the_page_draws() -> None:
    form = {"f_parties.0.name": "", "f_parties.3.name": "甲", "f_parties.4.phone": "1"}
    aliases = persons_form.aliases((PARTIES,), form)
    assert aliases["fields.parties[0]"] == "f_parties.3.name"
    assert aliases["fields.parties[1].phone"] == "f_parties.4.phone"
    assert aliases["fields.parties"] == "f_parties.3.name"
    ids = persons_form.input_ids((PARTIES, PARTY), form)
    assert "f_parties.4.legal_rep" in ids and "f_party" in ids and "f_party.id_no" in ids
    # posted the older way, a name a line: drawn back as typed
    assert not persons_form.is_editor(PARTIES, {"f_parties": "甲\n乙"})
    assert persons_form.input_ids((PARTIES,), {"f_parties": "甲\n乙"}) == ["f_parties"]
