"""``liuhen doc``: document types, previews, and issuing signed documents into a case."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from liuhen.cli.common import app, out, print_json
from liuhen.documents import DOC_TYPES, render, role_label
from liuhen.documents import service as documents
from liuhen.errors import ValidationError
from liuhen.procedure.catalog import Role

cli = typer.Typer(help="执法文书：种类、预览、制作并签名", no_args_is_help=True)


def _read_json(path: Path, what: str) -> Any:
    try:
        return json.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValidationError(f"无法读取{what} {path}：{exc}") from None


@cli.command("types")
def doc_types(as_json: bool = typer.Option(False, "--json", help="以 JSON 输出")) -> None:
    """列出全部文书种类、所属事项、签名人与字段。"""
    if as_json:
        print_json([
            {"code": d.code, "title": d.title, "acts": list(d.acts), "signers": list(d.signers),
             "transcript": d.transcript,
             "fields": [{"name": f.name, "label": f.label, "kind": f.kind.value,
                         "required": f.required} for f in d.fields]}
            for d in DOC_TYPES.values()
        ])  # fmt: skip
        return
    table = Table(title=f"执法文书（共 {len(DOC_TYPES)} 种）")
    for col in ("代码", "名称", "签名", "所属事项"):
        table.add_column(col, overflow="fold")
    for d in DOC_TYPES.values():
        table.add_row(
            d.code, d.title, "、".join(role_label(d.code, r) for r in d.signers), "、".join(d.acts)
        )
    out.print(table)


@cli.command("render")
def doc_render(
    doc_type: str = typer.Argument(..., help="文书种类代码（liuhen doc types）"),
    out_file: Path = typer.Option(..., "--out", help="输出 PDF 文件"),
    fields: Path | None = typer.Option(None, "--fields", help="字段 JSON 文件"),
    sample: bool = typer.Option(False, "--sample", help="填入示例内容（预览模板用）"),
    agency: str = typer.Option("某区文化和旅游局", help="机关名称"),
    number: str | None = typer.Option(None, help="文号"),
) -> None:
    """把文书渲染为 PDF（不签名、不记入案件），用于预览模板或核对内容。"""
    if sample == (fields is not None):
        raise ValidationError("请指定 --fields 文件或 --sample 其中之一")
    if doc_type not in DOC_TYPES:
        raise ValidationError(f"未知的文书种类“{doc_type}”")
    values = DOC_TYPES[doc_type].sample if sample else _read_json(fields, "字段文件")  # type: ignore[arg-type]
    pdf = render.render_pdf(doc_type, values, agency=agency, number=number)
    out_file.write_bytes(pdf)
    out.print(f"已生成 {out_file}（{len(pdf):,} 字节）")


@cli.command("issue")
def doc_issue(
    request: Path = typer.Argument(
        ...,
        help="文书请求 JSON：case, act_seq, doc_type, values, "
        "signers, party, participants, refusal, number, supersedes",
    ),
    by: str = typer.Option(..., "--by", help="操作人执法证号"),
) -> None:
    """制作文书：校验、渲染、由各签名人电子签名、验证、存储并记入案件。"""
    data = _read_json(request, "文书请求")
    if not isinstance(data, dict):
        raise ValidationError("文书请求应为 JSON 对象")
    req = documents.DocumentRequest(
        case=str(data.get("case", "")), act_seq=int(data.get("act_seq") or 0),
        doc_type=str(data.get("doc_type", "")), values=data.get("values") or {},
        signers=data.get("signers") or [], recorded_by={"id": by, "role": Role.OFFICER},
        number=data.get("number"), party=data.get("party"), witness=data.get("witness"),
        refusal=data.get("refusal"), supersedes=data.get("supersedes"),
        participants=data.get("participants"),
    )  # fmt: skip
    entry = documents.issue(app(), req)
    out.print(f"已制作并记入案件 {req.case}（日志序号 {entry.seq}）")
