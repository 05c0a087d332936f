"""Digest algorithms the deployment may choose: SHA-256 by default, SM3 for national cryptography.

The algorithm is fixed per instance at ``liuhen init``; mixing algorithms in one tree would make
every proof meaningless, so callers receive a ``HashAlg`` rather than a name.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from liuhen.errors import ConfigurationError


@dataclass(frozen=True)
class HashAlg:
    name: str
    new: Callable[..., hashlib._Hash]
    size: int

    def digest(self, data: bytes) -> bytes:
        return self.new(data).digest()


def _sm3(data: bytes = b"") -> hashlib._Hash:
    return hashlib.new("sm3", data)


SHA256 = HashAlg("sha256", hashlib.sha256, 32)
SM3 = HashAlg("sm3", _sm3, 32)

ALGORITHMS = {"sha256": SHA256, "sm3": SM3}


def get_alg(name: str) -> HashAlg:
    try:
        alg = ALGORITHMS[name.lower()]
    except KeyError:
        raise ConfigurationError(f"不支持的摘要算法“{name}”，可选：sha256、sm3") from None
    if alg is SM3 and "sm3" not in hashlib.algorithms_available:
        raise ConfigurationError("本机 OpenSSL 不提供 SM3 算法，无法使用 LIUHEN_HASH=sm3")
    return alg
