"""``liuhen``: the entry point; each group lives in its own module."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

import typer

from liuhen import lazy
from liuhen.accounts import cli as people
from liuhen.archive import cli as archiving
from liuhen.archive import export_cli as export
from liuhen.archive import verify as verify_service
from liuhen.cases import cli as case
from liuhen.cases import service as cases
from liuhen.cli import db, journal
from liuhen.cli.common import Commands, err, out, print_json
from liuhen.cli.common import app as open_app
from liuhen.compliance import cli as rules
from liuhen.compliance import packs, queries
from liuhen.compliance import service as compliance
from liuhen.demo import seed as demo
from liuhen.disclosure import cli as disclosure
from liuhen.disclosure import ledger_cli as ledger
from liuhen.documents import cli as documents
from liuhen.entrypoints import sources
from liuhen.evidence import cli as evidence
from liuhen.evidence.jobs import run_worker
from liuhen.kernel import instance, rebuild
from liuhen.kernel import settings as settings_mod
from liuhen.procedure.catalog import ACT_TYPES, ROLE_LABELS, STAGE_LABELS, Role
from liuhen.search import cli as search_cli
from liuhen.search import service as search
from liuhen.signing import cli as signing
from liuhen.stats import cli as stats
from liuhen.stats import service as stats_service
from liuhen.supervision import cli as supervision
from liuhen.supervision import service as supervision_service
from liuhen.warnings import cli as early_warning

if TYPE_CHECKING:
    import uvicorn
else:  # only `serve` runs a server
    uvicorn = lazy.module("uvicorn")

cli = typer.Typer(
    cls=Commands, help="留痕：行政执法全过程记录系统", no_args_is_help=True, add_completion=False
)
cli.add_typer(db.cli, name="db")
cli.add_typer(journal.cli, name="journal")
cli.add_typer(case.cli, name="case")
# the list's deadlines and violations come from the compliance evaluation, a layer above cases
case.cli.command("list")(
    case.list_command(cases.Judge(compliance.evaluate_cases, queries.rules_in_force))
)
# 审看核对 needs the pack in force, a layer above cases
case.cli.command("check")(rules.check_cmd)
cli.add_typer(rules.pack_cli, name="pack")
cli.add_typer(rules.calendar_cli, name="calendar")
cli.command("compliance")(rules.compliance_cmd)
cli.add_typer(evidence.media_cli, name="media")
cli.add_typer(signing.cli, name="ca")
cli.add_typer(documents.cli, name="doc")
cli.add_typer(people.user_cli, name="user")
cli.add_typer(people.token_cli, name="token")
cli.add_typer(people.agency_cli, name="agency")
# the agency's document formats are the documents' (003 第十二条), a layer above accounts
people.agency_cli.command("template")(documents.template_cmd)
cli.add_typer(evidence.device_cli, name="device")
cli.command("ingest")(evidence.ingest_cmd)
cli.command("ledger")(ledger.ledger_cmd)
cli.command("stats")(stats.stats_cmd)
cli.command("export")(export.export_cmd)
cli.command("verify-bag")(export.verify_bag_cmd)
cli.add_typer(disclosure.cli, name="disclose")
# search finds the compliance findings too (the same evaluation as the case list's), and the
# anomaly explanations
cli.command("search")(search_cli.search_command(
    (search.findings_source(cases.Judge(compliance.evaluate_cases, queries.rules_in_force)),
     sources.anomaly_source())
))  # fmt: skip
# the statistics count the warnings feature's cards (期限预警), a sibling they may not import
stats_service.use_warnings(sources.warning_groups)
cli.add_typer(supervision.cli, name="anomalies")
cli.add_typer(early_warning.cli, name="warnings")
cli.command("mark")(disclosure.mark_cmd)
cli.command("archive")(archiving.archive_cmd)
cli.command("dossier")(archiving.dossier_cmd)
cli.add_typer(archiving.retention_cli, name="retention")
cli.add_typer(archiving.dispose_cli, name="dispose")


@cli.command()
def init(
    pack: str | None = typer.Option(None, "--pack", help="实例默认适用的规则包（记入日志）"),
) -> None:
    """初始化实例：建库、生成检查点签名密钥（已初始化则不变）。"""
    st = settings_mod.load()
    if pack is not None:
        packs.load_pack(pack, st.data_dir)  # refuse an unknown pack before creating anything
    created = instance.init(st)
    out.print(("已初始化实例" if created else "实例已存在，未作改动") + f"：{st.data_dir}")
    if pack is not None:
        application = open_app()
        if packs.pack_name_for(application, None) != pack:
            entry = packs.use_pack(application, pack, "初始化时指定")
            out.print(f"默认规则包：{pack}（日志序号 {entry.seq}）")


@cli.command("demo")
def demo_cmd() -> None:
    """写入演示数据：一个文化和旅游局、其机构与人员、十二个处于各环节的案件。"""
    st = settings_mod.load()
    instance.init(st)
    application = open_app()
    if demo.has_cases(application):
        out.print("已有案件，未写入演示数据")
        return
    result = demo.seed(application)
    out.print(f"已写入演示数据：{result['cases']} 个案件，{result['entries']} 条记录")
    _print_demo_users()


def _print_demo_users() -> None:
    out.print("演示账户（用户名 / 密码 / 角色）：")
    for username, password, roles, name, _unit, _cert in demo.DEMO_USERS:
        labels = "、".join(ROLE_LABELS[Role(r)] for r in roles)
        out.print(f"  {username} / {password} / {labels}（{name}）")


@cli.command()
def verify(
    media: bool = typer.Option(False, "--media", help="同时重算每个音像文件的摘要（耗时）"),
) -> None:
    """从存储的记录重算一切：规范文本、叶哈希、案件链、序号、默克尔树根、检查点签名、投影，
    以及每份文书的文件摘要和电子签名。"""
    application = open_app()
    report = verify_service.verify(application)
    issuers: Counter[str] = Counter()
    report.damages.extend(verify_service.check_files(application, media, issuers))
    if issuers:  # each signature at the moment the journal recorded it: the trusted time
        by = "、".join(f"{name} {n} 个" for name, n in sorted(issuers.items()))
        out.print(
            f"文书电子签名 {issuers.total()} 个通过验证，每个按日志记录该文书的时间（签名时刻）"
            f"验证，不按今天；证书签发者：{by}"
        )
    # the statistics' fact tables against a replay, once the journal itself is sound
    stats_diffs = stats_service.verify(application) if report.ok else []
    if report.ok and not stats_diffs:
        out.print(f"完好：{report.entries} 条记录、{report.checkpoints} 个签名检查点均通过校验")
        return
    for d in stats_diffs[:50]:
        err.print(f"  - 统计表 {d.table} 的 {d.key} 与日志的重放不一致（liuhen stats --rebuild）")
    if not report.damages:
        raise typer.Exit(1)
    err.print(f"发现 {len(report.damages)} 处损坏（共 {report.entries} 条记录）：")
    for damage in report.damages:
        err.print("  - " + damage.render())
    raise typer.Exit(1)


@cli.command()
def catalog(as_json: bool = typer.Option(False, "--json", help="以 JSON 输出")) -> None:
    """列出全部环节与事项类型及其字段、可记录的角色。"""
    if as_json:
        print_json(
            [
                {
                    "code": a.code,
                    "label": a.label,
                    "stage": a.stage.value,
                    "roles": sorted(r.value for r in a.roles),
                    "on_site": a.on_site,
                    "opens_case": a.opens_case,
                    "basis": list(a.basis),
                    "fields": [
                        {
                            "name": f.name,
                            "label": f.label,
                            "kind": f.kind.value,
                            "required": f.required,
                            "choices": list(f.choices),
                        }
                        for f in a.fields
                    ],
                }
                for a in ACT_TYPES
            ]
        )
        return
    for stage, label in STAGE_LABELS.items():
        acts = [a for a in ACT_TYPES if a.stage is stage]
        if not acts:
            continue
        out.print(f"[bold]{label}[/]（{stage.value}）")
        for a in acts:
            roles = "、".join(ROLE_LABELS[r] for r in sorted(a.roles))
            out.print(f"  {a.code:<40} {a.label}  [dim]{roles}[/]")


@cli.command()
def serve(
    host: str | None = typer.Option(
        None, help=f"监听地址（默认 LIUHEN_HOST 或 {settings_mod.default('LIUHEN_HOST')}）"
    ),
    port: int | None = typer.Option(
        None, help=f"端口（默认 LIUHEN_PORT 或 {settings_mod.default('LIUHEN_PORT')}）"
    ),
    no_demo: bool = typer.Option(False, "--no-demo", help="首次启动时不写入演示数据"),
) -> None:
    """启动网页与接口服务；首次启动时初始化实例并写入演示数据。"""
    from liuhen.entrypoints.web import create_app  # lazy: ~0.7 s every other command spares

    st = settings_mod.load()
    if instance.init(st):
        out.print(f"已初始化实例：{st.data_dir}")
    application = open_app()
    replayed = rebuild.bring_up_to_date(application)
    if replayed:
        out.print(f"投影规则已更新，已按日志重建投影表（重放 {replayed} 条记录）")
    if not no_demo and not demo.has_cases(application):
        result = demo.seed(application)
        out.print(f"已写入演示数据：{result['cases']} 个案件，{result['entries']} 条记录")
        _print_demo_users()
    bind_host, bind_port = host or st.host, port or st.port
    anomaly_job = supervision_service.job(application)  # incremental anomaly detection
    anomaly_job.start()
    err.print(f"留痕已启动：http://{bind_host}:{bind_port}/")
    uvicorn.run(create_app(application), host=bind_host, port=bind_port, log_level="warning")


@cli.command()
def worker() -> None:
    """运行后台任务（缩略图、浏览用副本）：PostgreSQL 用 procrastinate 队列，SQLite 在本进程内。"""
    err.print("后台任务已启动（Ctrl-C 停止）")
    application = open_app()
    supervision_service.job(application).start()  # incremental anomaly detection
    run_worker(application)


def run() -> None:
    cli()
