"""``liuhen warnings scan|list|rates``: keep the cards, read them, and their figures."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime, timedelta

import typer
from rich.table import Table

from liuhen.cli.common import app, out, print_json
from liuhen.errors import ValidationError
from liuhen.procedure.fields import parse_datetime
from liuhen.warnings import cards, service
from liuhen.warnings.levels import LABELS, Level

cli = typer.Typer(help="期限预警：黄牌、红牌", no_args_is_help=True)


@cli.command("scan")
def scan_cmd(
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
    no_mail: bool = typer.Option(False, "--no-mail", help="只更新预警，不发邮件"),
) -> None:
    """按规则包检查各案件的期限：临近的亮黄牌、逾期的亮红牌、已办结的解除，并发送邮件。

    宜每 15 分钟左右由定时任务（cron、systemd timer）运行一次；邮件只由本命令发送。"""
    result = service.scan(app(), send=not no_mail)
    if as_json:
        print_json(asdict(result))
        return
    out.print(
        f"检查案件 {result.cases} 件：新亮预警 {result.raised} 张，解除 {result.cleared} 张，"
        f"发送邮件 {result.emailed} 封"
        + (f"（{result.mail_failed} 封发送失败，下次重试）" if result.mail_failed else "")
    )
    out.print(f"现有黄牌 {result.open_yellow} 张，红牌 {result.open_red} 张")


@cli.command("list")
def list_cmd(
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
    include_cleared: bool = typer.Option(False, "--all", help="包括已解除的预警"),
) -> None:
    """列出预警（默认只列未解除的），期限最近的在前。"""
    application = app()
    found = cards.cards_where(application, None, None, open_only=not include_cleared)
    if as_json:
        print_json([asdict(c) for c in found])
        return
    if not found:
        out.print("没有未解除的预警" if not include_cleared else "没有预警")
        return
    for c in found:  # one card a few lines: a table's columns wrap Chinese at 80 columns
        style = "bold red" if c.level == Level.RED else "yellow"
        state = "未解除" if c.cleared_at is None else _cleared(c.cleared_by)
        out.print(f"[{style}]【{c.level_label}】[/]{c.case}（{c.cause}）")
        out.print(f"  期限：{c.title}（{'；'.join(c.cite)}）")
        out.print(f"  届满：{c.due_text}　责任人：{'、'.join(c.responsible)}　{state}")


def _cleared(how: str | None) -> str:
    return "已改亮红牌" if how == service.ESCALATED else "已办结解除"


@cli.command("rates")
def rates_cmd(
    start: str = typer.Option(..., "--from", help="起始时间（含），如 2027-01-01T00:00:00+08:00"),
    end: str | None = typer.Option(None, "--to", help="截止时间（不含）；默认现在"),
    by: str = typer.Option("unit", "--by", help="unit（按执法机构）或 officer（按执法人员）"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """一段时间内的亮牌率（亮过黄牌或红牌的案件占期限在运行的案件的比例）、预警率（亮过红牌的案件所占比例，与执法统计页相同）与解除用时。"""
    if by not in ("unit", "officer"):
        raise ValidationError("--by 应为 unit 或 officer")
    application = app()
    since = _moment(start, "--from")
    until = _moment(end, "--to") if end else application.clock.now() + timedelta(seconds=1)
    found = service.rates(application, since, until, "unit" if by == "unit" else "officer")
    if as_json:
        print_json([asdict(r) for r in found])
        return
    table = Table(
        "执法机构" if by == "unit" else "执法人员", "期限在运行的案件", "亮牌案件", "亮牌率",
        "亮红牌案件", "预警率", LABELS[Level.YELLOW], LABELS[Level.RED], "已解除",
        "平均解除用时（小时）",
    )  # fmt: skip
    for r in found:
        table.add_row(
            r.name, str(r.cases), str(r.cases_warned),
            f"{r.rate:.1%}" if r.rate is not None else "—", str(r.cases_red),
            f"{r.red_rate:.1%}" if r.red_rate is not None else "—", str(r.yellow), str(r.red),
            str(r.cleared),
            f"{r.mean_hours_to_clear:.1f}" if r.mean_hours_to_clear is not None else "—",
        )  # fmt: skip
    out.print(table)


def _moment(text: str, option: str) -> datetime:
    moment = parse_datetime(text)
    if moment is None:
        raise ValidationError(f"{option} 应为带时区的 ISO 8601 时间，如 2027-01-01T00:00:00+08:00")
    return moment
