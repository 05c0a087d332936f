"""``liuhen user`` and ``liuhen token``: accounts for people, tokens for collection stations."""

from __future__ import annotations

import getpass

import typer

from liuhen.accounts import service as access
from liuhen.cli.common import app, out
from liuhen.procedure.catalog import Role

user_cli = typer.Typer(help="账户：创建与查看", no_args_is_help=True)
token_cli = typer.Typer(help="机器访问令牌（采集站）", no_args_is_help=True)


def operator() -> str:
    """The account events name the operating-system user who ran the command."""
    try:
        return f"cli:{getpass.getuser()}"
    except (OSError, KeyError):  # no login name in some containers
        return "cli"


@user_cli.command("add")
def user_add(
    username: str = typer.Argument(..., help="用户名"),
    name: str = typer.Option(..., "--name", help="姓名"),
    role: list[str] = typer.Option(..., "--role", help="角色，可重复：" + "、".join(access.ROLES)),
    unit: str | None = typer.Option(None, help="所属机构编码"),
    cert_no: str | None = typer.Option(None, "--cert-no", help="执法证号"),
    password: str = typer.Option(
        ..., prompt=True, hide_input=True, confirmation_prompt=True, help="密码（至少 10 个字符）"
    ),
) -> None:
    """创建账户（密码以 argon2 散列保存）。"""
    user = access.create_user(app(), username, password, role, name, unit, cert_no, by=operator())
    out.print(f"已创建账户 {user.username}（{'、'.join(sorted(user.roles))}）")


@token_cli.command("create")
def token_create(
    name: str = typer.Argument(..., help="令牌名称，如采集站编号"),
    role: list[str] = typer.Option([Role.OFFICER], "--role", help="角色"),
    unit: str | None = typer.Option(None, help="所属机构编码"),
) -> None:
    """创建机器访问令牌；令牌只显示这一次。"""
    token = access.create_token(app(), name, role, unit, by=operator())
    out.print(f"访问令牌（请妥善保存，只显示一次）：{token}")
