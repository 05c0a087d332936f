"""Checkpoints, inclusion and consistency proofs, and the journal export other tools read."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import Connection, insert, select

from liuhen.errors import CheckpointRollback, NotFoundError, ValidationError
from liuhen.journal import checkpoint as notes
from liuhen.journal import merkle
from liuhen.journal.merkle import CompactRange, VerificationError, frontier_ids
from liuhen.kernel.db import store
from liuhen.kernel.db.engine import write_transaction
from liuhen.kernel.instance import App


@dataclass(frozen=True, slots=True)
class CheckpointLine:
    """A checkpoint as published: the export's last line (``checkpoint`` marks it) and the API."""

    checkpoint: bool
    tree_size: int
    root: str  # hex
    note: str
    signed_at: str


@dataclass(frozen=True)
class SignedCheckpoint:
    tree_size: int
    root: bytes
    note: str
    signed_at: str

    def line(self) -> CheckpointLine:
        return CheckpointLine(True, self.tree_size, self.root.hex(), self.note, self.signed_at)


@dataclass(frozen=True, slots=True)
class InclusionProof:
    """RFC 6962/9162 audit path from entry ``seq`` (leaf ``seq - 1``) to the root at
    ``tree_size``; hashes in hex."""

    seq: int
    leaf_index: int
    tree_size: int
    hash: str
    leaf_hash: str
    path: list[str]
    root: str


@dataclass(frozen=True, slots=True)
class ConsistencyProof:
    """RFC 6962/9162 proof that the tree at ``new_size`` extends the tree at ``old_size``."""

    old_size: int
    new_size: int
    hash: str
    old_root: str
    new_root: str
    path: list[str]


@dataclass(frozen=True, slots=True)
class ExportedEntry:
    """An export line: an entry's sequence number, leaf hash (hex) and canonical bytes
    (base64)."""

    seq: int
    leaf_hash: str
    canonical: str


def _root(app: App, conn: Connection, size: int) -> bytes:
    ids = frontier_ids(size)
    nodes = store.fetch_nodes(conn, ids)
    return CompactRange(app.alg, size, [nodes[i] for i in ids]).root()


def extensions(app: App) -> tuple[str, ...]:
    return (f"hash {app.alg.name}",)


def checkpoint(app: App) -> SignedCheckpoint:
    """Sign the current tree head, or return the latest checkpoint if the tree has not grown.

    A signed head is a promise that every later one extends it; the new tree is proven to do so
    (a consistency proof from the largest signed head) before anything is signed, so a journal
    whose tail was cut or rewritten under the database is refused instead of being vouched for.
    """
    with write_transaction(app.engine) as conn:
        size = store.lock_head(conn)
        latest = _latest(conn)
        root = _root(app, conn, size)
        if latest is not None:
            _must_extend(app, conn, latest, size, root)
            if latest.tree_size == size:
                return latest
        note = notes.sign(
            notes.Checkpoint(app.origin, size, root, extensions(app)), app.origin, app.key
        )
        signed_at = app.clock.now().isoformat()
        conn.execute(
            insert(store.CHECKPOINT).values(
                tree_size=size, root=root, note=note, signed_at=signed_at
            )
        )
    return SignedCheckpoint(size, root, note, signed_at)


def _must_extend(
    app: App, conn: Connection, signed: SignedCheckpoint, size: int, root: bytes
) -> None:
    """Refuse unless the tree of ``size`` and ``root`` extends the signed one."""
    advice = "拒绝签署新检查点。请运行 liuhen verify 查明原因，并以备份或已发出的导出包核对"
    if size < signed.tree_size:
        raise CheckpointRollback(
            f"日志现有 {size} 条记录，少于已签名检查点的 {signed.tree_size} 条："
            f"日志末尾的记录可能被删除。{advice}"
        )
    if signed.tree_size == 0:  # every tree extends the empty one
        return
    try:
        proof = merkle.consistency_proof(
            app.alg, signed.tree_size, size, lambda ids: store.fetch_nodes(conn, ids)
        )
        merkle.verify_consistency(app.alg, signed.tree_size, size, signed.root, root, proof)
    except (VerificationError, LookupError) as exc:
        raise CheckpointRollback(
            f"当前日志（{size} 条）与已签名的检查点（大小 {signed.tree_size}）不一致："
            f"已签名的记录被删除或改写（{exc}）。{advice}"
        ) from None


def _latest(conn: Connection) -> SignedCheckpoint | None:
    row = (
        conn.execute(
            select(store.CHECKPOINT).order_by(store.CHECKPOINT.c.tree_size.desc()).limit(1)
        )
        .mappings()
        .first()
    )
    if row is None:
        return None
    return SignedCheckpoint(row["tree_size"], bytes(row["root"]), row["note"], row["signed_at"])


def latest_checkpoint(app: App) -> SignedCheckpoint | None:
    with app.engine.connect() as conn:
        return _latest(conn)


def _size(conn: Connection) -> int:
    size = conn.execute(select(store.HEAD.c.size).where(store.HEAD.c.id == 1)).scalar()
    return int(size or 0)


def inclusion(app: App, seq: int, size: int | None = None) -> InclusionProof:
    with app.engine.connect() as conn:
        current = _size(conn)
        size = current if size is None else size
        if not 1 <= size <= current:
            raise ValidationError(f"树大小 {size} 无效：当前日志共 {current} 条")
        if not 1 <= seq <= size:
            raise NotFoundError(f"序号 {seq} 不在大小为 {size} 的树中")
        path = merkle.inclusion_proof(
            app.alg, seq - 1, size, lambda ids: store.fetch_nodes(conn, ids)
        )
        leaf = store.fetch_nodes(conn, [(0, seq - 1)])[(0, seq - 1)]
        root = _root(app, conn, size)
    return InclusionProof(
        seq=seq,
        leaf_index=seq - 1,
        tree_size=size,
        hash=app.alg.name,
        leaf_hash=leaf.hex(),
        path=[p.hex() for p in path],
        root=root.hex(),
    )


def consistency(app: App, old: int, new: int) -> ConsistencyProof:
    with app.engine.connect() as conn:
        current = _size(conn)
        if not 1 <= old <= new <= current:
            raise ValidationError(
                f"需满足 1 ≤ 旧大小 ≤ 新大小 ≤ 当前大小 {current}，收到 {old} 与 {new}"
            )
        proof = merkle.consistency_proof(
            app.alg, old, new, lambda ids: store.fetch_nodes(conn, ids)
        )
        old_root, new_root = _root(app, conn, old), _root(app, conn, new)
    return ConsistencyProof(
        old_size=old,
        new_size=new,
        hash=app.alg.name,
        old_root=old_root.hex(),
        new_root=new_root.hex(),
        path=[p.hex() for p in proof],
    )


def export_lines(app: App) -> Iterator[ExportedEntry | CheckpointLine]:
    """One line per entry in order, then the latest checkpoint (signed now if needed)."""
    cp = checkpoint(app)
    with app.engine.connect() as conn:
        rows = conn.execute(
            select(store.ENTRY.c.seq, store.ENTRY.c.leaf_hash, store.ENTRY.c.canonical)
            .where(store.ENTRY.c.seq <= cp.tree_size)
            .order_by(store.ENTRY.c.seq)
            .execution_options(yield_per=2000)
        )
        for seq, leaf, data in rows:
            yield ExportedEntry(int(seq), bytes(leaf).hex(), base64.b64encode(bytes(data)).decode())
    yield cp.line()
