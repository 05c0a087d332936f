"""Malformed requests answered like every other refusal: LH100, in Chinese, nothing echoed.

FastAPI's own 422 is English and repeats the caller's input back (a password among it, for a
signing request with confirmations). Here each problem keeps only where it is and what kind of
problem it is, translated; the values sent are never returned.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException

from liuhen.errors import LiuhenError, Problem, ValidationError
from liuhen.payloads import JsonObject

_MESSAGES = {
    "missing": "必填",
    "string_type": "应为文本",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "bool_type": "应为是或否（true / false）",
    "bool_parsing": "应为是或否（true / false）",
    "list_type": "应为列表",
    "dict_type": "应为对象",
    "model_type": "应为对象",
    "model_attributes_type": "应为对象",
    "json_invalid": "不是有效的 JSON",
    "json_type": "不是有效的 JSON",
    "greater_than": "数值过小",
    "greater_than_equal": "数值过小",
    "less_than": "数值过大",
    "less_than_equal": "数值过大",
    "string_too_short": "内容过短",
    "string_too_long": "内容过长",
    "too_short": "项数过少",
    "too_long": "项数过多",
    "literal_error": "不是允许的取值",
    "enum": "不是允许的取值",
    "string_pattern_mismatch": "格式不符合要求",
    "extra_forbidden": "不接受此字段",
}


def problems(errors: Sequence[Any]) -> list[Problem]:
    out = []
    for err in errors:
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path")]
        where = ".".join(loc) or None
        kind = "required" if err.get("type") == "missing" else "format"
        out.append(Problem(_MESSAGES.get(str(err.get("type")), "取值无效"), where, kind=kind))
    return out


def unparsable(exc: HTTPException) -> ValidationError | None:
    """The refusal for a body FastAPI could not even decode, or None for any other HTTP error.

    FastAPI answers a JSON syntax error as a validation error, but anything else the decoder
    raises (an integer beyond Python's digit limit, nesting deeper than its stack, bytes that
    are not UTF-8) becomes a bare English 400; its cause says which.
    """
    if exc.status_code != 400 or exc.detail != "There was an error parsing the body":
        return None
    cause = exc.__cause__
    if isinstance(cause, RecursionError):
        reason = "JSON 嵌套层数过多"
    elif isinstance(cause, UnicodeError):
        reason = "不是 UTF-8 编码的文本"
    elif isinstance(cause, ValueError) and "digits" in str(cause):
        reason = "数字位数过多"
    else:
        reason = "无法解析"
    return ValidationError(f"请求体{reason}，未做任何处理", [Problem(reason, "body")])


def install(api: FastAPI, render: Callable[[Request, LiuhenError], Awaitable[Response]]) -> None:
    """Install after ``refusals.install``: other HTTP errors go on to the handler found here."""
    before = api.exception_handlers.get(HTTPException, http_exception_handler)

    @api.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        found = problems(exc.errors())
        return await render(request, ValidationError(f"请求有 {len(found)} 处问题", found))

    @api.exception_handler(HTTPException)
    async def _unparsable(request: Request, exc: HTTPException) -> Response:
        refusal = unparsable(exc)
        if refusal is not None:
            return await render(request, refusal)
        answer = before(request, exc)
        return answer if isinstance(answer, Response) else await answer


# JSON Schema and OpenAPI fragments: JSON that FastAPI's document is made of
ERROR_SCHEMA: JsonObject = {
    "title": "错误",
    "type": "object",
    "required": ["code", "message", "problems"],
    "properties": {
        "code": {"type": "string", "description": "稳定的错误代码（见 docs/errors.md）"},
        "message": {"type": "string", "description": "中文说明"},
        "problems": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "message": {"type": "string"},
                    "field": {"type": ["string", "null"]},
                    "line": {"type": ["integer", "null"]},
                    "label": {
                        "type": ["string", "null"],
                        "description": "该字段在表单上的中文名称",
                    },
                    "kind": {
                        "type": ["string", "null"],
                        "description": "问题的种类（如 required、money，见 docs/errors.md）",
                    },
                },
            },
        },
    },
}


REFUSED: JsonObject = {
    "description": "拒绝（未登录、无权、不存在、冲突等）：错误代码与中文说明，见 docs/errors.md",
    "content": {
        "application/json": {"schema": {"$ref": "#/components/schemas/HTTPValidationError"}}
    },
}


def describe(api: FastAPI) -> None:
    """Let /openapi.json say what a refusal really looks like: the shape above, not FastAPI's.

    Every operation may be refused (sign-in, rights, a case that does not exist), always in
    that one shape, so each is documented with a ``4XX`` answer and clients and the schema
    fuzzer (tests/integration/test_fuzz.py) can hold every answer to the schema.
    """
    original = api.openapi

    def openapi() -> JsonObject:
        if api.openapi_schema is None:
            schema = original()
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            components["HTTPValidationError"] = ERROR_SCHEMA
            components.pop("ValidationError", None)
            for operations in schema.get("paths", {}).values():
                for operation in operations.values():
                    if isinstance(operation, dict) and "responses" in operation:
                        operation["responses"].setdefault("4XX", REFUSED)
            api.openapi_schema = schema
        return api.openapi_schema

    api.openapi = openapi  # type: ignore[method-assign]
