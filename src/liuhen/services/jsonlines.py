"""Line numbers for every value in a JSON text, so an import error can point at its line.

``json`` gives positions only for syntax errors; walking the document with ``raw_decode`` keeps
the C decoder's speed and records where each object key and array element starts.
"""

from __future__ import annotations

import bisect
import json
from typing import Any

from liuhen.locations import Path as Path
from liuhen.locations import line_of as line_of

_DECODER = json.JSONDecoder()
_WS = " \t\n\r"


def _skip(text: str, i: int) -> int:
    while i < len(text) and text[i] in _WS:
        i += 1
    return i


def locate(text: str) -> tuple[Any, dict[Path, int]]:
    """The decoded document and the 1-based line where each path's value begins."""
    lines: dict[Path, int] = {}

    breaks = [i for i, c in enumerate(text) if c == "\n"]

    def line_at(i: int) -> int:
        return bisect.bisect_left(breaks, i) + 1

    def walk(i: int, path: Path) -> tuple[Any, int]:
        i = _skip(text, i)
        lines[path] = line_at(i)
        if i < len(text) and text[i] == "{":
            out: dict[str, Any] = {}
            i = _skip(text, i + 1)
            if text[i] == "}":
                return out, i + 1
            while True:
                key, i = _DECODER.raw_decode(text, _skip(text, i))
                i = _skip(text, i)
                if text[i] != ":":
                    raise json.JSONDecodeError("Expecting ':' delimiter", text, i)
                out[key], i = walk(i + 1, (*path, key))
                i = _skip(text, i)
                if text[i] == ",":
                    i += 1
                    continue
                if text[i] == "}":
                    return out, i + 1
                raise json.JSONDecodeError("Expecting ',' delimiter", text, i)
        if i < len(text) and text[i] == "[":
            items: list[Any] = []
            i = _skip(text, i + 1)
            if text[i] == "]":
                return items, i + 1
            while True:
                value, i = walk(i, (*path, len(items)))
                items.append(value)
                i = _skip(text, i)
                if text[i] == ",":
                    i += 1
                    continue
                if text[i] == "]":
                    return items, i + 1
                raise json.JSONDecodeError("Expecting ',' delimiter", text, i)
        return _DECODER.raw_decode(text, i)

    json.loads(text)  # syntax errors with the decoder's own line and column
    doc, end = walk(0, ())
    if _skip(text, end) != len(text):
        raise json.JSONDecodeError("Extra data", text, end)
    return doc, lines
