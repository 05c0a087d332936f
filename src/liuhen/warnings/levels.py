"""Which card a deadline finding earns now: pure, on the engine's findings and two moments.

A deadline the engine tracks (``deadline`` rules: decision, seal/seize, preservation, freeze,
service, archiving, …) shows as a finding whose code ends in ``:due`` while it runs and
``:overdue`` once it has passed unmet; ``:late`` (met after the limit) and no finding at all
(met in time, or ended by an act that ends the matter) mean nothing is open any more. So:

- 黄牌 (yellow): ``:due`` and the deadline falls before ``warn_until`` (the end of the agency's
  warning window counted from now);
- 红牌 (red): ``:overdue``;
- nothing otherwise: a card of the same deadline still open is then cleared.

The audio-video storage limit (``av_storage``) is never open: a clip is known to the system only
once stored, so it is met or late by then and earns no card.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from liuhen.rules.findings import Finding


class Level(StrEnum):
    YELLOW = "yellow"
    RED = "red"


LABELS = {Level.YELLOW: "黄牌", Level.RED: "红牌"}
MEANING = {Level.YELLOW: "期限将至", Level.RED: "已超过期限"}
OPEN_OUTCOMES = ("due", "overdue")


@dataclass(frozen=True, slots=True)
class Earned:
    """A card a finding earns: the deadline it is about (rule and the entry that started the
    clock: with ``each`` several run at once under one rule) and its level."""

    rule: str
    anchor: int  # the finding's first entry (the start); 0 when it names none
    level: Level
    finding: Finding

    @property
    def key(self) -> tuple[str, int]:
        return (self.rule, self.anchor)


def level_of(f: Finding, now: datetime, warn_until: datetime) -> Level | None:
    """The card ``f`` earns at ``now``; ``warn_until``: the end of the warning window."""
    outcome = f.code.rsplit(":", 1)[-1]
    if f.due_at is None or outcome not in OPEN_OUTCOMES:
        return None
    due = datetime.fromisoformat(f.due_at)
    if outcome == "overdue" or due < now:
        return Level.RED
    return Level.YELLOW if due <= warn_until else None


def earned(findings: Iterable[Finding], now: datetime, warn_until: datetime) -> list[Earned]:
    """Every card the findings of one case earn now, one per deadline."""
    out: dict[tuple[str, int], Earned] = {}
    for f in findings:
        level = level_of(f, now, warn_until)
        if level is None:
            continue
        card = Earned(f.rule, f.seqs[0] if f.seqs else 0, level, f)
        if card.key not in out or level is Level.RED:
            out[card.key] = card
    return list(out.values())


def open_deadlines(findings: Iterable[Finding]) -> set[tuple[str, int]]:
    """The deadlines of a case still running or overdue (whether or not they earn a card yet):
    a card whose deadline is not among them is cleared."""
    return {
        (f.rule, f.seqs[0] if f.seqs else 0)
        for f in findings
        if f.due_at and f.code.rsplit(":", 1)[-1] in OPEN_OUTCOMES
    }
