#!/usr/bin/env python3
"""留痕导出包独立校验程序：python3 verify_bag.py 导出包目录

A court or archive checks an exported case with this one file, Python 3.9+ and the
``cryptography`` package: no liuhen, no database, no network. It is deliberately a second,
independent implementation of what ``liuhen verify-bag`` checks, so that a bug in one does not
hide a forgery from both.

Trust comes from the signed checkpoint, not from the bag: manifests only show the bag is as it
was written; the journal entries, proven into a tree head signed by the agency's key, say which
files must be there and what their digests are.

Exit code 0 only when every check passes; 1 with one line per problem otherwise; 2 for usage.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

# Stable problem codes, the same meanings as ``liuhen verify-bag`` (docs/errors.md).
STRUCTURE = "LH410"  # a required bag file is missing or malformed
MANIFEST = "LH411"  # a payload file differs from, or is missing from, a payload manifest
TAGMANIFEST = "LH412"  # a tag file differs from its tag manifest
OXUM = "LH413"  # Payload-Oxum does not match the payload
ENTRY = "LH414"  # an entry's canonical bytes do not give its leaf hash, or are malformed
CHAIN = "LH415"  # the case chain is broken (prev link, order, gap)
INCLUSION = "LH416"  # an inclusion proof does not lead to the signed root
SIGNATURE = "LH417"  # a checkpoint signature or the public key does not verify
CONSISTENCY = "LH418"  # the consistency proof between the two checkpoints does not verify
FILE_DIGEST = "LH419"  # a file's digest differs from the one its journal entry names
ABSENT = "LH420"  # a file the journal names is absent and neither disposed nor withheld
UNJUSTIFIED = "LH421"  # a withheld entry or file that no mark entry in the bag covers
PINNED_KEY = "LH422"  # the checkpoints are not signed by the key given with --key
STATEMENT = "LH423"  # the signed withholding statement is missing, invalid or does not match

# Confidentiality marks, strictest first; a mark entry with "无" lifts the marks it names.
MARK_KINDS = ("国家秘密", "商业秘密", "个人隐私")
MARK_ACT = "general.confidentiality"

ED25519 = b"\x01"
DASH = "\u2014"
CHUNK = 1 << 20

Hasher = Callable[[], Any]
# A JSON object as parsed from the bag: an entry document, an item of index.json or withheld.json,
# a proof file. liuhen calls it ``liuhen.payloads.JsonObject``; this script imports nothing from
# liuhen, so it names it again. Every value is checked as it is read.
JsonObject = dict[str, Any]


@dataclass(frozen=True)
class Checkpoint:
    """A checkpoint whose signature verified (no ``slots``: the script runs on Python 3.9)."""

    size: int
    root: bytes
    extensions: list[str]


@dataclass(frozen=True)
class Entry:
    """An entry of entries.jsonl: its document (for a withheld entry, only the seq, case, case
    seq, ``withheld`` and the reason) and the leaf hash that places it in the tree."""

    doc: JsonObject
    leaf: bytes


class ProofError(ValueError):
    """A Merkle proof that does not verify."""


class _Sm3:
    """SM3 through ``cryptography``, shaped like a hashlib object (hashlib may lack SM3)."""

    def __init__(self) -> None:
        self._h = hashes.Hash(hashes.SM3())

    def update(self, data: bytes) -> None:
        self._h.update(data)

    def digest(self) -> bytes:
        return self._h.finalize()

    def hexdigest(self) -> str:
        return self.digest().hex()


HASHERS: dict[str, Hasher] = {
    "sha256": hashlib.sha256,
    "sha512": hashlib.sha512,
    "sha1": hashlib.sha1,
    "md5": hashlib.md5,
    "sm3": _Sm3,
}


def digest_of(alg: str, data: bytes) -> bytes:
    h = HASHERS[alg]()
    h.update(data)
    out: bytes = h.digest()
    return out


def file_digest(alg: str, path: Path) -> str:
    h = HASHERS[alg]()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(CHUNK), b""):
            h.update(chunk)
    out: str = h.hexdigest()
    return out


# --- RFC 6962 / 9162 Merkle proofs -----------------------------------------------------------


def leaf_hash(alg: str, data: bytes) -> bytes:
    return digest_of(alg, b"\x00" + data)


def _node(alg: str, left: bytes, right: bytes) -> bytes:
    return digest_of(alg, b"\x01" + left + right)


def _inner_border(index: int, size: int) -> tuple[int, int]:
    """How many proof nodes sit below the split from the right edge, and how many above it."""
    inner = (index ^ (size - 1)).bit_length()
    border = bin(index >> inner).count("1")
    return inner, border


def root_from_inclusion(
    alg: str, index: int, size: int, leaf: bytes, proof: Sequence[bytes], width: int = 32
) -> bytes:
    """RFC 9162 2.1.3.2, in the inner/border form (the other verifier uses the loop form)."""
    if index < 0 or index >= size:
        raise ProofError(f"叶序号 {index} 不在大小为 {size} 的树中")
    if len(leaf) != width or any(len(p) != width for p in proof):
        raise ProofError("哈希长度错误")
    inner, border = _inner_border(index, size)
    if len(proof) != inner + border:
        raise ProofError(f"证明长度应为 {inner + border}，实为 {len(proof)}")
    r = leaf
    for i in range(inner):
        r = _node(alg, proof[i], r) if (index >> i) & 1 else _node(alg, r, proof[i])
    for p in proof[inner:]:
        r = _node(alg, p, r)
    return r


def verify_inclusion(
    alg: str, index: int, size: int, leaf: bytes, proof: Sequence[bytes], root: bytes
) -> None:
    computed = root_from_inclusion(alg, index, size, leaf, proof, len(root) or 32)
    if computed != root:
        raise ProofError(f"算得的树根 {computed.hex()} 与签名树根 {root.hex()} 不符")


def verify_consistency(
    alg: str, old: int, new: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> None:
    """RFC 9162 2.1.4.2, in the inner/border form."""
    if old < 1 or old > new:
        raise ProofError(f"无法在大小 {old} 与 {new} 之间证明一致性")
    if old == new:
        _same_size(old_root, new_root, proof)
        return
    _check_widths(old_root, new_root, proof)
    inner, border = _inner_border(old - 1, new)
    shift = (old & -old).bit_length() - 1  # trailing zeros of old: levels shared with old root
    inner -= shift
    seed, start = (old_root, 0) if old == 1 << shift else (proof[0], 1)
    if len(proof) != start + inner + border:
        raise ProofError(f"证明长度应为 {start + inner + border}，实为 {len(proof)}")
    path = proof[start:]
    mask = (old - 1) >> shift
    hash1 = hash2 = seed
    for i in range(inner):
        if (mask >> i) & 1:
            hash1 = _node(alg, path[i], hash1)
            hash2 = _node(alg, path[i], hash2)
        else:
            hash2 = _node(alg, hash2, path[i])
    for p in path[inner:]:
        hash1 = _node(alg, p, hash1)
        hash2 = _node(alg, p, hash2)
    if hash1 != old_root:
        raise ProofError(f"算得的旧树根 {hash1.hex()} 与 {old_root.hex()} 不符")
    if hash2 != new_root:
        raise ProofError(f"算得的新树根 {hash2.hex()} 与 {new_root.hex()} 不符")


def _same_size(old_root: bytes, new_root: bytes, proof: Sequence[bytes]) -> None:
    if proof:
        raise ProofError("大小相同时证明应为空")
    if old_root != new_root:
        raise ProofError("大小相同而树根不同")


def _check_widths(old_root: bytes, new_root: bytes, proof: Sequence[bytes]) -> None:
    width = len(new_root)
    if len(old_root) != width or width == 0 or any(len(p) != width for p in proof):
        raise ProofError("哈希长度错误")
    if not proof:
        raise ProofError("一致性证明为空")


# --- signed notes (C2SP signed-note, tlog-checkpoint) ------------------------------------------


def parse_verifier_key(text: str) -> tuple[str, Ed25519PublicKey]:
    """``name+hex(key id)+base64(0x01 ‖ key)``; the key id must match the name and key."""
    name, kid_hex, b64 = text.strip().split("+", 2)  # base64 may itself contain "+"
    raw = base64.b64decode(b64, validate=True)
    if raw[:1] != ED25519 or len(raw) != 33:
        raise ValueError("不是 Ed25519 验证密钥")
    kid = hashlib.sha256(name.encode() + b"\n" + raw).digest()[:4]
    if kid.hex() != kid_hex:
        raise ValueError("验证密钥的密钥编号与密钥不符")
    return name, Ed25519PublicKey.from_public_bytes(raw[1:])


def open_checkpoint(note: str, name: str, key: Ed25519PublicKey) -> Checkpoint:
    """The size, root and extension lines of a note carrying a valid signature by ``name``."""
    if not note.endswith("\n") or "\n\n" not in note:
        raise ValueError("检查点格式错误")
    body, _, sigs = note.partition("\n\n")
    lines = body.split("\n")
    if len(lines) < 3 or lines[0] != name or not lines[1].isascii() or not lines[1].isdigit():
        raise ValueError(f"检查点正文格式错误或来源不是 {name}")
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    kid = hashlib.sha256(name.encode() + b"\n" + ED25519 + raw).digest()[:4]
    for line in sigs.rstrip("\n").split("\n"):
        parts = line.split(" ")
        if len(parts) != 3 or parts[0] != DASH or parts[1] != name:
            continue
        blob = base64.b64decode(parts[2], validate=True)
        if blob[:4] != kid:
            continue
        try:
            key.verify(blob[4:], (body + "\n").encode())
        except InvalidSignature:
            raise ValueError("检查点签名无效") from None
        return Checkpoint(int(lines[1]), base64.b64decode(lines[2], validate=True), lines[3:])
    raise ValueError(f"检查点没有 {name} 的签名")


# --- the bag ----------------------------------------------------------------------------------


class Report:
    def __init__(self) -> None:
        self.problems: list[tuple[str, str]] = []
        self.notes: list[str] = []
        self.fingerprint = ""  # SHA-256 (hex) of the raw key the checkpoints were checked with
        self.pinned = False

    def problem(self, code: str, message: str) -> None:
        self.problems.append((code, message))

    @property
    def ok(self) -> bool:
        return not self.problems


def _tags(path: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    key = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line[:1] in (" ", "\t") and key is not None:
            out[key] += " " + line.strip()
        elif ":" in line:
            key, _, value = line.partition(":")
            key = key.strip()
            out[key] = value.strip()
    return out


def _manifest(path: Path) -> list[tuple[str, str]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        value, _, name = line.partition(" ")
        name = name.lstrip(" \t").replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")
        rows.append((value.lower(), name))
    return rows


def _inside(root: Path, name: str) -> Path | None:
    path = (root / name).resolve()
    return path if root.resolve() in path.parents else None


def _payload_files(root: Path) -> list[str]:
    out: list[str] = []
    for folder, _dirs, files in os.walk(root / "data"):
        for f in files:
            out.append((Path(folder) / f).relative_to(root).as_posix())
    return sorted(out)


def check_manifests(root: Path, report: Report) -> dict[str, str]:
    """Every manifest and tag manifest; returns bag-info (empty when unreadable)."""
    bagit_txt = root / "bagit.txt"
    if not bagit_txt.is_file():
        report.problem(STRUCTURE, "缺少 bagit.txt：不是 BagIt 包")
        return {}
    decl = _tags(bagit_txt)
    if decl.get("BagIt-Version") not in ("1.0", "0.97") or (
        decl.get("Tag-File-Character-Encoding", "").upper() != "UTF-8"
    ):
        report.problem(STRUCTURE, "bagit.txt 声明的版本或编码不符")
    info = _tags(root / "bag-info.txt") if (root / "bag-info.txt").is_file() else {}
    if not info:
        report.problem(STRUCTURE, "缺少 bag-info.txt")
    payload = _payload_files(root)
    manifests = sorted(root.glob("manifest-*.txt"))
    algs = [m.name[len("manifest-") : -len(".txt")] for m in manifests]
    if "sha256" not in algs:
        report.problem(MANIFEST, "缺少 SHA-256 载荷清单 manifest-sha256.txt")
    for wanted in info.get("Liuhen-Manifest-Algorithms", "").split():
        if wanted not in algs:
            report.problem(MANIFEST, f"bag-info.txt 声明的 {wanted} 载荷清单不存在")
    for manifest, alg in zip(manifests, algs):  # noqa: B905  (strict= needs Python 3.10)
        if alg not in HASHERS:
            report.problem(MANIFEST, f"不支持的清单算法 {alg}")
            continue
        _check_manifest(root, manifest, alg, payload, report)
    _check_tagmanifests(root, manifests, report)
    oxum = info.get("Payload-Oxum", "")
    octets = sum((root / n).stat().st_size for n in payload)
    if oxum != f"{octets}.{len(payload)}":
        report.problem(OXUM, f"Payload-Oxum 为 {oxum}，实际为 {octets}.{len(payload)}")
    return info


def _check_manifest(
    root: Path, manifest: Path, alg: str, payload: list[str], report: Report
) -> None:
    """One payload manifest: each file it lists is in data/ and matches; each payload file is
    listed."""
    listed = {}
    for value, name in _manifest(manifest):
        listed[name] = value
        path = _inside(root, name)
        if path is None or not name.startswith("data/"):
            report.problem(MANIFEST, f"{manifest.name} 列出了载荷目录以外的文件 {name}")
        elif not path.is_file():
            report.problem(MANIFEST, f"{manifest.name} 列出的文件 {name} 不存在")
        elif file_digest(alg, path) != value:
            report.problem(MANIFEST, f"{name} 的 {alg} 摘要与清单不符：文件被改动")
    for name in payload:
        if name not in listed:
            report.problem(MANIFEST, f"文件 {name} 未列入 {manifest.name}")


def _check_tagmanifests(root: Path, manifests: list[Path], report: Report) -> None:
    tagmanifests = sorted(root.glob("tagmanifest-*.txt"))
    if not any(t.name == "tagmanifest-sha256.txt" for t in tagmanifests):
        report.problem(TAGMANIFEST, "缺少标签清单 tagmanifest-sha256.txt")
    for tagmanifest in tagmanifests:
        alg = tagmanifest.name[len("tagmanifest-") : -len(".txt")]
        if alg not in HASHERS:
            report.problem(TAGMANIFEST, f"不支持的清单算法 {alg}")
            continue
        rows = dict((name, value) for value, name in _manifest(tagmanifest))
        required = ["bagit.txt", "bag-info.txt"] + [m.name for m in manifests]
        for name in required:
            if name not in rows:
                report.problem(TAGMANIFEST, f"{tagmanifest.name} 未列出 {name}")
        for name, value in rows.items():
            path = _inside(root, name)
            if path is None or not path.is_file():
                report.problem(TAGMANIFEST, f"{tagmanifest.name} 列出的 {name} 不存在")
            elif file_digest(alg, path) != value:
                report.problem(TAGMANIFEST, f"标签文件 {name} 的 {alg} 摘要与标签清单不符")


def _json(root: Path, name: str, report: Report) -> object:
    """Parsed JSON of any shape, or None when unreadable: the callers check what they got."""
    try:
        return json.loads((root / name).read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError) as exc:
        report.problem(STRUCTURE, f"无法读取 {name}：{exc}")
        return None


def _named_digests(doc: JsonObject) -> list[str]:
    """The file digests an entry vouches for: its attachments, and a document's or clip's file."""
    body = doc.get("body") or {}
    fields = body.get("fields") or {}
    out = [a.get("digest") for a in body.get("attachments") or [] if isinstance(a, dict)]
    if doc.get("act") in ("general.document", "general.media"):
        out.append(fields.get("digest"))
    return [d for d in out if isinstance(d, str) and d]


def _raw(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def load_key_argument(given: str) -> tuple[str | None, Ed25519PublicKey]:
    """--key: a file (PEM, a verifier key line, or both as in public-key.txt) or the verifier key
    string itself. Returns the key's name when a verifier key gives it."""
    if os.path.isfile(given):
        with open(given, encoding="utf-8") as fh:
            text = fh.read()
    else:
        text = given
    name = None
    key = None
    marker = "-----BEGIN PUBLIC KEY-----"
    head = text.split(marker, 1)[0]  # a verifier key comes first; PEM lines may hold "+" too
    lines = [ln.strip() for ln in head.splitlines() if ln.strip()]
    for ln in lines:
        if not ln.startswith("-----") and ln.count("+") >= 2 and " " not in ln:
            name, key = parse_verifier_key(ln)
            break
    if marker in text:
        pem = serialization.load_pem_public_key(text[text.index(marker) :].encode())
        if not isinstance(pem, Ed25519PublicKey):
            raise ValueError("PEM 公钥不是 Ed25519 公钥")
        if key is not None and _raw(key) != _raw(pem):
            raise ValueError("验证密钥字符串与 PEM 公钥不一致")
        key = pem
    if key is None:
        raise ValueError("既不是 PEM 公钥，也不是验证密钥字符串")
    return name, key


