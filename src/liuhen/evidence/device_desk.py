"""What the 记录仪 pages do, and for whom.

A unit's head (for the units of his agency) or the administrator (for every unit) registers a
body camera, assigns it to one of the unit's officers, changes its status and records its
maintenance; the officer it is assigned to records its pre-use check (使用前检查, 001 第十二条).
Each is a journal entry through ``devices`` (``registry.device``, ``registry.device_maintenance``)
or, for the check, a ``general.device_check`` entry of the case it precedes: the catalog keeps
that act in a case, so the officer picks the case. Every refusal is a Chinese message with a
stable code and the field it concerns, so the page can show the form again as it was typed.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from liuhen.access.policy import User, can_record, can_view_case
from liuhen.accounts.service import (
    Forbidden,
    OfficerRow,
    case_header,
    case_scope,
    cases_in,
    listing,
    unit_agency,
    unit_scope,
)
from liuhen.errors import ConflictError, NotFoundError, Problem, ValidationError
from liuhen.evidence import devices
from liuhen.evidence.devices import Device
from liuhen.kernel import record
from liuhen.kernel.db import store
from liuhen.kernel.instance import App
from liuhen.kernel.journal import Appended
from liuhen.kernel.record import FUTURE_TOLERANCE, ActInput
from liuhen.payloads import FieldValues
from liuhen.procedure.catalog import Role, act_type
from liuhen.procedure.fields import parse_datetime
from liuhen.web.forms import local_datetime

CASE = store.CASE
MANAGERS = frozenset({Role.HEAD, Role.ADMIN})


def _choices(act: str, name: str) -> tuple[str, ...]:
    spec = act_type(act)
    assert spec is not None
    return next(f.choices for f in spec.fields if f.name == name)


STATUSES = _choices("registry.device", "status")  # 在用、维修、停用、报废
MAINTENANCE_KINDS = _choices("registry.device_maintenance", "kind")  # 维护、维修、校时、检定


def managed_units(app: App, user: User) -> list[str] | None:
    """The units whose cameras ``user`` manages: None for every unit (the administrator), his
    agency's units for a head, none for anyone else."""
    if Role.ADMIN in user.roles:
        return None
    if Role.HEAD in user.roles:
        return unit_scope(app, user)
    return []


def may_manage(app: App, user: User, unit: str) -> bool:
    units = managed_units(app, user)
    return units is None or unit in units


def _manager(user: User) -> dict[str, str]:
    """How the journal names the one who registered or maintained a camera."""
    role = Role.ADMIN if Role.ADMIN in user.roles else Role.HEAD
    return {"id": user.cert_no or user.username, "role": role.value}


def _managed(app: App, user: User, device_no: str) -> Device:
    device = devices.get(app, device_no)
    if not may_manage(app, user, device.unit):
        where = devices.unit_name(app, device.unit)
        raise Forbidden(f"无权管理执法记录仪“{device_no}”：它属于{where}")
    return device


def unit_officers(app: App, unit: str) -> list[OfficerRow]:
    """The unit's officers in post: whom a camera of the unit may be assigned to."""
    return [
        o for o in listing(app).officers if o.unit == unit and o.active and Role.OFFICER in o.roles
    ]


def _officer_problems(app: App, unit: str, officer: str | None) -> list[Problem]:
    if officer and officer not in {o.cert_no for o in unit_officers(app, unit)}:
        where = devices.unit_name(app, unit)
        return [Problem(f"“{officer}”不是{where}在岗的执法人员", "officer")]
    return []


def _kind_and_site(form: dict[str, str]) -> FieldValues:
    """A site camera's kind and site as typed (a body camera's kind goes unsaid, as before)."""
    kind, site = form.get("kind", "").strip(), form.get("site", "").strip()
    out: FieldValues = {"kind": kind} if kind and kind != devices.BODY_CAMERA else {}
    return {**out, "site": site} if site else out


def register_device(app: App, user: User, form: dict[str, str]) -> Appended:
    """A new camera of a unit ``user`` manages; an existing number is refused (change it on its
    own page: the registration is a record, never overwritten)."""
    device_no = form.get("device_no", "").strip()
    unit = form.get("unit", "").strip()
    if unit and not may_manage(app, user, unit):
        raise Forbidden(f"无权为{devices.unit_name(app, unit)}登记执法记录仪")
    problems: list[Problem] = []
    if not device_no:
        problems.append(Problem("请填写设备编号", "device_no"))
    if not form.get("model", "").strip():
        problems.append(Problem("请填写型号", "model"))
    if not unit:
        problems.append(Problem("请选择所属机构", "unit"))
    if form.get("status", "") not in STATUSES:
        problems.append(Problem(f"状态应为：{'、'.join(STATUSES)}", "status"))
    officer = form.get("officer", "").strip() or None
    problems += _officer_problems(app, unit, officer)
    if problems:
        raise ValidationError(f"登记执法记录仪有 {len(problems)} 处问题", problems)
    try:
        devices.get(app, device_no)
    except NotFoundError:
        pass
    else:
        raise ConflictError(f"执法记录仪“{device_no}”已登记；配发或变更状态请在该设备的页面办理")
    fields: FieldValues = {
        "device_no": device_no, "model": form["model"].strip(), "unit": unit,
        "status": form["status"],
    }  # fmt: skip
    if officer:
        fields["officer"] = officer
    fields.update(_kind_and_site(form))
    if note := form.get("note", "").strip():
        fields["note"] = note
    return devices.register(app, fields, _manager(user))


