"""The 记录仪 pages: the register with its registration form, and one camera's page with its
assignment, status, maintenance and pre-use check forms (``device_desk`` decides who may).

A refused form is shown again with the reason and what was typed; a done one redirects to the
page with a note, so reloading it records nothing twice.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from liuhen.access.policy import User
from liuhen.accounts import guard
from liuhen.accounts.service import listing
from liuhen.errors import LiuhenError
from liuhen.evidence import device_desk as desk
from liuhen.evidence import listings
from liuhen.kernel.instance import App
from liuhen.procedure.catalog import Role

SignedIn = Annotated[User, Depends(guard.signed_in())]
MANAGING = "执法记录仪的登记、配发、状态与维护由负责人或系统管理员办理"
Manager = Annotated[User, Depends(guard.role(desk.MANAGERS, MANAGING))]
Officer = Annotated[
    User, Depends(guard.role({Role.OFFICER}, "使用前检查由记录仪配发给的执法人员记录"))
]
DONE = {
    "registered": "执法记录仪已登记（已记入日志）",
    "assigned": "配发已变更（已记入日志）",
    "status": "状态已变更（已记入日志）",
    "maintained": "维护记录已记入日志",
    "checked": "使用前检查已记入所选案件",
}


def _names(app: App) -> dict[str, str]:
    return {o.cert_no: o.name for o in listing(app).officers}


class _Pages:
    """The two pages' rendering, shared by their routes (a refused form renders its page)."""

    def __init__(self, app: App, templates: Jinja2Templates) -> None:
        self.app = app
        self.templates = templates

    def register(
        self, request: Request, user: User, error: LiuhenError | None = None,
        form: dict[str, str] | None = None,
    ) -> Response:  # fmt: skip
        app = self.app
        reg = listing(app)
        managed = desk.managed_units(app, user)
        units = [u for u in reg.units if managed is None or u.code in managed]
        context: dict[str, Any] = {
            "items": listings.devices_for(app, user), "names": _names(app), "units": units,
            "unit_names": {u.code: u.name for u in reg.units},
            "officers": {u.code: desk.unit_officers(app, u.code) for u in units},
            "statuses": desk.STATUSES, "error": error, "form": form or {},
            "done": None if error else DONE.get(request.query_params.get("done", "")),
        }  # fmt: skip
        return self.templates.TemplateResponse(
            request, "devices.html", context, status_code=error.http_status if error else 200
        )

    def device(
        self, request: Request, user: User, device_no: str, error: LiuhenError | None = None,
        **forms: dict[str, str],
    ) -> Response:  # fmt: skip
        app = self.app
        data = listings.device_for(app, user, device_no)
        holder = bool(user.cert_no) and data.officer == user.cert_no
        now = app.clock.now().astimezone(app.settings.timezone)
        unit_name = next((u.name for u in listing(app).units if u.code == data.unit), data.unit)
        context: dict[str, Any] = {
            "d": data, "names": _names(app), "error": error, "unit_name": unit_name,
            "manages": desk.may_manage(app, user, data.unit),
            "officers": desk.unit_officers(app, data.unit), "statuses": desk.STATUSES,
            "kinds": desk.MAINTENANCE_KINDS, "holder": holder,
            "cases": desk.check_cases(app, user) if holder else [],
            "now": now.strftime("%Y-%m-%dT%H:%M"),
            "done": None if error else DONE.get(request.query_params.get("done", "")),
            **{k: forms.get(k, {}) for k in ("assign", "status", "maint", "check")},
        }  # fmt: skip
        return self.templates.TemplateResponse(
            request, "device.html", context, status_code=error.http_status if error else 200
        )


def _done(device_no: str | None, what: str) -> Response:
    where = f"/devices/{quote(device_no, safe='')}" if device_no else "/devices"
    return RedirectResponse(f"{where}?done={what}", status_code=303)


def router(app: App, templates: Jinja2Templates) -> APIRouter:
    r = APIRouter(include_in_schema=False)
    pg = _Pages(app, templates)
    _register_routes(r, app, pg)
    _change_routes(r, app, pg)
    _check_route(r, app, pg)
    return r


def _register_routes(r: APIRouter, app: App, pg: _Pages) -> None:
    @r.get("/devices", response_class=HTMLResponse)
    def devices_list(request: Request, user: SignedIn) -> Response:
        return pg.register(request, user)

    @r.post("/devices", response_class=HTMLResponse)
    async def register(request: Request, user: Manager) -> Response:
        form = await guard.posted_form(request)
        try:
            desk.register_device(app, user, form)
        except LiuhenError as exc:
            return pg.register(request, user, exc, form)
        return _done(None, "registered")

    @r.get("/devices/{device_no}", response_class=HTMLResponse)
    def device(request: Request, device_no: str, user: SignedIn) -> Response:
        return pg.device(request, user, device_no)


def _change_routes(r: APIRouter, app: App, pg: _Pages) -> None:
    @r.post("/devices/{device_no}/assign", response_class=HTMLResponse)
    async def assign(request: Request, device_no: str, user: Manager) -> Response:
        form = await guard.posted_form(request)
        try:
            desk.change_device(
                app, user, device_no, officer=form.get("officer", "").strip() or None,
                note=form.get("note", ""), assign=True,
            )  # fmt: skip
        except LiuhenError as exc:
            return pg.device(request, user, device_no, exc, assign=form)
        return _done(device_no, "assigned")

    @r.post("/devices/{device_no}/status", response_class=HTMLResponse)
    async def status(request: Request, device_no: str, user: Manager) -> Response:
        form = await guard.posted_form(request)
        try:
            desk.change_device(
                app, user, device_no, status=form.get("status", ""), note=form.get("note", "")
            )
        except LiuhenError as exc:
            return pg.device(request, user, device_no, exc, status=form)
        return _done(device_no, "status")

    @r.post("/devices/{device_no}/maintenance", response_class=HTMLResponse)
    async def maintain(request: Request, device_no: str, user: Manager) -> Response:
        form = await guard.posted_form(request)
        try:
            desk.maintain_device(app, user, device_no, form)
        except LiuhenError as exc:
            return pg.device(request, user, device_no, exc, maint=form)
        return _done(device_no, "maintained")


def _check_route(r: APIRouter, app: App, pg: _Pages) -> None:
    @r.post("/devices/{device_no}/check", response_class=HTMLResponse)
    async def check(request: Request, device_no: str, user: Officer) -> Response:
        form = await guard.posted_form(request)
        try:
            desk.check_device(app, user, device_no, form)
        except LiuhenError as exc:
            return pg.device(request, user, device_no, exc, check=form)
        return _done(device_no, "checked")
