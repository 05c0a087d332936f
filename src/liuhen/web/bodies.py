"""JSON request bodies with a key given twice are refused, not read last-wins.

Two readers of one body (a proxy or log that takes the first value, the application the last)
would otherwise see two different requests; the import format already refuses duplicates, and
the API holds its bodies to the same rule. Checked before routing, so every JSON route has it.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from liuhen.errors import Problem, ValidationError
from liuhen.payloads import JsonObject

JSON_METHODS = {"POST", "PUT", "PATCH"}
MAX_CHECKED = 16 * 1024 * 1024  # larger JSON bodies are no act, document or account: not read


class DuplicateKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _no_duplicates(pairs: list[tuple[str, Any]]) -> JsonObject:
    seen: JsonObject = {}
    for key, value in pairs:
        if key in seen:
            raise DuplicateKey(key)
        seen[key] = value
    return seen


def duplicate_key(body: bytes) -> str | None:
    """The first key an object of ``body`` repeats, or None (also for bodies that are not JSON
    at all: those are refused by the route's own parsing, with its own message)."""
    try:
        json.loads(body, object_pairs_hook=_no_duplicates)
    except DuplicateKey as exc:
        return exc.key
    except (ValueError, RecursionError):
        return None
    return None


class RefuseDuplicateKeys:
    """Pure ASGI middleware: buffers a JSON body, refuses it with LH100 if a key repeats, and
    otherwise hands the same bytes on unchanged."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not _is_json(scope):
            await self.app(scope, receive, send)
            return
        messages: list[Message] = []
        size, more = 0, True
        while more:
            message = await receive()
            messages.append(message)
            size += len(message.get("body", b""))
            more = message["type"] == "http.request" and message.get("more_body", False)
            if size > MAX_CHECKED:
                break
        body = b"".join(m.get("body", b"") for m in messages)
        key = duplicate_key(body) if not more else None
        if key is not None:
            await _refuse(send, key)
            return
        pending = iter(messages)

        async def replay() -> Message:
            return next(pending, None) or await receive()

        await self.app(scope, replay, send)


def _is_json(scope: Scope) -> bool:
    if scope["type"] != "http" or scope.get("method") not in JSON_METHODS:
        return False
    for name, value in scope.get("headers") or []:
        if name == b"content-type":
            return bool(value.split(b";")[0].strip().lower() == b"application/json")
    return False


async def _refuse(send: Send, key: str) -> None:
    key = key[:64]  # a key's name, never a value, and not a long one
    error = ValidationError(
        f"请求体中字段“{key}”出现了两次，无法确定以哪个为准，未做任何处理",
        [Problem("同一对象中的字段重复", key)],
    )
    payload = json.dumps(error.as_dict(), ensure_ascii=False).encode()
    await send({
        "type": "http.response.start", "status": error.http_status,
        "headers": [(b"content-type", b"application/json"),
                    (b"content-length", str(len(payload)).encode())],
    })  # fmt: skip
    await send({"type": "http.response.body", "body": payload})
