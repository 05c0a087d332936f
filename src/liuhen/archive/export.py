"""Export one case for a court or an archive: a BagIt bag (RFC 8493) that proves itself.

The bag holds the files and, more importantly, the journal entries that name them with the
inclusion proofs and signed checkpoint that make those entries trustworthy without liuhen. It is
written beside its destination under a random name and renamed only when complete and synced,
so an interrupted export never leaves something that looks like a finished bag.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import secrets
import shutil
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from sqlalchemy import select

import liuhen
from liuhen import lazy
from liuhen.access.marks import Marks
from liuhen.accounts.service import marks_from
from liuhen.archive.bag_verify import STATEMENT_HEADER
from liuhen.archive.bagverify import SOURCE as VERIFIER_SOURCE
from liuhen.archive.dossier import render_dossier
from liuhen.documents.service import agency_name
from liuhen.durable import fsync_dir
from liuhen.errors import ExportFailed, ExportIncomplete, ExportTargetExists, NotFoundError, Problem
from liuhen.hashing import get_alg
from liuhen.journal import checkpoint as notes
from liuhen.journal import merkle
from liuhen.journal.entry import EntryRow
from liuhen.journal.merkle import NodeId
from liuhen.kernel import proofs
from liuhen.kernel.blobs.store import split
from liuhen.kernel.db import store
from liuhen.kernel.instance import App
from liuhen.kernel.journal import Appended
from liuhen.kernel.record import ActInput, record
from liuhen.procedure.catalog import Role

if TYPE_CHECKING:
    import pycdlib
else:  # only writing a disc image needs it
    pycdlib = lazy.module("pycdlib")

ENTRY = store.ENTRY
MEDIA = store.MEDIA

Progress = Callable[[str, int, int], None]  # (what, done, total)
WITHHELD_REASON = "依保密标记不予提供"
DOSSIER_REASON = "案卷含有不予提供的带保密标记的记录"
IMPORTED_REASON = "导入的历史记录：原件由来源系统保存，不在本系统存储中"


@dataclass(frozen=True)
class BagFile:
    """One payload file and the journal entry that vouches for it."""

    path: str  # relative to the bag root, e.g. data/media/ab12cd34ef56-clip.mp4
    digest: str
    role: str  # dossier, document, media, attachment
    seq: int | None  # None only for a dossier generated at export
    name: str
    media_type: str | None = None


@dataclass
class Collected:
    case: str
    entries: list[EntryRow]
    files: list[BagFile]
    withheld: list[tuple[str, int, str]]  # digest, seq naming it, reason
    disposed: list[tuple[str, int]]
    generated_dossier: bytes | None
    archive_seq: int | None
    redacted: dict[int, str] = field(default_factory=dict)  # seq → why only its leaf hash goes
    # What each withholding rests on, for the verifiers to check against the bag's own entries:
    # digest → {"basis": "mark" | "imported" | "dossier", "mark": kind}; seq → mark kind.
    grounds: dict[str, dict[str, str]] = field(default_factory=dict)
    entry_marks: dict[int, str] = field(default_factory=dict)


@dataclass
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


def _safe(name: str, fallback: str) -> str:
    """An ASCII file name that survives every file system and ISO 9660 with Joliet."""
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    stem = re.sub(r"[^A-Za-z0-9_-]+", "_", stem).strip("_")[:40] or fallback
    ext = re.sub(r"[^A-Za-z0-9]+", "", ext)[:8]
    return f"{stem}.{ext}" if ext else stem


def _rows(app: App, case: str, size: int) -> list[EntryRow]:
    with app.engine.connect() as conn:
        rows = conn.execute(
            select(
                ENTRY.c.seq, ENTRY.c.chain, ENTRY.c.chain_seq, ENTRY.c.act, ENTRY.c.occurred_at,
                ENTRY.c.recorded_at, ENTRY.c.actors, ENTRY.c.body, ENTRY.c.prev_hash,
                ENTRY.c.leaf_hash, ENTRY.c.canonical,
            ).where(ENTRY.c.chain == case, ENTRY.c.seq <= size).order_by(ENTRY.c.seq)
        ).all()  # fmt: skip
    return [
        EntryRow(
            int(r.seq), r.chain, int(r.chain_seq), r.act, r.occurred_at, r.recorded_at,
            r.actors, r.body, bytes(r.prev_hash) if r.prev_hash is not None else None,
            bytes(r.leaf_hash), bytes(r.canonical),
        )
        for r in rows
    ]  # fmt: skip


def _media_names(app: App, digests: Iterable[str]) -> dict[str, tuple[str, str | None]]:
    wanted = list(digests)
    if not wanted:
        return {}
    with app.engine.connect() as conn:
        rows = conn.execute(
            select(MEDIA.c.digest, MEDIA.c.name, MEDIA.c.media_type).where(
                MEDIA.c.digest.in_(wanted)
            )
        ).all()
    return {r.digest: (r.name, r.media_type) for r in rows}


def collect(
    app: App,
    case: str,
    size: int,
    withhold: frozenset[str] | Mapping[str, str],
    withhold_reason: str,
    redact: Mapping[int, str] | None = None,
) -> Collected:
    """Decide every file of the bag from the journal alone, and refuse if one cannot be had."""
    entries = _rows(app, case, size)
    if not entries:
        raise NotFoundError(f"案件“{case}”不存在或没有记录")
    bodies = {e.seq: json.loads(e.body) for e in entries}
    marks = marks_from({"seq": e.seq, "act": e.act, **bodies[e.seq]} for e in entries)
    # A mark entry is never withheld: the verifiers fold the marks from the bag's entries to
    # check every withholding, so a hidden mark (or a hidden lift) would make that check blind.
    mark_seqs = {e.seq for e in entries if e.act == "general.confidentiality"}
    redact = {
        s: why for s, why in (redact or {}).items() if s in bodies and s not in mark_seqs
    }  # fmt: skip
    sorting = _Sorting(
        app, bodies, marks, withhold, withhold_reason, _disposed_digests(entries, bodies)
    )
    archive_seq = _add_archived_dossier(sorting, entries, bodies, bool(redact))
    _add_entry_files(app, sorting, entries, bodies)
    if sorting.missing:
        missing = sorting.missing
        raise ExportIncomplete(
            f"案件“{case}”有 {len(missing)} 个记录所载的文件不在存储中，且无销毁记录，未导出",
            [] if len(missing) > 50 else [_problem(m) for m in missing],
        )
    generated = render_dossier(app, case) if archive_seq is None and not redact else None
    entry_marks = {s: m for s in redact if (m := marks.of_entry(s))}
    return Collected(
        case, entries, list(sorting.files.values()), list(sorting.withheld.values()),
        list(sorting.disposed.values()), generated, archive_seq, dict(redact), sorting.grounds,
        entry_marks,
    )  # fmt: skip


def _disposed_digests(entries: list[EntryRow], bodies: dict[int, Any]) -> set[str]:
    disposed: set[str] = set()
    for e in entries:
        if e.act == "archiving.disposal":
            disposed.update(bodies[e.seq]["fields"].get("digests") or [])
    return disposed


def _bag_path(role: str, seq: int, name: str, digest: str) -> str:
    hexd = split(digest)[1]
    if role == "dossier":
        return "data/dossier.pdf"
    if role == "document":
        return f"data/documents/{seq}-{_safe(name, 'document')}"
    if role == "media":
        return f"data/media/{hexd[:12]}-{_safe(name, 'media')}"
    return f"data/attachments/{seq}-{hexd[:12]}-{_safe(name, 'file')}"


@dataclass
class _Sorting:
    """Where each file the entries name goes, in the order first named: into the bag, withheld,
    disposed, or missing (which refuses the export)."""

    app: App
    bodies: dict[int, Any]
    marks: Marks
    withhold: frozenset[str] | Mapping[str, str]
    withhold_reason: str
    disposed_set: set[str]
    files: dict[str, BagFile] = field(default_factory=dict)
    withheld: dict[str, tuple[str, int, str]] = field(default_factory=dict)
    disposed: dict[str, tuple[str, int]] = field(default_factory=dict)
    grounds: dict[str, dict[str, str]] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)

    def add(self, digest: str, seq: int, role: str, name: str, media_type: str | None) -> None:
        if digest in self.files or digest in self.withheld or digest in self.disposed:
            return
        if digest in self.disposed_set:
            self.disposed[digest] = (digest, seq)
        elif digest in self.withhold:
            withhold = self.withhold
            reason = withhold.get(digest) if isinstance(withhold, Mapping) else None
            seq, mark = _marked_by(self.marks, digest, seq)
            self.withheld[digest] = (digest, seq, reason or self.withhold_reason)
            self.grounds[digest] = {"basis": "mark", **({"mark": mark} if mark else {})}
        elif not self.app.blobs.exists(digest):
            if self.bodies[seq].get("imported"):  # history imported from another system, which
                self.withheld[digest] = (digest, seq, IMPORTED_REASON)  # keeps the original file
                self.grounds[digest] = {"basis": "imported"}
            else:
                self.missing.append(f"序号 {seq}：{digest}")
        else:
            path = _bag_path(role, seq, name, digest)
            self.files[digest] = BagFile(path, digest, role, seq, name, media_type)


def _add_archived_dossier(
    sorting: _Sorting, entries: list[EntryRow], bodies: dict[int, Any], redacting: bool
) -> int | None:
    """The latest archive entry's PDF, when there is one: its seq, else None."""
    archives = [e for e in entries if e.act == "archiving.archive"]
    if not archives:
        return None
    latest = archives[-1]
    pdfs = [
        a
        for a in bodies[latest.seq]["attachments"]
        if a.get("media_type") == "application/pdf" or a.get("name", "").endswith(".pdf")
    ]
    if not pdfs:
        return None
    if redacting:
        sorting.withheld[pdfs[0]["digest"]] = (pdfs[0]["digest"], latest.seq, DOSSIER_REASON)
        sorting.grounds[pdfs[0]["digest"]] = {"basis": "dossier"}
    sorting.add(pdfs[0]["digest"], latest.seq, "dossier", "dossier.pdf", "application/pdf")
    return latest.seq


