"""What one line of the inbox says: what to do, in which case, why, how urgent, and the one
link (or button) that does it.

Every kind of work reaches the page as an ``Item``, so a new kind (an approval's opinion, a
preview to confirm) is a new ``Kind`` and a function that finds its items; the page, the counts
and the order need nothing new.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

SOON_DAYS = 3  # due within this many days: amber
WINDOW_DAYS = 7  # deadlines further away than this are not yet anyone's work


class Urgency(StrEnum):
    OVERDUE = "overdue"  # red
    SOON = "soon"  # due today or within SOON_DAYS: amber
    LATER = "later"
    NONE = "none"  # no deadline


@dataclass(frozen=True, slots=True)
class Kind:
    """A kind of work: its code (the page's anchor) and the heading its items stand under."""

    code: str
    title: str


@dataclass(frozen=True, slots=True)
class CaseRef:
    number: str
    cause: str


@dataclass(frozen=True, slots=True)
class Action:
    """Where the work is done: a page to open, or (``post``) a button posting the form."""

    label: str
    href: str
    post: bool = False


@dataclass(frozen=True, slots=True)
class Countdown:
    """How far a deadline is, in calendar days of the agency's zone, as the findings count:
    overdue once the moment has passed (``ctx.now > due``), whatever the day."""

    days: int  # the due day minus today; negative once past
    overdue: bool

    @property
    def text(self) -> str:
        if self.overdue:
            return f"已逾期 {-self.days} 天" if self.days < 0 else "今天已到期"
        return "今天到期" if self.days == 0 else f"还剩 {self.days} 天"

    @property
    def urgency(self) -> Urgency:
        if self.overdue:
            return Urgency.OVERDUE
        return Urgency.SOON if self.days <= SOON_DAYS else Urgency.LATER


def countdown(due_at: str, now: datetime, tz: ZoneInfo) -> Countdown:
    due = datetime.fromisoformat(due_at)
    days = (due.astimezone(tz).date() - now.astimezone(tz).date()).days
    return Countdown(days, now > due)


@dataclass(frozen=True, slots=True)
class Item:
    """One thing to do. ``since`` (ISO time) is when it began to wait, for the order among
    items without a deadline; ``violation`` marks a rule already broken."""

    kind: str  # a Kind's code
    what: str
    action: Action
    case: CaseRef | None = None
    why: str = ""  # the rule's title, or another reason
    cite: tuple[str, ...] = ()
    due_at: str | None = None
    countdown: Countdown | None = None
    since: str = ""
    violation: bool = False
    detail: str = ""  # what the rule asks for (its remedy), or more on the item
    more: Action | None = None  # a second link (the entry, where the action is a form)

    @property
    def urgency(self) -> Urgency:
        return self.countdown.urgency if self.countdown else Urgency.NONE

    def sort_key(self) -> tuple[int, float, str]:
        """Overdue first, then by due date, then violations, then the rest oldest first."""
        due = datetime.fromisoformat(self.due_at).timestamp() if self.due_at else 0.0
        if self.countdown is not None:
            return (0 if self.countdown.overdue else 1, due, self.since)
        return (2 if self.violation else 3, 0.0, self.since)
