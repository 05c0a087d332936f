"""The registry names the figures show (units, officers, agencies) and each unit's field
officers: small tables, read whole once per report."""

from __future__ import annotations

import json
from collections import defaultdict

from sqlalchemy import Connection, select

from liuhen.kernel.db import store


def names(
    conn: Connection,
) -> tuple[dict[str, tuple[str, str]], dict[str, tuple[str, str]], dict[str, str]]:
    units = {
        c: (n, a)
        for c, n, a in conn.execute(
            select(store.UNIT.c.code, store.UNIT.c.name, store.UNIT.c.agency)
        )
    }
    officers = {
        c: (n, u)
        for c, n, u in conn.execute(
            select(store.OFFICER.c.cert_no, store.OFFICER.c.name, store.OFFICER.c.unit)
        )
    }
    agencies = {c: n for c, n in conn.execute(select(store.AGENCY.c.code, store.AGENCY.c.name))}
    return units, officers, agencies


def field_officers(conn: Connection) -> dict[str, list[str]]:
    """Each unit's active officers (执法人员), the denominator of acts per officer."""
    out: dict[str, list[str]] = defaultdict(list)
    for cert, unit, roles, active in conn.execute(
        select(
            store.OFFICER.c.cert_no,
            store.OFFICER.c.unit,
            store.OFFICER.c.roles,
            store.OFFICER.c.active,
        )
    ):
        if active and "officer" in json.loads(roles or "[]"):
            out[unit].append(cert)
    return out


def roomy(conn: Connection) -> None:
    """Give this read's grouped counts the memory to hash (PostgreSQL, this transaction only):
    with the default 4 MB a year's acts per officer and case are sorted on disk instead. And no
    JIT: the counts' many CASE expressions and a year's row estimates make the planner compile
    them, which took longer (about 1.4 s for the officers' figures of 10,000 cases) than the
    rows it then saves. And index lookups priced as on a disk that is not spinning: the
    findings' counts join a few thousand acts with who took part, which the default price
    (4) made a scan of every act's officers (millions of rows) rather than that many lookups."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SET LOCAL work_mem = '64MB'")
        conn.exec_driver_sql("SET LOCAL jit = off")
        conn.exec_driver_sql("SET LOCAL random_page_cost = 1.1")
