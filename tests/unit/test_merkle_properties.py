"""Property tests: the fast Merkle paths agree with the RFC 6962 definitions (SHA-256, SM3)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from liuhen.hashing import SHA256, SM3, HashAlg
from liuhen.journal.merkle import (
    CompactRange,
    NodeId,
    VerificationError,
    consistency_proof,
    frontier_ids,
    inclusion_proof,
    leaf_hash,
    memory_fetch,
    node_hash,
    root_from_inclusion,
    root_of,
    verify_consistency,
    verify_inclusion,
)

ALGS = [pytest.param(SHA256, id="sha256"), pytest.param(SM3, id="sm3")]

PROPS = settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# 1..300 leaves of random bytes, made distinct by an index prefix: with duplicate leaves a proof
# for one index may legitimately verify for another, which would make the "wrong index fails"
# property false for reasons unrelated to the code. The size is drawn first so that large trees
# are as likely as small ones.
leaf_data = (
    st.integers(1, 300)
    .flatmap(lambda n: st.lists(st.binary(max_size=12), min_size=n, max_size=n))
    .map(lambda xs: [i.to_bytes(2, "big") + x for i, x in enumerate(xs)])
)


def _leaves(alg: HashAlg, data: Sequence[bytes]) -> list[bytes]:
    return [leaf_hash(alg, d) for d in data]


def _flip(blob: bytes, bit: int) -> bytes:
    bit %= len(blob) * 8
    out = bytearray(blob)
    out[bit // 8] ^= 1 << (bit % 8)
    return bytes(out)


# --- RFC 6962 2.1.1 / 2.1.2, written out literally as an independent reference ---------------


def _k(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def ref_path(alg: HashAlg, m: int, leaves: Sequence[bytes]) -> list[bytes]:
    n = len(leaves)
    if n == 1:
        return []
    k = _k(n)
    if m < k:
        return [*ref_path(alg, m, leaves[:k]), root_of(alg, leaves[k:])]
    return [*ref_path(alg, m - k, leaves[k:]), root_of(alg, leaves[:k])]


def ref_subproof(alg: HashAlg, m: int, leaves: Sequence[bytes], b: bool) -> list[bytes]:
    n = len(leaves)
    if m == n:
        return [] if b else [root_of(alg, leaves)]
    k = _k(n)
    if m <= k:
        return [*ref_subproof(alg, m, leaves[:k], b), root_of(alg, leaves[k:])]
    return [*ref_subproof(alg, m - k, leaves[k:], False), root_of(alg, leaves[:k])]


def ref_proof(alg: HashAlg, m: int, leaves: Sequence[bytes]) -> list[bytes]:
    return ref_subproof(alg, m, leaves, True)


# --- fixed answers ----------------------------------------------------------------------------


def test_empty_tree_root_is_sha256_of_nothing() -> None:
    empty = hashlib.sha256(b"").digest()
    assert empty.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert root_of(SHA256, []) == empty
    assert CompactRange(SHA256).root() == empty


def test_empty_tree_root_sm3() -> None:
    assert root_of(SM3, []) == hashlib.new("sm3", b"").digest()
    assert CompactRange(SM3).root() == root_of(SM3, [])


def test_hash_prefixes() -> None:
    assert leaf_hash(SHA256, b"abc") == hashlib.sha256(b"\x00abc").digest()
    left, right = b"L" * 32, b"R" * 32
    assert node_hash(SHA256, left, right) == hashlib.sha256(b"\x01" + left + right).digest()
    assert leaf_hash(SM3, b"abc") == hashlib.new("sm3", b"\x00abc").digest()


def test_known_roots() -> None:
    """Roots of the transparency-dev test tree (the leaves behind tests/vectors/merkle)."""
    data = [
        bytes.fromhex(x)
        for x in [
            "",
            "00",
            "10",
            "2021",
            "3031",
            "40414243",
            "5051525354555657",
            "606162636465666768696a6b6c6d6e6f",
        ]
    ]
    want = [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ]
    leaves = _leaves(SHA256, data)
    cr = CompactRange(SHA256)
    for n, hexroot in enumerate(want, start=1):
        cr.append(leaves[n - 1])
        assert root_of(SHA256, leaves[:n]).hex() == hexroot
        assert cr.root().hex() == hexroot


def test_sm3_and_sha256_trees_differ() -> None:
    data = [b"a", b"b", b"c"]
    assert root_of(SM3, _leaves(SM3, data)) != root_of(SHA256, _leaves(SHA256, data))


def test_frontier_ids() -> None:
    assert frontier_ids(0) == []
    assert frontier_ids(1) == [(0, 0)]
    assert frontier_ids(6) == [(2, 0), (1, 2)]
    assert frontier_ids(7) == [(2, 0), (1, 2), (0, 6)]
    assert frontier_ids(8) == [(3, 0)]


def test_proof_arguments_out_of_range() -> None:
    fetch = memory_fetch(SHA256, _leaves(SHA256, [b"a", b"b"]))
    for index, size in [(-1, 2), (2, 2), (0, 0)]:
        with pytest.raises(ValueError, match="outside"):
            inclusion_proof(SHA256, index, size, fetch)
    for old, new in [(0, 2), (3, 2), (-1, 1)]:
        with pytest.raises(ValueError, match="no consistency proof"):
            consistency_proof(SHA256, old, new, fetch)


def test_missing_nodes_are_reported() -> None:
    def empty_fetch(ids: Sequence[NodeId]) -> dict[NodeId, bytes]:
        return {}

    with pytest.raises(LookupError, match="missing"):
        inclusion_proof(SHA256, 0, 5, empty_fetch)
    with pytest.raises(LookupError, match="missing"):
        consistency_proof(SHA256, 3, 5, empty_fetch)


def test_fetch_is_called_once_with_sorted_unique_ids() -> None:
    leaves = _leaves(SHA256, [i.to_bytes(2, "big") for i in range(1000)])
    inner = memory_fetch(SHA256, leaves)
    calls: list[list[NodeId]] = []

    def fetch(ids: Sequence[NodeId]) -> dict[NodeId, bytes]:
        calls.append(list(ids))
        return inner(ids)

    proof = inclusion_proof(SHA256, 617, 1000, fetch)
    assert len(calls) == 1
    assert calls[0] == sorted(set(calls[0]))
    assert len(calls[0]) <= 2 * 10
    verify_inclusion(SHA256, 617, 1000, leaves[617], proof, root_of(SHA256, leaves))


def test_inclusion_refuses_bad_lengths() -> None:
    leaves = _leaves(SHA256, [b"a", b"b", b"c"])
    root = root_of(SHA256, leaves)
    proof = inclusion_proof(SHA256, 1, 3, memory_fetch(SHA256, leaves))
    with pytest.raises(VerificationError, match="leaf hash"):
        verify_inclusion(SHA256, 1, 3, leaves[1][:-1], proof, root)
    with pytest.raises(VerificationError, match="proof node"):
        verify_inclusion(SHA256, 1, 3, leaves[1], [proof[0] + b"\x00", proof[1]], root)
    with pytest.raises(VerificationError, match="longer"):
        verify_inclusion(SHA256, 1, 3, leaves[1], [*proof, proof[0]], root)
    with pytest.raises(VerificationError, match="shorter"):
        verify_inclusion(SHA256, 1, 3, leaves[1], proof[:1], root)


# --- properties -------------------------------------------------------------------------------


@pytest.mark.parametrize("alg", ALGS)
@PROPS
@given(data=leaf_data)
def test_compact_range_root_equals_root_of(alg: HashAlg, data: list[bytes]) -> None:
    leaves = _leaves(alg, data)
    cr = CompactRange(alg)
    for n, leaf in enumerate(leaves, start=1):
        cr.append(leaf)
        assert cr.size == n
        assert len(cr.hashes) == len(frontier_ids(n))
    assert cr.root() == root_of(alg, leaves)
    # The frontier is exactly the perfect subtrees frontier_ids names.
    for (level, index), h in zip(frontier_ids(cr.size), cr.hashes, strict=True):
        width = 1 << level
        assert h == root_of(alg, leaves[index * width : (index + 1) * width])


@pytest.mark.parametrize("alg", ALGS)
@PROPS
@given(data=leaf_data)
def test_compact_range_intermediate_roots_and_copy(alg: HashAlg, data: list[bytes]) -> None:
    leaves = _leaves(alg, data)
    cr = CompactRange(alg)
    for n, leaf in enumerate(leaves, start=1):
        snapshot = cr.copy()
        cr.append(leaf)
        assert snapshot.size == n - 1  # the copy is independent of later appends
        assert snapshot.root() == root_of(alg, leaves[: n - 1])
        assert cr.root() == root_of(alg, leaves[:n])


@pytest.mark.parametrize("alg", ALGS)
@PROPS
@given(data=leaf_data)
def test_append_returns_completed_subtrees(alg: HashAlg, data: list[bytes]) -> None:
    leaves = _leaves(alg, data)
    cr = CompactRange(alg)
    seen: dict[NodeId, bytes] = {}
    for i, leaf in enumerate(leaves):
        created = cr.append(leaf)
        # Leaf i completes exactly the subtrees whose last leaf is i: one per trailing 1-bit.
        trailing = ((i + 1) & -(i + 1)).bit_length() - 1
        assert [node for node, _ in created] == [
            (lvl, ((i + 1) >> lvl) - 1) for lvl in range(1, trailing + 1)
        ]
        for (level, index), h in created:
            assert level >= 1
            width = 1 << level
            assert (index + 1) * width == i + 1
            assert h == root_of(alg, leaves[index * width : (index + 1) * width])
            assert (level, index) not in seen
            seen[(level, index)] = h
    # Every perfect aligned subtree of level >= 1 inside the tree was reported exactly once.
    n = len(leaves)
    expected = {(lvl, j) for lvl in range(1, n.bit_length()) for j in range(n >> lvl)}
    assert set(seen) == expected


@pytest.mark.parametrize("alg", ALGS)
@PROPS
@given(data=leaf_data, pick=st.data())
def test_inclusion_proof_verifies(alg: HashAlg, data: list[bytes], pick: st.DataObject) -> None:
    leaves = _leaves(alg, data)
    size = pick.draw(st.integers(1, len(leaves)), label="size")
    index = pick.draw(st.integers(0, size - 1), label="index")
    tree = leaves[:size]
    root = root_of(alg, tree)
    # A fetch over all leaves: the proof must only ask for subtrees inside [0, size).
    proof = inclusion_proof(alg, index, size, memory_fetch(alg, leaves))
    assert proof == ref_path(alg, index, tree)
    verify_inclusion(alg, index, size, leaves[index], proof, root)
    assert root_from_inclusion(alg, index, size, leaves[index], proof) == root


@pytest.mark.parametrize("alg", ALGS)
@PROPS
@given(data=leaf_data, pick=st.data())
def test_inclusion_proof_tampering_fails(
    alg: HashAlg, data: list[bytes], pick: st.DataObject
) -> None:
    leaves = _leaves(alg, data)
    size = len(leaves)
    index = pick.draw(st.integers(0, size - 1), label="index")
    root = root_of(alg, leaves)
    proof = inclusion_proof(alg, index, size, memory_fetch(alg, leaves))
    leaf = leaves[index]

    if proof:
        which = pick.draw(st.integers(0, len(proof) - 1), label="which")
        bit = pick.draw(st.integers(0, alg.size * 8 - 1), label="bit")
        bad = list(proof)
        bad[which] = _flip(bad[which], bit)
        with pytest.raises(VerificationError):
            verify_inclusion(alg, index, size, leaf, bad, root)
        with pytest.raises(VerificationError):  # dropped node
            verify_inclusion(alg, index, size, leaf, proof[:-1], root)

    with pytest.raises(VerificationError):  # extra node
        verify_inclusion(alg, index, size, leaf, [*proof, root], root)

    bit = pick.draw(st.integers(0, alg.size * 8 - 1), label="leafbit")
    with pytest.raises(VerificationError):
        verify_inclusion(alg, index, size, _flip(leaf, bit), proof, root)
    with pytest.raises(VerificationError):
        verify_inclusion(alg, index, size, leaf, proof, _flip(root, bit))

    if size > 1:
        other = pick.draw(st.integers(0, size - 1).filter(lambda j: j != index), label="other")
        with pytest.raises(VerificationError):  # the proof for the wrong index
            verify_inclusion(alg, other, size, leaf, proof, root)
        with pytest.raises(VerificationError):  # another leaf with this leaf's proof
            verify_inclusion(alg, index, size, leaves[other], proof, root)
        with pytest.raises(VerificationError):  # the root of a different (smaller) tree
            verify_inclusion(alg, index, size, leaf, proof, root_of(alg, leaves[: size - 1]))

    with pytest.raises(VerificationError):  # index outside the tree
        verify_inclusion(alg, size, size, leaf, proof, root)


@pytest.mark.parametrize("alg", ALGS)
@PROPS
@given(data=leaf_data, pick=st.data())
def test_consistency_proof_verifies(alg: HashAlg, data: list[bytes], pick: st.DataObject) -> None:
    leaves = _leaves(alg, data)
    new = pick.draw(st.integers(1, len(leaves)), label="new")
    old = pick.draw(st.integers(1, new), label="old")
    proof = consistency_proof(alg, old, new, memory_fetch(alg, leaves))
    assert proof == ([] if old == new else ref_proof(alg, old, leaves[:new]))
    old_root, new_root = root_of(alg, leaves[:old]), root_of(alg, leaves[:new])
    verify_consistency(alg, old, new, old_root, new_root, proof)


@pytest.mark.parametrize("alg", ALGS)
@PROPS
@given(data=leaf_data, pick=st.data())
def test_consistency_proof_tampering_fails(
    alg: HashAlg, data: list[bytes], pick: st.DataObject
) -> None:
    leaves = _leaves(alg, data)
    assume(len(leaves) >= 2)
    new = pick.draw(st.integers(2, len(leaves)), label="new")
    old = pick.draw(st.integers(1, new - 1), label="old")
    proof = consistency_proof(alg, old, new, memory_fetch(alg, leaves))
    old_root, new_root = root_of(alg, leaves[:old]), root_of(alg, leaves[:new])
    assert proof

    which = pick.draw(st.integers(0, len(proof) - 1), label="which")
    bit = pick.draw(st.integers(0, alg.size * 8 - 1), label="bit")
    bad = list(proof)
    bad[which] = _flip(bad[which], bit)
    with pytest.raises(VerificationError):
        verify_consistency(alg, old, new, old_root, new_root, bad)
    with pytest.raises(VerificationError):
        verify_consistency(alg, old, new, _flip(old_root, bit), new_root, proof)
    with pytest.raises(VerificationError):
        verify_consistency(alg, old, new, old_root, _flip(new_root, bit), proof)
    with pytest.raises(VerificationError):
        verify_consistency(alg, old, new, new_root, old_root, proof)
    with pytest.raises(VerificationError):
        verify_consistency(alg, old, new, old_root, new_root, proof[:-1])
    with pytest.raises(VerificationError):
        verify_consistency(alg, old, new, old_root, new_root, [*proof, new_root])
    with pytest.raises(VerificationError):
        verify_consistency(alg, old, new, old_root, new_root, [])
    with pytest.raises(VerificationError):  # sizes swapped
        verify_consistency(alg, new, old, new_root, old_root, proof)
    if new < len(leaves):  # the proof is for `new`, not for a bigger tree
        bigger = root_of(alg, leaves[: new + 1])
        with pytest.raises(VerificationError):
            verify_consistency(alg, old, new + 1, old_root, bigger, proof)


@pytest.mark.parametrize("alg", ALGS)
def test_consistency_equal_sizes(alg: HashAlg) -> None:
    leaves = _leaves(alg, [b"x", b"y", b"z"])
    root = root_of(alg, leaves)
    assert consistency_proof(alg, 3, 3, memory_fetch(alg, leaves)) == []
    verify_consistency(alg, 3, 3, root, root, [])
    with pytest.raises(VerificationError):
        verify_consistency(alg, 3, 3, root, _flip(root, 0), [])
    with pytest.raises(VerificationError):
        verify_consistency(alg, 3, 3, root, root, [root])
    with pytest.raises(VerificationError):
        verify_consistency(alg, 0, 3, root_of(alg, []), root, [])
