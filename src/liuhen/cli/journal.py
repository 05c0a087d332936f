"""``liuhen journal``: checkpoints, proofs, export and projection rebuild."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path

import typer

from liuhen.cli.common import app, err, out, print_json
from liuhen.errors import CheckpointRollback
from liuhen.kernel import proofs, rebuild

cli = typer.Typer(help="日志：检查点、证明、导出", no_args_is_help=True)


@cli.command()
def checkpoint() -> None:
    """签署并打印当前检查点（C2SP signed-note 文本）；日志倒退或被改写时拒绝签署。"""
    try:
        note = proofs.checkpoint(app()).note
    except CheckpointRollback as exc:  # damage, like ``liuhen verify`` finding some: exit 1
        err.print(f"[bold red]错误[/] {exc}", markup=True)
        raise typer.Exit(1) from None
    sys.stdout.write(note)


@cli.command()
def proof(
    seq: int = typer.Argument(..., help="记录序号（从 1 起）"),
    size: int | None = typer.Option(None, "--size", help="树大小（默认当前大小）"),
) -> None:
    """包含证明（JSON）：seq、tree_size、leaf_hash、path、root。"""
    print_json(proofs.inclusion(app(), seq, size))


@cli.command()
def consistency(old: int, new: int) -> None:
    """一致性证明（JSON）：从大小 OLD 的树到大小 NEW 的树。"""
    print_json(proofs.consistency(app(), old, new))


@cli.command()
def export(
    out_file: Path | None = typer.Option(None, "--out", help="输出文件（默认标准输出）"),
) -> None:
    """导出全部记录为 JSON Lines，最后一行为最新签名检查点。"""
    stream = out_file.open("w", encoding="utf-8") if out_file else sys.stdout
    try:
        n = 0
        for line in proofs.export_lines(app()):
            stream.write(json.dumps(asdict(line), ensure_ascii=False) + "\n")
            n += 1
    finally:
        if out_file:
            stream.close()
    if out_file:
        out.print(f"已导出 {n - 1} 条记录及检查点到 {out_file}")


@cli.command("rebuild")
def rebuild_cmd() -> None:
    """从日志重建全部投影表（案件、人员、机构）。"""
    n = rebuild.rebuild(app())
    out.print(f"已从 {n} 条记录重建投影表")
