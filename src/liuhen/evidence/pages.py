"""The device and media pages: the device register, one device's history, and the files that
still wait to be bound to a case (``evidence.listings`` decides what each user sees)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from liuhen.access.policy import User
from liuhen.accounts import guard
from liuhen.evidence import listings
from liuhen.kernel.instance import App

SignedIn = Annotated[User, Depends(guard.signed_in())]


def router(app: App, templates: Jinja2Templates) -> APIRouter:
    r = APIRouter()

    @r.get("/devices", response_class=HTMLResponse, include_in_schema=False)
    def devices_page(request: Request, user: SignedIn) -> Response:
        items = listings.devices_for(app, user)
        return templates.TemplateResponse(request, "devices.html", {"items": items})

    @r.get("/devices/{device_no}", response_class=HTMLResponse, include_in_schema=False)
    def device_page(request: Request, device_no: str, user: SignedIn) -> Response:
        data = listings.device_for(app, user, device_no)
        return templates.TemplateResponse(request, "device.html", {"d": data})

    @r.get("/media/todo", response_class=HTMLResponse, include_in_schema=False)
    def todo_page(request: Request, user: SignedIn) -> Response:
        result = listings.unbound_for(app, user)
        return templates.TemplateResponse(request, "todo.html", {"result": result})

    return r
