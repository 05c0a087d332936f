"""What an exported bag leaves out, and whether the bag itself proves the ground for it.

A withheld entry shows only its leaf hash and a withheld file is absent, so a bare claim in
withheld.json would prove nothing: each must rest on a mark entry in the bag (mark entries are
never withheld) that covers it and was not lifted since, with the kind the claim names; a file of
imported history on its entry's own ``imported``; a dossier on an archive entry and a justified
withheld entry. This is ``liuhen verify-bag``'s half of that check; the standalone verifier in
the bag makes it again on its own.
"""

from __future__ import annotations

from dataclasses import dataclass

from liuhen.access.marks import LIFT, MARKS, WHOLE_CASE, targets_of
from liuhen.archive.bag_report import UNJUSTIFIED, BagEntry, BagReport
from liuhen.payloads import JsonObject


def _claimed(item: JsonObject) -> str | None:
    """The mark a withholding names: its ``mark``, or one named in its reason (older bags)."""
    mark = item.get("mark")
    if isinstance(mark, str):
        return mark
    reason = str(item.get("reason", ""))
    return next((m for m in MARKS if m in reason), None)


def _legacy_basis(reason: str) -> str:
    """Bags written before ``basis`` was recorded say it only in their reason."""
    if reason.startswith("导入的历史记录"):
        return "imported"
    return "dossier" if reason.startswith("案卷") else "mark"


def fold_marks(entries: list[BagEntry]) -> dict[str, str]:
    """Target → mark in force, from the bag's mark entries in journal order; "无" lifts."""
    force: dict[str, str] = {}
    for e in entries:
        if e.withheld or e.act != "general.confidentiality":
            continue
        fields = e.body.get("fields") or {}
        mark = str(fields.get("mark", ""))
        for target in targets_of(fields):  # "07" names entry 7, as in the journal's own fold
            if mark == LIFT:
                force.pop(target, None)
            else:
                force[target] = mark
    return force


def check_withholding(entries: list[BagEntry], held: JsonObject, report: BagReport) -> None:
    """Each withheld entry and file must rest on a mark entry in the bag that covers it (or, for
    a file of imported history, on the entry's own ``imported``): a bare claim proves nothing."""
    force = fold_marks(entries)
    stated = {w.get("seq"): w for w in held.get("entries") or [] if isinstance(w, dict)}
    justified = _justified_entries(entries, force, stated, report)
    namers: dict[str, set[int]] = {}
    for e in entries:
        for digest in e.names():
            namers.setdefault(digest, set()).add(e.seq)
    grounds = _Grounds(force, {e.seq: e for e in entries}, namers, justified, report)
    for item in held.get("files") or []:
        if not isinstance(item, dict):
            report.add(UNJUSTIFIED, "withheld.json 的文件项格式错误")
            continue
        grounds.check_file(item)


def _justified_entries(
    entries: list[BagEntry],
    force: dict[str, str],
    stated: dict[object, JsonObject],
    report: BagReport,
) -> set[int]:
    """The withheld entries a mark in the bag covers (and as the statement claims)."""
    justified: set[int] = set()
    for e in entries:
        if not e.withheld:
            continue
        found = {force[t] for t in (WHOLE_CASE, str(e.seq)) if t in force}
        claimed = _claimed(stated.get(e.seq) or {"reason": e.withheld_reason})
        if not found:
            report.add(UNJUSTIFIED, f"序号 {e.seq} 的记录内容不予提供，但包内没有覆盖它的保密标记")
        elif claimed is not None and claimed not in found:
            report.add(UNJUSTIFIED, f"序号 {e.seq} 的记录称标记为{claimed}，包内的保密标记为"
                                    f"{'、'.join(sorted(found))}")  # fmt: skip
        else:
            justified.add(e.seq)
    return justified


@dataclass(frozen=True, slots=True)
class _Grounds:
    """What a withheld file may rest on: the marks in force, the entries naming each file and
    the withheld entries found justified."""

    force: dict[str, str]
    by_seq: dict[int, BagEntry]
    namers: dict[str, set[int]]
    justified: set[int]
    report: BagReport

    def check_file(self, item: JsonObject) -> None:
        digest, seq = str(item.get("digest", "")), item.get("seq")
        basis = item.get("basis") or _legacy_basis(str(item.get("reason", "")))
        seen = self.namers.get(digest, set())
        where = f"不予提供的文件 {digest}（序号 {seq}）"
        if not seen:  # named only by withheld entries: its entry's own mark covers it
            self._by_withheld_entry(item, digest, seq, basis, where)
        elif basis == "imported":
            named = self.by_seq.get(seq) if isinstance(seq, int) else None
            if named is None or seq not in seen or not named.body.get("imported"):
                self.report.add(UNJUSTIFIED, f"{where}称为导入的历史记录，但所指记录不是导入的"
                                             "记录或不载有该文件")  # fmt: skip
        elif basis == "dossier":
            archive = any(self.by_seq[s].act == "archiving.archive" for s in seen)
            if not archive or not self.justified:
                self.report.add(UNJUSTIFIED, f"{where}称为含不予提供记录的案卷，但它不是归档记录"
                                             "所附的案卷，或包内没有依保密标记不予提供的"
                                             "记录")  # fmt: skip
        else:
            self._by_mark(item, digest, seen, where)

    def _by_withheld_entry(
        self, item: JsonObject, digest: str, seq: object, basis: str, where: str
    ) -> None:
        found = {self.force[t] for t in (WHOLE_CASE, digest, str(seq)) if t in self.force}
        claimed = _claimed(item) if basis == "mark" else None
        if seq not in self.justified:
            self.report.add(UNJUSTIFIED, f"{where}不是包内任何可见记录所载，所指记录也不是依"
                                         "保密标记不予提供的记录")  # fmt: skip
        elif claimed is not None and claimed not in found:
            self.report.add(UNJUSTIFIED, f"{where}称标记为{claimed}，包内的保密标记为"
                                         f"{'、'.join(sorted(found))}")  # fmt: skip

    def _by_mark(self, item: JsonObject, digest: str, seen: set[int], where: str) -> None:
        targets = [WHOLE_CASE, digest, *(str(s) for s in sorted(seen))]
        found = {self.force[t] for t in targets if t in self.force}
        claimed = _claimed(item)
        if not found:
            self.report.add(UNJUSTIFIED, f"{where}没有包内保密标记作依据：标记须覆盖整个案件、"
                                         "该文件或载有它的记录，且未被解除")  # fmt: skip
        elif claimed is not None and claimed not in found:
            self.report.add(UNJUSTIFIED, f"{where}称标记为{claimed}，包内的保密标记为"
                                         f"{'、'.join(sorted(found))}")  # fmt: skip
