"""The ``warning_card`` table kept up to date with the rules engine's deadlines, and e-mailed.

How it stays current: ``liuhen warnings scan`` (meant to run from cron or a systemd timer, every
15 minutes or so) judges every case that is open, closed but not archived, or holds an open
card, raises and clears cards, and e-mails the cards not yet sent. Before an inbox or the
warnings page is read, a catch-up (``catch_up``) scans the reader's own cases the same way but
sends nothing, so what he sees is never older than the page; the e-mail is the scan's alone.

A card is raised once per level of one time limit (the unique key case, rule, anchor, level:
two scans at once insert it once) and e-mailed once (a card is claimed by setting
``emailed_at`` before sending, and released if sending fails). It is cleared, at the scan
that notices it, when its limit is met or ended (the finding is no longer ``:due`` or
``:overdue``), or when the red card of the same limit replaces a yellow one (``escalated``). A
limit met and later opened again (a correction withdrew the act that met it) reopens its card
without a second e-mail.
"""

from __future__ import annotations

import contextlib
import json
import logging
import smtplib
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, overload

from sqlalchemy import ColumnElement, Connection, and_, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from liuhen.accounts import service as accounts
from liuhen.compliance import service as compliance
from liuhen.errors import LiuhenError
from liuhen.kernel.db import store
from liuhen.kernel.db.engine import write_transaction
from liuhen.kernel.instance import App
from liuhen.procedure.catalog import Role
from liuhen.rules.findings import Evaluation
from liuhen.warnings import levels, mail
from liuhen.warnings.levels import LABELS, Level
from liuhen.warnings.schemas import Card, ScanResult

log = logging.getLogger(__name__)
CARD = store.T["warning_card"]
CASE = store.CASE
UNIT = store.UNIT
USERS = store.APP_USER
OFFICER = store.OFFICER
CHUNK = 400  # cases judged at once
SCANNED = ("open", "closed")  # statuses whose deadlines run (a closed case's: archiving)
MET, ESCALATED = "met", "escalated"


def utc_text(t: datetime) -> str:
    """As ``case_summary`` keeps times: UTC, one fixed format, so text order is time order."""
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def local_text(iso: str, app: App) -> str:
    """A due time as people read it: 2027年1月31日 23:59, in the agency's zone."""
    t = datetime.fromisoformat(iso).astimezone(app.settings.timezone)
    return f"{t.year}年{t.month}月{t.day}日 {t:%H:%M}"


@overload
def _local(iso: str, app: App) -> str: ...
@overload
def _local(iso: None, app: App) -> None: ...
def _local(iso: str | None, app: App) -> str | None:
    """A stored UTC time in the agency's zone (pages show a time at the offset it carries)."""
    return (
        datetime.fromisoformat(iso).astimezone(app.settings.timezone).isoformat() if iso else None
    )


@dataclass(slots=True)
class _Tally:
    cases: int = 0
    raised: int = 0
    cleared: int = 0
    emailed: int = 0
    mail_failed: int = 0
    touched: set[str] = field(default_factory=set)


# Scanning ----------------------------------------------------------------------------------------


def scan(
    app: App, numbers: Collection[str] | None = None, now: datetime | None = None, send: bool = True
) -> ScanResult:
    """Judge the cases (``numbers``, or every case whose deadlines may run or that holds an
    open card), bring their cards up to date, and (``send``) e-mail the open cards not yet
    sent when ``LIUHEN_SMTP_URL`` is set."""
    now = now or app.clock.now()
    tally = _Tally()
    wanted = _to_scan(app, numbers)
    windows = _Windows(app, now)
    for part in _chunks(sorted(wanted), CHUNK):
        try:
            found = compliance.evaluate_cases(app, part, now)
        except LiuhenError as exc:  # a pack that cannot be read: the next scan tries again
            log.warning("warnings: %d cases not judged: %s", len(part), exc)
            continue
        headers = _headers(app, part)
        with write_transaction(app.engine) as conn:
            for number in part:
                if number in found and number in headers:
                    _update(conn, headers[number], found[number], windows, now, tally)
        tally.cases += len(found)
    if send and app.settings.smtp_url:
        _send_pending(app, now, tally, numbers)
    with app.engine.connect() as conn:
        counts = {
            level: len(conn.execute(
                select(CARD.c.id).where(CARD.c.cleared_at.is_(None), CARD.c.level == level)
            ).all())
            for level in (Level.YELLOW, Level.RED)
        }  # fmt: skip
    return ScanResult(
        tally.cases, tally.raised, tally.cleared, tally.emailed, tally.mail_failed,
        counts[Level.YELLOW], counts[Level.RED],
    )  # fmt: skip


