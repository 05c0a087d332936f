"""What the warnings feature hands out: cards, a scan's tally, and the figures statistics show."""

from __future__ import annotations

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

    ``rate``: cases that got a card ÷ cases open at some time in the period (预警率);
    ``red_rate`` the same for red cards; hours to clear: from raising a card to its limit
    being met (cards cleared by a red card are not counted there)."""

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
