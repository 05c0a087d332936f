"""审看、核对记录: the checklists of a pack's ``content_check`` rules, read and written.

A person's check of one record is journaled as ``general.content_check``: the checked entry's
seq, the checklist (the rule's id) and one result line per item, "项目：结论[：说明]". The line is
Chinese so that the journal reads as the dossier does; this module is the one place that writes
and reads it, for the engine, the forms, the API and the command alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from liuhen.procedure.catalog import DOCUMENT_TYPES
from liuhen.rules import pack as P
from liuhen.rules.record import CaseRecord, Entry

ACT = "general.content_check"
CONFORMS, FAILS, NOT_APPLICABLE = "符合", "不符合", "不适用"
RESULTS = (CONFORMS, FAILS, NOT_APPLICABLE)
SEP = "："


@dataclass(frozen=True)
class ItemResult:
    key: str
    result: str  # one of RESULTS
    note: str = ""

    def line(self) -> str:
        return SEP.join([self.key, self.result, *([self.note] if self.note else [])])


def parse_line(line: str) -> ItemResult | None:
    """A result line as written by ``ItemResult.line``; None for one that is not (an imported
    record in another shape is judged on the lines it has)."""
    key, sep, rest = str(line).replace(":", SEP, 2).partition(SEP)
    result, _, note = rest.partition(SEP)
    if not sep or not key.strip() or result.strip() not in RESULTS:
        return None
    return ItemResult(key.strip(), result.strip(), note.strip())


def results_of(entry: Entry) -> dict[str, ItemResult]:
    """Item key → its result, as a check entry records them."""
    out: dict[str, ItemResult] = {}
    for line in entry.fields.get("results") or []:
        r = parse_line(str(line))
        if r is not None:
            out[r.key] = r
    return out


def problems(rule: P.ContentCheck, given: Mapping[str, tuple[str, str]]) -> list[tuple[str, str]]:
    """What is wrong with results typed for ``rule``'s checklist, as (item key or "", message):
    every item answered with one of the three results, 不符合 explained, no unknown item."""
    out: list[tuple[str, str]] = []
    known = {i.key for i in rule.items}
    out += [(k, f"核对清单中没有“{k}”一项") for k in given if k not in known]
    for item in rule.items:
        result, note = given.get(item.key, ("", ""))
        if result not in RESULTS:
            out.append((item.key, f"请选择“{item.key}”的核对结果：符合、不符合或不适用"))
        elif result == FAILS and not note.strip():
            out.append((item.key, f"“{item.key}”不符合的，须说明情况"))
        elif "\n" in note:
            out.append((item.key, f"“{item.key}”的说明不得换行"))
    return out


def applies_to(rule: P.ContentCheck, entry: Entry) -> bool:
    """Whether ``entry`` is a record of the kind ``rule``'s checklist checks."""
    if entry.act not in rule.subject:
        return False
    if entry.act == "general.media":
        return rule.media_kinds is None or entry.fields.get("kind") in rule.media_kinds
    if entry.act == "general.document":
        if rule.documents is not None and entry.fields.get("doc_type") not in rule.documents:
            return False
        return not rule.paper or not entry.fields.get("digest")
    return True


def subjects(rule: P.ContentCheck, rec: CaseRecord) -> list[Entry]:
    """The case's records ``rule`` expects a check of: of a document's versions only the latest
    (a correction is a new version: the one to check); of a ``files_only`` act, only one that
    carries files (a statement handed in with materials)."""
    found = [
        e for e in rec.of(rule.subject)
        if applies_to(rule, e) and (e.act not in rule.files_only or e.attachments)
    ]  # fmt: skip
    superseded = {e.fields.get("supersedes") for e in rec.of(["general.document"])}
    return [e for e in found if e.seq not in superseded]


def latest_checks(rule_id: str, rec: CaseRecord) -> dict[int, Entry]:
    """Checked record's seq → the latest check of it against ``rule_id``'s checklist (a later
    check supersedes an earlier one; both stay in the journal)."""
    out: dict[int, Entry] = {}
    for c in rec.of([ACT]):
        seq = c.fields.get("subject_seq")
        if c.fields.get("checklist") == rule_id and isinstance(seq, int):
            out[seq] = c
    return out


def checklists(pack: P.Pack, entry: Entry) -> dict[str, P.ContentCheck]:
    """Rule id → the pack's checklists that apply to ``entry``."""
    return {
        rid: r for rid, r in pack.rules.items()
        if isinstance(r, P.ContentCheck) and applies_to(r, entry)
    }  # fmt: skip


def checkable(pack: P.Pack, rec: CaseRecord) -> frozenset[int]:
    """The seqs of the case's records ``pack`` has a checklist for: the case page offers 核对
    beside these only, so a pack without checklists (002) offers no form that would then say
    none applies (nor one for a 陈述申辩 that handed in no materials)."""
    rules = [r for r in pack.rules.values() if isinstance(r, P.ContentCheck)]
    acts = {act for r in rules for act in r.subject}
    return frozenset(
        e.seq for e in rec.of(acts)
        if any(applies_to(r, e) and (e.act not in r.files_only or e.attachments) for r in rules)
    )  # fmt: skip


def describe(entry: Entry) -> str:
    """The checked record as a finding and a page name it: “录像（第5号记录，设备 …）”."""
    if entry.act == "general.document":
        title = DOCUMENT_TYPES.get(str(entry.fields.get("doc_type")), "执法文书")
        paper = "（纸质）" if not entry.fields.get("digest") else ""
        return f"《{title}》{paper}（第{entry.seq}号记录）"
    if entry.act == "general.media":
        kind = {"video": "录像", "audio": "录音", "photo": "照片"}.get(
            str(entry.fields.get("kind")), "音像"
        )
        return f"{kind}（第{entry.seq}号记录，设备 {entry.fields.get('device_no') or '未知'}）"
    return f"“{entry.label}”（第{entry.seq}号记录）"
