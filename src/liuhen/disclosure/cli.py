"""``liuhen disclose`` (parties' requests to inspect or copy) and ``liuhen mark`` (保密标记)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from liuhen.accounts import service as access
from liuhen.cli.common import app, out, print_json
from liuhen.disclosure import service as disclosure
from liuhen.disclosure.ledger import REQUEST_COLUMNS, request_cells
from liuhen.kernel import record
from liuhen.kernel.record import ActInput
from liuhen.procedure.catalog import CONFIDENTIALITY_MARKS, REQUESTER_RELATIONS, Role

cli = typer.Typer(help="当事人查阅、复制申请：受理、审批、提供（加水印）", no_args_is_help=True)


@cli.command("request")
def request_cmd(
    case: str = typer.Argument(..., help="案件编号"),
    name: str = typer.Option(..., "--name", help="申请人姓名或名称"),
    id_no: str | None = typer.Option(None, "--id-no", help="申请人身份证件号码"),
    relation: str = typer.Option(
        ..., "--relation", help=f"与案件的关系：{'、'.join(REQUESTER_RELATIONS)}"
    ),
    kind: str = typer.Option("查阅并复制", "--kind", help="查阅、复制或查阅并复制"),
    material: list[str] = typer.Option(
        ..., "--material", help="申请的记录：日志序号、文件摘要或“全部”（可多次）"
    ),
    purpose: str = typer.Option(..., "--purpose", help="申请理由"),
    received_at: str | None = typer.Option(None, "--received-at", help="收到时间（默认现在）"),
    by: str = typer.Option(..., "--by", help="受理人执法证号"),
) -> None:
    """登记当事人或其代理人的查阅、复制申请。"""
    application = app()
    requester = {"name": name, **({"id_no": id_no} if id_no else {})}
    entry = disclosure.request(
        application, case, requester=requester, relation=relation, kind=kind,
        materials=material, purpose=purpose,
        received_at=received_at or application.clock.now().isoformat(), by=by,
    )  # fmt: skip
    out.print(f"已登记申请：{case} 序号 {entry.seq}，待负责人审批")


@cli.command("decide")
def decide_cmd(
    case: str = typer.Argument(..., help="案件编号"),
    request: int = typer.Option(..., "--request", help="申请记录序号"),
    decision: str = typer.Option(..., "--decision", help="同意、部分同意或不同意"),
    reason: str = typer.Option(..., "--reason", help="理由（不同意时必须说明）"),
    material: list[str] = typer.Option(
        [], "--material", help="准予的记录（部分同意时列出；默认为申请的全部）"
    ),
    by: str = typer.Option(..., "--by", help="负责人执法证号"),
) -> None:
    """负责人审批查阅、复制申请。"""
    entry = disclosure.decide(
        app(), case, request, decision=decision, reason=reason, materials=material or None, by=by
    )
    out.print(f"已记录审批：{decision}（序号 {entry.seq}）")


@cli.command("deliver")
def deliver_cmd(
    case: str = typer.Argument(..., help="案件编号"),
    request: int = typer.Option(..., "--request", help="申请记录序号"),
    out_dir: Path = typer.Option(..., "--out", help="输出目录（不得已存在）"),
    by: str = typer.Option(..., "--by", help="经办人执法证号"),
) -> None:
    """按审批结果提供复制件：PDF 逐页加申请人水印，记入台账。"""
    result = disclosure.deliver(app(), case, request, out_dir, by=by)
    out.print(f"已提供 {len(result.files)} 个文件到 {result.folder}（台账序号 {result.entry.seq}）")
    for w in result.withheld:
        out.print(f"  未提供 {w.digest[:23]}…：{w.reason}")


@cli.command("inspect")
def inspect_cmd(
    case: str = typer.Argument(..., help="案件编号"),
    request: int = typer.Option(..., "--request", help="申请记录序号"),
    by: str = typer.Option(..., "--by", help="经办人执法证号"),
) -> None:
    """登记申请人已在本机关查阅经批准的记录。"""
    entry = disclosure.inspected(app(), case, request, by=by)
    out.print(f"已登记查阅（台账序号 {entry.seq}）")


@cli.command("list")
def list_cmd(
    case: str | None = typer.Option(None, "--case", help="只列此案号"),
    pending: bool = typer.Option(False, "--pending", help="只列待审批的申请"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """列出查阅、复制申请及其审批和提供情况。"""
    found = disclosure.requests(app(), case, pending)
    if as_json:
        print_json([r.model_dump(mode="json", exclude_unset=True) for r in found])
        return
    table = Table(title=f"查阅、复制申请（共 {len(found)} 件）")
    shown = (0, 1, 2, 3, 5, 6, 8, 12)  # the full set is in the spreadsheet (liuhen ledger --xlsx)
    for i in shown:
        table.add_column(REQUEST_COLUMNS[i], overflow="fold")
    for r in found:
        cells = request_cells(r)
        table.add_row(*(str(cells[i]) for i in shown))
    out.print(table)


def mark_cmd(
    case: str = typer.Argument(..., help="案件编号"),
    mark: str = typer.Option(..., "--mark", help=f"标记：{'、'.join(CONFIDENTIALITY_MARKS)}"),
    target: list[str] = typer.Option(
        [], "--record", help="标记的记录：日志序号或文件摘要（可多次；不指定为整个案件）"
    ),
    reason: str = typer.Option(..., "--reason", help="依据和理由"),
    by: str = typer.Option(..., "--by", help="标记人执法证号"),
    role: str = typer.Option(Role.OFFICER, "--role", help="标记人角色（解除标记须为 head）"),
) -> None:
    """为案件或其中的记录加注国家秘密、商业秘密、个人隐私标记；“无”为解除（仅负责人）。"""
    application = app()
    access.person(application, by, (role,), "记录保密标记")
    entry = record.record(application, ActInput(
        "general.confidentiality", application.clock.now().isoformat(), case=case, actors=[by],
        fields={"mark": mark, "records": target, "reason": reason},
        recorded_by={"id": by, "role": role},
    ))  # fmt: skip
    scope = "、".join(target) if target else "整个案件"
    out.print(f"已记录保密标记：{scope} → {mark}（序号 {entry.seq}）")
