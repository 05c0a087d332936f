"""What every command shares: settings, the wired app, JSON output, and the one error handler."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict, is_dataclass
from typing import Any

import typer
from pydantic import BaseModel
from rich.console import Console
from typer import _click as click  # typer vendors click: its Context reaches ``invoke``
from typer.core import TyperGroup

from liuhen.errors import LiuhenError
from liuhen.kernel import instance
from liuhen.kernel import settings as settings_mod

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


class Commands(TyperGroup):
    """The ``liuhen`` group: the one place a ``LiuhenError`` becomes what the user reads.

    Every command, however deeply nested, runs inside the root group's ``invoke``, so catching
    here covers them all and no command repeats it: the Chinese message and stable code on
    stderr, exit 2 (``liuhen verify`` reports damage with exit 1 itself).
    """

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except LiuhenError as exc:
            err.print(f"[bold red]错误[/] {exc}", markup=True)
            raise typer.Exit(2) from None


def app() -> instance.App:
    return instance.open_app(settings_mod.load())


def _plain(value: Any) -> Any:
    """Records print as the API answers them: a model without the keys it leaves unset."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", exclude_unset=True)
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    raise TypeError(f"{type(value).__name__} is not JSON")


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2, default=_plain) + "\n")
