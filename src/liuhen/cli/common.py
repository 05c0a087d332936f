"""What every command shares: settings, the wired app, JSON output, and the one error handler."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from functools import wraps
from typing import Any, ParamSpec, TypeVar

import typer
from rich.console import Console

from liuhen.errors import LiuhenError
from liuhen.kernel import instance
from liuhen.kernel import settings as settings_mod

P = ParamSpec("P")
R = TypeVar("R")

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


def handles_errors(fn: Callable[P, R]) -> Callable[P, R]:
    """Catch ``LiuhenError`` once per command: Chinese message and stable code, exit 2."""

    @wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except LiuhenError as exc:
            err.print(f"[bold red]错误[/] {exc}", markup=True)
            raise typer.Exit(2) from None

    return wrapper


def app() -> instance.App:
    return instance.open_app(settings_mod.load())


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2) + "\n")
