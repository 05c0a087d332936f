"""``liuhen ca``: the instance's signing CA and the people's certificates."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table
from sqlalchemy import select

from liuhen.cli.common import app, out
from liuhen.kernel.db import store
from liuhen.signing import ca as certs
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


@cli.command("trust")
def ca_trust(
    file: Path = typer.Argument(..., help="电子认证服务机构的根证书（或中级证书链），PEM 或 DER"),
    name: str | None = typer.Option(None, "--name", help="名称（默认取证书的通用名称）"),
) -> None:
    """把依法设立的电子认证服务机构的根证书登记为信任锚（指纹、主体、有效期记入日志）。"""
    for entry in service.trust(app(), file.read_bytes(), name):
        out.print(f"已登记信任锚（日志序号 {entry.seq}）")


@cli.command("import")
def ca_import(
    who: str = typer.Argument(..., help="用户名或执法证号；与 --seal 同用时为机关编码"),
    file: Path = typer.Argument(..., help="电子认证服务机构签发的 PKCS#12 文件（.p12/.pfx）"),
    password_file: Path | None = typer.Option(
        None, "--password-file", help="存放 PKCS#12 口令的文件（首行）；不给即无口令"
    ),
    seal: bool = typer.Option(False, "--seal", help="导入机关电子印章（WHO 为机关编码）"),
) -> None:
    """导入电子认证服务机构签发的签名证书与私钥；此后该人员（或机关印章）的签名使用它。"""
    password = None
    if password_file is not None:
        password = (
            password_file.read_bytes().splitlines()[0] if password_file.stat().st_size else b""
        )
    issued, issuer, entry = service.import_key(app(), who, file.read_bytes(), password, seal)
    out.print(
        f"已导入 {issued.cert_no} 的签名证书，签发机构 {issuer}，序列号 {issued.serial}，"
        f"有效期至 {issued.not_after[:10]}（日志序号 {entry.seq}）"
    )


@cli.command("list")
def ca_list() -> None:
    """列出信任锚（本实例根证书与已登记的电子认证服务机构根证书）、签名证书与机关电子印章证书。"""
    application = app()
    anchors = Table(title="信任锚（本实例根证书与电子认证服务机构的根证书）")
    for col in ("名称", "来源", "指纹", "有效期至", "日志序号"):
        anchors.add_column(col)
    if service.journaled_ca(application) is not None:
        root = service.authority(application).certificate()
        anchors.add_row(
            certs.display_name(root.subject), "本实例", certs.fingerprint(root)[:12],
            str(root.not_valid_after_utc.date()), "",
        )  # fmt: skip
    for registered in service.registered_anchors(application):
        a = registered.anchor
        anchors.add_row(a.name, "外部", a.fingerprint[:12], a.not_after[:10], str(registered.seq))
    out.print(anchors)
    t = store.SIGNING_KEY
    with application.engine.connect() as conn:
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
