"""The statistics as the API answers them (and as the page and the workbook read them)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Count(BaseModel):
    """One row of a breakdown: a value of a dimension and what was counted under it."""

    key: str
    label: str
    opened: int = 0
    closed: int = 0
    count: int = 0
    amount_yuan: float = 0.0
    link: str = Field("", description="列出这些案件的页面地址")


class RateFigure(BaseModel):
    label: str
    good: int
    total: int
    percent: float | None = Field(None, description="百分比；没有可统计的数据时为空")
    link: str = ""
    lower_better: bool = Field(False, description="越低越好（如预警率），页面不以达标的颜色显示")


class Headline(BaseModel):
    key: str
    label: str
    value: str
    link: str = ""


class UnitRow(BaseModel):
    unit: str
    name: str
    agency: str | None
    officers: int
    opened: int
    closed: int
    acts: int
    acts_per_officer: float
    av_hours: float
    reviews: int
    violations: int
    on_time_storage: float | None
    on_time_archive: float | None
    av_coverage: float | None
    score: float | None
    link: str


class OfficerRow(BaseModel):
    cert_no: str
    name: str
    unit: str
    unit_name: str
    cases: int
    acts: int
    av_hours: float
    violations: int
    av_coverage: float | None
    on_time_storage: float | None
    score: float | None
    link: str


class SeriesPoint(BaseModel):
    bucket: str
    opened: int
    closed: int
    acts: int
    findings: int


class RuleRow(BaseModel):
    rule: str
    title: str
    violations: int
    warnings: int
    by_bucket: list[int]
    link: str


class Weight(BaseModel):
    indicator: str
    label: str
    weight: int


class ScoreRule(BaseModel):
    formula: str
    weights: list[Weight]
    from_settings: bool = Field(description="权重来自机关设置；否则为默认值")


class Choice(BaseModel):
    key: str
    label: str


class WarningRow(BaseModel):
    """One unit's, officer's (or the whole scope's) early-warning cards in the period."""

    key: str
    name: str
    cases: int = Field(description="期限在运行的案件（本期间某时处于办理中或已结案未归档）")
    cases_warned: int = Field(description="本期间亮过牌（黄牌或红牌）的案件")
    cases_red: int = Field(description="本期间亮过红牌的案件")
    yellow: int = Field(description="本期间亮出的黄牌")
    red: int = Field(description="本期间亮出的红牌")
    cleared: int = Field(description="其中期限已办结而解除的牌")
    rate: float | None = Field(
        None, description="预警率（百分比）：亮过红牌的案件 ÷ 期限在运行的案件"
    )
    mean_hours: float | None = Field(None, description="平均解除用时（小时）")
    median_hours: float | None = Field(None, description="解除用时中位数（小时）")
    link: str = Field("", description="期限在运行的案件")
    red_link: str = Field("", description="亮过红牌的案件")
    warned_link: str = Field("", description="亮过牌的案件")
    cleared_link: str = Field("", description="有牌因期限办结而解除的案件")


class WarningPoint(BaseModel):
    bucket: str
    yellow: int
    red: int


class WarningFigures(BaseModel):
    """期限预警 statistics (issue 15 item 3): the cards raised in the period and how they
    cleared, from the warnings feature's cards, with the definitions the page shows."""

    rate_definition: str
    clear_definition: str
    total: WarningRow
    units: list[WarningRow]
    officers: list[WarningRow]
    series: list[WarningPoint]


class StatsReport(BaseModel):
    """The figures of one period for the reader's scope, drill-down links beside each."""

    period: str
    period_label: str
    start: str
    end: str
    bucket: str
    scope: str
    filters: dict[str, str]
    empty: bool = Field(description="本期间没有任何记录")
    headlines: list[Headline]
    by_stage: list[Count]
    by_procedure: list[Count]
    by_source: list[Count]
    by_category: list[Count]
    penalty_levels: list[Count]
    decision_kinds: list[Count]
    acts: list[Count]
    rates: list[RateFigure]
    units: list[UnitRow]
    officers: list[OfficerRow]
    series: list[SeriesPoint]
    buckets: list[str]
    rules: list[RuleRow]
    reviews: list[Count]
    score_rule: ScoreRule
    agencies: list[Choice] = Field(default_factory=list, description="可选的机关（统计范围内）")
    warnings: WarningFigures | None = Field(None, description="期限预警（黄牌、红牌）的统计")


class CaseBehind(BaseModel):
    number: str
    cause: str
    unit_name: str
    opened_on: str
    status: str
    link: str


class CasesBehind(BaseModel):
    title: str
    period_label: str
    cases: list[CaseBehind]
