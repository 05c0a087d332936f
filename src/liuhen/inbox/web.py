"""The inbox page: what waits for the signed-in user (``inbox.desk``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from liuhen.access.policy import User
from liuhen.accounts import guard
from liuhen.cases.service import Judge
from liuhen.inbox import desk, service
from liuhen.kernel.instance import App

SignedIn = Annotated[User, Depends(guard.signed_in())]


def router(app: App, templates: Jinja2Templates, judge: Judge | None = None) -> APIRouter:
    """The inbox page; ``judge`` (the case list's, from the composer) lets a head's inbox read
    his units' cases from their kept summaries."""
    r = APIRouter()
    # the menu's badge on every page (base.html), for a signed-in person with a case role
    templates.env.globals["inbox_count"] = lambda user: (
        service.count(app, user, judge) if user and not user.machine else 0
    )

    @r.get("/inbox", response_class=HTMLResponse, include_in_schema=False)
    def inbox(request: Request, user: SignedIn) -> Response:
        return templates.TemplateResponse(
            request, "inbox.html", {"desk": desk.inbox(app, user, judge)}
        )

    return r
