"""Electronic signatures: the instance's own CA, per-person keys, PAdES signing and validation."""
