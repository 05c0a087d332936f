"""What the engine says about a case: findings, each traceable to a rule and its article."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    VIOLATION = "violation"  # a rule is broken (late, missing, out of order)
    WARNING = "warning"  # needs a person's judgement (A/V "as circumstances require")
    DUE = "due"  # nothing is wrong yet; something falls due at ``due_at``


SEVERITY_LABELS = {Severity.VIOLATION: "违规", Severity.WARNING: "提示", Severity.DUE: "待办"}
_ORDER = {Severity.VIOLATION: 0, Severity.WARNING: 1, Severity.DUE: 2}


@dataclass(frozen=True)
class Finding:
    code: str  # "<rule id>:<outcome>", stable across versions
    rule: str
    severity: Severity
    title: str  # the rule's title
    message: str  # what exactly is wrong or due, in Chinese
    cite: tuple[str, ...]  # as readers read it: the text's title and the article
    remedy: str
    seqs: tuple[int, ...] = ()  # the entries concerned
    due_at: str | None = None
    provisional: bool = False  # computed without official calendar data for some day
    cite_short: tuple[str, ...] = ()  # the same by the packs' short codes ("002 第二十七条")

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "rule": self.rule,
            "severity": self.severity.value,
            "severity_label": SEVERITY_LABELS[self.severity],
            "title": self.title,
            "message": self.message,
            "cite": list(self.cite),
            "remedy": self.remedy,
            "seqs": list(self.seqs),
            "due_at": self.due_at,
            "provisional": self.provisional,
            "cite_short": list(self.cite_short),
        }

    def sort_key(self) -> tuple[int, int, str]:
        return (_ORDER[self.severity], self.seqs[0] if self.seqs else 0, self.code)


@dataclass(frozen=True, slots=True)
class RetentionReason:
    """Why a case must be kept long term: a trigger of the pack's retention rule that the case
    meets, its articles and the entries that meet it."""

    title: str
    cite: list[str]  # titled, as a finding's
    seqs: list[int]
    cite_short: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class RetentionClass:
    label: str  # "5年" … or "长期"
    long_term: bool
    reasons: tuple[RetentionReason, ...] = ()
    # the shortest period the pack's texts set, in years (001 第十九条: five); 0: none
    min_years: int = 0


@dataclass(frozen=True)
class Evaluation:
    case: str
    pack: str
    evaluated_at: str
    findings: tuple[Finding, ...]
    retention: RetentionClass | None = None
    counts: dict[str, int] = field(default_factory=dict)
    # records the pack has a 审看核对 checklist for (``content.checkable``): where the case
    # page offers 核对; not part of the published evaluation
    checkable: frozenset[int] = frozenset()

    def as_dict(self) -> dict[str, Any]:
        return {
            "case": self.case,
            "pack": self.pack,
            "evaluated_at": self.evaluated_at,
            "counts": self.counts,
            "findings": [f.as_dict() for f in self.findings],
            "retention": asdict(self.retention) if self.retention else None,
        }
