"""``liuhen db``: Alembic migrations and the model/migration drift check."""

from __future__ import annotations

import typer

from liuhen.cli.common import err, out
from liuhen.kernel import settings as settings_mod
from liuhen.kernel.db import migrate
from liuhen.kernel.db.engine import make_engine
from liuhen.kernel.jobs import ensure_schema

cli = typer.Typer(help="数据库结构与迁移", no_args_is_help=True)


@cli.command()
def upgrade(revision: str = typer.Argument("head", help="目标版本")) -> None:
    """把数据库结构升级到指定版本（默认最新）。"""
    engine = make_engine(settings_mod.load().database_url)
    migrate.upgrade(engine, revision)
    if revision == "head":
        ensure_schema(engine)
    out.print(f"数据库结构已是版本 {migrate.current(engine)}")


@cli.command()
def current() -> None:
    """显示数据库结构的当前版本。"""
    engine = make_engine(settings_mod.load().database_url)
    out.print(migrate.current(engine) or "（未建库）")


@cli.command()
def check() -> None:
    """检查模型与迁移是否一致；不一致时以 1 退出。"""
    engine = make_engine(settings_mod.load().database_url)
    diffs = migrate.drift(engine)
    if diffs:
        err.print("模型与迁移不一致：")
        for d in diffs:
            err.print(f"  - {d}")
        raise typer.Exit(1)
    out.print("模型与迁移一致")
