"""An entry's fields as people read them on the case page: labelled, ordered, in Chinese.

The journal keeps each field as the catalog typed it (codes, ISO times, decimal strings, nested
persons and signatures); this module turns them into (label, readable value) pairs in the
catalog's field order, so a page never shows ``True``, ``2026-08-05T11:20:00+08:00`` or a
unit's code. Digests, sequence numbers and other technical values go to ``technical``, which
the page keeps in a fold.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from liuhen.cases.schemas import Entry
from liuhen.documents import DOC_TYPES, SEAL, role_label
from liuhen.evidence.schemas import MediaRow
from liuhen.procedure.catalog import CASE_HEADER_FIELDS, act_type
from liuhen.procedure.fields import FieldKind
from liuhen.procedure.fields import FieldSpec as F
from liuhen.web.templates import label, when

# values people do not read: they identify files and entries for machines and auditors
TECHNICAL = frozenset({"digest", "digests", "thumbnail", "proxy", "fingerprint", "serial",
                       "subject_digest"})  # fmt: skip
# fields holding a unit's or agency's code: shown by the unit's name
UNIT_CODES = frozenset({"unit", "agency"})
PERSON_LABELS = {
    "role": "身份", "id_no": "证件号码", "gender": "性别", "age": "年龄", "title": "职务",
    "unit": "工作单位", "phone": "联系电话", "address": "住址（地址）",
    "legal_rep": "法定代表人（负责人）",
}  # fmt: skip
ITEM_LABELS = {"spec": "规格", "quantity": "数量", "unit": "单位", "location": "存放地点"}
_RESIDENT_ID = re.compile(r"^\d{6}(19|20)[\d*]{2}|\*")
_ISO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}.*)?$")


@dataclass(frozen=True, slots=True)
class Card:
    """A person or party: the name, a badge (身份), and every other detail labelled."""

    title: str
    badge: str
    rows: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class Shown:
    """One labelled value: a line, paragraphs, numbered lines, cards, a link to another entry,
    or a nested list (a document's or a correction's own fields)."""

    label: str
    text: str = ""
    long: bool = False
    lines: tuple[str, ...] = ()
    cards: tuple[Card, ...] = ()
    link: int | None = None
    parts: tuple[Shown, ...] = ()
    folded: bool = False  # parts behind a <details>, opened by whoever needs them


@dataclass(frozen=True, slots=True)
class Context:
    """What reading a value needs beyond the value: unit names by code, and the case's
    entries by seq (a field naming another entry reads as that entry's act and time)."""

    unit_names: Mapping[str, str] = field(default_factory=dict)
    entries: Mapping[int, Entry] = field(default_factory=dict)
    file_names: Mapping[str, str] = field(default_factory=dict)


def money(value: Any) -> str:
    try:
        return f"{Decimal(str(value)):,.2f} 元"
    except InvalidOperation:
        return str(value)


def id_label(person: Mapping[str, Any]) -> str:
    """A resident ID for a natural person, the unified social credit code for an organisation."""
    no = str(person.get("id_no", ""))
    if _RESIDENT_ID.search(no) or "gender" in person or "age" in person:
        return "身份证号码"
    return "统一社会信用代码" if len(no) == 18 else "证件号码"


def card(person: Any, ctx: Context) -> Card:
    if not isinstance(person, Mapping):
        return Card(str(plain(person, ctx)), "", ())
    rows = []
    for key, name in PERSON_LABELS.items():
        value = person.get(key)
        if value in (None, "") or key == "role":
            continue
        if key == "id_no":
            name = id_label(person)
        text = f"{value} 岁" if key == "age" else str(value)
        if key == "unit":  # an accessor's unit is its code; a party's is a company's name
            text = ctx.unit_names.get(text, text)
        rows.append((name, text))
    rows += [(k, str(plain(v, ctx))) for k, v in person.items() if k not in PERSON_LABELS
             and k != "name"]  # fmt: skip
    return Card(str(person.get("name", "")), str(person.get("role", "")), tuple(rows))


def item_line(item: Any, ctx: Context) -> str:
    if not isinstance(item, Mapping):
        return str(plain(item, ctx))
    text = str(item.get("name", ""))
    if item.get("spec"):
        text += f"（{item['spec']}）"
    if item.get("quantity"):
        text += f" {item['quantity']}{item.get('unit', '')}"
    extra = [f"{ITEM_LABELS.get(k, k)}：{v}" for k, v in item.items()
             if k in ("location",) and v]  # fmt: skip
    if item.get("note"):
        extra.append(str(item["note"]))
    return text + (f"，{'；'.join(extra)}" if extra else "")


def signature_line(sig: Any, doc_type: str = "") -> str:
    """ "执法人员 周立衡 于 2026年8月5日 11:20 以电子签名签署（有效）"."""
    if not isinstance(sig, Mapping):
        return str(sig)
    who = role_label(doc_type, str(sig.get("role", ""))) if sig.get("role") else ""
    text = f"{who} {sig.get('name', '')}".strip()
    if sig.get("signed_at"):
        text += f" 于 {when(sig['signed_at'])}"
    method = str(sig.get("method", ""))
    if method == "PAdES":
        notes = [str(sig["valid"])] if sig.get("valid") else []
        if sig.get("auth"):
            notes.append(f"{sig['auth']}确认")
        # the agency's seal (role ``seal``, no person): "机关印章 某区文化和旅游局 … 加盖电子印章"
        how = " 加盖电子印章" if sig.get("role") == SEAL else " 以电子签名签署"
        text += how + (f"（{'，'.join(notes)}）" if notes else "")
        if sig.get("opinion"):  # what a reviewer or head wrote in his box
            text += f"，意见：{sig['opinion']}"
    elif method:
        text += f" {method}" if method.endswith("签名") else f" 以{method}方式签署"
    else:
        text += " 签署"
    return text


def plain(value: Any, ctx: Context) -> str:
    """A value of no known kind (an import's extra key) as one readable line."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, str):
        return when(value) if _ISO_TIME.match(value) else str(label(value))
    if isinstance(value, Mapping):
        return "，".join(f"{v}" for v in value.values() if v not in (None, ""))
    if isinstance(value, list):
        return "；".join(plain(v, ctx) for v in value)
    return "" if value is None else str(value)


def entry_ref(seq: Any, ctx: Context) -> str:
    e = ctx.entries.get(seq) if isinstance(seq, int) else None
    if e is None:
        return "本案另一记录"
    return f"{e.act_label}（{when(e.occurred_at)}）"


def listed(spec: F, value: list[Any], ctx: Context, doc_type: str = "") -> Shown:
    """Persons as cards, items and signatures as numbered lines."""
    if spec.kind is FieldKind.PERSONS:
        return Shown(spec.label, cards=tuple(card(p, ctx) for p in value))
    if spec.kind is FieldKind.ITEMS:
        return Shown(spec.label, lines=tuple(item_line(i, ctx) for i in value))
    return Shown(spec.label, lines=tuple(signature_line(s, doc_type) for s in value))


def shown(spec: F, value: Any, ctx: Context, doc_type: str = "") -> Shown:
    """One field's value as the page shows it, by the field's kind."""
    kind, name = spec.kind, spec.label
    if isinstance(value, bool) or kind is FieldKind.BOOL:
        return Shown(name, plain(value, ctx))
    if kind is FieldKind.MONEY:
        return Shown(name, money(value))
    if kind in (FieldKind.DATE, FieldKind.DATETIME):
        return Shown(name, when(value, kind is FieldKind.DATETIME))
    if kind is FieldKind.LONGTEXT and isinstance(value, str):
        return Shown(name, value, long=True)
    if kind is FieldKind.PERSON:
        return Shown(name, cards=(card(value, ctx),))
    if isinstance(value, list) and kind in (FieldKind.PERSONS, FieldKind.ITEMS,
                                            FieldKind.SIGNATURES):  # fmt: skip
        return listed(spec, value, ctx, doc_type)
    if kind is FieldKind.SEQ:
        return Shown(name, entry_ref(value, ctx), link=value if isinstance(value, int) else None)
    if isinstance(value, list):
        texts = tuple(plain(v, ctx) for v in value)
        return Shown(name, texts[0]) if len(texts) == 1 else Shown(name, lines=texts)
    if spec.name in UNIT_CODES and isinstance(value, str):
        return Shown(name.removesuffix("编码"), ctx.unit_names.get(value, value))
    if isinstance(value, Mapping):
        return Shown(name, cards=(card(value, ctx),))
    return Shown(name, plain(value, ctx))


def field_list(
    specs: Sequence[F], values: Mapping[str, Any], ctx: Context, doc_type: str = ""
) -> tuple[list[Shown], list[tuple[str, str]]]:
    """(what people read, technical values) of ``values``, in the order of ``specs`` (the
    catalog's: a start before its end), keys no spec names after them."""
    by_name = {s.name: s for s in specs}
    names = [s.name for s in specs if s.name in values] + [k for k in values if k not in by_name]
    out: list[Shown] = []
    tech: list[tuple[str, str]] = []
    for key in names:
        value = values[key]
        if value is None or value == "" or value == []:
            continue
        spec = by_name.get(key) or F(key, key)
        if key in TECHNICAL:
            tech.append((spec.label, plain(value, ctx) if not isinstance(value, str) else value))
            continue
        if spec.kind is FieldKind.SEQ:
            tech.append((spec.label, str(value)))
        if spec.kind is FieldKind.CHANGES and isinstance(value, Mapping):
            continue  # a document's content and a correction's changes: see their views
        out.append(shown(spec, value, ctx, doc_type))
    return out, tech


def act_fields(entry: Entry, ctx: Context) -> tuple[list[Shown], list[tuple[str, str]]]:
    """An act's fields; a correction's changes read with the corrected act's labels."""
    spec = act_type(entry.act)
    fields = entry.fields or {}
    items, tech = field_list(spec.fields if spec else (), fields, ctx)
    if spec is not None and spec.opens_case:  # the header the page shows at its top
        header = {f.label for f in CASE_HEADER_FIELDS}
        shared = tuple(s for s in items if s.label in header or s.label == "承办机构")
        items = [s for s in items if s not in shared]
        if shared:
            items.append(Shown("启动时登记的案件信息", parts=shared, folded=True))
    changes = fields.get("changes")
    if isinstance(changes, Mapping) and changes:
        target = ctx.entries.get(entry.corrects) if entry.corrects else None
        target_spec = act_type(target.act) if target else None
        parts, more = field_list(target_spec.fields if target_spec else (), changes, ctx)
        items.append(Shown("更正后的内容", parts=tuple(parts)))
        tech += more
    return items, tech


def document_content(entry: Entry, ctx: Context) -> tuple[list[Shown], list[tuple[str, str]]]:
    """What the document says (its form's fields), labelled by its form in documents.yaml."""
    fields = entry.fields or {}
    content = fields.get("content")
    doc = DOC_TYPES.get(str(fields.get("doc_type", "")))
    if not isinstance(content, Mapping):
        return [], []
    return field_list(doc.fields if doc else (), content, ctx, doc.code if doc else "")


def technical(entry: Entry) -> list[tuple[str, str]]:
    """The entry's place in the journal and where it came from: for the 技术信息 fold."""
    rows = [("日志序号", str(entry.seq)), ("案件内序号", str(entry.chain_seq)),
            ("叶哈希", entry.leaf_hash), ("事项编码", entry.act),
            ("写入日志时间", entry.recorded_at)]  # fmt: skip
    if entry.recorded_by is not None:
        by = entry.recorded_by
        rows.append(("记录人", f"{by.id or ''}（{label(by.role or '')}）"))
    if entry.imported is not None:
        rows.append(("导入来源", str(entry.imported.source or "")))
        if entry.imported.recorded_at:
            rows.append(("原系统记录时间", entry.imported.recorded_at))
    for a in entry.attachments or []:
        if isinstance(a, Mapping) and a.get("digest"):
            rows.append((f"附件 {a.get('name') or ''}".strip(), str(a["digest"])))
    return rows


# The case page's timeline: acts with their documents and media inside -------------------------

DOCUMENT = "general.document"
MEDIA = "general.media"
BOUND = (DOCUMENT, MEDIA, "general.incident", "general.supplement")  # entries naming their act
# a document's own fields shown beside its content (the rest: its signatures, its fold)
DOC_KEEP = frozenset({"文号", "制作（签发）时间", "当事人拒绝签字", "拒签情况说明",
                      "被本版本更正的文书记录序号"})  # fmt: skip


@dataclass(frozen=True, slots=True)
class DocView:
    """A 文书 entry: its title, number, when it was made, who signed, what it says, its PDF."""

    entry: Entry
    title: str
    items: list[Shown]
    content: list[Shown]
    signatures: tuple[str, ...]
    pdf: str | None
    files: tuple[str, ...]
    technical: list[tuple[str, str]]


@dataclass(frozen=True, slots=True)
class MediaView:
    """A 音像记录 entry and its stored file (``row``: name, type, browser copy), if stored."""

    entry: Entry
    items: list[Shown]
    row: MediaRow | None
    technical: list[tuple[str, str]]


@dataclass(frozen=True, slots=True)
class ActView:
    """An act with what belongs to it: its documents, media and the incidents during it."""

    entry: Entry
    items: list[Shown]
    files: tuple[str, ...]
    technical: list[tuple[str, str]]
    documents: list[DocView] = field(default_factory=list)
    media: list[MediaView] = field(default_factory=list)
    bound: list[ActView] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class StageView:
    stage: str
    label: str
    acts: list[ActView]


@dataclass(frozen=True, slots=True)
class Timeline:
    """The case's acts by stage; documents and media no act of the case claims apart."""

    stages: list[StageView]
    loose_documents: list[DocView]
    loose_media: list[MediaView]

    @property
    def act_total(self) -> int:
        return sum(len(s.acts) for s in self.stages)


def _files(entry: Entry) -> tuple[str, ...]:
    return tuple(str(a.get("name") or "附件") for a in entry.attachments or []
                 if isinstance(a, Mapping))  # fmt: skip


def _without_link(items: list[Shown], seq: int | None) -> list[Shown]:
    """Inside its act, a document or medium need not say which act it records."""
    return [s for s in items if s.link is None or s.link != seq]


def document_view(entry: Entry, ctx: Context) -> DocView:
    fields = entry.fields or {}
    doc_type = str(fields.get("doc_type", ""))
    doc = DOC_TYPES.get(doc_type)
    spec = act_type(DOCUMENT)
    items, tech = field_list(spec.fields if spec else (), fields, ctx, doc_type)
    items = [s for s in items if s.label in DOC_KEEP]
    content, more = document_content(entry, ctx)
    signatures = tuple(signature_line(s, doc_type) for s in fields.get("signatures") or [])
    pdf = fields.get("digest") if isinstance(fields.get("digest"), str) else None
    return DocView(
        entry, doc.title if doc else str(label(doc_type)) or "执法文书", items, content,
        signatures, pdf, _files(entry), tech + more + technical(entry),
    )  # fmt: skip


def media_view(entry: Entry, ctx: Context, rows: Mapping[str, MediaRow]) -> MediaView:
    spec = act_type(MEDIA)
    fields = entry.fields or {}
    items, tech = field_list(spec.fields if spec else (), fields, ctx)
    items = [s for s in items if s.label != "类别"]  # the heading says it
    row = rows.get(str(fields.get("digest", "")))
    if row is not None:
        items.insert(0, Shown("文件", row.name))
    return MediaView(entry, _without_link(items, fields.get("act_seq")), row,
                     tech + technical(entry))  # fmt: skip


def act_view(entry: Entry, ctx: Context) -> ActView:
    items, tech = act_fields(entry, ctx)
    return ActView(entry, items, _files(entry), tech + technical(entry))


def timeline(stages: Sequence[Any], ctx: Context, media: Mapping[str, MediaRow]) -> Timeline:
    """``stages`` (a ``CaseRecord``'s, without views) as the page lays them out."""
    acts: dict[int, ActView] = {}
    out: list[StageView] = []
    bound: list[Entry] = []
    for st in stages:
        shown_acts = []
        for e in st.entries:
            target = (e.fields or {}).get("act_seq") if e.act in BOUND else None
            claimed = isinstance(target, int) and target in ctx.entries and target != e.seq
            if claimed or e.act in (DOCUMENT, MEDIA):
                bound.append(e)
            else:
                acts[e.seq] = act_view(e, ctx)
                shown_acts.append(acts[e.seq])
        if shown_acts:
            out.append(StageView(st.stage, st.label, shown_acts))
    loose_docs: list[DocView] = []
    loose_media: list[MediaView] = []
    for e in bound:
        owner = acts.get((e.fields or {}).get("act_seq") or -1)
        if e.act == DOCUMENT:
            doc = document_view(e, ctx)
            (owner.documents if owner else loose_docs).append(doc)
        elif e.act == MEDIA:
            clip = media_view(e, ctx, media)
            (owner.media if owner else loose_media).append(clip)
        elif owner is not None:
            owner.bound.append(act_view(e, ctx))
        else:  # an incident naming an entry the page does not list as an act
            loose = act_view(e, ctx)
            general = next((s for s in out if s.stage == "general"), None)
            if general is None:
                out.append(StageView("general", "通用事项", [loose]))
            else:
                general.acts.append(loose)
    return Timeline(out, loose_docs, loose_media)
