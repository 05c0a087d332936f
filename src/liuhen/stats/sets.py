"""The sets every figure counts, as SQL over the fact tables: the one definition both the
report's grouped counts (``stats.figures``) and a drill-down's list of cases
(``stats.drill``) are built from, so that a number and the cases behind it cannot drift apart.

Nothing here reads rows: each method returns a query or a condition for the database to count.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote_plus, urlencode

from sqlalchemy import (
    ColumnElement,
    Select,
    Subquery,
    Table,
    and_,
    case,
    false,
    func,
    or_,
    select,
    true,
    union,
)

from liuhen.compliance import service as compliance
from liuhen.errors import LiuhenError
from liuhen.kernel.db import store
from liuhen.kernel.instance import App
from liuhen.rules.pack import Pack, expand_acts
from liuhen.stats import projection
from liuhen.stats.facts import MEDIA, VIEW
from liuhen.stats.periods import Period

CASE, ACT, ACT_OFFICER, FINDING = (
    projection.CASE,
    projection.ACT,
    projection.ACT_OFFICER,
    projection.FINDING,
)
CLOSED_STATUSES = ("closed", "archived")
# 罚款 amounts as a supervision report bands them (key, label, fen from, fen below)
PENALTY_BANDS: tuple[tuple[str, str, int, int | None], ...] = (
    ("lt1k", "1千元以下", 0, 100_000),
    ("1k-10k", "1千元至1万元", 100_000, 1_000_000),
    ("10k-50k", "1万元至5万元", 1_000_000, 5_000_000),
    ("50k-200k", "5万元至20万元", 5_000_000, 20_000_000),
    ("ge200k", "20万元以上", 20_000_000, None),
)


@dataclass(frozen=True, slots=True)
class Scope:
    """Which agencies a reader's figures cover (None: all, a supervisor's) and its name."""

    agencies: frozenset[str] | None
    label: str


@dataclass(frozen=True, slots=True)
class Filters:
    agency: str | None = None
    unit: str | None = None
    officer: str | None = None
    act: str | None = None

    def items(self) -> dict[str, str]:
        return {
            k: v
            for k, v in (
                ("agency", self.agency),
                ("unit", self.unit),
                ("officer", self.officer),
                ("act", self.act),
            )
            if v
        }


@dataclass(frozen=True, slots=True)
class Rules:
    """What the packs in force say that the rates need: the rules of each kind (av: missing
    recording, av_storage: late storage), and the acts that must be recorded on audio-video,
    per agency."""

    av: tuple[str, ...]
    av_storage: tuple[str, ...]
    mandatory: dict[str | None, frozenset[str]]


def load_rules(app: App, agencies: Iterable[str | None]) -> Rules:
    """The rules of the packs the ``agencies`` run under. Which pack each runs under is read
    in one query and the packs' files every time (a change of either is seen at once); what a
    pack says the rates need is worked out once per loaded pack (``_pack_rules``)."""
    wanted = set(agencies)
    names = _pack_names(app, wanted)
    found: dict[str, tuple[dict[str, str], frozenset[str]] | None] = {}
    for name in set(names.values()):
        try:
            found[name] = _pack_rules(compliance.load_pack(name, app.settings.data_dir))
        except LiuhenError:
            found[name] = None
    kinds: dict[str, str] = {}
    mandatory: dict[str | None, frozenset[str]] = {}
    for agency in wanted:
        rules = found[names[agency]]
        if rules is None:
            mandatory[agency] = frozenset()
            continue
        kinds.update(rules[0])
        mandatory[agency] = rules[1]
    return Rules(
        av=tuple(sorted(r for r, k in kinds.items() if k == "av")),
        av_storage=tuple(sorted(r for r, k in kinds.items() if k == "av_storage")),
        mandatory=mandatory,
    )


def _pack_names(app: App, agencies: set[str | None]) -> dict[str | None, str]:
    """Each agency's pack as ``compliance.pack_name_for`` names it: the agencies' own in one
    query, the instance default for the others."""
    codes = sorted(a for a in agencies if a)
    with app.engine.connect() as conn:
        own = {
            code: str(pack)
            for code, pack in conn.execute(
                select(store.AGENCY.c.code, store.AGENCY.c.rule_pack).where(
                    store.AGENCY.c.code.in_(codes)
                )
            )
            if pack
        }
    fallback = compliance.pack_name_for(app, None)
    return {a: own.get(a, fallback) if a else fallback for a in agencies}


# the last packs worked out: id(pack) -> (pack, its rule kinds, its mandatory acts). A pack
# is the parser's cached object for the exact texts of its files (``rules.pack.load``), so
# an edited file gives a new object and is worked out afresh.
_PACK_RULES: dict[int, tuple[Pack, dict[str, str], frozenset[str]]] = {}


def _pack_rules(pack: Pack) -> tuple[dict[str, str], frozenset[str]]:
    """A pack's rule kinds (rule id → kind) and the acts it says must be recorded on
    audio-video."""
    cached = _PACK_RULES.get(id(pack))
    if cached is not None and cached[0] is pack:
        return cached[1], cached[2]
    kinds: dict[str, str] = {}
    acts: set[str] = set()
    for rid, rule in pack.rules.items():
        kind = str(getattr(rule, "kind", ""))
        kinds[rid] = kind
        if kind == "av" and getattr(rule, "level", "") == "mandatory" and not rule.disabled:
            acts.update(expand_acts(list(getattr(rule, "acts", []) or [])))
    if len(_PACK_RULES) >= 64:
        _PACK_RULES.clear()
    _PACK_RULES[id(pack)] = (pack, kinds, frozenset(acts))
    return kinds, frozenset(acts)


def _like_json_item(text: str) -> str:
    """A LIKE pattern for a JSON list (``["a", "b"]``) holding the string ``text``."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f'%"{escaped}"%'