def _add_entry_files(
    app: App, sorting: _Sorting, entries: list[EntryRow], bodies: dict[int, Any]
) -> None:
    """Documents and media first, in journal order, then every entry's attachments."""
    media_digests = [bodies[e.seq]["fields"]["digest"] for e in entries if e.act == "general.media"]
    names = _media_names(app, media_digests)
    for e in entries:
        fields = bodies[e.seq]["fields"]
        if e.act == "general.document" and fields.get("digest"):
            sorting.add(
                fields["digest"], e.seq, "document", f"{fields['doc_type']}.pdf", "application/pdf"
            )
        elif e.act == "general.media":
            name, media_type = names.get(fields["digest"], (fields["digest"], None))
            sorting.add(fields["digest"], e.seq, "media", name, media_type)
    for e in entries:
        for a in bodies[e.seq]["attachments"]:
            sorting.add(
                a["digest"], e.seq, "attachment", a.get("name") or "file", a.get("media_type")
            )


def _marked_by(marks: Marks, digest: str, seq: int) -> tuple[int, str | None]:
    """The mark a withheld file bears and the entry to cite: one whose own mark covers it, so a
    verifier sees why (the first entry naming the file need not be the marked one)."""
    mark = marks.of_file(digest)
    for s, files in sorted(marks.files_of.items()):
        own = marks.by_target.get(str(s))
        if digest in files and own is not None and own[0] == mark:
            return s, mark
    return seq, mark


