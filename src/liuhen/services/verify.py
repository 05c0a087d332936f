"""``liuhen verify``: stream the stored journal through the verifier and collect its report."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import select

from liuhen.db import store
from liuhen.db.models import PROJECTION_TABLES
from liuhen.journal.entry import EntryRow
from liuhen.journal.verify import Damage, Report, StoredCheckpoint, Verifier
from liuhen.services.instance import INSTANCE, App

_ROWS = (
    "SELECT seq, chain, chain_seq, act, occurred_at, recorded_at, body, prev_hash, leaf_hash,"
    " canonical FROM journal_entry ORDER BY seq"
)


def verify(app: App, progress: Callable[[int], None] | None = None) -> Report:
    with app.engine.connect() as conn:
        inst = conn.execute(select(INSTANCE)).mappings().one()
        stored_key = Ed25519PublicKey.from_public_bytes(bytes(inst["public_key"]))
        cps = [
            StoredCheckpoint(int(r["tree_size"]), bytes(r["root"]), r["note"])
            for r in conn.execute(select(store.CHECKPOINT)).mappings()
        ]
        verifier = Verifier(app.alg, inst["origin"], stored_key, cps)
        if stored_key.public_bytes_raw() != app.key.public_key().public_bytes_raw():
            verifier.report.damages.append(Damage("实例登记的公钥与签名密钥文件不符"))
        raw = conn.connection.dbapi_connection
        assert raw is not None
        cur = raw.cursor()
        cur.execute(_ROWS)
        n = 0
        while True:
            batch = cur.fetchmany(5000)
            if not batch:
                break
            for seq, chain, chain_seq, act, occ, rec, body, prev, leaf, data in batch:
                try:
                    parsed: dict[str, Any] = json.loads(body)
                except ValueError:
                    parsed = {"_invalid_body": body}
                verifier.feed(
                    EntryRow(
                        int(seq),
                        chain,
                        int(chain_seq),
                        act,
                        occ,
                        rec,
                        parsed,
                        bytes(prev) if prev is not None else None,
                        bytes(leaf),
                        bytes(data),
                    )
                )
            n += len(batch)
            if progress:
                progress(n)
        cur.close()
        levels: dict[int, tuple[int, bytes]] = {}
        current: tuple[int, Any, int] | None = None
        cur = raw.cursor()
        cur.execute("SELECT level, hash FROM merkle_node ORDER BY level, idx")
        while True:
            batch = cur.fetchmany(10000)
            if not batch:
                break
            for level, h in batch:
                if current is None or current[0] != level:
                    if current is not None:
                        levels[current[0]] = (current[2], current[1].digest())
                    current = (int(level), app.alg.new(), 0)
                current[1].update(bytes(h))
                current = (current[0], current[1], current[2] + 1)
        if current is not None:
            levels[current[0]] = (current[2], current[1].digest())
        cur.close()
        head = conn.execute(select(store.HEAD.c.size).where(store.HEAD.c.id == 1)).scalar()
        tables = {t: store.read_table(conn, t) for t in PROJECTION_TABLES}
    return verifier.finish(int(head or 0), levels, tables)
