"""``liuhen user`` and ``liuhen token``: accounts for people, tokens for collection stations."""

from __future__ import annotations

import getpass
from decimal import Decimal, InvalidOperation
from pathlib import Path

import typer

from liuhen.accounts import service as access
from liuhen.accounts.agency_settings import KEEP, Keep
from liuhen.cli.common import app, out
from liuhen.errors import Problem, ValidationError
from liuhen.procedure.catalog import CATEGORY_LABELS, Role
from liuhen.web import attachments

user_cli = typer.Typer(help="账户：创建与查看", no_args_is_help=True)
token_cli = typer.Typer(help="机器访问令牌（采集站）", no_args_is_help=True)


def operator() -> str:
    """The account events name the operating-system user who ran the command."""
    try:
        return f"cli:{getpass.getuser()}"
    except (OSError, KeyError):  # no login name in some containers
        return "cli"


@user_cli.command("add")
def user_add(
    username: str = typer.Argument(..., help="用户名"),
    name: str = typer.Option(..., "--name", help="姓名"),
    role: list[str] = typer.Option(..., "--role", help="角色，可重复：" + "、".join(access.ROLES)),
    unit: str | None = typer.Option(None, help="所属机构编码"),
    cert_no: str | None = typer.Option(None, "--cert-no", help="执法证号"),
    password: str = typer.Option(
        ..., prompt=True, hide_input=True, confirmation_prompt=True, help="密码（至少 10 个字符）"
    ),
) -> None:
    """创建账户（密码以 argon2 散列保存）。"""
    user = access.create_user(app(), username, password, role, name, unit, cert_no, by=operator())
    out.print(f"已创建账户 {user.username}（{'、'.join(sorted(user.roles))}）")


@user_cli.command("email")
def user_email(
    username: str = typer.Argument(..., help="用户名"),
    address: str = typer.Argument("", help="电子邮箱；留空为删除"),
) -> None:
    """设置账户的电子邮箱（期限预警的黄牌、红牌发送至此）。"""
    access.set_email(app(), username, address, by=operator())
    out.print(f"已{'设置' if address.strip() else '删除'} {username} 的电子邮箱")


@token_cli.command("create")
def token_create(
    name: str = typer.Argument(..., help="令牌名称，如采集站编号"),
    role: list[str] = typer.Option([Role.OFFICER], "--role", help="角色"),
    unit: str | None = typer.Option(None, help="所属机构编码"),
) -> None:
    """创建机器访问令牌；令牌只显示这一次。"""
    token = access.create_token(app(), name, role, unit, by=operator())
    out.print(f"访问令牌（请妥善保存，只显示一次）：{token}")


agency_cli = typer.Typer(help="执法机关：编号与救济设置", no_args_is_help=True)


