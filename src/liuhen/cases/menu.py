"""Which acts a case can take next: the 记录事项 menu, and the same rule refusing the rest.

A flat list of every act (不予立案 offered on an opened case, 限制人身自由 to a culture and
tourism bureau) invites mistakes. The menu offers the acts of the stages reachable from where
the case stands, for its category and procedure, and only those the agency has the power to
perform; the act the case most likely needs next comes first.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from liuhen.procedure.catalog import STAGE_LABELS, ActType, Stage

# Stages whose acts an open case may record, by the stage it has reached: more investigation
# during review, service and execution of a decision, closing once there is something to close.
REACHABLE: dict[Stage, tuple[Stage, ...]] = {
    Stage.INITIATION: (Stage.INVESTIGATION,),
    Stage.INVESTIGATION: (Stage.INVESTIGATION, Stage.DECISION),
    Stage.DECISION: (Stage.INVESTIGATION, Stage.DECISION, Stage.SERVICE),
    Stage.SERVICE: (Stage.SERVICE, Stage.EXECUTION),
    Stage.EXECUTION: (Stage.SERVICE, Stage.EXECUTION),
}
CLOSING = "archiving.closing"
# After 结案: only keeping the file (保全、销毁); 归档 itself has its own button.
AFTER_CLOSING = ("archiving.legal_hold", "archiving.hold_release", "archiving.disposal_approval",
                 "archiving.disposal")  # fmt: skip
# A case not opened keeps only telling the complainant why.
NOT_OPENED = ("initiation.complainant_notice",)
# 立案 of a case a complaint or an application opened, offered until it is recorded.
FILING = "initiation.filing"
OPENED_FOR_FILING = ("initiation.complaint", "initiation.application")
# An inspection case records the 督导检查通知、方案 it rests on (001 第七条第一项、第二项), at
# any point while it is open.
INSPECTION_NOTICE = "initiation.inspection_notice"
# Acts of the 行政处罚 procedure alone (事先告知、陈述申辩、听证、当场处罚).
PENALTY_ONLY = frozenset({"investigation.rights_notice", "investigation.statement_defense",
                          "investigation.hearing", "investigation.hearing_report",
                          "decision.summary"})  # fmt: skip
SUMMARY_ONLY = frozenset({"decision.summary"})
# Acts only an agency a law empowers may perform (行政强制法 第十条、第二十九条、第四十六条):
# no culture and tourism bureau restricts liberty, freezes or draws accounts, or auctions.
# Until agencies carry their own setting, these are left out unless a caller allows them.
NEEDS_SPECIAL_POWER = frozenset({
    "investigation.restrict_liberty", "investigation.release_restriction",
    "investigation.freeze", "investigation.release_freeze",
    "execution.transfer", "execution.auction",
})  # fmt: skip
# The usual course of a case, for the act suggested first.
MAIN_LINE = (
    "investigation.inspection", "investigation.inquiry", "investigation.rights_notice",
    "decision.draft", "decision.legal_review", "decision.head_approval", "decision.decision",
    "service.direct", "execution.compliance", CLOSING,
)  # fmt: skip
SUMMARY_LINE = ("decision.summary", "execution.compliance", CLOSING)
_ORDER = {s: i for i, s in enumerate(STAGE_LABELS)}


@dataclass(frozen=True, slots=True)
class Group:
    """One <optgroup> of the menu."""

    label: str
    acts: list[ActType]


@dataclass(frozen=True, slots=True)
class Menu:
    """The acts offered, grouped by stage; ``suggested`` (first and selected) may be None."""

    suggested: ActType | None
    groups: list[Group]

    @property
    def codes(self) -> frozenset[str]:
        first = [self.suggested.code] if self.suggested else []
        return frozenset([*first, *(a.code for g in self.groups for a in g.acts)])


def _stage(code: str) -> Stage:
    return Stage(code.partition(".")[0])


def _fits(a: ActType, category: str, procedure: str, allowed: Collection[str] | None) -> bool:
    if a.code in PENALTY_ONLY and category != "penalty":
        return False
    if a.code in SUMMARY_ONLY and procedure != "summary":
        return False
    if a.code in NEEDS_SPECIAL_POWER:
        return allowed is not None and a.code in allowed
    return allowed is None or a.code in allowed or a.stage is Stage.GENERAL


def _stages_of(stage: str, status: str, procedure: str) -> tuple[set[Stage], set[str]]:
    """(stages whose acts are offered, single acts offered beyond them)."""
    if status == "not_opened":
        return {Stage.GENERAL}, set(NOT_OPENED)
    if status in ("closed", "archived"):
        return {Stage.GENERAL}, set(AFTER_CLOSING)
    current = Stage(stage) if stage in {s.value for s in Stage} else Stage.INITIATION
    stages = {*REACHABLE.get(current, (current,)), Stage.GENERAL}
    if procedure == "summary":  # decided on the spot: the fine may be paid at once
        stages |= {Stage.DECISION, Stage.EXECUTION} if current is not Stage.INITIATION else set()
    extra = {CLOSING} if current is not Stage.INITIATION else set()
    return stages, extra


def offered(
    candidates: Iterable[ActType],
    *,
    stage: str,
    status: str,
    category: str,
    procedure: str,
    done: Collection[str] = (),
    allowed: Collection[str] | None = None,
) -> Menu:
    """The acts of ``candidates`` (those the user may record) that fit the case where it
    stands: its stage and status, its category and procedure, and ``allowed`` (the acts the
    agency may perform; None: all but those needing a special power by law)."""
    stages, extra = _stages_of(stage, status, procedure)
    if status == "open" and FILING not in done and any(a in done for a in OPENED_FOR_FILING):
        extra = {*extra, FILING}
    if status == "open" and category == "inspection":
        extra = {*extra, INSPECTION_NOTICE}
    fitting = [a for a in candidates
               if ((a.stage in stages and a.stage is not Stage.ARCHIVING) or a.code in extra)
               and _fits(a, category, procedure, allowed)]  # fmt: skip
    line = SUMMARY_LINE if procedure == "summary" else MAIN_LINE
    have = set(done)
    if any(c.startswith("service.") for c in have):
        have.add("service.direct")  # any mode of service serves the decision
    reached = _ORDER.get(Stage(stage), 0) if stage in {s.value for s in Stage} else 0
    by_code = {a.code: a for a in fitting}
    suggested = next((by_code[c] for c in line if c in by_code and c not in have
                      and _ORDER[_stage(c)] >= reached), None)  # fmt: skip
    groups: dict[Stage, list[ActType]] = {}
    for a in fitting:
        if a is not suggested:
            groups.setdefault(a.stage, []).append(a)
    ordered = sorted(groups.items(), key=lambda kv: (kv[0] is Stage.GENERAL, _ORDER[kv[0]]))
    return Menu(suggested, [Group(STAGE_LABELS[s], acts) for s, acts in ordered])
