"""Applying the rule packs: one case on demand, or every case for an agency-wide report.

Findings are computed from the journal each time they are asked for, never stored, so they are
always those of the current record, the current pack and the current time.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select

from liuhen.accounts import service as access
from liuhen.cases.service import imported_documents
from liuhen.compliance import packs
from liuhen.compliance.calendar import working_calendar as working_calendar
from liuhen.compliance.packs import available as available
from liuhen.compliance.packs import load_pack as load_pack
from liuhen.compliance.packs import pack_name_for as pack_name_for
from liuhen.compliance.packs import use_pack as use_pack
from liuhen.compliance.schemas import AgencyReport, CaseFinding, RuleCount
from liuhen.errors import NotFoundError
from liuhen.kernel.db import store
from liuhen.kernel.instance import App
from liuhen.payloads import JsonObject
from liuhen.rules import pack as P
from liuhen.rules.calendar import WorkingCalendar
from liuhen.rules.checks import period_years
from liuhen.rules.engine import evaluate
from liuhen.rules.findings import Evaluation, Finding, Severity
from liuhen.rules.record import CaseRecord, from_documents

CASE = store.CASE
UNIT = store.UNIT


def _agencies(app: App) -> dict[str, str]:
    """unit code -> agency code."""
    with app.engine.connect() as conn:
        return {r.code: r.agency for r in conn.execute(select(UNIT.c.code, UNIT.c.agency))}


VIEW = "general.review_access"


def case_record(app: App, number: str, views: bool = True) -> tuple[CaseRecord, str | None]:
    """The case as the engine reads it, and its agency; ``views=False`` leaves out its
    调阅记录 (for a pack that names no viewing, they change no finding)."""
    with app.engine.connect() as conn:
        unit = conn.execute(select(CASE.c.unit).where(CASE.c.number == number)).scalar()
        if unit is None:
            raise NotFoundError(f"案件“{number}”不存在")
        t = store.ENTRY
        cond = [t.c.chain == number] + ([] if views else [t.c.act != VIEW])
        docs = [
            json.loads(bytes(data))
            for (data,) in conn.execute(select(t.c.canonical).where(*cond).order_by(t.c.seq))
        ]
    return from_documents(number, docs), _agencies(app).get(unit)


def rule_settings(app: App, agency: str | None) -> dict[str, Decimal]:
    """The agency's own standards that rules take their amounts from (``When``'s
    ``fine_at_least_setting``) and the periods it set for its 音像记录资料 (``agency_retention``);
    none for a case of no registered agency."""
    if not agency:
        return {}
    try:
        found = access.agency_settings(app, agency)
    except NotFoundError:
        return {}
    out: dict[str, Decimal] = {}
    if found.major_fine_threshold is not None:
        out["major_fine_threshold"] = found.major_fine_threshold
    for category, period in found.av_retention.items():  # 003 第二十四条第四款, in years
        if (years := period_years(period)) is not None:
            out[f"av_retention.{category}"] = Decimal(years)
    return out


class _Packs:
    """Packs by name, loaded once per report."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.loaded: dict[str, P.Pack] = {}

    def get(self, name: str) -> P.Pack:
        if name not in self.loaded:
            self.loaded[name] = packs.load_pack(name, self.app.settings.data_dir)
        return self.loaded[name]


def evaluate_file(
    text: str,
    pack: P.Pack,
    now: datetime,
    calendar: WorkingCalendar,
    settings: dict[str, Decimal] | None = None,
) -> Evaluation:
    """Judge an import file without importing it; seqs in findings are entry positions.
    ``settings``: the standards of the agency it is judged for (none: rules that need one
    are off)."""
    number, docs = imported_documents(text, now)
    return evaluate(pack, from_documents(number, docs), now, calendar, settings)


def evaluate_case(app: App, number: str, now: datetime | None = None) -> Evaluation:
    rec, agency = case_record(app, number)
    pack = packs.load_pack(packs.pack_name_for(app, agency), app.settings.data_dir)
    return evaluate(
        pack, rec, now or app.clock.now(), working_calendar(app), rule_settings(app, agency)
    )


def refusal_witnesses_required(app: App, case: str) -> int:
    """How many officers must sign a record on which the party refused to sign, under the pack
    the case's agency runs (003 第十四条: 两名以上; the other packs' texts name no number).
    The hook a document form calls so that it asks what the engine will later check."""
    with app.engine.connect() as conn:
        unit = conn.execute(select(CASE.c.unit).where(CASE.c.number == case)).scalar()
    if unit is None:
        raise NotFoundError(f"案件“{case}”不存在")
    name = packs.pack_name_for(app, _agencies(app).get(unit))
    return packs.load_pack(name, app.settings.data_dir).refusal_officers


def officers_required(app: App, unit: str, act: str) -> tuple[int, tuple[str, ...]] | None:
    """The fewest officers an act of ``act`` needs under the pack the unit's agency runs, and
    the articles that say so: its ``min_officers`` rules that hold for every case (one with
    conditions is the engine's to judge once recorded); None when no rule asks. The hook the
    act form calls so that it refuses what the engine would flag afterwards."""
    name = packs.pack_name_for(app, _agencies(app).get(unit))
    rules = [
        r for r in packs.load_pack(name, app.settings.data_dir).rules.values()
        if isinstance(r, P.MinOfficers) and not r.disabled and r.when is None and act in r.acts
    ]  # fmt: skip
    if not rules:
        return None
    most = max(rules, key=lambda r: r.min)
    return most.min, tuple(most.cite)


