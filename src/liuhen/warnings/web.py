"""``/warnings``: the open yellow and red cards the reader answers for (a supervisor: all), and
the same as JSON. Each read first catches the reader's cards up (``service.catch_up``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from liuhen.access.policy import User
from liuhen.accounts import guard
from liuhen.kernel.instance import App
from liuhen.warnings import service
from liuhen.warnings.schemas import Card

Viewer = Annotated[
    User,
    Depends(guard.role(service.VIEWERS, "期限预警仅限执法人员、负责人和监督人员查看")),
]


def router(app: App, templates: Jinja2Templates) -> APIRouter:
    r = APIRouter()

    def _open(user: User) -> list[Card]:
        service.catch_up(app, user)
        found = service.cards_for(app, user)
        return sorted(found, key=lambda c: (c.level != service.Level.RED, c.due_at, c.case))

    @r.get("/warnings", response_class=HTMLResponse, include_in_schema=False)
    def warnings_page(request: Request, user: Viewer) -> Response:
        found = _open(user)
        red = sum(c.level == service.Level.RED for c in found)
        return templates.TemplateResponse(
            request, "warnings.html",
            {"cards": found, "red": red, "yellow": len(found) - red,
             "everyone": "supervisor" in user.roles},
        )  # fmt: skip

    @r.get("/api/v1/warnings", summary="未解除的期限预警（黄牌、红牌）", tags=["预警"],
           response_model=list[Card])  # fmt: skip
    def api_warnings(user: Viewer) -> list[Card]:
        return _open(user)

    return r
