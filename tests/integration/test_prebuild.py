"""The app is built whole before it serves: no route is left for a first request to build while
the job thread runs (pydantic's schema building is not thread-safe; see ``web.prebuild``)."""

from __future__ import annotations

from fastapi.routing import _EffectiveRouteContext, _IncludedRouter

from liuhen.entrypoints.web import create_app
from liuhen.kernel.instance import App
from liuhen.web.prebuild import prebuild


def _included(routes: list[object]) -> list[_IncludedRouter]:
    return [r for r in routes if isinstance(r, _IncludedRouter)]


def test_every_included_router_is_built_when_the_app_is_made(app: App):
    api = create_app(app)
    routers = _included(list(api.router.routes))
    assert len(routers) > 20
    # built: a router's candidates are computed for the routes as they now stand
    unbuilt = [r for r in routers if r._effective_candidates_version is None]
    assert unbuilt == []
    # the login form's body model, the one a racing first request failed to build, is ready
    login = [
        c
        for r in routers
        for c in r.effective_candidates()
        if isinstance(c, _EffectiveRouteContext)
        and getattr(c.original_route, "path", None) == "/login"
        and "POST" in (getattr(c.original_route, "methods", None) or set())
    ]
    assert len(login) == 1
    assert login[0].body_field is not None and login[0].body_field.name == "body"
    assert prebuild(api) >= len(routers)  # nested routers are walked as well
