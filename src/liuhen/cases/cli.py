"""``liuhen case``: import, list and show cases."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import typer
from rich.table import Table
from rich.text import Text

from liuhen.cases import imports, listing, workflow
from liuhen.cases import service as cases
from liuhen.cases.schemas import CasePage, CaseSummary
from liuhen.cli.common import app, out, print_json
from liuhen.errors import ImportFormatError
from liuhen.kernel import record
from liuhen.kernel.instance import App
from liuhen.procedure.catalog import Role
from liuhen.web import attachments

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


def list_command(judge: cases.Judge) -> Callable[..., None]:
    """``liuhen case list``: the web list's search, filters, sort and columns; ``judge`` (the
    compliance evaluation, a layer above) brings the deadline and violation columns up to date."""

    def list_cmd(
        search: str = typer.Option(
            "", "--search", "-q", help="案件编号、当事人、案由、承办人员或执法证号"
        ),
        stage: str = typer.Option("", help="环节代码：" + "、".join(listing.STAGES)),
        status: str = typer.Option("", help="状态：" + "、".join(listing.STATUS_LABELS)),
        unit: str = typer.Option("", help="承办单位代码"),
        procedure: str = typer.Option("", help="程序：summary 或 ordinary"),
        overdue: bool = typer.Option(False, "--overdue", help="只列出有期限已过而未办结的案件"),
        violations: bool = typer.Option(False, "--violations", help="只列出有违规的案件"),
        officer: str = typer.Option("", "--officer", "--mine", help="只列出该执法证号承办的案件"),
        sort: str = typer.Option("opened", help="排序：" + "、".join(listing.SORTS)),
        page: int = typer.Option(1, help="页码"),
        limit: int = typer.Option(50, "--limit", "--per-page", help="每页条数"),
        as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
    ) -> None:
        """列出案件：可搜索、筛选、排序，显示期限与违规（与网页案件列表一致）。"""
        query = cases.read_query({
            "q": search, "stage": stage, "status": status, "unit": unit,
            "procedure": procedure, "overdue": str(overdue), "violations": str(violations),
            "sort": sort,
        })  # fmt: skip
        query = replace(query, officer=officer.strip())
        application = app()
        result = cases.list_cases(application, page=page, per_page=limit, query=query, judge=judge)
        if as_json:
            print_json(result.model_dump(mode="json", exclude_unset=True))
            return
        out.print(_table(application, result, query))

    return list_cmd


def _table(application: App, result: CasePage, query: cases.CaseQuery) -> Table | str:
    pages = max(1, (result.total + result.per_page - 1) // result.per_page)
    if not result.items:
        return "没有符合条件的案件" if query.params() else "暂无案件"
    units = cases.unit_names(application, (c.unit for c in result.items))
    names = cases.officer_names(application, (o for c in result.items for o in c.officers))
    table = Table(title=f"案件（共 {result.total} 件，第 {result.page}/{pages} 页）")
    for col in ("案件编号", "案由", "当事人", "阶段", "承办", "期限/违规"):
        table.add_column(col, overflow="fold")
    for c in result.items:
        table.add_row(
            c.number,
            c.cause,
            "、".join(str(p.get("name", "")) if isinstance(p, dict) else str(p) for p in c.parties),
            f"{c.stage_label}\n{c.status_label}",
            units.get(c.unit, c.unit) + "\n" + "、".join(names.get(o, o) for o in c.officers),
            _due(c),
        )
    return table


def _due(c: CaseSummary) -> Text:
    """The deadline and violations cell, worded as on the web list."""
    lines: list[tuple[str, str]] = []
    if c.awaiting_archive:
        lines.append(("待归档", "bold"))
    if c.next_due_at and c.due_in_days is not None:
        what = "归档" if c.awaiting_archive and "归档" in (c.next_due_title or "") else ""
        if c.overdue:
            days = f"已逾期 {-c.due_in_days} 天" if c.due_in_days < 0 else "今天已到期"
        else:
            days = "今天到期" if c.due_in_days == 0 else f"{c.due_in_days} 天后到期"
        lines.append((f"{what}{days}（{c.next_due_at[:10]}）", "red" if c.overdue else ""))
    if c.violations:
        lines.append((f"违规 {c.violations}", "red"))
    if c.warnings:
        lines.append((f"提示 {c.warnings}", "yellow"))
    text = Text()
    for i, (line, style) in enumerate(lines or [("—", "")]):
        text.append(("\n" if i else "") + line, style=style)
    return text


@cli.command("supplement")
def supplement_cmd(
    number: str = typer.Argument(..., help="案件编号"),
    seq: int = typer.Argument(..., help="所补充的事项的记录序号"),
    files: list[Path] = typer.Argument(
        ..., help="附件文件（PDF、JPEG、PNG）", exists=True, dir_okay=False
    ),
    kinds: list[str] = typer.Option(
        [], "--kind", help="附件包含的材料，可重复：邮寄回执、付邮凭证、书面公告……"
    ),
    note: str = typer.Option("", "--note", help="补充说明"),
    by: str = typer.Option(..., "--by", help="补充人的执法证号"),
) -> None:
    """为已记录的事项补充附件（如邮寄送达后退回的回执）；记入日志，原记录不改。"""
    application = app()
    handles = [path.open("rb") for path in files]
    try:
        uploads = [attachments.Upload(p.name, h) for p, h in zip(files, handles, strict=True)]
        checked = attachments.check(uploads, application.settings.attachment_max)
        inp = workflow.supplement_input(
            application, {"id": by, "role": Role.OFFICER.value}, number, seq, note
        )
        inp.attachments = attachments.store(application, checked, kinds)
    finally:
        for h in handles:
            h.close()
    entry = record.record(application, inp)
    out.print(
        f"已为案件 {number} 序号 {seq} 的记录补充 {len(files)} 个附件（日志序号 {entry.seq}）"
    )


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
