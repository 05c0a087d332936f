"""Rebuild every projection table from the journal: the proof that they are only projections."""

from __future__ import annotations

import json

from sqlalchemy import delete, select

from liuhen.db import store
from liuhen.db.engine import write_transaction
from liuhen.db.models import PROJECTION_TABLES
from liuhen.procedure import projection
from liuhen.services.instance import App


def rebuild(app: App) -> int:
    with write_transaction(app.engine) as conn:
        store.lock_head(conn)
        for table in PROJECTION_TABLES:
            conn.execute(delete(store.T[table]))
        sql_store = store.SqlProjectionStore(conn)
        n = 0
        rows = conn.execute(select(store.ENTRY.c.canonical).order_by(store.ENTRY.c.seq))
        for (data,) in rows.all():
            projection.apply(sql_store, json.loads(bytes(data)))
            n += 1
    return n