def change_device(
    app: App, user: User, device_no: str, *, officer: str | None = None,
    status: str | None = None, note: str = "", assign: bool = False,
) -> Appended:  # fmt: skip
    """Assign the camera (``assign``: to ``officer``, or to no one) or change its status: a new
    ``registry.device`` entry carrying the whole registration, the earlier ones kept."""
    device = _managed(app, user, device_no)
    problems = _officer_problems(app, device.unit, officer) if assign else []
    if status is not None and status not in STATUSES:
        problems.append(Problem(f"状态应为：{'、'.join(STATUSES)}", "status"))
    if problems:
        raise ValidationError("变更执法记录仪有误", problems)
    fields: FieldValues = {
        "device_no": device.device_no, "model": device.model, "unit": device.unit,
        "status": status or device.status,
    }  # fmt: skip
    holder = officer if assign else device.officer
    if holder:
        fields["officer"] = holder
    if device.watches_site:
        fields.update(kind=device.kind, site=device.site)
    if note.strip():
        fields["note"] = note.strip()
    return devices.register(app, fields, _manager(user))


def maintain_device(app: App, user: User, device_no: str, form: dict[str, str]) -> Appended:
    """A maintenance, repair, clock setting or calibration, recorded by a manager."""
    device = _managed(app, user, device_no)
    fields: FieldValues = {
        "device_no": device.device_no,
        "kind": form.get("kind", ""),
        "done_on": form.get("done_on", "").strip(),
        "description": form.get("description", "").strip(),
    }
    return devices.maintain(app, fields, _manager(user))


@dataclass(frozen=True, slots=True)
class CaseChoice:
    """A case an officer may record a check in: its number and cause."""

    number: str
    cause: str


def check_cases(app: App, user: User) -> list[CaseChoice]:
    """The open cases ``user`` sees, newest first: where his pre-use check may be recorded."""
    cond = cases_in(case_scope(app, user))
    query = select(CASE.c.number, CASE.c.cause).where(CASE.c.status != "closed")
    if cond is not None:
        query = query.where(cond)
    with app.engine.connect() as conn:
        rows = conn.execute(query.order_by(CASE.c.opened_at.desc()).limit(200)).all()
    return [CaseChoice(r.number, r.cause) for r in rows]


def _int(text: str) -> int | str:
    text = text.strip()
    return int(text) if text.isdigit() else text


def check_device(app: App, user: User, device_no: str, form: dict[str, str]) -> Appended:
    """The pre-use check of the camera assigned to ``user``, in the case it precedes."""
    device = devices.get(app, device_no)
    if Role.OFFICER not in user.roles or not user.cert_no or device.officer != user.cert_no:
        raise Forbidden("只有该记录仪配发给的执法人员可以记录其使用前检查")
    case = form.get("case", "").strip()
    if not case:
        raise ValidationError("请选择检查所在的案件", [Problem("请选择案件", "case")])
    header = case_header(app, case)  # NotFoundError: 案件不存在
    if not (can_record(user) and can_view_case(user, header, unit_agency(app, header["unit"]))):
        raise Forbidden(f"无权在案件“{case}”中记录")
    checked = local_datetime(form.get("checked_at", ""), app.settings.timezone)
    moment = parse_datetime(checked)
    if moment is None:
        raise ValidationError("请填写检查时间", [Problem("检查时间无效", "checked_at")])
    if moment > app.clock.now() + FUTURE_TOLERANCE:
        raise ValidationError("检查时间晚于当前时间", [Problem("不能晚于当前时间", "checked_at")])
    fields: FieldValues = {
        "device_no": device.device_no,
        "battery_percent": _int(form.get("battery_percent", "")),
        "storage_free_mb": _int(form.get("storage_free_mb", "")),
        "works": form.get("works") == "true",
        "clock_ok": form.get("clock_ok") == "true",
    }
    if note := form.get("note", "").strip():
        fields["note"] = note
    by = {"id": user.cert_no, "role": Role.OFFICER.value}
    return record.record(
        app, ActInput("general.device_check", moment.isoformat(), case=case,
                      actors=[user.cert_no], fields=fields, recorded_by=by),
    )  # fmt: skip
