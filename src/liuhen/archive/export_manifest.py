"""The bag's manifests and tag files: every file hashed as it is written, for each algorithm.

``BagWriter`` writes under the partial folder and keeps every payload file's digests, from which
the payload manifests, bag-info.txt's Payload-Oxum and, last, the tag manifests are made. The
README, the verifier script and the agency's signed withholding statement are tag files too.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Iterable
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

import liuhen
from liuhen.archive.bag_verify import STATEMENT_HEADER
from liuhen.archive.bagverify import SOURCE as VERIFIER_SOURCE
from liuhen.documents.service import agency_name
from liuhen.hashing import get_alg
from liuhen.journal import checkpoint as notes
from liuhen.kernel import proofs
from liuhen.kernel.instance import App


class BagWriter:
    """Writes files under the partial folder, hashing as it goes for every manifest algorithm."""

    def __init__(self, root: Path, algs: list[str], app: App) -> None:
        self.root = root
        self.algs = algs
        self.app = app
        self.payload: dict[str, dict[str, str]] = {}  # path -> alg -> hex
        self.octets = 0

    def write(self, rel: str, chunks: Iterable[bytes]) -> dict[str, str]:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        hashers = {a: get_alg(a).new() for a in self.algs}
        with open(path, "xb") as fh:
            for chunk in chunks:
                fh.write(chunk)
                for h in hashers.values():
                    h.update(chunk)
            fh.flush()
            os.fsync(fh.fileno())
        sums = {a: h.hexdigest() for a, h in hashers.items()}
        if rel.startswith("data/"):
            self.payload[rel] = sums
            self.octets += path.stat().st_size
        return sums

    def text(self, rel: str, content: str) -> dict[str, str]:
        return self.write(rel, [content.encode("utf-8")])


def bag_json(value: object) -> str:
    """A JSON file of the bag as every verifier has read it: UTF-8, indented by two."""
    return json.dumps(value, ensure_ascii=False, indent=2) + "\n"


def _manifest(sums: dict[str, dict[str, str]], alg: str) -> str:
    return "".join(f"{s[alg]}  {p}\n" for p, s in sorted(sums.items()))


def manifest_algorithms(app: App) -> list[str]:
    """SHA-256 always (every BagIt tool knows it); SM3 too for national-cryptography deployments."""
    return ["sha256", "sm3"] if app.alg.name == "sm3" or app.settings.export_sm3 else ["sha256"]


def write_tags(
    app: App,
    w: BagWriter,
    case: str,
    cp_a: proofs.SignedCheckpoint,
    latest: proofs.SignedCheckpoint,
    dossier_note: str,
    access_seq: int,
) -> None:
    """The BagIt tag files: README, the verifier, bagit.txt, bag-info.txt and the manifests."""
    algs, root = w.algs, w.root
    w.text("README.txt", readme(case, dossier_note, algs))
    w.write("verify_bag.py", [VERIFIER_SOURCE.read_bytes()])
    w.text("bagit.txt", "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n")
    info = [
        ("Source-Organization", agency_name(app, case)),
        ("External-Identifier", case),
        ("External-Description", "行政执法案件全过程记录导出包（留痕）"),
        ("Bagging-Date", app.clock.now().date().isoformat()),
        ("Payload-Oxum", f"{w.octets}.{len(w.payload)}"),
        ("Bag-Software-Agent", f"liuhen {liuhen.__version__}"),
        ("Liuhen-Origin", app.origin),
        ("Liuhen-Hash", app.alg.name),
        ("Liuhen-Manifest-Algorithms", " ".join(algs)),
        ("Liuhen-Checkpoint-Size", str(cp_a.tree_size)),
        ("Liuhen-Latest-Checkpoint-Size", str(latest.tree_size)),
        ("Liuhen-Dossier", dossier_note),
        ("Liuhen-Export-Entry", str(access_seq)),
    ]
    w.text("bag-info.txt", "".join(f"{k}: {v}\n" for k, v in info))
    tags: dict[str, dict[str, str]] = {}
    for name in ("bagit.txt", "bag-info.txt", "README.txt", "verify_bag.py"):
        tags[name] = _sums(root / name, algs)
    for alg in algs:
        name = f"manifest-{alg}.txt"
        w.text(name, _manifest(w.payload, alg))
        tags[name] = _sums(root / name, algs)
    for alg in algs:
        w.text(f"tagmanifest-{alg}.txt", _manifest(tags, alg))


def withholding_statement(
    origin: str, key: Ed25519PrivateKey, case: str, entries_sha256: str, withheld_sha256: str
) -> str:
    """The agency's signature over what this bag shows and what it withholds.

    A withheld entry is only a leaf hash, so nothing in the bag can show that it is not, say, a
    mark's lift; signing entries.jsonl and withheld.json with the checkpoint key means nobody
    without that key can turn an entry into "withheld" or add a withholding afterwards. It is a
    signed note whose first line is not an origin and whose second is not a tree size, so it
    can never be read as a checkpoint.
    """
    body = (
        f"{STATEMENT_HEADER}\n{origin}\n{case}\n"
        f"entries sha256 {entries_sha256}\nwithheld sha256 {withheld_sha256}\n"
    )
    sig = key.sign(body.encode("utf-8"))
    stamp = base64.b64encode(notes.key_id(origin, key.public_key()) + sig).decode()
    return f"{body}\n\u2014 {origin} {stamp}\n"


def file_digest(path: Path, alg: str) -> str:
    h = get_alg(alg).new()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return str(h.hexdigest())


def _sums(path: Path, algs: list[str]) -> dict[str, str]:
    hashers = {a: get_alg(a).new() for a in algs}
    data = path.read_bytes()
    for h in hashers.values():
        h.update(data)
    return {a: h.hexdigest() for a, h in hashers.items()}


def readme(case: str, dossier_note: str, algs: list[str]) -> str:
    sm3 = "、manifest-sm3.txt（SM3）" if "sm3" in algs else ""
    return f"""留痕 · 行政执法案件全过程记录导出包

