"""How ``/openapi.json`` describes answers that are not JSON: stored files and tus replies.

A route that serves a file or answers with headers only is declared ``response_class=Response``
with these ``responses=``, so the document names the real media types and headers instead of
claiming an ``application/json`` body that never comes (the schema fuzzer holds every answer to
what is written here).
"""

from __future__ import annotations

from liuhen.payloads import JsonObject

# OpenAPI fragments (JSON of the document FastAPI serves), by status code
Responses = dict[int | str, JsonObject]


def header(description: str, kind: str = "string", required: bool = False) -> JsonObject:
    """One documented response header (``required``: on every such answer)."""
    out: JsonObject = {"description": description, "schema": {"type": kind}}
    if required:
        out["required"] = True
    return out


def _range_headers(partial: bool) -> JsonObject:
    headers = {
        "Accept-Ranges": header("bytes：支持 Range 请求"),
        "Content-Length": header("本次返回的字节数", "integer"),
    }
    if partial:
        headers["Content-Range"] = header("所返回的字节范围，如 bytes 0-1023/4096")
    return headers


def file_responses(*media_types: str) -> Responses:
    """``responses=`` for a route that serves a stored file, whole or the Range asked for: its
    real media types and the headers ``web.files.serve_blob`` sends."""
    content = {t: {"schema": {"type": "string", "format": "binary"}} for t in media_types}
    return {
        200: {"description": "整个文件", "content": content, "headers": _range_headers(False)},
        206: {"description": "所请求的字节范围（Range）", "content": content,
              "headers": _range_headers(True)},
    }  # fmt: skip
