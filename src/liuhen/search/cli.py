"""``liuhen search 关键词``: the web search from the command line, and ``--catch-up`` for a job.

The command line is the instance's operator, who reads the database anyway: without ``--as`` it
finds in every case and every marked record (as ``liuhen case list`` lists every case); with
``--as 用户名`` it finds what that account would find on the page.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import typer
from rich.markup import escape

from liuhen.access.policy import User
from liuhen.accounts.service import get_user
from liuhen.cli.common import app as open_app
from liuhen.cli.common import out, print_json
from liuhen.procedure.catalog import Role
from liuhen.search import service
from liuhen.search.schemas import SnippetPart

OPERATOR = User("cli", "命令行", frozenset({Role.SUPERVISOR, Role.HEAD}))


def _text(parts: Sequence[SnippetPart]) -> str:
    return "".join(f"[bold yellow]{escape(p.text)}[/]" if p.hit else escape(p.text) for p in parts)


def search_command(sources: Sequence[service.Source]) -> Callable[..., None]:
    """The command, with the sources (findings, anomalies) the composer passes in."""

    def search_cmd(
        words: list[str] = typer.Argument(None, help="搜索词（可含空格，每个词都须出现）"),
        kind: str = typer.Option(
            "", "--kind", help="只列出一类：case、document、act、finding、anomaly"
        ),
        page: int = typer.Option(1, "--page", min=1, help="页码（每页 20 条）"),
        as_user: str = typer.Option("", "--as", help="以该账户的可见范围和保密权限搜索"),
        as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
        catch_up: bool = typer.Option(False, "--catch-up", help="只把新记录编入索引（供定时任务）"),
    ) -> None:
        """全文搜索：案由、案件编号、当事人、文书内容、执法记录、合规检查发现。"""
        application = open_app()
        if catch_up:
            n = service.catch_up(application, sources, application.clock.now())
            out.print(f"已编入索引：{n} 条新记录")
            return
        user = get_user(application, as_user) if as_user else OPERATOR
        found = service.search(
            application, user, " ".join(words or []), sources, kind=kind or None, page=page
        )
        if as_json:
            print_json(found.model_dump(mode="json"))
            return
        out.print(f"“{escape(found.q)}”：共 {found.total_text}（第 {found.page} 页）")
        for hit in found.items:
            where = f"{hit.case_number}" + (f" 记录 {hit.seq}" if hit.seq else "")
            out.print(f"[dim]{hit.kind_label}[/] {escape(where)}  {_text(hit.title)}")
            if hit.snippet:
                out.print("    " + _text(hit.snippet))

    return search_cmd
