"""An agency's wording of its documents (003 第十二条: 规范本机关执法文书格式).

The built-in formats fix every field a document must carry; what an agency may adjust is a
bounded set of wording blocks around them — the header line (机关名称/抬头), the title line,
the remedy paragraph (救济途径, on the decisions that tell it), an extra notice paragraph and
the footer (contact lines). Nothing else: a block cannot remove a field, and the remedy block
must still name both 行政复议 and 行政诉讼. The 文号 pattern is the agency's numbering setting
(``liuhen agency settings``), not a block here.

Kept as journal entries (``registry.document_template``), one per change of one document
type of one agency, each holding the whole wording then in force: the latest applies to new
documents, and an issued document records the entry's seq (``template_version``) so that it
re-renders with the wording it was issued under (``at_version``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache

from sqlalchemy import select

from liuhen.accounts import service as access
from liuhen.documents.render import TEMPLATES
from liuhen.documents.types import DOC_TYPES, DocType
from liuhen.errors import (
    NotFoundError,
    Problem,
    TemplateBlockRequired,
    TemplateBlockTooLong,
    TemplateBlockUnknown,
)
from liuhen.kernel import record
from liuhen.kernel.db import store
from liuhen.kernel.instance import App
from liuhen.kernel.journal import Appended
from liuhen.kernel.record import ActInput

ACT = "registry.document_template"
# What the remedy block must still say, whatever else the agency words (行政处罚法 第四十四条、
# 第五十九条: the decision tells the party how and where to seek 复议 or 诉讼).
REMEDY_MUST = ("行政复议", "行政诉讼")
# Placeholders the remedy block may use, filled from the document's own fields when rendered.
PLACEHOLDERS = ("{当事人}", "{复议机关}", "{人民法院}")


@dataclass(frozen=True)
class Block:
    """A wording block an agency may adjust: its name on the command line and in the journal,
    its Chinese label and aliases, its bound, and whether a document needs it non-empty."""

    key: str
    label: str
    aliases: tuple[str, ...]
    limit: int
    required: bool  # set, it may not be empty (left unset, the built-in wording stands)
    one_line: bool
    default: str  # the built-in wording, as --show describes it
    must: tuple[str, ...] = ()  # words the law requires it to keep


BLOCKS: dict[str, Block] = {
    b.key: b
    for b in (
        Block("header", "抬头（机关名称）", ("抬头", "机关名称"), 40, True, True,
              "案件所属机关的名称"),
        Block("title", "标题", ("标题",), 30, True, True, "文书名称（如“行政处罚决定书”）"),
        Block("remedy", "救济途径", ("救济途径",), 500, True, False,
              "“当事人如不服本决定，可以在收到本决定书之日起六十日内向{复议机关}申请行政复议，"
              "也可以在六个月内依法向{人民法院}提起行政诉讼。”", REMEDY_MUST),
        Block("notice", "告知段", ("告知", "告知段"), 800, False, False, "无"),
        Block("footer", "页脚（联系方式等）", ("页脚",), 300, False, False, "无"),
    )
}  # fmt: skip
_BY_NAME = {name: b for b in BLOCKS.values() for name in (b.key, *b.aliases)}


@cache
def remedy_docs() -> frozenset[str]:
    """The document types whose format tells the remedy (its template calls ``m.remedy``)."""
    return frozenset(
        d.code for d in DOC_TYPES.values() if "m.remedy(" in (TEMPLATES / d.template).read_text()
    )


def blocks_for(doc_type: str) -> list[Block]:
    """The blocks an agency may adjust on ``doc_type``: the remedy only where it is told."""
    return [b for b in BLOCKS.values() if b.key != "remedy" or doc_type in remedy_docs()]


@dataclass(frozen=True)
class Wording:
    """The wording in force for one document type of one agency: ``version`` is the journal
    entry's seq (None: the built-in format, never adjusted), ``blocks`` what it sets."""

    version: int | None = None
    blocks: dict[str, str] = field(default_factory=dict)

    def context(self) -> dict[str, str | None]:
        """Every block, None where the built-in wording stands (what the templates read)."""
        return {k: self.blocks.get(k) or None for k in BLOCKS}


def _doc(doc_type: str) -> DocType:
    if doc_type not in DOC_TYPES:
        raise NotFoundError(f"未知的文书种类“{doc_type}”（liuhen doc types）")
    return DOC_TYPES[doc_type]


