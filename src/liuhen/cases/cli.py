"""``liuhen case``: import, list and show cases."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from liuhen.cases import imports
from liuhen.cases import service as cases
from liuhen.cli.common import app, out, print_json
from liuhen.errors import ImportFormatError

cli = typer.Typer(help="案件：导入、列表、查看", no_args_is_help=True)


@cli.command("import")
def import_cmd(file: Path = typer.Argument(..., help="liuhen-case/1 格式的 JSON 文件")) -> None:
    """导入一个案件及其全部历史记录（全有或全无）。"""
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportFormatError(f"无法读取 {file}：{exc}") from None
    number, appended = imports.import_text(app(), text)
    out.print(
        f"已导入案件 {number}：{len(appended)} 条记录（序号 {appended[0].seq}–{appended[-1].seq}）"
    )


@cli.command("list")
def list_cmd(
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
    page: int = typer.Option(1, help="页码"),
    per_page: int = typer.Option(50, help="每页条数"),
    stage: str | None = typer.Option(None, help="只列出处于该环节的案件"),
) -> None:
    """列出案件（按立案时间倒序，分页）。"""
    result = cases.list_cases(app(), page=page, per_page=per_page, stage=stage)
    if as_json:
        print_json(result.model_dump(mode="json", exclude_unset=True))
        return
    table = Table(title=f"案件（共 {result.total} 件，第 {result.page} 页）")
    for col in ("案件编号", "案由", "类别", "程序", "环节", "状态", "启动时间", "记录数"):
        table.add_column(col, overflow="fold")
    for c in result.items:
        table.add_row(
            c.number,
            c.cause,
            c.category_label,
            c.procedure_label,
            c.stage_label,
            c.status_label,
            c.opened_at[:16].replace("T", " "),
            str(c.entry_count),
        )
    out.print(table)


@cli.command("show")
def show_cmd(
    number: str = typer.Argument(..., help="案件编号"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """按环节顺序显示一个案件的完整记录。"""
    case = cases.show_case(app(), number)
    if as_json:
        print_json(case.model_dump(mode="json", exclude_unset=True))
        return
    out.print(f"[bold]{case.number}[/]  {case.cause}")
    out.print(
        f"{case.category_label} · {case.procedure_label} · {case.status_label} · "
        f"当前环节：{case.stage_label}"
    )
    parties = "、".join(p["name"] for p in case.parties or [])
    officers = "、".join(f"{n}（{c}）" for c, n in case.officer_names.items())
    out.print(f"当事人：{parties}    承办人员：{officers}")
    for stage in case.stages:
        out.print(f"\n[bold]【{stage.label}】[/]")
        for e in stage.entries:
            when = e.occurred_at[:16].replace("T", " ")
            mark = f"  [yellow]（已被序号 {e.corrected_by} 更正）[/]" if e.corrected_by else ""
            out.print(f"  #{e.seq:<6} {when}  {e.act_label}{mark}")
            for name, value in (e.fields or {}).items():
                label = e.field_labels.get(name, name)
                text = value if isinstance(value, str) else _flat(value)
                out.print(f"           {label}：{text}", markup=False)


def _flat(value: object) -> str:
    if isinstance(value, list):
        return "；".join(_flat(v) for v in value)
    if isinstance(value, dict):
        name = value.get("name")
        rest = [str(v) for k, v in value.items() if k != "name"]
        return "，".join(([str(name)] if name is not None else []) + rest)
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)
