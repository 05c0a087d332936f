"""The standalone verifier's own RFC 6962 code against the published transparency-dev vectors,
and against liuhen's proofs for trees of every small size (including SM3)."""

from __future__ import annotations

import pytest

from liuhen.archive.bagverify import verify_bag as standalone
from liuhen.hashing import SHA256, SM3
from liuhen.journal import merkle
from tests.unit.test_merkle_vectors import CONSISTENCY, INCLUSION, _b64, _load, _params, _proof


@pytest.mark.parametrize("path", _params(INCLUSION))
def test_inclusion_vector(path) -> None:
    v = _load(path)
    args = ("sha256", v["leafIdx"], v["treeSize"], _b64(v["leafHash"]), _proof(v["proof"]),
            _b64(v["root"]))  # fmt: skip
    if v["wantErr"]:
        with pytest.raises(standalone.ProofError):
            standalone.verify_inclusion(*args)
    else:
        standalone.verify_inclusion(*args)


@pytest.mark.parametrize("path", _params(CONSISTENCY))
def test_consistency_vector(path) -> None:
    v = _load(path)
    args = ("sha256", v["size1"], v["size2"], _b64(v["root1"]), _b64(v["root2"]),
            _proof(v["proof"]))  # fmt: skip
    if v["wantErr"]:
        with pytest.raises(standalone.ProofError):
            standalone.verify_consistency(*args)
    else:
        standalone.verify_consistency(*args)


@pytest.mark.parametrize("alg", [SHA256, SM3], ids=["sha256", "sm3"])
def test_agrees_with_liuhen_proofs_on_every_small_tree(alg) -> None:
    leaves = [merkle.leaf_hash(alg, str(i).encode()) for i in range(17)]
    fetch = merkle.memory_fetch(alg, leaves)
    for size in range(1, 18):
        root = merkle.root_of(alg, leaves[:size])
        for index in range(size):
            path = merkle.inclusion_proof(alg, index, size, fetch)
            standalone.verify_inclusion(alg.name, index, size, leaves[index], path, root)
            if path:
                wrong = [bytes([path[0][0] ^ 1]) + path[0][1:], *path[1:]]
                with pytest.raises(standalone.ProofError):
                    standalone.verify_inclusion(alg.name, index, size, leaves[index], wrong, root)
        for old in range(1, size + 1):
            proof = merkle.consistency_proof(alg, old, size, fetch)
            old_root = merkle.root_of(alg, leaves[:old])
            standalone.verify_consistency(alg.name, old, size, old_root, root, proof)
    assert standalone.leaf_hash(alg.name, b"x") == merkle.leaf_hash(alg, b"x")
