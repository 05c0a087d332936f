"""``liuhen compliance``, ``liuhen pack`` and ``liuhen calendar``."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import typer
from rich.table import Table

from liuhen.accounts import service as access
from liuhen.cli.common import app, out, print_json
from liuhen.compliance import calendar as calendar_service
from liuhen.compliance import content_checks, packs, queries
from liuhen.compliance import service as compliance
from liuhen.compliance.schemas import AgencyReport, Finding
from liuhen.errors import Forbidden, ImportFormatError, ValidationError
from liuhen.kernel.instance import App
from liuhen.procedure.fields import parse_datetime
from liuhen.rules.findings import SEVERITY_LABELS, Evaluation, Severity

pack_cli = typer.Typer(help="规则包：校验、查看、变更", no_args_is_help=True)
calendar_cli = typer.Typer(help="节假日安排：导入与查看", no_args_is_help=True)

_STYLE = {"violation": "bold red", "warning": "yellow", "due": "cyan"}


def _at(text: str | None) -> datetime | None:
    if text is None:
        return None
    moment = parse_datetime(text)
    if moment is None:
        raise ValidationError("--at 应为带时区的 ISO 8601 时间，如 2026-12-01T09:00:00+08:00")
    return moment


def compliance_cmd(
    case: str | None = typer.Argument(None, help="案件编号"),
    all_cases: bool = typer.Option(
        False, "--all", help="全机关汇总：按规则与严重程度计数，列出每个逾期或缺失事项"
    ),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
    at: str | None = typer.Option(None, "--at", help="按此时间评估（默认现在）"),
    file: Path | None = typer.Option(None, "--file", help="检查尚未导入的案件文件（导入格式）"),
    pack: str | None = typer.Option(None, "--pack", help="与 --file 同用：按此规则包检查"),
) -> None:
    """按适用的规则包检查案件：要求什么、缺什么、什么逾期、什么将到期。"""
    application = app()
    now = _at(at)
    if sum([all_cases, case is not None, file is not None]) != 1:
        raise ValidationError("请指定一个案件编号，或 --all，或 --file 其中之一")
    if case is not None or file is not None:
        ev = _evaluate(application, case, file, pack, now)
        if as_json:
            print_json(ev.as_dict())
        else:
            _print_evaluation(ev)
        return
    report = compliance.evaluate_all(application, now)
    if as_json:
        print_json(report.model_dump(mode="json"))
        return
    _print_report(report)


def _evaluate(
    application: App, case: str | None, file: Path | None, pack: str | None, now: datetime | None
) -> Evaluation:
    """One recorded case, or a case file not yet imported checked against a pack."""
    if file is None:
        assert case is not None
        return compliance.evaluate_case(application, case, now)
    try:
        text = file.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportFormatError(f"无法读取 {file}：{exc}") from None
    name = pack or packs.pack_name_for(application, None)
    return compliance.evaluate_file(
        text,
        packs.load_pack(name, application.settings.data_dir),
        now or application.clock.now(),
        calendar_service.working_calendar(application),
    )


def _print_evaluation(ev: Evaluation) -> None:
    counts = "，".join(f"{SEVERITY_LABELS[Severity(k)]} {v}" for k, v in ev.counts.items())
    out.print(f"[bold]{ev.case}[/]  规则包 {ev.pack}  （{counts}）")
    if ev.retention:
        out.print(
            f"保存期限：{ev.retention.label}"
            + "".join(f"；{r.title}（{'、'.join(r.cite)}）" for r in ev.retention.reasons)
        )
    for f in ev.findings:
        _print_finding(Finding.model_validate(f.as_dict()))
    if not ev.findings:
        out.print("未发现问题")


def _print_report(report: AgencyReport) -> None:
    sev = report.by_severity
    out.print(
        f"共 {report.cases} 件案件：违规 {sev['violation']}，提示 {sev['warning']}，"
        f"待办 {sev['due']}"
    )
    table = Table(title="按规则汇总")
    for col in ("规则", "严重程度", "数量", "依据"):
        table.add_column(col, overflow="fold")
    for r in report.by_rule:
        table.add_row(
            f"{r.title}\n[dim]{r.rule}[/]",
            SEVERITY_LABELS[Severity(r.severity)],
            str(r.count),
            "、".join(r.cite),
        )
    out.print(table)
    for item in report.items:
        _print_finding(item, prefix=f"{item.case}  ")


def _print_finding(f: Finding, prefix: str = "") -> None:
    style = _STYLE[f.severity]
    due = (
        f"  [dim]期限 {f.due_at[:16].replace('T', ' ')}{'（暂定）' if f.provisional else ''}[/]"
        if f.due_at
        else ""
    )
    out.print(f"{prefix}[{style}]【{f.severity_label}】[/]{f.message}{due}")
    out.print(
        f"    [dim]{f.code} · 依据 {'、'.join(f.cite)} · 记录 {', '.join(map(str, f.seqs))}[/]"
    )
    out.print(f"    整改：{f.remedy}", markup=False)


@pack_cli.command("list")
def pack_list() -> None:
    """列出可用的规则包。"""
    application = app()
    current = packs.pack_name_for(application, None)
    for name in packs.available(application.settings.data_dir):
        p = packs.load_pack(name, application.settings.data_dir)
        mark = "（实例默认）" if name == current else ""
        out.print(f"{name:<10} {p.title}{mark}  [dim]{len(p.rules)} 条规则[/]")


@pack_cli.command("validate")
def pack_validate(file: Path = typer.Argument(..., help="规则包 YAML 文件")) -> None:
    """校验规则包文件；有错误时指出文件、行号与问题。"""
    if not file.is_file():
        raise ValidationError(f"找不到文件 {file}")
    p = packs.validate_file(file)
    out.print(f"规则包 {p.name} 有效：{len(p.rules)} 条规则（继承链 {' → '.join(p.chain)}）")


@pack_cli.command("show")
def pack_show(
    name: str = typer.Argument(..., help="规则包名称"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """显示规则包的全部规则（含继承的规则）及其依据。"""
    application = app() if not as_json else None
    p = packs.load_pack(name, application.settings.data_dir if application else None)
    if as_json:
        print_json(queries.rules_of(p).model_dump(mode="json"))
        return
    out.print(f"[bold]{p.name}[/] {p.title}（继承链 {' → '.join(p.chain)}）")
    for rule_id, r in p.rules.items():
        out.print(f"  [bold]{rule_id}[/] [dim]{r.kind}[/] {r.title}")
        out.print(f"      依据：{'、'.join(p.cite_text(c) for c in r.cite)}", markup=False)
    if application is not None and queries.GUIDE_PACK in p.chain:
        _guides(application, p.name)


def _guides(application: App, pack: str) -> None:
    """Whether each agency this pack applies to has registered its 执法行为用语指引."""
    agencies = queries.guide_status(application, pack)
    out.print("执法行为用语指引（003 第二十条）：")
    if not agencies:
        out.print("  没有机关适用本规则包")
    for a in agencies:
        state = f"已登记《{a.title}》（日志序号 {a.seq}）" if a.title else "未登记"
        out.print(f"  {a.name}（{a.code}）：{state}", markup=False)


@pack_cli.command("use")
def pack_use(
    name: str = typer.Argument(..., help="规则包名称"),
    reason: str = typer.Option(..., "--reason", help="变更理由（记入日志）"),
    agency: str | None = typer.Option(None, "--agency", help="只对该机关生效（默认全实例）"),
) -> None:
    """变更适用的规则包（记入日志）。"""
    entry = packs.use_pack(app(), name, reason, agency)
    out.print(f"已变更规则包为 {name}（日志序号 {entry.seq}）")


@calendar_cli.command("import")
def calendar_import(file: Path = typer.Argument(..., help="节假日安排 YAML/JSON 文件")) -> None:
    """导入一年或多年的节假日与调休安排（记入日志）。"""
    try:
        text = file.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportFormatError(f"无法读取 {file}：{exc}") from None
    entries = calendar_service.import_years(app(), text)
    out.print(
        f"已导入 {len(entries)} 个年份的节假日安排"
        f"（日志序号 {', '.join(str(e.seq) for e in entries)}）"
    )


@calendar_cli.command("show")
def calendar_show(year: int = typer.Argument(..., help="年份")) -> None:
    """显示某年的节假日安排及其来源；无数据的年份按周末计算并标为暂定。"""
    cal = calendar_service.working_calendar(app())
    data = cal.years.get(year)
    if data is None:
        out.print(f"{year} 年没有节假日数据：按周末计算工作日，据此算出的期限标为暂定")
        return
    out.print(f"{year} 年（来源：{data.source}）")
    out.print("放假：" + "、".join(d.isoformat() for d in sorted(data.holidays)))
    out.print("调休上班：" + ("、".join(d.isoformat() for d in sorted(data.workdays)) or "无"))


def check_cmd(
    case: str = typer.Argument(..., help="案件编号"),
    seq: int = typer.Argument(..., help="所核对的记录序号（音像记录、执法文书、调取证据等）"),
    checklist: str | None = typer.Option(
        None, "--checklist", help="核对清单（规则编号）；不给出时列出该记录可用的清单"
    ),
    items: list[str] = typer.Option(
        [], "--item", help="项目=结论[：说明]，如 现场环境=不符合：未拍摄全景；每项一次"
    ),
    note: str = typer.Option("", "--note", help="其他说明"),
    by: str = typer.Option(..., "--by", help="核对人的账户名（按其账户的角色核对，记为记录人）"),
) -> None:
    """审看核对一项记录：按适用规则包的核对清单逐项记明符合、不符合或不适用（记入日志）。"""
    application = app()
    user = access.get_user(application, by)
    why = content_checks.refusal(application, user, case, seq)
    if why:
        raise Forbidden(why)
    found = content_checks.target(application, case, seq)
    if checklist is None:
        out.print(f"{found.what} 可用的核对清单：")
        for c in found.checklists:
            out.print(f"  {c.rule}  {c.title}")
            for i in c.items:
                last = c.latest.get(i.key)
                shown = f"  [dim]最近：{last.line()}[/]" if last else ""
                out.print(f"    {i.key}：{i.label}（{'、'.join(i.cite)}）{shown}")
        return
    given: dict[str, tuple[str, str]] = {}
    for raw in items:
        key, sep, rest = raw.partition("=")
        if not sep:
            raise ValidationError(f"--item 应写作 项目=结论[：说明]：{raw}")
        result, _, text = rest.replace(":", "：", 1).partition("：")
        given[key.strip()] = (result.strip(), text.strip())
    entry = content_checks.record_check(application, user, case, seq, checklist, given, note)
    out.print(f"已记录对第{seq}号记录的审看核对（日志序号 {entry.seq}）")