class Sets:
    """The cases, acts and findings a report counts, for one scope, period and filters.

    Kept cases: in scope (agency, unit), with the officer among the case's officers or in one
    of the period's acts, and with an act of the filtered kind. Acts: the period's acts of kept
    cases (in scope by the act's own unit; only the officer's or the act kind's when filtered).
    Findings: the period's findings on kept cases."""

    def __init__(self, scope: Scope, period: Period, filters: Filters) -> None:
        self.scope, self.period, self.filters = scope, period, filters
        self.start, self.end = period.start.isoformat(), period.end.isoformat()

    # --- scope -----------------------------------------------------------------------------

    def within(self, col: ColumnElement[Any]) -> ColumnElement[bool]:
        return and_(col >= self.start, col <= self.end)

    def in_scope(self, table: Table) -> list[ColumnElement[bool]]:
        where: list[ColumnElement[bool]] = []
        col = table.c
        if self.scope.agencies is not None:
            where.append(col.agency.in_(sorted(self.scope.agencies)))
        if self.filters.agency:
            where.append(col.agency == self.filters.agency)
        if self.filters.unit:
            where.append(col.unit == self.filters.unit)
        return where

    def kept(self) -> Select[Any]:
        """The numbers of the kept cases."""
        f = self.filters
        where = self.in_scope(CASE)
        if f.officer:
            acted = (
                select(ACT.c.case_number)
                .join(ACT_OFFICER, ACT_OFFICER.c.seq == ACT.c.seq)
                .where(
                    ACT_OFFICER.c.officer == f.officer,
                    self.within(ACT.c.on_date),
                    *self.in_scope(ACT),
                )
            )
            where.append(
                or_(
                    CASE.c.number.in_(acted),
                    CASE.c.officers.like(_like_json_item(f.officer), escape="\\"),
                )
            )
        if f.act:
            where.append(CASE.c.number.in_(select(ACT.c.case_number).where(ACT.c.act == f.act)))
        return select(CASE.c.number).where(*where)

    def is_kept(self, col: ColumnElement[Any]) -> ColumnElement[bool]:
        """``col`` (a case number) is a kept case's. Every act and finding row belongs to a
        case row, so without any scope or filter no condition is needed."""
        if self.scope.agencies is None and not self.filters.items():
            return true()
        return col.in_(self.kept())

    def cases(self, *where: ColumnElement[bool]) -> Select[Any]:
        """The kept cases' rows (``CASE``) meeting ``where``; callers pick the columns."""
        return select(CASE.c.number).where(self.is_kept(CASE.c.number), *where)

    def opened(self) -> ColumnElement[bool]:
        return self.within(CASE.c.opened_on)

    def closed(self) -> ColumnElement[bool]:
        return self.within(CASE.c.closed_on)

    def decided(self) -> ColumnElement[bool]:
        return self.within(CASE.c.decided_on)

    def fined(self) -> ColumnElement[bool]:
        return and_(self.decided(), CASE.c.amount_fen > 0)

    def active(self) -> ColumnElement[bool]:
        """Opened or closed in the period: the cases the breakdowns count."""
        return or_(self.opened(), self.closed())

    def band(self, key: str) -> ColumnElement[bool]:
        for k, _, low, high in PENALTY_BANDS:
            if k == key:
                upper = [CASE.c.amount_fen < high] if high is not None else []
                return and_(self.fined(), CASE.c.amount_fen >= low, *upper)
        return false()

    # --- acts ------------------------------------------------------------------------------

    def acts(self, real: bool | None = True) -> Subquery:
        """The period's acts (``real``: without the reviews; False: the reviews alone; None:
        both), columns seq, case_number, agency, unit, act, on_date, av_seconds."""
        f = self.filters
        where = [self.within(ACT.c.on_date), *self.in_scope(ACT), self.is_kept(ACT.c.case_number)]
        if f.officer:
            where.append(
                ACT.c.seq.in_(select(ACT_OFFICER.c.seq).where(ACT_OFFICER.c.officer == f.officer))
            )
        if f.act:
            where.append(ACT.c.act == f.act)
        if real is True:
            where.append(ACT.c.act != VIEW)
        elif real is False:
            where.append(ACT.c.act == VIEW)
        cols = ("seq", "case_number", "agency", "unit", "act", "on_date", "av_seconds")
        return select(*(ACT.c[k] for k in cols)).where(*where).subquery()

    def by_unit(self, acted: Select[Any] | None = None) -> Subquery:
        """Each unit's cases (g, number): its cases opened or closed in the period, and the
        cases of its acts in the period (``acted``: (unit, case_number) of them, when the
        caller has them summed)."""
        if acted is None:
            a = self.acts()
            acted = select(a.c.unit, a.c.case_number)
        return union(
            select(CASE.c.unit.label("g"), CASE.c.number).where(
                self.is_kept(CASE.c.number), self.active()
            ),
            acted,
        ).subquery()

    def officer_acts(self) -> Subquery:
        """Each officer's acts in the period (g: the officer), the acts' columns."""
        a = self.acts()
        return (
            select(ACT_OFFICER.c.officer.label("g"), *a.c)
            .join(ACT_OFFICER, ACT_OFFICER.c.seq == a.c.seq)
            .subquery()
        )

    def due(self, acts: Subquery, rules: Rules) -> ColumnElement[bool]:
        """The acts that must be recorded on audio-video (by their agency's pack)."""
        terms = [
            and_(
                acts.c.agency.is_(None) if agency is None else acts.c.agency == agency,
                acts.c.act.in_(sorted(codes)),
            )
            for agency, codes in sorted(rules.mandatory.items(), key=lambda kv: kv[0] or "")
            if codes
        ]
        return or_(false(), *terms)

    # --- findings --------------------------------------------------------------------------

    def findings(self, *where: ColumnElement[bool]) -> Select[Any]:
        """The period's findings on kept cases meeting ``where``; callers pick the columns."""
        return select(FINDING.c.case_number).where(
            self.within(FINDING.c.on_date), self.is_kept(FINDING.c.case_number), *where
        )

    @staticmethod
    def violation() -> ColumnElement[bool]:
        return FINDING.c.severity == "violation"

    def bad(self) -> Select[Any]:
        """The cases with a violation found in the period."""
        return self.findings(self.violation())

    def late_archive(self) -> Select[Any]:
        return self.findings(self.violation(), FINDING.c.rule.like("deadline.archive%"))

    def av_missing(self, rules: Rules) -> Select[Any]:
        """The acts a violation says lack their recording (seq)."""
        return self.findings(self.violation(), FINDING.c.rule.in_(rules.av)).with_only_columns(
            FINDING.c.seq
        )

    def late_storage(self, rules: Rules) -> Subquery:
        """(case_number, seq) of each recording stored late, as violations say."""
        return (
            self.findings(self.violation(), FINDING.c.rule.in_(rules.av_storage))
            .add_columns(FINDING.c.seq)
            .subquery()
        )

    def media_cases(self, acts: Subquery, grouped: bool) -> Subquery:
        """The cases with a recording among ``acts`` ((g,) case_number)."""
        cols = [acts.c.g] if grouped else []
        return select(*cols, acts.c.case_number).where(acts.c.act == MEDIA).distinct().subquery()

    def case_findings(self) -> Subquery:
        """Per case with a finding in the period: 1 in ``bad`` for a violation, in
        ``late_archive`` for a violation of an archiving limit; ``violations`` counts them."""
        violation = self.violation()
        late = violation & FINDING.c.rule.like("deadline.archive%")
        return (
            self.findings()
            .add_columns(
                func.max(case((violation, 1), else_=0)).label("bad"),
                func.max(case((late, 1), else_=0)).label("late_archive"),
                func.sum(case((violation, 1), else_=0)).label("violations"),
            )
            .group_by(FINDING.c.case_number)
            .subquery()
        )

    def archive_closed(self) -> ColumnElement[bool]:
        return and_(self.closed(), CASE.c.status.in_(CLOSED_STATUSES))


def link(period: Period, filters: Filters, metric: str, key: str) -> str:
    """The address of the cases behind a figure (``stats.drill`` lists them). A report links
    thousands of figures (a row per officer, each with four) for one period and filters, so
    their part of the query is encoded once, and the rest as ``urlencode`` would without its
    general machinery."""
    return _link_base(period.key, filters) + f"metric={quote_plus(metric)}&key={quote_plus(key)}"


@functools.lru_cache(maxsize=256)
def _link_base(period_key: str, filters: Filters) -> str:
    return "/stats/cases?" + urlencode({"period": period_key, **filters.items()}) + "&"
