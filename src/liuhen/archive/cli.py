"""``liuhen archive``, ``liuhen dossier``, ``liuhen retention …`` and ``liuhen dispose …``."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from liuhen.archive import archiving, retention
from liuhen.archive.dossier import render_dossier
from liuhen.cli.common import app, out, print_json

retention_cli = typer.Typer(help="保管期限与保全：列表、保全、解除保全", no_args_is_help=True)
dispose_cli = typer.Typer(help="销毁：负责人审批、档案管理人员执行", no_args_is_help=True)


def archive_cmd(
    case: str = typer.Argument(..., help="案件编号"),
    archivist: str = typer.Option(..., "--archivist", help="立卷人（档案管理人员）证号"),
    checker: str | None = typer.Option(None, "--checker", help="检查人证号"),
    dossier_no: str | None = typer.Option(None, "--dossier-no", help="归档号（默认：年度-案号）"),
    period: str | None = typer.Option(
        None, "--retention", help="保管期限：5年、10年、30年、长期、永久（默认按规则包）"
    ),
) -> None:
    """将已结案的案件立卷归档：生成案卷 PDF，存储并记入日志。"""
    done = archiving.archive(app(), case, archivist, checker, dossier_no, period)
    out.print(
        f"已归档：{case}，归档号 {done.dossier_no}，保管期限 {done.retention}，"
        f"{done.volumes} 卷、{done.documents} 件文件、共 {done.pages} 页"
        f"（日志序号 {done.entry.seq}）"
    )
    out.print(f"案卷文件摘要：{done.digest}")


def dossier_cmd(
    case: str = typer.Argument(..., help="案件编号"),
    out_file: Path = typer.Option(..., "--out", help="输出 PDF 文件"),
) -> None:
    """生成案卷 PDF（已归档的按归档时的内容，未归档的为预览），不记入日志。"""
    pdf = render_dossier(app(), case)
    out_file.write_bytes(pdf)
    out.print(f"已生成案卷 {out_file}（{len(pdf):,} 字节；未归档的案件为预览，未记入日志）")


@retention_cli.command("list")
def list_cmd(
    due: bool = typer.Option(False, "--due", help="只列出保管期限已届满且未保全的"),
    page: int = typer.Option(1, help="页码"),
    per_page: int = typer.Option(50, help="每页条数"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """列出已归档案件的保管期限、届满日期与保全情况（按届满日期排序，分页）。"""
    result = retention.list_retention(app(), page=page, per_page=per_page, due=due)
    if as_json:
        print_json(result.model_dump(mode="json"))
        return
    title = "保管期限已届满的案件" if due else "已归档案件的保管期限"
    table = Table(title=f"{title}（共 {result.total} 件，第 {result.page} 页）")
    for col in ("案件编号", "归档号", "保管期限", "归档日期", "届满日期", "保全", "已销毁"):
        table.add_column(col, overflow="fold")
    for r in result.items:
        holds = "、".join(f"#{h.seq} {h.ground}" for h in r.holds) or "—"
        ends = r.ends_on or "永不届满"
        table.add_row(
            r.case, r.dossier_no, r.retention, r.archived_on,
            f"{ends}（已届满）" if r.ended else ends, holds, str(len(r.disposed)),
        )  # fmt: skip
    out.print(table)


@retention_cli.command("hold")
def hold_cmd(
    case: str = typer.Argument(..., help="案件编号"),
    ground: str = typer.Option(
        ..., "--ground", help="保全事由：行政复议、行政诉讼、审计、监察调查、信访、其他"
    ),
    reason: str = typer.Option(..., "--reason", help="情况说明"),
    by: str = typer.Option(..., "--by", help="决定保全的负责人或档案管理人员证号"),
    digests: list[str] = typer.Option([], "--digest", help="只保全这些文件（默认整个案卷）"),
) -> None:
    """保全（暂停销毁）：保全期间保管期限届满也不得销毁。"""
    entry = retention.hold(app(), case, ground, reason, by, digests or None)
    scope = f"{len(digests)} 个文件" if digests else "整个案卷"
    out.print(f"已保全 {case} 的{scope}（{ground}），日志序号 {entry.seq}")


@retention_cli.command("release")
def release_cmd(
    case: str = typer.Argument(..., help="案件编号"),
    hold: int = typer.Option(..., "--hold", help="被解除的保全记录序号"),
    reason: str = typer.Option(..., "--reason", help="解除理由"),
    by: str = typer.Option(..., "--by", help="负责人证号"),
) -> None:
    """解除保全（仅负责人）。"""
    entry = retention.release(app(), case, hold, reason, by)
    out.print(f"已解除序号 {hold} 的保全，日志序号 {entry.seq}")


@dispose_cli.command("approve")
def approve_cmd(
    case: str = typer.Argument(..., help="案件编号"),
    digests: list[str] = typer.Option(..., "--digest", help="拟销毁的文件摘要（可多次）"),
    reason: str = typer.Option(..., "--reason", help="销毁理由"),
    by: str = typer.Option(..., "--by", help="负责人证号"),
    refuse: bool = typer.Option(False, "--refuse", help="记录“不同意”"),
    opinion: str | None = typer.Option(None, "--opinion", help="负责人意见"),
) -> None:
    """负责人审批销毁保管期限已届满的文件。"""
    decision = "不同意" if refuse else "同意"
    entry = retention.approve(app(), case, digests, reason, by, decision, opinion)
    out.print(f"已记录销毁审批（{decision}，{len(digests)} 个文件），日志序号 {entry.seq}")


@dispose_cli.command("run")
def run_cmd(
    case: str = typer.Argument(..., help="案件编号"),
    approval: int = typer.Option(..., "--approval", help="销毁审批记录序号"),
    by: str = typer.Option(..., "--by", help="执行销毁的档案管理人员证号"),
) -> None:
    """执行已批准的销毁：先记入日志（摘要、大小、理由），再从存储中删除文件。"""
    done = retention.dispose(app(), case, approval, by)
    out.print(
        f"已销毁 {len(done.removed)} 个文件（销毁记录序号 {done.seq}），日志仍以摘要证明其存在："
    )
    for digest, size in zip(done.digests, done.sizes, strict=True):
        out.print(f"  {digest}  {size:,} 字节")
