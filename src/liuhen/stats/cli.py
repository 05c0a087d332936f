"""``liuhen stats``: the supervision statistics of a period, on screen or as an Excel workbook."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from liuhen.cli.common import app, err, out, print_json
from liuhen.errors import ValidationError
from liuhen.kernel.instance import App
from liuhen.procedure.catalog import Role
from liuhen.stats import service as stats
from liuhen.stats.figures import Filters


def _set_weights(a: App, agency: str | None, pairs: list[str]) -> None:
    if not agency:
        raise ValidationError("设置评议考核权重需要 --agency 机关编码")
    values = dict(p.partition("=")[::2] for p in pairs)
    entry = stats.set_weights(a, agency, values, {"id": "admin", "role": Role.ADMIN.value})
    w, _ = stats.weights(a, agency)
    out.print(
        f"已变更 {agency} 的评议考核权重（日志序号 {entry.seq}）："
        + "，".join(f"{k}={v}" for k, v in w.items())
    )


def stats_cmd(  # noqa: C901 - one command, its options each a branch
    period: str | None = typer.Option(
        None,
        "--period",
        help="统计期间：日 2026-11-05、月 2026-11、季度 2026-Q4、年 2026、"
        "起止 2026-01-01..2026-03-31；默认本月",
    ),
    agency: str | None = typer.Option(None, "--agency", help="只统计此机关（机关编码）"),
    unit: str | None = typer.Option(None, "--unit", help="只统计此机构（机构编码）"),
    officer: str | None = typer.Option(None, "--officer", help="只统计此执法人员（执法证号）"),
    act: str | None = typer.Option(None, "--act", help="只统计此类执法行为（事项代码）"),
    xlsx: Path | None = typer.Option(None, "--xlsx", help="导出为电子表格（.xlsx）"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出全部数字"),
    weight: list[str] = typer.Option(
        [], "--weight", help="设置机关的评议考核权重：指标=权重（0–100，需 --agency），可写多次"
    ),
    rebuild: bool = typer.Option(False, "--rebuild", help="清空统计表并从日志重新生成"),
    verify: bool = typer.Option(False, "--verify", help="将统计表与日志的重放逐行比对"),
) -> None:
    """执法统计：案件、执法行为、音像记录、按时存储与归档、发现项、决定与评议考核得分。"""
    a = app()
    if weight:
        _set_weights(a, agency, weight)
        return
    if rebuild:
        done = stats.rebuild(a)
        out.print(f"统计表已从日志重新生成：读取 {done.entries} 条案件记录，{done.cases} 件案件")
    if verify:
        stats.catch_up(a)
        diffs = stats.verify(a)
        if diffs:
            for d in diffs[:50]:
                err.print(
                    f"[red]不一致[/red] {d.table} {d.key}：表中 {d.stored}；重放 {d.replayed}"
                )
            raise typer.Exit(1)
        out.print(f"统计表与日志一致（至第 {stats.catch_up(a).position} 条）")
    if rebuild or verify:
        return
    filters = Filters(agency=agency, unit=unit, officer=officer, act=act)
    if xlsx is not None:
        name, data = stats.xlsx(a, None, period, filters)
        xlsx.write_bytes(data)
        out.print(f"已导出{name.removesuffix('.xlsx')}到 {xlsx}")
        return
    report = stats.report(a, None, period, filters)
    if as_json:
        print_json(report.model_dump(mode="json"))
        return
    out.print(f"[bold]{report.scope} 执法统计（{report.period_label}）[/bold]")
    if report.empty:
        out.print("本期间没有记录")
        return
    table = Table(title="总览")
    table.add_column("指标")
    table.add_column("数值", justify="right")
    for h in report.headlines:
        table.add_row(h.label, h.value)
    for r in report.rates:
        table.add_row(
            r.label, "—" if r.percent is None else f"{r.percent:.1f}%（{r.good}/{r.total}）"
        )
    out.print(table)
    units = Table(title="各机构")
    for c in ("机构", "新立", "办结", "执法行为", "人均", "音像（小时）", "违规", "评议得分"):
        units.add_column(c)
    for u in report.units:
        units.add_row(
            u.name,
            str(u.opened),
            str(u.closed),
            str(u.acts),
            str(u.acts_per_officer),
            str(u.av_hours),
            str(u.violations),
            "—" if u.score is None else str(u.score),
        )
    out.print(units)
    out.print(report.score_rule.formula)
