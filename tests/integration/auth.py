"""Credentials for tests: machine tokens for the API, real logins for pages."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi.testclient import TestClient

from liuhen.accounts import service as access
from liuhen.entrypoints.web import create_app
from liuhen.kernel.instance import App
from tests.integration import factory

STAFF = ["officer", "legal_reviewer", "head", "archivist"]


def token_headers(app: App, roles: list[str] | None = None, unit: str = "wl-zd1") -> dict[str, str]:
    token = access.create_token(app, "test-station", roles or STAFF, unit)
    return {"Authorization": f"Bearer {token}"}


def login(client: Any, username: str, password: str) -> Any:
    """Sign in through the real login form (its CSRF cookie included), as a browser would."""
    client.cookies.clear()
    page = client.get("/login")
    return client.post(
        "/login",
        data={
            "username": username,
            "password": password,
            "next": "/",
            "csrf": page.cookies.get("liuhen_login_csrf", ""),
        },
        follow_redirects=False,
    )


ADMIN_PASSWORD = "guanli-secret-1"


@contextmanager
def admin_client(app: App) -> Iterator[TestClient]:
    """The registry, an administrator ``root`` and an officer ``zhangw``, and a client signed in
    as ``root``: where every 系统管理 test starts."""
    factory.register(app)
    access.create_user(app, "root", ADMIN_PASSWORD, ["admin"], "管理员")
    access.create_user(app, "zhangw", "correct-horse-1", ["officer"], "张伟", "wl-zd1", "31010001")
    with TestClient(create_app(app)) as client:
        assert login(client, "root", ADMIN_PASSWORD).status_code == 303
        yield client
