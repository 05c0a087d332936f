"""Which cases a list may show a user, as SQL: lists are filtered before they are paged.

Filtering after a page is read would show short pages and leak totals; every list of cases or of
their records (cases, retention, requests, media) narrows its query with these conditions.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, false, or_, select

from liuhen.access.policy import AGENCY_WIDE, User
from liuhen.accounts.access_log import agency_units
from liuhen.kernel.db import store
from liuhen.kernel.instance import App
from liuhen.procedure.catalog import Role

CASE = store.CASE

Scope = tuple[list[str] | None, str | None] | None  # (units, cert_no); None = every case


def case_scope(app: App, user: User) -> Scope:
    """Which cases a list may show the user, as (units, cert_no); None for every case.

    Supervisors (司法局) see every case read-only; heads, reviewers and archivists their
    agency's units; an officer his unit's cases and those he is assigned to; the administrator
    and anyone else nothing.
    """
    if Role.SUPERVISOR in user.roles:
        return None
    return unit_scope(app, user), user.cert_no if Role.OFFICER in user.roles else None


def unit_scope(app: App, user: User) -> list[str]:
    """The units whose work the user sees as his own: an officer's unit, and for heads,
    reviewers and archivists every unit of their agency. Their cases, and their media not yet
    bound to a case, are his to see; supervisors see bound media only, the admin nothing."""
    units = agency_units(app, user.agency) if user.roles & AGENCY_WIDE else []
    if user.unit and Role.OFFICER in user.roles:
        units = [*units, user.unit]
    return list(dict.fromkeys(units))


def cases_in(scope: Scope) -> ColumnElement[bool] | None:
    """The SQL condition on ``case_record`` for a scope (None: no condition)."""
    if scope is None:
        return None
    units, cert = scope
    either: list[ColumnElement[bool]] = []
    if units:
        either.append(CASE.c.unit.in_(units))
    if cert:
        either.append(CASE.c.officers.contains(f'"{cert}"'))
    return or_(*either) if either else false()


def chains_in(column: Any, scope: Scope) -> ColumnElement[bool] | None:
    """The SQL condition that a case-number column names a case in scope."""
    cond = cases_in(scope)
    if cond is None:
        return None
    return column.in_(select(CASE.c.number).where(cond))  # type: ignore[no-any-return]
