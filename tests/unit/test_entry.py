"""The column-concatenation rebuild equals RFC 8785 of the entry document, for any content."""

from __future__ import annotations

import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from liuhen.journal.entry import EntryRow, column_texts, entry_document

text = st.text(max_size=30)
scalar = st.one_of(text, st.integers(-(2**53) + 1, 2**53 - 1), st.booleans(), st.none())
json_value = st.recursive(
    scalar,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.from_regex(r"[a-z_]{1,8}", fullmatch=True), inner, max_size=4),
    ),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(
    seq=st.integers(1, 2**40),
    chain=text,
    chain_seq=st.integers(1, 2**31),
    act=text,
    occurred=text,
    recorded=text,
    actors=st.lists(st.dictionaries(st.sampled_from(["cert_no", "name"]), text), max_size=3),
    body=st.dictionaries(
        st.sampled_from(["place", "fields", "attachments", "corrects", "imported", "recorded_by"]),
        json_value,
    ),
    prev=st.one_of(st.none(), st.binary(min_size=32, max_size=32)),
)
def test_rebuilt_bytes_equal_rfc8785_of_the_document(
    seq, chain, chain_seq, act, occurred, recorded, actors, body, prev
):
    doc = entry_document(
        seq=seq,
        chain=chain,
        chain_seq=chain_seq,
        act=act,
        occurred_at=occurred,
        recorded_at=recorded,
        actors=actors,
        body=body,
        prev_hash=prev,
    )
    actors_text, body_text = column_texts(doc)
    row = EntryRow(
        seq, chain, chain_seq, act, occurred, recorded, actors_text, body_text, prev, b"", b""
    )
    assert row.rebuilt() == rfc8785.dumps(doc)
    assert row.document() == doc
