"""``liuhen verify``: stream the stored journal through the verifier and collect its report.

Row checks (columns against hashed text, text against leaf hash) need no other row, so on a
large journal they run in worker processes over seq ranges while this process does the
sequential checks (gaps, chains, Merkle roots, projection replay) on lighter columns.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from multiprocessing import get_context

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import Connection, select

from liuhen.archive import retention
from liuhen.documents import service as documents
from liuhen.hashing import get_alg
from liuhen.journal.entry import EntryRow
from liuhen.journal.verify import Damage, Report, StoredCheckpoint, Verifier, check_row
from liuhen.kernel.db import store
from liuhen.kernel.db.engine import make_engine
from liuhen.kernel.db.models import PROJECTION_TABLES
from liuhen.kernel.instance import INSTANCE, App
from liuhen.procedure.catalog import ACT_TYPES
from liuhen.procedure.projection import MemoryStore, needs_body

PARALLEL_FROM = 200_000  # below this, starting worker processes costs more than it saves
RANGE = 100_000
_FULL = (
    "SELECT seq, chain, chain_seq, act, occurred_at, recorded_at, actors, body, prev_hash,"
    " leaf_hash, canonical FROM journal_entry WHERE seq BETWEEN {lo} AND {hi} ORDER BY seq"
)
_BODY_ACTS = sorted(a.code for a in ACT_TYPES if needs_body(a.code))
_LIGHT = (
    "SELECT seq, chain, chain_seq, act, occurred_at, recorded_at, actors, CASE WHEN act IN ("
    + ", ".join(f"'{code}'" for code in _BODY_ACTS)
    + ") THEN body ELSE NULL END, prev_hash, leaf_hash FROM journal_entry ORDER BY seq"
)


def _rows(conn: Connection, sql: str) -> Iterator[EntryRow]:
    raw = conn.connection.dbapi_connection
    assert raw is not None
    cur = raw.cursor()
    cur.execute(sql)
    while batch := cur.fetchmany(5000):
        for r in batch:
            yield EntryRow(
                int(r[0]), r[1], int(r[2]), r[3], r[4], r[5], r[6], r[7] or "null",
                bytes(r[8]) if r[8] is not None else None, bytes(r[9]),
                bytes(r[10]) if len(r) > 10 else b"",
            )  # fmt: skip
    cur.close()


def check_range(url: str, alg_name: str, lo: int, hi: int) -> list[Damage]:
    """Worker: row checks for seq in [lo, hi]."""
    engine = make_engine(url)
    alg = get_alg(alg_name)
    try:
        with engine.connect() as conn:
            sql = _FULL.format(lo=lo, hi=hi)
            return [d for row in _rows(conn, sql) for d in check_row(alg, row)]
    finally:
        engine.dispose()


def verify(
    app: App, progress: Callable[[int], None] | None = None, workers: int | None = None
) -> Report:
    """Everything is read in one snapshot, so appends during verification cannot confuse it."""
    with app.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            return _verify(app, conn, progress, workers)


def _verify(
    app: App, conn: Connection, progress: Callable[[int], None] | None, workers: int | None
) -> Report:
    inst = conn.execute(select(INSTANCE)).mappings().one()
    cps = [
        StoredCheckpoint(int(r["tree_size"]), bytes(r["root"]), r["note"])
        for r in conn.execute(select(store.CHECKPOINT)).mappings()
    ]
    last = int(
        conn.execute(select(store.ENTRY.c.seq).order_by(store.ENTRY.c.seq.desc()).limit(1)).scalar()
        or 0
    )
    stored_key = Ed25519PublicKey.from_public_bytes(bytes(inst["public_key"]))
    verifier = Verifier(app.alg, inst["origin"], stored_key, cps, MemoryStore())
    if stored_key.public_bytes_raw() != app.key.public_key().public_bytes_raw():
        verifier.report.damages.append(Damage("实例登记的公钥与签名密钥文件不符"))
    if workers is None:
        workers = max(1, (os.cpu_count() or 1) - 1) if last >= PARALLEL_FROM else 0

    futures: list[Future[list[Damage]]] = []
    pool = None
    if workers:  # rows up to ``last`` are in every later snapshot too: the journal only grows
        url = app.engine.url.render_as_string(hide_password=False)
        pool = ProcessPoolExecutor(workers, mp_context=get_context("spawn"))
        futures = [
            pool.submit(check_range, url, app.alg.name, lo, min(lo + RANGE - 1, last))
            for lo in range(1, last + 1, RANGE)
        ]
    try:
        sql = _LIGHT if workers else _FULL.format(lo=1, hi=last)
        for n, row in enumerate(_rows(conn, sql), 1):
            if not workers:
                verifier.report.damages.extend(check_row(app.alg, row))
            verifier.feed(row)
            if progress and n % 10_000 == 0:
                progress(n)
        for f in futures:
            verifier.report.damages.extend(f.result())
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    levels = _node_levels(app, conn)
    head = conn.execute(select(store.HEAD.c.size).where(store.HEAD.c.id == 1)).scalar()
    tables = {t: store.read_table(conn, t) for t in PROJECTION_TABLES}
    return verifier.finish(int(head or 0), levels, tables)


def _node_levels(app: App, conn: Connection) -> dict[int, tuple[int, bytes]]:
    """Per level: how many Merkle nodes are stored and a digest of their hashes in order."""
    levels: dict[int, tuple[int, bytes]] = {}
    raw = conn.connection.dbapi_connection
    assert raw is not None
    cur = raw.cursor()
    cur.execute("SELECT level, hash FROM merkle_node ORDER BY level, idx")
    level, digest, count = None, app.alg.new(), 0
    while batch := cur.fetchmany(10000):
        for lvl, h in batch:
            if lvl != level:
                if level is not None:
                    levels[level] = (count, digest.digest())
                level, digest, count = int(lvl), app.alg.new(), 0
            digest.update(bytes(h))
            count += 1
    if level is not None:
        levels[level] = (count, digest.digest())
    cur.close()
    return levels


def check_files(app: App, media: bool = False, issuers: Counter[str] | None = None) -> list[Damage]:
    """Stored files against the journal: every signed document (file digest and its PAdES
    signatures, each at the moment the journal recorded it, ``issuers`` counting them by the
    CA that issued the certificate), every filed dossier, and with ``media`` every evidence
    file re-hashed (slow: gigabytes of video). A file missing without a disposal entry is
    damage."""
    disposed = retention.disposals(app)  # removed by a journaled disposal: absent by design
    found = documents.check_all(app, disposed, issuers)
    damages = [Damage(what, seq, chain) for seq, chain, what in found]
    damages += _dossiers(app, disposed)
    if media:
        table = store.MEDIA
        with app.engine.connect() as conn:
            rows = conn.execute(select(table.c.digest, table.c.stored_seq)).all()
        for digest, seq in rows:
            if digest in disposed:
                continue
            if not app.blobs.exists(digest):
                damages.append(Damage(f"音像文件 {digest[:19]}… 不在存储中", int(seq)))
                continue
            h = app.alg.new()
            for chunk in app.blobs.read(digest):
                h.update(chunk)
            if f"{app.alg.name}:{h.hexdigest()}" != digest:
                damages.append(Damage("音像文件的内容与记录的摘要不符（文件被改动）", int(seq)))
    return damages


def _dossiers(app: App, disposed: dict[str, int]) -> list[Damage]:
    """Each filed dossier PDF (the 归档 entry's attachment) is stored and unchanged."""
    with app.engine.connect() as conn:
        rows = conn.execute(
            select(store.ENTRY.c.seq, store.ENTRY.c.chain, store.ENTRY.c.body).where(
                store.ENTRY.c.act == "archiving.archive"
            )
        ).all()
    damages = []
    for seq, chain, body in rows:
        for item in json.loads(body).get("attachments") or []:
            digest = item["digest"]
            if digest in disposed or not digest.startswith(app.alg.name + ":"):
                continue
            if not app.blobs.exists(digest):
                damages.append(Damage(f"案卷文件 {digest[:19]}… 不在存储中", int(seq), chain))
                continue
            h = app.alg.new()
            for chunk in app.blobs.read(digest):
                h.update(chunk)
            if f"{app.alg.name}:{h.hexdigest()}" != digest:
                damages.append(
                    Damage("案卷文件的内容与记录的摘要不符（文件被改动）", int(seq), chain)
                )
    return damages
