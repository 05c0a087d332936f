"""The evaluation score (评议考核): a weighted mean of rates, each between 0 and 1.

Pure. The indicators and their default weights are below; an agency changes the weights in its
settings (``stats.settings``). An indicator with nothing to measure in the period (no
recordings, no closed case) is left out and the others' weights count in full, so a unit is
neither rewarded nor punished for work it did not have; the page says which were left out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

# indicator → its Chinese name; the order is the page's
INDICATORS: dict[str, str] = {
    "compliance": "案件无违规率",
    "av_coverage": "法定音像记录覆盖率",
    "on_time_storage": "音像按时存储率",
    "on_time_archive": "按时归档率",
    "closing": "办结率",
}
DEFAULT_WEIGHTS: dict[str, int] = {
    "compliance": 40,
    "av_coverage": 20,
    "on_time_storage": 15,
    "on_time_archive": 15,
    "closing": 10,
}


@dataclass(frozen=True, slots=True)
class Rate:
    """``good`` of ``total``; None when there is nothing to count."""

    good: int
    total: int

    @property
    def value(self) -> float | None:
        return self.good / self.total if self.total else None


@dataclass(frozen=True, slots=True)
class Score:
    value: float | None  # 0–100, one decimal; None when no indicator had anything to measure
    used: tuple[str, ...]  # the indicators that counted
    left_out: tuple[str, ...]  # those with nothing to measure


def score(rates: Mapping[str, Rate], weights: Mapping[str, int]) -> Score:
    """Σ weight × rate / Σ weight over the indicators that have something to measure, × 100."""
    used = [
        k
        for k in INDICATORS
        if weights.get(k, 0) > 0 and rates.get(k, Rate(0, 0)).value is not None
    ]
    left_out = [k for k in INDICATORS if weights.get(k, 0) > 0 and k not in used]
    total = sum(weights[k] for k in used)
    if not total:
        return Score(None, (), tuple(left_out))
    value = sum(weights[k] * (rates[k].value or 0.0) for k in used) / total * 100
    return Score(round(value, 1), tuple(used), tuple(left_out))


def formula_text(weights: Mapping[str, int]) -> str:
    """The formula as the page shows it beside the score."""
    parts = [f"{INDICATORS[k]}×{weights[k]}" for k in INDICATORS if weights.get(k, 0) > 0]
    return "得分 = (" + " + ".join(parts) + ") ÷ 参与计算的权重之和 × 100；无可统计数据的指标不计入"
