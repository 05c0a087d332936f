"""The dossier (案卷) of a case as one PDF: cover, 卷内文件目录, the filed documents' own pages
in archive order, the journal listing that is its backbone, and the 备考表.

The documents are copied page for page out of their signed originals; the copies are for
reading, the originals (and their PAdES signatures) stay in storage under their digests, which
the directory, the journal listing and the 备考表 all name. A copy carries none of the
original's signature fields (their byte ranges name the original file: a validator would call
every copied signature altered) and says so at the top of each page; when the archivist holds a
signing certificate, the dossier as a whole carries his PAdES signature instead.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field, fields, replace
from typing import TYPE_CHECKING

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from sqlalchemy import select

from liuhen import lazy
from liuhen.archive import retention
from liuhen.compliance import service as compliance
from liuhen.documents.service import copy_note, render_part, without_signatures
from liuhen.errors import IntegrityError, NotArchived, NotFoundError
from liuhen.kernel import proofs
from liuhen.kernel.db import store
from liuhen.kernel.instance import App
from liuhen.payloads import JsonObject
from liuhen.procedure import dossier as order
from liuhen.procedure.catalog import CATEGORY_LABELS, ROLE_LABELS, Category, Role, act_type
from liuhen.signing import service as signing

if TYPE_CHECKING:
    import pypdf
else:  # ~0.1 s of start-up that only assembling a dossier needs
    pypdf = lazy.module("pypdf")

CASE = store.CASE
UNIT = store.UNIT
AGENCY = store.AGENCY
OFFICER = store.OFFICER
MEDIA = store.MEDIA
ENTRY = store.ENTRY
SIGNING_KEY = store.SIGNING_KEY


@dataclass(frozen=True)
class Meta:
    """What the archivist decides when filing; blank on a preview of an unfiled case."""

    dossier_no: str
    retention: str
    archivist: str
    checker: str
    archived_on: str  # YYYY-MM-DD, or "" before filing


@dataclass(frozen=True)
class Dossier:
    pdf: bytes
    pages: int  # every page of the PDF
    file_pages: int  # pages of the filed documents (页号 1…file_pages)
    rows: list[order.Row]
    volumes: int


def _pdf_pages(data: bytes) -> int:
    return len(pypdf.PdfReader(io.BytesIO(data)).pages)


@dataclass(frozen=True, slots=True)
class CaseHeader:
    """What the cover reads of the case (the template shows ``number`` and ``cause``)."""

    number: str
    cause: str
    category: str
    opened_at: str
    parties: list[JsonObject]  # as the case row stores them; the cover names each
    agency_name: str | None  # None when the case's unit names no known agency


@dataclass(frozen=True, slots=True)
class JournalEntry:
    """One entry of the case: its document, and the leaf hash the listing cites."""

    doc: JsonObject
    leaf: bytes


@dataclass(frozen=True, slots=True)
class ListedEntry:
    """One line of the journal listing, as shown."""

    seq: str
    when: str
    label: str
    by: str
    leaf: str  # the leaf hash's first 16 hex digits


def _case(app: App, case: str) -> CaseHeader:
    with app.engine.connect() as conn:
        row = conn.execute(
            select(
                CASE.c.number, CASE.c.cause, CASE.c.category, CASE.c.opened_at, CASE.c.parties,
                AGENCY.c.name.label("agency_name"),
            )
            .select_from(
                CASE.outerjoin(UNIT, UNIT.c.code == CASE.c.unit).outerjoin(
                    AGENCY, AGENCY.c.code == UNIT.c.agency
                )
            )
            .where(CASE.c.number == case)
        ).first()  # fmt: skip
    if row is None:
        raise NotFoundError(f"案件“{case}”不存在")
    parties = json.loads(row.parties) if isinstance(row.parties, str) else []
    return CaseHeader(row.number, row.cause, row.category, row.opened_at, parties, row.agency_name)


def _entries(app: App, case: str) -> list[JournalEntry]:
    with app.engine.connect() as conn:
        rows = conn.execute(
            select(ENTRY.c.canonical, ENTRY.c.leaf_hash)
            .where(ENTRY.c.chain == case)
            .order_by(ENTRY.c.seq)
        ).all()
    return [JournalEntry(json.loads(bytes(data)), bytes(leaf)) for data, leaf in rows]


def _names(app: App) -> dict[str, str]:
    with app.engine.connect() as conn:
        return {r.cert_no: r.name for r in conn.execute(select(OFFICER.c.cert_no, OFFICER.c.name))}


def covering_checkpoint(app: App, last_seq: int) -> proofs.SignedCheckpoint | None:
    """The first signed checkpoint whose tree holds every entry of the case: the one the
    备考表 names, and the one an export proves the case's entries into."""
    cp = store.CHECKPOINT
    with app.engine.connect() as conn:
        row = conn.execute(
            select(cp.c.tree_size, cp.c.root, cp.c.note, cp.c.signed_at)
            .where(cp.c.tree_size >= last_seq)
            .order_by(cp.c.tree_size)
            .limit(1)
        ).first()
    if row is None:
        return None
    return proofs.SignedCheckpoint(int(row.tree_size), bytes(row.root), row.note, row.signed_at)