def _pairs(items: list[str], what: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items:
        key, found, value = item.partition("=")
        if not found or not key.strip():
            raise ValidationError(f"{what}应为 键=值：“{item}”", [Problem("应为 键=值", what)])
        out[key.strip()] = value.strip()
    return out


def _merged(now: dict[str, str], given: list[str], what: str) -> dict[str, str] | Keep:
    """The per-category settings in force with the typed ones laid over (an empty value drops
    its category); none typed: kept as they are."""
    if not given:
        return KEEP
    out = {**now, **_pairs(given, what)}
    return {k: v for k, v in out.items() if v}


def _threshold(given: str | None) -> Decimal | Keep:
    """The amount typed, or the one in force kept when none is typed."""
    if given is None:
        return KEEP
    try:
        return Decimal(given.strip())
    except InvalidOperation:
        raise ValidationError(
            f"“{given}”不是金额", [Problem("应为金额（元）", "major_fine_threshold")]
        ) from None


@agency_cli.command("settings")
def agency_settings_cmd(
    code: str = typer.Argument(..., help="机关编码"),
    short_name: str | None = typer.Option(None, "--short-name", help="编号用的机关简称"),
    case_pattern: str | None = typer.Option(
        None, "--case-pattern", help="案件编号规则，如 {简称}立〔{年}〕{号}号"
    ),
    doc: list[str] = typer.Option(
        [], "--doc", help="文书文号规则，可重复：文书种类=规则（规则留空为不编号）"
    ),
    review_body: str | None = typer.Option(None, "--review-body", help="行政复议机关"),
    court: str | None = typer.Option(None, "--court", help="管辖人民法院"),
    act: list[str] = typer.Option([], "--act", help="可记录的事项，可重复（取代原清单）"),
    all_acts: bool = typer.Option(False, "--all-acts", help="可记录的事项恢复为默认（全部）"),
    used: list[str] = typer.Option([], "--used", help="启用前已用的最大号，可重复：case/2026=35"),
    major_fine: str | None = typer.Option(
        None, "--major-fine-threshold", help="重大案件法制审核罚款金额标准（元），如 100000"
    ),
    no_major_fine: bool = typer.Option(
        False, "--no-major-fine-threshold", help="取消重大案件法制审核罚款金额标准"
    ),
    warning_days: int | None = typer.Option(
        None, "--warning-days", help="期限到期前多少个工作日亮黄牌预警（默认 3）"
    ),
    av_retention: list[str] = typer.Option(
        [],
        "--av-retention",
        help="某类案件音像记录资料的保存期限，可重复：类别=期限，如 penalty=10年（留空为取消）",
    ),
    av_storage: list[str] = typer.Option(
        [],
        "--av-storage",
        help="某类案件音像记录资料的保存方式，可重复：类别=方式，如 penalty=刻录光盘（留空为取消）",
    ),
) -> None:
    """查看机关的编号与救济设置；给出任何选项即记入一条新设置（未给出的保持不变）。"""
    application = app()
    now = access.agency_settings(application, code)
    changing = (
        any((short_name, case_pattern, doc, review_body, court, act, all_acts, used, major_fine))
        or no_major_fine
        or warning_days is not None
        or av_retention
        or av_storage
    )
    if changing:
        patterns = {**now.document_patterns, **_pairs(doc, "doc")}
        numbers = dict(now.numbers_used)
        for key, n in _pairs(used, "used").items():
            if not n.isdigit():
                raise ValidationError(f"“{key}={n}”的号应为整数", [Problem("应为整数", "used")])
            numbers[key] = int(n)
        change = access.SettingsChange(
            short_name=short_name if short_name is not None else now.short_name,
            case_pattern=case_pattern if case_pattern is not None else now.case_pattern,
            document_patterns={k: v for k, v in patterns.items() if v},
            review_body=review_body if review_body is not None else now.review_body,
            court=court if court is not None else now.court,
            act_types=[] if all_acts else (act or list(now.act_types)),
            numbers_used=numbers,
            major_fine_threshold=None if no_major_fine else _threshold(major_fine),
            warning_days=warning_days if warning_days is not None else KEEP,
            av_retention=_merged(now.av_retention, av_retention, "av_retention"),
            av_storage=_merged(now.av_storage, av_storage, "av_storage"),
        )
        entry = access.change_agency_settings(
            application, code, change, {"id": operator(), "role": Role.ADMIN.value}
        )
        out.print(f"已记入日志（序号 {entry.seq}）")
        now = access.agency_settings(application, code)
    nxt = access.next_numbers(application, code, application.clock.now().year)
    out.print(
        f"机关：{now.agency_name}（{now.agency}）{'' if now.recorded else '（尚未设置，默认值）'}"
    )
    out.print(f"简称：{now.short_name}")
    out.print(f"案件编号规则：{now.case_pattern}（下一号 {nxt['case']}）")
    for kind, pattern in sorted(now.document_patterns.items()):
        out.print(f"文号规则 {kind}：{pattern}（下一号 {nxt[kind]}）")
    out.print(f"行政复议机关：{now.review_body or '（未设置）'}")
    out.print(f"管辖人民法院：{now.court or '（未设置）'}")
    out.print(f"可记录的事项：{'、'.join(now.act_types) or '默认（全部）'}")
    threshold = now.major_fine_threshold
    out.print(
        "重大案件法制审核罚款金额标准："
        + (
            f"{threshold.normalize():f} 元"
            if threshold is not None
            else "（未设置：不按罚款金额认定重大案件）"
        )
    )
    out.print(f"期限预警：到期前 {now.warning_days} 个工作日亮黄牌，逾期亮红牌")
    for category in sorted({*now.av_retention, *now.av_storage}):
        label = {c.value: t for c, t in CATEGORY_LABELS.items()}.get(category, category)
        period = now.av_retention.get(category, "（未设定）")
        out.print(f"{label}案件音像记录资料：保存期限 {period}，保存方式 "
                  f"{now.av_storage.get(category, '（未设定）')}")  # fmt: skip
    if not now.av_retention and not now.av_storage:
        out.print("音像记录资料的保存期限和保存方式：（未设定，归档时由档案人员选定）")
    for series, last in sorted(now.numbers_used.items()):
        out.print(f"启用前已用至：{series}={last}")


@agency_cli.command("guide")
def agency_guide_cmd(
    agency: str = typer.Argument(..., help="机关编码"),
    file: Path = typer.Argument(
        ..., help="指引文件（PDF、JPEG、PNG）", exists=True, dir_okay=False
    ),
    title: str = typer.Option(..., "--title", help="指引名称"),
    issued_on: str | None = typer.Option(None, "--issued-on", help="印发日期，如 2026-03-01"),
) -> None:
    """登记机关的执法行为用语指引（003 第二十条）：文件存储并记入日志；再次登记即为新版本。"""
    application = app()
    with file.open("rb") as fh:
        checked = attachments.check([attachments.Upload(file.name, fh)],
                                    application.settings.attachment_max)  # fmt: skip
        stored = attachments.store(application, checked)
    by = {"id": operator(), "role": Role.ADMIN.value}
    entry = access.register_guide(application, agency, title, stored, by, issued_on)
    out.print(f"已登记 {agency} 的执法行为用语指引《{title.strip()}》（日志序号 {entry.seq}）")


@agency_cli.command("guides")
def agency_guides_cmd(
    agency: str | None = typer.Argument(None, help="机关编码（不填为全部）"),
) -> None:
    """列出已登记的执法行为用语指引（最新的一份为现行）。"""
    items = access.conduct_guides(app(), agency)
    if not items:
        out.print("尚未登记执法行为用语指引（003 第二十条）")
    for g in items:
        when = f"，印发于 {g.issued_on}" if g.issued_on else ""
        names = "、".join(str(f.get("name") or f.get("digest")) for f in g.files)
        out.print(f"#{g.seq} {g.agency}《{g.title}》{when}；文件：{names}", markup=False)