def check_journal(
    root: Path,
    info: dict[str, str],
    report: Report,
    pinned: tuple[str | None, Ed25519PublicKey] | None = None,
) -> None:
    journal = root / "data" / "journal"
    trusted = _journal_key(journal, report, pinned)
    if trusted is None:
        return
    name, key = trusted
    report.fingerprint = hashlib.sha256(_raw(key)).hexdigest()
    report.pinned = pinned is not None
    sig_code = PINNED_KEY if pinned is not None else SIGNATURE
    whose = "--key 指定的公钥" if pinned is not None else "包内公钥"
    cps: dict[str, Checkpoint] = {}
    for label, fname in (("A", "checkpoint.txt"), ("latest", "checkpoint-latest.txt")):
        try:
            note = (journal / fname).read_text(encoding="utf-8")
            cps[label] = open_checkpoint(note, name, key)
        except (OSError, ValueError) as exc:
            report.problem(sig_code, f"检查点 {fname} 未通过{whose}的签名校验：{exc}")
    if "A" not in cps:
        return
    cp_a = cps["A"]
    alg = next((e.split(" ", 1)[1] for e in cp_a.extensions if e.startswith("hash ")), "sha256")
    if alg not in ("sha256", "sm3"):
        report.problem(STRUCTURE, f"检查点声明了不支持的摘要算法 {alg}")
        return
    if "latest" in cps:
        _check_consistency(root, alg, cp_a, cps["latest"], report)
    entries = _entries(root, alg, report)
    _check_inclusion(root, alg, cp_a, entries, report)
    case = info.get("External-Identifier", "")
    _check_chain(entries, case, report)
    docs = [e.doc for e in entries]
    _check_files(root, docs, report)
    withheld_doc = _json(root, "data/withheld.json", report)
    if isinstance(withheld_doc, dict):
        check_withholding(docs, withheld_doc, report)
    check_statement(root, name, key, case, docs, withheld_doc, report)


