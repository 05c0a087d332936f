"""What an export of one case carries, withholds or reports disposed of, decided from its journal.

Every file the case's entries name goes one of four ways, in the order first named: into the
bag, withheld (a confidentiality mark the head did not release, imported history whose original
the source system keeps, or a dossier holding withheld entries), disposed of (a disposal entry
names it), or missing, which refuses the export: a bag never leaves a file out silently.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from sqlalchemy import select

from liuhen.access.marks import Marks
from liuhen.accounts.service import marks_from
from liuhen.archive.dossier import render_dossier
from liuhen.errors import ExportIncomplete, NotFoundError, Problem
from liuhen.journal.entry import EntryRow
from liuhen.kernel.blobs.store import split
from liuhen.kernel.db import store
from liuhen.kernel.instance import App
from liuhen.payloads import JsonObject

ENTRY = store.ENTRY
MEDIA = store.MEDIA

DOSSIER_REASON = "案卷含有不予提供的带保密标记的记录"
IMPORTED_REASON = "导入的历史记录：原件由来源系统保存，不在本系统存储中"


@dataclass(frozen=True, slots=True)
class BagFile:
    """One payload file and the journal entry that vouches for it."""

    path: str  # relative to the bag root, e.g. data/media/ab12cd34ef56-clip.mp4
    digest: str
    role: str  # dossier, document, media, attachment
    seq: int | None  # None only for a dossier generated at export
    name: str
    media_type: str | None = None
    generated: bool = False  # a dossier made at export: in no entry, only in the manifests

    def index_json(self) -> JsonObject:
        """Its item in data/index.json (the key order is the bag's: verifiers hash the file)."""
        generated: JsonObject = {"generated": True} if self.generated else {}
        return {
            "path": self.path, "role": self.role, "seq": self.seq, **generated,
            "digest": self.digest, "name": self.name, "media_type": self.media_type,
        }  # fmt: skip


@dataclass(frozen=True, slots=True)
class Ground:
    """What a withholding rests on, for the verifiers to check against the bag's own entries."""

    basis: str  # mark, imported or dossier
    mark: str | None = None  # the mark's kind, when the basis is a mark that names one

    def as_json(self) -> JsonObject:
        return {"basis": self.basis, **({"mark": self.mark} if self.mark else {})}


@dataclass(frozen=True, slots=True)
class WithheldFile:
    digest: str
    seq: int  # the entry naming it (for a marked file, the one whose own mark covers it)
    reason: str


@dataclass(frozen=True, slots=True)
class DisposedFile:
    digest: str
    seq: int  # the first entry naming it


@dataclass(frozen=True, slots=True)
class Collected:
    case: str
    entries: list[EntryRow]
    files: list[BagFile]
    withheld: list[WithheldFile]
    disposed: list[DisposedFile]
    generated_dossier: bytes | None
    archive_seq: int | None
    redacted: dict[int, str] = field(default_factory=dict)  # seq → why only its leaf hash goes
    grounds: dict[str, Ground] = field(default_factory=dict)  # withheld digest → its ground
    entry_marks: dict[int, str] = field(default_factory=dict)  # redacted seq → mark kind


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
    bodies: dict[int, JsonObject] = {e.seq: json.loads(e.body) for e in entries}
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
            [] if len(missing) > 50 else [Problem(m) for m in missing],
        )
    generated = render_dossier(app, case) if archive_seq is None and not redact else None
    entry_marks = {s: m for s in redact if (m := marks.of_entry(s))}
    return Collected(
        case, entries, list(sorting.files.values()), list(sorting.withheld.values()),
        list(sorting.disposed.values()), generated, archive_seq, dict(redact), sorting.grounds,
        entry_marks,
    )  # fmt: skip


def _disposed_digests(entries: list[EntryRow], bodies: dict[int, JsonObject]) -> set[str]:
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
    bodies: dict[int, JsonObject]
    marks: Marks
    withhold: frozenset[str] | Mapping[str, str]
    withhold_reason: str
    disposed_set: set[str]
    files: dict[str, BagFile] = field(default_factory=dict)
    withheld: dict[str, WithheldFile] = field(default_factory=dict)
    disposed: dict[str, DisposedFile] = field(default_factory=dict)
    grounds: dict[str, Ground] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)

    def add(self, digest: str, seq: int, role: str, name: str, media_type: str | None) -> None:
        if digest in self.files or digest in self.withheld or digest in self.disposed:
            return
        if digest in self.disposed_set:
            self.disposed[digest] = DisposedFile(digest, seq)
        elif digest in self.withhold:
            withhold = self.withhold
            reason = withhold.get(digest) if isinstance(withhold, Mapping) else None
            seq, mark = _marked_by(self.marks, digest, seq)
            self.withheld[digest] = WithheldFile(digest, seq, reason or self.withhold_reason)
            self.grounds[digest] = Ground("mark", mark)
        elif not self.app.blobs.exists(digest):
            if self.bodies[seq].get("imported"):  # history imported from another system, which
                self.withheld[digest] = WithheldFile(digest, seq, IMPORTED_REASON)  # keeps it
                self.grounds[digest] = Ground("imported")
            else:
                self.missing.append(f"序号 {seq}：{digest}")
        else:
            path = _bag_path(role, seq, name, digest)
            self.files[digest] = BagFile(path, digest, role, seq, name, media_type)


def _add_archived_dossier(
    sorting: _Sorting, entries: list[EntryRow], bodies: dict[int, JsonObject], redacting: bool
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
    digest = pdfs[0]["digest"]
    if redacting:
        sorting.withheld[digest] = WithheldFile(digest, latest.seq, DOSSIER_REASON)
        sorting.grounds[digest] = Ground("dossier")
    sorting.add(digest, latest.seq, "dossier", "dossier.pdf", "application/pdf")
    return latest.seq


def _add_entry_files(
    app: App, sorting: _Sorting, entries: list[EntryRow], bodies: dict[int, JsonObject]
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
