"""The upload page of a case (``/cases/{number}/upload``): several files at once, each with the
act it records, the camera and the recording's start and end.

The page only offers choices; the browser fills the times from each file
(``evidence_upload.js``) and sends everything as tus ``Upload-Metadata``, which
``uploads.service.admit`` checks (the camera registered and of the case's unit, the times in
order and not in the future) before a byte is received. What the file itself records is the
fallback when the times are left empty.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy import select

from liuhen.access.policy import User
from liuhen.accounts import guard
from liuhen.accounts.service import Forbidden, listing
from liuhen.evidence import devices
from liuhen.evidence.devices import Device
from liuhen.kernel.db import store
from liuhen.kernel.instance import App
from liuhen.procedure.catalog import Role, act_type

ENTRY = store.ENTRY
Recorder = Annotated[User, Depends(guard.record_case())]
NOT_RECORDED = ("general.", "evidence.")  # the case's own bookkeeping: no file records them


@dataclass(frozen=True, slots=True)
class ActChoice:
    """An act of the case a file may record: its entry's number, label and time."""

    seq: int
    label: str
    occurred_at: str


def case_acts(app: App, case: str) -> list[ActChoice]:
    """The case's acts, the most recent first (general.* entries excluded)."""
    with app.engine.connect() as conn:
        rows = conn.execute(
            select(ENTRY.c.seq, ENTRY.c.act, ENTRY.c.occurred_at)
            .where(ENTRY.c.chain == case)
            .order_by(ENTRY.c.occurred_at.desc(), ENTRY.c.seq.desc())
        ).all()
    out = []
    for seq, act, occurred in rows:
        spec = act_type(act)
        if spec is not None and not act.startswith(NOT_RECORDED):
            out.append(ActChoice(int(seq), spec.label, occurred))
    return out


def last_check(app: App, case: str, device_no: str) -> str | None:
    """When ``device_no`` was last checked before use in ``case`` (001 第十二条), if ever."""
    if not device_no:
        return None
    with app.engine.connect() as conn:
        rows = conn.execute(
            select(ENTRY.c.occurred_at, ENTRY.c.body)
            .where(ENTRY.c.chain == case, ENTRY.c.act == "general.device_check")
            .order_by(ENTRY.c.occurred_at.desc())
        ).all()
    for occurred, body in rows:
        if (json.loads(body).get("fields") or {}).get("device_no") == device_no:
            return str(occurred)
    return None


def own_device(items: list[Device], cert_no: str | None) -> str:
    """The camera assigned to the uploader (one in use first), else none."""
    mine = [d for d in items if cert_no and d.officer == cert_no]
    mine.sort(key=lambda d: d.status != "在用")
    return mine[0].device_no if mine else ""


def router(app: App, templates: Jinja2Templates) -> APIRouter:
    r = APIRouter(include_in_schema=False)

    @r.get("/cases/{number}/upload", response_class=HTMLResponse)
    def upload_page(request: Request, number: str, user: Recorder) -> Response:
        if Role.OFFICER not in user.roles or not user.cert_no:
            raise Forbidden("只有执法人员可以上传音像资料，且须以本人执法证号办理")
        header: dict[str, Any] = request.state.case
        unit = str(header["unit"])
        items = devices.list_devices(app, unit)
        reg = listing(app)
        context = {
            "case": header, "acts": case_acts(app, number), "devices": items,
            "chosen": (chosen := own_device(items, user.cert_no)),
            "checked": last_check(app, number, chosen),
            "names": {o.cert_no: o.name for o in reg.officers},
            "unit_name": next((u.name for u in reg.units if u.code == unit), unit),
        }  # fmt: skip
        return templates.TemplateResponse(request, "case_upload.html", context)

    return r