def _journal_key(
    journal: Path, report: Report, pinned: tuple[str | None, Ed25519PublicKey] | None
) -> tuple[str, Ed25519PublicKey] | None:
    """The name and key the checkpoints are checked with: the bag's own public-key.txt, or the
    --key given (``pinned``), which must then be the bag's. None when there is none to use."""
    name = key = None
    try:
        key_text = (journal / "public-key.txt").read_text(encoding="utf-8")
        name, key = parse_verifier_key(key_text.splitlines()[0])
        pem = serialization.load_pem_public_key(key_text.partition("\n")[2].encode())
        if not isinstance(pem, Ed25519PublicKey) or _raw(pem) != _raw(key):
            raise ValueError("PEM 公钥与验证密钥不一致")
    except (OSError, ValueError, IndexError) as exc:
        report.problem(SIGNATURE, f"公钥 public-key.txt 无效：{exc}")
        if pinned is None:
            return None
    if pinned is not None:
        if key is not None and _raw(key) != _raw(pinned[1]):
            report.problem(PINNED_KEY, "包内的公钥 public-key.txt 不是 --key 指定的公钥")
        if pinned[0] is not None:
            name = pinned[0]
        elif name is None:  # a PEM key carries no name: the checkpoint's origin line is it
            try:
                name = (journal / "checkpoint.txt").read_text(encoding="utf-8").split("\n")[0]
            except OSError:
                name = ""
        key = pinned[1]
    if key is None or name is None:
        return None
    return name, key


