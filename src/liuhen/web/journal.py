"""The journal's public proofs: anyone may fetch the signed checkpoint and verify an entry's
inclusion or the log's consistency between two sizes, without an account."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from liuhen.kernel import proofs
from liuhen.kernel.instance import App


class Checkpoint(BaseModel):
    """The latest signed checkpoint (a C2SP signed note over the tree head)."""

    tree_size: int
    root: str
    note: str
    signed_at: str


class InclusionProof(BaseModel):
    """RFC 6962/9162 audit path from entry ``seq`` (leaf ``seq - 1``) to the root at
    ``tree_size``."""

    seq: int
    leaf_index: int
    tree_size: int
    hash: str
    leaf_hash: str
    path: list[str]
    root: str


class ConsistencyProof(BaseModel):
    """RFC 6962/9162 proof that the tree at ``new_size`` extends the tree at ``old_size``."""

    old_size: int
    new_size: int
    hash: str
    old_root: str
    new_root: str
    path: list[str]


def router(app: App) -> APIRouter:
    """Public routes: the composer includes them behind the public guard (the web kit sits
    below the accounts feature that defines the guards)."""
    r = APIRouter(tags=["日志"])

    @r.get("/api/v1/journal/checkpoint", summary="当前签名检查点", response_model=Checkpoint)
    def api_checkpoint() -> Checkpoint:
        return Checkpoint.model_validate(proofs.checkpoint(app).line(), from_attributes=True)

    @r.get("/api/v1/journal/proof/{seq}", summary="包含证明", response_model=InclusionProof)
    def api_proof(seq: int, size: Annotated[int | None, Query(ge=1)] = None) -> InclusionProof:
        return InclusionProof.model_validate(proofs.inclusion(app, seq, size), from_attributes=True)

    @r.get("/api/v1/journal/consistency", summary="一致性证明", response_model=ConsistencyProof)
    def api_consistency(
        old: Annotated[int, Query(ge=1)], new: Annotated[int, Query(ge=1)]
    ) -> ConsistencyProof:
        proof = proofs.consistency(app, old, new)
        return ConsistencyProof.model_validate(proof, from_attributes=True)

    return r
