"""The rules engine's findings on the cases a user answers for, as inbox items.

Only the user's own cases are judged (an officer's as case officer, a reviewer's in review, a
head's units' open cases, the archivist's closed ones), all at once
(``compliance.service.evaluate_cases``), so the page's cost follows his work, not the agency's.
A deadline is someone's work when his role records the act that meets it (the rule's ``end``):
the officer's the decision and its service, the archivist's the filing.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

from liuhen.compliance import service as compliance
from liuhen.inbox.items import WINDOW_DAYS, Action, CaseRef, Item, countdown
from liuhen.kernel.instance import App
from liuhen.procedure.catalog import DOCUMENT_TYPES, Role, act_type
from liuhen.rules.findings import Evaluation, Finding, Severity
from liuhen.rules.pack import Deadline, Documents, Pack, Rule
from liuhen.warnings.schemas import Card

DEADLINE = "deadline"
VIOLATION = "violation"
CASES = "cases"
WARNING = "warning"


class Judged:
    """The findings on some cases now, with the packs that found them."""

    def __init__(self, app: App, numbers: Collection[str], now: datetime) -> None:
        self.now = now
        self.tz: ZoneInfo = app.settings.timezone
        self.evaluations: dict[str, Evaluation] = compliance.evaluate_cases(app, numbers, now)
        self._packs: dict[str, Pack] = {}
        for ev in self.evaluations.values():
            if ev.pack not in self._packs:
                self._packs[ev.pack] = compliance.load_pack(ev.pack, app.settings.data_dir)

    def findings(self, number: str) -> tuple[Finding, ...]:
        ev = self.evaluations.get(number)
        return ev.findings if ev else ()

    def rule(self, number: str, f: Finding) -> Rule | None:
        """The pack's rule that found ``f``."""
        ev = self.evaluations.get(number)
        return self._packs[ev.pack].rules.get(f.rule) if ev else None

    def end_acts(self, number: str, f: Finding) -> list[str]:
        """The acts that meet the deadline ``f`` found (none if its rule is no deadline)."""
        rule = self.rule(number, f)
        return list(rule.end) if isinstance(rule, Deadline) else []

    def owners(self, number: str, f: Finding) -> frozenset[str]:
        """The roles that record what meets the deadline."""
        roles: set[str] = set()
        for code in self.end_acts(number, f):
            spec = act_type(code)
            roles |= set(spec.roles) if spec else set()
        return frozenset(roles)

    def open_deadlines(self, number: str) -> list[Finding]:
        """Deadlines not yet met: overdue, or due within ``WINDOW_DAYS``."""
        out = []
        for f in self.findings(number):
            if not f.due_at or not (f.severity is Severity.DUE or f.code.endswith(":overdue")):
                continue
            if countdown(f.due_at, self.now, self.tz).days <= WINDOW_DAYS:
                out.append(f)
        return out


def case_url(number: str) -> str:
    return f"/cases/{quote(number, safe='')}"


def record_url(number: str, act: str) -> str:
    return f"{case_url(number)}/record?act={quote(act, safe='')}"


def deadline_item(judged: Judged, case: CaseRef, f: Finding, action: Action | None = None) -> Item:
    """A deadline as an item; by default its action records the act that meets it, where one
    act does and the user's role may record it (else the entry that started the clock)."""
    assert f.due_at is not None
    if action is None:
        ends = judged.end_acts(case.number, f)
        spec = act_type(ends[0]) if len(ends) == 1 else None
        if spec is not None and Role.OFFICER in spec.roles:
            action = Action(f"记录{spec.label}", record_url(case.number, spec.code))
        else:
            anchor = f"#seq-{f.seqs[0]}" if f.seqs else "#compliance"
            action = Action("查看案件", case_url(case.number) + anchor)
    return Item(
        DEADLINE, f.message, action, case, f.title, f.cite, f.due_at,
        countdown(f.due_at, judged.now, judged.tz), violation=f.severity is Severity.VIOLATION,
        detail=f"整改：{f.remedy}" if f.remedy else "",
    )  # fmt: skip