def _to_scan(app: App, numbers: Collection[str] | None) -> set[str]:
    with app.engine.connect() as conn:
        running = select(CASE.c.number).where(CASE.c.status.in_(SCANNED))
        carded = select(CARD.c.case_number).where(CARD.c.cleared_at.is_(None))
        if numbers is not None:
            wanted = list(numbers)
            running = running.where(CASE.c.number.in_(wanted))
            carded = carded.where(CARD.c.case_number.in_(wanted))
        return set(conn.execute(running).scalars()) | set(conn.execute(carded).scalars())


class _Windows:
    """Each agency's warning window as a moment: the end of its ``warning_days``-th working
    day from now (the agency setting, 3 by default)."""

    def __init__(self, app: App, now: datetime) -> None:
        self.app, self.now = app, now
        self.calendar = compliance.working_calendar(app)
        self._until: dict[str | None, datetime] = {}

    def until(self, agency: str | None) -> datetime:
        if agency not in self._until:
            days = accounts.DEFAULT_WARNING_DAYS
            if agency:
                with contextlib.suppress(LiuhenError):  # an unregistered agency: the default
                    days = accounts.agency_settings(self.app, agency).warning_days
            self._until[agency] = self.calendar.add_working_days(self.now, days).at
        return self._until[agency]


@dataclass(frozen=True, slots=True)
class _Header:
    number: str
    unit: str
    agency: str | None
    officers: list[str]


def _headers(app: App, numbers: Sequence[str]) -> dict[str, _Header]:
    with app.engine.connect() as conn:
        rows = conn.execute(
            select(CASE.c.number, CASE.c.unit, CASE.c.officers, UNIT.c.agency)
            .select_from(CASE.outerjoin(UNIT, UNIT.c.code == CASE.c.unit))
            .where(CASE.c.number.in_(list(numbers)))
        ).all()
    return {
        r.number: _Header(r.number, r.unit, r.agency, list(json_list(r.officers))) for r in rows
    }


def _update(
    conn: Connection, case: _Header, ev: Evaluation, windows: _Windows, now: datetime, t: _Tally
) -> None:
    """One case: raise what its findings earn, clear what is no longer open."""
    stamp = utc_text(now)
    earned = levels.earned(ev.findings, now, windows.until(case.agency))
    running = levels.open_deadlines(ev.findings)
    rows = conn.execute(select(CARD).where(CARD.c.case_number == case.number)).mappings().all()
    have = {(r["rule"], int(r["anchor"]), r["level"]): r for r in rows}
    for card in earned:
        key = (card.rule, card.anchor, card.level.value)
        row = have.get(key)
        if row is None:
            f = card.finding
            assert f.due_at is not None
            values = {
                "case_number": case.number, "unit": case.unit, "rule": card.rule,
                "anchor": card.anchor, "code": f.code, "level": card.level.value,
                "title": f.title[:300], "message": f.message, "cite": json.dumps(list(f.cite),
                ensure_ascii=False), "due_at": utc_text(datetime.fromisoformat(f.due_at)),
                "raised_at": stamp, "cleared_at": None, "cleared_by": None,
                "handlers": json.dumps(case.officers), "emailed_at": None, "recipients": None,
            }  # fmt: skip
            t.raised += _insert(conn, values)
        elif row["cleared_at"] is not None and row["cleared_by"] == MET:
            conn.execute(
                update(CARD).where(CARD.c.id == row["id"]).values(cleared_at=None, cleared_by=None)
            )
        if card.level is Level.RED:  # the yellow card of the same limit gives way
            t.cleared += _clear(
                conn, case.number, stamp, ESCALATED, CARD.c.rule == card.rule,
                CARD.c.anchor == card.anchor, CARD.c.level == Level.YELLOW.value,
            )  # fmt: skip
    for r in rows:
        if r["cleared_at"] is None and (r["rule"], int(r["anchor"])) not in running:
            t.cleared += _clear(conn, case.number, stamp, MET, CARD.c.id == r["id"])


