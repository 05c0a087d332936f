"""``liuhen verify-bag``: check an export with the ``bagit`` library and liuhen's own journal code.

This is the second of two verifiers on purpose. The one shipped inside the bag
(``liuhen.archive.bagverify.verify_bag``) is written from the specifications with nothing but the
standard library and ``cryptography``; this one reuses the code that wrote the journal. A
forgery would have to fool both. Neither needs the instance: a bag is checked from its own
contents and the public key.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import bagit
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from liuhen.archive.bag_report import (
    ABSENT,
    CHAIN,
    CONSISTENCY,
    DOCUMENT_SIGNATURE,
    ENTRY,
    FILE_DIGEST,
    INCLUSION,
    MANIFEST,
    OXUM,
    PINNED_KEY,
    SIGNATURE,
    STATEMENT,
    STRUCTURE,
    TAGMANIFEST,
    BagEntry,
    BagReport,
)
from liuhen.archive.bag_withholding import check_withholding
from liuhen.hashing import HashAlg, get_alg
from liuhen.journal import checkpoint as notes
from liuhen.journal.canonical import canonical
from liuhen.journal.merkle import VerificationError, leaf_hash, verify_consistency, verify_inclusion
from liuhen.payloads import JsonObject
from liuhen.signing import service as signing


def verify_bag(path: Path, key: str | None = None) -> BagReport:
    """Check the bag; ``key`` (a file holding a PEM key or a signed-note verifier key, or the
    verifier key itself) pins the agency's key: the bag's own copy then proves nothing."""
    report = BagReport()
    pinned: tuple[str | None, Ed25519PublicKey] | None = None
    if key is not None:
        try:
            pinned = pinned_key(key)
        except (OSError, ValueError) as exc:
            report.add(PINNED_KEY, f"--key 指定的公钥无法读取：{exc}")
            return report
    if not path.is_dir():
        report.add(STRUCTURE, f"“{path}”不是目录")
        return report
    info = _standard(path, report)
    report.case = info.get("External-Identifier", "")
    _journal(path, report, pinned)
    return report


def fingerprint(key: Ed25519PublicKey) -> str:
    return hashlib.sha256(notes.public_key_bytes(key)).hexdigest()


def pinned_key(given: str) -> tuple[str | None, Ed25519PublicKey]:
    """(key name if known, key) from a file or a verifier-key string; refuses anything else."""
    candidate = Path(given)
    text = candidate.read_text(encoding="utf-8") if candidate.is_file() else given
    before_pem = text.split("-----BEGIN", 1)[0]  # PEM's base64 lines may hold "+" too
    vkey = next((ln.strip() for ln in before_pem.splitlines() if ln.count("+") >= 2), None)
    pem: Ed25519PublicKey | None = None
    if "-----BEGIN PUBLIC KEY-----" in text:
        start = text.index("-----BEGIN PUBLIC KEY-----")
        loaded = load_pem_public_key(text[start:].encode())
        if not isinstance(loaded, Ed25519PublicKey):
            raise ValueError("不是 Ed25519 公钥")
        pem = loaded
    if vkey is None:
        if pem is None:
            raise ValueError("既不是 PEM 公钥，也不是验证密钥字符串（名称+编号+密钥）")
        return None, pem
    name, kid_hex, b64 = vkey.split("+", 2)
    raw = base64.b64decode(b64, validate=True)
    if raw[:1] != b"\x01" or len(raw) != 33:
        raise ValueError("验证密钥字符串不是 Ed25519 密钥")
    public = Ed25519PublicKey.from_public_bytes(raw[1:])
    if notes.key_id(name, public).hex() != kid_hex:
        raise ValueError("验证密钥字符串的密钥编号与密钥不符")
    if pem is not None and notes.public_key_bytes(pem) != raw[1:]:
        raise ValueError("验证密钥字符串与 PEM 公钥不一致")
    return name, public


def _standard(path: Path, report: BagReport) -> dict[str, str]:
    """RFC 8493 through the ``bagit`` library; SM3 manifests, which it does not know, by hand."""
    try:
        bag = bagit.Bag(str(path))
    except bagit.BagError as exc:
        report.add(STRUCTURE, f"不是有效的 BagIt 包：{exc}")
        return {}
    try:
        bag.validate()
    except bagit.BagValidationError as exc:
        if not exc.details:
            code = OXUM if "Oxum" in exc.message else STRUCTURE
            report.add(code, f"BagIt 校验未通过：{exc.message}")
        for detail in exc.details:
            where = str(getattr(detail, "path", ""))
            code = MANIFEST if where.startswith("data/") else TAGMANIFEST
            report.add(code, f"BagIt 校验未通过：{detail}")
    info = {k: v if isinstance(v, str) else " ".join(v) for k, v in bag.info.items()}
    for alg in info.get("Liuhen-Manifest-Algorithms", "sha256").split():
        if not (path / f"manifest-{alg}.txt").is_file():
            report.add(MANIFEST, f"bag-info.txt 声明的 {alg} 载荷清单不存在")
    for kind in ("manifest", "tagmanifest"):
        sm3 = path / f"{kind}-sm3.txt"
        if sm3.is_file():
            _check_manifest(path, sm3, kind == "manifest", report)
    return info


def _check_manifest(root: Path, manifest: Path, payload: bool, report: BagReport) -> None:
    code = MANIFEST if payload else TAGMANIFEST
    listed: set[str] = set()
    for line in manifest.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        expected, name = line.split(maxsplit=1)
        listed.add(name)
        target = root / name
        if not target.is_file() or ".." in Path(name).parts:
            report.add(code, f"{manifest.name} 列出的 {name} 不存在")
        elif _hex(get_alg("sm3"), target) != expected.lower():
            report.add(code, f"{name} 的 SM3 摘要与 {manifest.name} 不符：文件被改动")
    if payload:
        for name in _payload(root):
            if name not in listed:
                report.add(code, f"{name} 未列入 {manifest.name}")


def _payload(root: Path) -> Iterator[str]:
    for folder, _dirs, files in os.walk(root / "data"):
        for name in files:
            yield (Path(folder) / name).relative_to(root).as_posix()


def _hex(alg: HashAlg, path: Path) -> str:
    h = alg.new()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return str(h.hexdigest())


def _load_json(root: Path, name: str, report: BagReport) -> object:
    """Parsed JSON of any shape, or None when unreadable: the callers check what they got."""
    try:
        return json.loads((root / name).read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError) as exc:
        report.add(STRUCTURE, f"无法读取 {name}：{exc}")
        return None


def _key(root: Path) -> tuple[str, Ed25519PublicKey]:
    """The key from its PEM form; the signed-note key string must be the one it implies."""
    text = (root / "data/journal/public-key.txt").read_text(encoding="utf-8")
    vkey, _, pem = text.partition("\n")
    key = load_pem_public_key(pem.encode())
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("不是 Ed25519 公钥")
    name = vkey.split("+", 1)[0]
    if notes.verifier_key(name, key) != vkey.strip():
        raise ValueError("验证密钥字符串与 PEM 公钥不一致")
    return name, key


def _journal(
    root: Path, report: BagReport, pinned: tuple[str | None, Ed25519PublicKey] | None
) -> None:
    bag_key: tuple[str, Ed25519PublicKey] | None = None
    try:
        bag_key = _key(root)
    except (OSError, ValueError) as exc:
        report.add(SIGNATURE, f"公钥 public-key.txt 无效：{exc}")
    if pinned is None:
        if bag_key is None:
            return
        name, key = bag_key
    else:
        key = pinned[1]
        name = pinned[0] or (bag_key[0] if bag_key else _origin(root))
        if bag_key is not None and notes.public_key_bytes(bag_key[1]) != notes.public_key_bytes(
            key
        ):
            report.add(PINNED_KEY, "包内的公钥 public-key.txt 不是 --key 指定的公钥")
    report.key_fingerprint, report.key_pinned = fingerprint(key), pinned is not None
    code = PINNED_KEY if pinned is not None else SIGNATURE
    signed: dict[str, notes.Checkpoint] = {}
    for label in ("checkpoint.txt", "checkpoint-latest.txt"):
        try:
            note = (root / "data/journal" / label).read_text(encoding="utf-8")
            signed[label] = notes.verify(note, name, key)
        except (OSError, ValueError, VerificationError) as exc:
            whose = "--key 指定的公钥" if pinned is not None else "包内公钥"
            report.add(code, f"检查点 {label} 未通过{whose}的签名校验：{exc}")
    cp = signed.get("checkpoint.txt")
    if cp is None:
        return
    alg_name = next((e[5:] for e in cp.extensions if e.startswith("hash ")), "sha256")
    alg = get_alg(alg_name)
    latest = signed.get("checkpoint-latest.txt")
    if latest is not None:
        _consistency(root, alg, cp, latest, report)
    entries = _entries(root, alg, report)
    report.entries = len(entries)
    _inclusion(root, alg, cp, entries, report)
    _chain(entries, report)
    held = _files(root, entries, report)
    _statement(root, name, key, entries, held, report)
    _document_signatures(root, entries, report)


ANCHORS = "data/journal/trust-anchors.pem"


def _document_signatures(root: Path, entries: list[BagEntry], report: BagReport) -> None:
    """Each intact document's PAdES signatures against the trust anchors the bag carries (the
    instance CA and the registered roots of 电子认证服务机构), each at its signing moment: when
    the journal recorded the version that first carried it, as the bag's entries show. A file
    that differs from its entry was reported already and is not checked again."""
    try:
        anchors = (root / ANCHORS).read_bytes()
    except OSError:
        report.notes.append("包内没有信任锚证书（trust-anchors.pem），未验证文书的电子签名")
        return
    index = _load_json(root, "data/index.json", BagReport())
    items = index.get("files", []) if isinstance(index, dict) else []
    paths = {i.get("digest"): i.get("path", "") for i in items}  # a file once, for all its entries
    issuers: Counter[str] = Counter()
    moments: dict[int, list[tuple[JsonObject, datetime]]] = {}
    for e in sorted(entries, key=lambda x: x.seq):
        if e.act != "general.document" or e.withheld:
            continue
        fields = e.body.get("fields") or {}
        crypto = [s for s in fields.get("signatures") or [] if s.get("method") == "PAdES"]
        earlier = moments.get(fields.get("supersedes") or 0, [])
        at = datetime.fromisoformat(e.recorded_at)
        mine = [earlier[i][1] if i < len(earlier) and earlier[i][0] == sig else at
                for i, sig in enumerate(crypto)]  # fmt: skip
        moments[e.seq] = list(zip(crypto, mine, strict=True))
        path = paths.get(fields.get("digest"))
        if not crypto or not path or not (root / path).is_file():
            continue
        data = (root / path).read_bytes()
        alg, _, hexd = str(fields.get("digest")).partition(":")
        if alg not in ("sha256", "sm3") or get_alg(alg).digest(data).hex() != hexd:
            continue
        try:
            statuses = signing.validate_pdf(data, anchors, moments=mine)
        except signing.DamagedPdf as exc:
            report.add(DOCUMENT_SIGNATURE, f"{path} 无法作为签名的 PDF 读取：{exc}")
            continue
        failed = [f"{s.signer}（签名时刻 {m.isoformat(timespec='seconds')}）"
                  for s, m in zip(statuses, mine, strict=False) if not s.valid]  # fmt: skip
        if failed or len(statuses) != len(crypto):
            who = "、".join(failed) or f"签名数 {len(statuses)} 与记录所载 {len(crypto)} 不符"
            report.add(
                DOCUMENT_SIGNATURE, f"序号 {e.seq} 的文书 {path} 的电子签名未通过验证：{who}"
            )
        else:
            issuers.update(s.issuer or s.anchor for s in statuses)
    if issuers:
        by = "、".join(f"{name} {n} 个" for name, n in sorted(issuers.items()))
        report.notes.append(
            f"文书电子签名 {issuers.total()} 个通过验证，每个按日志记录该文书的时间（签名时刻）"
            f"验证；证书签发者：{by}"
        )


STATEMENT_HEADER = "liuhen/withholding/v1"


def _statement(
    root: Path,
    name: str,
    key: Ed25519PublicKey,
    entries: list[BagEntry],
    held: object,
    report: BagReport,
) -> None:
    """The agency's signed statement over entries.jsonl and withheld.json: without the key,
    nobody turns an entry into "withheld" or adds a withholding after the export."""
    path = root / "data/journal/withholding.txt"
    if not path.exists():  # ``held``: withheld.json as _files read it (None if unreadable)
        if any(e.withheld for e in entries) or (isinstance(held, dict) and held.get("files")):
            report.add(STATEMENT, "有不予提供的记录或文件，但缺少执法机关签名的不予提供声明"
                                  " data/journal/withholding.txt")  # fmt: skip
        return
    try:
        note = path.read_text(encoding="utf-8")
        body, sep, sigs = note.partition("\n\n")
        lines = body.split("\n")
        if not sep or len(lines) != 5 or lines[0] != STATEMENT_HEADER:
            raise VerificationError("格式错误")
        kid = notes.key_id(name, key)
        stamps = [ln.split(" ") for ln in sigs.rstrip("\n").split("\n")]
        blobs = [base64.b64decode(p[2], validate=True) for p in stamps
                 if len(p) == 3 and p[0] == "\u2014" and p[1] == name]  # fmt: skip
        blob = next((b for b in blobs if b[:4] == kid), None)
        if blob is None:
            raise VerificationError(f"没有 {name} 的签名")
        key.verify(blob[4:], (body + "\n").encode("utf-8"))
    except (OSError, ValueError, VerificationError, InvalidSignature) as exc:
        report.add(STATEMENT, f"不予提供声明 withholding.txt 未通过签名校验：{exc or '签名无效'}")
        return
    if lines[1] != name or lines[2] != report.case:
        report.add(STATEMENT, "不予提供声明的来源或案件编号与本包不符")
    for label, rel, line in (("entries", "data/journal/entries.jsonl", lines[3]),
                             ("withheld", "data/withheld.json", lines[4])):  # fmt: skip
        target = root / rel
        actual = _hex(get_alg("sha256"), target) if target.is_file() else "缺失"
        if line != f"{label} sha256 {actual}":
            report.add(STATEMENT, f"{rel} 与执法机关签名的不予提供声明不符：记录或不予提供的"
                                  "清单在导出后被改动")  # fmt: skip


def _origin(root: Path) -> str:
    try:
        return (root / "data/journal/checkpoint.txt").read_text(encoding="utf-8").split("\n")[0]
    except OSError:
        return ""


def _consistency(
    root: Path, alg: HashAlg, old: notes.Checkpoint, new: notes.Checkpoint, report: BagReport
) -> None:
    proof = _load_json(root, "data/journal/consistency.json", report)
    try:
        if not isinstance(proof, dict):
            raise VerificationError("缺少一致性证明")
        if (proof.get("old_size"), proof.get("new_size")) != (old.size, new.size):
            raise VerificationError("证明的树大小与两个检查点不符")
        path = [bytes.fromhex(p) for p in proof["path"]]
        verify_consistency(alg, old.size, new.size, old.root, new.root, path)
    except (VerificationError, ValueError, KeyError, TypeError) as exc:
        report.add(CONSISTENCY, f"检查点 {old.size} 到 {new.size} 的一致性证明无效：{exc}")


def _entries(root: Path, alg: HashAlg, report: BagReport) -> list[BagEntry]:
    out: list[BagEntry] = []
    try:
        text = (root / "data/journal/entries.jsonl").read_text(encoding="utf-8")
    except OSError as exc:
        report.add(STRUCTURE, f"无法读取 entries.jsonl：{exc}")
        return out
    for n, line in enumerate(text.splitlines(), 1):
        try:
            row = json.loads(line)
            if "canonical" not in row and row.get("withheld"):
                out.append(_withheld_entry(row))
                report.notes.append(f"序号 {row['seq']} 的记录内容不予提供（{row['withheld']}）："
                                    "只以叶哈希证明其存在和位置")  # fmt: skip
                continue
            data = base64.b64decode(row["canonical"], validate=True)
            doc = json.loads(data)
            if canonical(doc) != data:
                report.add(ENTRY, f"entries.jsonl 第 {n} 行：记录不是 RFC 8785 规范文本")
            leaf = leaf_hash(alg, data)
            if leaf.hex() != row["leaf_hash"]:
                report.add(ENTRY, f"entries.jsonl 第 {n} 行：规范文本的叶哈希与所列不符")
            if (doc["seq"], doc["chain"]) != (row["seq"], row["chain"]):
                report.add(ENTRY, f"entries.jsonl 第 {n} 行：序号或案件与规范文本不符")
            out.append(
                BagEntry(int(doc["seq"]), doc["chain"], int(doc["chain_seq"]), doc["prev"],
                       doc["act"], doc["body"], leaf, recorded_at=str(doc["recorded_at"]))
            )  # fmt: skip
        except (ValueError, KeyError, TypeError, RecursionError) as exc:
            report.add(ENTRY, f"entries.jsonl 第 {n} 行无法解析：{exc}")
    return out


def _withheld_entry(row: JsonObject) -> BagEntry:
    leaf = bytes.fromhex(row["leaf_hash"])
    if not isinstance(row["seq"], int) or not isinstance(row["chain_seq"], int):
        raise TypeError("序号应为整数")
    return BagEntry(
        row["seq"], row["chain"], row["chain_seq"], None, "", {}, leaf, True, str(row["withheld"])
    )


def _inclusion(
    root: Path, alg: HashAlg, cp: notes.Checkpoint, entries: list[BagEntry], report: BagReport
) -> None:
    doc = _load_json(root, "data/journal/proofs.json", report)
    if not isinstance(doc, dict):
        return
    if doc.get("tree_size") != cp.size:
        report.add(INCLUSION, "proofs.json 的树大小与检查点 checkpoint.txt 不符")
        return
    proofs = {p.get("seq"): p for p in doc.get("proofs", []) if isinstance(p, dict)}
    for e in entries:
        try:
            proof = proofs.get(e.seq)
            if proof is None:
                raise VerificationError("缺少包含证明")
            path = [bytes.fromhex(p) for p in proof["path"]]
            verify_inclusion(alg, e.seq - 1, cp.size, e.leaf, path, cp.root)
        except (VerificationError, ValueError, KeyError, TypeError) as exc:
            report.add(INCLUSION, f"序号 {e.seq} 的记录不能证明包含在签名检查点中：{exc}")


def _chain(entries: list[BagEntry], report: BagReport) -> None:
    if not entries:
        report.add(CHAIN, "包中没有本案的记录")
        return
    case = report.case
    prev: BagEntry | None = None
    for e in entries:
        if e.chain != case:
            report.add(CHAIN, f"序号 {e.seq} 属于“{e.chain}”，不是本案“{case}”")
        expected_seq = prev.chain_seq + 1 if prev else 1
        if e.chain_seq != expected_seq:
            report.add(CHAIN, f"序号 {e.seq} 的案内序号应为 {expected_seq}，实为 {e.chain_seq}")
        if prev is not None and e.seq <= prev.seq:
            report.add(CHAIN, f"序号 {e.seq} 排在序号 {prev.seq} 之后：顺序错误")
        if not e.withheld and e.prev != (prev.leaf.hex() if prev else None):
            report.add(CHAIN, f"序号 {e.seq} 的前一条哈希与上一条记录不符：案件链断裂")
        prev = e


def _files(root: Path, entries: list[BagEntry], report: BagReport) -> object:
    """Check the files against the entries; returns withheld.json as read, for _statement."""
    index = _load_json(root, "data/index.json", report)
    held = _load_json(root, "data/withheld.json", report)
    if not isinstance(index, dict) or not isinstance(held, dict):
        return held
    vouched, disposed = _vouched(entries)
    check_withholding(entries, held, report)
    withheld = {w["digest"]: w.get("reason", "") for w in held.get("files", [])}
    present: set[str] = set()
    listed: set[str] = set()
    for item in index.get("files", []):
        listed.add(item.get("path", ""))
        digest = _check_listed(root, item, vouched, report)
        if digest is not None:
            present.add(digest)
    _check_not_carried(vouched, present, disposed, withheld, report)
    _check_unlisted(root, listed, report)
    return held


def _vouched(entries: list[BagEntry]) -> tuple[dict[str, set[int]], set[str]]:
    """Digest → the seqs of the entries carrying it, and the digests a disposal names."""
    vouched: dict[str, set[int]] = {}
    disposed: set[str] = set()
    for e in entries:
        for digest in e.digests():
            vouched.setdefault(digest, set()).add(e.seq)
        if e.act == "archiving.disposal":
            disposed.update(e.body.get("fields", {}).get("digests") or [])
    return vouched, disposed


def _check_listed(
    root: Path, item: JsonObject, vouched: dict[str, set[int]], report: BagReport
) -> str | None:
    """One file index.json lists; returns its digest when the file is there (even damaged)."""
    name, digest = item.get("path", ""), item.get("digest", "")
    target = root / name
    if ".." in Path(name).parts or not target.is_file():
        report.add(ABSENT, f"index.json 列出的 {name} 不在包中")
        return None
    alg, _, hexd = digest.partition(":")
    if alg not in ("sha256", "sm3") or _hex(get_alg(alg), target) != hexd:
        report.add(FILE_DIGEST, f"{name} 的摘要与记录所载 {digest} 不符：文件被改动")
        return str(digest)  # there but damaged: reported once, not also as missing
    report.files += 1
    if item.get("generated"):
        report.notes.append(f"{name} 为导出时生成，未记入日志，只由本包清单保护")
    elif item.get("seq") not in vouched.get(digest, set()):
        report.add(FILE_DIGEST, f"{name}（{digest}）不是 index.json 所指记录所载的文件")
    return str(digest)


def _check_not_carried(
    vouched: dict[str, set[int]],
    present: set[str],
    disposed: set[str],
    withheld: dict[str, str],
    report: BagReport,
) -> None:
    """Every file an entry carries is in the bag, disposed of, or withheld with a reason."""
    for digest, seqs in sorted(vouched.items()):
        if digest in present:
            continue
        seq = min(seqs)
        if digest in disposed:
            report.notes.append(f"序号 {seq} 所载文件 {digest} 已依法销毁（包内有销毁记录）")
        elif digest in withheld:
            report.notes.append(f"序号 {seq} 所载文件 {digest} 未随包提供：{withheld[digest]}")
        else:
            report.add(ABSENT, f"序号 {seq} 所载文件 {digest} 缺失，且无销毁记录或不予提供的说明")


def _check_unlisted(root: Path, listed: set[str], report: BagReport) -> None:
    for name in _payload(root):
        if not (name.startswith("data/journal/") or name in listed) and name not in (
            "data/index.json",
            "data/withheld.json",
        ):
            report.add(FILE_DIGEST, f"文件 {name} 未列入 index.json，来历不明")
