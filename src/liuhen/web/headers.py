"""Security headers on every response, whatever route (or error handler) produced it.

Set in one ASGI middleware rather than per route, so a new route, a static file, an error page
or a 405 cannot be served without them. The policy allows no inline script or style at all:
scripts and styles are files under ``/static``; images may be ``data:``/``blob:`` (the signature
pad's preview, the favicon) and media ``blob:`` (local previews before an upload).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "media-src 'self' blob:",
    "object-src 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
    "base-uri 'none'",
))  # fmt: skip
# FastAPI's interactive API pages load Swagger UI / ReDoc from their CDN with an inline bootstrap
# script; they show no record, only the schema, so they alone get a policy that allows those.
_DOCS_CDN = "https://cdn.jsdelivr.net"
DOCS_CSP = "; ".join((
    "default-src 'self'",
    f"script-src 'self' 'unsafe-inline' {_DOCS_CDN}",
    f"style-src 'self' 'unsafe-inline' {_DOCS_CDN} https://fonts.googleapis.com",
    f"img-src 'self' data: {_DOCS_CDN} https://fastapi.tiangolo.com",
    "font-src 'self' https://fonts.gstatic.com",
    "worker-src 'self' blob:",
    "object-src 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
    "base-uri 'none'",
))  # fmt: skip
DOCS_PATHS = ("/docs", "/redoc")
# A document's PDF may be framed by this site's own pages only (the approval page previews the
# document it signs in place); every other response may not be framed at all.
FRAMED = re.compile(r"^/api/v1/documents/[^/]+/pdf$")
FRAMED_CSP = CSP.replace("frame-ancestors 'none'", "frame-ancestors 'self'")
HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
)


def policy(path: str) -> str:
    """The Content-Security-Policy for a request path."""
    if FRAMED.match(path):
        return FRAMED_CSP
    return DOCS_CSP if path in DOCS_PATHS else CSP


def _headers(path: str) -> tuple[tuple[bytes, bytes], ...]:
    """The fixed headers for a request path: a document's PDF framed by the same origin only."""
    if not FRAMED.match(path):
        return HEADERS
    return tuple(
        (name, b"SAMEORIGIN" if name == b"x-frame-options" else value) for name, value in HEADERS
    )


class SecurityHeaders:
    """Pure ASGI middleware: adds the headers to ``http.response.start``, keeps any a route
    set itself (a route may only be stricter, e.g. ``Content-Disposition`` on a download)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        extra = (*_headers(path), (b"content-security-policy", policy(path).encode()))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = _merged(message.get("headers") or [], extra)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _merged(
    headers: Iterable[tuple[bytes, bytes]], extra: Iterable[tuple[bytes, bytes]]
) -> list[tuple[bytes, bytes]]:
    out = list(headers)
    present = {name.lower() for name, _ in out}
    out.extend((name, value) for name, value in extra if name not in present)
    return out


def install(api: FastAPI) -> None:
    """Wrap the whole application (``create_app`` calls this once), outside Starlette's own
    error middleware, so that even an unexpected 500 leaves with the headers."""
    build = api.build_middleware_stack

    def build_with_headers() -> ASGIApp:
        return SecurityHeaders(build())

    setattr(api, "build_middleware_stack", build_with_headers)  # noqa: B010
