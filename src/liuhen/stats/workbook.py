"""The monthly supervision report as an Excel workbook: one sheet per table, plus the charts'
data, with the period and scope on every sheet so a printed page says what it counts."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import TYPE_CHECKING

from liuhen import lazy
from liuhen.stats.schemas import Count, StatsReport, WarningFigures, WarningRow

if TYPE_CHECKING:
    import openpyxl
else:
    openpyxl = lazy.module("openpyxl")

EMPTY = "本期间没有记录"


def _pct(v: float | None) -> str:
    return "—" if v is None else f"{v:.1f}%"


def _sheet(
    book: object,
    title: str,
    rep: StatsReport,
    header: Sequence[str],
    rows: Sequence[Sequence[object]],
) -> None:
    ws = book.create_sheet(title)  # type: ignore[attr-defined]
    ws.append([f"{rep.scope}　{title}（{rep.period_label}）"])
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    if not rows:
        ws.append([EMPTY])
    for i, _ in enumerate(header[:26]):
        ws.column_dimensions[chr(ord("A") + i)].width = 16 if i else 28


def _counts(rows: Sequence[Count]) -> list[list[object]]:
    return [[r.label, r.opened, r.closed] for r in rows]


WARNING_HEADER = [
    "期限在运行的案件", "亮牌案件", "亮红牌案件", "黄牌", "红牌", "预警率",
    "已解除", "平均解除用时（小时）", "解除用时中位数（小时）",
]  # fmt: skip


def _hours(v: float | None) -> object:
    return "—" if v is None else v


def _warning_cells(r: WarningRow) -> list[object]:
    return [
        r.cases, r.cases_warned, r.cases_red, r.yellow, r.red, _pct(r.rate), r.cleared,
        _hours(r.mean_hours), _hours(r.median_hours),
    ]  # fmt: skip


def _warnings(book: object, rep: StatsReport, w: WarningFigures) -> None:
    """期限预警: the scope's total, each unit, each officer, the cards by day or month, and the
    definitions, so that a printed sheet says what its rate counts."""
    rows: list[list[object]] = [["合计", "", *_warning_cells(w.total)]]
    rows += [["执法机构", u.name, *_warning_cells(u)] for u in w.units]
    rows += [["执法人员", f"{o.name}（{o.key}）", *_warning_cells(o)] for o in w.officers]
    rows += [[], ["时间", "", "黄牌", "红牌"]]
    rows += [[p.bucket, "", p.yellow, p.red] for p in w.series]
    rows += [[], [w.rate_definition], [w.clear_definition]]
    _sheet(book, "期限预警", rep, ["范围", "名称", *WARNING_HEADER], rows)


def build(rep: StatsReport) -> bytes:
    book = openpyxl.Workbook()
    for sheet in list(book.worksheets):
        book.remove(sheet)
    _sheet(
        book,
        "总览",
        rep,
        ["指标", "数值"],
        [[h.label, h.value] for h in rep.headlines]
        + [[r.label, _pct(r.percent)] for r in rep.rates],
    )
    _sheet(book, "按环节", rep, ["环节", "新立", "办结"], _counts(rep.by_stage))
    _sheet(book, "按程序", rep, ["程序", "新立", "办结"], _counts(rep.by_procedure))
    _sheet(book, "按案件来源", rep, ["案件来源", "新立", "办结"], _counts(rep.by_source))
    _sheet(book, "按案件类别", rep, ["类别", "新立", "办结"], _counts(rep.by_category))
    _sheet(
        book,
        "罚款档次",
        rep,
        ["档次", "案件数", "金额（元）"],
        [[r.label, r.count, r.amount_yuan] for r in rep.penalty_levels],
    )
    _sheet(
        book,
        "决定种类",
        rep,
        ["种类", "案件数", "金额（元）"],
        [[r.label, r.count, r.amount_yuan] for r in rep.decision_kinds],
    )
    _sheet(book, "执法行为", rep, ["事项", "次数"], [[r.label, r.count] for r in rep.acts])
    _sheet(
        book,
        "各机构",
        rep,
        [
            "机构",
            "执法人员",
            "新立",
            "办结",
            "执法行为",
            "人均执法行为",
            "音像（小时）",
            "调阅",
            "违规",
            "按时存储率",
            "按时归档率",
            "音像覆盖率",
            "评议得分",
        ],
        [
            [
                u.name,
                u.officers,
                u.opened,
                u.closed,
                u.acts,
                u.acts_per_officer,
                u.av_hours,
                u.reviews,
                u.violations,
                _pct(u.on_time_storage),
                _pct(u.on_time_archive),
                _pct(u.av_coverage),
                "—" if u.score is None else u.score,
            ]
            for u in rep.units
        ],
    )
    _sheet(
        book,
        "执法人员",
        rep,
        [
            "姓名",
            "执法证号",
            "机构",
            "案件",
            "执法行为",
            "音像（小时）",
            "违规",
            "音像覆盖率",
            "按时存储率",
            "评议得分",
        ],
        [
            [
                o.name,
                o.cert_no,
                o.unit_name,
                o.cases,
                o.acts,
                o.av_hours,
                o.violations,
                _pct(o.av_coverage),
                _pct(o.on_time_storage),
                "—" if o.score is None else o.score,
            ]
            for o in rep.officers
        ],
    )
    _sheet(
        book,
        "发现项按规则",
        rep,
        ["规则", "名称", "违规", "提示", *rep.buckets],
        [[r.rule, r.title, r.violations, r.warnings, *r.by_bucket] for r in rep.rules],
    )
    _sheet(book, "调阅", rep, ["调阅人", "次数"], [[r.label, r.count] for r in rep.reviews])
    _sheet(
        book,
        "图表数据",
        rep,
        ["时间", "新立", "办结", "执法行为", "发现项"],
        [[p.bucket, p.opened, p.closed, p.acts, p.findings] for p in rep.series],
    )
    if rep.warnings is not None:
        _warnings(book, rep, rep.warnings)
    _sheet(
        book,
        "评议考核公式",
        rep,
        ["指标", "权重"],
        [[w.label, w.weight] for w in rep.score_rule.weights] + [[rep.score_rule.formula, ""]],
    )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
