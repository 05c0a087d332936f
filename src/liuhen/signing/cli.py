"""``liuhen ca``: the instance's signing CA and the people's certificates."""

from __future__ import annotations

import typer
from rich.table import Table
from sqlalchemy import select

from liuhen.cli.common import app, out
from liuhen.kernel.db import store
from liuhen.signing import service

cli = typer.Typer(help="电子签名：根证书与执法人员签名证书", no_args_is_help=True)


@cli.command("init")
def ca_init(name: str = typer.Option("留痕行政执法记录系统", help="根证书的机构名称")) -> None:
    """建立本实例的电子签名根证书（只建立一次；指纹记入日志）。"""
    entry = service.init_ca(app(), name)
    out.print("根证书已存在，未作改动" if entry is None else f"已建立根证书（序号 {entry.seq}）")


@cli.command("issue")
def ca_issue(cert_no: str = typer.Argument(..., help="执法证号（须已登记）")) -> None:
    """为一名已登记的人员签发签名证书（一人一证；重新签发即替换，旧签名仍可验证）。"""
    issued, entry = service.issue(app(), cert_no)
    out.print(
        f"已为 {cert_no} 签发证书，序列号 {issued.serial}，有效期至 {issued.not_after[:10]}"
        f"（日志序号 {entry.seq}）"
    )


@cli.command("list")
def ca_list() -> None:
    """列出已签发的签名证书与机关电子印章证书。"""
    t = store.SIGNING_KEY
    with app().engine.connect() as conn:
        rows = conn.execute(select(t).order_by(t.c.cert_no)).mappings().all()
    table = Table(title=f"签名证书（共 {len(rows)} 张）")
    for col in ("执法证号（机关印章：seal:机关编码）", "姓名或机关", "序列号", "有效期至"):
        table.add_column(col)
    for r in rows:
        table.add_row(r["cert_no"], r["name"], r["serial"], r["not_after"][:10])
    out.print(table)


@cli.command("seal")
def ca_seal(agency: str = typer.Argument(..., help="机关编码（须已登记）")) -> None:
    """为一个已登记的机关签发电子印章（印章密钥与机关证书；重新签发即替换，旧用印仍可验证）。"""
    issued, entry = service.issue_seal(app(), agency)
    out.print(
        f"已为机关 {agency} 签发电子印章证书，序列号 {issued.serial}，"
        f"有效期至 {issued.not_after[:10]}（日志序号 {entry.seq}）"
    )