def check(doc_type: str, given: dict[str, str]) -> dict[str, str]:
    """``given`` (block name or its Chinese alias → text) as journaled: canonical names, text
    trimmed, an optional block set empty dropped. Refused, every problem at once, under the
    code of the gravest kind: an unknown block (LH560), an empty required block, a one-line
    block on several lines or a remedy without 行政复议 and 行政诉讼 (LH561), too long (LH562)."""
    doc = _doc(doc_type)
    allowed = {b.key for b in blocks_for(doc_type)}
    out: dict[str, str] = {}
    unknown: list[Problem] = []
    required: list[Problem] = []
    long: list[Problem] = []
    for name, raw in given.items():
        block = _BY_NAME.get(name.strip())
        if block is None or block.key not in allowed:
            names = "、".join(f"{b.key}（{b.label}）" for b in blocks_for(doc_type))
            unknown.append(Problem(
                f"《{doc.title}》没有可调整的文字块“{name}”；可调整：{names}", name,
                label="文字块", kind="unknown",
            ))  # fmt: skip
            continue
        text = raw.strip()
        where = block.key
        if not text:
            if block.required:
                required.append(Problem(
                    f"{block.label}不能为空（恢复内置格式请用 --reset）", where,
                    label=block.label, kind="required",
                ))  # fmt: skip
            continue
        if block.one_line and ("\n" in text or "\r" in text):
            required.append(Problem(
                f"{block.label}应为一行", where, label=block.label, kind="format"
            ))  # fmt: skip
        missing = [w for w in block.must if w not in text]
        if missing:
            required.append(Problem(
                f"{block.label}须载明{'和'.join(missing)}的途径（不能删去法定告知内容）", where,
                label=block.label, kind="rule",
            ))  # fmt: skip
        if len(text) > block.limit:
            long.append(Problem(
                f"{block.label}不得超过 {block.limit} 字（现有 {len(text)} 字）", where,
                label=block.label, kind="too_long",
            ))  # fmt: skip
        out[block.key] = text
    what = f"《{doc.title}》的格式"
    if unknown:
        raise TemplateBlockUnknown(f"{what}有 {len(unknown)} 个未知的文字块，未保存",
                                   unknown + required + long)  # fmt: skip
    if required:
        raise TemplateBlockRequired(f"{what}有 {len(required)} 处缺少必需的内容，未保存",
                                    required + long)  # fmt: skip
    if long:
        raise TemplateBlockTooLong(f"{what}有 {len(long)} 处超过长度上限，未保存", long)
    return out


def _fields(body: str) -> dict[str, object]:
    return dict(json.loads(body).get("fields") or {})


def _wording(seq: int, fields: dict[str, object]) -> Wording:
    return Wording(seq, {k: str(fields[k]) for k in BLOCKS if fields.get(k)})


def in_force(app: App, agency: str, doc_type: str) -> Wording:
    """The wording the agency's latest entry for ``doc_type`` sets (built-in when none)."""
    e = store.ENTRY
    with app.engine.connect() as conn:
        rows = conn.execute(
            select(e.c.seq, e.c.body)
            .where(e.c.act == ACT, e.c.body.contains(f'"{doc_type}"'))
            .order_by(e.c.seq.desc())
        ).all()
    for seq, body in rows:
        fields = _fields(body)
        if fields.get("agency") == agency and fields.get("doc_type") == doc_type:
            return _wording(int(seq), fields)
    return Wording()


def at_version(app: App, version: int | None) -> Wording:
    """The wording of entry ``version`` (what an issued document records it was rendered
    with); None, the built-in format."""
    if version is None:
        return Wording()
    e = store.ENTRY
    with app.engine.connect() as conn:
        body = conn.execute(select(e.c.body).where(e.c.seq == version, e.c.act == ACT)).scalar()
    if body is None:
        raise NotFoundError(f"没有序号为 {version} 的文书格式记录")
    return _wording(version, _fields(body))


def for_case(app: App, case: str, doc_type: str) -> Wording:
    """The wording in force for ``doc_type`` at the agency ``case`` belongs to."""
    settings = access.case_agency_settings(app, case)
    return in_force(app, settings.agency, doc_type) if settings else Wording()


def _agency(app: App, agency: str) -> None:
    with app.engine.connect() as conn:
        known = conn.execute(
            select(store.AGENCY.c.code).where(store.AGENCY.c.code == agency)
        ).first()
    if known is None:
        raise NotFoundError(f"机关“{agency}”未登记")


def _journal(app: App, agency: str, doc_type: str, blocks: dict[str, str],
             by: dict[str, str]) -> Appended:  # fmt: skip
    return record.record(app, ActInput(
        ACT, app.clock.now().isoformat(), recorded_by=by,
        fields={"agency": agency, "doc_type": doc_type, **blocks},
    ))  # fmt: skip


def set_blocks(
    app: App, agency: str, doc_type: str, given: dict[str, str], by: dict[str, str]
) -> Appended:
    """Journal the agency's wording of ``doc_type``: the blocks given replace those in force
    (an optional one set empty is dropped), the rest stay."""
    _agency(app, agency)
    checked = check(doc_type, given)
    blocks = {**in_force(app, agency, doc_type).blocks, **checked}
    for name, text in given.items():  # an optional block set empty: back to the built-in
        block = _BY_NAME.get(name.strip())
        if block is not None and not text.strip():
            blocks.pop(block.key, None)
    return _journal(app, agency, doc_type, blocks, by)


def replace_blocks(
    app: App, agency: str, doc_type: str, given: dict[str, str], by: dict[str, str]
) -> Appended:
    """Journal ``given`` as the whole wording of ``doc_type`` (the settings page's form: a
    block left empty takes the built-in wording)."""
    _agency(app, agency)
    blocks = check(doc_type, {k: v for k, v in given.items() if v.strip()})
    return _journal(app, agency, doc_type, blocks, by)


def reset(app: App, agency: str, doc_type: str, by: dict[str, str]) -> Appended:
    """Journal the built-in wording of ``doc_type`` for the agency again (a new entry: the
    documents issued under the adjusted one keep it)."""
    _agency(app, agency)
    _doc(doc_type)
    return _journal(app, agency, doc_type, {}, by)


__all__ = ["ACT", "BLOCKS", "Block", "Wording", "at_version", "blocks_for", "check", "for_case",
           "in_force", "remedy_docs", "replace_blocks", "reset", "set_blocks"]  # fmt: skip
