"""Applying the rule packs: one case on demand, or every case for an agency-wide report.

Findings are computed from the journal each time they are asked for, never stored, so they are
always those of the current record, the current pack and the current time.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select

from liuhen.cases.service import imported_documents
from liuhen.compliance import packs
from liuhen.compliance.calendar import working_calendar
from liuhen.compliance.packs import available as available
from liuhen.compliance.packs import load_pack as load_pack
from liuhen.compliance.packs import pack_name_for as pack_name_for
from liuhen.compliance.packs import use_pack as use_pack
from liuhen.errors import NotFoundError
from liuhen.kernel.db import store
from liuhen.kernel.instance import App
from liuhen.rules import pack as P
from liuhen.rules.calendar import WorkingCalendar
from liuhen.rules.engine import evaluate
from liuhen.rules.findings import Evaluation
from liuhen.rules.record import CaseRecord, from_documents

CASE = store.CASE
UNIT = store.UNIT


def _agencies(app: App) -> dict[str, str]:
    """unit code -> agency code."""
    with app.engine.connect() as conn:
        return {r.code: r.agency for r in conn.execute(select(UNIT.c.code, UNIT.c.agency))}


def case_record(app: App, number: str) -> tuple[CaseRecord, str | None]:
    with app.engine.connect() as conn:
        unit = conn.execute(select(CASE.c.unit).where(CASE.c.number == number)).scalar()
        if unit is None:
            raise NotFoundError(f"案件“{number}”不存在")
        docs = [
            json.loads(bytes(data))
            for (data,) in conn.execute(
                select(store.ENTRY.c.canonical)
                .where(store.ENTRY.c.chain == number)
                .order_by(store.ENTRY.c.seq)
            )
        ]
    return from_documents(number, docs), _agencies(app).get(unit)


class _Packs:
    """Packs by name, loaded once per report."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.loaded: dict[str, P.Pack] = {}

    def get(self, name: str) -> P.Pack:
        if name not in self.loaded:
            self.loaded[name] = packs.load_pack(name, self.app.settings.data_dir)
        return self.loaded[name]


def evaluate_file(text: str, pack: P.Pack, now: datetime, calendar: WorkingCalendar) -> Evaluation:
    """Judge an import file without importing it; seqs in findings are entry positions."""
    number, docs = imported_documents(text, now)
    return evaluate(pack, from_documents(number, docs), now, calendar)


def evaluate_case(app: App, number: str, now: datetime | None = None) -> Evaluation:
    rec, agency = case_record(app, number)
    pack = packs.load_pack(packs.pack_name_for(app, agency), app.settings.data_dir)
    return evaluate(pack, rec, now or app.clock.now(), working_calendar(app))


@dataclass
class AgencyReport:
    evaluated_at: str
    cases: int = 0
    by_severity: Counter[str] = field(default_factory=Counter)
    by_rule: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    items: list[dict[str, Any]] = field(default_factory=list)  # every violation and due item
    packs: Counter[str] = field(default_factory=Counter)

    def as_dict(self) -> dict[str, Any]:
        return {
            "evaluated_at": self.evaluated_at,
            "cases": self.cases,
            "packs": dict(self.packs),
            "by_severity": {k: self.by_severity.get(k, 0) for k in ("violation", "warning", "due")},
            "by_rule": sorted(self.by_rule.values(), key=lambda r: (-r["count"], r["rule"])),
            "items": self.items,
        }


def _cases(app: App) -> Iterator[tuple[str, str, list[dict[str, Any]]]]:
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
        docs: list[dict[str, Any]] = []
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
    report = AgencyReport(evaluated_at=now.isoformat())
    for number, unit, docs in _cases(app):
        agency = agencies.get(unit)
        if agency not in names:
            names[agency] = packs.pack_name_for(app, agency)
        pack = loaded.get(names[agency])
        result = evaluate(pack, from_documents(number, docs), now, calendar)
        report.cases += 1
        report.packs[pack.name] += 1
        for f in result.findings:
            report.by_severity[f.severity.value] += 1
            key = (f.rule, f.severity.value)
            entry = report.by_rule.setdefault(
                key,
                {
                    "rule": f.rule,
                    "title": f.title,
                    "severity": f.severity.value,
                    "cite": list(f.cite),
                    "count": 0,
                },
            )
            entry["count"] += 1
            if f.severity.value != "warning":
                report.items.append({"case": number, **f.as_dict()})
    report.items.sort(key=lambda i: (i["severity"] != "violation", i["due_at"] or "", i["case"]))
    return report