def _problem(text: str) -> Any:
    return Problem(text)


def _earliest_covering(app: App, seq: int) -> proofs.SignedCheckpoint:
    cp = store.CHECKPOINT
    with app.engine.connect() as conn:
        row = (
            conn.execute(select(cp).where(cp.c.tree_size >= seq).order_by(cp.c.tree_size).limit(1))
            .mappings()
            .one()
        )
    return proofs.SignedCheckpoint(
        int(row["tree_size"]), bytes(row["root"]), row["note"], row["signed_at"]
    )


class _Writer:
    """Writes files under the partial folder, hashing as it goes for every manifest algorithm."""

    def __init__(self, root: Path, algs: list[str], app: App) -> None:
        self.root = root
        self.algs = algs
        self.app = app
        self.payload: dict[str, dict[str, str]] = {}  # path -> alg -> hex
        self.octets = 0

    def _hashers(self) -> dict[str, Any]:
        return {a: get_alg(a).new() for a in self.algs}

    def write(self, rel: str, chunks: Iterable[bytes]) -> dict[str, str]:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        hashers = self._hashers()
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


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2) + "\n"


def _manifest(sums: dict[str, dict[str, str]], alg: str) -> str:
    return "".join(f"{s[alg]}  {p}\n" for p, s in sorted(sums.items()))


