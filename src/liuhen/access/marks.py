"""Confidentiality marks (001 第二十条, 002 第三十五条): who may see a marked record.

Marks are journal entries (``general.confidentiality``), so the current marks of a case are a
fold over its entries: the latest mark for a target wins, and "无" lifts it. A target is the
whole case, one entry (by its seq) or one file (by its digest); a mark on an entry covers the
files the entry names, so marking a document's entry also protects its PDF.

Pure: callers pass the entries in journal order and get plain data back.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from liuhen.access.policy import User
from liuhen.payloads import FieldValues
from liuhen.procedure.catalog import Role

STATE_SECRET = "国家秘密"
COMMERCIAL_SECRET = "商业秘密"
PRIVACY = "个人隐私"
LIFT = "无"
MARKS = (STATE_SECRET, COMMERCIAL_SECRET, PRIVACY)
WHOLE_CASE = "*"

# Inside the agency, marked records are for the people who must handle them: the head, legal
# review, the archive and the officers on the case. Supervisors (司法局) see business secrets and
# private data as part of oversight, but not state secrets. Outside the agency nobody sees a
# marked record without the head's approval naming it (001 第二十一、二十三条).
_HANDLERS = frozenset({Role.HEAD, Role.LEGAL_REVIEWER, Role.ARCHIVIST})


@dataclass(frozen=True)
class Entry:
    """What marking needs of one case entry."""

    seq: int
    act: str
    fields: FieldValues
    digests: tuple[str, ...] = ()  # files this entry names (attachments, document PDF)


@dataclass
class Marks:
    """The marks in force on one case, and which files each entry names."""

    by_target: dict[str, tuple[str, int]] = field(default_factory=dict)  # target → (mark, seq)
    files_of: dict[int, tuple[str, ...]] = field(default_factory=dict)

    @property
    def case_mark(self) -> str | None:
        found = self.by_target.get(WHOLE_CASE)
        return found[0] if found else None

    def of_entry(self, seq: int) -> str | None:
        """The strictest mark covering an entry: its own, or the whole case's."""
        return strictest([self._mark(str(seq)), self.case_mark])

    def of_file(self, digest: str) -> str | None:
        """The strictest mark covering a file: its own, any entry naming it, or the case's."""
        candidates = [self._mark(digest), self.case_mark]
        candidates += [self._mark(str(s)) for s, ds in self.files_of.items() if digest in ds]
        return strictest(candidates)

    def of_record(self, seq: int, digests: Iterable[str]) -> str | None:
        """The strictest mark covering an entry or any file it names: what decides whether
        its content (fields, place, attachments) may be shown or pre-filled."""
        return strictest([self.of_entry(seq), *(self.of_file(d) for d in digests)])

    def marked_files(self) -> dict[str, str]:
        """Every file of the case under a mark, with that mark (what an export withholds)."""
        out: dict[str, str] = {}
        for digests in self.files_of.values():
            for d in digests:
                mark = self.of_file(d)
                if mark:
                    out[d] = mark
        return out

    def marked_entries(self) -> dict[int, str]:
        out = {}
        for seq in self.files_of:
            mark = self.of_entry(seq)
            if mark:
                out[seq] = mark
        return out

    def _mark(self, target: str) -> str | None:
        found = self.by_target.get(target)
        return found[0] if found else None


def strictest(marks: Iterable[str | None]) -> str | None:
    """State secret outranks business secret outranks privacy."""
    present = [m for m in marks if m in MARKS]
    return min(present, key=MARKS.index) if present else None


def targets_of(fields: FieldValues) -> list[str]:
    """What a mark entry names, as ``Marks`` keys them: seqs without leading zeros (so "07"
    marks entry 7 rather than nothing), digests as written, or the whole case."""
    out = []
    for raw in fields.get("records") or []:
        text = str(raw).strip()
        out.append(str(int(text)) if text.isascii() and text.isdigit() else text)
    return out or [WHOLE_CASE]


def collect(entries: Iterable[Entry]) -> Marks:
    """Fold a case's entries (in journal order) into the marks now in force."""
    marks = Marks()
    for e in entries:
        marks.files_of[e.seq] = e.digests
        if e.act != "general.confidentiality":
            continue
        mark = str(e.fields.get("mark", ""))
        for target in targets_of(e.fields):
            if mark == LIFT:
                marks.by_target.pop(target, None)
            else:
                marks.by_target[target] = (mark, e.seq)
    return marks


def may_see(user: User, mark: str | None, works_on_case: bool) -> bool:
    """Whether a user who may see the case may also see a record bearing ``mark``."""
    if mark is None:
        return True
    if user.roles & _HANDLERS:
        return True
    if Role.OFFICER in user.roles and works_on_case:
        return True
    return Role.SUPERVISOR in user.roles and mark != STATE_SECRET


def may_lift(user: User) -> bool:
    """Only a head removes a mark: lifting it is a release decision (001 第二十一条)."""
    return Role.HEAD in user.roles


def lift_refusal(act: str, fields: FieldValues, role: str) -> str | None:
    """Why recording this act is refused, if it lifts a mark and the recorder is not a head."""
    if act == "general.confidentiality" and fields.get("mark") == LIFT and role != Role.HEAD:
        return "只有负责人可以解除保密标记：解除即准许他人查看，须经负责人决定"
    return None


def lowers(current: str | None, new: str) -> bool:
    """Whether putting ``new`` on a target now bearing ``current`` leaves it less protected.

    Lowering opens a record to more people (a 国家秘密 record re-marked 个人隐私 becomes
    readable by the supervisor), so it is a release decision like lifting.
    """
    if current not in MARKS:
        return False
    if new == LIFT:
        return True
    return new in MARKS and MARKS.index(new) > MARKS.index(current)


# Roles that may put or raise a mark without being one of the case's officers: the handlers see
# every marked record of their agency's cases anyway, and more protection opens nothing to a
# collection station or an import ("system").
_MARKERS = frozenset({Role.HEAD, Role.LEGAL_REVIEWER, Role.ARCHIVIST, Role.SYSTEM})


def change_refusal(marks: Marks, fields: FieldValues, role: str, on_case: bool) -> str | None:
    """Why a ``general.confidentiality`` entry is refused, given the marks already in force.

    Raising or putting a mark is for those on the case (its assigned officers) and the agency's
    handlers; lowering or lifting one is the head's release decision (001 第二十一条). The
    comparison is per target: a mark on an entry is compared with that entry's own mark.
    """
    if role == Role.HEAD:
        return None
    mark = str(fields.get("mark", ""))
    refused = lift_refusal("general.confidentiality", fields, role)
    if refused:
        return refused
    if any(lowers(marks._mark(t), mark) for t in targets_of(fields)):
        return "只有负责人可以降低保密标记的等级：降低即准许更多人查看，须经负责人决定"
    if role in _MARKERS or (role == Role.OFFICER and on_case):
        return None
    return "只有承办本案的执法人员、法制审核人员、档案管理人员或负责人可以标记本案的记录"
