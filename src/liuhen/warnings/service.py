"""Early warning (预警), as the provincial 电子监察 systems do it: every time limit the rules
engine tracks raises a yellow card (黄牌) once it falls within the agency's warning window
(``warning_days`` working days before it, 3 unless the agency sets another; the packs' rules
set none of their own) and a red card (红牌) once passed, addressed to the case's officers and
their head: shown in their inboxes and on ``/warnings``, and e-mailed once per card.

The cards are kept by ``liuhen warnings scan`` (a job to run every few minutes; it also sends
the e-mail) and by a catch-up on the reader's own cases before his inbox or the warnings page is
read (``catch_up``, no e-mail): see ``warnings.cards``. ``rates`` gives the figures the
statistics show: how often cases were warned and how long a card took to clear.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from datetime import datetime
from typing import Literal

from sqlalchemy import ColumnElement, func, or_, select

from liuhen.access.policy import User
from liuhen.accounts import service as accounts
from liuhen.kernel.db import store
from liuhen.kernel.instance import App
from liuhen.procedure.catalog import Role
from liuhen.warnings import cards
from liuhen.warnings.cards import ESCALATED as ESCALATED
from liuhen.warnings.cards import MET as MET
from liuhen.warnings.cards import recipients as recipients
from liuhen.warnings.cards import scan as scan
from liuhen.warnings.levels import LABELS as LABELS
from liuhen.warnings.levels import Level as Level
from liuhen.warnings.schemas import Card, WarningGroup, WarningRate

VIEWERS = frozenset({Role.OFFICER, Role.HEAD, Role.SUPERVISOR})
CATCH_UP_SECONDS = 60  # a reader's cases are judged again after this long, or a new record
_CAUGHT: dict[tuple[str, str], tuple[int, float]] = {}  # (database, user) -> (journal, time)
AMONG_BY_NUMBER = 5000  # ``groups_by`` reads at most this many cases by number, else all
AMONG_CHUNK = 500  # case numbers per query


def _view(app: App, user: User) -> tuple[list[str] | None, str | None] | None:
    """(units, cert) whose cards are the user's: a supervisor's every unit, a head's his
    agency's units, an officer's the cases he is an officer of; None for anyone else."""
    if Role.SUPERVISOR in user.roles:
        return None, None
    units = accounts.unit_scope(app, user) if Role.HEAD in user.roles else []
    cert = user.cert_no if Role.OFFICER in user.roles else None
    return (units, cert) if units or cert else None


def cards_for(app: App, user: User, open_only: bool = True) -> list[Card]:
    """The cards the user answers for (or, a supervisor, oversees), nearest deadline first."""
    view = _view(app, user)
    if view is None:
        return []
    units, cert = view
    return cards.cards_where(app, units, cert, open_only)


def catch_up(app: App, user: User) -> None:
    """Bring the user's cards up to date before he reads them, without e-mail: his cases are
    judged again when something was recorded since, or ``CATCH_UP_SECONDS`` passed (a card
    also moves with the clock alone). The remembered state is only a saving: every process
    keeps its own, and the scan job keeps the table current regardless."""
    view = _view(app, user)
    if view is None:
        return
    now = app.clock.now()
    with app.engine.connect() as conn:
        size = int(
            conn.execute(select(store.HEAD.c.size).where(store.HEAD.c.id == 1)).scalar() or 0
        )
    key = (f"{app.settings.data_dir}|{app.engine.url}", user.username)
    seen = _CAUGHT.get(key)
    if seen and seen[0] == size and 0 <= now.timestamp() - seen[1] < CATCH_UP_SECONDS:
        return
    units, cert = view
    cards.scan(app, _may_warn(app, accounts.cases_in(None if units is None else (units, cert))),
               now, send=False)  # fmt: skip
    _CAUGHT[key] = (size, now.timestamp())


def _may_warn(app: App, cond: ColumnElement[bool] | None) -> list[str]:
    """The cases of ``cond`` a card may be raised or cleared on: those whose kept case-list
    summary (``case_summary``) shows an open deadline, is missing or is older than the case's
    record, and those holding an open card. A case whose fresh summary shows no deadline
    running can earn no card; the scan job judges every case regardless."""
    case, summary = store.CASE, store.CASE_SUMMARY
    query = (
        select(case.c.number)
        .select_from(case.outerjoin(summary, summary.c.number == case.c.number))
        .where(
            case.c.status.in_(cards.SCANNED),
            or_(
                summary.c.number.is_(None),
                summary.c.last_seq != case.c.last_seq,
                summary.c.next_due_at.is_not(None),
            ),
        )
    )
    carded = select(cards.CARD.c.case_number).where(cards.CARD.c.cleared_at.is_(None))
    if cond is not None:
        query = query.where(cond)
        carded = carded.where(cards.CARD.c.case_number.in_(select(case.c.number).where(cond)))
    with app.engine.connect() as conn:
        return sorted(set(conn.execute(query).scalars()) | set(conn.execute(carded).scalars()))


def count_open(app: App) -> dict[str, int]:
    """Open cards by level, for a glance (``liuhen warnings list``)."""
    t = cards.CARD
    with app.engine.connect() as conn:
        rows = conn.execute(
            select(t.c.level, func.count()).where(t.c.cleared_at.is_(None)).group_by(t.c.level)
        ).all()
    return {str(level): int(n) for level, n in rows}


def groups(
    app: App,
    start: datetime,
    end: datetime,
    by: Literal["unit", "officer", "all"] = "unit",
    among: Collection[str] | None = None,
) -> list[WarningGroup]:
    """Per unit, per officer (or one group ``all``) for the period [start, end): the cards
    raised and the cases behind them (see ``WarningGroup``); ``among`` limits the cases
    counted (the statistics' scope and filters). A yellow card replaced by a red one is not a
    clearance: hours to clear count the cards whose limit was met (or ended)."""
    return groups_by(app, start, end, (by,), among)[by]


def groups_by(
    app: App,
    start: datetime,
    end: datetime,
    bys: Collection[Literal["unit", "officer", "all"]],
    among: Collection[str] | None = None,
) -> dict[str, list[WarningGroup]]:
    """``groups`` for each of ``bys`` from one read of the cards and the cases: the statistics
    show all three on one report."""
    wanted = None if among is None else set(among)
    raised = [
        c for c in cards.raised_between(app, start, end) if wanted is None or c.case in wanted
    ]
    t = store.CASE
    query = select(t.c.number, t.c.unit, t.c.officers, t.c.status, t.c.updated_at).where(
        t.c.opened_at < end.isoformat()
    )
    with app.engine.connect() as conn:
        if wanted is not None and len(wanted) <= AMONG_BY_NUMBER:
            # one agency's cases among 100,000: read those, not every case
            numbers = sorted(wanted)
            rows = [
                r
                for i in range(0, len(numbers), AMONG_CHUNK)
                for r in conn.execute(query.where(t.c.number.in_(numbers[i : i + AMONG_CHUNK])))
            ]
        else:
            rows = list(conn.execute(query))
    scanned = cards.SCANNED
    running = [
        (number, unit, officers)
        for number, unit, officers, status, updated in rows
        if (wanted is None or number in wanted)
        and (status in scanned or datetime.fromisoformat(updated) >= start)
    ]
    return {by: _grouped(by, raised, running) for by in bys}


def _grouped(
    by: Literal["unit", "officer", "all"],
    raised: list[Card],
    running: list[tuple[str, str, str]],
) -> list[WarningGroup]:
    def keys(unit: str, officers: Iterable[str]) -> list[str]:
        return [unit] if by == "unit" else list(officers) if by == "officer" else [""]

    cases: dict[str, set[str]] = defaultdict(set)
    if by == "all":
        if running:
            cases[""] = {number for number, _, _ in running}
    elif by == "unit":
        for number, unit, _ in running:
            cases[unit].add(number)
    else:
        # a year's cases share a few thousand lists of officers: each is parsed once
        parsed: dict[str, list[str]] = {}
        for number, _, officers in running:
            names = parsed.get(officers)
            if names is None:
                names = parsed[officers] = list(cards.json_list(officers))
            for key in names:
                cases[key].add(number)
    per: dict[str, list[Card]] = defaultdict(list)
    for c in raised:
        for key in keys(c.unit, c.handlers):
            per[key].append(c)
    out = []
    for key in sorted(set(cases) | set(per)):
        mine = per.get(key, [])
        met = [c for c in mine if c.cleared_at and c.cleared_by == MET]
        hours = tuple(
            (datetime.fromisoformat(c.cleared_at or "") - datetime.fromisoformat(c.raised_at))
            .total_seconds() / 3600
            for c in met
        )  # fmt: skip
        out.append(WarningGroup(
            key=key, cases=frozenset(cases.get(key, set())),
            warned=frozenset(c.case for c in mine),
            red_cases=frozenset(c.case for c in mine if c.level == Level.RED),
            cleared_cases=frozenset(c.case for c in met),
            yellow=sum(c.level == Level.YELLOW for c in mine),
            red=sum(c.level == Level.RED for c in mine), hours=hours,
            raised=tuple((c.raised_at, c.level) for c in mine),
        ))  # fmt: skip
    return out


def rates(
    app: App, start: datetime, end: datetime, by: Literal["unit", "officer"] = "unit"
) -> list[WarningRate]:
    """Per unit (or per officer) for the period [start, end): the cards raised, the share of
    cases open in the period that got one (预警率) or a red one, and the hours from raising a
    card to its limit being met (a yellow card replaced by a red one is not a clearance)."""
    with app.engine.connect() as conn:
        if by == "unit":
            names = {c: n for c, n in conn.execute(select(store.UNIT.c.code, store.UNIT.c.name))}
        else:
            officers = select(store.OFFICER.c.cert_no, store.OFFICER.c.name)
            names = {c: n for c, n in conn.execute(officers)}
    out = []
    for g in groups(app, start, end, by):
        out.append(WarningRate(
            key=g.key, name=names.get(g.key, g.key), cases=len(g.total),
            cases_warned=len(g.warned), cases_red=len(g.red_cases), yellow=g.yellow, red=g.red,
            cleared=len(g.hours), rate=g.rate, red_rate=g.red_rate,
            mean_hours_to_clear=g.mean_hours, median_hours_to_clear=g.median_hours,
        ))  # fmt: skip
    return out
