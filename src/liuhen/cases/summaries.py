"""The case list's summary of each case's compliance evaluation (the ``case_summary`` table).

Evaluating every case against its rule pack on each list request is too slow for an agency's
thousands of cases, so the list keeps, per case, what the evaluation found: violations,
warnings, the earliest open deadline, the acts (entries other than 调阅) and the whole-case
mark. A row is a cache, never a record: it names the ``last_seq`` of the case and the rules
(pack, digest, calendar) it was computed for, and is recomputed when either moved on, or when
a deadline it holds has passed since it was computed (a due item is then overdue, a violation).
``refresh`` does that for the stale cases before a list is read, so the list costs one cheap
query when nothing changed; ``liuhen journal rebuild`` empties the table.

The evaluation is the compliance feature's, a layer above cases: the composer passes it in as
a ``Judge``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, case, func, literal, or_, select
from sqlalchemy.dialects import postgresql, sqlite

from liuhen.accounts.service import marks_from
from liuhen.errors import LiuhenError
from liuhen.kernel.db import store
from liuhen.kernel.db.engine import write_transaction
from liuhen.kernel.instance import App
from liuhen.rules.findings import Evaluation, Severity

log = logging.getLogger(__name__)
CASE = store.CASE
SUMMARY = store.CASE_SUMMARY
ENTRY = store.ENTRY
VIEW = "general.review_access"  # a viewing: journaled, but not an act on the case
MARK = "general.confidentiality"
OPEN_DEADLINE = (":due", ":overdue")  # finding codes of a deadline not yet met
CHUNK = 400  # cases per evaluation and per IN list


@dataclass(frozen=True, slots=True)
class RulesInForce:
    """The key of the rules each unit's cases are judged by (its agency's pack, that pack's
    digest, the working calendar); ``default`` for a unit not registered."""

    by_unit: dict[str, str]
    default: str


@dataclass(frozen=True, slots=True)
class Judge:
    """The compliance evaluation as the case list needs it: several cases at once
    (``compliance.service.evaluate_cases``) and the rules now in force."""

    evaluate: Callable[[App, Collection[str], datetime], dict[str, Evaluation]]
    rules: Callable[[App], RulesInForce]


def utc_text(t: datetime) -> str:
    """An aware time as the table holds it: UTC, one fixed format, so text order is time order."""
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def _expected(rules: RulesInForce) -> ColumnElement[str]:
    """The rules key a case's row should carry, from the case's unit."""
    if not rules.by_unit:
        return literal(rules.default)
    return case(rules.by_unit, value=CASE.c.unit, else_=literal(rules.default))


def stale(rules: RulesInForce, now: datetime) -> ColumnElement[bool]:
    """A case whose row is missing, or was computed for an older record, other rules, or
    before a deadline it holds passed (over ``case_record`` outer-joined to the summary)."""
    return or_(
        SUMMARY.c.number.is_(None),
        SUMMARY.c.last_seq != CASE.c.last_seq,
        SUMMARY.c.rules != _expected(rules),
        and_(
            SUMMARY.c.next_due_at <= utc_text(now),
            SUMMARY.c.computed_at < SUMMARY.c.next_due_at,
        ),
    )


def refresh(app: App, judge: Judge, where: Sequence[ColumnElement[bool]], now: datetime) -> int:
    """Recompute the rows of the stale cases among those ``where`` selects; returns how many.

    Two lists refreshing the same case at once both write the same row (an upsert), and a case
    recorded in while it is evaluated keeps the older ``last_seq`` and is simply recomputed on
    the next list. A rule pack that cannot be read (an agency's pack file edited badly) must not
    take the case list down with it: the rows stay as they were, the next list tries again, and
    the case page shows the pack's error."""
    try:
        rules = judge.rules(app)
    except LiuhenError as exc:
        log.warning("case summaries not refreshed: %s", exc)
        return 0
    expected = _expected(rules).label("rules")
    with app.engine.connect() as conn:
        rows = conn.execute(
            select(CASE.c.number, CASE.c.last_seq, expected)
            .select_from(CASE.outerjoin(SUMMARY, SUMMARY.c.number == CASE.c.number))
            .where(stale(rules, now), *where)
        ).all()
    viewed = _only_viewed(app, rules, now, [r.number for r in rows])
    rows = [r for r in rows if r.number not in viewed]
    done = 0
    for part in _chunks(rows, CHUNK):
        numbers = [r.number for r in part]
        try:
            found = judge.evaluate(app, numbers, now)
        except LiuhenError as exc:
            log.warning("case summaries of %d cases not refreshed: %s", len(numbers), exc)
            continue
        with app.engine.connect() as conn:
            acts, marks = _acts(conn, numbers), _case_marks(conn, numbers)
        computed = utc_text(now)
        values = [
            {
                "number": r.number, "last_seq": int(r.last_seq), "rules": r.rules,
                "computed_at": computed, **acts.get(r.number, {"acts": 0, "changed_at": ""}),
                **_counts(found[r.number]), "case_mark": marks.get(r.number),
            }
            for r in part
            if r.number in found
        ]  # fmt: skip
        with write_transaction(app.engine) as conn:
            for v in values:
                _upsert(conn, v)
        done += len(values)
    return done


def _only_viewed(app: App, rules: RulesInForce, now: datetime, numbers: Sequence[str]) -> set[str]:
    """The cases among ``numbers`` whose rows are stale only because someone viewed them: the
    same rules, no deadline passed, and nothing but 调阅 entries since the row's ``last_seq``.
    Their rows just move to the case's ``last_seq``: a view judges nothing, and re-judging the
    case each time someone opens it would make every list after a view pay for a case."""
    if not numbers:
        return set()
    moved: set[str] = set()
    for part in _chunks(numbers, CHUNK):
        fresh_rules = and_(
            SUMMARY.c.number.in_(part),
            SUMMARY.c.rules == _expected(rules),
            or_(  # not stale by a deadline (``stale``'s last clause, negated)
                SUMMARY.c.next_due_at.is_(None),
                SUMMARY.c.next_due_at > utc_text(now),
                SUMMARY.c.computed_at >= SUMMARY.c.next_due_at,
            ),
        )
        with app.engine.connect() as conn:
            candidates = set(
                conn.execute(
                    select(SUMMARY.c.number)
                    .select_from(SUMMARY.join(CASE, CASE.c.number == SUMMARY.c.number))
                    .where(fresh_rules)
                ).scalars()
            )
            acted = set(
                conn.execute(
                    select(ENTRY.c.chain)
                    .join(SUMMARY, SUMMARY.c.number == ENTRY.c.chain)
                    .where(
                        ENTRY.c.chain.in_(candidates),
                        ENTRY.c.seq > SUMMARY.c.last_seq,
                        ENTRY.c.act != VIEW,
                    )
                    .distinct()
                ).scalars()
            )
        moved |= candidates - acted
    if moved:
        with write_transaction(app.engine) as conn:
            for number in moved:
                last = select(CASE.c.last_seq).where(CASE.c.number == number).scalar_subquery()
                conn.execute(
                    SUMMARY.update().where(SUMMARY.c.number == number).values(last_seq=last)
                )
    return moved


def _counts(ev: Evaluation) -> dict[str, Any]:
    """What the list keeps of an evaluation: the counts, and the earliest deadline still open
    (due, or overdue and still unmet) in UTC with its rule's title (so that the list can say
    which deadline it is, e.g. a closed case's 归档)."""
    due = sorted(
        (datetime.fromisoformat(f.due_at), f.title)
        for f in ev.findings
        if f.due_at and f.code.endswith(OPEN_DEADLINE)
    )
    return {
        "violations": sum(f.severity is Severity.VIOLATION for f in ev.findings),
        "warnings": sum(f.severity is Severity.WARNING for f in ev.findings),
        "next_due_at": utc_text(due[0][0]) if due else None,
        "next_due_title": due[0][1][:200] if due else None,
    }


def _acts(conn: Connection, numbers: list[str]) -> dict[str, dict[str, Any]]:
    """Per case: how many entries are acts (not viewings), and when the last was recorded."""
    out: dict[str, dict[str, Any]] = {}
    for chain, n, last in conn.execute(
        select(ENTRY.c.chain, func.count(), func.max(ENTRY.c.seq))
        .where(ENTRY.c.chain.in_(numbers), ENTRY.c.act != VIEW)
        .group_by(ENTRY.c.chain)
    ):
        out[chain] = {"acts": int(n), "last": int(last)}
    last = select(ENTRY.c.seq, ENTRY.c.recorded_at).where(
        ENTRY.c.seq.in_([v["last"] for v in out.values()])
    )
    times = {seq: at for seq, at in conn.execute(last)}
    for v in out.values():
        v["changed_at"] = utc_text(datetime.fromisoformat(times[v.pop("last")]))
    return out


def _case_marks(conn: Connection, numbers: list[str]) -> dict[str, str | None]:
    """The mark on the whole case now in force, from its marking entries."""
    docs: dict[str, list[dict[str, Any]]] = {}
    for chain, seq, body in conn.execute(
        select(ENTRY.c.chain, ENTRY.c.seq, ENTRY.c.body)
        .where(ENTRY.c.chain.in_(numbers), ENTRY.c.act == MARK)
        .order_by(ENTRY.c.seq)
    ):
        docs.setdefault(chain, []).append({"seq": int(seq), "act": MARK, **json.loads(body)})
    return {n: marks_from(d).case_mark for n, d in docs.items()}


def _upsert(conn: Connection, values: dict[str, Any]) -> None:
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(SUMMARY).values(**values)
    changed = {k: v for k, v in values.items() if k != "number"}
    conn.execute(stmt.on_conflict_do_update(index_elements=[SUMMARY.c.number], set_=changed))


def _chunks(items: Sequence[Any], n: int) -> Iterator[Sequence[Any]]:
    for i in range(0, len(items), n):
        yield items[i : i + n]