案件编号：{case}

本目录是一个 BagIt 包（RFC 8493）。它包含本案的案卷、全部执法文书、音像资料原始文件，
以及记录这些文件的日志条目和证明，使任何人无需留痕系统、无需联网即可核验：

  1. 文件未被改动：manifest-sha256.txt（SHA-256）{sm3}列出每个文件的摘要；
  2. 日志条目真实：data/journal/entries.jsonl 中每条记录的规范文本（RFC 8785）按 RFC 6962
     计算叶哈希，以包含证明（data/journal/proofs.json）算出默克尔树根，与执法机关以 Ed25519
     私钥签署的检查点（data/journal/checkpoint.txt）一致；
  3. 日志此后未被改写：一致性证明（data/journal/consistency.json）表明导出时的最新检查点
     （data/journal/checkpoint-latest.txt）是在前者基础上追加而来；
  4. 文件正是记录所载的文件：每份文书、每段音像的摘要等于其日志条目中记载的摘要
     （对应关系见 data/index.json）；依法销毁或不予提供的文件列于 data/withheld.json，
     销毁须有包内的销毁记录；
  5. 不予提供有据可查：每个不予提供的文件或记录，须有包内的保密标记记录（保密标记记录本身
     从不隐去）覆盖它——整个案件、该记录、该文件或载有该文件的记录——且其后未被解除，
     标记种类与 withheld.json 所称一致；导入的历史记录所载文件，须该记录的规范文本本身
     注明为导入；执法机关另以私钥签署 data/journal/withholding.txt，载明 entries.jsonl 与
     withheld.json 的摘要，导出后任何人改动“不予提供”的内容都无法通过。

案卷：{dossier_note}。

核验方法（需要 Python 3.9 以上和 cryptography 库：pip install cryptography）：

    python3 verify_bag.py --key 执法机关公钥文件 .

--key 可以是 PEM 公钥文件、含验证密钥字符串的文件，或验证密钥字符串本身（形如
“名称+8 位编号+密钥”）。请从执法机关或其公开渠道另行取得公钥：指定 --key 后，检查点
必须由该公钥签署，否则报 LH422。不指定 --key 时只能用包内的 data/journal/public-key.txt，
它只证明包内一致，不证明它属于该机关。两种情况下程序都会首先输出所信任公钥的指纹
（原始公钥的 SHA-256），并注明“由 --key 指定”或“取自数据包，未独立核对”，可与机关公布的
指纹比对。

全部通过时输出“通过”，退出码为 0；否则每行列出一处问题（以 LH4 开头的代码）。

也可用任何 BagIt 工具检查清单，例如：bagit.py --validate .
"""
