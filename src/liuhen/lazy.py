"""Heavy libraries that only some commands use, loaded on first use instead of at start-up.

Every CLI command imports every feature's commands, so a library imported at the top of a feature
module is paid for by every command: pyHanko ~0.4 s, openpyxl ~0.6 s, WeasyPrint ~2 s. Writing
the import inside the function that needs it hides a dependency from the reader and from
import-linter; instead a module names the library at its top, once, like this:

    if TYPE_CHECKING:
        import pypdf
    else:
        pypdf = lazy.module("pypdf")

mypy sees the real module, and the running program loads it when an attribute is first read.
Only third-party libraries are loaded this way: liuhen's own modules are imported normally, so
the import graph (and the contracts in pyproject) sees every dependency between them.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any


class _Deferred(ModuleType):
    """Stands in for a module until first used; ``importlib`` makes the loading thread-safe."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.__dict__["_target"] = name

    def __getattr__(self, attr: str) -> Any:
        return getattr(importlib.import_module(self.__dict__["_target"]), attr)


def module(name: str) -> ModuleType:
    """The module ``name``, imported when one of its attributes is first read."""
    return _Deferred(name)