def evaluate_page(app: App, number: str) -> Evaluation:
    """``evaluate_case`` for the case page: every opening of the page is a 调阅记录, so a case
    read a thousand times would have the engine read a thousand entries on each opening. No
    bundled pack judges a viewing; a pack that names one gets them all, as ``evaluate_case``."""
    rec, agency = case_record(app, number, views=False)
    pack = packs.load_pack(packs.pack_name_for(app, agency), app.settings.data_dir)
    if VIEW in repr(pack):
        rec, _ = case_record(app, number)
    return evaluate(pack, rec, app.clock.now(), working_calendar(app), rule_settings(app, agency))


def evaluate_cases(
    app: App, numbers: Collection[str], now: datetime | None = None
) -> dict[str, Evaluation]:
    """Several cases at once (a user's own, for his inbox): their entries in one query, the
    calendar and each pack loaded once, so the cost grows with the cases asked for only."""
    now = now or app.clock.now()
    wanted = sorted(set(numbers))
    if not wanted:
        return {}
    calendar = working_calendar(app)
    agencies = _agencies(app)
    loaded = _Packs(app)
    names: dict[str | None, str] = {}
    standards: dict[str | None, dict[str, Decimal]] = {}
    docs: dict[str, list[JsonObject]] = {n: [] for n in wanted}
    with app.engine.connect() as conn:
        units: dict[str, str] = {
            n: u
            for n, u in conn.execute(
                select(CASE.c.number, CASE.c.unit).where(CASE.c.number.in_(wanted))
            )
        }
        for chain, data in conn.execute(
            select(store.ENTRY.c.chain, store.ENTRY.c.canonical)
            .where(store.ENTRY.c.chain.in_(list(units)))
            .order_by(store.ENTRY.c.seq)
        ):
            docs[chain].append(json.loads(bytes(data)))
    out: dict[str, Evaluation] = {}
    for number, unit in units.items():
        agency = agencies.get(unit)
        if agency not in names:
            names[agency] = packs.pack_name_for(app, agency)
            standards[agency] = rule_settings(app, agency)
        pack = loaded.get(names[agency])
        out[number] = evaluate(
            pack, from_documents(number, docs[number]), now, calendar, standards[agency]
        )
    return out


@dataclass(slots=True)
class _Tally:
    """The agency-wide counts, kept while the cases are checked one by one."""

    cases: int = 0
    packs: Counter[str] = field(default_factory=Counter)
    by_severity: Counter[str] = field(default_factory=Counter)
    by_rule: Counter[tuple[str, str]] = field(default_factory=Counter)
    first: dict[tuple[str, str], Finding] = field(default_factory=dict)  # names each rule count
    items: list[CaseFinding] = field(default_factory=list)  # every violation and due item

    def add(self, number: str, pack: str, findings: tuple[Finding, ...]) -> None:
        self.cases += 1
        self.packs[pack] += 1
        for f in findings:
            key = (f.rule, f.severity.value)
            self.by_severity[f.severity.value] += 1
            self.by_rule[key] += 1
            self.first.setdefault(key, f)
            if f.severity is not Severity.WARNING:
                self.items.append(CaseFinding(case=number, **f.as_dict()))

    def report(self, evaluated_at: str) -> AgencyReport:
        by_rule = [
            RuleCount(rule=f.rule, title=f.title, severity=f.severity.value, cite=list(f.cite),
                      count=self.by_rule[key])
            for key, f in self.first.items()
        ]  # fmt: skip
        return AgencyReport(
            evaluated_at=evaluated_at,
            cases=self.cases,
            packs=dict(self.packs),
            by_severity={k: self.by_severity.get(k, 0) for k in ("violation", "warning", "due")},
            by_rule=sorted(by_rule, key=lambda r: (-r.count, r.rule)),
            items=sorted(
                self.items, key=lambda i: (i.severity != "violation", i.due_at or "", i.case)
            ),
        )


def _cases(app: App) -> Iterator[tuple[str, str, list[JsonObject]]]:
    """(number, unit, entry documents) for every case, streaming the journal once."""
    with app.engine.connect() as conn:
        units = dict(conn.execute(select(CASE.c.number, CASE.c.unit)).all())
        raw = conn.connection.dbapi_connection
        assert raw is not None
        cur = raw.cursor()
        cur.execute(
            "SELECT chain, canonical FROM journal_entry WHERE chain NOT LIKE '@%'"
            " ORDER BY chain, seq"
        )
        current: str | None = None
        docs: list[JsonObject] = []
        while batch := cur.fetchmany(5000):
            for chain, data in batch:
                if chain != current:
                    if current is not None and current in units:
                        yield current, units[current], docs
                    current, docs = chain, []
                docs.append(json.loads(bytes(data)))
        if current is not None and current in units:
            yield current, units[current], docs
        cur.close()


def evaluate_all(app: App, now: datetime | None = None) -> AgencyReport:
    now = now or app.clock.now()
    calendar: WorkingCalendar = working_calendar(app)
    agencies = _agencies(app)
    loaded = _Packs(app)
    names: dict[str | None, str] = {}
    standards: dict[str | None, dict[str, Decimal]] = {}
    tally = _Tally()
    for number, unit, docs in _cases(app):
        agency = agencies.get(unit)
        if agency not in names:
            names[agency] = packs.pack_name_for(app, agency)
            standards[agency] = rule_settings(app, agency)
        pack = loaded.get(names[agency])
        ev = evaluate(pack, from_documents(number, docs), now, calendar, standards[agency])
        tally.add(number, pack.name, ev.findings)
    return tally.report(now.isoformat())
