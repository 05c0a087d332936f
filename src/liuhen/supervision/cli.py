"""``liuhen anomalies``: scan, list, show, review, thresholds."""

from __future__ import annotations

import typer
from rich.table import Table

from liuhen.cli.common import app, out, print_json
from liuhen.errors import ValidationError
from liuhen.procedure.catalog import Role
from liuhen.supervision import service
from liuhen.supervision.detectors.run import KINDS

cli = typer.Typer(help="执法记录异常监测：扫描、列表、核查结论、阈值", no_args_is_help=True)


@cli.command("scan")
def scan_cmd(
    full: bool = typer.Option(
        True, "--full/--catch-up", help="全部重新扫描（默认），或仅在有新记录时扫描"
    ),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """扫描全部案件，找出执法记录中的异常，结果存入异常列表。"""
    application = app()
    result = service.scan(application) if full else service.catch_up(application)
    if result is None:
        out.print("自上次扫描以来没有新的执法记录，未重新扫描")
        return
    if as_json:
        print_json(result)
        return
    out.print(
        f"已扫描 {result.cases} 件案件、{result.entries} 条记录（至日志序号 {result.position}），"
        f"发现异常 {result.anomalies} 项，用时 {result.seconds:.2f} 秒"
    )
    for kind in KINDS:
        if result.by_kind.get(kind.code):
            out.print(f"  {kind.label}：{result.by_kind[kind.code]}")


@cli.command("list")
def list_cmd(
    kind: str | None = typer.Option(None, "--kind", help="异常种类代码，如 officer_overlap"),
    agency: str | None = typer.Option(None, "--agency", help="机关编码"),
    severity: str | None = typer.Option(None, "--severity", help="high / medium / low"),
    unit: str | None = typer.Option(None, "--unit", help="执法机构编码"),
    page: int = typer.Option(1, "--page", help="页码"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """列出异常（严重程度高的在前），含核查结论。"""
    application = app()
    service.catch_up(application)
    found = service.list_anomalies(
        application, kind=kind, agency=agency, severity=severity, unit=unit, page=page
    )
    if as_json:
        print_json(found)
        return
    table = Table("编号", "种类", "严重程度", "说明", "所依据的记录", "核查结论")
    for a in found.items:
        refs = "、".join(f"{r.case}#{r.seq}" for r in a.refs)
        table.add_row(
            a.key[:12], a.kind_label, a.severity_label,
            a.explanation + ("" if a.active else "（最近一次扫描已不再发现）"), refs,
            a.review.conclusion if a.review else "未核查",
        )  # fmt: skip
    out.print(table)
    out.print(f"共 {found.total} 项，第 {found.page}/{found.pages} 页")


@cli.command("show")
def show_cmd(
    key: str = typer.Argument(..., help="异常编号"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """一项异常的说明、所依据的记录和历次核查结论。"""
    found = service.get_anomaly(app(), key)
    if as_json:
        print_json(found)
        return
    out.print(f"{found.kind_label}（{found.severity_label}）：{found.explanation}")
    out.print("所依据的记录：" + "、".join(f"{r.case}#{r.seq}" for r in found.refs))
    for r in found.reviews:
        out.print(f"{r.at} {r.by}：{r.conclusion}。{r.opinion}")


@cli.command("review")
def review_cmd(
    key: str = typer.Argument(..., help="异常编号"),
    conclusion: str = typer.Option(..., "--conclusion", help="属实 / 不属实 / 需进一步核查"),
    opinion: str = typer.Option(..., "--opinion", help="核查意见"),
    by: str = typer.Option(..., "--by", help="核查人（账户名或执法证号）"),
    role: str = typer.Option(Role.SUPERVISOR.value, "--role", help="supervisor 或 head"),
) -> None:
    """记录对一项异常的核查结论（记入日志；异常本身不删除）。"""
    if role not in (Role.SUPERVISOR, Role.HEAD):
        raise ValidationError("核查人的角色应为 supervisor（监督人员）或 head（负责人）")
    entry = service.review(app(), key, conclusion, opinion, {"id": by, "role": role})
    out.print(f"已记录核查结论“{conclusion}”，日志序号 {entry.seq}")


@cli.command("thresholds")
def thresholds_cmd(
    agency: str = typer.Argument(..., help="机关编码"),
    values: list[str] = typer.Option([], "--set", help="名称=值，可多次给出"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """查看或变更机关的异常监测阈值（变更记入日志）。"""
    application = app()
    if values:
        pairs = dict(v.partition("=")[::2] for v in values)
        entry = service.set_thresholds(
            application, agency, pairs, {"id": "admin", "role": Role.ADMIN.value}
        )
        out.print(f"已变更 {agency} 的异常监测阈值，日志序号 {entry.seq}")
    settings = service.threshold_settings(application, agency)
    if as_json:
        print_json(settings)
        return
    table = Table("名称", "说明", "现值", "默认值")
    for s in settings:
        table.add_row(s.name, s.label, f"{s.value:g}", f"{s.default:g}")
    out.print(table)
