"""The report's tables of units and officers: each column one grouped count in SQL, the score
from the grouped rates, so a unit's or officer's row costs no more with a year of acts than
with a day's."""

from __future__ import annotations

from sqlalchemy import Connection, FromClause, func, select

from liuhen.stats import score
from liuhen.stats.rates import Rates, act_rates, case_rates, grouped, officer_figures, pct
from liuhen.stats.schemas import OfficerRow, UnitRow
from liuhen.stats.sets import ACT_OFFICER, Rules, Sets, link

NONE = score.Rate(0, 0)


def _percent(rates: Rates, key: str) -> float | None:
    rate = rates.get(key, NONE)
    return pct(rate.good, rate.total)


def unit_rows(
    conn: Connection,
    s: Sets,
    rules: Rules,
    units: dict[str, tuple[str, str]],
    field: dict[str, list[str]],
    weights: dict[str, int],
    sums: FromClause,
) -> list[UnitRow]:
    """A row per unit with cases opened or closed, or acts, in the period. A unit's cases are
    its cases opened or closed and the cases of its acts (``Sets.by_unit``); ``sums`` are the
    period's acts summed per case and unit (``rates.act_sums``)."""
    members = s.by_unit(select(sums.c.unit, sums.c.case_number).where(sums.c.acts > 0))
    rates_of, cases = case_rates(conn, s, members)
    act_rates_of, acts = act_rates(conn, s, rules, sums, True)
    for g, r in act_rates_of.items():
        rates_of.setdefault(g, {}).update(r)
    people = _people(conn, s, [u for u in set(cases) | set(acts) if not field.get(u)])
    rows = []
    for code in sorted(set(cases) | set(acts)):
        name, agency = units.get(code, (code, ""))
        opened, closed, violations, _ = cases.get(code, (0, 0, 0, 0))
        n_acts, n_real, seconds = acts.get(code, (0, 0, 0))
        staff = len(field.get(code, [])) or people.get(code, (0,))[0]
        rates = rates_of.get(code, {})
        rows.append(
            UnitRow(
                unit=code,
                name=name,
                agency=agency or None,
                officers=staff,
                opened=opened,
                closed=closed,
                acts=n_real,
                acts_per_officer=round(n_real / staff, 1) if staff else 0.0,
                av_hours=round(seconds / 3600, 2),
                reviews=n_acts - n_real,
                violations=violations,
                on_time_storage=_percent(rates, "on_time_storage"),
                on_time_archive=_percent(rates, "on_time_archive"),
                av_coverage=_percent(rates, "av_coverage"),
                score=score.score(_all(rates), weights).value,
                link=link(s.period, s.filters, "unit", code),
            )
        )
    return rows


def _people(conn: Connection, s: Sets, units: list[str]) -> dict[str, tuple[int, ...]]:
    """The officers who took part in the period's acts of each of ``units`` (those without
    field officers on record, where they stand in for them)."""
    if not units:
        return {}
    real = s.acts()
    return grouped(
        conn,
        real.join(ACT_OFFICER, ACT_OFFICER.c.seq == real.c.seq),
        real.c.unit,
        func.count(ACT_OFFICER.c.officer.distinct()),
        where=[real.c.unit.in_(sorted(units))],
    )


def _all(rates: Rates) -> Rates:
    return {k: rates.get(k, NONE) for k in score.INDICATORS}


def officer_rows(
    conn: Connection,
    s: Sets,
    rules: Rules,
    units: dict[str, tuple[str, str]],
    officers: dict[str, tuple[str, str]],
    field: dict[str, list[str]],
    weights: dict[str, int],
    rolled: bool = False,
) -> list[OfficerRow]:
    """A row per field officer (执法人员) who took part in an act of the period: a head's
    approvals and a reviewer's reviews are not field workload. ``rolled``: the whole months
    come from the monthly sums (``stats.rollup.ensure`` said they may)."""
    found = officer_figures(conn, s, rules, rolled)
    staff = {c for people in field.values() for c in people}
    rows = []
    for cert, (rates, (n_cases, n_acts, seconds, violations)) in found.items():
        if staff and cert not in staff:
            continue
        name, unit = officers.get(cert, (cert, ""))
        rows.append(
            OfficerRow(
                cert_no=cert,
                name=name,
                unit=unit,
                unit_name=units.get(unit, (unit, ""))[0],
                cases=n_cases,
                acts=n_acts,
                av_hours=round(seconds / 3600, 2),
                violations=violations,
                av_coverage=_percent(rates, "av_coverage"),
                on_time_storage=_percent(rates, "on_time_storage"),
                score=score.score(_all(rates), weights).value,
                link=link(s.period, s.filters, "officer", cert),
            )
        )
    return sorted(rows, key=lambda r: (r.unit, -r.acts, r.cert_no))