def violation_item(judged: Judged, case: CaseRef, f: Finding, since: str) -> Item:
    """A broken rule, linked to the entry it concerns on the case page; a missing document
    goes straight to its form, for the entry it records."""
    anchor = f"#seq-{f.seqs[0]}" if f.seqs else "#compliance"
    entry = Action("查看记录", case_url(case.number) + anchor)
    action, more = Action("查看记录并整改", entry.href), None
    rule = judged.rule(case.number, f)
    if isinstance(rule, Documents) and f.code.endswith(":missing") and f.seqs:
        doc = rule.documents[0].type
        query = urlencode({"act_seq": f.seqs[0], "doc_type": doc})
        title = DOCUMENT_TYPES.get(doc, doc)
        action, more = (
            Action(f"制作《{title}》", f"{case_url(case.number)}/documents/new?{query}"),
            entry,
        )
    return Item(
        VIOLATION, f.message, action, case, f.title, f.cite, since=since, violation=True,
        detail=f"整改：{f.remedy}" if f.remedy else "", more=more,
    )  # fmt: skip


def officer_items(judged: Judged, cases: Mapping[str, tuple[CaseRef, str]]) -> list[Item]:
    """On an officer's own cases: the deadlines his acts meet, and every violation."""
    out: list[Item] = []
    for number, (case, since) in cases.items():
        deadlines = judged.open_deadlines(number)
        for f in deadlines:
            if Role.OFFICER in judged.owners(number, f):
                out.append(deadline_item(judged, case, f))
        for f in judged.findings(number):
            if f.severity is Severity.VIOLATION and f not in deadlines:
                out.append(violation_item(judged, case, f, since))
    return out


def summaries(judged: Judged, cases: Mapping[str, tuple[CaseRef, str]]) -> list[Item]:
    """One item per case with open deadlines or violations (the head's view of his units):
    what was found, the nearest deadline, the rules' titles, and the case's compliance."""
    out: list[Item] = []
    for number, (case, since) in cases.items():
        deadlines = sorted(judged.open_deadlines(number), key=lambda f: f.due_at or "")
        broken = [f for f in judged.findings(number) if f.severity is Severity.VIOLATION]
        if not deadlines and not broken:
            continue
        due = sum(1 for f in deadlines if f.severity is Severity.DUE)
        titles = list(dict.fromkeys(f.title for f in [*deadlines, *broken]))[:3]
        first = deadlines[0].due_at if deadlines else None
        out.append(summary_item(case, since, len(broken), due, first, titles, judged))
    return out


def summary_item(
    case: CaseRef,
    since: str,
    violations: int,
    due: int | None,
    due_at: str | None,
    titles: list[str],
    clock: Judged,
) -> Item:
    """A case's line in the head's inbox: its violations (an overdue deadline is one), the
    deadlines coming (``due``; None: some, not counted), the nearest deadline's countdown."""
    parts = [f"违规 {violations} 项"] if violations else []
    if due is None:
        parts += ["期限将至"]
    elif due:
        parts += [f"将到期 {due} 项"]
    return Item(
        CASES, "；".join(parts), Action("查看合规检查", case_url(case.number) + "#compliance"),
        case, "；".join(titles), (), due_at,
        countdown(due_at, clock.now, clock.tz) if due_at else None, since=since,
        violation=bool(violations),
    )  # fmt: skip


def card_item(card: Card) -> Item:
    """A yellow or red card (``liuhen.warnings``) as an item: no countdown of its own (the
    deadline's item already counts it), a red card ranks with the violations; the page shows
    the card's colour and name (黄牌, 红牌) where a deadline shows its countdown."""
    red = card.level == "red"
    state = "已超过期限" if red else "期限将至"
    return Item(
        WARNING, f"{state}，届满时间 {card.due_text}",
        Action("查看案件", case_url(card.case) + "#compliance"), CaseRef(card.case, card.cause),
        card.title, tuple(card.cite), since=card.raised_at, violation=red,
        detail=f"责任人：{'、'.join(card.responsible)}",
    )  # fmt: skip
