"""Signed-note checkpoints: round trip, exact text format, and refusal of anything tampered."""

from __future__ import annotations

import base64
import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from liuhen.journal.checkpoint import (
    Checkpoint,
    key_id,
    parse,
    public_key_bytes,
    sign,
    verifier_key,
    verify,
)
from liuhen.journal.merkle import VerificationError

ORIGIN = "liuhen.example/市监局"
NAME = "liuhen.example"
ROOT = hashlib.sha256(b"root").digest()
DASH = "\u2014"

# A fixed key, so notes and key ids are reproducible.
KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
OTHER_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33)))


def _note(cp: Checkpoint | None = None, name: str = NAME) -> str:
    return sign(cp or Checkpoint(ORIGIN, 42, ROOT), name, KEY)


def _split(note: str) -> tuple[str, str]:
    body, _, sigs = note.partition("\n\n")
    return body, sigs


def test_round_trip() -> None:
    cp = Checkpoint(ORIGIN, 42, ROOT)
    assert verify(_note(cp), NAME, KEY.public_key()) == cp


def test_round_trip_with_extensions_and_zero_size() -> None:
    cp = Checkpoint(ORIGIN, 0, hashlib.sha256(b"").digest(), ("ext one", "ext-two"))
    note = _note(cp)
    assert verify(note, NAME, KEY.public_key()) == cp
    parsed, sigs = parse(note)
    assert parsed == cp
    assert [n for n, _ in sigs] == [NAME]


def test_body_format() -> None:
    cp = Checkpoint(ORIGIN, 1234, ROOT, ("extension line",))
    assert cp.body() == f"{ORIGIN}\n1234\n{base64.b64encode(ROOT).decode()}\nextension line\n"
    assert Checkpoint("o", 7, b"\x00" * 32).body() == "o\n7\n" + "A" * 43 + "=\n"


def test_note_format() -> None:
    cp = Checkpoint(ORIGIN, 42, ROOT)
    note = _note(cp)
    body, sigs = _split(note)
    assert body + "\n" == cp.body()
    assert note.endswith("\n")
    assert sigs.count("\n") == 1
    dash, name, stamp = sigs.rstrip("\n").split(" ")
    assert dash == DASH
    assert name == NAME
    blob = base64.b64decode(stamp, validate=True)
    assert len(blob) == 4 + 64
    assert blob[:4] == key_id(NAME, KEY.public_key())
    KEY.public_key().verify(blob[4:], cp.body().encode())  # signature over the body bytes


def test_signature_is_deterministic() -> None:
    """Ed25519 is deterministic: the same checkpoint under the same key gives the same note."""
    assert _note() == _note()


def test_key_id_matches_signed_note_definition() -> None:
    public = KEY.public_key()
    raw = public_key_bytes(public)
    assert len(raw) == 32
    kid = key_id(NAME, public)
    assert len(kid) == 4
    assert kid == hashlib.sha256(NAME.encode() + b"\n" + b"\x01" + raw).digest()[:4]
    assert key_id("other", public) != kid
    assert key_id(NAME, OTHER_KEY.public_key()) != kid


def test_verifier_key_format() -> None:
    public = KEY.public_key()
    vkey = verifier_key(NAME, public)
    name, kid_hex, b64 = vkey.split("+", 2)  # base64 may itself contain "+"
    assert name == NAME
    assert len(kid_hex) == 8
    assert kid_hex == kid_hex.lower()
    assert bytes.fromhex(kid_hex) == key_id(NAME, public)
    blob = base64.b64decode(b64, validate=True)
    assert blob == b"\x01" + public_key_bytes(public)
    assert len(blob) == 33


# --- tampering --------------------------------------------------------------------------------


def _replace_line(note: str, index: int, new: str) -> str:
    body, sigs = _split(note)
    lines = body.split("\n")
    lines[index] = new
    return "\n".join(lines) + "\n\n" + sigs


@pytest.mark.parametrize(
    ("index", "new"),
    [
        (0, "liuhen.example/另一个局"),
        (1, "43"),
        (1, "0"),
        (2, base64.b64encode(hashlib.sha256(b"other").digest()).decode()),
    ],
    ids=["origin", "size", "size-zero", "root"],
)
def test_tampered_body_refused(index: int, new: str) -> None:
    note = _replace_line(_note(), index, new)
    with pytest.raises(VerificationError, match="does not verify"):
        verify(note, NAME, KEY.public_key())


def test_added_extension_refused() -> None:
    body, sigs = _split(_note())
    with pytest.raises(VerificationError):
        verify(body + "\nsneaked in\n\n" + sigs, NAME, KEY.public_key())


@pytest.mark.parametrize("position", [4, 5, 20, 67])
def test_flipped_signature_byte_refused(position: int) -> None:
    body, sigs = _split(_note())
    dash, name, stamp = sigs.rstrip("\n").split(" ")
    blob = bytearray(base64.b64decode(stamp))
    blob[position] ^= 0x01
    note = f"{body}\n\n{dash} {name} {base64.b64encode(bytes(blob)).decode()}\n"
    with pytest.raises(VerificationError):
        verify(note, NAME, KEY.public_key())


