"""Export one case for a court or an archive: a BagIt bag (RFC 8493) that proves itself.

The bag holds the files and, more importantly, the journal entries that name them with the
inclusion proofs and signed checkpoint that make those entries trustworthy without liuhen. It is
written beside its destination under a random name and renamed only when complete and synced,
so an interrupted export never leaves something that looks like a finished bag. What goes in is
decided in ``export_contents``; the manifests and tag files are written by ``export_manifest``.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import shutil
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from liuhen.archive.dossier import covering_checkpoint
from liuhen.archive.export_contents import (
    DOSSIER_REASON,
    BagFile,
    Collected,
    collect,
)
from liuhen.archive.export_manifest import (
    BagWriter,
    bag_json,
    file_digest,
    manifest_algorithms,
    withholding_statement,
    write_tags,
)
from liuhen.archive.export_statement import STATEMENT_NAME, STATEMENT_PATH, media_statement
from liuhen.durable import fsync_dir
from liuhen.errors import ExportFailed, ExportTargetExists
from liuhen.journal import checkpoint as notes
from liuhen.journal import merkle
from liuhen.journal.merkle import NodeId
from liuhen.kernel import proofs
from liuhen.kernel.blobs.store import split
from liuhen.kernel.db import store
from liuhen.kernel.instance import App
from liuhen.kernel.journal import Appended
from liuhen.kernel.record import ActInput, record
from liuhen.payloads import JsonObject
from liuhen.procedure.catalog import Role
from liuhen.signing import service as signing

Progress = Callable[[str, int, int], None]  # (what, done, total)
WITHHELD_REASON = "依保密标记不予提供"


@dataclass(frozen=True, slots=True)
class ExportResult:
    path: Path
    entries: int
    files: int
    octets: int
    checkpoint_size: int
    latest_size: int
    access_seq: int
    dossier: str  # 归档记录 or 导出时生成
    withheld: list[str] = field(default_factory=list)
    disposed: list[str] = field(default_factory=list)
    reasons: dict[str, str] = field(default_factory=dict)  # withheld digest → why


def export_case(
    app: App,
    case: str,
    out: Path,
    *,
    accessor: dict[str, str],
    purpose: str = "向人民法院、档案馆提供案件全过程记录",
    withhold: frozenset[str] | Mapping[str, str] = frozenset(),
    withhold_reason: str = WITHHELD_REASON,
    progress: Progress | None = None,
    redact: Mapping[int, str] | None = None,
) -> ExportResult:
    """Write the bag for ``case`` at ``out`` (which must not exist) and journal the copy."""
    out = Path(out)
    if out.exists() or out.is_symlink():
        raise ExportTargetExists(f"目标“{out}”已存在：导出不会覆盖已有内容，请换一个目录")
    if not out.parent.is_dir():
        raise ExportFailed(f"目标所在目录“{out.parent}”不存在")
    latest = proofs.checkpoint(app)
    collected = collect(app, case, latest.tree_size, withhold, withhold_reason, redact)
    partial = out.with_name(f"{out.name}.partial-{secrets.token_hex(6)}")
    partial.mkdir()
    try:
        result = _write(app, collected, latest, partial, accessor, purpose, progress)
        _fsync_tree(partial)
        os.rename(partial, out)
        fsync_dir(out.parent)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return replace(result, path=out)


def _write(
    app: App,
    c: Collected,
    latest: proofs.SignedCheckpoint,
    root: Path,
    accessor: dict[str, str],
    purpose: str,
    progress: Progress | None,
) -> ExportResult:
    algs = manifest_algorithms(app)
    w = BagWriter(root, algs, app)
    cp_a = covering_checkpoint(app, c.entries[-1].seq)
    assert cp_a is not None  # ``latest``, signed just before collecting, covers every entry
    total = len(c.files) + len(c.entries) + 2 + (c.generated_dossier is not None)
    done = 0

    def tick(what: str) -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(what, done, total)

    index_files = _write_payload(app, w, c, tick)
    index_files += _write_statement(app, w, c, index_files)
    entries_sums = w.write("data/journal/entries.jsonl", _entry_lines(c))
    _write_proofs(app, w, c, cp_a, latest, tick)
    _write_index(app, w, c, index_files, entries_sums)
    tick("日志与证明")
    access = _record_access(app, c, accessor, purpose, index_files)
    dossier_note = _dossier_note(c)
    write_tags(app, w, c.case, cp_a, latest, dossier_note, access.seq)
    tick("清单")
    return ExportResult(
        path=root, entries=len(c.entries), files=len(w.payload), octets=w.octets,
        checkpoint_size=cp_a.tree_size, latest_size=latest.tree_size, access_seq=access.seq,
        dossier="不予提供" if c.redacted else "归档记录" if c.archive_seq else "导出时生成",
        withheld=[w.digest for w in c.withheld], disposed=[d.digest for d in c.disposed],
        reasons={w.digest: w.reason for w in c.withheld},
    )  # fmt: skip


def _write_payload(
    app: App, w: BagWriter, c: Collected, tick: Callable[[str], None]
) -> list[BagFile]:
    """The dossier and every stored file, each checked against its digest as it is copied."""
    index_files: list[BagFile] = []
    if c.generated_dossier is not None:
        w.write("data/dossier.pdf", [c.generated_dossier])
        digest = f"{app.alg.name}:{app.alg.digest(c.generated_dossier).hex()}"
        index_files.append(BagFile(
            "data/dossier.pdf", digest, "dossier", None, "案卷.pdf", "application/pdf",
            generated=True,
        ))  # fmt: skip
        tick("案卷")
    for f in c.files:
        sums = w.write(f.path, app.blobs.read(f.digest))
        _check_copied(app, w.root / f.path, f.digest, sums)
        index_files.append(f)
        tick(f.path)
    return index_files


def _write_statement(app: App, w: BagWriter, c: Collected, files: list[BagFile]) -> list[BagFile]:
    """The recordings' statement (``export_statement``), made at export like the dossier."""
    statement = media_statement(c, files)
    if statement is None:
        return []
    data = statement.encode("utf-8")
    w.write(STATEMENT_PATH, [data])
    digest = f"{app.alg.name}:{app.alg.digest(data).hex()}"
    return [BagFile(STATEMENT_PATH, digest, "statement", None, STATEMENT_NAME, "text/plain",
                    generated=True)]  # fmt: skip