def _insert(conn: Connection, values: dict[str, Any]) -> int:
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(CARD).values(**values).on_conflict_do_nothing().returning(CARD.c.id)
    return len(conn.execute(stmt).all())  # 0: another scan raised it first


def _clear(conn: Connection, number: str, stamp: str, how: str, *where: Any) -> int:
    done = conn.execute(
        update(CARD)
        .where(CARD.c.case_number == number, CARD.c.cleared_at.is_(None), *where)
        .values(cleared_at=stamp, cleared_by=how)
    )
    return int(done.rowcount or 0)


# E-mail ------------------------------------------------------------------------------------------


def _send_pending(app: App, now: datetime, t: _Tally, numbers: Collection[str] | None) -> None:
    """Every open card not yet e-mailed, to its officers and heads that have an address."""
    cond = [CARD.c.cleared_at.is_(None), CARD.c.emailed_at.is_(None)]
    if numbers is not None:
        cond.append(CARD.c.case_number.in_(list(numbers)))
    with app.engine.connect() as conn:
        ids = list(conn.execute(select(CARD.c.id).where(*cond).order_by(CARD.c.id)).scalars())
    for card in _cards(app, CARD.c.id.in_(ids)) if ids else []:
        to = [(name, address) for name, address, _ in recipients(app, card)]
        if not to:
            continue  # nobody to write to yet: tried again at the next scan
        stamp = utc_text(now)
        with write_transaction(app.engine) as conn:  # claim it: one scan sends it
            claimed = conn.execute(
                update(CARD).where(CARD.c.id == card.id, CARD.c.emailed_at.is_(None))
                .values(emailed_at=stamp, recipients=json.dumps([a for _, a in to]))
            ).rowcount  # fmt: skip
        if not claimed:
            continue
        try:
            mail.send(app.settings.smtp_url, mail.compose(card, to, app.settings.smtp_sender))
            t.emailed += 1
        except (OSError, smtplib.SMTPException) as exc:
            log.warning("warnings: card %d not e-mailed: %s", card.id, exc)
            t.mail_failed += 1
            with write_transaction(app.engine) as conn:
                conn.execute(
                    update(CARD).where(CARD.c.id == card.id)
                    .values(emailed_at=None, recipients=None)
                )  # fmt: skip


def recipients(app: App, card: Card) -> list[tuple[str, str, str]]:
    """(name, address, username) of whom a card goes to: the accounts of the case's officers,
    and the heads of its unit (or, if the unit has none, of its agency), with an address."""
    with app.engine.connect() as conn:
        rows = conn.execute(
            select(USERS.c.username, USERS.c.display_name, USERS.c.email, USERS.c.cert_no,
                   USERS.c.unit, USERS.c.roles)
            .where(USERS.c.active.is_(True), USERS.c.email.is_not(None), or_(
                USERS.c.cert_no.in_(card.handlers), USERS.c.roles.contains(f'"{Role.HEAD}"')))
        ).all()  # fmt: skip
    heads = _heads(app, rows, card.unit)
    out = [r for r in rows if r.cert_no in card.handlers and Role.OFFICER in json_list(r.roles)]
    out += [r for r in heads if r not in out]
    return [(r.display_name, r.email, r.username) for r in out]


def _heads(app: App, rows: Sequence[Any], unit: str) -> list[Any]:
    heads = [r for r in rows if Role.HEAD in json_list(r.roles)]
    own = [r for r in heads if r.unit == unit]
    if own:
        return own
    with app.engine.connect() as conn:
        agency = conn.execute(select(UNIT.c.agency).where(UNIT.c.code == unit)).scalar()
        units = set(conn.execute(select(UNIT.c.code).where(UNIT.c.agency == agency)).scalars())
    return [r for r in heads if r.unit in units]