def _backbone(entries: list[JournalEntry], names: dict[str, str]) -> list[ListedEntry]:
    out = []
    for entry in entries:
        doc, leaf = entry.doc, entry.leaf
        spec = act_type(doc["act"])
        by = (doc["body"] or {}).get("recorded_by") or {}
        who = str(by.get("id") or "")
        role = by.get("role")
        label = ROLE_LABELS.get(Role(role), role) if role in {r.value for r in Role} else role
        out.append(
            ListedEntry(
                seq=str(doc["seq"]),
                when=doc["occurred_at"][:16].replace("T", " "),
                label=spec.label if spec else doc["act"],
                by=f"{names.get(who, who)}（{label}）" if label else names.get(who, who),
                leaf=leaf.hex()[:16],
            )
        )
    return out


def meta_of(app: App, case: str) -> Meta:
    """The filed values of an archived case, or blanks and the pack's period for a preview."""
    try:
        state = retention.status(app, case)
    except NotArchived:  # a preview of a case not yet filed
        rc = compliance.evaluate_case(app, case).retention
        return Meta("（未归档）", retention.default_period(rc), "", "", "")
    archive = next(
        e
        for e in retention.archiving_entries(app, case, ("archiving.archive",))
        if e.seq == state.archive_seq
    )
    f = archive.fields
    return Meta(f["dossier_no"], f["retention"], f["archivist"], f.get("checker") or "",
                f["archived_on"])  # fmt: skip


def build(app: App, case: str, meta: Meta | None = None, sign_as: str | None = None) -> Dossier:
    """Assemble the dossier; ``meta`` is given while archiving (the entry does not exist yet).

    ``sign_as`` is the archivist's cert_no while filing: with an issued key he signs the whole
    dossier (PAdES); without one, the dossier has no signature fields at all.
    """
    info = _case(app, case)
    meta = meta or meta_of(app, case)
    entries = _entries(app, case)
    docs = [e.doc for e in entries]
    agency = info.agency_name or "行政执法机关"
    files = order.items(docs, agency, _case_media_names(app, case))
    gone = retention.disposals(app)
    originals, pages = _originals(app, files, gone)
    rows = order.directory(files, pages)
    file_pages = sum(pages.get(r.item.digest, 0) for r in rows if r.item.kind == "document")
    media_rows = [r.item for r in rows if r.item.kind in ("media", "attachment")]
    records = sum(1 for r in rows if r.item.kind == "record")
    documents = [r for r in rows if r.item.kind == "document"]
    checkpoint = covering_checkpoint(app, docs[-1]["seq"] if docs else 0)
    shown = _pages(info, agency, meta, rows, docs, gone, originals)
    shown = replace(shown, entries=_backbone(entries, _names(app)), media=media_rows)
    front = render_part("front", shown.context())
    front_pages = _pdf_pages(front)
    total = 0
    back = b""
    for _attempt in range(3):  # the 备考表 states the total, which includes its own pages
        shown = replace(shown, note_lines=_note_lines(
            len(documents), file_pages, len(media_rows), total, checkpoint, docs, gone, records
        ))  # fmt: skip
        back = render_part("back", shown.context())
        new_total = front_pages + file_pages + _pdf_pages(back)
        if new_total == total:
            break
        total = new_total
    pdf = _assemble(case, front, back, documents, originals, gone, docs, shown)
    if sign_as is not None:
        pdf = _signed(app, pdf, sign_as, meta.archivist)
    return Dossier(pdf, _pdf_pages(pdf), file_pages, rows, order.volumes_used(rows))


