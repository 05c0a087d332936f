"""The order of a dossier (案卷): which file goes in which volume, in what sequence, on which pages.

Pure: it takes the case's journal entries (as their entry documents) and returns the rows of the
卷内文件目录. The journal is the backbone: every file in the dossier is found through the entry
that recorded it, so a file the journal does not know cannot be bound into a case, and a file the
journal records cannot be left out without the directory showing the gap.

Order follows the case's procedure, not the day a file happened to be recorded: each file takes
the stage the case had reached when the act it records was journaled, then the act's own time.
The 正卷 holds what the party saw and what decided the case (notices, decisions, transcripts,
evidence records); the 副卷 holds the agency's internal working papers (approval forms, legal
review opinions, collective discussion records), which are not shown to the party.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from liuhen.payloads import FieldValues, JsonObject
from liuhen.procedure.catalog import CASE_STAGES, DOCUMENT_TYPES, act_type
from liuhen.procedure.fields import Block

MAIN = "正卷"
SUB = "副卷"
VOLUMES: tuple[str, ...] = (MAIN, SUB)

# Internal working papers: the 副卷 (审批表, 法制审核, 集体讨论).
INTERNAL_DOC_TYPES: frozenset[str] = frozenset(
    {
        "filing_approval",
        "not_opened_approval",
        "case_handling_approval",
        "legal_review_opinion",
        "collective_discussion_record",
        "closing_approval",
        "preservation_approval",
        "seal_approval",
        "coercion_extension_approval",
        "disclosure_approval",
    }
)
# Made when the dossier is made; an issued copy of either is not a file of the case.
DOSSIER_DOC_TYPES: frozenset[str] = frozenset({"dossier_index", "dossier_note"})
# Records the officers themselves wrote and signed: their 责任者 is the officers, not the agency.
OFFICER_AUTHORED: frozenset[str] = frozenset(
    {
        "inquiry_record",
        "inspection_record",
        "sampling_voucher",
        "preservation_list",
        "seal_list",
        "statement_record",
        "hearing_record",
        "collective_discussion_record",
        "service_receipt",
    }
)
_SIGNING_ROLES = (
    Block.OFFICER,
    Block.HOST,
    Block.RECORDER,
    Block.SERVER,
    Block.REVIEWER,
    Block.APPROVER,
)
MEDIA_LABELS = {"video": "视频", "audio": "录音", "photo": "照片"}
_STAGE_RANK = {s.value: i for i, s in enumerate(CASE_STAGES)}


@dataclass(frozen=True)
class Item:
    """One file of the case, before it is numbered: a signed document or an evidence file."""

    volume: str
    kind: str  # "document" | "media" | "attachment" | "record" (a document known by its entry)
    seq: int  # the entry that recorded the file
    digest: str
    number: str  # 文号
    responsible: str  # 责任者
    title: str  # 题名
    day: str  # YYYY-MM-DD
    note: str
    order: tuple[int, str, int]


@dataclass(frozen=True)
class Row:
    """A line of the 卷内文件目录; ``first``/``last`` are dossier page numbers (None: no pages)."""

    position: int  # 顺序号
    item: Item
    first: int | None
    last: int | None

    @property
    def pages(self) -> str:
        if self.first is None or self.last is None:
            return ""
        return str(self.first) if self.first == self.last else f"{self.first}–{self.last}"


def _day(value: Any) -> str:
    return value[:10] if isinstance(value, str) and len(value) >= 10 else ""


def _stage_ranks(entries: list[JsonObject]) -> dict[int, int]:
    """For each entry, the furthest stage the case had reached when it was journaled."""
    ranks: dict[int, int] = {}
    reached = 0
    for e in entries:
        spec = act_type(e["act"])
        if spec is not None and spec.stage.value in _STAGE_RANK:
            reached = max(reached, _STAGE_RANK[spec.stage.value])
        ranks[e["seq"]] = reached
    return ranks


def _fields(entry: JsonObject) -> FieldValues:
    return (entry.get("body") or {}).get("fields") or {}


def _signers(fields: Mapping[str, Any]) -> str:
    names = [
        s.get("name")
        for s in fields.get("signatures") or []
        if s.get("role") in _SIGNING_ROLES and s.get("name")
    ]
    return "、".join(dict.fromkeys(str(n) for n in names))


def superseded(entries: Iterable[JsonObject]) -> set[int]:
    """Document entries replaced by a later corrected version (the latest version is filed)."""
    return {
        int(_fields(e)["supersedes"])
        for e in entries
        if e["act"] == "general.document" and _fields(e).get("supersedes") is not None
    }


@dataclass(frozen=True, slots=True)
class _Case:
    """What each file's row needs to know of the whole case.

    ``listed`` and ``numbers`` grow as rows are made, so that a file or a 文号 already given a
    row is not given a second one.
    """

    agency: str
    names: Mapping[str, str]
    ranks: dict[int, int]
    by_seq: dict[int, JsonObject]
    replaced: set[int]
    listed: set[str]  # files with a row of their own: a document's PDF, an evidence file
    numbers: set[str]  # 文号 of the documents issued
    with_pdf: set[Any]  # the acts a document (other than the dossier's own) records
    # evidence file digest -> the latest 音像记录作为证据使用 naming it: its 说明 goes with the file
    # into the dossier (001 第十七条: 制作说明附卷，随卷宗归档保存)
    evidence: dict[str, JsonObject]

    def order(self, entry: JsonObject, act_seq: Any) -> tuple[int, str, int]:
        """A file takes the stage and time of the act it records, else of its own entry."""
        act = self.by_seq.get(act_seq) if isinstance(act_seq, int) else None
        anchor = act or entry
        return (self.ranks[anchor["seq"]], anchor["occurred_at"], entry["seq"])


def _case(entries: list[JsonObject], agency: str, names: Mapping[str, str]) -> _Case:
    documents = [e for e in entries if e["act"] == "general.document"]
    return _Case(
        agency=agency,
        names=names,
        ranks=_stage_ranks(entries),
        by_seq={e["seq"]: e for e in entries},
        replaced=superseded(entries),
        listed={
            str(_fields(e).get("digest"))
            for e in entries
            if e["act"] in ("general.document", "general.media") and _fields(e).get("digest")
        },
        numbers={str(_fields(e).get("number")) for e in documents if _fields(e).get("number")},
        with_pdf={
            _fields(e).get("act_seq")
            for e in documents
            if _fields(e).get("doc_type") not in DOSSIER_DOC_TYPES
        },
        evidence={
            str(digest): e
            for e in entries
            if e["act"] == "general.evidence_use"
            for digest in _fields(e).get("digests") or []
        },
    )


def items(
    entries: list[JsonObject],
    agency: str,
    media_names: Mapping[str, str] | None = None,
) -> list[Item]:
    """The case's files in dossier order: the 正卷 in procedural order, then the 副卷.

    ``entries`` are the case's entry documents in journal order; ``media_names`` gives an
    evidence file's original name by digest, where known.
    """
    entries = sorted(entries, key=lambda e: e["seq"])
    case = _case(entries, agency, media_names or {})
    out: list[Item] = []
    for e in entries:
        f = _fields(e)
        out += _attachments(e, case.listed, agency, case.order(e, f.get("act_seq")))
        record = _record(e, f, case)
        if record is not None:
            out.append(record)
        file_item = _FILE_ITEMS.get(e["act"])
        made = file_item(e, f, case) if file_item is not None else None
        if made is not None:
            out.append(made)
    return sorted(out, key=lambda i: (VOLUMES.index(i.volume), i.order))


def _record(e: JsonObject, f: FieldValues, case: _Case) -> Item | None:
    """An act that names its own 文号 but whose document has no file: a row for the record."""
    spec = act_type(e["act"])
    number = f.get("document_no")
    if (
        spec is None
        or not isinstance(number, str)
        or not number
        or number in case.numbers
        or e["act"].startswith("service.")  # names the served document, not its own
        or e["seq"] in case.with_pdf
    ):
        return None
    case.numbers.add(number)
    imported = (e.get("body") or {}).get("imported")
    return Item(
        MAIN,
        "record",
        e["seq"],
        "",
        number,
        case.agency,
        f"{spec.label}文书",
        _day(e["occurred_at"]),
        "导入的历史记录，原件由来源系统保存"
        if imported
        else f"无文书文件，见日志记录序号 {e['seq']}",
        case.order(e, None),
    )


def _document(e: JsonObject, f: FieldValues, case: _Case) -> Item | None:
    """A signed document's PDF; a replaced version or the dossier's own papers are not filed."""
    doc_type = f.get("doc_type")
    if doc_type in DOSSIER_DOC_TYPES or e["seq"] in case.replaced or not f.get("digest"):
        return None
    volume = SUB if doc_type in INTERNAL_DOC_TYPES else MAIN
    signers = _signers(f)
    responsible = signers if doc_type in OFFICER_AUTHORED and signers else case.agency
    note = "更正后的版本" if f.get("supersedes") is not None else ""
    return Item(
        volume,
        "document",
        e["seq"],
        str(f["digest"]),
        str(f.get("number") or ""),
        responsible,
        DOCUMENT_TYPES.get(str(doc_type), str(doc_type)),
        _day(f.get("issued_at") or e["occurred_at"]),
        note,
        case.order(e, f.get("act_seq")),
    )


def _media(e: JsonObject, f: FieldValues, case: _Case) -> Item:
    """An evidence file: its 责任者 is the officers who recorded it."""
    digest = str(f.get("digest") or "")
    label = MEDIA_LABELS.get(str(f.get("kind")), "音像资料")
    name = case.names.get(digest)
    officers = "、".join(str(a.get("name") or a["cert_no"]) for a in e["actors"] or [])
    note = f"电子文件 {digest[:19]}…（设备 {f.get('device_no', '')}）"
    use = case.evidence.get(digest)
    if use is not None:
        u = _fields(use)
        note += (
            f"；作为证据使用（记录序号 {use['seq']}）：{u.get('purpose') or ''}，"
            f"转存介质 {u.get('medium') or '未记载'}"
        )
    return Item(
        MAIN,
        "media",
        e["seq"],
        digest,
        "",
        officers or case.agency,
        f"音像记录（{label}）" + (f"：{name}" if name else ""),
        _day(f.get("started_at") or e["occurred_at"]),
        note,
        case.order(e, f.get("act_seq")),
    )


_FILE_ITEMS: dict[str, Callable[[JsonObject, FieldValues, _Case], Item | None]] = {
    "general.document": _document,
    "general.media": _media,
}


def _attachments(
    entry: JsonObject, listed: set[str], agency: str, at: tuple[int, str, int]
) -> list[Item]:
    """The files an act carries besides its documents and evidence records (photos, scans,
    a decision received as PDF): each is a file of the case and gets its own row."""
    if entry["act"] in ("general.document", "archiving.archive"):
        return []  # a document's own PDF; the dossier itself
    out = []
    officers = "、".join(str(a.get("name") or a["cert_no"]) for a in entry["actors"] or [])
    for a in (entry.get("body") or {}).get("attachments") or []:
        digest = str(a.get("digest") or "")
        if not digest or digest in listed:
            continue
        listed.add(digest)
        out.append(
            Item(
                MAIN,
                "attachment",
                entry["seq"],
                digest,
                "",
                officers or agency,
                f"附件：{a.get('name') or '电子文件'}",
                _day(entry["occurred_at"]),
                f"电子文件 {digest[:19]}…",
                at,
            )
        )
    return out


def directory(files: list[Item], pages: Mapping[str, int], first_page: int = 1) -> list[Row]:
    """Number the files and give each document its page range, counted from ``first_page``.

    ``pages`` is a document's page count by digest; a file without pages (an evidence file, or a
    document whose file is gone) keeps its 顺序号 and leaves 页号 empty.
    """
    rows: list[Row] = []
    page = first_page
    for position, item in enumerate(files, 1):
        count = pages.get(item.digest, 0) if item.kind == "document" else 0
        if count > 0:
            rows.append(Row(position, item, page, page + count - 1))
            page += count
        else:
            rows.append(Row(position, item, None, None))
    return rows


def volumes_used(rows: Iterable[Row]) -> int:
    return len({r.item.volume for r in rows}) or 1


__all__ = [
    "INTERNAL_DOC_TYPES",
    "MAIN",
    "SUB",
    "Item",
    "Row",
    "directory",
    "items",
    "superseded",
    "volumes_used",
]