# Reading -----------------------------------------------------------------------------------------


def _cards(app: App, *where: Any, open_only: bool = False) -> list[Card]:
    cond = [*where, *([CARD.c.cleared_at.is_(None)] if open_only else [])]
    with app.engine.connect() as conn:
        rows = conn.execute(
            select(CARD, CASE.c.cause)
            .select_from(CARD.outerjoin(CASE, CASE.c.number == CARD.c.case_number))
            .where(*cond)
            .order_by(CARD.c.due_at, CARD.c.id)
        ).mappings().all()  # fmt: skip
        certs = {c for r in rows for c in json_list(r["handlers"])}
        officers = select(OFFICER.c.cert_no, OFFICER.c.name).where(OFFICER.c.cert_no.in_(certs))
        names = {c: n for c, n in conn.execute(officers)} if certs else {}
        heads = _head_names(conn, {r["unit"] for r in rows})
    out = []
    for r in rows:
        handlers = list(json_list(r["handlers"]))
        level = Level(r["level"])
        responsible = [names.get(c, c) for c in handlers] + [
            f"{n}（负责人）" for n in heads.get(r["unit"], [])
        ]
        out.append(Card(
            id=int(r["id"]), case=r["case_number"], cause=r["cause"] or "", unit=r["unit"],
            rule=r["rule"], code=r["code"], level=level.value, level_label=LABELS[level],
            title=r["title"], message=r["message"], cite=list(json_list(r["cite"])),
            due_at=_local(r["due_at"], app), due_text=local_text(r["due_at"], app),
            raised_at=_local(r["raised_at"], app), cleared_at=_local(r["cleared_at"], app),
            cleared_by=r["cleared_by"], emailed_at=_local(r["emailed_at"], app),
            handlers=handlers, responsible=responsible,
            recipients=list(json_list(r["recipients"] or "[]")),
        ))  # fmt: skip
    return out


def _head_names(conn: Connection, units: set[str]) -> dict[str, list[str]]:
    """The heads' names by unit: those of the unit, else of its agency (as ``recipients``)."""
    if not units:
        return {}
    agency_of = {c: a for c, a in conn.execute(select(UNIT.c.code, UNIT.c.agency))}
    heads = [
        (r.unit, r.display_name)
        for r in conn.execute(
            select(USERS.c.unit, USERS.c.display_name).where(
                USERS.c.active.is_(True), USERS.c.roles.contains(f'"{Role.HEAD}"')
            )
        )
    ]
    out: dict[str, list[str]] = {}
    for unit in units:
        own = [n for u, n in heads if u == unit]
        out[unit] = own or [
            n for u, n in heads if agency_of.get(u) and agency_of.get(u) == agency_of.get(unit)
        ]
    return out


def cards_where(
    app: App, units: list[str] | None, cert: str | None, open_only: bool = True
) -> list[Card]:
    """Cards of cases in ``units`` (None: every unit) or whose officers include ``cert``."""
    either: list[ColumnElement[bool]] = []
    if units:
        either.append(CARD.c.unit.in_(units))
    if cert:
        either.append(CARD.c.handlers.contains(f'"{cert}"'))
    if units is None:
        return _cards(app, open_only=open_only)
    if not either:
        return []
    return _cards(app, or_(*either), open_only=open_only)


def raised_between(app: App, start: datetime, end: datetime) -> list[Card]:
    """Every card raised in [start, end), open or cleared (for the statistics)."""
    return _cards(app, and_(CARD.c.raised_at >= utc_text(start), CARD.c.raised_at < utc_text(end)))


def json_list(text: str | None) -> Iterator[str]:
    try:
        value = json.loads(text or "[]")
    except ValueError:
        return iter(())
    return iter([str(v) for v in value] if isinstance(value, list) else [])


def _chunks(items: Sequence[str], n: int) -> Iterator[list[str]]:
    for i in range(0, len(items), n):
        yield list(items[i : i + n])