def manifest_algorithms(app: App) -> list[str]:
    """SHA-256 always (every BagIt tool knows it); SM3 too for national-cryptography deployments."""
    return ["sha256", "sm3"] if app.alg.name == "sm3" or app.settings.export_sm3 else ["sha256"]


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
    result.path = out
    return result


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
    w = _Writer(root, algs, app)
    cp_a = _earliest_covering(app, c.entries[-1].seq)
    total = len(c.files) + len(c.entries) + 2 + (c.generated_dossier is not None)
    done = 0

    def tick(what: str) -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(what, done, total)

    index_files = _write_payload(app, w, c, tick)
    entries_sums = w.write("data/journal/entries.jsonl", _entry_lines(c))
    _write_proofs(app, w, c, cp_a, latest, tick)
    _write_index(app, w, c, index_files, entries_sums)
    tick("日志与证明")
    access = _record_access(app, c, accessor, purpose, index_files)
    dossier_note = _dossier_note(c)
    _write_tags(app, w, c, cp_a, latest, dossier_note, access.seq)
    tick("清单")
    return ExportResult(
        path=root, entries=len(c.entries), files=len(w.payload), octets=w.octets,
        checkpoint_size=cp_a.tree_size, latest_size=latest.tree_size, access_seq=access.seq,
        dossier="不予提供" if c.redacted else "归档记录" if c.archive_seq else "导出时生成",
        withheld=[d for d, _, _ in c.withheld], disposed=[d for d, _ in c.disposed],
        reasons={d: r for d, _, r in c.withheld},
    )  # fmt: skip


def _write_payload(
    app: App, w: _Writer, c: Collected, tick: Callable[[str], None]
) -> list[dict[str, Any]]:
    """The dossier and every stored file, each checked against its digest as it is copied."""
    index_files: list[dict[str, Any]] = []
    if c.generated_dossier is not None:
        w.write("data/dossier.pdf", [c.generated_dossier])
        index_files.append({
            "path": "data/dossier.pdf", "role": "dossier", "seq": None, "generated": True,
            "digest": f"{app.alg.name}:{app.alg.digest(c.generated_dossier).hex()}",
            "name": "案卷.pdf", "media_type": "application/pdf",
        })  # fmt: skip
        tick("案卷")
    for f in c.files:
        sums = w.write(f.path, app.blobs.read(f.digest))
        _check_copied(app, w.root / f.path, f.digest, sums)
        index_files.append({
            "path": f.path, "role": f.role, "seq": f.seq, "digest": f.digest,
            "name": f.name, "media_type": f.media_type,
        })  # fmt: skip
        tick(f.path)
    return index_files


def _check_copied(app: App, path: Path, digest: str, sums: dict[str, str]) -> None:
    alg, hexd = split(digest)
    if alg in sums and sums[alg] != hexd:
        raise ExportFailed(f"存储中的文件 {digest} 与其摘要不符：存储已损坏，未导出")
    if alg not in sums:
        actual = _file_digest(app, path, alg)
        if actual != hexd:
            raise ExportFailed(f"存储中的文件 {digest} 与其摘要不符：存储已损坏，未导出")


def _entry_lines(c: Collected) -> list[bytes]:
    lines = []
    for e in c.entries:
        line: dict[str, Any] = {
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
    w: _Writer,
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
    w.text("data/journal/proofs.json", _json({
        "hash": app.alg.name, "tree_size": cp_a.tree_size, "root": cp_a.root.hex(),
        "proofs": inclusion,
    }))  # fmt: skip
    w.text("data/journal/checkpoint.txt", cp_a.note)
    w.text("data/journal/checkpoint-latest.txt", latest.note)
    if cp_a.tree_size < latest.tree_size:
        consistency = proofs.consistency(app, cp_a.tree_size, latest.tree_size)
    else:
        consistency = {
            "old_size": cp_a.tree_size, "new_size": latest.tree_size, "hash": app.alg.name,
            "old_root": cp_a.root.hex(), "new_root": latest.root.hex(), "path": [],
        }  # fmt: skip
    w.text("data/journal/consistency.json", _json(consistency))
    public = app.key.public_key()
    pem = public.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo).decode()
    w.text("data/journal/public-key.txt", notes.verifier_key(app.origin, public) + "\n" + pem)


