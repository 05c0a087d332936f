"""What the interface refuses outright: nothing is deleted or overwritten over HTTP.

A method a route does not offer (DELETE on a document, a media file or a case) answers 405
with the one error shape and a Chinese reason, never a bare framework message or a 500:
records leave storage only through the disposal procedure (``liuhen dispose``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import Response
from starlette.exceptions import HTTPException

from liuhen.errors import DeletionRefused, LiuhenError


def refusal(method: str) -> DeletionRefused:
    if method.upper() == "DELETE":
        return DeletionRefused(
            "记录和文件不能通过接口删除：文件只能在保管期限届满、经负责人批准销毁并记入日志后，"
            "由档案管理人员执行销毁（liuhen dispose）"
        )
    return DeletionRefused(f"该地址不支持 {method.upper()} 请求：记录和文件不能通过接口修改或删除")


def install(api: FastAPI, render: Callable[[Request, LiuhenError], Awaitable[Response]]) -> None:
    """Answer 405 through ``render`` (the app's one LiuhenError handler); others as before."""

    @api.exception_handler(HTTPException)
    async def _method_refused(request: Request, exc: HTTPException) -> Response:
        if exc.status_code == 405:
            return await render(request, refusal(request.method))
        return await http_exception_handler(request, exc)
