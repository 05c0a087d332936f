"""Recompute everything from stored rows and name each damaged entry.

The verifier is fed rows in sequence order and keeps only what it needs to continue (chain
heads, the Merkle frontier, the projection replay), so a million entries verify in one pass
without loading the journal into memory.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from liuhen.hashing import HashAlg
from liuhen.journal import checkpoint as notes
from liuhen.journal.canonical import canonical
from liuhen.journal.entry import BODY_KEYS, TOP_KEYS, EntryRow
from liuhen.journal.merkle import CompactRange, VerificationError, leaf_hash
from liuhen.payloads import JsonObject

_LABELS = {
    "seq": "序号",
    "chain": "所属案件",
    "chain_seq": "案内序号",
    "prev": "前一条哈希",
    "act": "事项类型",
    "occurred_at": "发生时间",
    "recorded_at": "记录时间",
    "actors": "执法人员",
    **{k: k for k in BODY_KEYS},
}


@dataclass(frozen=True)
class Damage:
    what: str
    seq: int | None = None
    chain: str | None = None

    def render(self) -> str:
        where = []
        if self.seq is not None:
            where.append(f"序号 {self.seq}")
        if self.chain:
            where.append(f"案件 {self.chain}")
        return ("，".join(where) + "：" if where else "") + self.what


@dataclass
class StoredCheckpoint:
    tree_size: int
    root: bytes
    note: str


@dataclass
class Report:
    entries: int = 0
    checkpoints: int = 0
    damages: list[Damage] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.damages


class Replay(Protocol):
    """The projections rebuilt in memory from the entries (``procedure.projection.MemoryStore``).

    Passed in rather than imported so the journal's checks know nothing of the catalog of acts.
    """

    tables: dict[str, dict[str, dict[str, Any]]]

    def apply(self, entry: JsonObject) -> None: ...

    def needs_body(self, act: str) -> bool: ...


class Verifier:
    def __init__(
        self,
        alg: HashAlg,
        origin: str,
        public_key: Ed25519PublicKey,
        checkpoints: Iterable[StoredCheckpoint],
        replay: Replay,
    ) -> None:
        self.alg = alg
        self.report = Report()
        self.tree = CompactRange(alg)
        self.chains: dict[str, tuple[int, bytes]] = {}
        self.replay = replay
        self.next_seq = 1
        self._actors: dict[str, list[JsonObject]] = {}
        self.level_digests: dict[int, Any] = {}
        self.checkpoints: dict[int, StoredCheckpoint] = {}
        for cp in checkpoints:
            self.report.checkpoints += 1
            try:
                parsed = notes.verify(cp.note, origin, public_key)
            except VerificationError as exc:
                self._damage(f"检查点（大小 {cp.tree_size}）签名无效或格式错误：{exc}")
                continue
            if parsed.size != cp.tree_size or parsed.root != cp.root:
                self._damage(f"检查点（大小 {cp.tree_size}）的表中数值与签名文本不符")
                continue
            self.checkpoints[cp.tree_size] = cp

    def _damage(self, what: str, seq: int | None = None, chain: str | None = None) -> None:
        self.report.damages.append(Damage(what, seq, chain))

    def feed(self, row: EntryRow) -> None:
        """Sequence, chain, tree and replay checks; ``check_row`` covers the row on its own."""
        if len(self._actors) > 10_000:
            self._actors.clear()
        self.report.entries += 1
        if row.seq != self.next_seq:
            if row.seq > self.next_seq:
                missing = (
                    str(self.next_seq)
                    if row.seq == self.next_seq + 1
                    else f"{self.next_seq}–{row.seq - 1}"
                )
                self._damage(f"缺少序号 {missing}：条目被删除或序号被改动", row.seq, row.chain)
            self.next_seq = row.seq
        self.next_seq += 1

        leaf = row.leaf_hash  # check_row has compared it with the hash of the canonical text
        last = self.chains.get(row.chain)
        expected_chain_seq = last[0] + 1 if last else 1
        if row.chain_seq != expected_chain_seq:
            self._damage(
                f"案内序号应为 {expected_chain_seq}，实为 {row.chain_seq}：案件链断裂",
                row.seq,
                row.chain,
            )
        expected_prev = last[1] if last else None
        if row.prev_hash != expected_prev:
            self._damage("前一条哈希与本案上一条记录不符：案件链断裂", row.seq, row.chain)
        self.chains[row.chain] = (row.chain_seq, leaf)

        for (level, _idx), node in self.tree.append(leaf):
            digest = self.level_digests.get(level)
            if digest is None:
                digest = self.level_digests[level] = self.alg.new()
            digest.update(node)
        cp = self.checkpoints.get(self.tree.size)
        if cp is not None and self.tree.root() != cp.root:
            self._damage(
                f"重算的默克尔树根与签名检查点（大小 {cp.tree_size}）不符："
                f"检查点 {cp.root.hex()[:16]}…，重算 {self.tree.root().hex()[:16]}…",
            )

        try:
            actors = self._actors.get(row.actors)
            if actors is None:  # most entries of a case repeat their officers: parse once
                actors = self._actors[row.actors] = json.loads(row.actors)
            self.replay.apply(
                {
                    "seq": row.seq,
                    "chain": row.chain,
                    "act": row.act,
                    "occurred_at": row.occurred_at,
                    "recorded_at": row.recorded_at,
                    "actors": actors,
                    "body": json.loads(row.body) if self.replay.needs_body(row.act) else None,
                }
            )
        except (LookupError, KeyError, TypeError, ValueError) as exc:
            self._damage(f"无法回放到投影：{exc}", row.seq, row.chain)

    def finish(
        self,
        head_size: int,
        node_levels: dict[int, tuple[int, bytes]],
        tables: dict[str, dict[str, dict[str, Any]]],
    ) -> Report:
        """Compare what the rows implied with the head, the stored nodes and the projections."""
        size = self.tree.size
        if head_size != self.next_seq - 1:
            self._damage(f"日志头记录的大小为 {head_size}，而条目止于序号 {self.next_seq - 1}")
        beyond = [s for s in self.checkpoints if s > size]
        for s in beyond:
            self._damage(f"签名检查点（大小 {s}）超出现存条目数 {size}：条目被删除")
        expected_levels = {lvl: d.digest() for lvl, d in self.level_digests.items()}
        for level in sorted(set(expected_levels) | set(node_levels)):
            count, digest = node_levels.get(level, (0, b""))
            want = expected_levels.get(level)
            width = size >> level
            if count != width or digest != want:
                self._damage(f"默克尔树第 {level} 层的存储节点与重算结果不符")
        for table, rows in tables.items():
            replayed = self.replay.tables.get(table, {})
            for key in sorted(set(rows) | set(replayed)):
                have, want_row = rows.get(key), replayed.get(key)
                if have is None:
                    self._damage(f"投影表 {table} 缺少 {key}（回放中存在）")
                elif want_row is None:
                    self._damage(f"投影表 {table} 多出 {key}（日志中没有）")
                else:
                    cols = [c for c in sorted(want_row) if have.get(c) != want_row.get(c)]
                    if cols:
                        self._damage(f"投影表 {table} 中 {key} 的 {'、'.join(cols)} 与日志回放不符")
        self.report.damages.sort(key=lambda d: (d.seq is None, d.seq or 0))
        return self.report


def check_row(alg: HashAlg, row: EntryRow) -> list[Damage]:
    """What is wrong with one row by itself: columns against hashed text, text against its hash.

    Independent of every other row, so it can run in parallel with the sequential checks.
    """
    out: list[Damage] = []
    if row.rebuilt() != row.canonical:
        out.extend(_explain(row))
    if leaf_hash(alg, row.canonical) != row.leaf_hash:
        out.append(Damage("叶哈希与规范文本的哈希不符（规范文本被改动）", row.seq, row.chain))
    return out


def _explain(row: EntryRow) -> list[Damage]:
    """Name what differs between the columns and the hashed text."""
    try:
        stored = json.loads(row.canonical)
    except ValueError:
        return [Damage("已哈希的规范文本已损坏，无法解析", row.seq, row.chain)]
    if not isinstance(stored, dict):
        return [Damage("已哈希的规范文本不是对象", row.seq, row.chain)]
    try:
        columns = row.document()
    except ValueError:
        return [Damage("表中的 actors 或 body 不是有效的 JSON", row.seq, row.chain)]
    diff = [k for k in TOP_KEYS if columns.get(k) != stored.get(k)]
    if "body" in diff and isinstance(stored.get("body"), dict):
        inner = [k for k in BODY_KEYS if columns["body"].get(k) != stored["body"].get(k)]
        diff = [d for d in diff if d != "body"] + inner
    if diff:
        names = "、".join(_LABELS.get(k, k) for k in diff)
        return [Damage(f"表中的 {names} 与已哈希的规范文本不符", row.seq, row.chain)]
    if canonical(stored) != row.canonical:
        return [Damage("规范文本不是 RFC 8785 规范形式", row.seq, row.chain)]
    return [Damage("表中 actors 或 body 的文本不是规范形式", row.seq, row.chain)]