def _check_copied(app: App, path: Path, digest: str, sums: dict[str, str]) -> None:
    alg, hexd = split(digest)
    if alg in sums and sums[alg] != hexd:
        raise ExportFailed(f"存储中的文件 {digest} 与其摘要不符：存储已损坏，未导出")
    if alg not in sums:
        actual = file_digest(path, alg)
        if actual != hexd:
            raise ExportFailed(f"存储中的文件 {digest} 与其摘要不符：存储已损坏，未导出")


def _entry_lines(c: Collected) -> list[bytes]:
    lines = []
    for e in c.entries:
        line: JsonObject = {
            "seq": e.seq, "chain": e.chain, "chain_seq": e.chain_seq,
            "leaf_hash": e.leaf_hash.hex(),
        }  # fmt: skip
        if e.seq in c.redacted:  # the leaf hash still proves the entry exists and where
            line["withheld"] = c.redacted[e.seq]
        else:
            line["act"] = e.act
            line["canonical"] = base64.b64encode(e.canonical).decode()
        lines.append(json.dumps(line, ensure_ascii=False) + "\n")
    return [line.encode("utf-8") for line in lines]


def _write_proofs(
    app: App,
    w: BagWriter,
    c: Collected,
    cp_a: proofs.SignedCheckpoint,
    latest: proofs.SignedCheckpoint,
    tick: Callable[[str], None],
) -> None:
    """Each entry's inclusion in the earliest covering checkpoint, both checkpoints, the
    consistency between them and the key that signed them."""
    inclusion = []
    with app.engine.connect() as conn:  # one connection for all: a case may hold thousands

        def fetch(ids: Sequence[NodeId]) -> dict[NodeId, bytes]:
            return store.fetch_nodes(conn, ids)

        for e in c.entries:
            path = merkle.inclusion_proof(app.alg, e.seq - 1, cp_a.tree_size, fetch)
            inclusion.append({"seq": e.seq, "leaf_index": e.seq - 1,
                              "path": [h.hex() for h in path]})  # fmt: skip
            tick(f"包含证明 {e.seq}")
    w.text("data/journal/proofs.json", bag_json({
        "hash": app.alg.name, "tree_size": cp_a.tree_size, "root": cp_a.root.hex(),
        "proofs": inclusion,
    }))  # fmt: skip
    w.text("data/journal/checkpoint.txt", cp_a.note)
    w.text("data/journal/checkpoint-latest.txt", latest.note)
    if cp_a.tree_size < latest.tree_size:
        consistency = asdict(proofs.consistency(app, cp_a.tree_size, latest.tree_size))
    else:
        consistency = {
            "old_size": cp_a.tree_size, "new_size": latest.tree_size, "hash": app.alg.name,
            "old_root": cp_a.root.hex(), "new_root": latest.root.hex(), "path": [],
        }  # fmt: skip
    w.text("data/journal/consistency.json", bag_json(consistency))
    public = app.key.public_key()
    pem = public.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo).decode()
    w.text("data/journal/public-key.txt", notes.verifier_key(app.origin, public) + "\n" + pem)
    if signing.has_trust(app):  # to check the documents' signatures (liuhen verify-bag, pdfsig)
        w.text("data/journal/trust-anchors.pem", signing.ca_pem(app).decode())


