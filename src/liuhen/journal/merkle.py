"""RFC 6962 / RFC 9162 Merkle trees: hashing, proofs from stored subtrees, and their verification.

Proof generation never walks the leaves: it asks a ``NodeSource`` for the hashes of perfect,
aligned subtrees (the only nodes that never change once the tree has grown past them), so a
proof at a million entries costs about 2·log2(n) lookups fetched in one batch.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from liuhen.hashing import HashAlg

LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"

NodeId = tuple[int, int]  # (level, index): the 2**level leaves starting at index * 2**level
NodeFetch = Callable[[Sequence[NodeId]], dict[NodeId, bytes]]


class VerificationError(Exception):
    """A proof that does not verify; the message says what was expected and what was computed."""


def leaf_hash(alg: HashAlg, data: bytes) -> bytes:
    return alg.digest(LEAF_PREFIX + data)


def node_hash(alg: HashAlg, left: bytes, right: bytes) -> bytes:
    return alg.digest(NODE_PREFIX + left + right)


def _split(n: int) -> int:
    """The largest power of two strictly smaller than ``n`` (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def root_of(alg: HashAlg, leaves: Sequence[bytes]) -> bytes:
    """MTH over leaf hashes, straight from the RFC: the reference the fast paths are tested on."""
    if not leaves:
        return alg.digest(b"")
    if len(leaves) == 1:
        return leaves[0]
    k = _split(len(leaves))
    return node_hash(alg, root_of(alg, leaves[:k]), root_of(alg, leaves[k:]))


# --- the right edge of a growing tree -------------------------------------------------------


def frontier_ids(size: int) -> list[NodeId]:
    """The perfect subtrees that make up ``[0, size)``, largest first."""
    ids = []
    start = 0
    for level in range(size.bit_length() - 1, -1, -1):
        if size & (1 << level):
            ids.append((level, start >> level))
            start += 1 << level
    return ids


@dataclass
class CompactRange:
    """The frontier of the tree: enough to append leaves and compute the root without the rest."""

    alg: HashAlg
    size: int = 0
    hashes: list[bytes] = field(default_factory=list)  # one per frontier_ids(size)

    def append(self, leaf: bytes) -> list[tuple[NodeId, bytes]]:
        """Add one leaf; returns the new perfect subtrees (level >= 1) it completed."""
        created: list[tuple[NodeId, bytes]] = []
        index = self.size
        self.hashes.append(leaf)
        level = 0
        while index & 1:
            right = self.hashes.pop()
            left = self.hashes.pop()
            level += 1
            index >>= 1
            parent = node_hash(self.alg, left, right)
            self.hashes.append(parent)
            created.append(((level, index), parent))
        self.size += 1
        return created

    def root(self) -> bytes:
        if not self.hashes:
            return self.alg.digest(b"")
        acc = self.hashes[-1]
        for h in reversed(self.hashes[:-1]):
            acc = node_hash(self.alg, h, acc)
        return acc

    def copy(self) -> CompactRange:
        return CompactRange(self.alg, self.size, list(self.hashes))


# --- proofs from stored subtrees ------------------------------------------------------------


class _Planner:
    """Runs a proof algorithm twice: first to learn which nodes it needs, then with their values."""

    def __init__(self, alg: HashAlg) -> None:
        self.alg = alg
        self.wanted: list[NodeId] = []
        self.values: dict[NodeId, bytes] | None = None

    def node(self, level: int, index: int) -> bytes:
        if self.values is None:
            self.wanted.append((level, index))
            return b""
        return self.values[(level, index)]

    def range_hash(self, start: int, end: int) -> bytes:
        """MTH of leaves [start, end); the left parts of every split are perfect and stored."""
        n = end - start
        if n & (n - 1) == 0 and start % n == 0:
            return self.node(n.bit_length() - 1, start // n)
        k = _split(n)
        left = self.range_hash(start, start + k)
        right = self.range_hash(start + k, end)
        return b"" if self.values is None else node_hash(self.alg, left, right)


def _planned(alg: HashAlg, fetch: NodeFetch, run: Callable[[_Planner], list[bytes]]) -> list[bytes]:
    planner = _Planner(alg)
    run(planner)
    values = fetch(sorted(set(planner.wanted)))
    missing = [i for i in planner.wanted if i not in values]
    if missing:
        raise LookupError(f"merkle nodes missing from storage: {missing[:5]}")
    planner.values = values
    return run(planner)


def inclusion_proof(alg: HashAlg, index: int, size: int, fetch: NodeFetch) -> list[bytes]:
    """PATH(index, D[0:size]) from RFC 6962 2.1.1, bottom-up."""
    if not 0 <= index < size:
        raise ValueError(f"leaf index {index} is outside a tree of size {size}")

    def run(p: _Planner) -> list[bytes]:
        path: list[bytes] = []
        start, end = 0, size
        while end - start > 1:
            k = _split(end - start)
            if index < start + k:
                path.append(p.range_hash(start + k, end))
                end = start + k
            else:
                path.append(p.range_hash(start, start + k))
                start += k
        path.reverse()
        return path

    return _planned(alg, fetch, run)


def consistency_proof(alg: HashAlg, old: int, new: int, fetch: NodeFetch) -> list[bytes]:
    """PROOF(old, D[0:new]) from RFC 6962 2.1.2."""
    if not 0 < old <= new:
        raise ValueError(f"no consistency proof from size {old} to size {new}")

    def run(p: _Planner) -> list[bytes]:
        out: list[bytes] = []

        def sub(m: int, start: int, end: int, complete: bool) -> None:
            n = end - start
            if m == n:
                if not complete:
                    out.append(p.range_hash(start, end))
                return
            k = _split(n)
            if m <= k:
                sub(m, start, start + k, complete)
                out.append(p.range_hash(start + k, end))
            else:
                sub(m - k, start + k, end, False)
                out.append(p.range_hash(start, start + k))

        if old < new:
            sub(old, 0, new, True)
        return out

    return _planned(alg, fetch, run)


# --- verification (RFC 9162 2.1.3.2 and 2.1.4.2) ---------------------------------------------


def root_from_inclusion(
    alg: HashAlg, index: int, size: int, leaf: bytes, proof: Sequence[bytes]
) -> bytes:
    if not 0 <= index < size:
        raise VerificationError(f"leaf index {index} is outside a tree of size {size}")
    if len(leaf) != alg.size:
        raise VerificationError("leaf hash has the wrong length")
    fn, sn = index, size - 1
    r = leaf
    for p in proof:
        if len(p) != alg.size:
            raise VerificationError("proof node has the wrong length")
        if sn == 0:
            raise VerificationError("proof is longer than the tree allows")
        if fn & 1 or fn == sn:
            r = node_hash(alg, p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(alg, r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise VerificationError("proof is shorter than the tree requires")
    return r


def verify_inclusion(
    alg: HashAlg, index: int, size: int, leaf: bytes, proof: Sequence[bytes], root: bytes
) -> None:
    computed = root_from_inclusion(alg, index, size, leaf, proof)
    if computed != root:
        raise VerificationError(
            f"inclusion proof does not match: expected root {root.hex()}, computed {computed.hex()}"
        )


def verify_consistency(
    alg: HashAlg, old: int, new: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> None:
    if old < 1 or old > new:
        raise VerificationError(f"no consistency proof between sizes {old} and {new}")
    if old == new:  # the published vectors accept equal roots here whatever their length
        if proof:
            raise VerificationError("a proof between equal sizes must be empty")
        if old_root != new_root:
            raise VerificationError("equal sizes with different roots")
        return
    _check_lengths(alg, old_root, new_root, proof)
    path = list(proof)
    if old & (old - 1) == 0:  # old is a power of two: its root is the first node
        path.insert(0, old_root)
    fr, sr = _consistency_roots(alg, old, new, path)
    if fr != old_root:
        raise VerificationError(
            f"old root does not match: expected {old_root.hex()}, computed {fr.hex()}"
        )
    if sr != new_root:
        raise VerificationError(
            f"new root does not match: expected {new_root.hex()}, computed {sr.hex()}"
        )


def _check_lengths(alg: HashAlg, old_root: bytes, new_root: bytes, proof: Sequence[bytes]) -> None:
    if len(old_root) != alg.size or len(new_root) != alg.size:
        raise VerificationError("root has the wrong length")
    if not proof:
        raise VerificationError("empty consistency proof")
    if any(len(p) != alg.size for p in proof):
        raise VerificationError("proof node has the wrong length")


def _consistency_roots(alg: HashAlg, old: int, new: int, path: list[bytes]) -> tuple[bytes, bytes]:
    """The old and new roots the path leads to (RFC 9162 2.1.4.2)."""
    fn, sn = old - 1, new - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise VerificationError("proof is longer than the trees allow")
        if fn & 1 or fn == sn:
            fr = node_hash(alg, c, fr)
            sr = node_hash(alg, c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(alg, sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise VerificationError("proof is shorter than the trees require")
    return fr, sr


def memory_fetch(alg: HashAlg, leaves: Sequence[bytes]) -> NodeFetch:
    """A NodeFetch over an in-memory leaf list: for tests and for small offline bundles."""

    def fetch(ids: Iterable[NodeId]) -> dict[NodeId, bytes]:
        out = {}
        for level, index in ids:
            width = 1 << level
            out[(level, index)] = root_of(alg, leaves[index * width : (index + 1) * width])
        return out

    return fetch
