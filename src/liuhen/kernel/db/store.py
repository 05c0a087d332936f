"""SQL access for the journal: head lock, chain heads, inserts, Merkle nodes, projections.

Everything here runs on a connection that already holds the write transaction; the service
decides transaction boundaries.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Connection, Table, and_, insert, or_, select, tuple_, update

from liuhen.journal.merkle import NodeId
from liuhen.kernel.db.models import Base

T: dict[str, Table] = {name: table for name, table in Base.metadata.tables.items()}
ENTRY = T["journal_entry"]
NODE = T["merkle_node"]
HEAD = T["journal_head"]
CHECKPOINT = T["checkpoint"]
# Every table by name, so code names a table rather than looking it up by a string
INSTANCE = T["instance"]
AGENCY = T["agency"]
UNIT = T["unit"]
OFFICER = T["officer"]
CASE = T["case_record"]
CASE_SUMMARY = T["case_summary"]
AGENCY_SETTINGS = T["agency_settings"]
NUMBER_COUNTER = T["number_counter"]
SETTING = T["setting"]
CALENDAR_YEAR = T["calendar_year"]
DEVICE = T["device"]
MEDIA = T["media"]
UPLOAD = T["upload"]
FORM_DRAFT = T["form_draft"]
SIGNING_KEY = T["signing_key"]
APP_USER = T["app_user"]
AUTH_SESSION = T["auth_session"]
API_TOKEN = T["api_token"]
ACCOUNT_EVENT = T["account_event"]

_JSON_COLUMNS = {
    "parties", "officers", "roles", "holidays", "workdays", "problems", "info",
    "document_patterns", "act_types", "numbers_used",
}  # fmt: skip


def lock_head(conn: Connection) -> int:
    """The journal size, with the head row locked until the transaction ends."""
    stmt = select(HEAD.c.size).where(HEAD.c.id == 1)
    if conn.dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    size = conn.execute(stmt).scalar_one_or_none()
    if size is None:
        conn.execute(insert(HEAD).values(id=1, size=0))
        return 0
    return int(size)


def set_head(conn: Connection, size: int) -> None:
    conn.execute(update(HEAD).where(HEAD.c.id == 1).values(size=size))


def chain_head(conn: Connection, chain: str) -> tuple[int, bytes] | None:
    row = conn.execute(
        select(ENTRY.c.chain_seq, ENTRY.c.leaf_hash)
        .where(ENTRY.c.chain == chain)
        .order_by(ENTRY.c.chain_seq.desc())
        .limit(1)
    ).first()
    return (int(row[0]), bytes(row[1])) if row else None


def fetch_nodes(conn: Connection, ids: Sequence[NodeId]) -> dict[NodeId, bytes]:
    """Stored hashes of perfect subtrees; level 0 comes from the entries themselves."""
    out: dict[NodeId, bytes] = {}
    leaves = [i for lvl, i in ids if lvl == 0]
    inner = [(lvl, i) for lvl, i in ids if lvl > 0]
    for chunk in _chunks(leaves, 500):
        rows = conn.execute(
            select(ENTRY.c.seq, ENTRY.c.leaf_hash).where(ENTRY.c.seq.in_([i + 1 for i in chunk]))
        )
        for seq, h in rows:
            out[(0, int(seq) - 1)] = bytes(h)
    for chunk2 in _chunks(inner, 200):
        cond = (
            tuple_(NODE.c.level, NODE.c.idx).in_(chunk2)
            if conn.dialect.name == "postgresql"
            else or_(*[and_(NODE.c.level == lvl, NODE.c.idx == i) for lvl, i in chunk2])
        )
        for lvl, i, h in conn.execute(select(NODE.c.level, NODE.c.idx, NODE.c.hash).where(cond)):
            out[(int(lvl), int(i))] = bytes(h)
    return out


def _chunks(items: Sequence[Any], n: int) -> Iterator[Sequence[Any]]:
    for i in range(0, len(items), n):
        yield items[i : i + n]


def insert_entries(conn: Connection, rows: list[dict[str, Any]]) -> None:
    if rows:
        conn.execute(insert(ENTRY), rows)


def insert_nodes(conn: Connection, nodes: list[tuple[NodeId, bytes]]) -> None:
    if nodes:
        conn.execute(insert(NODE), [{"level": lvl, "idx": i, "hash": h} for (lvl, i), h in nodes])


def read_table(conn: Connection, table: str) -> dict[str, dict[str, Any]]:
    """A whole projection table, keyed like the memory store, for verification."""
    t = T[table]
    pk = next(iter(t.primary_key.columns)).name
    out = {}
    for row in conn.execute(select(t)).mappings():
        out[str(row[pk])] = {k: json.loads(v) if k in _JSON_COLUMNS else v for k, v in row.items()}
    return out