def _check_consistency(
    root: Path,
    alg: str,
    old: Checkpoint,
    new: Checkpoint,
    report: Report,
) -> None:
    """consistency.json proves the latest checkpoint extends checkpoint A."""
    size, root_hash, new_size, new_root = old.size, old.root, new.size, new.root
    consistency = _json(root, "data/journal/consistency.json", report)
    try:
        if not isinstance(consistency, dict):
            raise ProofError("缺少一致性证明")
        if consistency.get("old_size") != size or consistency.get("new_size") != new_size:
            raise ProofError("证明的树大小与两个检查点不符")
        path = [bytes.fromhex(p) for p in consistency.get("path", [])]
        verify_consistency(alg, size, new_size, root_hash, new_root, path)
    except (ProofError, ValueError, TypeError) as exc:
        report.problem(
            CONSISTENCY, f"检查点 {size} 到最新检查点 {new_size} 的一致性证明无效：{exc}"
        )


def _check_inclusion(
    root: Path,
    alg: str,
    cp_a: Checkpoint,
    entries: list[Entry],
    report: Report,
) -> None:
    """proofs.json places every entry in the tree checkpoint A signs."""
    size, root_hash = cp_a.size, cp_a.root
    proofs = _json(root, "data/journal/proofs.json", report)
    by_seq: dict[object, JsonObject] = {}
    if isinstance(proofs, dict) and proofs.get("tree_size") == size:
        by_seq = {p.get("seq"): p for p in proofs.get("proofs", []) if isinstance(p, dict)}
    elif proofs is not None:
        report.problem(INCLUSION, "proofs.json 的树大小与检查点 checkpoint.txt 不符")
    for e in entries:
        seq = e.doc["seq"]
        proof = by_seq.get(seq)
        try:
            if proof is None:
                raise ProofError("缺少包含证明")
            if proof.get("leaf_index") != seq - 1:
                raise ProofError(f"叶序号应为 {seq - 1}")
            path = [bytes.fromhex(p) for p in proof.get("path", [])]
            verify_inclusion(alg, seq - 1, size, e.leaf, path, root_hash)
        except (ProofError, ValueError, TypeError, AttributeError) as exc:
            report.problem(INCLUSION, f"序号 {seq} 的记录不能证明包含在签名检查点中：{exc}")


