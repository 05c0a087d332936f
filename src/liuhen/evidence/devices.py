"""The body-camera register: devices, their assignment and status, maintenance and checks.

Every change is a journal entry (``registry.device``, ``registry.device_maintenance``); pre-use
checks are ``general.device_check`` entries in the cases they precede (001 第十二条), so the
device page gathers them from the journal rather than keeping a second copy.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from sqlalchemy import RowMapping, select

from liuhen.errors import NotFoundError, Problem, ValidationError
from liuhen.kernel import record
from liuhen.kernel.db import store
from liuhen.kernel.instance import App
from liuhen.kernel.journal import Appended
from liuhen.kernel.record import ActInput
from liuhen.payloads import FieldValues
from liuhen.procedure.catalog import Role

DEVICE = store.DEVICE
ENTRY = store.ENTRY
MEDIA = store.MEDIA
UNIT = store.UNIT
LOGGED = ("registry.device", "registry.device_maintenance", "general.device_check")
BODY_CAMERA = "执法记录仪"
SITE_CAMERA = "办案场所监控"  # a fixed camera of an 执法办案场所 (001 第九条第四项, 003 第十九条)


@dataclass(frozen=True, slots=True)
class Device:
    """A registered camera, as its ``device`` row holds it: a body camera, or a fixed
    surveillance camera of the 执法办案场所 ``site`` (``kind`` 办案场所监控)."""

    device_no: str
    model: str
    unit: str
    officer: str | None
    status: str
    note: str | None
    kind: str = BODY_CAMERA
    site: str | None = None

    @classmethod
    def of_row(cls, row: RowMapping) -> Device:
        return cls(
            row["device_no"], row["model"], row["unit"], row["officer"], row["status"], row["note"],
            row["kind"] or BODY_CAMERA, row["site"],
        )  # fmt: skip

    @property
    def watches_site(self) -> bool:
        return self.kind == SITE_CAMERA


@dataclass(frozen=True, slots=True)
class LogItem:
    """A registration, maintenance or pre-use check of a device; ``case`` None off a case."""

    seq: int
    case: str | None
    act: str
    occurred_at: str
    fields: FieldValues


@dataclass(frozen=True, slots=True)
class RecentMedia:
    """One of a device's recent files."""

    digest: str
    name: str
    kind: str
    stored_at: str
    case_number: str | None


@dataclass(frozen=True, slots=True)
class DeviceHistory(Device):
    """A device with its log and its recent files (the device page, ``liuhen device show``)."""

    log: list[LogItem] = field(default_factory=list)
    media: list[RecentMedia] = field(default_factory=list)


def register(app: App, fields: FieldValues, by: dict[str, str] | None = None) -> Appended:
    """Register a device, or record a change of its officer or status (a whole new row);
    ``by`` is who did it (the operator, as the administrator, by default).

    A site camera (办案场所监控) names the 执法办案场所 it watches and is issued to no officer:
    its recordings are bound to the acts held there by the site's time, not by who carried it."""
    problems = site_problems(fields)
    if problems:
        raise ValidationError(f"登记设备有 {len(problems)} 处问题", problems)
    return record.record(
        app,
        ActInput("registry.device", app.clock.now().isoformat(), fields=fields,
                 recorded_by=by or {"id": "admin", "role": Role.ADMIN.value}),
    )  # fmt: skip


def site_problems(fields: FieldValues) -> list[Problem]:
    """What a site camera's registration lacks or must not have (none for a body camera)."""
    if fields.get("kind") != SITE_CAMERA:
        if str(fields.get("site") or "").strip():
            return [Problem("只有办案场所监控登记所在的执法办案场所", "site")]
        return []
    problems = []
    if not str(fields.get("site") or "").strip():
        problems.append(Problem("办案场所监控须填写所在的执法办案场所（如“询问室一”）", "site"))
    if fields.get("officer"):
        problems.append(Problem("办案场所监控固定于执法办案场所，不配发给执法人员", "officer"))
    return problems


def maintain(app: App, fields: FieldValues, by: dict[str, str]) -> Appended:
    get(app, str(fields.get("device_no", "")))
    return record.record(
        app,
        ActInput("registry.device_maintenance", app.clock.now().isoformat(), fields=fields,
                 recorded_by=by, actors=[by["id"]] if by.get("role") == Role.OFFICER else []),
    )  # fmt: skip


def get(app: App, device_no: str) -> Device:
    with app.engine.connect() as conn:
        row = conn.execute(select(DEVICE).where(DEVICE.c.device_no == device_no)).mappings().first()
    if row is None:
        raise NotFoundError(f"执法记录仪“{device_no}”未登记")
    return Device.of_row(row)


def unit_name(app: App, code: str) -> str:
    """A unit's name for a message (its code if it has none registered)."""
    with app.engine.connect() as conn:
        name = conn.execute(select(UNIT.c.name).where(UNIT.c.code == code)).scalar()
    return str(name or code)


def list_devices(app: App, unit: str | None = None) -> list[Device]:
    q = select(DEVICE).order_by(DEVICE.c.device_no)
    if unit:
        q = q.where(DEVICE.c.unit == unit)
    with app.engine.connect() as conn:
        return [Device.of_row(r) for r in conn.execute(q).mappings()]


def history(app: App, device_no: str) -> DeviceHistory:
    """The device with its maintenance log, pre-use checks and recent media."""
    device = get(app, device_no)
    log: list[LogItem] = []
    with app.engine.connect() as conn:
        rows = conn.execute(
            select(ENTRY.c.seq, ENTRY.c.chain, ENTRY.c.act, ENTRY.c.occurred_at, ENTRY.c.body)
            .where(ENTRY.c.act.in_(LOGGED))
            .order_by(ENTRY.c.seq)
        )  # fmt: skip
        for seq, chain, act, occurred, body in rows:
            fields = json.loads(body)["fields"] or {}
            if fields.get("device_no") == device_no:
                case = None if chain.startswith("@") else chain
                log.append(LogItem(int(seq), case, act, occurred, fields))
        media = conn.execute(
            select(MEDIA.c.digest, MEDIA.c.name, MEDIA.c.kind, MEDIA.c.stored_at,
                   MEDIA.c.case_number)
            .where(MEDIA.c.device_no == device_no)
            .order_by(MEDIA.c.stored_at.desc()).limit(50)
        ).mappings().all()  # fmt: skip
    recent = [RecentMedia(**m) for m in media]
    return DeviceHistory(
        device.device_no, device.model, device.unit, device.officer, device.status, device.note,
        device.kind, device.site, log, recent,
    )  # fmt: skip
