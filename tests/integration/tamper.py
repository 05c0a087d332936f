"""Raw SQL that bypasses the append-only triggers, as an attacker with database access would."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, text

from liuhen.kernel.db import triggers
from liuhen.kernel.instance import App


@contextmanager
def bypass(app: App) -> Iterator[Connection]:
    with app.engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            for sql in triggers.sqlite_drop():
                conn.execute(text(sql))
        else:
            conn.execute(text("SET LOCAL session_replication_role = replica"))
        yield conn
        if conn.dialect.name == "sqlite":
            for sql in triggers.sqlite_create():
                conn.execute(text(sql))
