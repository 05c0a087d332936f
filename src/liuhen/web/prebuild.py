"""Build every route's request validators when the app is made, not on its first request.

FastAPI builds an included router's routes (their dependants and pydantic body models) lazily,
on the first request that walks past them. Pydantic's schema building is not thread-safe, and
by the first request other threads exist: the job thread the lifespan starts (it works on the
media already waiting) and the server's worker threads. A build racing one of them failed a
login once in CI (``AttributeError: __pydantic_core_schema__`` while building the login form's
body model). Building everything here, in the one thread that exists, removes the race; the
first request would pay the same cost anyway.
"""

from __future__ import annotations

from collections.abc import Iterable

from fastapi import FastAPI
from starlette.routing import BaseRoute


def prebuild(api: FastAPI) -> int:
    """Build the routes of every included router, nested ones too; returns how many routers."""
    return _walk(api.router.routes)


def _walk(routes: Iterable[object]) -> int:
    built = 0
    for route in routes:
        # FastAPI's included-router node (private API, pinned version): where it is absent a
        # later FastAPI builds eagerly or differently, and there is nothing to do.
        candidates = getattr(route, "effective_candidates", None)
        if isinstance(route, BaseRoute) and callable(candidates):
            built += 1 + _walk(candidates())
    return built
