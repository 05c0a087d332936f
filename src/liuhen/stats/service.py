"""Statistics for supervision and evaluation (评议考核): what the page, the API, the workbook
and the CLI call. Heads and legal reviewers see their agency, supervisors (司法局) every agency.
"""

from __future__ import annotations

from urllib.parse import quote

from sqlalchemy import select

from liuhen.access.policy import User
from liuhen.errors import ValidationError
from liuhen.kernel.db import store
from liuhen.kernel.instance import App
from liuhen.kernel.journal import Appended
from liuhen.procedure.catalog import Role
from liuhen.stats import drill, figures, periods, projection, settings, workbook
from liuhen.stats.figures import STATUS_LABELS, Filters, Scope, WarningGroup, WarningSource
from liuhen.stats.periods import Period
from liuhen.stats.projection import CaughtUp, Difference
from liuhen.stats.schemas import CaseBehind, CasesBehind, StatsReport

__all__ = ["CaughtUp", "Difference", "Filters", "Period", "Scope", "WarningGroup", "WarningSource"]
# The warnings feature's cards, wired in by the entry points (statistics may not import a
# sibling feature); without it the report has no 期限预警 figures.
_WARNINGS: list[WarningSource] = []


def use_warnings(source: WarningSource) -> None:
    """Count the early-warning cards with ``source`` (``warnings.service.groups``)."""
    _WARNINGS[:] = [source]


def period(app: App, text: str | None) -> Period:
    """The typed period, or this month by the instance clock."""
    return periods.parse(text) if text else periods.default(app.clock.now().date())


def quick_periods(app: App) -> list[tuple[str, str]]:
    """This and last month, this quarter, this and last year by the instance clock."""
    return periods.quick(app.clock.now().date())


def scope_for(app: App, user: User | None) -> Scope:
    """A supervisor (or the CLI, ``user`` None) sees every agency; anyone else their own."""
    if user is None or Role.SUPERVISOR in user.roles:
        return Scope(None, "全部机关")
    with app.engine.connect() as conn:
        name = conn.execute(
            select(store.AGENCY.c.name).where(store.AGENCY.c.code == user.agency)
        ).scalar()
    return Scope(
        frozenset({user.agency}) if user.agency else frozenset(),
        str(name or user.agency or "本机关"),
    )


def weights(app: App, agency: str | None) -> tuple[dict[str, int], bool]:
    """The score's weights for an agency and whether they are its own (else the defaults)."""
    return settings.weights_for(app, agency)


def set_weights(app: App, agency: str, values: dict[str, str], by: dict[str, str]) -> Appended:
    """Journal an agency's evaluation weights (``registry.evaluation_settings``)."""
    return settings.set_weights(app, agency, values, by)


def report(app: App, user: User | None, period_text: str | None, filters: Filters) -> StatsReport:
    return _figures(app, user, period_text, filters).report


def _scope(app: App, user: User | None, filters: Filters) -> Scope:
    scope = scope_for(app, user)
    if filters.agency and scope.agencies is not None and filters.agency not in scope.agencies:
        raise ValidationError("只能统计本机关的数据")
    return scope


def _figures(
    app: App, user: User | None, period_text: str | None, filters: Filters
) -> figures.Figures:
    scope = _scope(app, user, filters)
    w, own = weights(
        app, filters.agency or (next(iter(scope.agencies)) if scope.agencies else None)
    )
    source = _WARNINGS[0] if _WARNINGS else None
    return figures.compute(app, scope, period(app, period_text), filters, w, own, source)


def cases_behind(
    app: App, user: User | None, period_text: str | None, filters: Filters, metric: str, key: str
) -> CasesBehind:
    """The cases behind one figure of the report, computed the same way as the figure (but
    alone: the report itself lists none)."""
    scope = _scope(app, user, filters)
    when = period(app, period_text)
    source = _WARNINGS[0] if _WARNINGS else None
    title, found = drill.cases_behind(app, scope, when, filters, metric, key, source)
    numbers = sorted(found)
    with app.engine.connect() as conn:
        units = {c: n for c, n in conn.execute(select(store.UNIT.c.code, store.UNIT.c.name))}
        rows = conn.execute(
            select(
                store.CASE.c.number,
                store.CASE.c.cause,
                store.CASE.c.unit,
                store.CASE.c.opened_at,
                store.CASE.c.status,
            )
            .where(store.CASE.c.number.in_(numbers))
            .order_by(store.CASE.c.opened_at)
        ).all()
    cases = [
        CaseBehind(
            number=r.number,
            cause=r.cause,
            unit_name=units.get(r.unit, r.unit),
            opened_on=str(r.opened_at)[:10],
            status=STATUS_LABELS.get(r.status, r.status),
            link="/cases/" + quote(r.number, safe=""),
        )
        for r in rows
    ]
    return CasesBehind(title=title, period_label=when.label, cases=cases)


def xlsx(
    app: App, user: User | None, period_text: str | None, filters: Filters
) -> tuple[str, bytes]:
    """The monthly supervision report as an Excel workbook: its file name and bytes."""
    rep = report(app, user, period_text, filters)
    return f"执法统计_{rep.period}.xlsx", workbook.build(rep)


def catch_up(app: App) -> CaughtUp:
    return projection.catch_up(app)


def rebuild(app: App) -> CaughtUp:
    return projection.rebuild(app)


def verify(app: App) -> list[Difference]:
    return projection.verify(app)
