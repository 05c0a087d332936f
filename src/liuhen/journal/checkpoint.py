"""Signed checkpoints in the C2SP tlog-checkpoint / signed-note text format.

A checkpoint commits to a tree size and root under the instance's Ed25519 key, so anyone holding
the public key can later show that an entry was in the journal, unchanged, at that size —
offline, without trusting the database that produced it.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from liuhen.journal.merkle import VerificationError

_ED25519 = b"\x01"  # signed-note signature type for Ed25519
_DASH = "\u2014"  # signature lines start with an em dash
_SIZE = re.compile(r"0|[1-9][0-9]{0,19}")  # ASCII digits only: str.isdigit() admits '²'
_NAME = re.compile(r"[^\s+]+")


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def body(self) -> str:
        lines = [self.origin, str(self.size), base64.b64encode(self.root).decode()]
        lines.extend(self.extensions)
        return "\n".join(lines) + "\n"


def public_key_bytes(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def key_id(name: str, public: Ed25519PublicKey) -> bytes:
    """The 4-byte key hash of signed-note: SHA-256(name ‖ '\\n' ‖ type ‖ key)[:4]."""
    data = name.encode() + b"\n" + _ED25519 + public_key_bytes(public)
    return hashlib.sha256(data).digest()[:4]


def verifier_key(name: str, public: Ed25519PublicKey) -> str:
    """The signed-note verifier key string ``name+hash+base64(type‖key)`` to publish."""
    kid = key_id(name, public).hex()
    return f"{name}+{kid}+" + base64.b64encode(_ED25519 + public_key_bytes(public)).decode()


def sign(checkpoint: Checkpoint, name: str, key: Ed25519PrivateKey) -> str:
    if not _NAME.fullmatch(name) or not _NAME.fullmatch(checkpoint.origin):
        raise ValueError("key names and origins may not contain spaces or '+'")
    body = checkpoint.body()
    sig = key.sign(body.encode())
    stamp = base64.b64encode(key_id(name, key.public_key()) + sig).decode()
    return f"{body}\n{_DASH} {name} {stamp}\n"


def parse(note: str) -> tuple[Checkpoint, list[tuple[str, bytes]]]:
    """The checkpoint and its signature lines (name, key-id+signature); refuses malformed text."""
    if not note.endswith("\n") or "\n\n" not in note:
        raise VerificationError("malformed checkpoint: no blank line before signatures")
    body, _, sigs = note.partition("\n\n")
    lines = body.split("\n")
    if len(lines) < 3:
        raise VerificationError("malformed checkpoint: fewer than three lines")
    origin, size_text, root_text = lines[0], lines[1], lines[2]
    if not _SIZE.fullmatch(size_text):
        raise VerificationError("malformed checkpoint: invalid tree size")
    try:
        root = base64.b64decode(root_text, validate=True)
    except ValueError as exc:
        raise VerificationError("malformed checkpoint: root is not base64") from exc
    signatures = []
    for line in sigs.rstrip("\n").split("\n"):
        parts = line.split(" ")
        if len(parts) != 3 or parts[0] != _DASH:
            raise VerificationError("malformed checkpoint: bad signature line")
        try:
            signatures.append((parts[1], base64.b64decode(parts[2], validate=True)))
        except ValueError as exc:
            raise VerificationError("malformed checkpoint: signature is not base64") from exc
    return Checkpoint(origin, int(size_text), root, tuple(lines[3:])), signatures


def verify(note: str, name: str, public: Ed25519PublicKey) -> Checkpoint:
    """The checkpoint if a signature by ``name`` with ``public`` verifies; raises otherwise."""
    checkpoint, signatures = parse(note)
    kid = key_id(name, public)
    body = note.partition("\n\n")[0] + "\n"
    for sig_name, blob in signatures:
        if sig_name == name and blob[:4] == kid:
            try:
                public.verify(blob[4:], body.encode())
            except InvalidSignature:
                raise VerificationError("checkpoint signature does not verify") from None
            return checkpoint
    raise VerificationError(f"checkpoint carries no signature by {name}")
