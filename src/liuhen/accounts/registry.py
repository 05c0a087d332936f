"""Agencies, units and officers as the administrator keeps them: read from the projections,
changed only through the journal, so every registration stays traceable to who made it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from liuhen.errors import ConflictError, NotFoundError, PermissionDenied, Problem, ValidationError
from liuhen.kernel import record
from liuhen.kernel.db import store
from liuhen.kernel.instance import App
from liuhen.kernel.journal import Appended
from liuhen.kernel.record import ActInput
from liuhen.procedure.catalog import ROLE_LABELS, Role

AGENCY = store.AGENCY
UNIT = store.UNIT
OFFICER = store.OFFICER
OFFICER_ROLES = (Role.OFFICER, Role.LEGAL_REVIEWER, Role.HEAD, Role.ARCHIVIST)
MAX_CODE = 64


@dataclass(frozen=True, slots=True)
class AgencyRow:
    """A registered agency (行政执法机关) and the rule pack it chose, if any."""

    code: str
    name: str
    region: str | None
    rule_pack: str | None


@dataclass(frozen=True, slots=True)
class UnitRow:
    """A registered unit (执法机构) and its agency."""

    code: str
    name: str
    agency: str


@dataclass(frozen=True, slots=True)
class OfficerRow:
    """A registered officer, his unit, roles and whether he is in post."""

    cert_no: str
    name: str
    unit: str
    roles: list[str]
    active: bool


@dataclass(frozen=True, slots=True)
class Registry:
    """Agencies, units and officers as the journal registered them."""

    agencies: list[AgencyRow]
    units: list[UnitRow]
    officers: list[OfficerRow]


def listing(app: App) -> Registry:
    with app.engine.connect() as conn:
        agencies = conn.execute(select(AGENCY).order_by(AGENCY.c.code)).mappings().all()
        units = conn.execute(select(UNIT).order_by(UNIT.c.agency, UNIT.c.code)).mappings().all()
        officers = (
            conn.execute(select(OFFICER).order_by(OFFICER.c.unit, OFFICER.c.cert_no))
            .mappings()
            .all()
        )
    return Registry(
        agencies=[AgencyRow(**a) for a in agencies],
        units=[UnitRow(**u) for u in units],
        officers=[
            OfficerRow(**{**o, "roles": json.loads(o["roles"]), "active": bool(o["active"])})
            for o in officers
        ],
    )


def _exists(app: App, column: Any, value: str) -> bool:
    with app.engine.connect() as conn:
        return conn.execute(select(column).where(column == value)).first() is not None


def _code_problems(code: str, name: str, field: str) -> list[Problem]:
    problems = []
    if (
        not code.isascii()
        or len(code) > MAX_CODE
        or not code.replace("-", "").replace("_", "").isalnum()
    ):
        problems.append(Problem("编码只能包含字母、数字、连字符和下划线（至多 64 个字符）", field))
    if not name.strip() or len(name) > 200:
        problems.append(Problem("名称不能为空，至多 200 个字符", "name"))
    return problems


def add_agency(app: App, code: str, name: str, region: str, by: dict[str, str]) -> Appended:
    """A new agency only; its rule pack is set separately, with a reason (规则包)."""
    problems = _code_problems(code, name, "code")
    if not region.strip() or len(region) > 200:
        problems.append(Problem("行政区划不能为空，至多 200 个字符", "region"))
    if problems:
        raise ValidationError("无法登记执法机关", problems)
    if _exists(app, AGENCY.c.code, code):
        raise ConflictError(f"机关编码“{code}”已登记")
    return record.record(app, ActInput(
        "registry.agency", app.clock.now().isoformat(), recorded_by=by,
        fields={"code": code, "name": name.strip(), "region": region.strip()},
    ))  # fmt: skip


def add_unit(app: App, code: str, name: str, agency: str, by: dict[str, str]) -> Appended:
    """A new unit only: re-registering an existing code would silently rename it."""
    problems = _code_problems(code, name, "code")
    if not _exists(app, AGENCY.c.code, agency):
        problems.append(Problem(f"机关“{agency}”未登记", "agency"))
    if problems:
        raise ValidationError("无法登记执法机构", problems)
    if _exists(app, UNIT.c.code, code):
        raise ConflictError(f"机构编码“{code}”已登记")
    return record.record(app, ActInput(
        "registry.unit", app.clock.now().isoformat(), recorded_by=by,
        fields={"code": code, "name": name.strip(), "agency": agency},
    ))  # fmt: skip


def register_officer(
    app: App, cert_no: str, name: str, unit: str, roles: list[str], by: dict[str, str]
) -> Appended:
    problems = _code_problems(cert_no, name, "cert_no")
    if not _exists(app, UNIT.c.code, unit):
        problems.append(Problem(f"机构“{unit}”未登记", "unit"))
    if not roles or set(roles) - set(OFFICER_ROLES):
        problems.append(Problem(f"角色应为：{'、'.join(OFFICER_ROLES)}", "roles"))
    if problems:
        raise ValidationError("无法登记执法人员", problems)
    if _exists(app, OFFICER.c.cert_no, cert_no):
        raise ConflictError(f"执法证号“{cert_no}”已登记")
    return record.record(app, ActInput(
        "registry.officer", app.clock.now().isoformat(), recorded_by=by,
        fields={"cert_no": cert_no, "name": name.strip(), "unit": unit,
                "roles": sorted(roles), "active": True},
    ))  # fmt: skip


def change_officer(
    app: App, cert_no: str, unit: str, roles: list[str], active: bool, by: dict[str, str]
) -> Appended:
    """A new registry.officer entry for a registered officer: the projection takes the latest,
    and the earlier registration stays in the journal as what was true before."""
    with app.engine.connect() as conn:
        row = conn.execute(select(OFFICER).where(OFFICER.c.cert_no == cert_no)).mappings().first()
    if row is None:
        raise NotFoundError(f"执法证号“{cert_no}”未登记")
    problems = []
    if not _exists(app, UNIT.c.code, unit):
        problems.append(Problem(f"机构“{unit}”未登记", "unit"))
    if not roles or set(roles) - set(OFFICER_ROLES):
        problems.append(Problem(f"角色应为：{'、'.join(OFFICER_ROLES)}", "roles"))
    if problems:
        raise ValidationError("无法变更执法人员", problems)
    return record.record(app, ActInput(
        "registry.officer", app.clock.now().isoformat(), recorded_by=by,
        fields={"cert_no": cert_no, "name": row["name"], "unit": unit,
                "roles": sorted(roles), "active": active},
    ))  # fmt: skip


_ROLE_NAMES = {r.value: label for r, label in ROLE_LABELS.items()}


def person(app: App, cert: str, roles: tuple[str, ...], what: str) -> tuple[str, str]:
    """(name, role) of a registered, active person holding one of ``roles``, the first held.

    Services that act in someone's name (archiving, retention, parties' requests) check the
    registry here, so "who may do this" has one answer and one wording.
    """
    with app.engine.connect() as conn:
        row = conn.execute(
            select(OFFICER.c.name, OFFICER.c.roles, OFFICER.c.active).where(
                OFFICER.c.cert_no == cert
            )
        ).first()
    if row is None or not row.active:
        raise NotFoundError(f"执法证号 {cert} 未登记或已停用")
    held = json.loads(row.roles)
    role = next((r for r in roles if r in held), None)
    if role is None:
        names = "或".join(_ROLE_NAMES.get(r, r) for r in roles)
        raise PermissionDenied(f"{row.name}（{cert}）不是{names}，不能{what}")
    return str(row.name), role
