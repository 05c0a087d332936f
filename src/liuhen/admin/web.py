"""系统管理: accounts, units and officers, keys and the rule pack, for the administrator only.

The administrator manages people and settings but sees no case content, so nothing here reads
a case. Registrations, certificates and pack changes go through the journal with the
administrator as recorder; accounts are working state and record no secret anywhere.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.templating import Jinja2Templates

from liuhen.admin.api import api_router
from liuhen.admin.formats import page_router as format_pages
from liuhen.admin.pages import page_router
from liuhen.admin.settings import api_router as settings_api
from liuhen.admin.settings import page_router as settings_pages
from liuhen.kernel.instance import App


def router(app: App, templates: Jinja2Templates) -> APIRouter:
    """The JSON API (in the OpenAPI document) and the pages, under one router."""
    r = APIRouter()
    r.include_router(api_router(app))
    r.include_router(page_router(app, templates))
    r.include_router(settings_api(app))
    r.include_router(settings_pages(app, templates))
    r.include_router(format_pages(app, templates))
    return r
