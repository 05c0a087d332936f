"""The device and media pages: the 记录仪 pages (``device_pages``), a case's upload page
(``upload_page``), and the files that still wait to be bound to a case (``evidence.listings``
decides what each user sees), each bound from there (``binding_page``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from liuhen.access.policy import User
from liuhen.accounts import guard
from liuhen.evidence import binding_page, device_pages, listings, upload_page
from liuhen.kernel.instance import App

SignedIn = Annotated[User, Depends(guard.signed_in())]


def router(app: App, templates: Jinja2Templates) -> APIRouter:
    r = APIRouter()
    r.include_router(device_pages.router(app, templates))
    r.include_router(upload_page.router(app, templates))
    r.include_router(binding_page.router(app, templates))

    @r.get("/media/todo", response_class=HTMLResponse, include_in_schema=False)
    def todo_page(request: Request, user: SignedIn) -> Response:
        result = listings.unbound_for(app, user)
        cases = binding_page.case_choices(app, user) if result.total else []
        return templates.TemplateResponse(request, "todo.html", {"result": result, "cases": cases})

    return r
