"""The thresholds the detectors use, one set per agency (journaled as
``registry.supervision_settings``, the defaults below where an agency set none).

The defaults are those bench/anomalies.py measured: high enough that honest records of the
kind the demo holds (a 笔录 typed up the same evening, a video uploaded two days later) raise
nothing, low enough that a planted fabrication is found.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any


@dataclass(frozen=True, slots=True)
class Thresholds:
    overlap_minutes: int = 5  # acts of two cases overlapping at least this long
    max_speed_kmh: int = 120  # faster than this between two places: not travelled
    av_tolerance_minutes: int = 10  # an act's stated time the video may leave uncovered
    point_av_minutes: int = 60  # media of a point act (a 送达) starting this long after it
    lag_median_hours: int = 72  # an officer's or unit's median lag of recording
    lag_min_entries: int = 5  # lags counted before a median is judged
    session_gap_minutes: int = 15  # entries this close in recording time: one sitting
    session_min_entries: int = 4  # a sitting of this many entries …
    session_lag_hours: int = 48  # … each recorded this long after the event …
    session_span_hours: int = 24  # … of events this far apart
    copy_similarity: float = 0.6  # Jaccard of word 4-grams from which two texts are copies
    copy_min_tokens: int = 40  # shorter texts are not compared
    copy_passage_tokens: int = 8  # shared passages shown from this many words


LABELS: dict[str, str] = {
    "overlap_minutes": "两案事项时间重叠的最短时长（分钟）",
    "max_speed_kmh": "两地之间可能的最高移动速度（千米/小时）",
    "av_tolerance_minutes": "事项记载时间未被音像覆盖的容许时长（分钟）",
    "point_av_minutes": "时点事项之后开始的音像的容许时长（分钟）",
    "lag_median_hours": "人员或机构补录时长中位数的上限（小时）",
    "lag_min_entries": "计算补录中位数的最少记录数",
    "session_gap_minutes": "视为一次集中录入的相邻记录间隔（分钟）",
    "session_min_entries": "集中补录的最少记录数",
    "session_lag_hours": "集中补录中每条记录的最短滞后（小时）",
    "session_span_hours": "集中补录所涉事项的最短时间跨度（小时）",
    "copy_similarity": "笔录雷同的相似度下限（0–1）",
    "copy_min_tokens": "参与雷同比对的最短笔录（词数）",
    "copy_passage_tokens": "显示为相同段落的最短长度（词数）",
}


def names() -> list[str]:
    return [f.name for f in fields(Thresholds)]


def with_values(base: Thresholds, values: dict[str, Any]) -> tuple[Thresholds, list[str]]:
    """``base`` with those of ``values`` that are known and valid; the names of the others."""
    bad: list[str] = []
    changes: dict[str, Any] = {}
    for name, raw in values.items():
        if name not in LABELS:
            bad.append(name)
            continue
        kind = type(getattr(Thresholds(), name))
        try:
            value = kind(raw)
        except (TypeError, ValueError):
            bad.append(name)
            continue
        if value <= 0 or (kind is float and value > 1):
            bad.append(name)
            continue
        changes[name] = value
    return replace(base, **changes), bad