def _entries(root: Path, alg: str, report: Report) -> list[Entry]:
    out: list[Entry] = []
    try:
        lines = (root / "data/journal/entries.jsonl").read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        report.problem(STRUCTURE, f"无法读取 entries.jsonl：{exc}")
        return out
    for n, line in enumerate(lines, 1):
        try:
            row = json.loads(line)
            if "canonical" not in row and row.get("withheld"):
                # Only the leaf hash was released: the proofs still place the entry in the
                # signed tree, and the next entry's prev link still binds it to the chain.
                leaf = bytes.fromhex(row["leaf_hash"])
                if not isinstance(row["seq"], int) or not isinstance(row["chain_seq"], int):
                    raise ValueError("序号应为整数")
                doc = {"seq": row["seq"], "chain": row["chain"], "chain_seq": row["chain_seq"],
                       "withheld": True, "reason": str(row["withheld"])}  # fmt: skip
                report.notes.append(
                    "序号 {} 的记录内容不予提供（{}）：只以叶哈希证明其存在和位置".format(
                        row["seq"], row["withheld"]
                    )
                )
                out.append(Entry(doc, leaf))
                continue
            data = base64.b64decode(row["canonical"], validate=True)
            doc = json.loads(data.decode("utf-8"))
            leaf = leaf_hash(alg, data)
            if leaf.hex() != row["leaf_hash"]:
                report.problem(ENTRY, f"entries.jsonl 第 {n} 行：规范文本的叶哈希与所列不符")
            if doc.get("seq") != row["seq"] or doc.get("chain") != row["chain"]:
                report.problem(ENTRY, f"entries.jsonl 第 {n} 行：序号或案件与规范文本不符")
            if not isinstance(doc.get("seq"), int) or not isinstance(doc.get("chain_seq"), int):
                raise ValueError("规范文本缺少序号")
            out.append(Entry(doc, leaf))
        except (ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
            report.problem(ENTRY, f"entries.jsonl 第 {n} 行无法解析：{exc}")
    return out


def _check_chain(entries: list[Entry], case: str, report: Report) -> None:
    if not entries:
        report.problem(CHAIN, "包中没有本案的记录")
        return
    previous: bytes | None = None
    last_seq = 0
    for i, entry in enumerate(entries, 1):
        doc = entry.doc
        where = "序号 {}".format(doc["seq"])
        if doc.get("chain") != case:
            report.problem(CHAIN, f"{where} 不属于案件 {case}")
        if doc["seq"] <= last_seq:
            report.problem(CHAIN, f"{where} 的顺序错误")
        if doc["chain_seq"] != i:
            report.problem(CHAIN, f"{where} 的案内序号应为 {i}，实为 {doc['chain_seq']}：缺少记录")
        expected = previous.hex() if previous is not None else None
        if not doc.get("withheld") and doc.get("prev") != expected:
            report.problem(CHAIN, f"{where} 的前一条哈希与上一条记录不符：案件链断裂")
        previous, last_seq = entry.leaf, doc["seq"]


def _check_files(root: Path, docs: list[JsonObject], report: Report) -> None:
    index = _json(root, "data/index.json", report)
    withheld_doc = _json(root, "data/withheld.json", report)
    if not isinstance(index, dict) or not isinstance(withheld_doc, dict):
        return
    named, disposed = _named_and_disposed(docs)
    withheld = {w.get("digest"): w.get("reason", "") for w in withheld_doc.get("files", [])}
    present = set()
    listed = set()
    for item in index.get("files", []):
        listed.add(item.get("path", ""))
        digest = _check_index_item(root, item, docs, named, report)
        if digest is not None:
            present.add(digest)
    for digest, seq in sorted(named.items()):
        if digest in present:
            continue
        if digest in disposed:
            report.notes.append(f"序号 {seq} 所载文件 {digest} 已依法销毁（包内有销毁记录）")
        elif digest in withheld:
            report.notes.append(f"序号 {seq} 所载文件 {digest} 未随包提供：{withheld[digest]}")
        else:
            report.problem(
                ABSENT, f"序号 {seq} 所载文件 {digest} 缺失，且无销毁记录或不予提供的说明"
            )
    journal_files = {"data/index.json", "data/withheld.json"}
    for name in _payload_files(root):
        if name.startswith("data/journal/") or name in journal_files or name in listed:
            continue
        report.problem(FILE_DIGEST, f"文件 {name} 未列入 index.json，来历不明")


def _named_and_disposed(docs: list[JsonObject]) -> tuple[dict[str, int], set[str]]:
    """Digest → the first entry carrying it, and the digests a disposal names."""
    named: dict[str, int] = {}
    disposed: set[str] = set()
    for doc in docs:
        for digest in _named_digests(doc):
            named.setdefault(digest, doc["seq"])
        if doc.get("act") == "archiving.disposal":
            disposed.update(((doc.get("body") or {}).get("fields") or {}).get("digests") or [])
    return named, disposed


def _check_index_item(
    root: Path,
    item: JsonObject,
    docs: list[JsonObject],
    named: dict[str, int],
    report: Report,
) -> str | None:
    """One file index.json lists; returns its digest when the file is there (even damaged),
    else None."""
    path_name = item.get("path", "")
    digest: str = item.get("digest", "")  # "alg:hex"
    path = _inside(root, path_name)
    alg, _, value = digest.partition(":")
    if path is None or not path.is_file():
        report.problem(ABSENT, f"index.json 列出的文件 {path_name} 不在包中")
        return None
    if alg not in ("sha256", "sm3") or file_digest(alg, path) != value:
        report.problem(FILE_DIGEST, f"{path_name} 的摘要与记录所载 {digest} 不符：文件被改动")
        return digest  # there but damaged: reported once, not also as missing
    if item.get("generated"):
        report.notes.append(f"{path_name} 为导出时生成，未记入日志，只由本包清单保护")
    elif named.get(digest) is None:
        report.problem(FILE_DIGEST, f"{path_name}（{digest}）不是本案任何记录所载的文件")
    elif item.get("seq") not in [d["seq"] for d in docs if digest in _named_digests(d)]:
        report.problem(FILE_DIGEST, f"index.json 中 {path_name} 所指的记录序号不载有该文件")
    return digest


def _marks_in_force(docs: list[JsonObject]) -> dict[str, str]:
    """Fold the visible mark entries in order: the last mark on a target wins, "无" removes it.
    A target is "*" (the whole case), an entry's seq as text, or a file digest."""
    in_force: dict[str, str] = {}
    for doc in sorted(docs, key=lambda d: d["seq"]):
        if doc.get("withheld") or doc.get("act") != MARK_ACT:
            continue
        fields = (doc.get("body") or {}).get("fields") or {}
        records = [str(r).strip() for r in fields.get("records") or []]
        # a seq written "07" names entry 7, as liuhen's own fold reads it
        records = [str(int(r)) if r.isascii() and r.isdigit() else r for r in records]
        for target in records or ["*"]:
            if fields.get("mark") == "无":
                in_force.pop(target, None)
            else:
                in_force[target] = str(fields.get("mark", ""))
    return in_force


def _mark_claimed(item: JsonObject) -> str | None:
    if isinstance(item.get("mark"), str):
        return str(item["mark"])
    for kind in MARK_KINDS:
        if kind in str(item.get("reason", "")):
            return kind
    return None


def _files_named(doc: JsonObject) -> set[str]:
    """Files a mark on this entry reaches: its attachments and any ``digest`` field."""
    body = doc.get("body") or {}
    out = {a.get("digest") for a in body.get("attachments") or [] if isinstance(a, dict)}
    out.add((body.get("fields") or {}).get("digest"))
    return {d for d in out if isinstance(d, str) and d}


def check_withholding(docs: list[JsonObject], held: JsonObject, report: Report) -> None:
    """A withheld entry or file is accepted only on a ground the bag itself proves: a mark entry
    (never withheld itself) covering it and not lifted since, with the kind withheld.json names;
    or, for a file of imported history kept by its source system, its entry's ``imported``."""
    in_force = _marks_in_force(docs)
    visible = {d["seq"]: d for d in docs if not d.get("withheld")}
    stated = {}
    for item in held.get("entries") or []:
        if isinstance(item, dict):
            stated[item.get("seq")] = item
    ok_entries = _withheld_entries_ok(docs, in_force, stated, report)
    for item in held.get("files") or []:
        if not isinstance(item, dict):
            report.problem(UNJUSTIFIED, "withheld.json 中有格式错误的文件项")
            continue
        _check_withheld_file(item, in_force, visible, ok_entries, report)


def _withheld_entries_ok(
    docs: list[JsonObject],
    in_force: dict[str, str],
    stated: dict[object, JsonObject],
    report: Report,
) -> set[int]:
    """The seqs of the withheld entries a mark in force covers, with the kind claimed."""
    ok_entries = set()
    for doc in docs:
        if not doc.get("withheld"):
            continue
        seq = doc["seq"]
        covering = {in_force[t] for t in ("*", str(seq)) if t in in_force}
        said = _mark_claimed(stated.get(seq, {"reason": doc.get("reason", "")}))
        if not covering:
            report.problem(UNJUSTIFIED, f"序号 {seq} 的记录不予提供，但包内没有覆盖它的保密标记")
        elif said is not None and said not in covering:
            report.problem(
                UNJUSTIFIED,
                f"序号 {seq} 的记录称标记为{said}，包内标记为{'、'.join(sorted(covering))}",
            )
        else:
            ok_entries.add(seq)
    return ok_entries


def _basis(item: JsonObject) -> object:
    basis = item.get("basis")
    if basis is None:  # bags written before the ground was recorded say it in the reason
        reason = str(item.get("reason", ""))
        basis = "imported" if reason.startswith("导入的历史记录") else (
            "dossier" if reason.startswith("案卷") else "mark"
        )  # fmt: skip
    return basis


def _check_withheld_file(
    item: JsonObject,
    in_force: dict[str, str],
    visible: dict[int, JsonObject],
    ok_entries: set[int],
    report: Report,
) -> None:
    """One withheld file, on the ground withheld.json gives for it."""
    digest = str(item.get("digest", ""))
    seq = item.get("seq")
    basis = _basis(item)
    naming = sorted(s for s, d in visible.items() if digest in _files_named(d))
    label = f"不予提供的文件 {digest}（序号 {seq}）"
    if not naming:
        said = _mark_claimed(item) if basis == "mark" else None
        covering = {in_force[t] for t in ("*", digest, str(seq)) if t in in_force}
        if seq not in ok_entries:
            report.problem(
                UNJUSTIFIED,
                f"{label}不载于包内任何可见记录，所指记录也不是依保密标记不予提供的记录",
            )
        elif said is not None and said not in covering:
            report.problem(
                UNJUSTIFIED,
                f"{label}称标记为{said}，包内标记为{'、'.join(sorted(covering))}",
            )
    elif basis == "imported":
        source = visible.get(seq) if isinstance(seq, int) else None
        if source is None or seq not in naming or not (source.get("body") or {}).get("imported"):
            report.problem(
                UNJUSTIFIED, f"{label}称为导入的历史记录，但所指记录不是导入记录或不载有它"
            )
    elif basis == "dossier":
        if not ok_entries or not any(visible[s].get("act") == "archiving.archive" for s in naming):
            report.problem(
                UNJUSTIFIED,
                f"{label}称为含不予提供记录的案卷，但不是归档记录所附的案卷，"
                "或包内没有依保密标记不予提供的记录",
            )
    else:
        _check_marked_file(item, digest, naming, in_force, label, report)


def _check_marked_file(
    item: JsonObject,
    digest: str,
    naming: list[int],
    in_force: dict[str, str],
    label: str,
    report: Report,
) -> None:
    targets = ["*", digest] + [str(s) for s in naming]
    covering = {in_force[t] for t in targets if t in in_force}
    said = _mark_claimed(item)
    if not covering:
        report.problem(
            UNJUSTIFIED,
            f"{label}没有包内保密标记作依据（标记须覆盖整个案件、该文件或载有它的记录，"
            "且未被解除）",
        )
    elif said is not None and said not in covering:
        report.problem(
            UNJUSTIFIED,
            f"{label}称标记为{said}，包内标记为{'、'.join(sorted(covering))}",
        )


def check_statement(
    root: Path,
    name: str,
    key: Ed25519PublicKey,
    case: str,
    docs: list[JsonObject],
    held: object,
    report: Report,
) -> None:
    """data/journal/withholding.txt: the agency's signed note over the SHA-256 of entries.jsonl
    and withheld.json. A withheld entry shows only its leaf hash, so only this signature shows
    that nobody turned an entry (a mark's lift, say) into "withheld" after the export."""
    path = root / "data" / "journal" / "withholding.txt"
    if not path.is_file():
        anything = any(d.get("withheld") for d in docs) or (
            isinstance(held, dict) and bool(held.get("files"))
        )
        if anything:
            report.problem(STATEMENT, "有不予提供的记录或文件，但缺少签名的不予提供声明")
        return
    text = path.read_text(encoding="utf-8")
    head, _, tail = text.partition("\n\n")
    fields = head.split("\n")
    raw = _raw(key)
    kid = hashlib.sha256(name.encode() + b"\n" + ED25519 + raw).digest()[:4]
    valid = False
    if len(fields) == 5 and fields[0] == "liuhen/withholding/v1" and text.endswith("\n"):
        for line in tail.rstrip("\n").split("\n"):
            parts = line.split(" ")
            if len(parts) != 3 or parts[0] != DASH or parts[1] != name:
                continue
            try:
                blob = base64.b64decode(parts[2], validate=True)
                if blob[:4] == kid:
                    key.verify(blob[4:], (head + "\n").encode("utf-8"))
                    valid = True
            except (ValueError, InvalidSignature):
                pass
    if not valid:
        report.problem(STATEMENT, "不予提供声明 withholding.txt 格式错误或签名无效")
        return
    if fields[1] != name or fields[2] != case:
        report.problem(STATEMENT, "不予提供声明的来源或案件编号与本包不符")
    expected = {
        "data/journal/entries.jsonl": fields[3],
        "data/withheld.json": fields[4],
    }
    for rel, line in expected.items():
        label = "entries" if rel.endswith("jsonl") else "withheld"
        target = root / rel
        digest = file_digest("sha256", target) if target.is_file() else "-"
        if line != f"{label} sha256 {digest}":
            report.problem(STATEMENT, f"{rel} 与签名的不予提供声明不符：导出后被改动")


def check(root: Path, key: str | None = None) -> Report:
    report = Report()
    pinned = None
    if key is not None:
        try:
            pinned = load_key_argument(key)
        except (OSError, ValueError) as exc:
            report.problem(PINNED_KEY, f"--key 指定的公钥无法读取：{exc}")
            return report
    info = check_manifests(root, report)
    check_journal(root, info, report, pinned)
    return report


USAGE = "用法：python3 verify_bag.py [--key 公钥文件或验证密钥字符串] 导出包目录"


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    key = None
    if args[:1] == ["--key"] and len(args) >= 2:
        key, args = args[1], args[2:]
    elif args and args[0].startswith("--key="):
        key, args = args[0][len("--key=") :], args[1:]
    if len(args) != 1 or args[0].startswith("-"):
        print(USAGE, file=sys.stderr)
        return 2
    root = Path(args[0])
    if not root.is_dir():
        print(f"不是目录：{root}", file=sys.stderr)
        return 2
    report = check(root, key)
    if report.fingerprint:
        how = "由 --key 指定" if report.pinned else "取自数据包，未独立核对"
        print(f"信任的公钥指纹：{report.fingerprint}（{how}）")
    for note in report.notes:
        print("提示：" + note)
    for code, message in report.problems:
        print(f"{code} {message}")
    if report.ok:
        print("通过：清单、记录、案件链、包含证明、检查点签名、一致性证明与文件摘要均校验无误")
        return 0
    print(f"未通过：发现 {len(report.problems)} 处问题")
    return 1


if __name__ == "__main__":
    sys.exit(main())
