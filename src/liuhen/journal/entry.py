"""The shape of one journal entry and the exact bytes that represent it.

An entry is stored twice on purpose: as columns that queries read, and as the canonical bytes
that were hashed. Verification rebuilds the bytes from the columns; any difference means a row
was changed after it was written.

The document is laid out so that rebuilding needs no JSON parsing: the two structured parts,
``actors`` and ``body``, are stored as their own canonical text, and RFC 8785 orders the
top-level keys alphabetically, so the hashed bytes are those texts and a few scalars joined in a
fixed order. A million entries then verify at string-concatenation speed.
"""

from __future__ import annotations

import json
from json.encoder import encode_basestring as _encode_string
from typing import NamedTuple

from liuhen.hashing import HashAlg
from liuhen.journal.canonical import canonical
from liuhen.journal.merkle import leaf_hash
from liuhen.payloads import JsonObject

FORMAT_VERSION = 1
REGISTRY_CHAIN = "@registry"  # agencies, units, officers, devices, packs, calendars
EVIDENCE_CHAIN = "@evidence"  # evidence files as they arrive, before any case binds them


def is_case_chain(chain: str) -> bool:
    """Case numbers never start with ``@``; the instance's own chains always do."""
    return not chain.startswith("@")


# What an act says (the ``body``), as opposed to where it sits in the journal and who did it.
BODY_KEYS = ("place", "fields", "attachments", "corrects", "imported", "recorded_by")
TOP_KEYS = (
    "act", "actors", "body", "chain", "chain_seq", "occurred_at", "prev", "recorded_at", "seq", "v",
)  # fmt: skip


def _text(value: str) -> str:
    """RFC 8785 form of a string: ``json``'s C string encoder without ASCII escaping."""
    return _encode_string(value)


class EntryRow(NamedTuple):
    """One stored journal row as the database holds it; ``actors``/``body`` are JSON text."""

    seq: int
    chain: str
    chain_seq: int
    act: str
    occurred_at: str
    recorded_at: str
    actors: str
    body: str
    prev_hash: bytes | None
    leaf_hash: bytes
    canonical: bytes

    def rebuilt(self) -> bytes:
        """The canonical bytes the columns imply, by concatenation in RFC 8785 key order."""
        prev = '"' + self.prev_hash.hex() + '"' if self.prev_hash is not None else "null"
        return (
            '{"act":' + _text(self.act)
            + ',"actors":' + self.actors
            + ',"body":' + self.body
            + ',"chain":' + _text(self.chain)
            + ',"chain_seq":' + str(self.chain_seq)
            + ',"occurred_at":' + _text(self.occurred_at)
            + ',"prev":' + prev
            + ',"recorded_at":' + _text(self.recorded_at)
            + ',"seq":' + str(self.seq)
            + ',"v":' + str(FORMAT_VERSION)
            + "}"
        ).encode("utf-8", "surrogatepass")  # fmt: skip

    def document(self) -> JsonObject:
        """The entry as the columns state it (parses ``actors`` and ``body``)."""
        return entry_document(
            seq=self.seq,
            chain=self.chain,
            chain_seq=self.chain_seq,
            act=self.act,
            occurred_at=self.occurred_at,
            recorded_at=self.recorded_at,
            actors=json.loads(self.actors),
            body=json.loads(self.body),
            prev_hash=self.prev_hash,
        )


def entry_document(
    *,
    seq: int,
    chain: str,
    chain_seq: int,
    act: str,
    occurred_at: str,
    recorded_at: str,
    actors: list[JsonObject],
    body: JsonObject,
    prev_hash: bytes | None,
) -> JsonObject:
    """The JSON object whose canonical bytes are hashed."""
    return {
        "v": FORMAT_VERSION,
        "seq": seq,
        "chain": chain,
        "chain_seq": chain_seq,
        "prev": prev_hash.hex() if prev_hash is not None else None,
        "act": act,
        "occurred_at": occurred_at,
        "recorded_at": recorded_at,
        "actors": actors,
        "body": {key: body.get(key) for key in BODY_KEYS},
    }


def seal(alg: HashAlg, doc: JsonObject) -> tuple[bytes, bytes]:
    """Canonical bytes and leaf hash of an entry document."""
    data = canonical(doc)
    return data, leaf_hash(alg, data)


def column_texts(doc: JsonObject) -> tuple[str, str]:
    """The ``actors`` and ``body`` column values: their canonical text, so rows rebuild exactly."""
    return canonical(doc["actors"]).decode("utf-8"), canonical(doc["body"]).decode("utf-8")