def _write_index(
    app: App,
    w: _Writer,
    c: Collected,
    index_files: list[dict[str, Any]],
    entries_sums: dict[str, str],
) -> None:
    """index.json, withheld.json and the signed statement over what is withheld."""
    w.text("data/index.json", _json({
        "case": c.case, "origin": app.origin, "hash": app.alg.name,
        "dossier": {"source": "generated" if c.archive_seq is None else "archive",
                    "seq": c.archive_seq},
        "files": index_files,
    }))  # fmt: skip
    withheld_sums = w.text("data/withheld.json", _json({
        "files": [{"digest": d, "seq": s, "reason": r, **c.grounds.get(d, {})}
                  for d, s, r in c.withheld],
        "entries": [{"seq": s, "reason": r, **({"mark": c.entry_marks[s]}
                                               if s in c.entry_marks else {})}
                    for s, r in sorted(c.redacted.items())],
        "disposed": [{"digest": d, "seq": s} for d, s in c.disposed],
    }))  # fmt: skip
    w.text("data/journal/withholding.txt", withholding_statement(
        app.origin, app.key, c.case, entries_sums["sha256"], withheld_sums["sha256"]
    ))  # fmt: skip


def _record_access(
    app: App,
    c: Collected,
    accessor: dict[str, str],
    purpose: str,
    index_files: list[dict[str, Any]],
) -> Appended:
    """The copy is itself journalled, naming every file it carries."""
    materials = [
        f"日志记录 {len(c.entries)} 条（序号 {c.entries[0].seq}–{c.entries[-1].seq}）及其证明"
    ]
    materials += [f"{f['path']}（{f['digest']}）" for f in index_files]
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


def _write_tags(
    app: App,
    w: _Writer,
    c: Collected,
    cp_a: proofs.SignedCheckpoint,
    latest: proofs.SignedCheckpoint,
    dossier_note: str,
    access_seq: int,
) -> None:
    """The BagIt tag files: README, the verifier, bagit.txt, bag-info.txt and the manifests."""
    algs, root = w.algs, w.root
    w.text("README.txt", readme(c.case, dossier_note, algs))
    w.write("verify_bag.py", [VERIFIER_SOURCE.read_bytes()])
    w.text("bagit.txt", "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n")
    info = [
        ("Source-Organization", agency_name(app, c.case)),
        ("External-Identifier", c.case),
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


def _file_digest(app: App, path: Path, alg: str) -> str:
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


def _fsync_tree(root: Path) -> None:
    """Files were synced as written; the folders holding them must be too before the rename."""
    for folder, _dirs, _files in os.walk(root):
        fsync_dir(Path(folder))


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


def write_iso(bag: Path, iso: Path, volume: str) -> None:
    """An ISO 9660 image of the bag with Joliet and Rock Ridge names, for burning to disc.

    Plain ISO 9660 names are short and upper-case, so they are generated; the real names live in
    the Rock Ridge (Unix) and Joliet (Windows) records every current system reads.
    """
    if iso.exists() or iso.is_symlink():
        raise ExportTargetExists(f"目标“{iso}”已存在：不会覆盖")
    image = pycdlib.PyCdlib()
    image.new(interchange_level=3, joliet=3, rock_ridge="1.09", vol_ident=volume)
    iso_dirs = {".": ""}
    counter = 0
    handles = []
    partial = iso.with_name(f"{iso.name}.partial-{secrets.token_hex(6)}")
    try:
        for folder, dirs, files in os.walk(bag):
            dirs.sort()
            rel = Path(folder).relative_to(bag)
            parent = iso_dirs[rel.as_posix()]
            for d in dirs:
                counter += 1
                path = f"{parent}/D{counter:06d}"
                iso_dirs[(rel / d).as_posix()] = path
                image.add_directory(path, rr_name=d, joliet_path="/" + (rel / d).as_posix())
            for f in sorted(files):
                counter += 1
                fh = open(Path(folder) / f, "rb")  # noqa: SIM115 (closed after the write)
                handles.append(fh)
                image.add_fp(
                    fh, os.fstat(fh.fileno()).st_size, f"{parent}/F{counter:06d}.;1",
                    rr_name=f, joliet_path="/" + (rel / f).as_posix(),
                )  # fmt: skip
        image.write(str(partial))
        with open(partial, "rb+") as out:
            os.fsync(out.fileno())
        os.rename(partial, iso)
        fsync_dir(iso.parent)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        image.close()
        for fh in handles:
            fh.close()


def volume_id(case: str) -> str:
    """The volume label: ISO 9660 allows 32 d-characters, but Joliet holds only 16 UCS-2 ones,
    so the case number's ASCII part is cut short and a digest of the whole keeps it unique."""
    ascii_part = re.sub(r"[^A-Z0-9]+", "_", case.upper()).strip("_")[:7]
    tail = hashlib.sha256(case.encode("utf-8")).hexdigest()[:8].upper()
    return f"{ascii_part}_{tail}" if ascii_part else f"LH_{tail}"
