"""Every route the app registers declares its guard, and the guard fits what the route names.

This is the mechanism that keeps the class of finding 2–6 closed: a new route without
``Depends(Guard(...))`` fails here, and a route naming a case or a file in its path must guard
that case or file, not merely require a sign-in.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi.dependencies.models import Dependant
from fastapi.routing import _IncludedRouter
from fastapi.testclient import TestClient
from starlette.routing import Mount

from liuhen.accounts.guard import Guard, Need
from liuhen.entrypoints.web import create_app
from liuhen.kernel.instance import App

CASE_NEEDS = {Need.SEE_CASE, Need.RECORD_CASE, Need.FILE}
PUBLIC_MOUNTS = {"/static"}  # the pages' own CSS and JavaScript
PUBLIC_DOCS = {"/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"}  # the API's description


def guards(dependant: Dependant) -> list[Guard]:
    found: list[Guard] = []
    for dep in dependant.dependencies:
        if isinstance(dep.call, Guard):
            found.append(dep.call)
        found += guards(dep)
    return found


@dataclass(frozen=True)
class Found:
    """A route as the app serves it: full path, methods and (for API routes) its dependant."""

    path: str
    methods: frozenset[str]
    dependant: Dependant | None  # None: a plain Starlette route (the OpenAPI document, docs)
    mount: bool = False


def walk(items: list[Any]) -> list[Found]:
    """Every route, descending into included routers (FastAPI keeps them nested)."""
    out: list[Found] = []
    for r in items:
        if isinstance(r, _IncludedRouter):
            out += walk(list(r.effective_candidates()))
        elif isinstance(r, Mount):
            out.append(Found(r.path, frozenset(), None, mount=True))
        elif getattr(r, "dependant", None) is not None:
            out.append(Found(r.path, frozenset(r.methods or ()), r.dependant))
        else:
            route = getattr(r, "starlette_route", None) or r
            out.append(Found(route.path, frozenset(getattr(route, "methods", None) or ()), None))
    return out


def routes(app: App) -> list[Found]:
    return walk(list(create_app(app).routes))


def needs(found: Found) -> set[Need]:
    return {g.need for g in guards(found.dependant)} if found.dependant else set()


def test_the_walk_sees_included_routers(app: App) -> None:
    """The walk itself must see routes inside included routers, or the tests below prove
    nothing: the admin, upload, media and login routes all come from included routers."""
    paths = {f.path for f in routes(app)}
    assert {"/login", "/api/v1/admin/users", "/api/v1/uploads", "/api/v1/media"} <= paths
    assert len(paths) > 60


def test_every_route_declares_a_guard(app: App) -> None:
    missing = [
        f"{sorted(r.methods)} {r.path}"
        for r in routes(app)
        if not r.mount and r.path not in PUBLIC_DOCS and not needs(r)
    ]
    assert missing == []


def test_routes_naming_a_case_or_file_guard_it(app: App) -> None:
    """``{number}`` / ``{case}`` in a path needs a case guard, ``{digest}`` a file guard,
    unless the route is public (proofs)."""
    wrong = []
    for r in routes(app):
        have = needs(r)
        if ("{digest}" in r.path and Need.FILE not in have) or (
            ("{number}" in r.path or "{case}" in r.path) and not have & CASE_NEEDS
        ):
            wrong.append(f"{r.path}: {sorted(have)}")
    assert wrong == []


def test_no_unguarded_mounts(app: App) -> None:
    mounts = {r.path for r in routes(app) if r.mount}
    assert mounts <= PUBLIC_MOUNTS


def test_public_routes_are_only_the_known_ones(app: App) -> None:
    """Public means readable without an account: the login page, the proofs, the 404 page."""
    public = sorted(r.path for r in routes(app) if needs(r) == {Need.PUBLIC})
    assert public == sorted([
        "/login", "/login", "/logout",
        "/api/v1/journal/checkpoint", "/api/v1/journal/proof/{seq}",
        "/api/v1/journal/consistency", "/{path:path}",
    ])  # fmt: skip


def test_a_public_page_shows_nobody_signed_in(app: App) -> None:
    """The public guard must not pose as a user: the login page once showed the navigation and
    a 退出 button (the first submit button on the page) to someone not signed in."""
    page = TestClient(create_app(app)).get("/login")
    assert page.status_code == 200
    assert "退出" not in page.text and 'href="/inbox"' not in page.text
    assert page.text.count('type="submit"') == 1
