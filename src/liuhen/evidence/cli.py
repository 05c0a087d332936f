"""``liuhen media``, ``liuhen device`` and ``liuhen ingest``."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TransferSpeedColumn
from rich.table import Table

from liuhen.cli.common import app, out, print_json
from liuhen.errors import NotFoundError
from liuhen.evidence import devices
from liuhen.evidence import ingest as ingest_service
from liuhen.evidence import service as evidence
from liuhen.evidence.schemas import MediaRow
from liuhen.payloads import FieldValues
from liuhen.procedure.catalog import Role

media_cli = typer.Typer(help="音像资料：查看、分类列表、归入案件", no_args_is_help=True)
device_cli = typer.Typer(help="执法记录仪登记、维护与使用记录", no_args_is_help=True)

KIND = {"video": "视频", "audio": "音频", "photo": "照片", "unknown": "未知"}
OPERATOR = {"id": "cli", "role": Role.OFFICER}


@media_cli.command("show")
def media_show(
    digest: str = typer.Argument(..., help="文件摘要，如 sha256:…"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """显示一个文件的元数据、存储与归属。"""
    row = evidence.media_row(app(), digest)
    if row is None:
        raise NotFoundError(f"未找到文件 {digest}")
    if as_json:
        print_json(row)
        return
    out.print(f"[bold]{row.name}[/]  {KIND.get(row.kind, row.kind)}  {row.size:,} 字节")
    out.print(f"摘要：{row.digest}")
    for label, key in (
        ("设备", "device_no"),
        ("执法人员", "officer"),
        ("机构", "unit"),
        ("开始记录", "started_at"),
        ("结束记录", "ended_at"),
        ("存储时间", "stored_at"),
        ("所属案件", "case_number"),
        ("事项序号", "act_seq"),
        ("当事人", "party"),
    ):
        if (value := getattr(row, key)) is not None:
            out.print(f"{label}：{value}")
    for key, found in row.info.model_dump(exclude_unset=True).items():
        out.print(f"{key}：{found}")
    if row.corrupt or row.problems:
        out.print("[yellow]问题：[/]" + "；".join(row.problems or ["文件损坏或无法解析"]))
    out.print(f"缩略图：{row.thumbnail or '无'}    浏览用副本：{row.proxy or '无'}")


@media_cli.command("list")
def media_list(
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
    unit: str | None = typer.Option(None, help="按机构"),
    device: str | None = typer.Option(None, help="按设备编号"),
    officer: str | None = typer.Option(None, help="按执法证号"),
    case: str | None = typer.Option(None, help="按案件编号"),
    party: str | None = typer.Option(None, help="按当事人"),
    kind: str | None = typer.Option(None, help="video、audio、photo、unknown"),
    unbound: bool = typer.Option(False, "--unbound", help="只列出尚未归入案件的"),
    page: int = typer.Option(1, help="页码"),
    per_page: int = typer.Option(50, help="每页条数"),
) -> None:
    """按机构、设备、执法人员、案件、当事人分类列出音像资料（003 第二十四条）。"""
    result = evidence.list_media(
        app(), page=page, per_page=per_page, unbound=unbound, unit=unit, device_no=device,
        officer=officer, case_number=case, party=party, kind=kind,
    )  # fmt: skip
    if as_json:
        print_json(result)
        return
    _table(result.items, f"音像资料（共 {result.total} 个，第 {result.page} 页）")


def _table(items: list[MediaRow], title: str) -> None:
    table = Table(title=title)
    for col in ("文件", "类别", "设备", "执法人员", "存储时间", "案件", "摘要"):
        table.add_column(col, overflow="fold")
    for m in items:
        table.add_row(
            m.name,
            KIND.get(m.kind, m.kind),
            m.device_no or "",
            m.officer or "",
            m.stored_at[:16].replace("T", " "),
            m.case_number or "[yellow]未归入[/]",
            m.digest[:19] + "…",
        )
    out.print(table)


@media_cli.command("todo")
def media_todo(officer: str | None = typer.Option(None, help="执法证号（默认全部）")) -> None:
    """待归档：存储已超过一天仍未归入案件的音像资料。"""
    application = app()
    cutoff = (application.clock.now() - timedelta(days=1)).isoformat()
    result = evidence.list_media(
        application, unbound=True, older_than=cutoff, officer=officer, per_page=200
    )
    if not result.items:
        out.print("没有待归档的音像资料")
        return
    _table(result.items, f"待归档（共 {result.total} 个，存储已超过一天未归入案件）")


@media_cli.command("bind")
def media_bind(
    digest: str = typer.Argument(..., help="文件摘要"),
    case: str = typer.Argument(..., help="案件编号"),
    act: int | None = typer.Option(None, "--act", help="所记录事项的记录序号"),
    by: str = typer.Option(..., "--by", help="操作人执法证号"),
) -> None:
    """把已存储的文件归入案件（及其所记录的事项）；归入本身记入日志。"""
    entry = evidence.bind(app(), digest, case, act, {"id": by, "role": Role.OFFICER})
    out.print(f"已归入案件 {case}（日志序号 {entry.seq}）")


@device_cli.command("add")
def device_add(
    device_no: str = typer.Argument(..., help="设备编号"),
    model: str = typer.Option(..., help="型号"),
    unit: str = typer.Option(..., help="所属机构编码"),
    officer: str | None = typer.Option(None, help="使用人执法证号"),
    status: str = typer.Option("在用", help="在用、维修、停用、报废"),
    note: str | None = typer.Option(None, help="说明"),
    kind: str = typer.Option("执法记录仪", help="设备类别：执法记录仪、办案场所监控"),
    site: str | None = typer.Option(None, help="办案场所监控所在的执法办案场所（如“询问室一”）"),
) -> None:
    """登记（或变更）一台执法记录仪或执法办案场所的监控摄像机；记入日志。"""
    fields: FieldValues = {
        "device_no": device_no,
        "model": model,
        "unit": unit,
        "status": status,
    }
    if officer:
        fields["officer"] = officer
    if kind != devices.BODY_CAMERA:
        fields["kind"] = kind
    if site:
        fields["site"] = site
    if note:
        fields["note"] = note
    entry = devices.register(app(), fields)
    what = f"{kind}（{site}）" if site else kind
    out.print(f"已登记{what} {device_no}（日志序号 {entry.seq}）")


@device_cli.command("list")
def device_list(
    unit: str | None = typer.Option(None, help="按机构"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """列出执法记录仪。"""
    items = devices.list_devices(app(), unit)
    if as_json:
        print_json(items)
        return
    table = Table(title=f"执法记录仪（共 {len(items)} 台）")
    for col in ("编号", "类别", "型号", "机构", "使用人或场所", "状态"):
        table.add_column(col)
    for d in items:
        table.add_row(
            d.device_no, d.kind, d.model, d.unit, d.site or d.officer or "", d.status
        )  # fmt: skip
    out.print(table)


@device_cli.command("show")
def device_show(
    device_no: str = typer.Argument(..., help="设备编号"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """一台执法记录仪的登记、维护、使用前检查与最近的音像资料。"""
    data = devices.history(app(), device_no)
    if as_json:
        print_json(data)
        return
    out.print(
        f"[bold]{data.device_no}[/] {data.kind} {data.model}  {data.unit}  "
        + (f"场所 {data.site}" if data.watches_site else f"使用人 {data.officer or '无'}")
        + f"  {data.status}"
    )
    labels = {
        "registry.device": "登记/变更",
        "registry.device_maintenance": "维护",
        "general.device_check": "使用前检查",
    }
    for item in data.log:
        where = f"（案件 {item.case}）" if item.case else ""
        out.print(
            f"  #{item.seq:<6} {item.occurred_at[:16].replace('T', ' ')} {labels[item.act]}{where}"
        )
    out.print(f"音像资料：{len(data.media)} 个（最近 50 个）")


@device_cli.command("maintain")
def device_maintain(
    device_no: str = typer.Argument(..., help="设备编号"),
    kind: str = typer.Option(..., help="维护、维修、校时、检定"),
    done_on: str = typer.Option(..., "--date", help="日期 YYYY-MM-DD"),
    description: str = typer.Option(..., help="情况"),
    by: str = typer.Option(..., "--by", help="执法证号"),
) -> None:
    """记录一次维护、维修、校时或检定。"""
    entry = devices.maintain(
        app(),
        {"device_no": device_no, "kind": kind, "done_on": done_on, "description": description},
        {"id": by, "role": Role.OFFICER},
    )
    out.print(f"已记录（日志序号 {entry.seq}）")


def _ticker(progress: Progress, task: Any) -> Any:
    seen: dict[str, int] = {}

    def tick(name: str, done: int, size: int) -> None:
        progress.advance(task, done - seen.get(name, 0))
        seen[name] = done

    return tick


def ingest_cmd(
    folder: Path = typer.Argument(..., help="记录仪挂载的文件夹"),
    device: str = typer.Option(..., "--device", help="设备编号（须已登记）"),
    officer: str | None = typer.Option(None, "--officer", help="执法证号（默认设备使用人）"),
    watch: bool = typer.Option(False, "--watch", help="持续监视文件夹，导入新出现的文件"),
    interval: float = typer.Option(10.0, help="--watch 时的检查间隔（秒）"),
) -> None:
    """把记录仪文件夹中的新文件导入为证据：可续传、不重复存储，显示进度与汇总。"""
    application = app()
    while True:
        files = ingest_service.candidates(folder)
        total = sum(f.stat().st_size for f in files)
        with Progress(
            TextColumn("[bold]{task.description}"), BarColumn(), DownloadColumn(),
            TransferSpeedColumn(), console=out, transient=False,
        ) as progress:  # fmt: skip
            overall = progress.add_task(f"导入 {len(files)} 个文件", total=total or 1)
            tick = _ticker(progress, overall)
            result = ingest_service.ingest(application, folder, device, officer, tick, files)
            progress.update(overall, completed=total or 1)
        rate = (len(result.stored) + len(result.known)) / result.seconds if result.seconds else 0.0
        out.print(
            f"新存储 {len(result.stored)} 个，已存在 {len(result.known)} 个，"
            f"续传 {len(result.resumed)} 个，失败 {len(result.failed)} 个；"
            f"{result.bytes / 1e6:,.1f} MB，用时 {result.seconds:.1f} 秒（{rate:,.1f} 个/秒）"
        )
        for name, reason in result.failed:
            out.print(f"  [red]失败[/] {name}：{reason}")
        if not watch:
            if result.failed:
                raise typer.Exit(1)
            return
        time.sleep(interval)
