"""The journal core: canonical bytes, Merkle proofs, signed checkpoints, verification. No I/O."""