def _write_index(
    app: App,
    w: BagWriter,
    c: Collected,
    index_files: list[BagFile],
    entries_sums: dict[str, str],
) -> None:
    """index.json, withheld.json and the signed statement over what is withheld."""
    w.text("data/index.json", bag_json({
        "case": c.case, "origin": app.origin, "hash": app.alg.name,
        "dossier": {"source": "generated" if c.archive_seq is None else "archive",
                    "seq": c.archive_seq},
        "files": [f.index_json() for f in index_files],
    }))  # fmt: skip
    withheld_sums = w.text("data/withheld.json", bag_json({
        "files": [{"digest": w.digest, "seq": w.seq, "reason": w.reason,
                   **(g.as_json() if (g := c.grounds.get(w.digest)) else {})}
                  for w in c.withheld],
        "entries": [{"seq": s, "reason": r, **({"mark": c.entry_marks[s]}
                                               if s in c.entry_marks else {})}
                    for s, r in sorted(c.redacted.items())],
        "disposed": [{"digest": d.digest, "seq": d.seq} for d in c.disposed],
    }))  # fmt: skip
    w.text("data/journal/withholding.txt", withholding_statement(
        app.origin, app.key, c.case, entries_sums["sha256"], withheld_sums["sha256"]
    ))  # fmt: skip


def _record_access(
    app: App,
    c: Collected,
    accessor: dict[str, str],
    purpose: str,
    index_files: list[BagFile],
) -> Appended:
    """The copy is itself journalled, naming every file it carries."""
    materials = [
        f"日志记录 {len(c.entries)} 条（序号 {c.entries[0].seq}–{c.entries[-1].seq}）及其证明"
    ]
    materials += [f"{f.path}（{f.digest}）" for f in index_files]
    return record(app, ActInput(
        "general.review_access", app.clock.now().isoformat(), case=c.case,
        recorded_by={"id": accessor.get("id", "export"), "role": Role.SYSTEM},
        fields={"accessor": {k: v for k, v in accessor.items() if k != "id"},
                "purpose": purpose, "materials": materials, "copied": True},
    ))  # fmt: skip


def _dossier_note(c: Collected) -> str:
    if c.redacted:
        return DOSSIER_REASON + "，未随包提供"
    if c.archive_seq is not None:
        return f"取自归档记录（序号 {c.archive_seq}），由日志证明"
    return "尚未归档，案卷 PDF 为导出时生成，只由本包清单保护，不在日志中"


def _fsync_tree(root: Path) -> None:
    """Files were synced as written; the folders holding them must be too before the rename."""
    for folder, _dirs, _files in os.walk(root):
        fsync_dir(Path(folder))
