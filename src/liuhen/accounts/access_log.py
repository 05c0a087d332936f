"""Every view of a case is itself a journal entry (调阅 is recorded: 001 第二十二条,
003 第二十四条)."""

from __future__ import annotations

from sqlalchemy import select

from liuhen.access.policy import User
from liuhen.kernel import record
from liuhen.kernel.db import store
from liuhen.kernel.instance import App
from liuhen.kernel.journal import Appended
from liuhen.kernel.record import ActInput
from liuhen.procedure.catalog import ROLE_LABELS, Role

UNIT = store.UNIT
ROLE_NAMES: dict[str, str] = {r: label for r, label in ROLE_LABELS.items() if r is not Role.SYSTEM}


def unit_agency(app: App, unit: str | None) -> str | None:
    if not unit:
        return None
    with app.engine.connect() as conn:
        return conn.execute(select(UNIT.c.agency).where(UNIT.c.code == unit)).scalar()


def agency_units(app: App, agency: str | None) -> list[str]:
    if not agency:
        return []
    with app.engine.connect() as conn:
        return [r[0] for r in conn.execute(select(UNIT.c.code).where(UNIT.c.agency == agency))]


def record_access(
    app: App,
    user: User,
    case: str,
    purpose: str,
    materials: list[str] | None = None,
    copied: bool = False,
) -> Appended:
    role = sorted(user.roles & set(ROLE_NAMES) - {Role.ADMIN})
    accessor = {"name": user.display_name, "role": "、".join(ROLE_NAMES[r] for r in role) or "系统"}
    if user.unit:
        accessor["unit"] = user.unit
    by = Role.SYSTEM if user.machine else (role[0] if role else Role.SUPERVISOR)
    return record.record(app, ActInput(
        "general.review_access", app.clock.now().isoformat(), case=case,
        actors=[user.cert_no] if user.cert_no else [],
        recorded_by={"id": user.cert_no or user.username, "role": by},
        fields={"accessor": accessor, "purpose": purpose, "materials": materials or ["案件记录"],
                "copied": copied},
    ))  # fmt: skip
