"""Credentials for tests: machine tokens for the API, real logins for pages."""

from __future__ import annotations

from typing import Any

from liuhen.accounts import service as access
from liuhen.kernel.instance import App

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