def test_flipped_key_id_refused() -> None:
    body, sigs = _split(_note())
    dash, name, stamp = sigs.rstrip("\n").split(" ")
    blob = bytearray(base64.b64decode(stamp))
    blob[0] ^= 0x80
    note = f"{body}\n\n{dash} {name} {base64.b64encode(bytes(blob)).decode()}\n"
    with pytest.raises(VerificationError, match="no signature"):
        verify(note, NAME, KEY.public_key())


def test_other_key_refused() -> None:
    with pytest.raises(VerificationError):
        verify(_note(), NAME, OTHER_KEY.public_key())


def test_other_name_refused() -> None:
    with pytest.raises(VerificationError, match="no signature"):
        verify(_note(), "someone.else", KEY.public_key())


def test_signature_under_other_name_refused() -> None:
    note = _note(name="someone.else")
    with pytest.raises(VerificationError):
        verify(note, NAME, KEY.public_key())


def test_right_name_wrong_key_same_id_cannot_be_forged() -> None:
    """A signature by another key relabelled with our key id still fails the signature check."""
    cp = Checkpoint(ORIGIN, 42, ROOT)
    forged_sig = OTHER_KEY.sign(cp.body().encode())
    stamp = base64.b64encode(key_id(NAME, KEY.public_key()) + forged_sig).decode()
    note = f"{cp.body()}\n{DASH} {NAME} {stamp}\n"
    with pytest.raises(VerificationError, match="does not verify"):
        verify(note, NAME, KEY.public_key())


def test_extra_signatures_are_skipped() -> None:
    cp = Checkpoint(ORIGIN, 42, ROOT)
    other = sign(cp, "witness", OTHER_KEY)
    ours = _note(cp)
    combined = ours + _split(other)[1]  # two signature lines, ours first
    assert verify(combined, NAME, KEY.public_key()) == cp
    assert verify(combined, "witness", OTHER_KEY.public_key()) == cp
    reversed_order = other + _split(ours)[1]
    assert verify(reversed_order, NAME, KEY.public_key()) == cp


# --- malformed notes --------------------------------------------------------------------------


def _good_sig_line() -> str:
    return _split(_note())[1]


@pytest.mark.parametrize(
    "note",
    [
        pytest.param("", id="empty"),
        pytest.param(f"{ORIGIN}\n42\nAAAA\n", id="no-blank-line"),
        pytest.param(_note().rstrip("\n"), id="no-final-newline"),
        pytest.param(f"{ORIGIN}\n42\n\n" + _good_sig_line(), id="two-lines"),
        pytest.param(_replace_line(_note(), 1, "01"), id="size-leading-zero"),
        pytest.param(_replace_line(_note(), 1, "-1"), id="size-negative"),
        pytest.param(_replace_line(_note(), 1, "+1"), id="size-plus"),
        pytest.param(_replace_line(_note(), 1, ""), id="size-empty"),
        pytest.param(_replace_line(_note(), 1, " 42"), id="size-space"),
        pytest.param(_replace_line(_note(), 1, "4e2"), id="size-exponent"),
        pytest.param(_replace_line(_note(), 2, "not base64!"), id="root-not-base64"),
        pytest.param(_replace_line(_note(), 2, "AAA"), id="root-bad-padding"),
        pytest.param(_replace_line(_note(), 2, "根哈希"), id="root-non-ascii"),
        pytest.param(_split(_note())[0] + "\n\n", id="no-signature-lines"),
        pytest.param(_split(_note())[0] + "\n\n" + "- " + NAME + " AAAA\n", id="ascii-dash"),
        pytest.param(_split(_note())[0] + "\n\n" + f"{DASH} {NAME}\n", id="sig-two-fields"),
        pytest.param(
            _split(_note())[0] + "\n\n" + f"{DASH} {NAME} AAAA extra\n", id="sig-four-fields"
        ),
        pytest.param(_split(_note())[0] + "\n\n" + f"{DASH} {NAME} ***\n", id="sig-not-base64"),
        pytest.param(_note() + "garbage\n", id="trailing-garbage-line"),
    ],
)
def test_malformed_refused(note: str) -> None:
    with pytest.raises(VerificationError):
        verify(note, NAME, KEY.public_key())


def test_truncated_signature_refused() -> None:
    body, sigs = _split(_note())
    dash, name, stamp = sigs.rstrip("\n").split(" ")
    short = base64.b64encode(base64.b64decode(stamp)[:10]).decode()
    with pytest.raises(VerificationError):
        verify(f"{body}\n\n{dash} {name} {short}\n", NAME, KEY.public_key())


def test_non_ascii_digit_size_refused_superscript() -> None:
    with pytest.raises(VerificationError):
        parse(_replace_line(_note(), 1, "\u00b2"))


def test_non_ascii_digit_size_refused_arabic_indic() -> None:
    with pytest.raises(VerificationError):
        parse(_replace_line(_note(), 1, "\u0661\u0662"))
