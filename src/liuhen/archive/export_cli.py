"""``liuhen export`` and ``liuhen verify-bag``: the case as a self-proving bag for courts."""

from __future__ import annotations

import getpass
import tempfile
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from liuhen.archive import export as export_service
from liuhen.archive.bag_verify import verify_bag
from liuhen.archive.export_disc import volume_id, write_iso
from liuhen.cli.common import app as open_app
from liuhen.cli.common import err, out
from liuhen.disclosure import service as release
from liuhen.errors import ValidationError


def export_cmd(
    case: str = typer.Argument(..., help="案件编号"),
    out_dir: Path | None = typer.Option(None, "--out", help="导出包目录（不得已存在）"),
    iso: Path | None = typer.Option(None, "--iso", help="另写一个可刻录光盘的 ISO 9660 映像"),
    by: str | None = typer.Option(None, "--by", help="导出人姓名（记入调阅记录；默认为登录名）"),
    purpose: str = typer.Option(
        "向人民法院、档案馆提供案件全过程记录", "--purpose", help="导出目的（记入调阅记录）"
    ),
    approval: int | None = typer.Option(
        None,
        "--approval",
        help="负责人同意提供的审批记录序号：其中明确列出的带保密标记的记录随包提供",
    ),
) -> None:
    """导出一个案件为 BagIt 包：案卷、文书、音像原始文件、日志记录及其证明、公钥与独立校验程序。"""
    if out_dir is None and iso is None:
        raise ValidationError("请指定 --out 目录或 --iso 文件（或两者）")
    application = open_app()
    released = release.release_for_export(application, case, approval)
    accessor = {"id": "export", "name": by or getpass.getuser(), "role": "导出人"}
    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
        console=err, transient=True,
    ) as bar:  # fmt: skip
        task = bar.add_task("导出", total=None)

        def progress(what: str, done: int, total: int) -> None:
            bar.update(task, description=f"导出 {what[:40]}", completed=done, total=total)

        if out_dir is not None:
            result = export_service.export_case(
                application, case, out_dir, accessor=accessor, purpose=purpose,
                progress=progress, withhold=released.files, redact=released.entries,
            )  # fmt: skip
            if iso is not None:
                write_iso(out_dir, iso, volume_id(case))
        else:
            assert iso is not None
            with tempfile.TemporaryDirectory(dir=iso.parent) as tmp:
                bag = Path(tmp) / "bag"
                result = export_service.export_case(
                    application, case, bag, accessor=accessor, purpose=purpose,
                    progress=progress, withhold=released.files, redact=released.entries,
                )  # fmt: skip
                write_iso(bag, iso, volume_id(case))
    where = "、".join(str(p) for p in (out_dir, iso) if p is not None)
    out.print(
        f"已导出案件“{case}”至 {where}：{result.entries} 条记录、{result.files} 个载荷文件、"
        f"{result.octets} 字节；检查点大小 {result.checkpoint_size}，"
        f"最新检查点 {result.latest_size}；案卷{result.dossier}；本次导出记入日志序号 "
        f"{result.access_seq}"
    )
    for digest in result.withheld:
        out.print(f"  未随包提供：{digest}（{result.reasons.get(digest, '')}）")
    for digest in result.disposed:
        out.print(f"  已依法销毁：{digest}")


def verify_bag_cmd(
    path: Path = typer.Argument(..., help="导出包目录"),
    key: str | None = typer.Option(
        None,
        "--key",
        help="执法机关的公钥：PEM 或验证密钥字符串的文件，或验证密钥字符串本身；"
        "指定后检查点必须由它签署，包内公钥不再被信任",
    ),
) -> None:
    """校验导出包：BagIt 清单、记录的叶哈希与案件链、包含证明、检查点签名、一致性证明与文件摘要。"""
    report = verify_bag(path, key)
    out.print(report.key_line())
    for note in report.notes:
        out.print("提示：" + note)
    if report.ok:
        out.print(
            f"通过：案件“{report.case}”的 {report.entries} 条记录、{report.files} 个文件均校验无误"
        )
        return
    for problem in report.problems:
        err.print(problem.render())
    err.print(f"未通过：发现 {len(report.problems)} 处问题")
    raise typer.Exit(1)
