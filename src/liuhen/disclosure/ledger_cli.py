"""``liuhen ledger``: the access and copy ledger (查阅、复制台账, 003 第二十四条)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import typer
from rich.table import Table

from liuhen.cli.common import app, out
from liuhen.disclosure import ledger


def ledger_cmd(
    case: str | None = typer.Option(None, "--case", help="只列此案号"),
    since: datetime | None = typer.Option(None, "--from", formats=["%Y-%m-%d"], help="起始日期"),
    until: datetime | None = typer.Option(
        None, "--to", formats=["%Y-%m-%d"], help="截止日期（含当日）"
    ),
    page: int = typer.Option(1, help="页码"),
    per_page: int = typer.Option(50, help="每页条数"),
    xlsx: Path | None = typer.Option(None, "--xlsx", help="导出全部为电子表格（.xlsx）"),
) -> None:
    """列出或导出查阅、复制台账：每次查看、播放、下载案件记录均在其中。"""
    start = since.date() if since else None
    end = until.date() if until else None
    if xlsx is not None:
        count = ledger.write_xlsx(app(), xlsx, case, start, end)
        out.print(f"已导出 {count} 条台账记录到 {xlsx}")
        return
    result = ledger.entries(app(), case, start, end, page, per_page)
    table = Table(title=f"查阅复制台账（共 {result.total} 条，第 {result.page} 页）")
    for column in ledger.COLUMNS:
        table.add_column(column)
    for row in result.rows:
        table.add_row(*(str(c) for c in row.cells()))
    out.print(table)
