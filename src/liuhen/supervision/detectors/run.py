"""The anomaly kinds in the order a supervisor should look at them, and one call that runs
them all over a corpus."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from liuhen.supervision.detectors import av, backfill, copies, grounds, presence
from liuhen.supervision.detectors.model import Anomaly, Corpus
from liuhen.supervision.detectors.thresholds import Thresholds

Detector = Callable[[Corpus, Thresholds], list[Anomaly]]


@dataclass(frozen=True, slots=True)
class Kind:
    code: str
    label: str
    group: int  # 1–5: the order of priority
    detect: Detector


KINDS: tuple[Kind, ...] = (
    Kind(presence.OVERLAP, "同一执法人员同时在两案执法", 1, presence.overlaps),
    Kind(presence.TRAVEL, "两地距离与时间间隔不符", 1, presence.travel),
    Kind(presence.DEVICE, "使用配发给他人的执法记录仪", 1, presence.devices),
    Kind(av.OUTSIDE, "记载时间不在音像记录之内", 2, av.outside),
    Kind(av.AFTER, "音像记录晚于事项", 2, av.outside),
    Kind(av.BEFORE_CHECK, "音像记录早于设备使用前检查", 2, av.before_check),
    Kind(backfill.LAG, "录入明显滞后", 3, backfill.lag),
    Kind(backfill.SESSION, "集中补录", 3, backfill.sessions),
    Kind(backfill.AFTER_DECISION, "决定后补录或更正所依据的记录", 3, backfill.after_decision),
    Kind(copies.COPY, "不同案件笔录雷同", 4, copies.copies),
    Kind(grounds.UNBACKED, "决定列明的证据无对应记录", 5, grounds.unbacked),
    Kind(grounds.ORDER, "案内事项先后矛盾", 5, grounds.order),
)
BY_CODE = {k.code: k for k in KINDS}


def detect(corpus: Corpus, thresholds: Thresholds) -> list[Anomaly]:
    """Every kind's anomalies, each once (two kinds may share a detector), in priority order."""
    seen: set[Detector] = set()
    found: dict[str, Anomaly] = {}
    for kind in KINDS:
        if kind.detect in seen:
            continue
        seen.add(kind.detect)
        for a in kind.detect(corpus, thresholds):
            found.setdefault(a.key, a)
    order = {k.code: i for i, k in enumerate(KINDS)}
    return sorted(found.values(), key=lambda a: (order[a.kind], a.refs[0].case, a.refs[0].seq))
