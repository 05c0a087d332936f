"""Credentials for tests: machine tokens for the API, real logins for pages."""

from __future__ import annotations

from liuhen.access import service as access
from liuhen.services.instance import App

STAFF = ["officer", "legal_reviewer", "head", "archivist"]


def token_headers(app: App, roles: list[str] | None = None, unit: str = "wl-zd1") -> dict[str, str]:
    token = access.create_token(app, "test-station", roles or STAFF, unit)
    return {"Authorization": f"Bearer {token}"}
