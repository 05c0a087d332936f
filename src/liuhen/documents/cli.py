"""``liuhen doc``: document types, previews, and issuing signed documents into a case."""

from __future__ import annotations

import getpass
import json
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from liuhen.accounts import service as access
from liuhen.cli.common import app, out, print_json
from liuhen.documents import DOC_TYPES, render, role_label, wording
from liuhen.documents import service as documents
from liuhen.errors import LiuhenError, Problem, ValidationError
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
    agency: str = typer.Option(
        "某区文化和旅游局", help="机关编码（按该机关的名称与文书格式预览）或机关名称"
    ),
    number: str | None = typer.Option(None, help="文号"),
) -> None:
    """把文书渲染为 PDF（不签名、不记入案件），用于预览模板或核对内容。"""
    if sample == (fields is not None):
        raise ValidationError("请指定 --fields 文件或 --sample 其中之一")
    if doc_type not in DOC_TYPES:
        raise ValidationError(f"未知的文书种类“{doc_type}”")
    values = DOC_TYPES[doc_type].sample if sample else _read_json(fields, "字段文件")  # type: ignore[arg-type]
    name, template = _agency_format(agency, doc_type)
    pdf = render.render_pdf(doc_type, values, agency=name, number=number,
                            wording=template.context())  # fmt: skip
    if template.version is not None:
        out.print(f"按机关 {agency} 的文书格式（日志序号 {template.version}）生成")
    out_file.write_bytes(pdf)
    out.print(f"已生成 {out_file}（{len(pdf):,} 字节）")


def _operator() -> str:
    """The registry entry names the operating-system user who ran the command (as the
    agency's other settings do)."""
    try:
        return f"cli:{getpass.getuser()}"
    except (OSError, KeyError):  # no login name in some containers
        return "cli"


def _agency_format(given: str, doc_type: str) -> tuple[str, wording.Wording]:
    """``--agency``: a registered agency's code gives its name and its wording of the type;
    anything else is the name to print, in the built-in format. A name (not an ASCII code)
    opens no instance: previewing the built-in formats needs none, and creates none."""
    if not given.isascii():
        return given, wording.Wording()
    try:
        application = app()
        settings = access.agency_settings(application, given)
    except LiuhenError:
        return given, wording.Wording()
    return settings.agency_name, wording.in_force(application, given, doc_type)


def _blocks(pairs: list[str]) -> dict[str, str]:
    """``块=文本`` pairs; a literal ``\n`` in the text is a line break."""
    given: dict[str, str] = {}
    for pair in pairs:
        name, sep, text = pair.partition("=")
        if not sep or not name.strip():
            raise ValidationError(
                f"“{pair}”应为 块=文本", [Problem("应为 块=文本，如 标题=行政处罚决定书", "set")]
            )
        given[name.strip()] = text.replace("\\n", "\n")
    return given


def template_cmd(
    code: str = typer.Argument(..., help="机关编码"),
    doc_type: str = typer.Argument(..., help="文书种类代码（liuhen doc types）"),
    set_: list[str] = typer.Option(
        [], "--set", help="调整一个文字块，可重复：块=文本（块见 --show；可选块留空为删去）"
    ),
    show: bool = typer.Option(False, "--show", help="显示可调整的文字块及本机关的设置"),
    reset: bool = typer.Option(False, "--reset", help="恢复内置格式（记入一条新记录）"),
) -> None:
    """机关的文书格式（003 第十二条）：调整抬头、标题、救济途径、告知段、页脚，字段不可删减。"""
    if sum((bool(set_), show, reset)) > 1:
        raise ValidationError("--set、--show、--reset 只能选其一")
    application = app()
    settings = access.agency_settings(application, code)
    if doc_type not in DOC_TYPES:
        raise ValidationError(f"未知的文书种类“{doc_type}”（liuhen doc types）")
    title = DOC_TYPES[doc_type].title
    by = {"id": _operator(), "role": Role.ADMIN.value}
    if set_:
        entry = wording.set_blocks(application, code, doc_type, _blocks(set_), by)
        out.print(f"已记入日志（序号 {entry.seq}）：此后制作的《{title}》按此格式")
    elif reset:
        entry = wording.reset(application, code, doc_type, by)
        out.print(f"已记入日志（序号 {entry.seq}）：《{title}》恢复内置格式")
    now = wording.in_force(application, code, doc_type)
    state = f"本机关格式（日志序号 {now.version}）" if now.blocks else "内置格式"
    out.print(f"机关：{settings.agency_name}（{code}）　文书：《{title}》　{state}")
    pattern = settings.document_patterns.get(doc_type)
    out.print(f"文号规则：{pattern or '不编文号'}（在 liuhen agency settings 中设置）")
    for b in wording.blocks_for(doc_type):
        names = "、".join((b.key, *b.aliases))
        own = now.blocks.get(b.key)
        out.print(f"{b.label}（{names}；上限 {b.limit} 字{'；不能为空' if b.required else ''}）："
                  + (own.replace("\n", " / ") if own else f"内置——{b.default}"))  # fmt: skip


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
