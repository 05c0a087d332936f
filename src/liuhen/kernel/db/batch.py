"""One append transaction's view of the database, with writes held until the end.

The group committer appends many entries per transaction; issuing several SQL statements per
entry made statement building, not the disk, the bottleneck. A ``Batch`` reads each row it needs
once, keeps every change in memory (a failing unit is undone from an undo log, with no
savepoint), and writes entries, nodes and projection rows with one executemany per table.

What a batch read or wrote stays valid for the next batch of the same process as long as the
journal size read under the lock is the one this process left behind: then nobody else has
appended, and projections only ever change with appends. The journal keeps it as a cache.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update

from liuhen.journal.merkle import NodeId
from liuhen.kernel.db import store

Row = dict[str, Any]
Key = tuple[str, str]
_JSON = store._JSON_COLUMNS
_MISSING = object()


def _key(pk: Any, key: str) -> Any:
    """Projection keys travel as text; an integer key (a calendar year) is compared as one."""
    return int(key) if pk.type.python_type is int else key


@dataclass
class Known:
    """Database state carried from one batch to the next while the journal size still matches."""

    size: int
    rows: dict[Key, Row | None] = field(default_factory=dict)  # None: known to be absent
    existing: set[Key] = field(default_factory=set)
    chains: dict[str, tuple[int, bytes] | None] = field(default_factory=dict)


@dataclass
class Batch:
    conn: Connection
    known: Known
    dirty: set[Key] = field(default_factory=set)
    entries: list[Row] = field(default_factory=list)
    nodes: list[tuple[NodeId, bytes]] = field(default_factory=list)
    _undo: list[tuple[str, Any, Any]] = field(default_factory=list)

    # --- the ProjectionStore protocol ---------------------------------------------------

    def get(self, table: str, key: str) -> Row | None:
        k = (table, key)
        rows = self.known.rows
        if k not in rows:
            t = store.T[table]
            pk = next(iter(t.primary_key.columns))
            found = self.conn.execute(select(t).where(pk == _key(pk, key))).mappings().first()
            if found is None:
                rows[k] = None
            else:
                rows[k] = {c: json.loads(v) if c in _JSON else v for c, v in found.items()}
                self.known.existing.add(k)
        row = rows[k]
        return dict(row) if row is not None else None

    def put(self, table: str, key: str, row: Row) -> None:
        k = (table, key)
        self.get(table, key)  # learn whether it exists, for the flush
        self._undo.append(("row", k, (self.known.rows[k], k in self.dirty)))
        self.known.rows[k] = dict(row)
        self.dirty.add(k)

    def act_of(self, seq: int) -> tuple[str, str] | None:
        found = self.entry(seq)
        return (found["chain"], found["act"]) if found else None

    # --- journal state ------------------------------------------------------------------

    def entry(self, seq: int) -> Row | None:
        """An entry's chain and act, whether already stored or pending in this batch."""
        for row in reversed(self.entries):
            if row["seq"] == seq:
                return {"chain": row["chain"], "act": row["act"]}
        e = store.ENTRY
        found = self.conn.execute(select(e.c.chain, e.c.act).where(e.c.seq == seq)).first()
        if found is None:
            return None
        return {"chain": found.chain, "act": found.act}

    def chain_head(self, chain: str) -> tuple[int, bytes] | None:
        chains = self.known.chains
        if chain not in chains:
            chains[chain] = store.chain_head(self.conn, chain)
        return chains[chain]

    def set_chain_head(self, chain: str, head: tuple[int, bytes]) -> None:
        self._undo.append(("chain", chain, self.known.chains.get(chain, _MISSING)))
        self.known.chains[chain] = head

    def mark(self) -> tuple[int, int, int]:
        return len(self._undo), len(self.entries), len(self.nodes)

    def undo(self, mark: tuple[int, int, int]) -> None:
        undo_len, entries, nodes = mark
        while len(self._undo) > undo_len:
            kind, key, old = self._undo.pop()
            if kind == "row":
                row, was_dirty = old
                self.known.rows[key] = row
                if not was_dirty:
                    self.dirty.discard(key)
            elif old is _MISSING:
                self.known.chains.pop(key, None)
            else:
                self.known.chains[key] = old
        del self.entries[entries:]
        del self.nodes[nodes:]

    def flush(self) -> None:
        store.insert_entries(self.conn, self.entries)
        store.insert_nodes(self.conn, self.nodes)
        by_table: dict[str, tuple[list[Row], list[Row]]] = {}
        for table, key in sorted(self.dirty):
            row = self.known.rows[(table, key)]
            assert row is not None
            values = {
                c: json.dumps(v, ensure_ascii=False) if c in _JSON else v for c, v in row.items()
            }
            inserts, updates = by_table.setdefault(table, ([], []))
            if (table, key) in self.known.existing:
                updates.append(
                    {**values, "_key": _key(next(iter(store.T[table].primary_key)), key)}
                )
            else:
                inserts.append(values)
        for table, (inserts, updates) in by_table.items():
            t = store.T[table]
            if inserts:
                self.conn.execute(insert(t), inserts)
            if updates:
                pk = next(iter(t.primary_key.columns))
                cols = [c for c in updates[0] if c != "_key"]
                stmt = (
                    update(t).where(pk == bindparam("_key")).values({c: bindparam(c) for c in cols})
                )
                self.conn.execute(stmt, updates)
        self.known.existing.update(self.dirty)
        self.dirty.clear()
        self._undo.clear()
