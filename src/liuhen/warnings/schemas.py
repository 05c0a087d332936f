"""What the warnings feature hands out: cards, a scan's tally, and the figures statistics show."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Card:
    """A yellow (期限将至) or red (已超过期限) card on one time limit of one case."""

    id: int
    case: str
    cause: str
    unit: str
    rule: str
    code: str  # the finding's code when the card was raised ("<rule>:due" / ":overdue")
    level: str  # "yellow" | "red"
    level_label: str  # 黄牌 | 红牌
    title: str  # the rule's title: the time limit
    message: str  # what the finding said
    cite: list[str]
    due_at: str  # ISO, UTC
    due_text: str  # the agency's local time, as people read it (2027年1月31日 23:59)
    raised_at: str
    cleared_at: str | None
    cleared_by: str | None  # "met" (the limit was met or ended) | "escalated" (a red card)
    emailed_at: str | None
    handlers: list[str]  # the responsible officers' cert_no
    responsible: list[str]  # their names, then the heads the card goes to
    recipients: list[str] = field(default_factory=list)  # addresses it was e-mailed to


@dataclass(frozen=True, slots=True)
class ScanResult:
    """What one scan did."""

    cases: int  # cases judged
    raised: int
    cleared: int
    emailed: int
    mail_failed: int
    open_yellow: int
    open_red: int


@dataclass(frozen=True, slots=True)
class WarningRate:
    """One unit's or officer's cards in a period, for the statistics.

    ``rate``: cases that got a card ÷ cases whose limits ran in the period (亮牌率);
    ``red_rate`` the same for red cards (预警率, as the statistics show it); hours to clear:
    from raising a card to its limit being met (cards cleared by a red card are not counted
    there)."""

    key: str  # unit code or officer cert_no
    name: str
    cases: int
    cases_warned: int
    cases_red: int
    yellow: int
    red: int
    cleared: int
    rate: float | None
    red_rate: float | None
    mean_hours_to_clear: float | None
    median_hours_to_clear: float | None


@dataclass(frozen=True, slots=True)
class WarningGroup:
    """One unit's, officer's (or all the cases') cards raised in a period, with the cases
    behind each count, for the statistics' figures and their drill-down; ``WarningRate`` is
    its summary. A case counts once per group however many cards it got.

    ``cases``: the cases whose time limits ran at some time in the period (open, or closed and
    not yet archived); ``warned`` those that got a card, ``red_cases`` a red one; ``hours``
    from raising each card to its limit being met (``cleared_cases`` theirs); ``raised``
    each card's raising time (the agency's local ISO time) and level."""

    key: str
    cases: frozenset[str]
    warned: frozenset[str]
    red_cases: frozenset[str]
    cleared_cases: frozenset[str]
    yellow: int
    red: int
    hours: tuple[float, ...]
    raised: tuple[tuple[str, str], ...] = ()

    @property
    def total(self) -> frozenset[str]:
        """The denominator: the cases whose limits ran, and any case carded in the period."""
        return self.cases | self.warned

    @property
    def rate(self) -> float | None:
        """Cases that got a card ÷ the denominator."""
        return len(self.warned) / len(self.total) if self.total else None

    @property
    def red_rate(self) -> float | None:
        """预警率 as the statistics show it: cases that got a red card ÷ the denominator."""
        return len(self.red_cases) / len(self.total) if self.total else None

    @property
    def mean_hours(self) -> float | None:
        return statistics.fmean(self.hours) if self.hours else None

    @property
    def median_hours(self) -> float | None:
        return statistics.median(self.hours) if self.hours else None