def _case_media_names(app: App, case: str) -> dict[str, str]:
    with app.engine.connect() as conn:
        return {
            r.digest: r.name
            for r in conn.execute(
                select(MEDIA.c.digest, MEDIA.c.name).where(MEDIA.c.case_number == case)
            )
        }


def _originals(
    app: App, files: list[order.Item], gone: dict[str, int]
) -> tuple[dict[str, bytes], dict[str, int]]:
    """Each stored document's bytes, and every document's page count in the dossier."""
    originals: dict[str, bytes] = {}
    pages: dict[str, int] = {}
    for item in files:
        if item.kind != "document":
            continue
        if item.digest in gone or not app.blobs.exists(item.digest):
            pages[item.digest] = 1  # a page saying what was here and where its proof is
            continue
        originals[item.digest] = b"".join(app.blobs.read(item.digest))
        pages[item.digest] = _pdf_pages(originals[item.digest])
    return originals, pages


@dataclass(frozen=True, slots=True)
class _Pages:
    """What the cover, directory, journal listing and 备考表 show, by the templates' names."""

    case: CaseHeader
    agency: str
    parties: str
    category: str
    opened_on: str
    closed_on: str
    meta: Meta
    rows: list[order.Row]
    sections: list[tuple[str, list[order.Row]]]
    volumes: int
    volume_names: list[str]
    notes: dict[int, str]  # 顺序号 → 备注
    entries: list[ListedEntry] = field(default_factory=list)
    media: list[order.Item] = field(default_factory=list)
    note_lines: list[str] = field(default_factory=list)

    def context(self, **page: object) -> dict[str, object]:
        """The templates' variables, with those of one page (``row``, ``disposal_seq``…)."""
        return {f.name: getattr(self, f.name) for f in fields(self)} | page


def _pages(
    info: CaseHeader,
    agency: str,
    meta: Meta,
    rows: list[order.Row],
    docs: list[JsonObject],
    gone: dict[str, int],
    originals: dict[str, bytes],
) -> _Pages:
    closing = next((d for d in docs if d["act"] == "archiving.closing"), None)
    category = (
        CATEGORY_LABELS.get(Category(info.category), info.category)
        if info.category in {c.value for c in Category}
        else info.category or ""
    )
    return _Pages(
        case=info,
        agency=agency,
        parties="、".join(p.get("name", "") for p in info.parties),
        category=category,
        opened_on=(info.opened_at or "")[:10],
        closed_on=(closing["body"]["fields"].get("closed_on") if closing else "") or "",
        meta=meta,
        rows=rows,
        sections=[
            (v, [r for r in rows if r.item.volume == v])
            for v in order.VOLUMES
            if any(r.item.volume == v for r in rows)
        ],
        volumes=order.volumes_used(rows),
        volume_names=[v for v in order.VOLUMES if any(r.item.volume == v for r in rows)]
        or [order.MAIN],
        notes={r.position: _row_note(r, gone, originals) for r in rows},
    )


