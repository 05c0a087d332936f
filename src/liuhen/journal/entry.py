"""The shape of one journal entry and the exact bytes that represent it.

An entry is stored twice on purpose: as columns that queries read, and as the canonical bytes
that were hashed. Verification rebuilds the bytes from the columns; any difference means a row
was changed after it was written.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from liuhen.hashing import HashAlg
from liuhen.journal.canonical import canonical
from liuhen.journal.merkle import leaf_hash

FORMAT_VERSION = 1
REGISTRY_CHAIN = "@registry"  # the chain of entries that belong to no case

# Keys of the entry that live in the ``body`` column rather than in their own columns.
BODY_KEYS = (
    "actors",
    "place",
    "fields",
    "attachments",
    "corrects",
    "imported",
    "recorded_by",
)


@dataclass(frozen=True)
class EntryRow:
    """One stored journal row as the database holds it."""

    seq: int
    chain: str
    chain_seq: int
    act: str
    occurred_at: str
    recorded_at: str
    body: dict[str, Any]
    prev_hash: bytes | None
    leaf_hash: bytes
    canonical: bytes

    def document(self) -> dict[str, Any]:
        return entry_document(
            seq=self.seq,
            chain=self.chain,
            chain_seq=self.chain_seq,
            act=self.act,
            occurred_at=self.occurred_at,
            recorded_at=self.recorded_at,
            body=self.body,
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
    body: dict[str, Any],
    prev_hash: bytes | None,
) -> dict[str, Any]:
    """The JSON object whose canonical bytes are hashed."""
    doc: dict[str, Any] = {
        "v": FORMAT_VERSION,
        "seq": seq,
        "chain": chain,
        "chain_seq": chain_seq,
        "prev": prev_hash.hex() if prev_hash is not None else None,
        "act": act,
        "occurred_at": occurred_at,
        "recorded_at": recorded_at,
    }
    for key in BODY_KEYS:
        doc[key] = body.get(key)
    return doc


def seal(alg: HashAlg, doc: dict[str, Any]) -> tuple[bytes, bytes]:
    """Canonical bytes and leaf hash of an entry document."""
    data = canonical(doc)
    return data, leaf_hash(alg, data)
