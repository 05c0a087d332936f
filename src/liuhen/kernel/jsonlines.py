"""Line numbers for every value in a JSON text, so an import error can point at its line.

``json`` gives positions only for syntax errors; walking the document with ``raw_decode`` keeps
the C decoder's speed and records where each object key and array element starts.

The walk also refuses what is valid JSON but hostile or ambiguous in an import file, with the
path and line to fix (``Refused``): a key repeated in one object (``json`` silently keeps the
last, so what was checked is not what the author saw), nesting deeper than ``MAX_DEPTH`` (the
decoder would end in ``RecursionError``) and integers longer than ``MAX_DIGITS`` (Python's
int-string limit would end in ``ValueError``).
"""

from __future__ import annotations

import bisect
import contextlib
import json
from typing import Any

from liuhen.locations import Path as Path
from liuhen.locations import line_of as line_of
from liuhen.payloads import JsonObject

MAX_DEPTH = 64  # an import entry nests about 6 deep (entries, entry, fields, persons, person)
MAX_DIGITS = 100  # no field holds more than 2**53; 100 digits leave room for a clear message


class Refused(ValueError):
    """Valid JSON an import still refuses; ``path`` and ``line`` say where (Chinese message)."""

    def __init__(self, message: str, path: Path, line: int) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line


class _LongInteger(Exception):
    """Raised from the decoder's ``parse_int`` hook; the walk turns it into ``Refused``."""


def _int(digits: str) -> int:
    if len(digits.lstrip("-")) > MAX_DIGITS:
        raise _LongInteger
    return int(digits)


_DECODER = json.JSONDecoder(parse_int=_int)
_SYNTAX = json.JSONDecoder(parse_int=lambda _: 0)  # only checks syntax: no number can fail it
_WS = " \t\n\r"


def _skip(text: str, i: int) -> int:
    while i < len(text) and text[i] in _WS:
        i += 1
    return i


def locate(text: str) -> tuple[Any, dict[Path, int]]:
    """The decoded document and the 1-based line where each path's value begins.

    Raises ``json.JSONDecodeError`` for a syntax error and ``Refused`` for what an import must
    not accept (see the module's docstring).
    """
    # Syntax errors with the decoder's own line and column. Nesting deeper than the decoder's
    # stack ends in RecursionError; the syntax up to there was sound, so walk() reaches
    # MAX_DEPTH first and refuses with the place.
    with contextlib.suppress(RecursionError):
        _SYNTAX.decode(text)
    locator = _Locator(text)
    doc, end = locator.walk(0, ())
    if _skip(text, end) != len(text):
        raise json.JSONDecodeError("Extra data", text, end)
    return doc, locator.lines


class _Locator:
    """One walk over ``text``, recording the line of every value it passes."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines: dict[Path, int] = {}
        self.breaks = [i for i, c in enumerate(text) if c == "\n"]

    def line_at(self, i: int) -> int:
        return bisect.bisect_left(self.breaks, i) + 1

    def scalar(self, i: int, path: Path) -> tuple[Any, int]:
        try:
            return _DECODER.raw_decode(self.text, i)
        except _LongInteger:
            raise Refused(f"数字位数过多（超过 {MAX_DIGITS} 位）", path, self.line_at(i)) from None

    def walk(self, i: int, path: Path) -> tuple[Any, int]:
        text = self.text
        i = _skip(text, i)
        self.lines[path] = self.line_at(i)
        if i < len(text) and text[i] in "[{" and len(path) >= MAX_DEPTH:
            raise Refused(f"嵌套超过 {MAX_DEPTH} 层", path, self.line_at(i))
        if i < len(text) and text[i] == "{":
            return self._object(i, path)
        if i < len(text) and text[i] == "[":
            return self._array(i, path)
        return self.scalar(i, path)

    def _object(self, i: int, path: Path) -> tuple[Any, int]:
        text = self.text
        out: JsonObject = {}
        i = _skip(text, i + 1)
        if text[i] == "}":
            return out, i + 1
        while True:
            start = _skip(text, i)
            key, i = _DECODER.raw_decode(text, start)
            if key in out:
                raise Refused(
                    f"键“{key}”在同一对象中重复出现：每个键只能出现一次",
                    (*path, key),
                    self.line_at(start),
                )
            i = _skip(text, i)
            if text[i] != ":":
                raise json.JSONDecodeError("Expecting ':' delimiter", text, i)
            out[key], i = self.walk(i + 1, (*path, key))
            i = _skip(text, i)
            if text[i] == ",":
                i += 1
                continue
            if text[i] == "}":
                return out, i + 1
            raise json.JSONDecodeError("Expecting ',' delimiter", text, i)

    def _array(self, i: int, path: Path) -> tuple[Any, int]:
        text = self.text
        items: list[Any] = []
        i = _skip(text, i + 1)
        if text[i] == "]":
            return items, i + 1
        while True:
            value, i = self.walk(i, (*path, len(items)))
            items.append(value)
            i = _skip(text, i)
            if text[i] == ",":
                i += 1
                continue
            if text[i] == "]":
                return items, i + 1
            raise json.JSONDecodeError("Expecting ',' delimiter", text, i)