def _assemble(
    case: str,
    front: bytes,
    back: bytes,
    documents: list[order.Row],
    originals: dict[str, bytes],
    gone: dict[str, int],
    docs: list[JsonObject],
    shown: _Pages,
) -> bytes:
    """Front matter, each document (a reading copy, or a page saying why it is not there) and
    the 备考表, as one PDF."""
    writer = pypdf.PdfWriter()
    writer.append(pypdf.PdfReader(io.BytesIO(front)))
    imported = {
        d["seq"]: str(((d["body"] or {}).get("imported") or {}).get("source") or "") for d in docs
    }
    for r in documents:
        data = originals.get(r.item.digest)
        if data is not None:
            data = _reading_copy(data, r.item)
        elif r.item.digest in gone:  # only a journaled disposal makes a file "destroyed"
            data = render_part("gone", shown.context(row=r, disposal_seq=gone[r.item.digest]))
        else:
            data = render_part(
                "missing", shown.context(row=r, imported=imported.get(r.item.seq, ""))
            )
        writer.append(pypdf.PdfReader(io.BytesIO(data)))
    writer.append(pypdf.PdfReader(io.BytesIO(back)))
    meta = shown.meta
    writer.add_metadata({"/Title": f"案卷 {case}", "/Subject": f"归档号 {meta.dossier_no}"})
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def _reading_copy(original: bytes, item: order.Item) -> bytes:
    """The document's pages without its signature fields, each page saying where the signed
    original is, so the dossier never shows a signature whose bytes are elsewhere."""
    writer = pypdf.PdfWriter(clone_from=io.BytesIO(original))
    short = f"{item.digest[:19]}…"
    if without_signatures(writer):
        text = (f"本页为电子签名文书的副本，电子签名原件见文书文件 {short}"
                f"（日志记录序号 {item.seq}）")  # fmt: skip
    else:
        text = f"本页为文书文件 {short} 的副本（日志记录序号 {item.seq}）"
    note = pypdf.PdfReader(io.BytesIO(copy_note(text))).pages[0]
    note_height = float(note.mediabox.height)
    for page in writer.pages:
        box = page.mediabox  # the note keeps to the top edge whatever the page's size
        at = pypdf.Transformation().translate(float(box.left), float(box.top) - note_height)
        page.merge_transformed_page(note, at, over=True)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def _signed(app: App, pdf: bytes, cert_no: str, name: str) -> bytes:
    """The dossier signed by the archivist (PAdES), or unchanged if he holds no certificate."""
    with app.engine.connect() as conn:
        recorded = conn.execute(
            select(SIGNING_KEY.c.fingerprint).where(SIGNING_KEY.c.cert_no == cert_no)
        ).scalar()
    if recorded is None or signing.journaled_ca(app) is None:
        return pdf
    key_pem, cert_pem = signing.authority(app).person(cert_no)
    if x509.load_pem_x509_certificate(cert_pem).fingerprint(hashes.SHA256()).hex() != recorded:
        raise IntegrityError(f"{cert_no} 的签名证书与日志记录不符，拒绝签署案卷")
    ca_pem = signing.ca_pem(app)
    signed = signing.sign_pdf(pdf, key_pem, cert_pem, ca_pem, "sig-archivist", "立卷归档", name)
    statuses = signing.validate_pdf(signed, ca_pem, app.clock.now())
    if len(statuses) != 1 or not statuses[0].valid:
        raise IntegrityError("案卷签名验证未通过，未归档")
    return signed


def _row_note(row: order.Row, gone: dict[str, int], originals: dict[str, bytes]) -> str:
    if row.item.digest in gone:
        return f"已销毁（序号 {gone[row.item.digest]}）"
    if row.item.kind == "document" and row.item.digest not in originals:
        return "原件不在本系统存储中"
    return row.item.note


def _note_lines(
    documents: int,
    file_pages: int,
    media: int,
    total: int,
    checkpoint: proofs.SignedCheckpoint | None,
    docs: list[JsonObject],
    gone: dict[str, int],
    records: int = 0,
) -> list[str]:
    lines = [
        f"本卷共有卷内文件 {documents} 件，计 {file_pages} 页（页号 1–{file_pages}）；"
        f"音像记录及附件 {media} 个（电子文件，摘要见下）。",
        f"本案卷 PDF 共 {total} 页，含封面、卷内文件目录、案件日志与备考表。"
        "卷内文书为签名原件的复制页，签名原件按摘要保存在执法信息系统中。",
        f"本案日志共 {len(docs)} 条记录（序号 {docs[0]['seq']}–{docs[-1]['seq']}）。"
        if docs
        else "本案尚无日志记录。",
    ]
    if checkpoint:
        lines.append(
            f"上述记录均包含在 {checkpoint.signed_at[:19].replace('T', ' ')} 签署的检查点中"
            f"（树大小 {checkpoint.tree_size}，"
            f"根哈希 {checkpoint.root.hex()[:16]}…），"
            "可离线证明其存在且未被改动。"
        )
    else:
        lines.append("尚无包含本案全部记录的签名检查点；归档时将签署。")
    if records:
        lines.append(
            f"另有 {records} 份文书只见于日志记录、未存文书文件（见卷内文件目录备注），不占页号。"
        )
    own = [d for d in gone if any(d == (doc["body"]["fields"] or {}).get("digest") for doc in docs)]
    if own:
        lines.append(f"其中 {len(own)} 个文件已按保管期限销毁，日志仍以摘要证明其曾经存在。")
    return lines


def render_dossier(app: App, case: str) -> bytes:
    """The dossier PDF of a case: as filed when archived, otherwise a preview."""
    return build(app, case).pdf
